"""Statistical process control: XmR charts in the manner of NHS England's "Making Data Count" (PRODUCT §5).

Follows the public reference implementation NHSRplotthedots (R, nhs-r-community); each rule below names the
file it is taken from. Pure numpy/pandas: no Streamlit, no SQL.

Vocabulary (as in NHSRplotthedots):
- a *series* is one department-metric, one value per month, in month order;
- a *segment* (their ``rebase_group``) is the part of a series after a rebase; limits are computed per segment;
- *point type*: ``common`` / ``improvement`` / ``concern`` (or ``neutral_high`` / ``neutral_low`` when the metric
  has no improvement direction);
- the *variation* verdict is the last point's type; the *assurance* verdict compares the target with the limits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

# ---------------------------------------------------------------------------------------------
# The rules, as data
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SPCParams:
    """The XmR rule parameters, each cited to NHSRplotthedots."""

    # R/ptd_spc_standard.R: `limit <- 2.66`; lpl/upl = mean -/+ limit * amr.
    limit_factor: float = 2.66
    # R/ptd_spc_standard.R: `limitclose <- 2 * (limit / 3)`: the near-limit band at 2/3 of the distance.
    near_fraction: float = 2 / 3
    # R/ptd_spc_standard.R "screen for outliers": moving ranges >= 3.267 * amr are dropped before the limits;
    # R/ptd_spc.R: `screen_outliers = TRUE` by default.
    screen_outliers: bool = True
    outlier_factor: float = 3.267
    # R/ptd_calculate_point_type.R `ptd_seven_point_one_side_mean`: 7 on one side (PRODUCT allows 6 or 7).
    run_length: int = 7
    # R/ptd_calculate_point_type.R `ptd_seven_point_trend`: 7 points strictly rising or falling.
    trend_length: int = 7
    # R/ptd_add_short_group_warnings.R flags short groups (its threshold is 12); PRODUCT §5: limits
    # resting on fewer than 13 points are "trial limits"…
    min_points: int = 13
    # …except a baseline the user fixes (NHSRplotthedots `fix_after_n_points`): 12 points or more is not a trial
    # (PRODUCT §5; the 12 of ptd_add_short_group_warnings.R).
    fixed_baseline_min: int = 12

    def __post_init__(self) -> None:
        if self.run_length not in (6, 7):
            raise ValueError("run_length must be 6 or 7")
        if self.trend_length not in (6, 7):
            raise ValueError("trend_length must be 6 or 7")


DEFAULT_PARAMS = SPCParams()

# The months a chart and the icon matrix look at: the latest 36, three years of monthly points. Both pages use
# the same window so a cell of the matrix and the department's chart always agree; a longer history would fold
# old processes into today's limits (use a rebase to start afresh inside the window).
WINDOW_MONTHS = 36


def window_start(last_month: str, months: int = WINDOW_MONTHS) -> str:
    """The first month ('YYYY-MM') of the ``months``-long window ending at ``last_month``."""
    index = int(last_month[:4]) * 12 + int(last_month[5:7]) - 1 - (months - 1)
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


# Rule codes, in priority order (R/ptd_calculate_point_type.R `ptd_special_cause_type`: outside limits, then
# trend, then 2 in 3, then run). A point flagged by several rules reports the first.
RULES: tuple[str, ...] = ("limit", "trend", "two_in_three", "run")

# Variation verdict codes (R/geom_ptd_icon.R `variation_icon_file`).
COMMON = "common_cause"
IMPROVEMENT = "special_cause_improvement"
CONCERN = "special_cause_concern"
NEUTRAL_HIGH = "special_cause_neutral_high"  # special cause with no improvement direction ("neither")
NEUTRAL_LOW = "special_cause_neutral_low"
NO_DATA = "no_data"
VARIATIONS: tuple[str, ...] = (COMMON, IMPROVEMENT, CONCERN, NEUTRAL_HIGH, NEUTRAL_LOW, NO_DATA)

# Assurance verdict codes (R/ptd_calculate_assurance_type.R).
PASS = "consistent_pass"
FAIL = "consistent_fail"
HIT_AND_MISS = "inconsistent"
ASSURANCES: tuple[str, ...] = (PASS, FAIL, HIT_AND_MISS)

# Point types (a column of ``xmr``), each the per-point counterpart of a variation verdict.
POINT_TYPES: tuple[str, ...] = ("common", "improvement", "concern", "neutral_high", "neutral_low")
_POINT_TYPE_TO_VARIATION = {
    "common": COMMON,
    "improvement": IMPROVEMENT,
    "concern": CONCERN,
    "neutral_high": NEUTRAL_HIGH,
    "neutral_low": NEUTRAL_LOW,
}


def is_count(metric) -> bool:
    """Whether a catalogue metric is a count (complaints): whole numbers that cannot be negative.

    A count's lower process limit is never shown below 0. The rule is PRODUCT §5 ("rare counts never show a lower
    limit below 0", which takes it from NHS England's Making Data Count practice for counts); it is the
    usual convention for count charts (e.g. R ggQC `cBar_LCL`: "negative values are reported as 0").
    NHSRplotthedots, whose rules this module otherwise follows, does not clip. Clipping changes no verdict: no count
    can fall below 0, so no point is below a limit or near band at 0 either way.
    """
    lo = getattr(metric, "lo", None)
    return bool(getattr(metric, "integer", False)) and lo is not None and lo >= 0


# A target missed this many months in a row or more, up to the latest month, is said in words
# ("连续 N 个月未达标"), whatever the assurance verdict: limits straddling the target read "hit and miss" to a
# meeting that has watched a department miss it all year.
MISSED_STREAK_MIN = 3


def _month_number(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def missed_months(months, values, targets, direction: str | None) -> int:
    """How many calendar months in a row, ending at the last one, the value missed its target in ``direction``
    (metrics.rules.targets.passes is False). A month that meets the target, has no target, or is missing ends the count;
    no direction → 0."""
    sign = improvement_sign(direction)
    if sign == 0:
        return 0
    count, after = 0, None
    for month, value, target in zip(reversed(list(months)), reversed(list(values)), reversed(list(targets))):
        if _missing(target) or _missing(value) or (value >= target if sign > 0 else value <= target):
            break
        if after is not None and _month_number(after) - _month_number(str(month)) != 1:
            break
        count, after = count + 1, str(month)
    return count


def improvement_sign(direction: str | None) -> int:
    """+1 when higher is better ('>='), -1 when lower is better ('<='), 0 when neither (R/ptd_spc.R switch)."""
    return {">=": 1, "<=": -1}.get(direction or "", 0)


@dataclass(frozen=True)
class Verdict:
    """What a series says at its last point: variation and assurance codes, and the numbers behind them."""

    variation: str  # one of VARIATIONS
    assurance: str | None  # one of ASSURANCES, None without a target (or without limits)
    trial: bool  # the last segment's limits are trial limits (see ``_is_trial``)
    n_points: int
    last_month: str | None
    last_value: float | None
    mean: float | None
    lpl: float | None
    upl: float | None
    target: float | None
    direction: str | None
    rule: str | None  # the rule that flagged the last point (RULES), None for common cause
    limit_points: int | None = None  # how many points the last segment's limits rest on (None: n_points)
    missed_months: int = 0  # months in a row, up to the last, whose value missed its target (``missed_months``)


# ---------------------------------------------------------------------------------------------
# One series
# ---------------------------------------------------------------------------------------------

_COLUMNS = (
    "month",
    "value",
    "target",
    "segment",
    "rebase",
    "baseline",
    "mean",
    "lpl",
    "upl",
    "near_lpl",
    "near_upl",
    "outside_limits",
    "close_to_limits",
    "relative_to_mean",
    "rule_limit",
    "rule_trend",
    "rule_two_in_three",
    "rule_run",
    "special_cause",
    "rule",
    "signal",
    "point_type",
    "trial",
    "limit_points",
)


def xmr(
    series: pd.DataFrame,
    direction: str | None,
    params: SPCParams = DEFAULT_PARAMS,
    baseline_points: int | None = None,
    rebase_months: Iterable[str] = (),
    count: bool = False,
) -> pd.DataFrame:
    """One XmR chart: a row per month with limits, rule flags, the point type and the segment.

    ``series``: month ('YYYY-MM'), value, optionally target (per month). Rows with no value are dropped; the
    rest are taken in month order, and moving ranges are between consecutive stored months.
    ``baseline_points``: limits of each segment from its first N points only (NHSRplotthedots
    ``fix_after_n_points``). ``rebase_months``: a new segment starts at the first month >= each of them.
    ``count``: the series is a count (``is_count``): lower limits below 0 are clipped at 0.
    """
    s = series.dropna(subset=["value"]).sort_values("month")
    target = s["target"].to_numpy(dtype=float) if "target" in s.columns else np.full(len(s), np.nan)
    arrays = _chart_arrays(
        s["month"].astype(str).tolist(),
        s["value"].to_numpy(dtype=float),
        target,
        direction,
        params,
        baseline_points,
        rebase_months,
        count,
    )
    return pd.DataFrame({c: arrays[c] for c in _COLUMNS})


def _chart_arrays(
    months: list[str],
    y: np.ndarray,
    target: np.ndarray,
    direction: str | None,
    params: SPCParams,
    baseline_points: int | None,
    rebase_months: Iterable[str],
    count: bool = False,
) -> dict[str, np.ndarray]:
    """The columns of ``xmr`` as arrays (no DataFrame: the icon matrix runs this for every series)."""
    segment = _segments(months, rebase_months)
    sign = improvement_sign(direction)
    parts = [_segment_arrays(y[segment == g], params, baseline_points, sign, count) for g in np.unique(segment)]
    out: dict[str, np.ndarray] = {
        c: (np.concatenate([part[c] for part in parts]) if parts else np.array([])) for c in _COLUMNS[5:]
    }
    out.update(
        month=np.array(months, dtype=object),
        value=y,
        target=target,
        segment=segment,
        rebase=np.r_[False, segment[1:] != segment[:-1]] if len(y) else np.array([], dtype=bool),
    )
    return out


def _segments(months: list[str], rebase_months: Iterable[str]) -> np.ndarray:
    """Segment number per month: how many rebase months are <= it, renumbered 0, 1, … in order of appearance.

    NHSRplotthedots (R/ptd_add_rebase_column.R) marks rebase dates and takes their cumulative sum.
    """
    starts = sorted(set(rebase_months))
    raw = np.array([sum(1 for r in starts if m >= r) for m in months], dtype=int)
    if not len(raw):
        return raw
    _, inverse = np.unique(raw, return_inverse=True)
    return inverse.astype(int)


def _segment_arrays(
    y: np.ndarray, p: SPCParams, baseline_points: int | None, sign: int, count: bool = False
) -> dict[str, np.ndarray]:
    n = len(y)
    used = n if baseline_points is None else max(1, min(n, int(baseline_points)))
    trial = _is_trial(used, baseline_points, p)
    mean, amr = _mean_and_amr(y[:used], p)
    lpl, upl = mean - p.limit_factor * amr, mean + p.limit_factor * amr
    near = p.near_fraction * p.limit_factor * amr
    nlpl, nupl = mean - near, mean + near
    if count:  # a count is never below 0, nor are its limits (is_count)
        lpl, nlpl = max(lpl, 0.0), max(nlpl, 0.0)
    with np.errstate(invalid="ignore"):
        outside = (y > upl) | (y < lpl)
        # A value equal to the mean (within float rounding of the mean itself) sits on it and breaks a run.
        diff = y - mean
        rtm = np.where(np.abs(diff) <= 1e-9 * max(1.0, abs(mean)), 0, np.sign(diff)).astype(int)
        close = ~outside & ((y < nlpl) | (y > nupl))

    trend_part, trend_dir = _trend(y, p.trend_length)
    two_part = _two_in_three(close, rtm)
    run_part = _run(rtm, p.run_length)

    # R/ptd_calculate_point_type.R `ptd_special_cause_type`: the first rule that applies, in RULES order, gives
    # the point its direction: outside limits and run / 2-in-3 from the side of the mean, a trend from its slope.
    rule = np.select([outside, trend_part, two_part, run_part], list(RULES), default="")
    signal = np.select(
        [outside, trend_part, two_part | run_part],
        [rtm, trend_dir, np.where(rtm > 0, 1, -1)],
        default=0,
    ).astype(int)
    # R/ptd_calculate_point_type.R `ptd_point_type`: orient by the improvement direction.
    if sign == 0:
        point_type = np.select([signal > 0, signal < 0], ["neutral_high", "neutral_low"], default="common")
    else:
        oriented = signal * sign
        point_type = np.select([oriented > 0, oriented < 0], ["improvement", "concern"], default="common")
    full = lambda x: np.full(n, x)  # noqa: E731 - a segment's constant as a column
    return {
        "baseline": np.arange(n) < used,
        "mean": full(mean),
        "lpl": full(lpl),
        "upl": full(upl),
        "near_lpl": full(nlpl),
        "near_upl": full(nupl),
        "outside_limits": outside,
        "close_to_limits": close,
        "relative_to_mean": rtm,
        "rule_limit": outside,
        "rule_trend": trend_part,
        "rule_two_in_three": two_part,
        "rule_run": run_part,
        "special_cause": rule != "",
        "rule": rule.astype(object),
        "signal": signal,
        "point_type": point_type.astype(object),
        "trial": full(trial),
        "limit_points": full(used),
    }


def _is_trial(used: int, baseline_points: int | None, p: SPCParams) -> bool:
    """Trial limits (PRODUCT §5): they rest on fewer than ``p.min_points`` (13) points, unless the user fixed the
    baseline and the limits do rest on that many points, ``p.fixed_baseline_min`` (12) or more: a baseline the user
    chose is not a trial. A fixed baseline longer than the series rests on what there is and is judged as such."""
    fixed = baseline_points is not None and used == int(baseline_points)
    return used < (p.fixed_baseline_min if fixed else p.min_points)


def _mean_and_amr(y: np.ndarray, p: SPCParams) -> tuple[float, float]:
    """Centre line and mean moving range of the points the limits rest on (R/ptd_spc_standard.R)."""
    mean = float(np.mean(y)) if len(y) else float("nan")
    mr = np.abs(np.diff(y))
    if not len(mr):
        return mean, float("nan")
    amr = float(np.mean(mr))
    if p.screen_outliers and amr > 0:
        # Keep only moving ranges strictly below 3.267 × amr (`.data$mr < 3.267 * .data$amr ~ .data$mr`).
        kept = mr[mr < p.outlier_factor * amr]
        # Deviation from the reference: when screening would leave only zero ranges (a rare count such as
        # complaints, mostly 0 with an occasional 1), the limits would collapse onto the mean and every non-zero
        # month would be "special"; we keep the unscreened amr then. (amr == 0 from the start is a flat series.)
        if len(kept) and kept.mean() > 0:
            amr = float(kept.mean())
    return mean, amr


def _windows_to_points(ends: np.ndarray, length: int) -> np.ndarray:
    """Mark every point of each window of ``length`` ending at a True in ``ends`` (R `ptd_part_of_seven_trend`)."""
    n = len(ends)
    # part[i] = any(ends[i : i + length]); the full convolution's index i + length - 1 sums exactly that window.
    return np.convolve(ends.astype(int), np.ones(length, dtype=int))[length - 1 : length - 1 + n] > 0


def _trend(y: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Points in a run of ``length`` strictly rising or falling values (a tie breaks it), and their direction.

    R/ptd_calculate_point_type.R `ptd_seven_point_trend` (sign of the 6 differences all +1 or all -1). The direction
    of a point is that of the trend it belongs to. A point in two trends of opposite direction (a peak or a trough
    where one ends and the next starts) takes the one starting there, i.e. the slope to its right, as
    `ptd_special_cause_type` does. Deviation from the reference: it takes the slope to the right of
    every point whose next point is in a trend, so a point ending one rising trend and followed by a tie that starts
    another got slope 0 — labelled a trend yet drawn as common cause. Here a point in a trend always has the
    trend's direction.
    """
    n = len(y)
    sdy = np.sign(np.diff(y)).astype(int)
    up_ends = np.zeros(n, dtype=bool)
    down_ends = np.zeros(n, dtype=bool)
    if n >= length:
        d = sliding_window_view(sdy, length - 1)  # the length - 1 differences ending at each point
        up_ends[length - 1 :] = np.all(d == 1, axis=1)
        down_ends[length - 1 :] = np.all(d == -1, axis=1)
    up = _windows_to_points(up_ends, length)
    down = _windows_to_points(down_ends, length)
    if n < 2:
        return up | down, np.zeros(n, dtype=int)
    # Two strictly monotone windows of opposite direction share at most one point, and the window starting there
    # makes the slope to its right non-zero.
    right = np.r_[sdy, sdy[-1]]
    direction = np.where(up & down, right, np.where(up, 1, np.where(down, -1, 0)))
    return up | down, direction.astype(int)


