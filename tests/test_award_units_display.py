"""A hospital user sees every award unit (PRODUCT §10, §4.1, §4.2): the awards page lists 清廉医护 and 清廉示范岗 with
their status this year, department, source and eligibility with reasons (a confirmed veto naming a person: the title
voided, with the event); the department profile lists its people's and posts' titles; slide 4 counts each unit type.
A person's name is for editors and admins only; uploaded names are shown as written, never rendered."""

from __future__ import annotations

from datetime import date

from metrics import briefing, store
from metrics.ingest import importer
from metrics.views import ViewKey, awards, department
from metrics.views import briefing as briefing_view
from tests.conftest import page_as

TODAY = date(2026, 7, 1)
DEPTS = "科室编码,科室名称,科室类别\nK01,心内科,临床\nK02,普外科,临床\n"
METRICS = "月份,科室编码,患者满意度\n2026-05,K01,95\n2026-05,K02,95\n"
UNITS = (
    "单元编码,单元类型,名称,科室编码,推荐来源\n"
    "000123,清廉医护,张某某,K01,十佳医生\n"
    "000124,清廉医护,<b>x</b>,K02,十佳护士\n"
    "G01,清廉示范岗,=1+1,K02,窗口\n"
    "G02,清廉示范岗,[a](http://x),K01,服务明星\n"
)
CHANGES = (
    "单元编码,年度,状态,变更日期,整改截止,备注\n"
    "000123,2026,已授牌,2026-03-01,,\n"
    "000124,2026,已申报,2026-03-01,,\n"
    "G01,2026,已授牌,2026-03-01,,\n"
    "G02,2026,已申报,2026-03-02,,\n"
)
EVENTS = "发生日期,科室编码,类型,指标,状态,事件编号,涉及人员工号,涉及岗位\n2026-05-10,K01,否决,V04,已认定,E1,000123,\n"


def _store(path) -> int:
    for data, name in ((DEPTS, "d.csv"), (METRICS, "m.csv"), (UNITS, "u.csv"), (CHANGES, "ua.csv"), (EVENTS, "e.csv")):
        r = importer.commit(data.encode(), name, db_path=path)
        assert r.committed, r.problems
    with store.opened(path) as db:
        return store.data_version(db)


def _awards(path, version, personal: bool, lang: str = "zh") -> awards.AwardsView:
    choices = dict(year=2026, depts="K01\nK02", today=TODAY) | ({"personal": True} if personal else {})
    return awards.build(ViewKey.of(str(path), version, lang, **choices))


def test_the_awards_page_shows_people_and_posts_with_status_eligibility_and_the_voiding_veto(db_file):
    version = _store(db_file)
    view = _awards(db_file, version, personal=False)
    person, post = view.units
    assert (person.title, post.title) == ("清廉医护", "清廉示范岗")
    rows = {r["unit_code"]: r for r in person.rows.to_dict("records")}
    voided = rows["000123"]
    assert voided["status"] == "称号取消（E1）" and voided["eligible"] == "否"
    assert "V04" in voided["reasons"] and voided["dept_name"] == "心内科" and voided["source"] == "十佳医生"
    assert rows["000124"]["status"] == "已申报" and rows["000124"]["eligible"] == "是"
    assert list(person.rows["unit_code"])[0] == "000123"  # the voided title leads
    assert "称号取消 1" in person.summary and "已申报 1" in person.summary
    posts = {r["unit_code"]: r for r in post.rows.to_dict("records")}
    assert posts["G01"]["status"] == "已授牌" and posts["G01"]["name"] == "=1+1"  # a post's name is no person's
    assert posts["G02"]["name"] == "[a](http://x)"
    en = _awards(db_file, version, personal=False, lang="en").units[0]
    assert en.title == "Integrity care worker" and "Title voided (E1)" in set(en.rows["status"])


def test_a_persons_name_is_in_an_editors_view_only(db_file):
    version = _store(db_file)
    viewer = _awards(db_file, version, personal=False).units[0]
    assert "name" not in viewer.rows.columns and "name" not in viewer.headers
    assert "张某某" not in viewer.rows.to_string() and "<b>x</b>" not in viewer.rows.to_string()
    editor = _awards(db_file, version, personal=True).units[0]
    assert set(editor.rows["name"]) == {"张某某", "<b>x</b>"} and editor.headers["name"] == "姓名"


