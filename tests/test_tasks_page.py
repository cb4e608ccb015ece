"""The 重点任务 page through AppTest (PRODUCT §8), on the demo store: what a viewer sees in zh and en, in order; the
department filter; an editor updates a task's status and note in place; viewers get no editor."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics import clock, store
from tests.conftest import page_as

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")


pytestmark = pytest.mark.usefixtures("cheap_hashing")


def _page(lang: str = "zh", role: str | None = None) -> AppTest:
    return page_as("pages/tasks.py", "ed" if role else None, role, lang)


def _frames(at: AppTest) -> list:
    return [d.value for d in at.dataframe]


def _counted_by_hand(path) -> tuple[int, int]:
    """(overdue, due this quarter) of the store's tasks today, by the rule of PRODUCT §8 written out plainly: not
    done or cancelled, and past the due date (overdue) or due by the quarter's end. The demo's dates follow today,
    so the figures move with the calendar (three overdue on 30 November 2026, four the day after)."""
    today = clock.today()
    q_end = date(today.year + (today.month > 9), (3 * ((today.month - 1) // 3) + 3) % 12 + 1, 1) - timedelta(days=1)
    with store.opened(path) as db:
        tasks = store.tasks(db)
    open_ = tasks[~tasks["status"].isin(["done", "cancelled"])]
    overdue = int((open_["due_on"] < today.isoformat()).sum())
    due = int(open_["due_on"].between(today.isoformat(), q_end.isoformat()).sum())
    return overdue, due


def test_viewer_sees_counts_aspects_leads_list_and_notices_in_chinese(demo_db):
    at = _page()
    assert at.title[0].value == "重点任务"
    overdue, due = _counted_by_hand(demo_db)
    assert overdue >= 3  # the demo keeps some tasks overdue whatever the day
    assert at.markdown[0].value.startswith(f"#### 逾期 {overdue} · 本季度到期 {due} · ")
    assert [s.value for s in at.subheader] == ["按类别", "按牵头科室", "任务清单", "任务进展", "整改通知书"]
    aspects, leads, listed, notices = _frames(at)
    assert list(aspects["category"]) == ["政治统领", "责任落实", "风险防范", "重点突破", "单元创建", "实践创新"]
    assert aspects["total"].tolist() == [4] * 6
    assert leads.iloc[0]["overdue"] >= leads.iloc[-1]["overdue"]
    assert list(listed["state"][:overdue]) == ["■ 逾期"] * overdue
    assert list(notices["state"][:1]) == ["■ 逾期"] and "急诊科" in notices.iloc[0]["dept"]
    assert not [b for b in at.button if b.label == "保存"] and not at.text_area  # no editor for a viewer
    # the first task's whole progress note, for everyone
    assert any("已按期完成并归档" in m.value for m in at.markdown)


def test_english_page_and_the_department_filter(demo_db):
    at = _page("en")
    assert at.title[0].value == "Key tasks"
    assert [s.value for s in at.subheader] == [
        "By aspect",
        "By lead department",
        "Task list",
        "Task progress",
        "Rectification notices",
    ]
    at.selectbox(key="tasks_dept").set_value("K20").run()
    assert not at.exception
    _aspects, _leads, listed, notices = _frames(at)
    # K20 急诊科 leads nothing; it is responsible for 急诊服务流程 (K20、K21) and every 全院/临床 task
    assert 0 < len(listed) < 24 and "急诊服务流程与收费规范整改" in set(listed["title"])
    assert "清廉护理单元创建" in set(listed["title"])  # 全院临床科室 includes K20
    assert "药品耗材采购关键岗位轮岗" not in set(listed["title"])  # 全院医技科室 does not
    (only,) = notices["notice_no"]  # only K20's notice, the overdue one
    assert only.endswith("8号") and notices.iloc[0]["state"] == "■ Overdue"


def test_editor_updates_a_task_in_place(demo_db):
    at = _page(role="editor")
    with store.opened(demo_db) as db:
        t = store.tasks(db)
    code = t[t["status"] == "in_progress"]["task_code"].iloc[0]
    at.selectbox(key="task_pick").set_value(code).run()
    at.selectbox(key=f"task_status_{code}").set_value("done")
    at.text_area(key=f"task_note_{code}").set_value("验收完成 <b>ok</b>")
    next(b for b in at.button if b.label == "保存").click()
    at.run()
    assert not at.exception, at.exception
    assert any(f"已保存任务 {code}" in s.value for s in at.success), [s.value for s in at.success]
    with store.opened(demo_db) as db:
        row = store.tasks(db).set_index("task_code").loc[code]
    assert (row["status"], row["progress"]) == ("done", "验收完成 <b>ok</b>")
    listed = _frames(at)[2].set_index("task_code")
    assert listed.at[code, "state"] == "● 已完成" and listed.at[code, "progress"] == "验收完成 <b>ok</b>"
    # the note as written, escaped for Markdown: no HTML is rendered
    assert any("验收完成 \\<b\\>ok\\</b\\>" in m.value for m in at.markdown), [m.value for m in at.markdown]
