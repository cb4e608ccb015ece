"""The key tasks view-model, the notices register and the W03 整改逾期 warning (PRODUCT §4.3, §6, §8), on
a real store, every expectation worked out by hand: a task due today is not overdue, the day after it is; a notice
past its deadline and not closed makes its department amber in the lights and shows on its trends page."""

from __future__ import annotations

from datetime import date, timedelta

from metrics import clock, i18n, store
from metrics.ingest import importer
from metrics.rules import periods
from metrics.views import ViewKey, events, tasks, trends

DEPTS = (
    "科室编码,科室名称,科室类别\n"
    "K01,心血管内科,临床\nK02,普外科,临床\nT01,检验科,医技\nF01,医务科,职能\nG01,党政综合办公室,行政\n"
)
# Judged on 2027-05-15 (Q2 2027: 04-01 … 06-30).
TODAY = date(2027, 5, 15)
TASKS = (
    "任务编号,任务名称,类别,牵头科室,责任科室,完成时限,进展,进展说明\n"
    "A1,排查廉洁风险,风险防范,F01,全院临床科室,2027-05-14,推进中,第一轮已完成\n"  # due yesterday: overdue 1 day
    "A2,述责述廉,责任落实,F01,K01,2027-05-15,推进中,\n"  # due today: not overdue, due this quarter
    "A3,签订责任书,政治统领,G01,全院各科室,2027-03-31,已完成,已归档\n"  # done
    "A4,文化墙建设,单元创建,G01,T01,2027-06-30,未启动,\n"  # due this quarter
    "A5,年度评估,实践创新,F01,F01,2027-12-31,未启动,\n"  # later: open
    "A6,专项治理,重点突破,G01,K02,2027-01-31,推进中,\n"  # overdue 104 days (Jan 31 → May 15)
    "A7,取消的任务,,G01,K02,2027-01-31,已取消,\n"  # cancelled: never overdue
)


def fill(db_file, notices: str | None = None) -> None:
    for name, text in (("d.csv", DEPTS), ("t.csv", TASKS)) + ((("n.csv", notices),) if notices else ()):
        report = importer.commit(text.encode("utf-8"), name)
        assert report.committed, report.problems


def key(db_file, lang="zh", **choices) -> ViewKey:
    with store.opened(db_file) as db:
        version = store.data_version(db)
    return ViewKey.of(str(db_file), version, lang, **choices)


def test_list_states_order_and_shapes(db_file):
    fill(db_file)
    v = tasks.build(key(db_file, dept="", today=TODAY))
    assert v.counts == "逾期 2 · 本季度到期 2 · 已完成 1 · 共 7 项"
    # overdue first (most days late first), then due this quarter, open, done, cancelled; a shape by every colour
    assert list(zip(v.tasks["state"], v.tasks["task_code"])) == [
        ("■ 逾期", "A6"),
        ("■ 逾期", "A1"),
        # due this quarter and past half their working days since 1 January: 预警 (PRODUCT §11)
        ("▲ 预警（即将到期）", "A2"),
        ("▲ 预警（即将到期）", "A4"),
        ("○ 未到期", "A5"),
        ("● 已完成", "A3"),
        ("× 已取消", "A7"),
    ]
    first = v.tasks.iloc[1]
    assert (first["lead"], first["responsible"], first["due_on"], first["status"], first["progress"]) == (
        "医务科",
        "心血管内科、普外科",
        "2027年5月14日",
        "推进中",
        "第一轮已完成",
    )
    assert v.tasks.iloc[5]["responsible"] == "全院各科室"
    assert "%23" in v.tasks.iloc[0]["marker"]  # a coloured marker image (red square) beside the word


def test_the_day_after_the_due_date_is_overdue_the_due_date_is_not(db_file):
    fill(db_file)
    on_due = tasks.build(key(db_file, today=date(2027, 5, 15)))
    after = tasks.build(key(db_file, today=date(2027, 5, 16)))
    state = lambda v, c: v.tasks.set_index("task_code").at[c, "state"]  # noqa: E731
    assert state(on_due, "A2") == "▲ 预警（即将到期）" and state(after, "A2") == "■ 逾期"


def test_by_aspect_in_plan_order_and_by_lead_most_overdue_first(db_file):
    fill(db_file)
    v = tasks.build(key(db_file, today=TODAY))
    assert v.by_aspect.values.tolist() == [
        ["政治统领", 1, 0, 0, 1],
        ["责任落实", 1, 0, 1, 0],
        ["风险防范", 1, 1, 0, 0],
        ["重点突破", 1, 1, 0, 0],
        ["单元创建", 1, 0, 1, 0],
        ["实践创新", 1, 0, 0, 0],
        ["（未分类）", 1, 0, 0, 0],
    ]
    # 医务科: A1 overdue, A2 due, A5; 党政综合办公室: A6 overdue, A4 due, A3 done, A7 — tie on overdue and due → code
    assert v.by_lead.values.tolist() == [["医务科", 3, 1, 1, 0], ["党政综合办公室", 4, 1, 1, 1]]