def _two_in_three(close: np.ndarray, rtm: np.ndarray) -> np.ndarray:
    """Points near a limit in any 3 consecutive points with >= 2 near a limit, all 3 on one side of the mean.

    R/ptd_calculate_point_type.R `ptd_two_in_three` and `ptd_part_of_two_in_three`. "Near" excludes points
    beyond the limit (R/ptd_spc_standard.R `close_to_limits = !outside_limits & …`).
    """
    n = len(close)
    part = np.zeros(n, dtype=bool)
    for s in range(n - 2):
        if close[s : s + 3].sum() >= 2 and abs(int(rtm[s : s + 3].sum())) == 3:
            part[s : s + 3] |= close[s : s + 3]
    return part


def _run(rtm: np.ndarray, length: int) -> np.ndarray:
    """Points in ``length`` consecutive points on one side of the mean; a point on the mean (0) breaks it.

    R/ptd_calculate_point_type.R `ptd_seven_point_one_side_mean` (`vp[[i]] != 0`) and `ptd_part_of_seven_trend`.
    """
    n = len(rtm)
    ends = np.zeros(n, dtype=bool)
    if n >= length:
        w = sliding_window_view(rtm, length)
        ends[length - 1 :] = (w[:, -1] != 0) & np.all(w == w[:, -1:], axis=1)
    return _windows_to_points(ends, length)


