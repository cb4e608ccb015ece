"""One light rule at every level (PRODUCT §4.3): a period's light is judged on the period — its confirmed events, its
targets, and every notice that was open past its deadline on any day of it (W03 is a state, not a dated event) — and
a hospital's light is its departments' worst, amber too when the hospital's own figures miss, grey without data.

Pipeline tests on small literal frames, expectations worked out by hand; then the region overview of the group demo
against each hospital's own events page."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics import store
from metrics.rules import awards, programme
from metrics.rules import periods as period_rules
from metrics.views import ViewKey, events, region

EVENT_COLUMNS = [
    "event_id",
    "event_date",
    "dept_code",
    "kind",
    "indicator",
    "description",
    "evidence",
    "office",
    "status",
]
NO_EVENTS = pd.DataFrame(columns=EVENT_COLUMNS)


def _notice(no: str, dept: str, due: str, status: str = "rectifying", closed_on: str | None = None) -> dict:
    return dict(
        notice_no=no, notice_type="rectification", dept_code=dept, issued_on="2026-01-05", due_on=due,
        issue="", event_id=None, status=status, closed_on=closed_on,
    )  # fmt: skip


def _values(depts: list[str], periods: list[str]) -> pd.DataFrame:
    """Every department met its one target in every period: only events and notices can turn a light."""
    rows = [
        dict(dept_code=d, period=p, metric="patient_satisfaction", value=95.0, n_months=1, target=90.0,
             direction=">=", passed=True)
        for d in depts for p in periods
    ]  # fmt: skip
    return pd.DataFrame(rows).astype({"passed": "boolean"})


def _lights(notices: list[dict], as_of: date, grain: str, periods: list[str], depts=("K01",)) -> dict[str, str]:
    ev = programme.events_with_notices(NO_EVENTS, pd.DataFrame(notices), as_of)
    lights = awards.traffic_lights(_values(list(depts), periods), ev, grain, periods, list(depts))
    return dict(zip(lights["period"], lights["light"], strict=True))


MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]


def test_a_notice_closed_late_makes_the_months_it_was_overdue_amber():
    # due 28 Feb: overdue from 1 Mar; closed 15 Mar — March was overdue for 14 days, February and April never
    late = [_notice("院纪〔2026〕1号", "K01", "2026-02-28", status="closed", closed_on="2026-03-15")]
    got = _lights(late, date(2026, 6, 30), "month", MONTHS)
    assert got == {"2026-01": "green", "2026-02": "green", "2026-03": "amber", "2026-04": "green",
                   "2026-05": "green", "2026-06": "green"}  # fmt: skip
    assert _lights(late, date(2026, 6, 30), "quarter", ["2026-Q1", "2026-Q2"]) == {
        "2026-Q1": "amber",
        "2026-Q2": "green",
    }


def test_a_notice_still_open_makes_every_period_since_its_deadline_amber():
    # due 31 Jan, never closed, judged on 10 May: February to May overdue
    open_ = [_notice("院纪〔2026〕2号", "K01", "2026-01-31")]
    got = _lights(open_, date(2026, 5, 10), "month", MONTHS[:5])
    assert got == {"2026-01": "green", "2026-02": "amber", "2026-03": "amber", "2026-04": "amber", "2026-05": "amber"}
    # "已整改" awaits the office's check: still open
    checking = [_notice("院纪〔2026〕2号", "K01", "2026-01-31", status="rectified")]
    assert _lights(checking, date(2026, 5, 10), "quarter", ["2026-Q1", "2026-Q2"]) == {
        "2026-Q1": "amber",
        "2026-Q2": "amber",
    }


def test_a_notice_closed_in_time_turns_no_light():
    on_time = [_notice("院纪〔2026〕3号", "K01", "2026-02-28", status="closed", closed_on="2026-02-28")]
    assert set(_lights(on_time, date(2026, 6, 30), "month", MONTHS).values()) == {"green"}


def test_judged_on_a_past_day_a_notice_closed_after_it_was_still_open_then():
    # due 31 Jan, closed 15 Apr; judged at the end of Q1 (31 Mar) it was overdue from February to that day
    later = [_notice("院纪〔2026〕4号", "K01", "2026-01-31", status="closed", closed_on="2026-04-15")]
    assert _lights(later, date(2026, 3, 31), "month", MONTHS[:4]) == {
        "2026-01": "green",
        "2026-02": "amber",
        "2026-03": "amber",
        "2026-04": "green",  # not known on 31 March
    }


def test_an_overdue_notice_is_one_warning_in_each_period_it_touches():
    # overdue from 1 Feb to 10 May: one W03 in Q1 (not one per month) and one in Q2, for K01 only
    ev = programme.events_with_notices(NO_EVENTS, pd.DataFrame([_notice("院纪〔2026〕5号", "K01", "2026-01-31")]),
                                       date(2026, 5, 10))  # fmt: skip
    totals = period_rules.event_totals(ev, "quarter")
    assert totals.to_dict("records") == [
        {"dept_code": "K01", "period": "2026-Q1", "vetoes": 0, "warnings": 1},
        {"dept_code": "K01", "period": "2026-Q2", "vetoes": 0, "warnings": 1},
    ]
    months = period_rules.event_totals(ev, "month")
    assert list(months["period"]) == ["2026-02", "2026-03", "2026-04", "2026-05"]
    assert set(months["warnings"]) == {1}


def test_a_hospitals_light_is_its_worst_department_or_amber_when_its_own_figures_miss():
    dept = pd.DataFrame(
        {
            "hospital_code": ["A", "A", "B", "B", "C", "D", "D"],
            "period": ["2026-Q1"] * 7,
            "light": ["green", "red", "green", "amber", "green", "grey", "grey"],
        }
    )
    figures = pd.DataFrame({"hospital_code": ["C", "A"], "period": ["2026-Q1"] * 2, "missed": [1, 0]})
    got = awards.hospital_lights(dept, figures, ["A", "B", "C", "D", "E"], "2026-Q1").set_index("hospital_code")
    # A: a red department; B: an amber one; C: every department green but its own figure missed; D: no data;
    # E: no department row at all
    assert got["light"].to_dict() == {"A": "red", "B": "amber", "C": "amber", "D": "grey", "E": "grey"}
    assert got.loc["A", ["red", "amber", "green", "grey"]].tolist() == [1, 0, 1, 0]
    assert got.loc["C", "missed"] == 1


# --- the region overview of the group demo -----------------------------------------------------------------------

PERIOD = "2026-Q3"
TODAY = date(2026, 11, 20)
HOSPITALS = ("H01", "H02", "H03")


def test_the_region_light_of_a_hospital_is_the_one_its_events_page_adds_up_to(group_store):
    with store.opened(group_store) as db:
        version = store.data_version(db)
        codes = {h: list(store.departments(db, hospital=h)["dept_code"]) for h in HOSPITALS}
    view = region.build(
        ViewKey.of(str(group_store), version, "zh", hospital="H01", grain="quarter", period=PERIOD,
                   hospitals=HOSPITALS, today=TODAY)
    )  # fmt: skip
    for h in HOSPITALS:
        ev = events.build(
            ViewKey.of(str(group_store), version, "zh", hospital=h, grain="quarter", period=PERIOD,
                       depts="\n".join(codes[h]), today=TODAY)
        )  # fmt: skip
        worst = next(c for c in ("red", "amber", "green", "grey") if c in set(ev.lights["marker"].map(_colour)))
        assert view.lights[h] == worst if worst != "green" else view.lights[h] in ("green", "amber"), h
    # H02 holds a confirmed veto in the quarter, H03 warnings and overdue tasks: neither is green
    assert view.lights["H02"] == "red"
    assert view.lights["H03"] != "green"


def _colour(marker: str) -> str:
    from metrics.views import charts

    return next(c for c in ("red", "amber", "green", "grey") if charts.light_marker(c) == marker)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    """The views judge notices on ``frames``' today: fix it, so no test depends on the wall clock."""
    from metrics.views import loaded

    monkeypatch.setattr(
        loaded, "frames", lambda path, version, hospital="": loaded._frames(path, version, hospital, TODAY)
    )
    loaded.clear()
    yield
    loaded.clear()


