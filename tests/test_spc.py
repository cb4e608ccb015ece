"""SPC rules on worked examples whose limits and labels were computed by hand (arithmetic in each docstring).

Rules from NHSRplotthedots (see metrics/rules/spc.py): mean; moving ranges |xᵢ − xᵢ₋₁|; amr after dropping MRs ≥ 3.267 ×
amr; limits mean ± 2.66 × amr; near band mean ± (2/3)·2.66 × amr; rules in priority order limit, trend (7),
2 of 3 near a limit on one side, run (7) on one side.
"""

from __future__ import annotations

import pandas as pd
import pytest

from metrics import contract
from metrics.rules import spc


def months(n: int, start: str = "2024-01") -> list[str]:
    y, m = int(start[:4]), int(start[5:7])
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def series(values, target=None) -> pd.DataFrame:
    df = pd.DataFrame({"month": months(len(values)), "value": [float(v) for v in values]})
    return df if target is None else df.assign(target=float(target))


def types(chart: pd.DataFrame) -> list[str]:
    return chart["point_type"].tolist()


# ---------------------------------------------------------------------------------------------
# Limits
# ---------------------------------------------------------------------------------------------

ZIGZAG = [10, 12, 14, 12, 10, 12, 14, 12]


def test_limits_of_a_zigzag_by_hand():
    """mean = 96 / 8 = 12; MRs = 2 ×7 → amr = 2; limits 12 ± 2.66·2 = 6.68 / 17.32; near 12 ± 3.5467."""
    c = spc.xmr(series(ZIGZAG), ">=")
    assert c["mean"].tolist() == pytest.approx([12.0] * 8)
    assert c["upl"].iloc[0] == pytest.approx(17.32)
    assert c["lpl"].iloc[0] == pytest.approx(6.68)
    assert c["near_upl"].iloc[0] == pytest.approx(12 + 2 / 3 * 5.32)
    assert c["near_lpl"].iloc[0] == pytest.approx(12 - 2 / 3 * 5.32)
    assert types(c) == ["common"] * 8
    assert not c["special_cause"].any()


OUTLIER = [10, 12, 10, 12, 10, 30, 10, 12, 10, 12]


def test_outlier_screening_narrows_the_limits_and_flags_the_outlier():
    """mean = 128 / 10 = 12.8. MRs: 2 2 2 20 20 2 2 2 2 → sum 54, amr = 6.
    Screen: 3.267 × 6 = 19.602; both MRs of 20 ≥ 19.602 are dropped → amr = 14 / 7 = 2.
    Screened limits: 12.8 ± 5.32 = 7.48 / 18.12. Unscreened: 12.8 ± 2.66·6 = −3.16 / 28.76.
    The value 30 is beyond either upper limit → rule 'limit'; higher is better → improvement.
    """
    c = spc.xmr(series(OUTLIER), ">=")
    assert c["upl"].iloc[0] == pytest.approx(18.12)
    assert c["lpl"].iloc[0] == pytest.approx(7.48)
    assert c.loc[5, "rule"] == "limit"
    assert c.loc[5, "point_type"] == "improvement"
    assert c.drop(index=5)["point_type"].eq("common").all()

    raw = spc.xmr(series(OUTLIER), ">=", spc.SPCParams(screen_outliers=False))
    assert raw["upl"].iloc[0] == pytest.approx(28.76)
    assert raw["lpl"].iloc[0] == pytest.approx(-3.16)


def test_screening_never_collapses_the_limits_of_a_rare_count():
    """Complaints 0 0 0 1 0 0 0 0 0 0 0 0: MRs 0 0 1 1 0 … → amr = 2 / 11 = 0.1818; 3.267 × 0.1818 = 0.594, so
    screening would drop both 1s and leave amr 0 (limits = mean = 1/12, every month "special"). We keep the
    unscreened amr: limits 0.0833 ± 2.66 × 0.1818 = −0.4003 / 0.5670 → the 1 is beyond (concern, lower is
    better); the 8 zeros after it are a run below the mean (improvement); the first 3 zeros are common cause.
    """
    c = spc.xmr(series([0, 0, 0, 1] + [0] * 8), "<=")
    assert c["upl"].iloc[0] == pytest.approx(1 / 12 + 2.66 * 2 / 11)
    assert c["rule"].tolist() == [""] * 3 + ["limit"] + ["run"] * 8
    assert types(c) == ["common"] * 3 + ["concern"] + ["improvement"] * 8