# ---------------------------------------------------------------------------------------------
# Verdicts
# ---------------------------------------------------------------------------------------------


def assurance(target: float | None, lpl: float | None, upl: float | None, direction: str | None) -> str | None:
    """Whether the process will meet the target (R/ptd_calculate_assurance_type.R).

    Higher is better: target above the upper limit → consistently failing; below the lower limit → consistently
    passing; otherwise hit and miss. Lower is better: the reverse. None without a target, direction or limits.
    """
    sign = improvement_sign(direction)
    if sign == 0 or _missing(target) or _missing(lpl) or _missing(upl):
        return None
    if target > upl:
        return FAIL if sign > 0 else PASS
    if target < lpl:
        return PASS if sign > 0 else FAIL
    return HIT_AND_MISS


def verdict(chart: pd.DataFrame, direction: str | None) -> Verdict:
    """The series' verdict at its last point: variation from its point type, assurance from its target and limits.

    R/geom_ptd_icon.R takes the variation icon from the last point; R/ptd_calculate_assurance_type.R takes the
    last row's target and limits (so a rebase or a changed target counts from then on).
    """
    if chart.empty:
        return Verdict(NO_DATA, None, False, 0, None, None, None, None, None, None, direction, None)
    missed = missed_months(chart["month"], chart["value"], chart["target"], direction)
    return _last_verdict(chart.iloc[-1].to_dict(), len(chart), direction, missed)


