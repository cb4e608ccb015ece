"""Cost bombs (PRODUCT §3.3, §8): a 责任科室 cell of thousands of 全院各科室 and a large tasks file cost what their
answer costs (the department lookup is built once a file, membership by set); one cell limit for every way in —
a page editor's row, a script's, the demo's — the same 32,767 characters a file's cell may hold.
(Timings belong to `make bench`, section programme: python -m bench.programme_cost.)"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics import store
from metrics.ingest import importer, limits
from metrics.rules import programme
from metrics.views import tasks as tasks_view

DEPTS = pd.DataFrame(
    {
        "dept_code": [f"D{i:03d}" for i in range(340)],
        "dept_name": [f"科室{i:03d}" for i in range(340)],
        "category": ["临床" if i % 2 else "医技" for i in range(340)],
        "active": [0 if i == 7 else 1 for i in range(340)],
    }
)


def test_a_cell_of_thousands_of_whole_hospitals_names_each_active_department_once_in_order():
    codes, unknown = programme.responsible_codes("、".join(["全院各科室"] * 5400 + ["D007", "全院临床科室"]), DEPTS)
    active = [c for c in DEPTS["dept_code"] if c != "D007"]
    assert codes == [*active, "D007"] and unknown == []


def test_a_tasks_file_builds_the_department_lookup_once_not_once_a_row(demo_db, monkeypatch):
    """A lookup per row filtered the department frame per row: 100 k tasks took 134 s against 19 s of notices."""
    built = []
    real = programme.dept_lookup
    monkeypatch.setattr(programme, "dept_lookup", lambda frame: built.append(len(frame)) or real(frame))
    rows = "\n".join(f"T{i},任务,K01,K01、K20、全院临床科室,2026-12-31" for i in range(300))
    data = f"任务编号,任务名称,牵头科室,责任科室,完成时限\n{rows}\n".encode()
    report = importer.preview(data, "t.csv", "tasks", db_path=demo_db)
    assert not report.problems and report.counts["new"] == 300
    assert len(built) == 1


def _task(note: str) -> dict:
    return {"task_code": "T900", "title": "整改", "lead_dept": "K01", "due_on": "2026-12-31", "progress": note}


def _by_script(db, note):
    return importer.commit_rows("tasks", [_task(note)], source="script", user="editor1", db_path=db), "T900"


def _by_tasks_page(db, note):
    with store.opened(db) as conn:
        code = store.tasks(conn)["task_code"].iloc[0]
    report = tasks_view.update_task(
        str(db), code, "in_progress", note, user="editor1", lang="zh", today=date(2026, 11, 20)
    )
    return report, code


@pytest.mark.parametrize("way_in", [_by_tasks_page, _by_script], ids=["tasks page", "script"])
def test_a_row_with_a_note_over_the_cell_limit_is_refused_whatever_the_way_in(demo_db, way_in):
    limit = limits.DEFAULT.cell_chars
    report, code = way_in(demo_db, "长" * (limit + 1))
    assert not report.committed
    said = " ".join(p.message for p in report.problems)
    assert f"{limit:,}" in said and "进展说明" in said, said
    assert all(len(p.value) < 100 for p in report.problems)  # the message does not carry the cell back
    with store.opened(demo_db) as db:
        notes = store.tasks(db).set_index("task_code")["progress"]
    assert len(str(notes.get(code, ""))) <= limit
    ok, _ = way_in(demo_db, "长" * limit)
    assert ok.committed, ok.problems