def test_the_department_profile_lists_its_peoples_and_posts_titles(db_file):
    version = _store(db_file)

    def view(personal: bool) -> department.DepartmentView:
        key = ViewKey.of(str(db_file), version, "zh", dept="K01", grain="month", period="2026-05", today=TODAY,
                         personal=personal)  # fmt: skip
        return department.build(key)

    viewer = view(False)
    rows = viewer.units.to_dict("records")
    assert [(r["type"], r["unit_code"], r["status"]) for r in rows] == [
        ("清廉医护", "000123", "称号取消（E1）"),
        ("清廉示范岗", "G02", "已申报"),
    ]
    assert "张某某" not in viewer.units.to_string()
    # a post is named to everyone; a person only to an editor
    assert list(viewer.units["name"]) == ["—", "[a](http://x)"]
    assert list(view(True).units["name"]) == ["张某某", "[a](http://x)"]


def test_slide_4_counts_each_unit_type_in_the_page_html_and_pptx(db_file):
    _store(db_file)
    with store.opened(db_file) as db:
        b = briefing.build(db, "2026-Q2", "zh", today=TODAY)
    t = briefing.units_table(b)
    assert t.columns == ("创建单元", "本年各状态数")
    counts = dict(t.rows)
    assert counts["清廉医护"] == "创建中 1 · 已取消 1"  # the voided title counted as revoked
    assert counts["清廉示范岗"] == "已授牌 1 · 创建中 1"
    assert counts["清廉科室"] == "—"  # no department applied
    # the voided title named on the slide by 工号, never by name
    assert any("000123" in " ".join(r) and "称号取消" in " ".join(r) for r in briefing.awards_table(b).rows)
    html = briefing.to_html(b)
    assert "清廉示范岗" in html and "000123" in html and "张某某" not in html
    import io

    from pptx import Presentation

    deck = Presentation(io.BytesIO(briefing.to_pptx(b)))
    text = " ".join(
        c.text for s in deck.slides for sh in s.shapes if sh.has_table for r in sh.table.rows for c in r.cells
    )
    assert "清廉医护" in text and "张某某" not in text
    slides = briefing_view.build(ViewKey.of(str(db_file), 1, "zh", quarter="2026-Q2", today=TODAY)).slides
    award_slide = next(s for s in slides if s.name == "awards")
    assert any(r[0] == "清廉医护" for tab in award_slide.tables for r in tab.tall.rows)


def test_a_viewer_never_sees_a_name_an_editor_does_and_hostile_names_stay_text(db_file, cheap_hashing):
    _store(db_file)
    viewer = page_as("pages/awards.py", user="vi", role="viewer")
    shown = " ".join(df.value.to_string() for df in viewer.dataframe)
    assert "000123" in shown and "张某某" not in shown and "<b>x</b>" not in shown
    editor = page_as("pages/awards.py", user="ed", role="editor")
    shown = " ".join(df.value.to_string() for df in editor.dataframe)
    assert "张某某" in shown and "<b>x</b>" in shown and "=1+1" in shown
    # uploaded names live in tables only (shown as text), never in markdown, which would render them
    markdown = " ".join(m.value for m in (*editor.markdown, *editor.caption, *editor.subheader))
    assert "<b>x</b>" not in markdown and "http://x" not in markdown and "=1+1" not in markdown


def test_slide_4s_voided_title_row_shows_a_hostile_department_name_as_written(db_file):
    _store(db_file)
    hostile = "<img src=x onerror=alert(1)>[a](http://x)"
    edit = f"科室编码,科室名称,科室类别\nK01,{hostile},临床\n"
    assert importer.commit(edit.encode(), "d2.csv", db_path=db_file).committed
    with store.opened(db_file) as db:
        b = briefing.build(db, "2026-Q2", "zh", today=TODAY)
    row = next(r for r in briefing.awards_table(b).rows if "000123" in r[1])
    assert row[0] == hostile  # the table cell holds the text; each output escapes it
    html = briefing.to_html(b)
    assert hostile not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