def _last_verdict(last: dict, n: int, direction: str | None, missed: int = 0) -> Verdict:
    target = _num(last["target"])
    return Verdict(
        variation=_POINT_TYPE_TO_VARIATION[str(last["point_type"])],
        assurance=assurance(target, last["lpl"], last["upl"], direction),
        trial=bool(last["trial"]),
        n_points=n,
        last_month=str(last["month"]),
        last_value=float(last["value"]),
        mean=_num(last["mean"]),
        lpl=_num(last["lpl"]),
        upl=_num(last["upl"]),
        target=target,
        direction=direction,
        rule=str(last["rule"]) or None,
        limit_points=int(last["limit_points"]),
        missed_months=missed,
    )


def series_direction(targets: pd.Series | None, metric_direction: str | None) -> str | None:
    """The improvement direction: the latest resolved target's direction, else the metric's own (PRODUCT §5)."""
    if targets is not None:
        known = targets.dropna()
        if len(known):
            return str(known.iloc[-1])
    return metric_direction


# ---------------------------------------------------------------------------------------------
# Many series: the icon matrix
# ---------------------------------------------------------------------------------------------

MATRIX_COLUMNS = (
    "dept_code",
    "metric",
    "variation",
    "assurance",
    "trial",
    "n_points",
    "first_month",
    "last_month",
    "last_value",
    "mean",
    "lpl",
    "upl",
    "target",
    "direction",
    "missed_months",
)


