"""The calendar kind (PRODUCT §3.2 programme kinds, §4.1): the State Council's holiday schedule as the office
enters it — 日期 / 类型 (休 / 班) / 名称 — through the same preview, all-or-nothing, batches and rollback as every
other kind, on a real store file."""

from __future__ import annotations

import io
import json
import sqlite3
from datetime import date

from openpyxl import Workbook

from metrics import store
from metrics.ingest import importer
from metrics.ops import cli
from metrics.rules import awards as award_rules
from metrics.rules import workdays

SCHEDULE_2027 = "日期,类型,名称\n2027-02-05,休,春节\n2027-02-09,休,春节\n2027-02-20,班,春节调休上班\n"


def stored(db_file) -> list[tuple]:
    with store.opened(db_file) as db:
        return [tuple(r) for r in store.calendar_days(db).itertuples(index=False, name=None)]


def calendar(db_file) -> workdays.Calendar:
    with store.opened(db_file) as db:
        return workdays.Calendar.from_frame(store.calendar_days(db))


def test_chinese_csv_is_recognised_previewed_committed_and_counts_in_the_notice(db_file):
    data = SCHEDULE_2027.encode("utf-8")
    report = importer.preview(data, "2027放假安排.csv")
    assert (report.kind, report.ok) == ("calendar", True)
    assert report.counts["new"] == 3 and stored(db_file) == []  # a preview writes nothing
    report = importer.commit(data, "2027放假安排.csv", user="li")
    assert report.committed
    assert stored(db_file) == [
        ("2027-02-05", "off", "春节"),
        ("2027-02-09", "off", "春节"),
        ("2027-02-20", "work", "春节调休上班"),
    ]
    # The stored schedule changes the 公示 end: from Tue 02-16, Sat 02-20 (班) is the fifth working day.
    assert award_rules.public_notice_end("2027-02-16", calendar(db_file)) == (date(2027, 2, 20), False)


def test_english_headers_gbk_and_off_work_values(db_file):
    data = "date,kind,name\n2027/10/4,off,National Day\n2027/10/9,work,\n".encode("gbk")
    report = importer.commit(data, "cal.csv")
    assert report.committed and report.kind == "calendar" and report.encoding in ("utf-8", "gb18030")
    assert stored(db_file) == [("2027-10-04", "off", "National Day"), ("2027-10-09", "work", "")]


def test_gbk_chinese_file_reads(db_file):
    report = importer.preview(SCHEDULE_2027.encode("gbk"), "cal.csv")
    assert (report.kind, report.encoding, report.ok) == ("calendar", "gb18030", True)


def test_xlsx_sheet(db_file):
    wb = Workbook()
    ws = wb.active
    ws.title = "节假日安排"
    ws.append(["2027年节假日安排"])  # a title row above the header is tolerated
    ws.append(["日期", "类型", "名称"])
    ws.append([date(2027, 1, 1), "休", "元旦"])
    buf = io.BytesIO()
    wb.save(buf)
    report = importer.commit(buf.getvalue(), "cal.xlsx")
    assert report.committed and stored(db_file) == [("2027-01-01", "off", "元旦")]


def test_duplicate_date_and_unreal_date_are_errors_and_nothing_is_written(db_file):
    data = "日期,类型,名称\n2027-02-05,休,春节\n2027-02-30,休,春节\n2027/2/5,班,调休\n2027-02-06,放羊,\n"
    report = importer.commit(data.encode("utf-8"), "bad.csv")
    assert not report.committed and stored(db_file) == []
    got = {(p.line, p.column, p.value): p.message for p in report.problems}
    assert set(got) == {(3, "日期", "2027-02-30"), (4, "日期", "2027-02-05"), (5, "类型", "放羊")}
    assert "第 2 行" in got[(4, "日期", "2027-02-05")]  # names the line it repeats
    assert "休" in got[(5, "类型", "放羊")] and "班" in got[(5, "类型", "放羊")]
    # English messages too
    en = importer.preview(data.encode("utf-8"), "bad.csv", lang="en")
    assert any("Duplicates line 2" in p.message for p in en.problems)


def test_blank_name_keeps_the_stored_name_and_rollback_restores_exactly(db_file):
    importer.commit(SCHEDULE_2027.encode("utf-8"), "a.csv")
    before = stored(db_file)
    report = importer.commit("日期,类型,名称\n2027-02-09,班,\n2027-02-10,休,春节\n".encode(), "b.csv")
    assert report.counts == {"new": 1, "changed": 1, "unchanged": 0, "rejected": 0, "skipped": 0}
    assert ("2027-02-09", "work", "春节") in stored(db_file)  # the blank 名称 erased nothing
    importer.rollback(report.batch_id)
    assert stored(db_file) == before


def test_cli_import_kind_calendar(db_file, tmp_path, capsys):
    f = tmp_path / "cal.csv"
    f.write_bytes(SCHEDULE_2027.encode("utf-8"))
    code = cli.main(["import", str(f), "--kind", "calendar", "--json", "--db", str(db_file)])
    rep = json.loads(capsys.readouterr().out)
    assert code == 0 and rep["kind"] == "calendar" and rep["counts"]["new"] == 3
    assert len(stored(db_file)) == 3


def test_schema_3_migrates_a_version_2_store_and_again_safely(tmp_path):
    path = tmp_path / "old.db"
    with store.opened(path) as db:
        db.execute("DROP TABLE calendar_days")
        db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    for _ in range(2):  # idempotent: a second open changes nothing
        with store.opened(path) as db:
            assert store.get_meta(db, "schema_version") == str(store.SCHEMA_VERSION)
            assert store.calendar_days(db).empty
    conn = sqlite3.connect(path)
    cols = [r[1] for r in conn.execute("PRAGMA table_info(calendar_days)")]
    conn.close()
    assert cols == ["date", "kind", "name"]


def test_awards_view_names_the_year_whose_adjusted_days_are_missing_until_entered(db_file):
    from metrics.views import ViewKey
    from metrics.views import awards as awards_view

    importer.commit(
        "科室编码,科室名称,年度,状态,变更日期\nK01,心血管内科,2027,公示中,2026-12-28\n".encode(), "aw.csv", user="li"
    )

    def view():
        with store.opened(db_file) as db:
            version = store.data_version(db)
        return awards_view.build(ViewKey.of(db_file, version, "zh", year=2027, depts="K01", today=date(2027, 1, 2)))

    v = view()
    assert v.notice.rows["notice_end"].tolist() == ["2027年1月4日"]  # 元旦 and the weekend skipped
    assert "2027年的调休安排尚未录入" in v.notice_warning  # the page warns: 2027's 调休 are not entered
    importer.commit("日期,类型,名称\n2027-01-01,休,元旦\n".encode(), "cal.csv", user="li")
    v = view()
    assert v.notice.rows["notice_end"].tolist() == ["2027年1月4日"] and v.notice_warning is None
