"""Import follow-ups (PRODUCT §3): the error report keeps the rejected rows as written and can be uploaded again once
corrected; a department name that differs from the list is a warning; party members ≤ staff against the stored
value; ``--kind`` on a multi-sheet XLSX reads the sheet holding that kind."""

from __future__ import annotations

import csv as csvmod
import io
import json
import sqlite3
from pathlib import Path

import pytest
from openpyxl import Workbook

from metrics import store
from metrics.ingest import export, importer
from metrics.ops import cli
from tests.conftest import page_as

ROOT = Path(__file__).resolve().parent.parent


def rows_of(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel opens it as UTF-8
    return list(csvmod.reader(io.StringIO(data.decode("utf-8-sig"))))


def values(db_file) -> dict:
    with store.opened(db_file) as db:
        df = store.metric_values(db)
    return {(r.dept_code, r.month, r.metric): r.value for r in df.itertuples()}


# A GBK file with a title row and a header with stray spaces; two of its three rows are bad.
BAD = (
    "2024年5月科室满意度统计表\n"
    "月份, 科室编码 ,科室名称,患者满意度,职工满意度,投诉件数\n"
    "2024-05,K01,心血管内科,95,91,0\n"  # line 3: good
    "2024-05,K02,呼吸内科,abc,120,1\n"  # line 4: two problems
    '2024-05,K03,=HYPERLINK("x"),96,90,-1\n'  # line 5: complaints below 0; a name Excel would run as a formula
).encode("gbk")


def _commit_bad(db_file) -> importer.ImportReport:
    report = importer.commit(BAD, "五月.csv", skip_invalid=True, user="li")
    assert report.committed and report.counts["new"] == 1 and report.counts["rejected"] == 2
    return report


def test_skip_invalid_keeps_every_cell_of_the_rejected_rows_with_the_batch(db_file):
    report = _commit_bad(db_file)
    with store.opened(db_file) as db:
        rejects = store.batch_rejects(db, report.batch_id)
    kept = {int(r.line): json.loads(r.row_json) for r in rejects.itertuples()}
    assert set(kept) == {4, 5}
    assert kept[4]["header"] == ["月份", " 科室编码 ", "科室名称", "患者满意度", "职工满意度", "投诉件数"]  # as written
    assert kept[4]["cells"] == ["2024-05", "K02", "呼吸内科", "abc", "120", "1"]
    assert kept[5]["cells"][2] == '=HYPERLINK("x")' and kept[5]["cells"][5] == "-1"


def test_error_report_is_the_original_rows_with_line_and_every_reason(db_file):
    report = _commit_bad(db_file)
    with store.opened(db_file) as db:
        rows = rows_of(export.error_report_bytes(store.batch_rejects(db, report.batch_id)))
    assert rows[0] == ["月份", " 科室编码 ", "科室名称", "患者满意度", "职工满意度", "投诉件数", "行号", "错误说明"]
    assert len(rows) == 3  # one row per rejected line, not per problem
    assert rows[1][:7] == ["2024-05", "K02", "呼吸内科", "abc", "120", "1", "4"]
    assert rows[1][7] == "患者满意度：不是数字。；职工满意度：大于上限 100。"
    assert rows[2][2] == '\'=HYPERLINK("x")'  # neutralised: Excel shows it as text
    assert rows[2][5] == "-1"  # a plain negative number is not a formula: left as written
    assert rows[2][6] == "5" and "投诉件数" in rows[2][7]
    # the preview offers the same report before anything is committed
    assert export.csv_bytes(importer.preview(BAD, "五月.csv").error_report()) == export.error_report_bytes(
        _batch_rejects(db_file, report.batch_id)
    )


def _batch_rejects(db_file, batch_id):
    with store.opened(db_file) as db:
        return store.batch_rejects(db, batch_id)


def test_corrected_error_report_uploads_again_as_is(db_file):
    report = _commit_bad(db_file)
    text = export.error_report_bytes(_batch_rejects(db_file, report.batch_id)).decode("utf-8-sig")
    fixed = text.replace(",abc,120,", ",88,89,").replace(",-1,5,", ",1,5,")  # what staff would correct in Excel
    done = importer.commit(fixed.encode("utf-8-sig"), "五月_errors.csv", user="li")
    assert done.committed, done.problems  # 行号 and 错误说明 are accepted, not unknown columns
    assert done.counts == {"new": 2, "changed": 0, "unchanged": 0, "rejected": 0, "skipped": 0}
    v = values(db_file)
    assert v[("K02", "2024-05", "patient_satisfaction")] == 88 and v[("K03", "2024-05", "complaints")] == 1
    with store.opened(db_file) as db:
        names = dict(store.departments(db)[["dept_code", "dept_name"]].itertuples(index=False, name=None))
    assert names["K03"] == '=HYPERLINK("x")'  # the neutralising apostrophe does not end up in the store


def test_english_error_report_headers_are_accepted_too(db_file):
    report = importer.preview(BAD, "may.csv", lang="en")
    rows = rows_of(export.csv_bytes(report.error_report("en")))
    assert (
        rows[0][-2:] == ["Line", "Errors"]
        and rows[1][-1] == "患者满意度: Not a number.; 职工满意度: Above the maximum 100."
    )
    back = "\r\n".join(",".join(r) for r in [rows[0], ["2024-05", "K02", "呼吸内科", "88", "89", "1", "4", ""]])
    assert importer.preview(back.encode(), "back.csv").ok


def test_old_store_gains_row_json_and_keeps_its_rejects(tmp_path):
    path = tmp_path / "old.db"
    con = sqlite3.connect(path)  # a store as schema version 1 left it
    con.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);"
        "INSERT INTO meta VALUES ('schema_version', '1'), ('data_version', '7');"
        "CREATE TABLE batches (batch_id INTEGER PRIMARY KEY AUTOINCREMENT, file_name TEXT, sha256 TEXT,"
        " kind TEXT NOT NULL, user TEXT, created_at TEXT NOT NULL, encoding TEXT, rows_new INTEGER DEFAULT 0,"
        " rows_changed INTEGER DEFAULT 0, rows_unchanged INTEGER DEFAULT 0, rows_rejected INTEGER DEFAULT 0,"
        " rows_skipped INTEGER DEFAULT 0, status TEXT NOT NULL DEFAULT 'committed', rolled_back_at TEXT,"
        " rolled_back_by TEXT);"
        "INSERT INTO batches (file_name, kind, created_at, rows_rejected) VALUES ('old.csv', 'metrics', '2024', 1);"
        "CREATE TABLE batch_rejects (batch_id INTEGER NOT NULL, line INTEGER, col TEXT, value TEXT, message TEXT);"
        "INSERT INTO batch_rejects VALUES (1, 3, '患者满意度', 'xx', '不是数字。');"
    )
    con.commit()
    con.close()
    for _ in range(2):  # opening twice: the migration runs once and is safe to run again
        with store.opened(path) as db:
            rejects = store.batch_rejects(db, 1)
            assert store.get_meta(db, "schema_version") == str(store.SCHEMA_VERSION)
            assert store.get_meta(db, "data_version") == "7"
    assert rejects[["line", "column", "value", "message"]].values.tolist() == [[3, "患者满意度", "xx", "不是数字。"]]
    assert rejects["row_json"].isna().all()
    rows = rows_of(export.error_report_bytes(rejects))  # an old batch still downloads its line and reason
    assert rows == [["行号", "错误说明"], ["3", "患者满意度：不是数字。"]]
    r = importer.commit(BAD, "五月.csv", skip_invalid=True, db_path=path)  # and new rejects keep their rows
    with store.opened(path) as db:
        assert store.batch_rejects(db, r.batch_id)["row_json"].notna().all()