def test_a_count_never_gets_a_lower_limit_below_zero():
    """PRODUCT §5: the rare count above (0 0 0 1 0 ×8) has a computed lower limit of
    1/12 − 2.66 × 2/11 = −0.4003. As a count (complaints) it is shown at 0, the near band too; the centre line,
    the upper limit 0.5670 and every point's type are unchanged (no count can fall below 0 anyway). The same numbers
    as a plain measure keep −0.4003.
    """
    s = series([0, 0, 0, 1] + [0] * 8)
    plain = spc.xmr(s, "<=")
    count = spc.xmr(s, "<=", count=True)
    assert plain["lpl"].iloc[0] == pytest.approx(1 / 12 - 2.66 * 2 / 11)
    assert count["lpl"].tolist() == [0.0] * 12 and count["near_lpl"].min() == 0.0
    assert count["upl"].iloc[0] == pytest.approx(plain["upl"].iloc[0])
    assert types(count) == types(plain)
    v = spc.verdict(count, "<=")
    assert (v.lpl, v.upl) == (0.0, pytest.approx(1 / 12 + 2.66 * 2 / 11))
    assert spc.is_count(contract.METRIC_BY_CODE["complaints"])
    assert not spc.is_count(contract.METRIC_BY_CODE["patient_satisfaction"])


def test_the_icon_matrix_uses_the_same_clipped_lower_limit_for_counts():
    """The matrix (fast path and the series-by-series reference) clips the complaints' lower limit at 0
    as the chart does; a non-count metric with the same numbers keeps −0.4003. Complaints target ≤ 0: the target is
    not below the clipped lower limit 0 and not above the upper limit → hit and miss (assurance from the same
    limits)."""
    values = [0, 0, 0, 1] + [0] * 8
    measure = contract.Metric("rare_measure", "罕见", "Rare", direction="<=")
    rows = [
        dict(dept_code="K01", month=m, metric=metric, value=float(v))
        for metric in ("complaints", "rare_measure")
        for m, v in zip(months(len(values)), values)
    ]
    frame = pd.DataFrame(rows)
    resolved = frame[["dept_code", "month", "metric"]].assign(target=0.0, direction="<=")
    for build in (spc.icon_matrix, spc.icon_matrix_by_series):
        m = build(frame, resolved, (*contract.METRICS, measure)).set_index("metric")
        assert m.loc["complaints", "lpl"] == 0.0, build.__name__
        assert m.loc["rare_measure", "lpl"] == pytest.approx(1 / 12 - 2.66 * 2 / 11), build.__name__
        assert m.loc["complaints", "assurance"] == spc.HIT_AND_MISS


def test_beyond_a_limit_is_concern_when_lower_is_better():
    """Same numbers; for a '<=' metric (e.g. drug share) a point above the upper limit is a concern."""
    c = spc.xmr(series(OUTLIER), "<=")
    assert c.loc[5, "point_type"] == "concern"
    assert spc.verdict(c.iloc[:6], "<=").variation == spc.CONCERN


# ---------------------------------------------------------------------------------------------
# Trend: 7 strictly rising or falling; a tie breaks it
# ---------------------------------------------------------------------------------------------

RISING = [5, 1, 2, 3, 4, 5, 6, 7, 3]


def test_seven_rising_points_are_a_trend():
    """mean = 36 / 9 = 4; MRs 4 1 1 1 1 1 1 4 → amr = 14 / 8 = 1.75 (3.267·1.75 = 5.72, nothing screened);
    limits 4 ± 4.655 = −0.655 / 8.655 (nothing beyond); near 4 ± 3.103 = 0.897 / 7.103 (nothing near);
    sides + − − − 0 + + + − (no run). Points 1..7 (values 1…7) rise strictly → trend, slope up, so even the
    value 1 below the mean is an improvement when higher is better.
    """
    c = spc.xmr(series(RISING), ">=")
    assert c["upl"].iloc[0] == pytest.approx(8.655)
    assert c["rule"].tolist() == [""] + ["trend"] * 7 + [""]
    assert types(c) == ["common"] + ["improvement"] * 7 + ["common"]


def test_a_tie_breaks_the_trend():
    """1 2 3 3 5 6 7: the repeated 3 is not a strict rise. mean = 35 / 9 = 3.889; MRs 4 1 1 0 2 1 1 4 → amr 1.75;
    limits 3.889 ± 4.655; near band up 6.992 → only the 7 is near (one point: no 2-in-3); no run, no trend.
    """
    c = spc.xmr(series([5, 1, 2, 3, 3, 5, 6, 7, 3]), ">=")
    assert c["mean"].iloc[0] == pytest.approx(35 / 9)
    assert not c["rule_trend"].any()
    assert types(c) == ["common"] * 9


