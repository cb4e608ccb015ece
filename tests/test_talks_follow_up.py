"""A talk's follow-up deadline (PRODUCT §10, §11): open while follow_up_due is set and closed_on empty, due soon (预警)
from half the working days between the talk and the deadline, overdue after it; `remind` sends a department's
overdue and due-soon talk follow-ups to its own contact, naming the talk by number and kind, never the person."""

from __future__ import annotations

from datetime import date

import pandas as pd

from metrics import store
from metrics.ingest import importer
from metrics.ops import cli, remind
from metrics.rules import due

NO_TASKS = pd.DataFrame(columns=["task_code", "title", "lead_dept", "due_on", "status"])
NO_NOTICES = pd.DataFrame(columns=["notice_no", "dept_code", "issued_on", "due_on", "issue", "status"])


def _talks(*rows):
    cols = ["talk_no", "kind", "dept_code", "person", "held_on", "by", "follow_up_due", "closed_on"]
    return pd.DataFrame([dict(zip(cols, r, strict=True)) for r in rows], columns=cols)


def test_an_open_follow_up_is_due_soon_from_half_its_working_days_then_overdue():
    talks = _talks(
        ("T1", "reminder", "K01", "张某某", "2026-11-02", None, "2026-11-27", None),  # 19 working days
        ("T2", "admonition", "K02", "李某某", "2026-10-09", None, "2026-11-30", None),
        ("T3", "reminder", "K01", "王某某", "2026-10-09", None, "2026-11-30", "2026-11-20"),  # closed
        ("T4", "routine", "K01", "赵某某", "2026-10-09", None, None, None),  # no follow-up
    )
    at = lambda d: due.items(NO_TASKS, NO_NOTICES, d, talks=talks)  # noqa: E731
    assert list(at(date(2026, 11, 13))["key"]) == ["T2", "T1"]
    first = at(date(2026, 11, 13)).set_index("key")
    assert first.loc["T1", "state"] == "open" and first.loc["T1", "warn_from"] == "2026-11-16"
    assert at(date(2026, 11, 16)).set_index("key").loc["T1", "state"] == "due_soon"
    late = at(date(2026, 12, 1)).set_index("key")
    assert late.loc["T1", "state"] == "overdue" and late.loc["T2", "days_overdue"] == 1
    assert set(late["kind"]) == {"talk"} and "张某某" not in late.to_string()


def test_remind_sends_a_departments_overdue_talks_to_its_contact_without_names(tmp_path):
    db = tmp_path / "s.db"
    files = (
        "科室编码,科室名称,科室类别\nK01,心内科,临床\nK02,普外科,临床\n",
        "联系人类型,科室编码,姓名,邮箱\n科室负责人,K01,甲,k01@example.org\n科室负责人,K02,乙,k02@example.org\n",
        "谈话编号,谈话类型,科室编码,谈话对象,谈话日期,整改回访期限\n"
        "谈〔2026〕3号,诫勉谈话,K01,张某某,2026-10-09,2026-11-30\n"
        "谈〔2026〕4号,廉政谈话,K02,李某某,2026-10-09,\n",
    )
    for i, data in enumerate(files):
        assert importer.commit(data.encode(), f"f{i}.csv", db_path=db).committed
    with store.opened(db) as conn:
        planned = remind.plan(conn, date(2026, 12, 7))
    to = {m.address: m for m in planned if m.audience == "dept"}
    assert set(to) == {"k01@example.org"}
    text = to["k01@example.org"].text
    assert "谈话记录 谈〔2026〕3号「诫勉谈话」，回访期限 2026年11月30日，已逾期 7 天" in text
    assert "张某某" not in text and "张某某" not in to["k01@example.org"].markdown
    assert to["k01@example.org"].journal == (("talk", "谈〔2026〕3号", "overdue"),)
    assert cli.main(["remind", "--dry-run", "--as-of", "2026-12-07", "--db", str(db)]) == 0


def test_a_hostile_talk_number_stays_one_line_of_text_in_the_reminder(tmp_path):
    db = tmp_path / "s.db"
    files = (
        "科室编码,科室名称,科室类别\nK01,心内科,临床\n",
        "联系人类型,科室编码,姓名,邮箱,机器人地址\n科室负责人,K01,甲,k01@example.org,https://robot.example.org/x\n",
        "谈话编号,谈话类型,科室编码,谈话对象,谈话日期,整改回访期限\n"
        '"[点我](http://evil.example)\nBcc: all@example.org",提醒谈话,K01,<b>张</b>,2026-10-09,2026-11-30\n',
    )
    for i, data in enumerate(files):
        assert importer.commit(data.encode(), f"f{i}.csv", db_path=db).committed
    with store.opened(db) as conn:
        planned = remind.plan(conn, date(2026, 12, 7))
    robot = next(m for m in planned if m.channel == "webhook")
    mail = next(m for m in planned if m.channel == "email")
    assert "\nBcc:" not in mail.text and "](http" not in robot.markdown
    assert "［点我］" in robot.markdown and "<b>" not in robot.markdown + mail.text  # safe.robot_text
