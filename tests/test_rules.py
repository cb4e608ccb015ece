"""Rules of PRODUCT §4 on small literal frames; expected answers worked out by hand."""

from datetime import date

import pandas as pd

from metrics import contract
from metrics.rules import awards as R
from metrics.rules import periods as P
from metrics.rules import workdays

EVENT_COLS = ["event_id", "event_date", "dept_code", "kind", "indicator", "status"]
AWARD_COLS = ["dept_code", "year", "status", "changed_on", "rectify_until", "note"]


def events(rows):
    return pd.DataFrame(rows, columns=EVENT_COLS)


def awards(rows):
    return pd.DataFrame(rows, columns=AWARD_COLS)


def one(frame, code):
    sel = frame[frame["dept_code"] == code]
    assert len(sel) == 1
    return sel.iloc[0]


def test_public_notice_across_national_day_2023():
    # 公示 from Thu 2023-09-28, 5 working days counting the first day:
    #   day 1 = Thu 09-28; Fri 09-29 … Fri 10-06 are the Mid-Autumn + National Day holiday (off);
    #   day 2 = Sat 10-07 and day 3 = Sun 10-08 (adjusted working days, 调休上班);
    #   day 4 = Mon 10-09; day 5 = Tue 10-10 → the notice ends on 2023-10-10.
    # A plain Monday–Friday count would wrongly give Wed 2023-10-04 (28, 29, 2, 3, 4).
    end, fallback = R.public_notice_end("2023-09-28")
    assert end == date(2023, 10, 10)
    assert fallback is False


def test_year_outside_calendar_falls_back_with_flag():
    # chinesecalendar 1.11 knows 2004–2026. 2027-03-04 is a Thursday and March has no statutory holiday: Thu 4,
    # Fri 5, Mon 8, Tue 9, Wed 10 → 2027-03-10, and the flag (2027's adjusted working days are not entered) tells
    # the page to show its note. Holidays beyond chinesecalendar: tests/test_workdays.py.
    end, fallback = R.public_notice_end(date(2027, 3, 4))
    assert end == date(2027, 3, 10)
    assert fallback is True
    assert workdays.calendar_covers(2026) and not workdays.calendar_covers(2027)


HISTORY = awards(
    [
        ("A", 2024, "applied", "2023-12-18", None, ""),
        ("A", 2024, "awarded", "2024-01-10", None, ""),
        ("B", 2024, "applied", "2023-12-18", None, ""),
        ("B", 2024, "awarded", "2024-01-10", None, ""),
        ("C", 2024, "applied", "2024-01-05", None, ""),
        ("C", 2024, "public_notice", "2024-01-20", None, ""),
        ("D", 2023, "revoked", "2023-11-01", None, ""),
        ("D", 2023, "rectifying", "2023-11-02", "2024-04-30", ""),
        ("E", 2024, "applied", "2024-03-01", None, ""),  # after as_of: not yet known
    ]
)


def test_award_status_latest_change_countdown_and_notice():
    st = R.award_status(HISTORY, date(2024, 2, 1), departments=["A", "B", "C", "D", "E", "F"])
    assert one(st, "A")["status"] == "awarded" and one(st, "A")["awarded_on"] == "2024-01-10"
    assert one(st, "E")["status"] == "not_applied"  # its change is dated after as_of
    assert one(st, "F")["status"] == "not_applied"
    # D: the rectification from the 2023 revocation still runs. 2024-02-01 → 03-01 is 29 days (leap February),
    # 03-01 → 04-01 is 31, 04-01 → 04-30 is 29: 89 days left; it may re-apply the day after, 2024-05-01.
    d = one(st, "D")
    assert (d["status"], bool(d["in_rectification"]), d["days_left"], d["reapply_on"]) == (
        "rectifying",
        True,
        89,
        "2024-05-01",
    )
    # C: 公示 recorded on Sat 2024-01-20, not a working day, so counting starts on the next one:
    # Mon 22, Tue 23, Wed 24, Thu 25, Fri 26 → ends 2024-01-26.
    c = one(st, "C")
    assert (c["notice_end"], bool(c["notice_fallback"])) == ("2024-01-26", False)
    assert bool(c["notice_over"])  # ended 2024-01-26, before as_of 2024-02-01, and no result recorded
    counts = R.pipeline_counts(st).set_index("status")["count"]
    assert (counts["awarded"], counts["rectifying"], counts["not_applied"]) == (2, 1, 2)


def test_rectification_over_is_no_longer_blocking():
    st = R.award_status(HISTORY, date(2024, 6, 1), year=2024, departments=["D"])
    d = one(st, "D")
    assert d["status"] == "rectifying" and not d["in_rectification"] and d["days_left"] == -32


