"""The 风险防控 page (PRODUCT §10) on the demo store: the register's lights and reasons with overdue reviews first, each
unit's light naming its points, the 清廉招采 stage × level matrix and a cell's points; zh and en; uploaded text shown
as written, never as markup."""

from __future__ import annotations

import pytest

from metrics import store
from metrics.ingest import importer
from metrics.views import ViewKey
from metrics.views import risks as risks_view
from tests.conftest import TODAY, page_as

pytestmark = pytest.mark.usefixtures("cheap_hashing")


def _view(path, lang="zh", **choices):
    with store.opened(path) as db:
        version = store.data_version(db)
    return risks_view.build(ViewKey.of(str(path), version, lang, today=TODAY, **choices))


def test_the_register_lights_overdue_first_and_the_matrix_cells(demo_db):
    view = _view(demo_db)
    assert view.counts == "红 2 · 黄 5 · 绿 53"
    assert "共 60 个风险点，复核逾期 4 个" in view.caption
    top = view.register.head(4)
    assert top["risk_code"].tolist() == ["ZC-03", "ZC-13", "FX-K14", "GW-01"]  # most days late first
    assert top["reasons"].tolist()[:2] == ["复核逾期 82 天", "高风险复核逾期 57 天"]
    assert top["light"].tolist() == ["黄", "红", "黄", "黄"]
    assert view.register.iloc[-1]["reasons"] == ""  # green: nothing to explain
    units = view.units.set_index("unit")
    assert units.at["招标采购", "light"] == "红" and units.at["招标采购", "behind"] == "ZC-07"
    assert units.at["心血管内科", "light"] == "绿" and units.at["心血管内科", "behind"] == "—"
    assert view.units["light"].tolist()[:2] == ["红", "红"]  # worst first
    # the matrix: a click on 招标采购 × 高 lists its two points
    assert view.cell_titles["tender|high"] == "招标采购 · 高风险：2 个风险点"
    assert view.cells["tender|high"]["risk_code"].tolist() == ["ZC-07", "ZC-08"]
    heat, cells = view.matrix.data
    assert list(heat.y) == ["使用付款", "验收入库", "合同签订", "招标采购", "采购立项", "需求论证"]
    assert list(heat.x) == ["高", "中", "低"]
    assert heat.z[3].tolist() == [3, 2, 0]  # 招标采购: red (ZC-07 失控), amber (ZC-09 失控), none
    assert set(cells.customdata) == {f"{s}|{lv}" for s in risks_view.STAGES for lv in risks_view.LEVELS}
    # one unit at a time
    one = _view(demo_db, unit="K14")
    assert one.register["risk_code"].tolist() == ["FX-K14"] and one.matrix is None


def test_the_page_in_chinese_and_in_english(demo_db):
    at = page_as("pages/risks.py", lang="zh")
    assert at.title[0].value == "风险防控"
    assert [s.value for s in at.subheader] == ["清廉招采：环节 × 风险等级", "各单元亮灯", "风险点清单（复核逾期在前）"]
    units, register = (d.value for d in at.dataframe)
    assert register["risk_code"].tolist()[:2] == ["ZC-03", "ZC-13"]
    en = page_as("pages/risks.py", lang="en")
    assert en.title[0].value == "Risk control"
    assert en.dataframe[1].value["reasons"].tolist()[1] == "High risk's review 57 days overdue"
    assert en.markdown[0].value == "#### Red 2 · Amber 5 · Green 53"
    assert set(en.dataframe[0].value["unit"][:2]) == {"Tendering", "Acceptance"}  # a stage in the reader's words


def test_a_hostile_risk_text_is_shown_as_written(demo_db):
    hostile = "<script>alert(1)</script>**粗** [点我](http://evil)"
    r = importer.commit_rows(
        "risks",
        [dict(risk_code="X-1", unit=hostile, risk=hostile, level="high", owner=hostile, status="uncontrolled")],
        source="edit",
        db_path=demo_db,
    )
    assert r.committed, r.problems
    at = page_as("pages/risks.py", lang="zh")
    row = at.dataframe[1].value.set_index("risk_code").loc["X-1"]
    assert row["risk"] == hostile and row["unit"] == hostile and row["owner"] == hostile
    assert not any("<script>" in m.value or "evil" in m.value for m in at.markdown)
    assert hostile in at.selectbox[0].options  # the unit filter offers it as plain text


def test_a_hospital_with_no_register_is_told_how_to_start(db_file):
    view = _view(db_file)
    assert view.none.startswith("尚未登记廉洁风险点") and view.register.empty


def test_hostile_text_stays_out_of_the_matrix_and_is_neutralised_in_every_file(demo_db, tmp_path):
    import csv
    import io

    from metrics.ingest import export
    from tests.test_escape import figure_strings

    formula = '=HYPERLINK("http://evil.example","点我")'
    link = '<a href="https://evil.example/x">招标</a>'
    rows = [dict(risk_code="X-2", unit=link, stage="tender", risk=formula, level="high", owner=link, controls=formula)]
    assert importer.commit_rows("risks", rows, source="edit", db_path=demo_db).committed
    view = _view(demo_db)
    assert not any("evil" in s for s in figure_strings(view.matrix))  # the matrix draws fixed labels and counts only
    listed = view.cells["tender|high"].set_index("risk_code")
    assert listed.at["X-2", "risk"] == formula and listed.at["X-2", "unit"] == link  # a table cell, as written
    download = export.csv_bytes(view.register[list(view.headers)].rename(columns=view.headers)).decode("utf-8-sig")
    got = {r[2]: r for r in csv.reader(io.StringIO(download))}
    assert got["X-2"][5] == "'" + formula and got["X-2"][7] == "'" + formula
    export.export_all(tmp_path, db_path=demo_db, user="ed")
    stored = csv.DictReader(io.StringIO((tmp_path / "risks.csv").read_text("utf-8-sig")))
    row = next(r for r in stored if "X-2" in r.values())
    assert "'" + formula in row.values() and formula not in row.values()