def icon_matrix_by_series(
    metric_values: pd.DataFrame,
    targets_resolved: pd.DataFrame,
    metric_defs: Iterable,
    params: SPCParams = DEFAULT_PARAMS,
) -> pd.DataFrame:
    """``icon_matrix`` computed series by series through ``xmr`` (the reference the fast path is tested against)."""
    metric_defs = list(metric_defs)
    directions = {m.code: m.direction for m in metric_defs}
    counts = {m.code for m in metric_defs if is_count(m)}
    keys = ["dept_code", "month", "metric"]
    merged = metric_values[[*keys, "value"]].merge(
        targets_resolved[[*keys, "target", "direction"]], on=keys, how="left"
    )
    rows = []
    merged = merged[merged["metric"].isin(list(directions)) & merged["value"].notna()]
    merged = merged.sort_values(["dept_code", "metric", "month"])
    # Plain arrays split at group boundaries: a pandas groupby costs more than the XmR itself here.
    depts = merged["dept_code"].astype(str).to_numpy()
    metrics = merged["metric"].astype(str).to_numpy()
    month_arr = merged["month"].astype(str).to_numpy()
    value_arr = merged["value"].to_numpy(dtype=float)
    target_arr = merged["target"].to_numpy(dtype=float)
    dir_arr = merged["direction"].to_numpy(dtype=object)
    starts = np.flatnonzero(np.r_[True, (depts[1:] != depts[:-1]) | (metrics[1:] != metrics[:-1])])
    for lo, hi in zip(starts, np.r_[starts[1:], len(depts)], strict=True):
        dept, metric = depts[lo], metrics[lo]
        known = [d for d in dir_arr[lo:hi] if isinstance(d, str)]
        direction = known[-1] if known else directions[metric]  # as series_direction
        a = _chart_arrays(
            month_arr[lo:hi].tolist(),
            value_arr[lo:hi],
            target_arr[lo:hi],
            direction,
            params,
            None,
            (),
            metric in counts,
        )
        missed = missed_months(month_arr[lo:hi], value_arr[lo:hi], target_arr[lo:hi], direction)
        v = _last_verdict({c: a[c][-1] for c in _COLUMNS}, hi - lo, direction, missed)
        rows.append(
            {
                "dept_code": dept,
                "metric": metric,
                "variation": v.variation,
                "assurance": v.assurance,
                "trial": v.trial,
                "n_points": v.n_points,
                "first_month": str(month_arr[lo]),
                "last_month": v.last_month,
                "last_value": v.last_value,
                "mean": v.mean,
                "lpl": v.lpl,
                "upl": v.upl,
                "target": v.target,
                "direction": v.direction,
                "missed_months": v.missed_months,
            }
        )
    out = pd.DataFrame(rows, columns=list(MATRIX_COLUMNS))
    # Keep "no assurance" as None (a string column would turn it into NaN).
    out["assurance"] = pd.Series([r["assurance"] for r in rows], index=out.index, dtype=object)
    out["direction"] = pd.Series([r["direction"] for r in rows], index=out.index, dtype=object)
    return out


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and np.isnan(x)) or bool(pd.isna(x))