TWO_TRENDS = [1, 2, 3, 4, 5, 6, 7, 7, 8, 9, 10, 11, 12, 13]


def test_a_point_joining_two_rising_trends_takes_their_direction():
    """1…7 rises (months 1–7), the 7 repeats, 8…13 rises on (months 8–14): two 7-point trends
    (SPCParams.trend_length = 7) meeting at a tie. mean = 98 / 14 = 7; MRs 1 ×6, 0, 1 ×6 → amr = 12/13 = 0.923
    (3.267·0.923 = 3.02: nothing screened); limits 7 ± 2.66·0.923 = 4.545 / 9.455 → 1 2 3 4 and 10 11 12 13 are
    beyond (limit rule); near band 7 ± 1.637 holds only 5 and 9 (no 2-in-3); below the mean 1…6 is 6 points and
    the two 7s sit on it (no run of 7). The 5, 6, 7, 7, 8, 9 are flagged by the trends only — and both 7s are in
    a rising trend (the first ends one, the second starts the next), so each is an improvement when higher is
    better (a concern when lower is better), never common cause: the reference's "slope to the right" (0 at a tie)
    would have left the first 7 labelled a trend but drawn grey.
    """
    c = spc.xmr(series(TWO_TRENDS), ">=")
    assert c["mean"].iloc[0] == pytest.approx(7)
    assert c["upl"].iloc[0] == pytest.approx(7 + 2.66 * 12 / 13)
    assert c["rule"].tolist() == ["limit"] * 4 + ["trend"] * 6 + ["limit"] * 4
    assert types(c) == ["concern"] * 4 + ["improvement"] * 10
    assert c["signal"].tolist()[4:10] == [1] * 6
    assert types(spc.xmr(series(TWO_TRENDS), "<=")) == ["improvement"] * 4 + ["concern"] * 10


def test_a_peak_or_trough_between_two_trends_takes_the_trend_that_starts_there():
    """1…7 then 6…1: the 7 ends the rising trend and starts the falling one; as in the reference (a point in a trend
    on both sides takes the slope to its right) it counts as falling; the trough of 7…1 then 2…7 as rising.
    (Checked on the trend rule alone: in a chart the limit rule would take the peak first.)"""
    import numpy as np

    part, slope = spc._trend(np.array([1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1], dtype=float), 7)
    assert part.all() and slope.tolist() == [1] * 6 + [-1] * 7
    part, slope = spc._trend(np.array([7, 6, 5, 4, 3, 2, 1, 2, 3, 4, 5, 6, 7], dtype=float), 7)
    assert part.all() and slope.tolist() == [-1] * 6 + [1] * 7


