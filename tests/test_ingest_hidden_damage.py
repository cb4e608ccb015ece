"""Finding 12.9 and the invisible controls: what used to be committed silently now says so in the preview.

A stray quote swallowing hundreds of events into one description, a file mixing GBK and UTF-8, a month in
2099, an XLSX formula without a cached value, and bidi / zero-width characters inside names.
"""

from __future__ import annotations

import sqlite3

from metrics import clock, store
from metrics.ingest import importer
from tests import xlsx_parts

EVENTS_HEAD = "发生日期,科室编码,类型,指标,事件描述,状态\n"


def _rows(db, sql):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_12_9_a_stray_quote_swallowing_500_events_is_a_warning_naming_the_line(demo_db):
    events = "".join(f"2023-05-{1 + i % 28:02d},K01,警示,W01,投诉{i},已认定\n" for i in range(500))
    data = (EVENTS_HEAD + '2023-04-03,K01,否决,V04,"收受红包,已认定\n' + events).encode("utf-8")
    r = importer.preview(data, "events.csv", lang="zh")
    assert r.counts["new"] + r.counts["changed"] + r.counts["unchanged"] == 1  # what the reader sees: one event
    warn = [w for w in r.warnings if w.line == 2]
    assert warn and "引号" in warn[0].message and "501" in warn[0].message, r.warnings
    assert warn[0].column == "事件描述"
    en = importer.preview(data, "events.csv", lang="en").warnings
    assert any("quote" in w.message and w.line == 2 for w in en)


def test_12_9_a_note_typed_with_line_breaks_is_not_warned(demo_db):
    data = (EVENTS_HEAD + '2023-04-03,K01,否决,V04,"收受红包\n第二行说明",已认定\n').encode("utf-8")
    r = importer.preview(data, "events.csv")
    assert r.can_commit() and not r.warnings


def test_12_9_a_file_mixing_gbk_and_utf8_is_refused_naming_both_lines(db_file):
    data = "科室编码,科室名称\nK01,心血管内科\n".encode() + "K02,呼吸内科\n".encode("gbk")
    before = _rows(db_file, "SELECT COUNT(*) FROM departments")
    r = importer.commit(data, "mixed.csv", lang="zh")
    assert not r.committed
    msg = r.problems[0].message
    assert "UTF-8" in msg and "GBK" in msg and "第 1 行" in msg and "第 3 行" in msg
    assert _rows(db_file, "SELECT COUNT(*) FROM departments") == before
    # a whole GBK file still reads
    gbk = "科室编码,科室名称\nK01,心血管内科\nK02,呼吸内科\n".encode("gbk")
    assert importer.commit(gbk, "gbk.csv").committed
    assert _rows(db_file, "SELECT dept_name FROM departments ORDER BY dept_code") == [("心血管内科",), ("呼吸内科",)]


def next_month() -> str:
    d = clock.today()
    return f"{d.year + 1:04d}-01" if d.month == 12 else f"{d.year:04d}-{d.month + 1:02d}"


def test_12_9_a_month_after_next_month_is_refused(db_file):
    nxt = next_month()
    y, m = map(int, nxt.split("-"))
    after = f"{y + (m == 12):04d}-{m % 12 + 1:02d}"
    data = f"月份,科室编码,科室名称,患者满意度\n2099-01,K01,内科,95\n{after},K01,内科,95\n{nxt},K01,内科,95\n".encode()
    r = importer.commit(data, "future.csv", lang="zh")
    assert not r.committed
    assert [p.line for p in r.problems] == [2, 3]
    assert "2099-01" in r.problems[0].message and nxt in r.problems[0].message
    ok = f"月份,科室编码,科室名称,患者满意度\n{nxt},K01,内科,95\n{clock.today():%Y-%m},K01,内科,94\n".encode()
    assert importer.commit(ok, "ok.csv").committed


def test_12_9_a_formula_without_a_cached_value_is_a_warning_naming_the_cell(db_file):
    cells = xlsx_parts.table([["月份", "科室编码", "科室名称", "患者满意度"], ["2023-04", "K01", "内科", 95]])
    cells[(3, 1)], cells[(3, 2)], cells[(3, 3)] = "2023-05", "K01", "内科"
    cells[(3, 4)] = ("=", "AVERAGE(D2:D2)")
    cells[(3, 5)] = 1  # another filled cell so the row is not blank
    data = xlsx_parts.workbook(cells, sheet="指标")
    r = importer.preview(data, "formula.xlsx", kind="metrics", lang="zh")
    warn = [w for w in r.warnings if "D3" in w.message]
    assert warn, (r.warnings, r.problems)
    assert warn[0].line == 3 and warn[0].column == "患者满意度" and "AVERAGE" in warn[0].message
    assert "指标" in warn[0].message


def test_bidi_and_zero_width_controls_are_stripped_with_a_warning(db_file):
    data = "科室编码,科室名称\nK0\u200b1,心内科\u202e\nK02,呼吸科\n".encode()
    r = importer.commit(data, "controls.csv", lang="zh")
    assert r.committed, r.problems
    assert {(w.line, w.column) for w in r.warnings} == {(2, "科室编码"), (2, "科室名称")}
    assert all("控制字符" in w.message for w in r.warnings)
    with store.opened(db_file) as db:
        names = dict(store.departments(db)[["dept_code", "dept_name"]].itertuples(index=False, name=None))
    assert names == {"K01": "心内科", "K02": "呼吸科"}


def test_controls_in_an_xlsx_cell_are_stripped_too(db_file):
    cells = xlsx_parts.table([["科室编码", "科室名称"], ["K01", "\u2066内科\u2069\ufeff"]])
    r = importer.commit(xlsx_parts.workbook(cells), "controls.xlsx", lang="en")
    assert r.committed
    assert [(w.line, w.column) for w in r.warnings] == [(2, "科室名称")] and "3" in r.warnings[0].message
    assert _rows(db_file, "SELECT dept_name FROM departments") == [("内科",)]
