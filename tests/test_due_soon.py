"""Due soon (预警) from half the working days between issue and deadline (PRODUCT §11, §4.1): hand-worked across
国庆 2025 (1–8 Oct off, Sun 28 Sep and Sat 11 Oct worked) and 春节 2026 (15–23 Feb off, Sat 14 and Sat 28 Feb
worked)."""

from datetime import date

import pandas as pd

from metrics import briefing, store
from metrics.ingest import importer
from metrics.rules import due
from metrics.rules.workdays import Calendar


def test_national_day_2025():
    # Issued Fri 26 Sep, due Wed 15 Oct. Working days after the issue: 28 Sep (班), 29, 30 Sep, 9, 10, 11 (班),
    # 13, 14, 15 Oct = 9; due soon from the 5th: Fri 10 Oct. (Monday–Friday would say 13 days and 7 Oct.)
    issued, deadline = date(2025, 9, 26), date(2025, 10, 15)
    assert due.working_days_between(issued, deadline) == 9
    assert due.due_soon_from(issued, deadline) == date(2025, 10, 10)
    assert due.state_on(issued, deadline, date(2025, 10, 9)) == "open"
    assert due.state_on(issued, deadline, date(2025, 10, 10)) == "due_soon"
    assert due.state_on(issued, deadline, date(2025, 10, 15)) == "due_soon"
    assert due.state_on(issued, deadline, date(2025, 10, 16)) == "overdue"


def test_spring_festival_2026():
    # Issued Tue 10 Feb, due Tue 3 Mar. Working days after: 11, 12, 13, 14 (班), 24, 25, 26, 27, 28 (班) Feb, 2, 3 Mar
    # = 11; due soon from the 6th: Wed 25 Feb — the nine days off do not count.
    issued, deadline = date(2026, 2, 10), date(2026, 3, 3)
    assert due.working_days_between(issued, deadline) == 11
    assert due.due_soon_from(issued, deadline) == date(2026, 2, 25)
    assert due.state_on(issued, deadline, date(2026, 2, 24)) == "open"
    assert due.state_on(issued, deadline, date(2026, 2, 25)) == "due_soon"


def test_the_office_calendar_counts():
    # The office enters Sun 22 Feb 2026 as a worked day: 12 working days, the 6th is Tue 24 Feb.
    cal = Calendar((("2026-02-22", "work", "调休上班"),))
    assert due.working_days_between(date(2026, 2, 10), date(2026, 3, 3), cal) == 12
    assert due.due_soon_from(date(2026, 2, 10), date(2026, 3, 3), cal) == date(2026, 2, 24)


def test_no_working_day_in_between_is_due_soon_at_once():
    # Issued on the eve of 国庆, due on its last day: nothing to halve, due soon from the issue.
    assert due.due_soon_from(date(2025, 9, 30), date(2025, 10, 8)) == date(2025, 9, 30)


def test_items_by_department_and_state():
    notices = pd.DataFrame(
        [
            dict(
                notice_no="N1",
                dept_code="K01",
                issued_on="2025-09-26",
                due_on="2025-10-15",
                issue="x",
                status="rectifying",
            ),
            dict(
                notice_no="N2",
                dept_code="K02",
                issued_on="2025-09-01",
                due_on="2025-10-09",
                issue="y",
                status="rectifying",
            ),
            dict(
                notice_no="N3", dept_code="K02", issued_on="2025-09-01", due_on="2025-10-09", issue="z", status="closed"
            ),
        ]
    )
    # A task's span starts on 1 January of its deadline's year (tasks carry no issue date).
    tasks = pd.DataFrame(
        [dict(task_code="T1", title="排查", lead_dept="K03", due_on="2025-12-31", status="in_progress")]
    )
    got = due.items(tasks, notices, date(2025, 10, 10))
    assert list(zip(got["kind"], got["key"], got["dept_code"], got["state"], strict=True)) == [
        ("notice", "N2", "K02", "overdue"),
        ("notice", "N1", "K01", "due_soon"),
        ("task", "T1", "K03", "due_soon"),
    ]
    assert got.loc[0, "days_overdue"] == 1
    assert due.due_soon_keys(tasks, notices, date(2025, 10, 10)) == (frozenset({"T1"}), frozenset({"N1"}))


def test_slide_5_marks_what_is_due_soon(db_file):
    # Judged on Fri 10 Oct 2025: N1 (26 Sep → 15 Oct) is past half its working days across 国庆, N2 (9 Oct → 31 Dec)
    # is not; the task due 31 Dec (its span from 1 January) is.
    files = (
        "科室编码,科室名称,科室类别\nK01,心血管内科,临床\nK02,普外科,临床\n",
        "文号,科室编码,下达日期,整改期限,状态\nN1,K01,2025-09-26,2025-10-15,整改中\nN2,K02,2025-10-09,2025-12-31,整改中\n",
        "任务编号,任务名称,牵头科室,完成时限,进展\nT1,廉洁风险排查,K01,2025-12-31,推进中\n",
        "月份,科室编码,患者满意度\n2025-10,K01,95\n",
    )
    for n, text in enumerate(files):
        assert importer.commit(text.encode(), f"f{n}.csv").committed
    with store.opened(db_file) as db:
        b = briefing.build(db, "2025-Q4", "zh", today=date(2025, 10, 10))
    assert [(r[0], r[3]) for r in briefing.notices_table(b).rows] == [("N1", "▲ 预警（即将到期）"), ("N2", "整改中")]
    assert [(r[1], r[3]) for r in briefing.tasks_table(b).rows] == [("廉洁风险排查", "▲ 预警（即将到期）")]