def test_filter_to_a_department_as_lead_or_as_responsible(db_file):
    fill(db_file)
    # K02 普外科 leads nothing; responsible for A1 (全院临床科室), A3 (全院各科室), A6 and A7
    v = tasks.build(key(db_file, dept="K02", today=TODAY))
    assert sorted(v.tasks["task_code"]) == ["A1", "A3", "A6", "A7"]
    # F01 医务科 leads A1, A2, A5 and is among 全院各科室 of A3
    v = tasks.build(key(db_file, dept="F01", today=TODAY))
    assert sorted(v.tasks["task_code"]) == ["A1", "A2", "A3", "A5"]
    assert v.dept_options == ("", "F01", "G01", "K01", "K02", "T01")


def test_english_labels(db_file):
    fill(db_file)
    v = tasks.build(key(db_file, "en", today=TODAY))
    assert v.counts == "Overdue 2 · due this quarter 2 · done 1 · 7 tasks"
    assert v.tasks.iloc[0]["state"] == "■ Overdue" and v.tasks.iloc[0]["due_on"] == "31 Jan 2027"
    assert v.headers["lead"] == "Lead department"


def test_update_task_goes_through_the_validator_as_one_batch(db_file):
    fill(db_file)
    report = tasks.update_task(str(db_file), "A1", "done", "两轮排查完成", user="ed", lang="zh", today=TODAY)
    assert report.committed and report.counts["changed"] == 1
    with store.opened(db_file) as db:
        row = store.tasks(db).set_index("task_code").loc["A1"]
        audit = store.audit_entries(db, actions=["task_edit"])
    assert (row["status"], row["progress"], row["updated_on"]) == ("done", "两轮排查完成", "2027-05-15")
    assert row["responsible"] == "K01,K02"  # the rest of the row as stored
    assert audit.iloc[0]["user"] == "ed"
    v = tasks.build(key(db_file, today=TODAY))
    assert v.tasks.set_index("task_code").at["A1", "state"] == "● 已完成"
    again = tasks.update_task(str(db_file), "A1", "done", "两轮排查完成", user="ed", lang="zh", today=TODAY)
    assert not again.committed and not again.problems  # nothing changed, nothing written


# --- notices: the register and the automatic W03 warning (judged today: the lights read today's notices) ---------


def _notices_relative() -> str:
    t = clock.today()
    d = lambda n: (t + timedelta(days=n)).isoformat()  # noqa: E731
    return (
        "文号,科室编码,下达日期,整改期限,状态,关联事件\n"
        f"N-LATE,K01,{d(-40)},{d(-1)},整改中,\n"  # deadline yesterday: overdue 1 day → W03 for K01
        f"N-TODAY,K02,{d(-40)},{d(0)},整改中,\n"  # deadline today: not overdue yet
        f"N-DONE,T01,{d(-40)},{d(-5)},已销号,\n"  # closed: never overdue
        f"N-CHECK,F01,{d(-40)},{d(-3)},已整改,\n"  # rectified awaiting the check and late: overdue too
    )


def test_overdue_notice_is_a_w03_warning_in_the_lights_and_on_the_trends_page(db_file):
    fill(db_file, _notices_relative())
    q = periods.period_of(clock.today().isoformat()[:7], "quarter")
    codes = "K01\nK02\nT01\nF01\nG01"
    # the first overdue day (today) falls in this quarter
    v = events.build(key(db_file, grain="quarter", period=q, depts=codes))
    lights = v.lights.set_index("dept_code")
    assert lights.at["K01", "light_label"] == "黄" and lights.at["K01", "warnings"] == 1
    assert lights.at["F01", "light_label"] == "黄"
    assert lights.at["K02", "light_label"] == "无数据" and lights.at["T01", "light_label"] == "无数据"
    # on K01's trends page: a confirmed W03 warning on the first overdue day (today), named by the notice's 文号
    shown = trends.build(key(db_file, dept="K01"))
    assert shown.events.values.tolist() == [[i18n.fmt_date(clock.today(), "zh"), "警示", "W03", "N-LATE", "已认定"]]
    assert trends.build(key(db_file, dept="K02")).events.empty  # due today: not yet


def test_notices_register_open_overdue_closed_and_the_linked_event(db_file):
    fill(db_file)
    importer.commit(
        "发生日期,科室编码,类型,指标,事件描述,事件编号\n2027-03-02,K01,否决,V04,收受红包,EV1\n".encode(), "e.csv"
    )
    notices = (
        "文号,科室编码,下达日期,整改期限,状态,关联事件,问题\n"
        "N1,K01,2027-03-10,2027-05-10,整改中,EV1,红包问题整改\n"
        "N2,K02,2027-03-10,2027-06-10,整改中,,\n"
        "N3,T01,2027-01-10,2027-02-10,已销号,,\n"
    )
    assert importer.commit(notices.encode(), "n.csv").committed
    v = tasks.notices(key(db_file, today=TODAY))
    assert v.counts == "逾期 1 · 整改中 1 · 已销号 1"
    # N2 (10 Mar → 10 Jun) is past half its working days on 15 May: 预警 (PRODUCT §11)
    assert list(zip(v.rows["state"], v.rows["notice_no"])) == [
        ("■ 逾期", "N1"),
        ("▲ 预警（即将到期）", "N2"),
        ("● 已销号", "N3"),
    ]
    assert v.rows["days_overdue"].tolist() == ["5", "—", "—"]  # May 10 → 15
    assert v.rows.iloc[0]["event"].startswith("2027年3月2日 V04 违反中央八项规定")
    only = tasks.notices(key(db_file, today=TODAY, depts="K02"))
    assert list(only.rows["notice_no"]) == ["N2"]
