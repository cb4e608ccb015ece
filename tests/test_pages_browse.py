"""One AppTest per browsing page on the demo store, in both languages: what the page shows, checked against
numbers computed here independently from the store (plain Python, not the pipelines under test)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics import store
from metrics.access import sessions, users
from metrics.views import charts
from tests.figures import figures

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")


def run_page(at: AppTest, lang: str = "zh", token: str | None = None) -> AppTest:
    """Run an AppTest already switched to its page (``at.switch_page("pages/<page>.py")``) in ``lang``."""
    at.session_state["lang"] = lang
    if token:
        at.session_state["_auth_token"] = token
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60)


def metric_value(at: AppTest, label: str) -> str:
    found = [m.value for m in at.metric if m.label == label]
    assert found, [m.label for m in at.metric]
    return found[0]


def frame_with(at: AppTest, column: str):
    for d in at.dataframe:
        if column in d.value.columns:
            return d.value
    raise AssertionError(f"no table with column {column}")


def wkey(key: str, lang: str = "zh", *scope) -> str:
    """The widget key of the choice ``key`` drawn in ``lang`` (ui.keep: one widget per language)."""
    return "_w_" + ".".join((key, *scope, lang))


def pick_period(at: AppTest, period: str, lang: str = "zh") -> AppTest:
    """Choose ``period`` ('YYYY-Qn') in the period selector and rerun."""
    at.selectbox(key=wkey("period_value", lang, "quarter")).set_value(period).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def newest_quarter(db_path) -> str:
    last = last_month(db_path)
    return f"{last[:4]}-Q{(int(last[5:7]) - 1) // 3 + 1}"


def latest_quarter_pass_count(db_path) -> tuple[int, int]:
    """Departments whose mean patient satisfaction over the newest quarter meets their own target."""
    with store.opened(db_path) as db:
        rows = store.metric_values(db, metrics=["patient_satisfaction"]).to_dict("records")
        targets = store.targets(db)
    own = {
        r["dept_code"]: r["target"]
        for r in targets.to_dict("records")
        if r["metric"] == "patient_satisfaction" and r["dept_code"]
    }
    last = max(r["month"] for r in rows)
    q = (int(last[5:7]) - 1) // 3
    months = {f"{last[:4]}-{3 * q + i:02d}" for i in (1, 2, 3)}
    values = defaultdict(list)
    for r in rows:
        if r["month"] in months:
            values[r["dept_code"]].append(r["value"])
    met = sum(sum(v) / len(v) >= own.get(d, 90.0) for d, v in values.items())
    return met, len(values)


def awarded_in(db_path, year: int) -> int:
    """Departments whose latest change (by date) for award ``year`` is 已授牌."""
    with store.opened(db_path) as db:
        changes = store.award_changes(db)
    latest = {}
    for r in sorted(changes.to_dict("records"), key=lambda r: r["changed_on"]):
        if int(r["year"]) == year:
            latest[r["dept_code"]] = r["status"]
    return sum(s == "awarded" for s in latest.values())


def last_month(db_path) -> str:
    with store.opened(db_path) as db:
        return store.month_range(db)[1]


@pytest.mark.parametrize(
    ("lang", "meeting", "awards", "vetoes"),
    [
        ("zh", "患者满意度达标科室", "已授牌清廉科室", "已认定否决事件"),
        ("en", "On target: Patient satisfaction", "Model departments awarded", "Confirmed vetoes"),
    ],
)
def test_overview_kpis_and_table(demo_db, lang, meeting, awards, vetoes):
    at = pick_period(run_page(app().switch_page("pages/overview.py"), lang), newest_quarter(demo_db), lang)
    met, total = latest_quarter_pass_count(demo_db)
    assert metric_value(at, meeting) == f"{met} / {total}"
    assert metric_value(at, awards) == str(awarded_in(demo_db, int(last_month(demo_db)[:4])))
    # K10 has a confirmed veto in the last month, so the latest quarter counts at least that one.
    assert int(metric_value(at, vetoes)) >= 1
    table = frame_with(at, "trend")
    k10 = table[table["dept_code"] == "K10"].iloc[0]
    assert k10["vetoes"] == 1
    assert k10["trend"] == ("trends?dept=K10" if lang == "zh" else "trends?dept=K10&lang=en")
    assert len(figures(at)) == 2  # ranking and heat map
    # Click-through: pick K10 and the link leads to its trend page in this session.
    at.selectbox(key="overview_trend_dept").select("K10").run()
    link = at.get("page_link")[0].proto
    assert (link.page, link.query_string) == ("trends", "dept=K10")


@pytest.mark.parametrize(("lang", "red"), [("zh", "红"), ("en", "Red")])
def test_events_light_red_for_last_month_veto(demo_db, lang, red):
    at = pick_period(run_page(app().switch_page("pages/events.py"), lang), newest_quarter(demo_db), lang)
    lights = frame_with(at, "light_label")
    assert lights.iloc[0]["dept_code"] == "K10"  # red first
    assert lights.set_index("dept_code").at["K10", "light_label"] == red
    markers = dict(zip(lights["light_label"], lights["marker"], strict=False))  # one picture per light
    assert markers[red] == charts.light_marker("red") and len(set(markers.values())) == len(markers)
    # A department with a confirmed veto only in earlier quarters is not red now (K09: veto 28 months back).
    assert lights.set_index("dept_code").at["K09", "light_label"] != red
    events = frame_with(at, "description")
    assert "K10" in set(events["dept_code"])
    assert len(figures(at)) == 1


@pytest.mark.parametrize(("lang", "awarded", "conflicts"), [("zh", "已授牌", "冲突"), ("en", "Awarded", "Conflicts")])
def test_awards_conflict_and_counts(demo_db, lang, awarded, conflicts):
    at = run_page(app().switch_page("pages/awards.py"), lang)
    year = at.selectbox(key="awards_year").value  # this year, or the latest award year on record
    assert metric_value(at, awarded) == str(awarded_in(demo_db, int(year)))
    assert metric_value(at, conflicts) == "1"
    clash = frame_with(at, "awarded_on")
    assert clash["dept_code"].tolist() == ["T02"]  # awarded, then a confirmed V07 veto → conflict
    assert clash["indicator"].tolist() == ["V07"]
    status = frame_with(at, "reasons")
    assert len(status) == 40
    assert status.iloc[0]["dept_code"] == "T02"  # the conflict leads the list
    assert status["marker"].fillna("").tolist() == [charts.light_marker("red"), *[""] * 39]  # only it has the marker
    by_code = status.set_index("dept_code")
    assert by_code.at["K16", "status"] == ("公示中" if lang == "zh" else "Public notice")
    notice = frame_with(at, "notice_end")
    assert notice["dept_code"].tolist() == ["K16"]
    # K16's notice began 20 days before the end of the last month, so its 5 working days are over by now.
    assert notice["state"].tolist() == [
        "公示期已满，待登记结果" if lang == "zh" else "Notice period over; result not yet recorded"
    ]


def test_targets_read_only_for_viewers(demo_db):
    at = run_page(app().switch_page("pages/targets.py"), "zh")
    targets = frame_with(at, "effective_from")
    k03 = targets[targets["dept_code"] == "K03"].iloc[0]
    assert k03["target"] == 92.0 and k03["dept_name"] == "消化内科"
    assert not [b for b in at.button if b.key == "targets_save"]  # no save button for a viewer
    indicators = frame_with(at, "evidence")
    assert {"V01", "V10", "W03"} <= set(indicators["code"])


def test_targets_editable_for_editors(demo_db):
    users.add_user("editor1", "a-long-password-1", "editor")
    token = sessions.start_session("editor1")
    at = run_page(app().switch_page("pages/targets.py"), "en", token)
    assert [b for b in at.button if b.key == "targets_save"]
    assert "Read only" not in " ".join(c.value for c in at.caption)
    # Pressing save without edits changes nothing and says so.
    next(b for b in at.button if b.key == "targets_save").click().run()
    assert any("Nothing changed" in s.value for s in at.success)


@pytest.mark.parametrize("grain", ["month", "year"])
def test_overview_other_grains_follow_the_selector(demo_db, grain):
    at = pick_period(run_page(app().switch_page("pages/overview.py"), "en"), newest_quarter(demo_db), "en")
    at.radio(key=wkey("period_grain", "en")).set_value(grain).run()
    assert not at.exception
    last = last_month(demo_db)
    shown = at.selectbox(key=wkey("period_value", "en", grain)).value
    assert shown == (last if grain == "month" else last[:4])  # the newest quarter's time, in the new grain
    # K10's veto is in the last month, so it is counted in the latest month and the latest year alike.
    assert frame_with(at, "trend").set_index("dept_code").at["K10", "vetoes"] == 1


def test_targets_page_lists_a_stored_own_target_below_the_hospital_as_not_applied(demo_db):
    # A store saved before the floor rule: no way in accepts this row now, so it is written directly.
    with store.opened(demo_db) as db, db.atomic():
        db.execute(
            "INSERT INTO targets (metric, dept_code, effective_from, target, direction)"
            " VALUES ('patient_satisfaction', 'K20', '2025-01', 85.0, '>=')"
        )
        store.bump_data_version(db)
    at = run_page(app().switch_page("pages/targets.py"), "zh")
    assert any("不予采用" in w.value for w in at.warning)
    lines = " ".join(x.value for x in at.text)  # names from uploads shown as plain text, never markdown
    assert "K20 急诊科" in lines and "85" in lines and "90" in lines
    targets = frame_with(at, "effective_from")
    assert 85.0 in targets[targets["dept_code"] == "K20"]["target"].tolist()  # shown as stored, not applied


def test_period_choice_carries_between_pages(demo_db):
    at = run_page(app().switch_page("pages/overview.py"), "zh")
    at.radio(key=wkey("period_grain")).set_value("year").run()
    chosen = at.selectbox(key=wkey("period_value", "zh", "year")).value
    at.switch_page("pages/trends.py").run()  # a page without the selector in between: its widgets are dropped
    at.switch_page("pages/events.py").run()
    assert not at.exception
    assert at.radio(key=wkey("period_grain")).value == "year"
    assert at.selectbox(key=wkey("period_value", "zh", "year")).value == chosen
    assert any(s.value.startswith(f"科室信号灯（{chosen}年") for s in at.subheader)


@pytest.mark.parametrize(
    "page",
    ["pages/overview.py", "pages/events.py", "pages/awards.py", "pages/targets.py", "pages/tasks.py"],
    ids=lambda p: p[6:-3],
)
def test_empty_store_pages_say_so_and_do_not_fail(db_file, page):
    at = app()
    at.switch_page(page)
    at = run_page(at, "en")
    if page in ("pages/overview.py", "pages/events.py"):
        assert any("No data yet" in i.value for i in at.info)
    if page == "pages/awards.py":
        assert metric_value(at, "Awarded") == "0"
    if page == "pages/tasks.py":  # key tasks (PRODUCT §8)
        assert [i.value for i in at.info] == [
            "No key tasks yet. Upload the task list (responsibility list) on the Upload page."
        ]
        assert any(c.value == "No rectification notices yet." for c in at.caption)


def test_overview_category_filter_narrows_departments(demo_db):
    at = run_page(app().switch_page("pages/overview.py"), "zh")
    at.multiselect(key=wkey("filter_category")).select("医技").run()
    assert not at.exception
    table = frame_with(at, "trend")
    assert set(table["category"]) == {"医技"} and len(table) == 5  # T01–T05
    assert metric_value(at, "患者满意度达标科室").endswith("/ 5")
    assert any("已筛选 5 / 40" in c.value for c in at.caption)
