"""The programme kinds (PRODUCT §8): tasks, notices and staff through the one validator and write path —
Chinese and English headers, a title row, GBK, XLSX, preview, all or nothing, batches and rollback — on a real
store file."""

from __future__ import annotations

import io
import json
import sqlite3
from datetime import date

from openpyxl import Workbook

from metrics import store
from metrics.ingest import export, importer
from metrics.ops import cli

DEPTS = (
    "科室编码,科室名称,科室类别\n"
    "K01,心血管内科,临床\nK02,普外科,临床\nK03,检验科,医技\nF01,医务科,职能\nF02,纪检监察室,职能\n"
)

TASKS = (
    "2027年清廉医院建设重点任务责任清单\n"
    "任务编号,任务名称,类别,牵头科室,责任科室,完成时限,进展\n"
    "T01,廉洁风险点排查,风险防范,纪检监察室,全院临床科室,2027-06-30,推进中\n"
    "T02,医德考评,责任落实,F01,检验科、K01；普外科,2027-03-31,已完成\n"
    "T03,清廉文化建设,单元创建,医务科,全院各科室,2027-12-31,\n"
)


def depts(db_file) -> None:
    assert importer.commit(DEPTS.encode("utf-8"), "depts.csv").committed


def rows(db_file, reader) -> list[dict]:
    with store.opened(db_file) as db:
        return reader(db).to_dict("records")


def test_tasks_chinese_file_with_title_row_names_codes_lists_and_categories(db_file):
    depts(db_file)
    report = importer.preview(TASKS.encode("utf-8"), "任务.csv")
    assert (report.kind, report.ok, report.counts["new"]) == ("tasks", True, 3)
    assert rows(db_file, store.tasks) == []  # a preview writes nothing
    assert importer.commit(TASKS.encode("utf-8"), "任务.csv", user="li").committed
    got = {r["task_code"]: r for r in rows(db_file, store.tasks)}
    # 纪检监察室 by name → F02; 全院临床科室 = the two 临床 departments K01, K02 (not 医技 K03)
    assert got["T01"]["lead_dept"] == "F02" and got["T01"]["responsible"] == "K01,K02"
    # a list in 、 and ； of a name, a code and a name, in file order
    assert got["T02"]["responsible"] == "K03,K01,K02" and got["T02"]["status"] == "done"
    # 全院各科室 = every active department (in the list's code order); a blank 进展 is stored as not started
    assert got["T03"]["responsible"] == "F01,F02,K01,K02,K03" and got["T03"]["status"] == "not_started"


def test_tasks_english_gbk_and_xlsx(db_file):
    depts(db_file)
    en = "task_code,title,lead_dept,responsible,due_on,status\nT9,Audit,F01,K01;K03,2027/9/30,in progress\n"
    report = importer.commit(en.encode("gbk"), "t.csv")
    assert report.committed and report.kind == "tasks"
    assert rows(db_file, store.tasks)[0]["status"] == "in_progress"
    report = importer.preview(TASKS.encode("gbk"), "t.csv")
    assert (report.kind, report.encoding, report.ok) == ("tasks", "gb18030", True)
    wb = Workbook()
    ws = wb.active
    ws.append(["任务编号", "任务名称", "牵头科室", "完成时限", "进展"])
    ws.append(["T10", "谈心谈话", "医务科", date(2027, 5, 31), "未启动"])
    buf = io.BytesIO()
    wb.save(buf)
    assert importer.commit(buf.getvalue(), "t.xlsx").committed
    assert {r["task_code"] for r in rows(db_file, store.tasks)} == {"T9", "T10"}


