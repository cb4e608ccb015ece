"""一院一品 (PRODUCT §10 brands, seed 003): a hospital's project a year and its dated notes and checks, declared in the
registry like every kind — template, one validator (refused in Chinese by line and column, nothing written), the CLI,
both stores — and scoped: a hospital editor writes only its own hospital's project and never marks 亮点; the
commission marks 亮点 in every hospital it reads and changes nothing else."""

from __future__ import annotations

from datetime import date

from metrics import contract, store
from metrics.ingest import export, importer
from metrics.ops import cli
from metrics.rules import brands as brand_rules
from tests import test_hospitals
from tests.test_hospitals import A, B

group_db = test_hospitals.group_db  # three demo hospitals; a_ed edits A, comm is the commission, adm the admin

PROJECT = "年度,项目编号,重点工作方向,项目名称,具体创建实施方案,阶段,亮点项目\n"


def _projects(path, hospital="") -> list[tuple]:
    with store.opened(path) as db:
        got = store.brand_projects(db, hospital=hospital)
    return [
        (int(r["year"]), r["project_code"], r["category"], r["title"], r["phase"], r["highlight"])
        for r in got.astype(object).where(got.notna(), None).to_dict("records")
    ]


def test_the_kinds_are_hospital_scoped_entries_of_the_registry_with_templates():
    k, n = contract.KINDS["brands"], contract.KINDS["brand_notes"]
    assert k.scope == n.scope == "hospital" and k.key == ("hospital_code", "year")
    assert n.key == ("hospital_code", "year", "noted_on", "entry_type") and n.write > k.write
    csv_text = export.template_bytes("brands", "csv")
    assert csv_text.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens it as UTF-8
    assert csv_text.decode("utf-8-sig").splitlines()[0] == PROJECT.strip()
    assert export.template_bytes("brand_notes", "xlsx")[:2] == b"PK"


def test_the_phase_follows_seed_003s_calendar_unless_entered():
    on = brand_rules.phase_on
    assert [on(2027, date(2027, m, d)) for m, d in ((1, 5), (3, 31), (4, 1), (11, 30), (12, 1))] == [
        "apply",
        "apply",
        "implement",
        "implement",
        "review",
    ]
    assert on(2027, date(2026, 12, 20)) == "apply" and on(2027, date(2028, 2, 1)) == "review"
    assert brand_rules.phase_of(2027, "review", date(2027, 5, 1)) == ("review", False)
    assert brand_rules.phase_of(2027, None, date(2027, 5, 1)) == ("implement", True)


def test_bad_rows_are_refused_by_line_and_column_in_chinese_and_nothing_is_written(db_file):
    bad = (
        PROJECT
        + "2027,YP-1,平台,送健康,,,\n"
        + "2027,YP-2,机制完善类,,,,\n"
        + "二〇二七,YP-3,质量管理,质控,,,\n"
        + "2028,YP-4,作风建设,承诺,,中期,\n"
    )
    r = importer.commit(bad.encode(), "b.csv", db_path=db_file)
    assert not r.committed and r.kind == "brands"
    got = sorted((p.line, p.column, p.message[:6]) for p in r.problems)
    assert got == [
        (2, "重点工作方向", "不是允许的取"),
        (3, "年度", "与第 2 行"),
        (3, "项目名称", "必填项为空。"),
        (4, "年度", "无法识别的年"),
        (5, "阶段", "不是允许的取"),
    ]
    assert "平台建设、机制完善、惠民服务" in r.problems[0].message
    assert _projects(db_file) == []
    notes = "年度,日期,记录类型,内容,检查结果\n2027,2027-05-20,进展,送医下乡,良好\n2027,2027-13-01,检查,督查,\n"
    r = importer.commit(notes.encode(), "n.csv", db_path=db_file)
    got = [(p.line, p.column, p.message) for p in r.problems]
    assert not r.committed and got[0][:2] == (2, "年度") and "没有一院一品项目" in got[0][2]
    assert (2, "检查结果", "检查结果只用于“检查”记录，进展记录请留空。") in got
    assert any(line == 3 and col == "日期" for line, col, _ in got)


def test_a_project_and_its_notes_are_stored_and_a_blank_cell_keeps_the_stored_value(db_file):
    good = PROJECT + "2027,YP-1,惠民服务类,“进村入企送健康”,每月一次,,\n"
    assert importer.commit(good.encode(), "b.csv", db_path=db_file).committed
    assert _projects(db_file) == [(2027, "YP-1", "benefit", "“进村入企送健康”", None, None)]
    again = PROJECT + "2027,YP-1,惠民服务,“进村入企送健康”,,实施推进,\n"  # blank plan: kept
    assert importer.commit(again.encode(), "b2.csv", db_path=db_file).committed
    with store.opened(db_file) as db:
        got = store.brand_projects(db)
    assert got.iloc[0]["plan"] == "每月一次" and got.iloc[0]["phase"] == "implement"
    notes = "年度,日期,类型,内容,检查结果\n2027,2027-05-20,进展,送医下乡,\n2027,2027-09-15,督查,现场检查,良好\n"
    assert importer.commit(notes.encode(), "n.csv", db_path=db_file).committed
    with store.opened(db_file) as db:
        got = store.brand_notes(db)
    assert list(zip(got["noted_on"], got["entry_type"], got["result"].fillna("—"))) == [
        ("2027-05-20", "progress", "—"),
        ("2027-09-15", "check", "good"),
    ]