def _num(x) -> float | None:
    return None if _missing(x) else float(x)


def icon_matrix(
    metric_values: pd.DataFrame,
    targets_resolved: pd.DataFrame,
    metric_defs: Iterable,
    params: SPCParams = DEFAULT_PARAMS,
) -> pd.DataFrame:
    """One row per (dept_code, metric) with its variation and assurance codes (see MATRIX_COLUMNS).

    ``metric_values``: dept_code, month, metric, value (long). ``targets_resolved``: the same keys with target and
    direction (metrics.rules.targets.resolve_targets). ``metric_defs``: catalogue entries (code, direction).

    Vectorised over all series at once (thousands of departments): a verdict needs only each series' mean and
    amr and its last few points, because a rule window that holds the last point must end at it.
    tests/test_spc.py checks it equals ``icon_matrix_by_series``.
    """
    metric_defs = list(metric_defs)
    directions = {m.code: m.direction for m in metric_defs}
    counts = {m.code for m in metric_defs if is_count(m)}
    keys = ["dept_code", "month", "metric"]
    df = _with_targets(metric_values, targets_resolved, keys)
    df = df[df["metric"].isin(list(directions)) & df["value"].notna()]
    df = df.sort_values(["dept_code", "metric", "month"], kind="stable").reset_index(drop=True)
    if df.empty:
        return pd.DataFrame(columns=list(MATRIX_COLUMNS)).astype({"assurance": object})

    y = df["value"].to_numpy(dtype=float)
    grp = df.groupby(["dept_code", "metric"], sort=False)
    gid = grp.ngroup().to_numpy()
    first = np.r_[True, gid[1:] != gid[:-1]]
    heads = grp.head(1)[["dept_code", "metric", "month"]].reset_index(drop=True)
    n = np.bincount(gid).astype(float)
    mean = np.bincount(gid, weights=y) / n

    # Moving ranges within a series (R/ptd_spc_standard.R), screened as in _mean_and_amr.
    mr = np.where(first, np.nan, np.abs(np.diff(y, prepend=np.nan)))
    has = ~np.isnan(mr)
    n_mr = np.bincount(gid, weights=has, minlength=len(n))
    with np.errstate(invalid="ignore", divide="ignore"):
        amr = np.bincount(gid, weights=np.where(has, mr, 0.0), minlength=len(n)) / n_mr
        if params.screen_outliers:
            keep = has & (mr < params.outlier_factor * amr[gid])
            n_keep = np.bincount(gid, weights=keep, minlength=len(n))
            amr_kept = np.bincount(gid, weights=np.where(keep, mr, 0.0), minlength=len(n)) / n_keep
            amr = np.where((amr > 0) & (n_keep > 0) & (amr_kept > 0), amr_kept, amr)
        lpl, upl = mean - params.limit_factor * amr, mean + params.limit_factor * amr
        near = params.near_fraction * params.limit_factor * amr
        # Counts: lower limits clipped at 0 as in _segment_arrays (is_count).
        is_count_series = heads["metric"].isin(counts).to_numpy()
        lpl = np.where(is_count_series, np.maximum(lpl, 0.0), lpl)
        near_low = np.where(is_count_series, np.maximum(mean - near, 0.0), mean - near)

    # The last K points of every series, right-aligned (NaN where a series is shorter).
    k = max(params.run_length, params.trend_length, 3)
    from_end = (n[gid] - 1 - grp.cumcount().to_numpy()).astype(int)
    tail = np.full((len(n), k), np.nan)
    sel = from_end < k
    tail[gid[sel], k - 1 - from_end[sel]] = y[sel]
    with np.errstate(invalid="ignore"):
        diff = tail - mean[:, None]
        rtm = np.where(np.abs(diff) <= 1e-9 * np.maximum(1.0, np.abs(mean))[:, None], 0, np.sign(diff))
        rtm = np.nan_to_num(rtm).astype(int)
        outside = (tail > upl[:, None]) | (tail < lpl[:, None])
        close = ~outside & ((tail < near_low[:, None]) | (tail > (mean + near)[:, None]))
        last = tail[:, -1]
        steps = np.sign(np.diff(tail[:, -params.trend_length :], axis=1))
    rule_limit = outside[:, -1]
    rule_trend = np.all(steps == 1, axis=1) | np.all(steps == -1, axis=1)
    rule_two = close[:, -1] & (close[:, -3:].sum(axis=1) >= 2) & (np.abs(rtm[:, -3:].sum(axis=1)) == 3)
    run = rtm[:, -params.run_length :]
    rule_run = (run[:, -1] != 0) & np.all(run == run[:, -1:], axis=1)
    side = np.where(rtm[:, -1] > 0, 1, -1)
    # RULES priority, as in _segment_arrays: limit, trend, then 2-in-3 and run (both signal the side of the mean).
    signal = np.select(
        [rule_limit, rule_trend, rule_two | rule_run],
        [rtm[:, -1], np.sign(tail[:, -1] - tail[:, -2]), side],
        default=0,
    ).astype(int)

    lasts = grp.tail(1).reset_index(drop=True)
    known_dir = grp["direction"].last()  # the last non-missing direction of each series
    direction = [
        d if isinstance(d, str) else directions[m]
        for d, m in zip(known_dir.to_numpy(), heads["metric"].to_numpy(), strict=True)
    ]
    sign = np.array([improvement_sign(d) for d in direction])
    oriented = signal * sign
    variation = np.select(
        [(sign == 0) & (signal > 0), (sign == 0) & (signal < 0), oriented > 0, oriented < 0],
        [NEUTRAL_HIGH, NEUTRAL_LOW, IMPROVEMENT, CONCERN],
        default=COMMON,
    )
    target = lasts["target"].to_numpy(dtype=float)
    out = pd.DataFrame(
        {
            "dept_code": heads["dept_code"].to_numpy(),
            "metric": heads["metric"].to_numpy(),
            "variation": variation.astype(object),
            "assurance": _assurance_codes(target, lpl, upl, sign),
            "trial": n < params.min_points,
            "n_points": n.astype(int),
            "first_month": heads["month"].astype(str).to_numpy(),
            "last_month": lasts["month"].astype(str).to_numpy(),
            "last_value": last,
            "mean": mean,
            "lpl": lpl,
            "upl": upl,
            "target": target,
            "direction": pd.Series(direction, dtype=object),
            "missed_months": _missed_months_of_series(df, gid, first, sign),
        }
    )
    return out[list(MATRIX_COLUMNS)]