def test_the_events_page_lists_an_overdue_notice_in_every_month_it_was_late(demo_db):
    """The demo's K20 notice was due 30 Sep 2026 and is still open on 20 Nov: its W03 is in November's list too,
    and November's light of K20 is amber on it alone (no value of November is stored)."""
    with store.opened(demo_db) as db:
        version = store.data_version(db)
        codes = "\n".join(store.departments(db)["dept_code"])
    view = events.build(
        ViewKey.of(str(demo_db), version, "zh", grain="month", period="2026-11", depts=codes, today=TODAY)
    )
    listed = view.events[view.events["indicator"] == "W03"]
    assert list(listed["dept_code"]) == ["K20"], view.events
    lights = view.lights.set_index("dept_code")
    assert lights.at["K20", "light_label"] == "黄" and lights.at["K20", "warnings"] == 1


def test_the_overview_table_shows_each_departments_light_as_the_events_page_does(demo_db):
    from metrics.views import overview

    with store.opened(demo_db) as db:
        version = store.data_version(db)
        codes = "\n".join(store.departments(db)["dept_code"])
    choices = dict(grain="quarter", period=PERIOD, depts=codes, today=TODAY)
    table = overview.build(ViewKey.of(str(demo_db), version, "zh", **choices)).table.set_index("dept_code")
    lights = events.build(ViewKey.of(str(demo_db), version, "zh", **choices)).lights.set_index("dept_code")
    assert table["light"].to_dict() == lights["light_label"].to_dict()
    assert table.at["T02", "light"] == "红"  # the documented T02 veto
