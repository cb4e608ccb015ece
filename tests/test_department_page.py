"""The department profile (科室档案): one department on one page — its light with the records behind it, its metrics
against target, its control charts, events, award history, notices and tasks — with nothing folded into an
expander, a back link to the page it was opened from, and each hospital's own department in a group store."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from metrics import store
from metrics.access import sessions, users
from metrics.views import ViewKey, department
from tests.conftest import ROOT
from tests.figures import figures

TODAY = date(2026, 11, 20)
PERIOD = "2026-Q3"  # the demo's last full quarter (DEMO_END_MONTH 2026-10)


def _view(path, dept: str, lang: str = "zh", hospital: str = "") -> department.DepartmentView:
    with store.opened(path) as db:
        version = store.data_version(db)
    return department.build(
        ViewKey.of(str(path), version, lang, hospital=hospital, dept=dept, grain="quarter", period=PERIOD, today=TODAY)
    )


def _profile(dept: str, back: str | None = "overview", user: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if user:
        at.session_state["_auth_token"] = sessions.start_session(user)
    at.query_params["dept"] = dept
    if back:
        at.query_params["from"] = back
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page("pages/department.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_profile_shows_a_departments_light_records_metrics_and_history_unfolded(demo_db):
    at = _profile("K20")
    texts = [m.value for m in at.markdown]
    assert [t.value for t in at.title] == ["K20 急诊科"]
    assert any(t.startswith("**信号灯：黄") for t in texts), texts  # K20 missed its satisfaction target
    for title in ("**信号灯依据**", "**否决与警示事件**", "**清廉科室创建状态变化**", "**整改通知书**", "**重点任务**"):
        assert title in texts
    # what the light rests on: the missed target, named with its value and target
    records = at.dataframe[0].value
    assert "未达标" in set(records["kind"]) and "患者满意度" in set(records["what"])
    assert [m.label for m in at.metric][:2] == ["患者满意度", "职工满意度"]
    assert at.metric[0].delta.startswith("未达标 · 目标 ≥ 90")
    assert any("■ 红" in c.value and "▲ 黄" in c.value for c in at.caption)  # the legend beside the light
    assert len(figures(at)) >= 3  # one control chart per metric
    assert not at.expander  # nothing to unfold
    back = [p for p in at.get("page_link") if "返回" in p.proto.label]
    assert back and back[0].proto.label == "返回总览"


def test_a_veto_turns_the_profile_red_and_names_the_event(demo_db):
    view = _view(demo_db, "K13", hospital="")
    events = view.events
    # the documented K13 veto (V04) is in the department's events; the quarter's light rests on what it holds
    assert "V04" in set(events["indicator"])
    assert view.known and view.title == "K13 产科"
    assert view.light in ("red", "amber", "green")
    if view.light == "red":
        assert "否决" in set(view.records["kind"])


def test_the_profile_speaks_english(demo_db):
    view = _view(demo_db, "K20", lang="en")
    assert view.light_text.startswith("Light: Amber")
    assert "Target missed" in set(view.records["kind"])
    assert view.event_headers["event_date"] == "Date"


def test_an_unknown_department_is_said_and_the_list_offered(demo_db):
    at = _profile("NOPE", back=None)
    picker = [s for s in at.selectbox if s.label == "科室"][0]
    # no other department shown in its place: the page says so and offers the store's departments to choose from
    assert picker.value is None and list(picker.options) == [f"{c}  {n}" for c, n in auth_names(demo_db)]
    assert [t.value for t in at.title] == ["科室档案"]
    assert any("本库没有科室“NOPE”" in i.value and "请选择一个科室" in i.value for i in at.info)


def auth_names(path) -> list[tuple[str, str]]:
    with store.opened(path) as db:
        d = store.departments(db)
    return list(zip(d["dept_code"], d["dept_name"], strict=True))


@pytest.mark.usefixtures("cheap_hashing")
def test_in_a_group_store_the_profile_is_the_hospitals_own_department(group_store):
    users.add_user("comm", "correct horse 9", "commission")
    at = _profile("K13", back="region", user="comm", hospital="H02")
    texts = [m.value for m in at.markdown]
    assert [t.value for t in at.title] == ["K13 产科"]
    assert any("当前医院：县中医院" in t for t in texts), texts
    back = [p for p in at.get("page_link") if "返回" in p.proto.label]
    assert back and back[0].proto.label == "返回区域总览"


def test_the_side_by_side_tables_lead_with_state_and_deadline(demo_db):
    """Four tables share the screen's width: the columns a leader reads first come first (the events' state, the
    award history's 整改截止, the notice's deadline and days late, the task's deadline) — not cut off at the edge."""
    at = _profile("K13")
    grids = at.dataframe[-4:]
    leading = [list(g.proto.column_order)[:3] for g in grids]
    assert leading == [
        ["event_date", "kind", "status"],
        ["status", "rectify_until", "changed_on"],
        ["state", "due_on", "days_overdue"],
        ["state", "due_on", "title"],
    ], leading


def test_the_profiles_control_charts_name_few_enough_months_to_read_at_a_third_of_the_width(demo_db):
    """Three charts a row: six month labels (the trends page's, drawn full width) ran into each other there
    ("2023年12月2024年6月…"). A third of the width holds three."""
    at = _profile("K20")
    for fig in figures(at):
        ticks = fig["layout"]["xaxis"].get("ticktext") or []
        assert 2 <= len(ticks) <= 3, ticks