# --- 2. a department name that differs from the list ------------------------------------------------------


def test_a_different_department_name_is_a_warning_and_the_list_keeps_its_name(db_file):
    importer.commit("科室编码,科室名称\nK01,心血管内科\n".encode(), "depts.csv")
    data = (
        "月份,科室编码,科室名称,患者满意度\n2024-04,K01,心内科,95\n2024-05,K01,心内科,96\n2024-06,K01,心血管内科,97\n"
    )
    report = importer.preview(data.encode(), "m.csv")
    assert report.ok and report.can_commit()  # a warning, not an error
    (w,) = report.warnings
    assert (w.line, w.column, w.value) == (2, "科室名称", "心内科")
    assert "第 2 行" in w.message and "K01" in w.message and "「心血管内科」" in w.message and "「心内科」" in w.message
    assert "共 2 行" in w.message
    assert "department list" in importer.preview(data.encode(), "m.csv", lang="en").warnings[0].message
    importer.commit(data.encode(), "m.csv")
    with store.opened(db_file) as db:
        assert store.departments(db)["dept_name"].tolist() == ["心血管内科"]


def test_a_departments_file_renames_without_the_warning(db_file):
    importer.commit("科室编码,科室名称\nK01,心血管内科\n".encode(), "depts.csv")
    report = importer.preview("科室编码,科室名称\nK01,心内科\n".encode(), "depts2.csv")
    assert not report.warnings and report.counts["changed"] == 1
    assert report.changes[["old", "new"]].values.tolist() == [["心血管内科", "心内科"]]