def test_every_flagged_point_has_a_direction_on_random_series():
    """The trend rule as a property: on many random small-integer series (ties, plateaus, sorted runs), a point has a
    rule exactly when it is not common cause, in every segment and with 6- or 7-point rules."""
    import numpy as np

    rng = np.random.default_rng(11)
    for i in range(300):
        n = int(rng.integers(1, 40))
        vals = rng.integers(0, 5, size=n).astype(float)
        if i % 3 == 0:
            vals = np.sort(vals) if i % 2 else np.sort(vals)[::-1]
        if i % 5 == 0:  # two trends joined by a tie, or by a step back (each 6 to 10 points)
            a, b = int(rng.integers(6, 11)), int(rng.integers(6, 11))
            vals = np.concatenate([np.arange(a), np.arange(b) + a - 1 - int(rng.integers(0, 3))]).astype(float)
            vals = vals if i % 2 else -vals
            n = len(vals)
        params = spc.SPCParams(run_length=6 + i % 2, trend_length=6 + (i // 2) % 2)
        rebase = months(n)[n // 2 : n // 2 + 1] if i % 4 == 1 else ()
        c = spc.xmr(series(vals), [">=", "<=", None][i % 3], params, rebase_months=rebase)
        flagged = c["rule"] != ""
        assert (flagged == (c["point_type"] != "common")).all(), (vals.tolist(), c["rule"].tolist())


def test_seven_falling_points_are_improvement_when_lower_is_better():
    """The mirror image 3 7 6 5 4 3 2 1 5 (mean 4, amr 1.75): points 1..7 fall → trend down."""
    falling = [3, 7, 6, 5, 4, 3, 2, 1, 5]
    assert types(spc.xmr(series(falling), "<=")) == ["common"] + ["improvement"] * 7 + ["common"]
    assert types(spc.xmr(series(falling), ">=")) == ["common"] + ["concern"] * 7 + ["common"]


# ---------------------------------------------------------------------------------------------
# Run: 7 on one side; a point on the mean breaks it
# ---------------------------------------------------------------------------------------------

RUN = [3, 2.5, 3, 2.5, 3, 2.5, 3, 1, 1.5, 1, 1.5, 1, 1.5, 1]


def test_seven_points_on_each_side_of_the_mean_are_runs():
    """sum = 19.5 + 8.5 = 28 → mean 2. MRs: 0.5 ×6, 2, 0.5 ×6 → amr = 8 / 13 = 0.6154 (3.267·amr = 2.0105 > 2,
    nothing screened); limits 2 ± 1.637 = 0.363 / 3.637; near 2 ± 1.091 = 0.909 / 3.091: no point beyond or near.
    The first 7 are above the mean, the last 7 below → two runs: improvement then concern (higher is better).
    """
    c = spc.xmr(series(RUN), ">=")
    assert c["mean"].iloc[0] == pytest.approx(2.0)
    assert c["upl"].iloc[0] == pytest.approx(2 + 2.66 * 8 / 13)
    assert not (c["rule_limit"] | c["rule_two_in_three"] | c["rule_trend"]).any()
    assert c["rule"].tolist() == ["run"] * 14
    assert types(c) == ["improvement"] * 7 + ["concern"] * 7
    assert spc.verdict(c, ">=").variation == spc.CONCERN


def test_a_point_on_the_mean_breaks_the_run():
    """Index 3 becomes 2.0 (on the mean) and index 7 becomes 1.5, so the sum stays 28 and the mean 2.
    MRs: .5 .5 1 1 .5 .5 1.5 0 .5 .5 .5 .5 .5 → sum 8, amr 0.6154 as before; nothing beyond or near.
    Above: + + + 0 + + + → no run of 7; below: 7 points → run (concern).
    """
    values = [3, 2.5, 3, 2.0, 3, 2.5, 3, 1.5, 1.5, 1, 1.5, 1, 1.5, 1]
    c = spc.xmr(series(values), ">=")
    assert c["mean"].iloc[0] == 2.0
    assert c.loc[3, "relative_to_mean"] == 0
    assert types(c) == ["common"] * 7 + ["concern"] * 7


def test_run_length_is_configurable_to_six():
    """Six above then six below (sum 16.5 + 7.5 = 24, mean 2): a run of 6 counts only with run_length 6."""
    values = [3, 2.5, 3, 2.5, 3, 2.5, 1.5, 1, 1.5, 1, 1.5, 1]
    assert not spc.xmr(series(values), ">=")["rule_run"].any()
    six = spc.xmr(series(values), ">=", spc.SPCParams(run_length=6))
    assert six["rule_run"].all()
    with pytest.raises(ValueError):
        spc.SPCParams(run_length=5)


# ---------------------------------------------------------------------------------------------
# Two of three near a limit, and the priority of the rules
# ---------------------------------------------------------------------------------------------

PRIORITY = [1, 1.5, 1, 1.5, 1, 1.5, 1, 3, 2.5, 3, 2.5, 3, 2.5, 6]


def test_two_in_three_and_rule_priority():
    """sum = 4·1 + 3·1.5 + 3·3 + 3·2.5 + 6 = 31 → mean = 31 / 14 = 2.2143.
    MRs: 0.5 ×6 (=3), 2, 0.5 ×5 (=2.5), 3.5 → sum 11, amr = 11 / 13 = 0.8462; 3.267·0.8462 = 2.7644 → the 3.5
    is screened → amr = 7.5 / 12 = 0.625. Limits 2.2143 ± 1.6625 = 0.5518 / 3.8768; near band 2.2143 ± 1.1083 =
    1.1060 / 3.3226.
    - index 13 (6 > 3.8768) is beyond the limit AND ends a run of 7 above → reported as 'limit';
    - indexes 7..12 (3, 2.5 above the mean, none near) → 'run';
    - the 1s (indexes 0, 2, 4, 6: 1 < 1.1060, not beyond 0.5518) are near the lower limit, 2 in every 3, all below
      the mean → 'two_in_three', though they are also in the run of 7 below;
    - the 1.5s (indexes 1, 3, 5) are not near → 'run'.
    """
    c = spc.xmr(series(PRIORITY), ">=")
    assert c["mean"].iloc[0] == pytest.approx(31 / 14)
    assert c["upl"].iloc[0] == pytest.approx(31 / 14 + 2.66 * 0.625)
    assert c["near_lpl"].iloc[0] == pytest.approx(31 / 14 - 2 / 3 * 2.66 * 0.625)
    assert c["rule"].tolist() == ["two_in_three", "run"] * 3 + ["two_in_three"] + ["run"] * 6 + ["limit"]
    assert c.loc[13, "rule_run"] and c.loc[0, "rule_run"]  # flagged by both, reported by priority
    assert types(c) == ["concern"] * 7 + ["improvement"] * 7
    v = spc.verdict(c, ">=")
    assert (v.variation, v.rule) == (spc.IMPROVEMENT, "limit")


@pytest.mark.parametrize(
    ("close", "side", "expected"),
    [
        # The cases of NHSRplotthedots tests/testthat/test-ptd_calculate_point_type.R (ptd_part_of_two_in_three).
        ([1, 0, 1], [1, 1, 1], [1, 0, 1]),
        ([0, 1, 1], [-1, -1, -1], [0, 1, 1]),
        ([1, 0, 0, 1], [1, 1, 1, 1], [0, 0, 0, 0]),  # two near points, but never 2 within 3
        ([1, 0, 0, 1, 1], [1, 1, 1, 1, 1], [0, 0, 0, 1, 1]),
        ([1, 0, 1], [1, -1, 1], [0, 0, 0]),  # the middle point is on the other side of the mean
        ([1, 1], [1, 1], [0, 0]),  # fewer than 3 points
    ],
)
def test_two_in_three_windows(close, side, expected):
    import numpy as np

    got = spc._two_in_three(np.array(close, dtype=bool), np.array(side))
    assert got.astype(int).tolist() == expected


# ---------------------------------------------------------------------------------------------
# Assurance (target against the limits) for both directions
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "direction", "expected"),
    [
        (5, ">=", spc.PASS),  # target below the lower limit 6.68: every likely value passes
        (20, ">=", spc.FAIL),  # target above the upper limit 17.32: every likely value fails
        (12, ">=", spc.HIT_AND_MISS),  # target between the limits
        (20, "<=", spc.PASS),  # lower is better: target above the upper limit
        (5, "<=", spc.FAIL),
        (17.32, "<=", spc.HIT_AND_MISS),  # on the limit is not beyond it
        (None, ">=", None),  # no target: no assurance
    ],
)
def test_assurance_of_the_zigzag(target, direction, expected):
    c = spc.xmr(series(ZIGZAG, target), direction)
    assert spc.verdict(c, direction).assurance == expected


def test_assurance_uses_the_last_months_target():
    """A target raised from 5 to 20 in the last month turns 'consistently passing' into 'consistently failing'."""
    s = series(ZIGZAG, 5).assign(target=[5.0] * 7 + [20.0])
    assert spc.verdict(spc.xmr(s, ">="), ">=").assurance == spc.FAIL


# ---------------------------------------------------------------------------------------------
# Rebase, baseline, trial limits
# ---------------------------------------------------------------------------------------------

STEP = [10, 12] * 4 + [20, 22] * 4


def test_rebase_recalculates_limits_from_the_chosen_month():
    """Without a rebase: mean 16; MRs 2 ×7, 8, 2 ×7 → amr 36/15 = 2.4; 3.267·2.4 = 7.84 → the 8 is screened →
    amr 2; limits 16 ± 5.32 = 10.68 / 21.32: the 10s are below and the 22s above (limit rule), last point
    improvement. Rebased at the 9th month: segment 1 = 10 12 ×4 (mean 11, amr 2, limits 5.68 / 16.32) and
    segment 2 = 20 22 ×4 (mean 21, limits 15.68 / 26.32): all common cause, each segment trial (8 < 13).
    """
    whole = spc.xmr(series(STEP), ">=")
    assert whole["upl"].iloc[0] == pytest.approx(21.32)
    assert spc.verdict(whole, ">=").variation == spc.IMPROVEMENT

    c = spc.xmr(series(STEP), ">=", rebase_months=[months(16)[8]])
    assert c["segment"].tolist() == [0] * 8 + [1] * 8
    assert c["rebase"].tolist() == [False] * 8 + [True] + [False] * 7
    assert c.groupby("segment")["mean"].first().tolist() == pytest.approx([11, 21])
    assert c.groupby("segment")["upl"].first().tolist() == pytest.approx([16.32, 26.32])
    assert types(c) == ["common"] * 16
    v = spc.verdict(c, ">=")
    assert (v.variation, v.mean, v.trial) == (spc.COMMON, pytest.approx(21), True)


def test_baseline_limits_come_from_the_first_points():
    """Limits from the first 8 points (mean 11, amr 2 → 5.68 / 16.32) applied to 20 22 20 22 → all beyond."""
    c = spc.xmr(series(STEP[:12]), ">=", baseline_points=8)
    assert c["baseline"].tolist() == [True] * 8 + [False] * 4
    assert c["upl"].iloc[-1] == pytest.approx(16.32)
    assert c["rule"].tolist()[8:] == ["limit"] * 4
    assert spc.verdict(c, ">=").variation == spc.IMPROVEMENT


def test_fewer_than_13_points_are_trial_limits():
    """12 points → trial; 13 → not."""
    twelve = spc.xmr(series([10, 12] * 6), ">=")
    thirteen = spc.xmr(series([10, 12] * 6 + [11]), ">=")
    assert twelve["trial"].all() and spc.verdict(twelve, ">=").trial
    assert not thirteen["trial"].any() and not spc.verdict(thirteen, ">=").trial
    # A baseline of 8 points out of 20 still rests on 8: trial.
    assert spc.verdict(spc.xmr(series([10, 12] * 10), ">=", baseline_points=8), ">=").trial


def test_trial_limits_name_the_points_they_rest_on_and_a_fixed_baseline_of_12_is_not_trial():
    """PRODUCT §5: limits resting on fewer than 13 points (SPCParams.min_points) are trial limits,
    and the verdict names how many points they rest on (not the series length); a baseline the user fixes at 12
    points or more (SPCParams.fixed_baseline_min) is not a trial.
    24 points 10 12 …: baseline 12 → limits on 12, not trial; baseline 8 → trial on 8; baseline 11 → trial on 11;
    no baseline → limits on all 24, not trial; rebased at the 17th month → the last segment has 8 points: trial
    on 8; a baseline of 20 asked of a 10-point series rests on only 10 → trial on 10.
    """
    s = series([10, 12] * 12)

    def trial_of(values=s, **kw) -> tuple[bool, int, int]:
        v = spc.verdict(spc.xmr(values, ">=", **kw), ">=")
        return v.trial, v.limit_points, v.n_points

    assert trial_of(baseline_points=12) == (False, 12, 24)
    assert trial_of(baseline_points=8) == (True, 8, 24)
    assert trial_of(baseline_points=11) == (True, 11, 24)
    assert trial_of() == (False, 24, 24)
    assert trial_of(rebase_months=[months(24)[16]]) == (True, 8, 24)
    assert trial_of(series([10, 12] * 5), baseline_points=20) == (True, 10, 10)
    chart = spc.xmr(s, ">=", baseline_points=12)
    assert not chart["trial"].any() and chart["limit_points"].eq(12).all()


# 口腔科: 95 93, then 11 months under the target 90 (≥).
STOMATOLOGY = [95, 93, 89, 85, 88, 84, 89, 86, 88, 85, 89, 84, 88]


def test_months_in_a_row_below_target_up_to_the_latest():
    """Mean 1143 / 13 = 87.923; MRs 2 4 4 3 4 5 3 2 3 4 5 4 → amr 43/12 = 3.583 (3.267·3.583 =
    11.7, nothing screened); limits 87.923 ± 9.532 = 78.39 / 97.46: the target 90 lies between them → SPC says
    hit and miss, yet the last 11 months all missed 90. The verdict counts them (missed_months = 11).
    A month at the target (90 ≥ 90) passes and ends the count; for a lower-is-better metric a value above the
    target misses; a calendar month with no value, or with no target, ends the count; no direction → 0.
    """
    c = spc.xmr(series(STOMATOLOGY, 90), ">=")
    assert c["upl"].iloc[0] == pytest.approx(1143 / 13 + 2.66 * 43 / 12)
    v = spc.verdict(c, ">=")
    assert (v.variation, v.assurance, v.missed_months) == (spc.COMMON, spc.HIT_AND_MISS, 11)

    def missed(values, target=90, direction=">="):
        return spc.verdict(spc.xmr(series(values, target), direction), direction).missed_months

    assert missed([89, 89, 90, 89, 89]) == 2
    assert missed([89, 89, 89, 91]) == 0
    assert missed([3, 0, 2, 3, 4], target=1, direction="<=") == 3
    assert missed([89] * 5, direction=None) == 0
    gap = series([89] * 6, 90).drop(index=2)  # the third month missing: only the last 3 are consecutive
    assert spc.verdict(spc.xmr(gap, ">="), ">=").missed_months == 3
    untargeted = series([89] * 6, 90)
    untargeted.loc[1, "target"] = float("nan")
    assert spc.verdict(spc.xmr(untargeted, ">="), ">=").missed_months == 4
    assert spc.MISSED_STREAK_MIN == 3


def test_the_icon_matrix_counts_the_same_months_below_target():
    """The fast matrix and the series-by-series reference give the same missed_months (STOMATOLOGY: 11)."""
    rows = [
        dict(dept_code="K15", month=m, metric="patient_satisfaction", value=float(v))
        for m, v in zip(months(13), STOMATOLOGY)
    ]
    frame = pd.DataFrame(rows)
    resolved = frame[["dept_code", "month", "metric"]].assign(target=90.0, direction=">=")
    for build in (spc.icon_matrix, spc.icon_matrix_by_series):
        (row,) = build(frame, resolved, contract.METRICS).itertuples()
        assert (row.assurance, row.missed_months) == (spc.HIT_AND_MISS, 11), build.__name__


def test_no_direction_gives_neutral_special_causes():
    """With no improvement direction ('neither'), the outlier 30 is a neutral high special cause."""
    c = spc.xmr(series(OUTLIER), None)
    assert c.loc[5, "point_type"] == "neutral_high"
    assert spc.verdict(c.iloc[:6], None).variation == spc.NEUTRAL_HIGH
    assert spc.verdict(c, None).assurance is None


def test_empty_and_single_point_series():
    assert spc.verdict(spc.xmr(series([]), ">="), ">=").variation == spc.NO_DATA
    one = spc.verdict(spc.xmr(series([90], 90), ">="), ">=")
    assert (one.variation, one.assurance, one.trial) == (spc.COMMON, None, True)


# ---------------------------------------------------------------------------------------------
# The icon matrix
# ---------------------------------------------------------------------------------------------


def test_icon_matrix_one_row_per_department_and_metric():
    """K01 holds the zigzag with target 5 (≥): common cause, 5 < lower limit 6.68 → consistently passing.
    K02 holds the outlier series with target 40 (≥): its last point (12) is common cause, and 40 is above the
    upper limit 18.12 → consistently failing. K01's complaints have no target → no assurance, direction from the
    catalogue ('<='). A metric not in the catalogue is ignored.
    """
    rows = []
    for dept, values in (("K01", ZIGZAG), ("K02", OUTLIER)):
        rows += [
            dict(dept_code=dept, month=m, metric="patient_satisfaction", value=float(v))
            for m, v in zip(months(len(values)), values)
        ]
    rows += [dict(dept_code="K01", month=m, metric="complaints", value=1.0) for m in months(3)]
    rows += [dict(dept_code="K01", month=m, metric="not_a_metric", value=1.0) for m in months(3)]
    values = pd.DataFrame(rows)
    resolved = values[["dept_code", "month", "metric"]].assign(
        target=[5.0 if d == "K01" else 40.0 for d in values["dept_code"]], direction=">="
    )
    resolved.loc[resolved["metric"] == "complaints", ["target", "direction"]] = [float("nan"), None]
    m = spc.icon_matrix(values, resolved, contract.METRICS)
    got = {(r.dept_code, r.metric): (r.variation, r.assurance) for r in m.itertuples()}
    assert got == {
        ("K01", "patient_satisfaction"): (spc.COMMON, spc.PASS),
        ("K02", "patient_satisfaction"): (spc.COMMON, spc.FAIL),
        ("K01", "complaints"): (spc.COMMON, None),
    }
    assert m.set_index(["dept_code", "metric"]).loc[("K01", "complaints"), "direction"] == "<="


def test_a_flat_series_has_no_signal():
    """13 months of exactly 90: mean 90, every MR 0 → amr 0, limits 90 / 90; every point is on the mean, so
    neither a run (points on the mean belong to no side) nor a limit breach; target 90 (≥) sits on both limits
    → hit and miss."""
    c = spc.xmr(series([90] * 13, 90), ">=")
    assert (c["lpl"].iloc[0], c["upl"].iloc[0]) == (90, 90)
    assert types(c) == ["common"] * 13
    assert spc.verdict(c, ">=").assurance == spc.HIT_AND_MISS


def _random_long_frame(seed: int = 7, n_series: int = 400) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Many short and long series of small integers (ties, points on the mean, flat runs, outliers)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    rows, res = [], []
    metrics_cycle = ["patient_satisfaction", "complaints", "drug_share", "neutral"]
    for i in range(n_series):
        n = int(rng.integers(1, 30))
        vals = rng.integers(0, 6, size=n).astype(float)
        if rng.random() < 0.3:
            vals[rng.integers(0, n)] += 25  # an outlier
        if rng.random() < 0.2:
            vals = np.sort(vals)  # long trends and ties
        target = [float("nan"), 2.0, 10.0, -5.0][i % 4]
        direction = [None, ">=", "<=", ">="][(i // 4) % 4]
        metric = metrics_cycle[i % 4]
        for m, v in zip(months(n), vals):
            rows.append(dict(dept_code=f"D{i:03d}", month=m, metric=metric, value=v))
            res.append(dict(dept_code=f"D{i:03d}", month=m, metric=metric, target=target, direction=direction))
    # A rising trend ending below the mean (mean 81/13 = 6.23, limits wide: amr 107/12) is an improvement by its
    # slope although the run below the mean also flags it; the mirror falling trend above the mean is a concern.
    for i, vals in enumerate(([20.0, 0] * 3 + [0, 1, 2, 3, 4, 5, 6], [0.0, 20] * 3 + [20, 19, 18, 17, 16, 15, 14])):
        for m, v in zip(months(len(vals)), vals):
            rows.append(dict(dept_code=f"T{i}", month=m, metric="patient_satisfaction", value=v))
            res.append(dict(dept_code=f"T{i}", month=m, metric="patient_satisfaction", target=1.0, direction=">="))
    return pd.DataFrame(rows), pd.DataFrame(res)


def _same_matrix(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert len(a) == len(b)
    a, b = a.reset_index(drop=True), b.reset_index(drop=True)
    cols = ("dept_code", "metric", "variation", "trial", "n_points", "first_month", "last_month", "direction")
    for col in (*cols, "missed_months"):
        assert a[col].tolist() == b[col].tolist(), col
    assert [x if isinstance(x, str) else None for x in a["assurance"]] == [
        x if isinstance(x, str) else None for x in b["assurance"]
    ]
    for col in ("last_value", "mean", "lpl", "upl", "target"):
        assert a[col].to_numpy(dtype=float) == pytest.approx(b[col].to_numpy(dtype=float), nan_ok=True), col


# A catalogue metric with no improvement direction, to reach the neutral ("neither") verdicts.
DEFS = (*contract.METRICS, contract.Metric("neutral", "中性", "Neutral", direction=None))


def test_fast_icon_matrix_equals_the_series_by_series_reference_on_random_series():
    values, resolved = _random_long_frame()
    fast = spc.icon_matrix(values, resolved, DEFS)
    slow = spc.icon_matrix_by_series(values, resolved, DEFS)
    assert set(fast["variation"]) >= {spc.COMMON, spc.IMPROVEMENT, spc.CONCERN, spc.NEUTRAL_HIGH}
    trends = fast.set_index("dept_code").loc[["T0", "T1"], "variation"].tolist()
    assert trends == [spc.IMPROVEMENT, spc.CONCERN]  # rising below the mean; falling above it
    _same_matrix(fast, slow)
    # Targets in another row order are joined by key, not by position.
    _same_matrix(spc.icon_matrix(values, resolved.sample(frac=1, random_state=0), DEFS), slow)
    six = spc.SPCParams(run_length=6, trend_length=6, screen_outliers=False)
    _same_matrix(
        spc.icon_matrix(values, resolved, DEFS, six),
        spc.icon_matrix_by_series(values, resolved, DEFS, six),
    )


def test_fast_icon_matrix_equals_the_reference_on_the_demo_store(demo_db):
    from metrics import store
    from metrics.rules.targets import resolve_targets

    with store.opened(demo_db) as db:
        values, targets, defs = store.metric_values(db), store.targets(db), store.metric_defs(db)
    resolved = resolve_targets(targets, values)
    _same_matrix(spc.icon_matrix(values, resolved, defs), spc.icon_matrix_by_series(values, resolved, defs))
