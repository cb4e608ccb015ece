"""Period pipelines on small literal frames; every expected number is worked out by hand in a comment."""

import pandas as pd
import pytest

from metrics import contract
from metrics.rules import periods as P

TARGETS = pd.DataFrame(
    [
        ("patient_satisfaction", "", "2000-01", 90.0, ">="),
        ("patient_satisfaction", "D2", "2000-01", 85.0, ">="),  # D2's own 85 next to the 90 default
        ("patient_satisfaction", "", "2024-07", 92.0, ">="),  # hospital target raised mid-year
        ("drug_share", "", "2000-01", 20.0, "<="),
    ],
    columns=["metric", "dept_code", "effective_from", "target", "direction"],
)


def mv(rows):
    return pd.DataFrame(rows, columns=["dept_code", "month", "metric", "value"])


VALUES = mv(
    [
        ("D1", "2024-01", "patient_satisfaction", 91.0),
        ("D1", "2024-02", "patient_satisfaction", 89.0),
        ("D1", "2024-03", "patient_satisfaction", 90.5),
        ("D1", "2024-07", "patient_satisfaction", 91.0),
        ("D2", "2024-01", "patient_satisfaction", 86.0),
        ("D2", "2024-02", "patient_satisfaction", 84.0),
        ("D2", "2024-03", "patient_satisfaction", 85.6),
        ("D1", "2024-01", "complaints", 2.0),
        ("D1", "2024-02", "complaints", 0.0),
        ("D1", "2024-03", "complaints", 3.0),
        ("HOSP", "2024-01", "drug_share", 21.0),
        ("HOSP", "2024-02", "drug_share", 19.0),
        ("HOSP", "2024-03", "drug_share", 19.6),
    ]
)


def row(frame, **keys):
    sel = frame
    for k, v in keys.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, keys
    return sel.iloc[0]


def test_periods():
    assert P.period_of("2024-05", "quarter") == "2024-Q2"
    assert P.months_of("2024-Q4") == ["2024-10", "2024-11", "2024-12"]
    assert P.previous_period("2024-Q1") == "2023-Q4"
    assert P.previous_period("2024-01") == "2023-12"
    assert P.same_period_last_year("2024-Q3") == "2023-Q3"
    assert P.periods_between("2023-11", "2024-02", "quarter") == ["2023-Q4", "2024-Q1"]


def test_month_values_against_own_and_default_target():
    got = P.period_values(VALUES, TARGETS, contract.METRICS, "month")
    # D1 in Feb: 89 < 90 (hospital default) → fail. D2's own 85 is looser than the hospital's 90, which is the
    # floor (PRODUCT §4.2): D2 in Jan, 86 < 90 → fail.
    assert row(got, dept_code="D1", period="2024-02", metric="patient_satisfaction")["passed"] == False  # noqa: E712
    d2 = row(got, dept_code="D2", period="2024-01", metric="patient_satisfaction")
    assert (d2["target"], bool(d2["passed"])) == (90.0, False)
    # July: the hospital target is 92 from 2024-07 → D1 at 91 fails.
    jul = row(got, dept_code="D1", period="2024-07", metric="patient_satisfaction")
    assert (jul["target"], bool(jul["passed"])) == (92.0, False)
    # No target for complaints → passed is missing, never True.
    assert pd.isna(row(got, dept_code="D1", period="2024-01", metric="complaints")["passed"])


def test_quarter_mean_sum_and_lower_is_better():
    got = P.period_values(VALUES, TARGETS, contract.METRICS, "quarter", "2024-Q1")
    # D1 Q1 satisfaction: (91 + 89 + 90.5) / 3 = 90.1667 ≥ 90 → pass although February failed.
    d1 = row(got, dept_code="D1", metric="patient_satisfaction")
    assert d1["value"] == pytest.approx(90.1667, abs=1e-4) and bool(d1["passed"]) and d1["n_months"] == 3
    # D2: (86 + 84 + 85.6) / 3 = 85.2 ≥ its own 85, but the hospital's 90 is the floor → fail.
    d2 = row(got, dept_code="D2", metric="patient_satisfaction")
    assert d2["value"] == pytest.approx(85.2) and not bool(d2["passed"])
    # Complaints are summed: 2 + 0 + 3 = 5.
    assert row(got, dept_code="D1", metric="complaints")["value"] == 5.0
    # Drug share (≤ 20): (21 + 19 + 19.6) / 3 = 19.8667 → pass in the lower-is-better direction.
    hosp = row(got, dept_code="HOSP", metric="drug_share")
    assert hosp["value"] == pytest.approx(19.8667, abs=1e-4) and bool(hosp["passed"])
    assert set(got["period"]) == {"2024-Q1"}