# --- 3. party members ≤ staff count, against the stored value ---------------------------------------------


@pytest.fixture
def k01(db_file):
    importer.commit("科室编码,科室名称,职工人数,党员人数\nK01,心血管内科,45,20\n".encode(), "depts.csv")
    return db_file


@pytest.mark.parametrize(
    ("file", "column", "needle"),
    [
        ("科室编码,科室名称,党员人数\nK01,心血管内科,50\n", "党员人数", "已存的职工人数（45）"),
        ("科室编码,科室名称,职工人数,党员人数\nK01,心血管内科,,50\n", "党员人数", "已存的职工人数（45）"),
        ("科室编码,科室名称,职工人数\nK01,心血管内科,10\n", "职工人数", "已存的党员人数（20）"),
    ],
)
def test_only_one_of_staff_and_party_is_checked_against_the_stored_other(k01, file, column, needle):
    report = importer.commit(file.encode(), "d.csv")
    assert not report.committed
    (p,) = report.problems
    assert (p.line, p.column) == (2, column) and needle in p.message
    with store.opened(k01) as db:
        d = store.departments(db).iloc[0]
    assert (d["staff_count"], d["party_members"]) == (45, 20)  # nothing changed


def test_one_of_staff_and_party_within_the_stored_other_commits(k01):
    assert importer.commit("科室编码,科室名称,职工人数\nK01,心血管内科,30\n".encode(), "d.csv").committed
    assert importer.commit("科室编码,科室名称,党员人数\nK01,心血管内科,30\n".encode(), "d2.csv").committed
    # a new department has no stored value to compare with
    assert importer.commit("科室编码,科室名称,党员人数\nK02,呼吸内科,30\n".encode(), "d3.csv").committed


# --- 4. --kind on a multi-sheet XLSX -----------------------------------------------------------------------


def _workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "填表说明"
    ws.append(["本表由纪检监察室每月汇总"])
    ws2 = wb.create_sheet("科室")
    ws2.append(["科室编码", "科室名称"])
    ws2.append(["K01", "心血管内科"])
    ws3 = wb.create_sheet("五月")
    ws3.append(["月份", "科室编码", "科室名称", "患者满意度"])
    ws3.append(["2024-05", "K01", "心血管内科", 95])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_forced_kind_reads_the_sheet_whose_headers_hold_that_kind(db_file):
    data = _workbook()
    report = importer.preview(data, "wb.xlsx", kind="metrics")
    assert report.ok and report.kind == "metrics" and report.counts["new"] == 1
    report = importer.preview(data, "wb.xlsx", kind="departments")
    assert report.ok and report.kind == "departments" and report.counts["new"] == 1
    report = importer.preview(data, "wb.xlsx", kind="events")  # no sheet holds events: the first is read
    assert report.file_level and "前 30 行" in report.problems[0].message