def test_the_cli_imports_a_project_file_and_refuses_a_bad_one(db_file, tmp_path, capsys):
    good, bad = tmp_path / "b.csv", tmp_path / "bad.csv"
    good.write_text(PROJECT + "2027,YP-1,投诉处置,一站式调处,,,\n", encoding="utf-8-sig")
    bad.write_text(PROJECT + "2027,YP-1,,一站式调处,,,\n", encoding="gb18030")
    assert cli.main(["import", str(bad), "--kind", "brands", "--db", str(db_file)]) == 1
    assert "重点工作方向" in capsys.readouterr().out and _projects(db_file) == []
    assert cli.main(["import", str(good), "--kind", "brands", "--db", str(db_file)]) == 0
    assert _projects(db_file) == [(2027, "YP-1", "complaints", "一站式调处", None, None)]


def test_a_hospital_editor_writes_only_its_own_project_and_never_marks_a_highlight(group_db):
    row = dict(year=2027, project_code="YP-9", category="作风建设", title="一句话承诺")
    mine = importer.commit_rows("brands", [row], source="edit", user="a_ed", db_path=group_db, hospital=A)
    assert mine.committed
    other = importer.commit_rows("brands", [row], source="edit", user="a_ed", db_path=group_db, hospital=B)
    assert not other.committed and "没有医院“H02”的写入权限" in other.problems[0].message
    marked = importer.commit_rows(
        "brands", [row | dict(highlight="是")], source="edit", user="a_ed", db_path=group_db, hospital=A
    )
    assert not marked.committed and marked.problems[0].message.startswith("亮点项目由卫健委（局）评选")
    assert (2027, "YP-9", "conduct", "一句话承诺", None, None) in _projects(group_db, A)
    assert all(p[0] != 2027 for p in _projects(group_db, B))


def test_the_commission_marks_a_highlight_and_changes_nothing_else(group_db):
    with store.opened(group_db) as db:
        shared = store.brand_projects(db, hospital=B).iloc[0].to_dict()
    row = {k: shared[k] for k in ("year", "project_code", "category", "title")}
    r = importer.commit_rows(
        "brands", [row | dict(highlight=1)], source="edit", user="comm", db_path=group_db, hospital=B
    )
    assert r.committed
    assert _projects(group_db, B)[0][-1] == 1
    edit = importer.commit_rows(
        "brands", [row | dict(title="改名")], source="edit", user="comm", db_path=group_db, hospital=B
    )
    assert not edit.committed and edit.problems[0].message.startswith("卫健委（局）用户只能评选亮点项目")
    unknown = importer.commit_rows(
        "brands", [row | dict(year=2030, highlight=1)], source="edit", user="comm", db_path=group_db, hospital=B
    )
    assert not unknown.committed and "2030年度本院尚未申报" in unknown.problems[0].message
    notes = importer.commit_rows(
        "brand_notes",
        [dict(year=row["year"], noted_on="2026-11-02", entry_type="检查", note="复查", result="优秀")],
        source="edit",
        user="comm",
        db_path=group_db,
        hospital=B,
    )
    assert not notes.committed  # the commission reads every hospital and writes only its choice of 亮点


def test_hostile_titles_and_notes_are_stored_as_written_and_exported_as_text(db_file, tmp_path):
    hostile = '=HYPERLINK("http://x","点我")'
    rows = [dict(year=2027, project_code="YP-1", category="内部监管", title=hostile, plan="<script>alert(1)</script>")]
    assert importer.commit_rows("brands", rows, source="edit", db_path=db_file).committed
    note = dict(year=2027, noted_on="2027-05-01", entry_type="进展", note="@SUM(1+1) *粗体* [链接](http://x)")
    assert importer.commit_rows("brand_notes", [note], source="edit", db_path=db_file).committed
    written = {p.name: p for p in export.export_all(tmp_path / "out")}
    projects = written["brand_projects.csv"].read_text("utf-8-sig")
    notes = written["brand_notes.csv"].read_text("utf-8-sig")
    assert "'=HYPERLINK" in projects and ",=HYPERLINK" not in projects  # Excel shows it, never runs it
    assert "'@SUM(1+1)" in notes and ",@SUM" not in notes
    assert "<script>alert(1)</script>" in projects  # a CSV holds text: written as typed