def test_year_uses_target_in_force_in_last_month():
    got = P.period_values(VALUES, TARGETS, contract.METRICS, "year", "2024")
    # D1 2024: (91 + 89 + 90.5 + 91) / 4 = 90.375; the target in force in 2024-12 is 92 (raised in July) → fail.
    d1 = row(got, dept_code="D1", metric="patient_satisfaction")
    assert d1["value"] == pytest.approx(90.375)
    assert (d1["target"], bool(d1["passed"])) == (92.0, False)
    # D2 is held to the hospital's 92 in force in 2024-12 (its own 85 is looser): 85.2 → fail.
    d2 = row(got, dept_code="D2", metric="patient_satisfaction")
    assert (d2["target"], bool(d2["passed"])) == (92.0, False)


def test_hospital_values_average_and_counts():
    q = P.period_values(VALUES, TARGETS, contract.METRICS, "quarter", "2024-Q1")
    h = P.hospital_values(q, TARGETS, contract.METRICS)
    ps = row(h, metric="patient_satisfaction")
    # Hospital average of department values: (90.1667 + 85.2) / 2 = 87.6833 < 90 → fail; D1 met 90, D2 did not.
    assert ps["value"] == pytest.approx(87.6833, abs=1e-4)
    assert (ps["target"], bool(ps["passed"]), ps["n_depts"], ps["n_pass"]) == (90.0, False, 2, 1)
    assert row(h, metric="drug_share")["value"] == pytest.approx(19.8667, abs=1e-4)


def test_changes_vs_previous_and_last_year():
    m = P.period_values(VALUES, TARGETS, contract.METRICS, "month")
    h = P.with_changes(P.hospital_values(m, TARGETS, contract.METRICS))
    feb = row(h, metric="drug_share", period="2024-02")
    # 19 − 21 = −2 vs January; no February 2023 → missing, not 0.
    assert feb["delta_prev"] == pytest.approx(-2.0) and pd.isna(feb["delta_yoy"])


def test_inputs_not_mutated_and_events_counted_only_when_confirmed():
    before = VALUES.copy()
    P.period_values(VALUES, TARGETS, contract.METRICS, "quarter")
    pd.testing.assert_frame_equal(VALUES, before)
    ev = pd.DataFrame(
        [
            ("e1", "2024-02-03", "D1", "veto", "V04", "confirmed"),
            ("e2", "2024-03-09", "D1", "warning", "W01", "confirmed"),
            ("e3", "2024-03-10", "D1", "warning", "W01", "review"),
            ("e4", "2024-04-01", "D2", "veto", "V07", "withdrawn"),
        ],
        columns=["event_id", "event_date", "dept_code", "kind", "indicator", "status"],
    )
    tot = P.event_totals(ev, "quarter")
    assert tot.to_dict("records") == [{"dept_code": "D1", "period": "2024-Q1", "vetoes": 1, "warnings": 1}]


@pytest.mark.parametrize("metric", [m.code for m in contract.METRICS])
def test_every_catalogue_metric_flows_through(metric):
    m = contract.METRIC_BY_CODE[metric]
    dept = contract.HOSPITAL_CODE if m.scope == "hospital" else "D1"
    got = P.period_values(mv([(dept, "2024-01", metric, 5.0)]), TARGETS, contract.METRICS, "year")
    assert row(got, dept_code=dept, metric=metric)["direction"] == m.direction