def test_cli_kind_on_a_multi_sheet_workbook_and_error_report(db_file, tmp_path, capsys):
    path = tmp_path / "wb.xlsx"
    path.write_bytes(_workbook())
    assert cli.main(["import", str(path), "--kind", "metrics", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == "metrics" and out["committed"] and values(db_file)[("K01", "2024-05", "patient_satisfaction")]

    bad = tmp_path / "bad.csv"
    bad.write_bytes(BAD)
    report_file = tmp_path / "errors.csv"
    code = cli.main(["import", str(bad), "--skip-invalid", "--json", "--error-report", str(report_file)])
    assert code == 0
    batch_id = json.loads(capsys.readouterr().out)["batch_id"]
    assert [r[-2] for r in rows_of(report_file.read_bytes())] == ["行号", "4", "5"]
    out_file = tmp_path / "batch.csv"
    assert cli.main(["errors", str(batch_id), "--out", str(out_file)]) == 0
    assert out_file.read_bytes() == report_file.read_bytes()
    assert cli.main(["errors", "99", "--out", str(out_file)]) == 1


# --- the upload page offers the error report of a committed batch -------------------------------------------


def test_upload_page_downloads_the_error_report_of_a_batch(db_file, monkeypatch, cheap_hashing):
    from tests import downloads

    # A report is written when clicked (and handed to the clicking browser only); the spy writes it at once.
    offered = downloads.spy(monkeypatch)
    _commit_bad(db_file)
    at = page_as("pages/upload.py", "ed", "editor", first_run=True)
    assert not at.exception, at.exception
    assert "下载错误报告" in downloads.labels(at)
    rows = rows_of(offered["_rejects_dl"])
    assert rows[0][-2:] == ["行号", "错误说明"] and [r[1] for r in rows[1:]] == ["K02", "K03"]
    # the preview of a file with errors offers the same kind of report before committing
    at.file_uploader[0].set_value(("六月.csv", BAD.replace(b"2024-05", b"2024-06"), "text/csv"))
    at.run()
    assert not at.exception, at.exception
    assert [r[0] for r in rows_of(offered["_preview_errors_dl"])[1:]] == ["2024-06", "2024-06"]


def test_error_report_of_a_workbook_names_the_sheet_of_each_row(db_file):
    importer.commit("科室编码,科室名称\nK01,心血管内科\n".encode(), "depts.csv")
    wb = Workbook()
    ws = wb.active
    ws.title = "科室名录"
    ws.append(["科室编码", "科室名称", "职工人数"])
    ws.append(["K02", "呼吸内科", "很多"])
    ws2 = wb.create_sheet("科室月度指标")
    ws2.append(["月份", "科室编码", "患者满意度"])
    ws2.append(["2024-05", "K01", 95])
    ws2.append(["2024-13", "K01", 96])
    buf = io.BytesIO()
    wb.save(buf)
    rows = rows_of(export.csv_bytes(importer.preview(buf.getvalue(), "wb.xlsx").error_report()))
    assert rows[0] == ["工作表", "科室编码", "科室名称", "职工人数", "月份", "患者满意度", "行号", "错误说明"]
    assert rows[1] == ["科室名录", "K02", "呼吸内科", "很多", "", "", "2", "职工人数：不是数字。"]
    assert rows[2] == ["科室月度指标", "K01", "", "", "2024-13", "96", "3", rows[2][-1]] and len(rows) == 3


# --- 5. a date typed into a number column of an XLSX ---------------------------------------------------------


def test_a_date_in_a_number_column_is_a_problem_not_a_crash(db_file):
    """Excel turns 95.5 typed as "95.5" in some locales, or a pasted "2024/5/1", into a date cell; the file is
    refused with a problem naming the line and column, and nothing is written."""
    from datetime import datetime

    wb = Workbook()
    ws = wb.active
    ws.append(["月份", "科室编码", "科室名称", "患者满意度", "投诉件数"])
    ws.append(["2024-05", "K01", "心血管内科", 95, 0])
    ws.append(["2024-05", "K02", "呼吸内科", datetime(2024, 5, 1), 1])
    buf = io.BytesIO()
    wb.save(buf)
    before = values(db_file)
    report = importer.commit(buf.getvalue(), "五月.xlsx", user="li")
    assert not report.committed and values(db_file) == before
    (problem,) = report.problems
    assert (problem.line, problem.column) == (3, "患者满意度")
    assert "2024" in str(problem.value) and "数字" in problem.message
