"""Reading messy files (PRODUCT §3.1): encodings, separators, title rows, month formats, numbers, XLSX."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from metrics import contract, store
from metrics.ingest import importer

HEADER = "月份,科室编码,科室名称,患者满意度,投诉件数"


def stored_values(db_file) -> dict[tuple[str, str, str], float]:
    with store.opened(db_file) as db:
        df = store.metric_values(db)
    return {(r.dept_code, r.month, r.metric): r.value for r in df.itertuples()}


def test_gbk_csv_is_read_and_stored(db_file):
    data = (HEADER + "\n2023-04,K01,心血管内科,95.5,1\n").encode("gbk")
    report = importer.commit(data, "gbk.csv")
    assert report.encoding == "gb18030"
    assert report.committed and report.counts["new"] == 1
    assert stored_values(db_file)[("K01", "2023-04", "patient_satisfaction")] == 95.5
    with store.opened(db_file) as db:
        assert store.departments(db).set_index("dept_code").loc["K01", "dept_name"] == "心血管内科"


def test_utf8_bom_and_plain_utf8(db_file):
    body = HEADER + "\n2023-04,K01,心血管内科,95.5,1\n"
    bom = importer.preview(b"\xef\xbb\xbf" + body.encode("utf-8"), "bom.csv")
    plain = importer.preview(body.encode("utf-8"), "plain.csv")
    assert (bom.encoding, plain.encoding) == ("utf-8-sig", "utf-8")
    assert bom.ok and plain.ok and bom.kind == plain.kind == "metrics"


def test_tab_separated(db_file):
    data = "\n".join(["月份\t科室编码\t科室名称\t患者满意度", "2023-04\tK01\t心血管内科\t91"]).encode("gb18030")
    report = importer.commit(data, "tab.txt")
    assert report.committed
    assert stored_values(db_file)[("K01", "2023-04", "patient_satisfaction")] == 91


def test_title_and_blank_rows_above_header_keep_excel_line_numbers(db_file):
    text = (
        "2023年3月科室满意度统计表,,,\n,,,\n\n"
        + HEADER
        + "\n2023-04,K01,心血管内科,95,1\n2023-05,K01,心血管内科,abc,1\n"
    )
    report = importer.preview(text.encode("gbk"), "title.csv")
    assert report.kind == "metrics"
    # header stands on Excel line 4, so the bad row is line 6
    assert [(p.line, p.column, p.value) for p in report.problems] == [(6, "患者满意度", "abc")]


@pytest.mark.parametrize(
    "written", ["2023-04", "2023/04", "2023/4", "2023-04-01", "2023年4月", "202304", " 2023 年 4 月 ", "2023.4"]
)
def test_every_month_format_means_april_2023(db_file, written):
    data = f"{HEADER}\n{written},K01,心血管内科,95,1\n".encode()
    report = importer.commit(data, "m.csv")
    assert report.committed, report.problems
    assert ("K01", "2023-04", "patient_satisfaction") in stored_values(db_file)


@pytest.mark.parametrize("written", ["2023-13", "23-04", "April", "2023-02-30", "20231"])
def test_bad_months_are_reported(db_file, written):
    report = importer.preview(f"{HEADER}\n{written},K01,心血管内科,95,1\n".encode(), "m.csv")
    assert [(p.line, p.column, p.value) for p in report.problems] == [(2, "月份", written)]
    assert "月份" in report.problems[0].message


def test_numbers_with_spaces_percent_and_fullwidth(db_file):
    data = "月份,科室编码,科室名称,患者满意度,投诉件数,药占比\n2023-04,K01,心血管内科, 95.5 %,\u3000２ ,\n2023-04,全院,全院,,,21.3%\n"
    report = importer.commit(data.encode(), "n.csv")
    assert report.committed, report.problems
    v = stored_values(db_file)
    assert v[("K01", "2023-04", "patient_satisfaction")] == 95.5
    assert v[("K01", "2023-04", "complaints")] == 2
    assert v[("HOSP", "2023-04", "drug_share")] == 21.3


def test_summary_rows_skipped_with_a_warning_naming_the_line(db_file):
    text = HEADER + "\n2023-04,K01,心血管内科,95,1\n2023-04,合计,,95,1\n2023-04,,平均,95,1\n"
    report = importer.commit(text.encode(), "s.csv")
    assert report.committed and report.counts["skipped"] == 2 and report.counts["new"] == 1
    assert [w.line for w in report.warnings] == [3, 4]
    assert "第 3 行" in report.warnings[0].message and "合计" in report.warnings[0].message
    assert len(stored_values(db_file)) == 2  # only K01's two values


def test_english_headers_any_order_stray_spaces(db_file):
    text = " Patient Satisfaction ,DEPT_CODE,\u3000Month\u3000,dept name\n95,K01,2023-04,心血管内科\n"
    report = importer.commit(text.encode(), "en.csv")
    assert report.kind == "metrics" and report.committed, report.problems
    assert stored_values(db_file)[("K01", "2023-04", "patient_satisfaction")] == 95


def test_kind_recognised_from_headers_and_overridable(db_file):
    depts = "科室编码,科室名称,科室类别\nK01,心血管内科,临床\n".encode()
    assert importer.preview(depts, "d.csv").kind == "departments"
    forced = importer.preview(depts, "d.csv", kind="metrics")
    assert forced.kind == "metrics" and not forced.ok
    assert "月份" in forced.problems[0].message  # says which required columns it looked for


def _xlsx(sheets: dict[str, list[list]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_first_sheet_with_dates_title_row_and_line_numbers(db_file):
    data = _xlsx(
        {
            "Sheet1": [
                ["2023年科室满意度统计表"],
                [],
                ["月份", "科室编码", "科室名称", "患者满意度", "投诉件数"],
                [datetime(2023, 4, 1), "K01", "心血管内科", 95.5, 1],
                [date(2023, 5, 1), "K01", "心血管内科", 96, 0],
                ["2023/6", "K01", "心血管内科", 120, 0],
            ]
        }
    )
    report = importer.preview(data, "x.xlsx")
    assert report.encoding == "xlsx" and report.kind == "metrics"
    assert [(p.line, p.column, p.value) for p in report.problems] == [(6, "患者满意度", "120")]
    report = importer.commit(data, "x.xlsx", skip_invalid=True)
    v = stored_values(db_file)
    assert v[("K01", "2023-04", "patient_satisfaction")] == 95.5
    assert v[("K01", "2023-05", "complaints")] == 0
    assert ("K01", "2023-06", "patient_satisfaction") not in v


def test_xlsx_one_sheet_per_kind(db_file):
    data = _xlsx(
        {
            "科室名录": [
                ["科室编码", "科室名称", "科室类别"],
                ["K01", "心血管内科", "临床"],
                ["K02", "呼吸科", "临床"],
            ],
            "科室月度指标": [["月份", "科室编码", "患者满意度"], ["2023-04", "K02", 88]],
        }
    )
    report = importer.commit(data, "both.xlsx")
    assert report.committed, report.problems
    assert report.kind == "departments+metrics"
    assert report.counts["new"] == 3
    assert stored_values(db_file) == {("K02", "2023-04", "patient_satisfaction"): 88}
    with store.opened(db_file) as db:
        assert set(store.departments(db)["dept_code"]) == {"K01", "K02"}


def test_binary_garbage_is_a_clear_problem(db_file):
    report = importer.preview(b"\x00\x01\x02garbage", "x.csv")
    assert not report.ok and report.file_level
    assert "CSV" in report.problems[0].message
    bad_zip = importer.preview(b"PK\x03\x04not really a zip", "x.xlsx")
    assert bad_zip.file_level and "Excel" in bad_zip.problems[0].message


def test_xlsx_record_repeated_on_two_sheets_is_a_problem_not_dropped(db_file):
    data = _xlsx(
        {
            "科室月度指标": [["月份", "科室编码", "科室名称", "患者满意度"], ["2023-04", "K01", "心血管内科", 95]],
            "Sheet2": [["月份", "科室编码", "科室名称", "患者满意度"], ["2023-04", "K01", "心血管内科", 80]],
        }
    )
    report = importer.preview(data, "two.xlsx")
    assert [(p.sheet, p.line) for p in report.problems] == [("Sheet2", 2)]
    assert "科室月度指标!2" in report.problems[0].message
    assert report.counts["rejected"] == 1 and report.counts["new"] == 1


@pytest.mark.parametrize("metric", contract.METRICS, ids=lambda m: m.code)
def test_every_catalogue_metric_is_accepted_by_its_chinese_and_english_name(db_file, metric):
    code = "全院" if metric.scope == "hospital" else "K01"
    value = 5 if metric.integer else 12.5
    for i, header in enumerate((metric.name_zh, metric.name_en)):
        data = f"月份,科室编码,科室名称,{header}\n2023-0{i + 1},{code},心血管内科,{value}\n".encode("gbk")
        report = importer.commit(data, f"{metric.code}{i}.csv")
        assert report.committed, report.problems
    stored = stored_values(db_file)
    dept = contract.HOSPITAL_CODE if metric.scope == "hospital" else "K01"
    assert stored[(dept, "2023-01", metric.code)] == stored[(dept, "2023-02", metric.code)] == value


def test_english_event_headers(db_file):
    text = "Event Date,Department Code,Department Name,Type,Indicator,Status\n2025-03-15,K13,产科,veto,V04,confirmed\n"
    report = importer.commit(text.encode(), "events.csv")
    assert report.kind == "events" and report.committed, report.problems
    with store.opened(db_file) as db:
        ev = store.events(db)
    assert ev[["dept_code", "kind", "indicator", "status"]].values.tolist() == [["K13", "veto", "V04", "confirmed"]]


def test_excel_unicode_text_export_utf16_tab(db_file):
    text = "月份\t科室编码\t科室名称\t患者满意度\r\n2023-04\tK01\t心血管内科\t93\r\n"
    report = importer.commit(text.encode("utf-16"), "unicode.txt")
    assert report.encoding == "utf-16" and report.committed, report.problems
    assert stored_values(db_file)[("K01", "2023-04", "patient_satisfaction")] == 93
