"""One period logic — every page and the briefing open on the same period, and a period not all
of whose months hold data says so, with the months it holds. Expected values worked out by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics import briefing, store
from metrics.rules import periods
from metrics.views import ViewKey
from metrics.views import briefing as briefing_view

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")
JAN_TO_NOV = [f"2026-{m:02d}" for m in range(1, 12)]  # a store whose data ends in November 2026


@pytest.mark.parametrize(
    ("months", "grain", "expected"),
    [
        (JAN_TO_NOV, "quarter", "2026-Q3"),  # Q4 holds Oct and Nov only: the last full quarter is Q3
        (JAN_TO_NOV, "month", "2026-11"),  # a month holding data is a full month
        (JAN_TO_NOV, "year", "2026"),  # no full year at all: the newest with data
        ([f"2025-{m:02d}" for m in range(1, 13)] + ["2026-01"], "year", "2025"),
        (["2026-01", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07"], "quarter", "2026-Q2"),  # Q1 misses Feb
        (["2026-01", "2026-03"], "quarter", "2026-Q1"),  # no full quarter: the newest with any
        ([], "quarter", None),
    ],
)
def test_default_period_is_the_newest_full_one(months, grain, expected):
    assert periods.default_period(months, grain) == expected


@pytest.mark.parametrize(
    ("period", "lang", "today", "expected"),
    [
        ("2026-Q4", "zh", date(2026, 11, 30), "2026年第4季度（进行中，含10—11月）"),
        ("2026-Q4", "en", date(2026, 11, 30), "Q4 2026 (partial: Oct–Nov)"),
        ("2026", "zh", date(2026, 11, 30), "2026年（进行中，含1—11月）"),
        ("2026", "en", date(2026, 11, 30), "2026 (partial: Jan–Nov)"),
        ("2026-Q3", "zh", date(2026, 11, 30), "2026年第3季度"),  # full: no note
        ("2026-Q3", "en", date(2026, 11, 30), "Q3 2026"),
        ("2026-11", "zh", date(2026, 11, 30), "2026年11月"),  # a month is never partial
        # a quarter over by today with a month missing is incomplete, not running
        ("2026-Q4", "zh", date(2027, 2, 1), "2026年第4季度（数据不全，含10—11月）"),
        ("2026-Q4", "en", date(2027, 2, 1), "Q4 2026 (incomplete: Oct–Nov)"),
    ],
)
def test_period_label_says_partial_with_the_months_it_holds(period, lang, today, expected):
    assert periods.period_label(period, JAN_TO_NOV, lang, today) == expected


def test_months_with_a_gap_are_listed_not_spanned():
    months = ["2026-07", "2026-09"]
    assert periods.period_label("2026-Q3", months, "zh", date(2027, 1, 5)) == "2026年第3季度（数据不全，含7、9月）"
    assert periods.period_label("2026-Q3", months, "en", date(2027, 1, 5)) == "Q3 2026 (incomplete: Jul, Sep)"


def _selected(at: AppTest, lang: str = "zh") -> str:
    return at.selectbox(key=f"_w_period_value.quarter.{lang}").value


def test_overview_events_and_briefing_open_on_the_same_quarter(demo_db):
    """The demo data end last month (October 2026 on 30 Nov 2026): the newest quarter holds one month, so every page
    opens on the quarter before it, and the newest is offered labelled partial."""
    with store.opened(demo_db) as db:
        months = store.months_with_data(db)
        expected = briefing.default_quarter(db)
    newest = periods.period_of(months[-1], "quarter")
    assert expected == periods.default_period(months, "quarter")
    pages = {}
    for page in ("overview", "events"):
        at = AppTest.from_file(APP, default_timeout=60)
        at.session_state["lang"] = "zh"
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception
        pages[page] = _selected(at)
        box = at.selectbox(key="_w_period_value.quarter.zh")
        # the newest quarter is offered as the first option, saying it is partial and which months it holds
        assert periods.is_partial(newest, months)
        assert box.options[0] == periods.period_label(newest, months, "zh")
        assert "进行中" in box.options[0] or "数据不全" in box.options[0]
    view = briefing_view.build(ViewKey.of(str(demo_db), 1, "zh"))
    assert pages == {"overview": expected, "events": expected}
    assert view.quarter == expected
    assert not periods.is_partial(expected, months)
