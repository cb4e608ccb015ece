"""What one uploaded file may cost — limits declared in metrics/ingest/limits.py, checked before parsing.

Findings 12.1 (a far cell kills the process), 12.2 (one huge shared string is stored), and the limits on
bytes, rows, columns, cells, cell length and unpacked size, each refused with a message naming the limit
and the file's figure, by the importer and the CLI alike; nothing is written.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from metrics import contract
from metrics.ingest import importer, limits, reading
from tests import xlsx_parts
from tests.conftest import page_as

ROOT = Path(__file__).resolve().parent.parent


def _xlsx(rows, far: dict[str, object] | None = None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(list(r))
    for ref, v in (far or {}).items():
        ws[ref] = v
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cli(*args, db: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, INTEGRITY_DB=str(db), PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "metrics", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def _counts(db: Path) -> tuple:
    con = sqlite3.connect(db)
    try:
        return tuple(
            con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in (*contract.table_keys(), "batches")
        )
    finally:
        con.close()


METRICS_HEAD = ["月份", "科室编码", "科室名称", "患者满意度"]


# --- 12.1 ---------------------------------------------------------------------------------------


@pytest.mark.process
def test_12_1_a_far_cell_is_refused_by_the_cli_not_a_crash(tmp_path, db_file):
    """One cell at XFD1048576 in a tiny file: the CLI says which limit and where, exit 1, nothing written."""
    data = _xlsx([METRICS_HEAD, ["2023-04", "K01", "内科", 95]], far={"XFD1048576": 1})
    assert len(data) < 10_000
    path = tmp_path / "far.xlsx"
    path.write_bytes(data)
    before = _counts(db_file)
    zh = _cli("import", str(path), db=db_file)
    assert zh.returncode == 1, (zh.returncode, zh.stderr[-2000:])
    assert "1,048,576" in zh.stdout and "200,000" in zh.stdout and "XFD1048576" in zh.stdout
    assert "行" in zh.stdout
    en = _cli("import", str(path), "--lang", "en", "--json", db=db_file)
    assert en.returncode == 1, en.stderr[-2000:]
    msg = json.loads(en.stdout)["errors"][0]["message"]
    assert "rows" in msg and "1,048,576" in msg and "200,000" in msg
    assert _counts(db_file) == before


def test_12_1_far_column_and_far_area_are_refused_before_the_reader(db_file):
    wide = _xlsx([METRICS_HEAD, ["2023-04", "K01", "内科", 95]], far={"XFD1": "x"})
    r = importer.commit(wide, "wide.xlsx", lang="en")
    assert not r.committed and "columns" in r.problems[0].message and "16,384" in r.problems[0].message
    # within the rows and the columns, but the rectangle the reader would allocate is too large
    area = _xlsx([METRICS_HEAD, ["2023-04", "K01", "内科", 95]], far={"IV150000": 1})
    r = importer.commit(area, "area.xlsx", lang="zh")
    assert not r.committed and "38,400,000" in r.problems[0].message and "2,000,000" in r.problems[0].message
    assert _counts(db_file)[-1] == 0


def test_12_1_a_file_within_the_limits_still_reads(db_file):
    data = _xlsx([METRICS_HEAD, ["2023-04", "K01", "内科", 95]], far={"F300": None})
    r = importer.commit(data, "ok.xlsx")
    assert r.committed, r.problems


def test_12_1_workbooks_that_cannot_be_inspected_are_refused_with_a_hint(db_file):
    r = importer.preview(b"\xd0\xcf\x11\xe0" + b"\x00" * 600, "old.xls", lang="zh")
    assert not r.can_commit() and ".xlsx" in r.problems[0].message
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("content.xml", "<office:document-content/>")
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    r = importer.preview(buf.getvalue(), "sheet.ods", lang="en")
    assert not r.can_commit() and ".xlsx" in r.problems[0].message


# --- 12.2 ---------------------------------------------------------------------------------------


def test_12_2_a_huge_shared_string_is_refused_before_parsing(db_file):
    """A 2-million-character department name in a ~10 KB XLSX: refused naming the cell-length limit."""
    name = "内" * 2_000_000
    data = xlsx_parts.workbook(xlsx_parts.table([["科室编码", "科室名称"], ["K01", name]]))
    assert len(data) < 100_000
    before = _counts(db_file)
    r = importer.commit(data, "huge.xlsx", lang="zh")
    assert not r.committed
    msg = r.problems[0].message
    assert "32,767" in msg and "字符" in msg
    assert _counts(db_file) == before
    en = importer.preview(data, "huge.xlsx", lang="en").problems[0].message
    assert "32,767" in en and "characters" in en


def test_12_2_a_huge_inline_or_split_string_is_refused_too(db_file):
    """The same text as an inline string, or split into rich-text runs that are each short, is refused."""
    runs = "".join(f"<r><t>{'外' * 30_000}</t></r>" for _ in range(5))
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
        'main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>科室编码</t></is></c><c r="B1" t="inlineStr">'
        '<is><t>科室名称</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>K01</t></is></c>'
        f'<c r="B2" t="inlineStr"><is>{runs}</is></c></row></sheetData></worksheet>'
    )
    data = _replace_part(_xlsx([["x"]]), "xl/worksheets/sheet1.xml", sheet.encode())
    r = importer.commit(data, "runs.xlsx", lang="en")
    assert not r.committed and "32,767" in r.problems[0].message
    shared = xlsx_parts.workbook(xlsx_parts.table([["科室编码", "科室名称"], ["K01", "外" * 150_000]]), shared_chunks=6)
    r = importer.commit(shared, "shared_runs.xlsx", lang="en")
    assert not r.committed and "32,767" in r.problems[0].message
    assert _counts(db_file)[-1] == 0


def test_12_2_a_long_csv_cell_is_refused_with_the_same_limit(db_file):
    data = ("科室编码,科室名称\nK01," + "内" * 40_000 + "\n").encode("utf-8")
    r = importer.commit(data, "long.csv", lang="zh")
    assert not r.committed and "32,767" in r.problems[0].message and "2" in r.problems[0].message
    ok = ("科室编码,科室名称\nK01," + "内" * 30_000 + "\n").encode("utf-8")
    assert importer.preview(ok, "ok.csv").can_commit()


def _replace_part(data: bytes, part: str, content: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info.filename, content if info.filename == part else src.read(info.filename))
        if part not in src.namelist():
            z.writestr(part, content)
    return out.getvalue()


# --- the other limits -----------------------------------------------------------------------------


def test_rows_of_a_csv_are_counted_before_decoding(db_file):
    data = "月份,科室编码,患者满意度\n".encode() + b"2023-04,K01,95\n" * (limits.DEFAULT.rows + 1)
    r = importer.preview(data, "many.csv", lang="en")
    assert not r.can_commit() and "rows" in r.problems[0].message and "200,000" in r.problems[0].message


def test_columns_of_a_csv(db_file):
    data = ("科室编码,科室名称" + ",x" * 300 + "\nK01,内科\n").encode()
    r = importer.preview(data, "wide.csv", lang="zh")
    assert not r.can_commit() and "256" in r.problems[0].message and "302" in r.problems[0].message


def test_unpacked_size_is_measured_not_trusted(tmp_path):
    """A zip bomb: small file, large parts. Refused by the unpacked-size limit (lowered here to keep it quick)."""
    data = _replace_part(_xlsx([["科室编码", "科室名称"], ["K01", "内科"]]), "xl/media/image1.png", bytes(3_000_000))
    lim = limits.Limits(unpacked_bytes=2 * 1024 * 1024)
    with pytest.raises(reading.ReadError) as e:
        reading.read(data, "bomb.xlsx", [], limits=lim)
    assert e.value.code == "limit_unpacked" and e.value.fmt["limit"] == "2"
    assert reading.read(data, "bomb.xlsx", [])[0].kind == "departments"  # the default allows it


@pytest.mark.process
def test_the_cli_refuses_a_file_beyond_the_byte_limit_without_reading_it(tmp_path, db_file):
    path = tmp_path / "big.csv"
    with open(path, "wb") as fh:
        fh.truncate(limits.DEFAULT.bytes + 1)  # sparse: nothing to read
    p = _cli("import", str(path), "--lang", "en", db=db_file)
    assert p.returncode == 1 and "20 MB" in p.stdout + p.stderr


# --- the upload page ------------------------------------------------------------------------------


def test_the_upload_page_shows_the_limit_and_stays_up(db_file, cheap_hashing):
    """The far-cell file on the page: the reason in the problems table, the commit button disabled, no crash
    (before, the Rust reader aborted the server process and every user's session with it)."""
    at = page_as("pages/upload.py", "ed", "editor", "zh", first_run=True)
    data = _xlsx([METRICS_HEAD, ["2023-04", "K01", "内科", 95]], far={"XFD1048576": 1})
    at.file_uploader[0].set_value(("far.xlsx", data, "application/vnd.ms-excel"))
    at.run()
    assert not at.exception, at.exception
    problems = at.dataframe[0].value
    assert "XFD1048576" in problems.iloc[0, -1] and "200,000" in problems.iloc[0, -1]
    assert next(b for b in at.button if b.label == "提交").disabled
    assert _counts(db_file)[-1] == 0


def test_a_utf16_csv_is_counted_in_rows_not_in_0x0a_bytes(db_file):
    """U+4E0A 上 is the bytes 0A 4E in UTF-16: it is no line break, and a file full of it is not too long."""
    data = ("科室编码\t科室名称\nK01\t" + "上" * 1000 + "\n").encode("utf-16")
    r = importer.preview(data, "u16.csv")
    lim = limits.Limits(rows=100)
    assert r.can_commit(), r.problems
    with pytest.raises(reading.ReadError) as e:
        reading.read(("科室编码\t科室名称\n" + "K01\t内科\n" * 101).encode("utf-16"), "u16.csv", [], limits=lim)
    assert e.value.code == "limit_rows"
    assert reading.read(data, "u16.csv", [], limits=lim)[0].kind == "departments"


def test_a_shared_string_table_larger_than_a_sheet_may_be_is_refused(db_file):
    data = xlsx_parts.workbook(xlsx_parts.table([["科室编码", "科室名称"], ["K01", "内科"]]))
    sst = f'<sst xmlns="{xlsx_parts.NS}"><si><t>科室编码</t></si><si><t>科室名称</t></si><si><t>K01</t></si>'
    sst += "<si><t>内科</t></si>" + "".join(f"<si><t>s{i}</t></si>" for i in range(50)) + "</sst>"
    data = _replace_part(data, "xl/sharedStrings.xml", sst.encode())  # 54 strings for a sheet of 4 cells
    assert reading.read(data, "many.xlsx", [], limits=limits.Limits(cells=60))[0].kind == "departments"
    with pytest.raises(reading.ReadError) as e:
        reading.read(data, "many.xlsx", [], limits=limits.Limits(cells=40))
    assert e.value.code == "limit_cells" and "sharedStrings" in e.value.fmt["where"]


def test_a_sheet_stored_under_another_part_name_is_inspected_too(db_file):
    """The workbook may point its sheet at any part: the far cell is found wherever the sheet is stored."""
    data = xlsx_parts.workbook(xlsx_parts.table([["科室编码", "科室名称"], ["K01", "内科"]]))
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            b = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                b = b.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
                z.writestr("xl/elsewhere/data.bin", b)
                continue
            if info.filename == "xl/_rels/workbook.xml.rels":
                b = b.replace(b"worksheets/sheet1.xml", b"elsewhere/data.bin")
            z.writestr(info.filename, b)
    r = importer.preview(out.getvalue(), "moved.xlsx", lang="en")  # before: the reader aborted the process
    assert not r.can_commit() and "1,048,576" in r.problems[0].message


@pytest.mark.process
@pytest.mark.parametrize(
    "far",
    [
        "<row r=\"9\"><c r='XFD9'><v>1</v></c></row>",  # single quotes
        '<row r="9"><c s="0" r = "XFD9"><v>1</v></c></row>',  # r not first, spaces around =
        '<x:row r="9"><x:c r="XFD9"><x:v>1</x:v></x:c></x:row>',  # a namespace prefix
        '<row r="200001"><c><v>1</v></c></row>',  # a cell without r, placed in its row
        "<row/>" * 200_001 + "<row><c><v>1</v></c></row>",  # rows without r follow the previous row
        '<row r="9">' + "<c><v>1</v></c>" * 300 + "</row>",  # cells without r follow the previous cell
        '<row r="9"><c s=">" r="XFD9"><v>1</v></c></row>',  # a ">" inside an attribute value
    ],
    ids=["quotes", "order", "prefix", "cell-no-r", "rows-no-r", "cells-no-r", "gt-in-value"],
)
def test_12_1_every_spelling_of_a_far_cell_is_found(tmp_path, db_file, far):
    """The reader accepts all of these and places the cell far away; the inspection finds it (CLI: no abort)."""
    data = xlsx_parts.workbook(xlsx_parts.table([["科室编码", "科室名称"], ["K01", "内科"]]))
    src = zipfile.ZipFile(io.BytesIO(data))
    sheet = src.read("xl/worksheets/sheet1.xml")
    sheet = sheet.replace(b"<worksheet ", f'<worksheet xmlns:x="{xlsx_parts.NS}" '.encode())
    data = _replace_part(
        data, "xl/worksheets/sheet1.xml", sheet.replace(b"</sheetData>", far.encode() + b"</sheetData>")
    )
    path = tmp_path / "far.xlsx"
    path.write_bytes(data)
    p = _cli("import", str(path), "--lang", "en", "--json", db=db_file)
    assert p.returncode == 1, (p.returncode, p.stderr[-500:])
    msg = json.loads(p.stdout)["errors"][0]["message"]
    assert "limit" in msg and ("rows" in msg or "columns" in msg), msg


def test_many_cells_in_one_place_or_many_sheets_are_refused_quickly(db_file):
    """Two ways past a per-sheet area: the same cell written 3,000 times (the reader keeps every one), and the
    same sheet 30 times (the reader reads them all). Limits lowered to keep the files small."""
    lim = limits.Limits(cells=2_000)
    data = xlsx_parts.workbook(xlsx_parts.table([["科室编码", "科室名称"], ["K01", "内科"]]))
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    same = sheet.replace(b"</sheetData>", b'<row r="3">' + b'<c r="A3"><v>1</v></c>' * 3_000 + b"</row></sheetData>")
    with pytest.raises(reading.ReadError) as e:
        reading.read(_replace_part(data, "xl/worksheets/sheet1.xml", same), "same.xlsx", [], limits=lim)
    assert e.value.code == "limit_cells"
    wide = xlsx_parts.workbook(xlsx_parts.table([["科室编码", "科室名称"], ["K01", "内科"], ["K02", None, *[1] * 98]]))
    assert reading.read(wide, "one.xlsx", [], limits=lim)[0].kind == "departments"  # 300 cells: fine
    src = zipfile.ZipFile(io.BytesIO(wide))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in src.infolist():
            b = src.read(info.filename)
            if info.filename == "xl/workbook.xml":
                sheets = "".join(f'<sheet name="S{i}" sheetId="{i + 2}" r:id="rId{i + 3}"/>' for i in range(30))
                b = b.replace(b"</sheets>", sheets.encode() + b"</sheets>")
            if info.filename == "xl/_rels/workbook.xml.rels":
                rels = "".join(
                    f'<Relationship Id="rId{i + 3}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    f'relationships/worksheet" Target="worksheets/s{i}.xml"/>'
                    for i in range(30)
                )
                b = b.replace(b"</Relationships>", rels.encode() + b"</Relationships>")
            z.writestr(info.filename, b)
        for i in range(30):
            z.writestr(f"xl/worksheets/s{i}.xml", src.read("xl/worksheets/sheet1.xml"))
    with pytest.raises(reading.ReadError) as e:
        reading.read(out.getvalue(), "many.xlsx", [], limits=lim)
    assert e.value.code == "limit_cells" and "sheets" in e.value.fmt["where"]
