"""PRODUCT §6: a past quarter is judged at its last day — tasks, notices (only those issued by then), W03, award
states and rectifications as they stood then — and a running quarter on the day passed in, never the wall clock."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd

from metrics import briefing, store
from metrics.rules import programme

TODAY = date(2026, 12, 7)  # the demo ends in October 2026; "today" is fixed, so the test reads the same every day


def _pptx_text(data: bytes) -> str:
    from pptx import Presentation

    prs = Presentation(io.BytesIO(data))
    out = []
    for s in prs.slides:
        for sh in s.shapes:
            if sh.has_text_frame:
                out.append(sh.text_frame.text)
            if sh.has_table:
                out += [c.text for r in sh.table.rows for c in r.cells]
    return "\n".join(out)


def test_a_past_quarter_lists_only_the_notices_issued_by_its_last_day(demo_db):
    """2026Q2: the demo's notices issued in July and September 2026 did not exist on 30 June."""
    with store.opened(demo_db) as db:
        notices = store.notices(db)
        b = briefing.build(db, "2026-Q2", "zh", today=TODAY)
    late = notices[notices["issued_on"] > "2026-06-30"]["notice_no"].tolist()
    assert late, "the demo issues notices after 2026Q2"
    assert not set(b.notices["notice_no"]) & set(late), b.notices["notice_no"].tolist()
    shown = _pptx_text(briefing.to_pptx(b)) + briefing.to_html(b)
    for no in late:
        assert no not in shown, no


def test_a_notice_closed_after_the_quarter_is_open_on_its_last_day(demo_db):
    """2025Q2: 纪检整改〔2025〕3号 was issued 19 June and closed 10 September — open on 30 June 2025."""
    with store.opened(demo_db) as db:
        n = store.notices(db)
        row = n[(n["issued_on"] <= "2025-06-30") & (n["closed_on"] > "2025-06-30")].iloc[0]
        b = briefing.build(db, "2025-Q2", "zh", today=TODAY)
    assert row["notice_no"] in set(b.notices["notice_no"])
    assert b.notices.set_index("notice_no").at[row["notice_no"], "state"] == "open"


def test_a_task_done_after_the_quarter_is_still_due_on_its_last_day():
    tasks = pd.DataFrame(
        {
            "task_code": ["A", "B"],
            "due_on": ["2026-05-31", "2026-06-30"],
            "status": ["done", "done"],
            "updated_on": ["2026-07-15", "2026-06-20"],
        }  # fmt: skip
    )
    then = programme.task_states(programme.tasks_as_of(tasks, date(2026, 6, 30)), date(2026, 6, 30))
    assert then.set_index("task_code")["state"].to_dict() == {"A": "overdue", "B": "done"}


def test_a_running_quarter_is_judged_on_the_day_passed_in(demo_db):
    """2026Q4 on 7 December: a task due 30 November and not done is 7 days overdue; on 15 November it is due this
    quarter — whatever the machine's clock says."""
    with store.opened(demo_db) as db:
        tasks = store.tasks(db)
        late = tasks[(tasks["due_on"] == "2026-11-30") & (tasks["status"] != "done")]["task_code"].tolist()
        dec = briefing.build(db, "2026-Q4", "zh", today=TODAY)
        nov = briefing.build(db, "2026-Q4", "zh", today=date(2026, 11, 15))
    assert late
    d, n = dec.tasks.set_index("task_code"), nov.tasks.set_index("task_code")
    assert d.at[late[0], "state"] == "overdue" and int(d.at[late[0], "days_overdue"]) == 7
    assert n.at[late[0], "state"] == "due_quarter"
    assert "进行中" in nov.period_label  # running on 15 November 2026
    after = None
    with store.opened(demo_db) as db:
        after = briefing.build(db, "2026-Q4", "zh", today=date(2027, 1, 2))
    assert "进行中" not in after.period_label  # no longer running once the year has turned