def test_tasks_unknown_department_repeated_code_and_bad_status_are_errors_naming_the_closest(db_file):
    depts(db_file)
    bad = (
        "任务编号,任务名称,牵头科室,责任科室,完成时限,进展\n"
        "T01,a,纪检监查室,K01,2027-06-30,推进中\n"  # a typo'd lead department
        "T02,b,F01,心血管内科、普外刻,2027-06-30,推进中\n"  # one typo'd responsible department
        "T01,c,F01,,2027-06-30,做完了\n"  # the code again, a status that is none
    )
    report = importer.commit(bad.encode("utf-8"), "bad.csv")
    assert not report.committed and rows(db_file, store.tasks) == []  # all or nothing
    got = {(p.line, p.column): p.message for p in report.problems}
    assert set(got) == {(2, "牵头科室"), (3, "责任科室"), (4, "任务编号"), (4, "进展")}
    assert "纪检监查室" in got[(2, "牵头科室")] and "纪检监察室" in got[(2, "牵头科室")]
    assert "普外刻" in got[(3, "责任科室")] and "普外科" in got[(3, "责任科室")]
    assert "第 2 行" in got[(4, "任务编号")]
    assert "未启动" in got[(4, "进展")] and "已取消" in got[(4, "进展")]
    en = importer.preview(bad.encode("utf-8"), "bad.csv", lang="en")
    assert any('closest: "纪检监察室"' in p.message for p in en.problems)


NOTICES = (
    "文号,科室编码,下达日期,整改期限,问题,状态,关联事件\n"
    "纪〔2027〕1号,K01,2027-03-01,2027-04-30,处方点评不合格,,E1\n"
    "纪〔2027〕2号,普外科,2027-03-05,2027-03-31,,已销号,\n"
)


def test_notices_by_code_or_name_defaults_and_english(db_file):
    depts(db_file)
    report = importer.commit(NOTICES.encode("utf-8"), "n.csv")
    assert report.committed and report.kind == "notices"
    got = {r["notice_no"]: r for r in rows(db_file, store.notices)}
    first = got["纪〔2027〕1号"]
    assert (first["notice_type"], first["status"], first["event_id"]) == ("rectification", "rectifying", "E1")
    assert (got["纪〔2027〕2号"]["dept_code"], got["纪〔2027〕2号"]["status"]) == ("K02", "closed")
    en = "notice_no,notice_type,dept_code,issued_on,due_on,status\nN3,纪律检查建议书,K03,2027-04-01,2027-05-01,rectified\n"
    assert importer.commit(en.encode("utf-8"), "n2.csv").committed
    n3 = [r for r in rows(db_file, store.notices) if r["notice_no"] == "N3"][0]
    assert (n3["notice_type"], n3["status"]) == ("discipline", "rectified")


def test_notice_due_before_issue_and_repeated_number_are_errors(db_file):
    depts(db_file)
    bad = (
        "文号,科室编码,下达日期,整改期限\n"
        "N1,K01,2027-03-01,2027-02-28\n"  # due the day before it was issued
        "N2,K01,2027-03-01,2027-03-01\n"  # due the same day: allowed
        "N2,K02,2027-03-02,2027-04-01\n"  # 文号 again
    )
    report = importer.commit(bad.encode("utf-8"), "bad.csv")
    assert not report.committed and rows(db_file, store.notices) == []
    got = {(p.line, p.column): p.message for p in report.problems}
    assert set(got) == {(2, "整改期限"), (4, "文号")}
    assert "2027-03-01" in got[(2, "整改期限")] and "第 3 行" in got[(4, "文号")]


def test_staff_roster_and_rollback_restores_exactly(db_file):
    depts(db_file)
    first = "工号,姓名,科室编码,入科日期\nS1,甲一,K01,2025-03-10\nS2,乙二,心血管内科,2026-03-11\n"
    assert importer.commit(first.encode("utf-8"), "s.csv").committed
    before = rows(db_file, store.staff)
    assert [(r["staff_id"], r["dept_code"], r["active"]) for r in before] == [("S1", "K01", 1), ("S2", "K01", 1)]
    second = "staff_id,name,dept_code,in_dept_since,active\nS2,乙二,K02,2026-06-01,否\nS3,丙三,K03,2020-01-01,是\n"
    report = importer.commit(second.encode("utf-8"), "s2.csv")
    assert report.counts == {"new": 1, "changed": 1, "unchanged": 0, "rejected": 0, "skipped": 0}
    importer.rollback(report.batch_id)
    assert rows(db_file, store.staff) == before


