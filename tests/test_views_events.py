"""The events page's view-model (metrics.views.events) on the demo store, without Streamlit; and the page shows
indicator names as the store's catalogue has them (finding 11.9)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from metrics import clock, store
from tests.conftest import edit_catalogue
from tests.figures import figures

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")
EDITED = "擅自收受患者红包 本院口径"


def _rename_indicator(path: Path, code: str, name_zh: str) -> None:
    """Rename an indicator the way the targets page's catalogue editor does (importer.commit_rows)."""
    edit_catalogue(path, "indicators", code, name_zh=name_zh)


def test_events_chart_names_indicators_as_the_catalogue_was_edited(demo_db):
    """The events-per-quarter chart took indicator names from the shipped catalogue, so an indicator renamed
    in the store's catalogue still showed its old name in the chart's hover text."""
    with store.opened(demo_db) as db:
        shipped = store.indicator_catalogue(db).set_index("code").at["V07", "name_zh"]
    _rename_indicator(demo_db, "V07", EDITED)
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/events.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    (chart,) = figures(at)
    hovers = " ".join(str(c) for t in chart["data"] for c in t.get("customdata") or ())
    assert f"V07 {EDITED}" in hovers
    assert shipped not in hovers


# --- the builder, without Streamlit -------------------------------------------------------------------------------

from metrics.views import ViewKey, events  # noqa: E402


def _key(path: Path, lang: str = "zh", grain: str = "quarter", **choices) -> ViewKey:
    with store.opened(path) as db:
        version, depts = store.data_version(db), store.departments(db)["dept_code"].tolist()
        last = store.month_range(db)[1]
    period = {"quarter": f"{last[:4]}-Q{(int(last[5:7]) - 1) // 3 + 1}", "month": last, "year": last[:4]}[grain]
    return ViewKey.of(
        str(path), version, lang, **{"grain": grain, "period": period, "depts": "\n".join(depts), **choices}
    )


def _confirmed_in(path: Path, months: set[str]) -> list[dict]:
    """Stored events, the automatic W03 warnings of notices overdue today (the demo's K20 notice) and the W02 of the
    demo's 提醒谈话 and 诫勉谈话."""

    from metrics.rules import programme

    with store.opened(path) as db:
        rows = programme.events_with_notices(
            store.events(db), store.notices(db), clock.today(), store.talks(db)
        ).to_dict("records")
    return [r for r in rows if r["status"] == "confirmed" and str(r["event_date"])[:7] in months]


def test_events_view_lights_in_order_and_counts_worked_out_from_the_store(demo_db):
    key = _key(demo_db, grain="month")
    view = events.build(key)
    confirmed = _confirmed_in(demo_db, {key.get("period")})
    red = sorted({r["dept_code"] for r in confirmed if r["kind"] == "veto"})
    assert red == ["K10"]
    # red first, then amber, green, grey; by code within a light
    order = ["红", "黄", "绿", "灰"]
    labels = view.lights["light_label"].tolist()
    assert labels == sorted(labels, key=order.index)
    assert view.lights[view.lights["light_label"] == "红"]["dept_code"].tolist() == red
    for light in order:
        codes = view.lights[view.lights["light_label"] == light]["dept_code"].tolist()
        assert codes == sorted(codes)
    n = {x: labels.count(x) for x in order}
    assert view.light_counts == f"红 {n['红']} · 黄 {n['黄']} · 绿 {n['绿']} · 灰 {n['灰']}"
    assert len(view.lights) == 40 and list(view.lights.columns)[:3] == ["marker", "light_label", "dept_code"]
    # the period's confirmed events, and by indicator with the catalogue's names
    assert sorted(view.events["dept_code"]) == sorted(r["dept_code"] for r in confirmed)
    assert view.by_indicator["count"].sum() == len(confirmed)
    assert view.none is None and view.by_quarter is not None


def test_events_view_names_indicators_as_edited_and_speaks_english(demo_db):
    _rename_indicator(demo_db, "V07", EDITED)
    view = events.build(_key(demo_db, grain="year", depts="T02"))
    assert view.lights["dept_code"].tolist() == ["T02"]
    by_ind = view.by_indicator.set_index("indicator")
    assert by_ind.at["V07", "name"] == EDITED
    english = events.build(_key(demo_db, "en", grain="year", depts="T02"))
    assert english.by_indicator.set_index("indicator").at["V07", "kind"] == "Veto"
    assert english.lights_title.startswith("Department lights (")
    assert english.lights["trend"].tolist() == ["trends?dept=T02&lang=en"]


def test_events_view_says_so_when_the_period_has_no_event(demo_db):
    key = _key(demo_db, grain="month", depts="K01")
    assert not [r for r in _confirmed_in(demo_db, {key.get("period")}) if r["dept_code"] == "K01"]
    view = events.build(key)
    assert view.none == "所选期间没有已认定的否决或警示事件。"
    assert view.events.empty and view.by_indicator.empty
