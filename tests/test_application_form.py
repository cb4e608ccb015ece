"""The 申报表 (PRODUCT §10 applications, seed 004 附件 2) on the awards page and as the filled form: the year's
applications with each step's opinion and date, a step out of order named per row, and one department's form as a
DOCX laid out like the annex (labelled cells, signature lines left to sign on paper, A4, a CJK font), every value
kept as text."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Mm
from streamlit.testing.v1 import AppTest

from metrics import clock, store
from metrics.ingest import importer
from metrics.print import application as form_doc
from metrics.views import ViewKey
from metrics.views import applications as view_apps

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")
YEAR = 2026  # the demo's award year on the tests' day


def _key(path, lang="zh", **choices) -> ViewKey:
    with store.opened(path) as db:
        version = store.data_version(db)
        codes = store.departments(db)["dept_code"].tolist()
    return ViewKey.of(str(path), version, lang, year=YEAR, depts="\n".join(codes), today=clock.today(), **choices)


def _cells(doc) -> list[list[str]]:
    (table,) = doc.tables
    return [[c.text for c in row.cells] for row in table.rows]


def test_the_view_lists_the_year_s_applications_with_their_steps(demo_db):
    view = view_apps.build(_key(demo_db))
    rows = view.rows.set_index("dept_code")
    with store.opened(demo_db) as db:
        stored = store.applications(db, year=YEAR).set_index("dept_code")
    assert sorted(rows.index) == sorted(stored.index)  # every department that applied, none other
    k01 = rows.loc["K01"]
    assert k01["dept_name"] == "心血管内科" and k01["applied_on"] == "2025年12月18日"
    assert (k01["staff_count"], k01["party_members"], k01["party_share"]) == ("53", "29", "54.7%")
    assert k01["branch_opinion"] == "同意申报" and k01["branch_on"] == "2025年12月23日"
    assert k01["committee_opinion"] == "同意授予清廉科室" and k01["committee_on"] == "2026年1月1日"
    assert rows.loc["K24", "branch_on"] == "—"  # applied, no step taken yet
    # A01's working group dated its opinion after the status change that records it: said on its row
    assert rows.loc["A01", "flags"] == "工作小组审核意见日期晚于审核记录（2026年1月19日 小组审核）"
    assert rows.loc["K01", "flags"] == ""
    assert view.warnings == ("A01 消毒供应中心：工作小组审核意见日期晚于审核记录（2026年1月19日 小组审核）",)
    assert [f.dept_code for f in view.forms] == list(view.rows["dept_code"])


def test_the_docx_holds_each_value_in_its_labelled_cell(demo_db):
    view = view_apps.build(_key(demo_db))
    form = next(f for f in view.forms if f.dept_code == "K01")
    assert form.file_name == "申报表_2026_K01.docx"
    doc = Document(io.BytesIO(form_doc.to_docx(form)))
    assert doc.paragraphs[0].text == "创建“清廉示范科室”申报表"  # the annex's title (a group store names the hospital)
    cells = _cells(doc)
    assert cells[0] == ["申报科室", "心血管内科", "申报时间", "2025年12月18日"]
    assert cells[1] == ["职工人数", "53", "中共党员", "29（占本部门职工总数比例 54.7%）"]
    assert cells[2][0] == "科室资料目录"
    assert "1. 科室廉洁风险点清单；2. 四清活动记录；3. 满意度调查结果" in cells[2][1]
    assert "科室负责人：" in cells[2][1]  # signed on paper
    for row, label, opinion, signer, day in (
        (cells[3], "党支部意见", "同意申报", "党支部书记：", "2025年12月23日"),
        (cells[4], "工作小组审核意见", "材料齐全，同意提交党委", "（小组成员签名）", "2025年12月27日"),
        (cells[5], "医院党委意见", "同意授予清廉科室", "（盖章）", "2026年1月1日"),
    ):
        assert row[0] == label
        assert opinion in row[1] and signer in row[1] and day in row[1]
    assert any(p.text == "注：本申报表由院纪检监察室留存。" for p in doc.paragraphs)
    section = doc.sections[0]
    assert (round(section.page_width / Mm(1)), round(section.page_height / Mm(1))) == (210, 297)  # A4
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "SimSun"


def test_a_step_not_taken_leaves_its_date_to_write_by_hand(demo_db):
    view = view_apps.build(_key(demo_db))
    form = next(f for f in view.forms if f.dept_code == "K24")
    cells = _cells(Document(io.BytesIO(form_doc.to_docx(form))))
    assert "年  月  日" in cells[3][1] and "党支部书记：" in cells[3][1]


def test_hostile_values_stay_text(demo_db):
    hostile = "=1+1<w:t>&amp;</w:t>\x01\x0b\u202e末"
    form = next(f for f in view_apps.build(_key(demo_db)).forms if f.dept_code == "K01")
    form = form_doc.ApplicationForm(
        **{**form.__dict__, "dept_name": hostile, "materials": '=HYPERLINK("x")\n第二行\x07', "title": hostile}
    )
    doc = Document(io.BytesIO(form_doc.to_docx(form)))
    cells = _cells(doc)
    assert cells[0][1] == "=1+1<w:t>&amp;</w:t>末"  # controls stripped, markup and formula kept as plain text
    assert cells[2][1].startswith('=HYPERLINK("x")\n第二行')
    assert doc.paragraphs[0].text == "=1+1<w:t>&amp;</w:t>末"
    assert not doc.inline_shapes  # nothing but text came in


def _page(lang="zh") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.switch_page("pages/awards.py")
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_the_awards_page_ends_with_the_year_s_applications_and_their_download(demo_db):
    at = _page()
    (exp,) = [e for e in at.expander if e.label.startswith("申报表")]
    frames = [d.value for d in exp.dataframe]
    (table,) = [f for f in frames if "committee_on" in f.columns]
    with store.opened(demo_db) as db:
        applied = sorted(store.applications(db, year=YEAR)["dept_code"])
    assert sorted(table["dept_code"]) == applied
    assert [w.value for w in exp.warning] == [
        "A01 消毒供应中心：工作小组审核意见日期晚于审核记录（2026年1月19日 小组审核）"
    ]
    (box,) = [s for s in exp.selectbox if s.key == "applications_form_dept"]
    assert len(box.options) == len(applied)
    labels = [b.label for b in exp.get("download_button")]
    assert labels == ["下载申报表（Word）", "下载 PDF"]
    # the expander is the page's last block
    assert at.main.children[len(at.main.children) - 1].type == "expander"


@pytest.mark.parametrize("store_kind", ["sqlite", "postgresql"], indirect=True)
def test_a_group_store_s_form_names_its_hospital(group_store):
    with store.opened(group_store) as db:
        version = store.data_version(db)
        codes = "\n".join(store.departments(db, hospital="H01")["dept_code"])
    key = ViewKey.of(str(group_store), version, "zh", hospital="H01", year=YEAR, depts=codes, today=clock.today())
    view = view_apps.build(key)
    assert view.forms and {f.title for f in view.forms} == {"县人民医院创建“清廉示范科室”申报表"}
    # the same applications as the one-hospital demo: H01 is that demo
    assert "A01 消毒供应中心：工作小组审核意见日期晚于审核记录（2026年1月19日 小组审核）" in view.warnings
    doc = Document(io.BytesIO(form_doc.to_docx(view.forms[0])))
    assert doc.paragraphs[0].text == "县人民医院创建“清廉示范科室”申报表"


def test_a_hostile_department_name_shows_as_written_in_the_warning(demo_db):
    bold = "**科室**<script>x</script>"
    rows = f'科室编码,科室名称,科室类别\nA01,"{bold}",医技\n'
    assert importer.commit(rows.encode(), "depts.csv", user="ed", db_path=demo_db).committed
    at = _page()
    (exp,) = [e for e in at.expander if e.label.startswith("申报表")]
    (warning,) = exp.warning
    assert warning.value.startswith(r"A01 \*\*科室\*\*") and "<script>" not in warning.value