def test_templates_read_back_as_their_kind(db_file):
    depts(db_file)
    for kind in ("tasks", "notices", "staff"):
        for fmt in ("csv", "xlsx"):
            report = importer.preview(export.template_bytes(kind, fmt), f"t.{fmt}")
            assert report.kind == kind, (kind, fmt)
            # the templates name departments that exist in a hospital's list (K01, 纪检监察室 …)
            assert report.ok or all("科室" in p.message for p in report.problems), report.problems


def test_cli_import_kind_tasks_json(db_file, tmp_path, capsys):
    depts(db_file)
    f = tmp_path / "t.csv"
    f.write_bytes(TASKS.encode("utf-8"))
    code = cli.main(["import", str(f), "--kind", "tasks", "--json", "--db", str(db_file)])
    rep = json.loads(capsys.readouterr().out)
    assert code == 0 and rep["kind"] == "tasks" and rep["counts"]["new"] == 3


def test_schema_5_adds_the_programme_tables_to_a_version_4_store(tmp_path):
    path = tmp_path / "old.db"
    with store.opened(path) as db:
        for t in ("tasks", "notices", "staff"):
            db.execute(f"DROP TABLE {t}")
        db.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    for _ in range(2):
        with store.opened(path) as db:
            assert store.get_meta(db, "schema_version") == str(store.SCHEMA_VERSION)
            assert store.tasks(db).empty and store.notices(db).empty and store.staff(db).empty
    conn = sqlite3.connect(path)
    assert [r[1] for r in conn.execute("PRAGMA table_info(staff)")] == [
        "hospital_code",
        "staff_id",
        "name",
        "dept_code",
        "in_dept_since",
        "active",
    ]
    conn.close()


def test_demo_programme_data_by_hand():
    """The demo (end month 2026-10, judged 2026-11-15): 24 tasks, four per aspect, led by the functional and
    administrative offices; three overdue; five notices, one overdue (K20), two tied to the demo's vetoes; the
    roster's one-year line: in since 2025-01-10 (exactly a year before the 2026-01-10 award) gets points,
    2025-01-11 (a day short) does not."""
    from datetime import date

    import pandas as pd

    from metrics.ops import demo
    from metrics.rules import programme

    d = demo.build("2026-10")
    tasks = pd.DataFrame(d["tasks"])
    assert len(tasks) == 24 and tasks["category"].value_counts().tolist() == [4] * 6
    leads = {r[0] for r in demo.DEPARTMENTS if r[2] in ("职能", "行政")}
    assert set(tasks["lead_dept"]) <= leads
    states = programme.task_states(tasks, date(2026, 11, 15))["state"].value_counts()
    assert states["overdue"] == 3 and states["done"] >= 12
    notices = programme.notice_states(pd.DataFrame(d["notices"]), date(2026, 11, 15))
    assert notices.loc[notices["state"] == "overdue", "dept_code"].tolist() == ["K20"]
    vetoes = {e["event_id"] for e in d["events"] if e["kind"] == "veto"}
    assert len([n for n in d["notices"] if n.get("event_id") in vetoes]) == 2
    staff = pd.DataFrame(d["staff"])
    k01 = staff[staff["dept_code"] == "K01"].set_index("in_dept_since")
    assert {"2025-01-10", "2025-01-09", "2025-01-11"} <= set(k01.index)
    pts = programme.appraisal_points(2026, pd.DataFrame(d["award_changes"]), staff, date(2026, 11, 15))
    got = set(pts.loc[pts["dept_code"] == "K01", "in_dept_since"])
    assert "2025-01-10" in got and "2025-01-09" in got and "2025-01-11" not in got