def test_veto_after_award_makes_a_conflict():
    st = R.award_status(HISTORY, date(2024, 6, 1), departments=["A", "B"])
    ev = events(
        [
            ("e1", "2024-03-15", "A", "veto", "V07", "confirmed"),  # after A's award → conflict
            ("e2", "2024-01-05", "B", "veto", "V04", "confirmed"),  # before B's award → no conflict
            ("e3", "2024-04-01", "B", "veto", "V01", "withdrawn"),  # withdrawn → no conflict
            ("e4", "2024-04-02", "B", "warning", "W01", "confirmed"),  # a warning → no conflict
        ]
    )
    got = R.conflicts(st, ev)
    assert got[["dept_code", "event_id"]].values.tolist() == [["A", "e1"]]


TARGETS = pd.DataFrame(
    [
        ("patient_satisfaction", "", "2000-01", 90.0, ">="),
        ("patient_satisfaction", "B", "2000-01", 92.0, ">="),  # B's own, stricter than the hospital's 90
    ],
    columns=["metric", "dept_code", "effective_from", "target", "direction"],
)


def test_eligibility_with_reasons():
    values = pd.DataFrame(
        [
            ("A", "2024-01", "patient_satisfaction", 92.0),
            ("A", "2024-02", "patient_satisfaction", 90.0),  # A: mean 91 ≥ 90
            ("B", "2024-01", "patient_satisfaction", 93.0),  # B: 93 ≥ own 92
            ("C", "2024-01", "patient_satisfaction", 89.0),  # C: 89 < 90
            ("D", "2024-01", "patient_satisfaction", 95.0),  # D: fine but rectifying until 2024-04-30
        ],
        columns=["dept_code", "month", "metric", "value"],
    )
    yv = P.period_values(values, TARGETS, contract.METRICS, "year", "2024")
    st = R.award_status(HISTORY, date(2024, 2, 1), departments=list("ABCDE"))
    ev = events([("e1", "2024-01-20", "A", "veto", "V05", "confirmed")])
    rules = R.EligibilityRules(metrics=("patient_satisfaction",))
    el = R.eligibility(list("ABCDE"), ev, st, yv, 2024, rules, metric_defs=contract.METRICS).set_index("dept_code")
    assert el.loc["B", "eligible"] and el.loc["B", "reasons"] == ()
    assert [r["code"] for r in el.loc["A", "reasons"]] == ["veto"]
    assert el.loc["C", "reasons"][0] == dict(
        code="target_missed", metric="patient_satisfaction", value=89.0, target=90.0, direction=">="
    )
    assert [r["code"] for r in el.loc["D", "reasons"]] == ["rectifying"]
    assert [r["code"] for r in el.loc["E", "reasons"]] == ["no_data"]
    text = R.reason_text(el.loc["C", "reasons"][0], "zh", {"patient_satisfaction": "患者满意度"})
    assert "患者满意度" in text and "89.0" in text and "90.0" in text
    # Configurable: without the veto rule A becomes eligible.
    relaxed = R.EligibilityRules(no_confirmed_veto=False, metrics=("patient_satisfaction",))
    assert R.eligibility(["A"], ev, st, yv, 2024, relaxed, metric_defs=contract.METRICS).iloc[0]["eligible"]


def test_traffic_lights_red_amber_green_grey():
    values = pd.DataFrame(
        [
            ("R", "2024-03", "patient_satisfaction", 95.0),  # passes but has a veto → red
            ("A", "2024-03", "patient_satisfaction", 89.0),  # misses 90 → amber
            ("W", "2024-03", "patient_satisfaction", 95.0),  # passes, a warning → amber
            ("G", "2024-03", "patient_satisfaction", 95.0),  # passes, nothing else → green
            ("B", "2024-03", "patient_satisfaction", 93.0),  # 93 ≥ own 92 → green
        ],
        columns=["dept_code", "month", "metric", "value"],
    )
    m = P.period_values(values, TARGETS, contract.METRICS, "month")
    ev = events(
        [
            ("e1", "2024-03-02", "R", "veto", "V01", "confirmed"),
            ("e2", "2024-03-05", "W", "warning", "W02", "confirmed"),
            ("e3", "2024-03-05", "G", "veto", "V02", "review"),  # not confirmed → ignored
        ]
    )
    got = R.traffic_lights(m, ev, "month", "2024-03", departments=["R", "A", "W", "G", "B", "N"])
    lights = got.set_index("dept_code")["light"].to_dict()
    assert lights == {"R": "red", "A": "amber", "W": "amber", "G": "green", "B": "green", "N": "grey"}


def test_reason_never_prints_a_miss_as_the_target():
    # 89.95 rounds to "90.0" at one decimal, which would read as met; two decimals are used then.
    r = dict(code="target_missed", metric="staff_satisfaction", value=89.95, target=90.0, direction=">=")
    assert R.reason_text(r, "en", {"staff_satisfaction": "Staff satisfaction"}) == (
        "Staff satisfaction year average 89.95 misses target ≥ 90.00"
    )