def _missed_months_of_series(df: pd.DataFrame, gid: np.ndarray, first: np.ndarray, sign: np.ndarray) -> np.ndarray:
    """``missed_months`` of every series at once (``df`` sorted by series and month, ``gid`` its series number).

    A row ends the count before it (``barrier`` = its index + 1) when it does not miss its target, and allows
    nothing before it (``barrier`` = its index) when it starts its series or follows a gap in the months. The count
    of a series is its last index + 1 minus the running maximum of the barriers there; since a series' first row is
    a barrier, the running maximum never reaches back into the series before.
    """
    y = df["value"].to_numpy(dtype=float)
    target = df["target"].to_numpy(dtype=float)
    row_sign = sign[gid]
    with np.errstate(invalid="ignore"):
        miss = ~np.isnan(target) & (((row_sign > 0) & (y < target)) | ((row_sign < 0) & (y > target)))
    codes, uniques = pd.factorize(df["month"])  # few distinct months, many rows: parse each once
    number = np.array([_month_number(str(m)) for m in uniques], dtype=int)[codes]
    starts = first | (np.diff(number, prepend=number[0] - 1) != 1)
    index = np.arange(len(df))
    barrier = np.where(~miss, index + 1, np.where(starts, index, -1))
    reach = np.maximum.accumulate(barrier)
    last = np.r_[np.flatnonzero(first)[1:] - 1, len(df) - 1]
    return np.maximum(last + 1 - reach[last], 0).astype(int)


def _with_targets(values: pd.DataFrame, resolved: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """values joined with their resolved target and direction; resolve_targets keeps its input's row order, so
    when the keys line up row for row the (costly, at millions of rows) merge is skipped."""
    left = values[[*keys, "value"]].reset_index(drop=True)
    right = resolved[[*keys, "target", "direction"]].reset_index(drop=True)
    if len(left) == len(right) and all(left[k].equals(right[k]) for k in keys):
        return left.assign(target=right["target"].to_numpy(), direction=right["direction"].to_numpy())
    return left.merge(right, on=keys, how="left")


def _assurance_codes(target: np.ndarray, lpl: np.ndarray, upl: np.ndarray, sign: np.ndarray) -> pd.Series:
    """``assurance`` for arrays of series (None where no target, no direction or no limits)."""
    with np.errstate(invalid="ignore"):
        known = (sign != 0) & ~np.isnan(target) & ~np.isnan(lpl) & ~np.isnan(upl)
        above, below = target > upl, target < lpl
    code = np.select(
        [~known, above & (sign > 0), above, below & (sign > 0), below],
        [None, FAIL, PASS, PASS, FAIL],
        default=HIT_AND_MISS,
    )
    return pd.Series(code, dtype=object)
