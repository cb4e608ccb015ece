"""一院一品 on the pages (PRODUCT §10 brands): the region overview lists the year's projects by direction and phase
(a shared project once, with its hospitals); the commission marks 亮点 there through the one write path (audited),
a hospital editor gets no such control; a hospital's own page shows its project, phase, notes and checks, and its
editor saves the project and a note through the one write path."""

from __future__ import annotations

import json

import pytest

from metrics import store
from metrics.access import grants, users
from metrics.ingest import importer
from metrics.views import ViewKey, region
from tests import test_region_page
from tests.conftest import page_as
from tests.test_region_page import NAMES, PERIOD, PW, A, B, C, _app

group_db = test_region_page.group_db  # three demo hospitals; comm (commission), adm (admin), viewers

pytestmark = pytest.mark.usefixtures("cheap_hashing")


def _marks(path) -> dict[str, object]:
    with store.opened(path) as db:
        got = store.brand_projects(db, hospital=(A, B, C))
    return dict(zip(got["hospital_code"], got["highlight"].fillna(0).astype(int), strict=True))


def test_the_region_lists_the_years_projects_by_direction_and_phase(group_db):
    with store.opened(group_db) as db:
        version = store.data_version(db)
    key = ViewKey.of(str(group_db), version, "zh", grain="quarter", period=PERIOD, hospitals=(A, B, C))
    brand = region.build(key).brands
    rows = brand.rows.set_index("project_code")
    assert list(rows.index) == ["YP2026-01", "YP2026-02"]  # 惠民服务 before 资源整合 (seed 003's order)
    assert rows.loc["YP2026-02", "hospitals"] == f"{NAMES[B]}、{NAMES[C]}"  # one shared project, two hospitals
    # H01's phase is read from the quarter's last day (30 Sep: 实施推进); the shared one entered 总结提高
    assert rows.loc["YP2026-01", "phase"] == "实施推进" and rows.loc["YP2026-02", "phase"] == "总结提高"
    assert rows.loc["YP2026-01", "highlight"] == "★ 亮点项目" and rows.loc["YP2026-02", "highlight"] == "—"
    matrix = brand.matrix.set_index("category")
    assert matrix.loc["惠民服务", "implement"] == "★ “进村入企送健康”志愿服务"
    assert matrix.loc["资源整合", "review"] == "医共体“项目轮值”联合义诊"
    assert matrix.loc["平台建设", "apply"] == "—" and len(matrix) == 8


def test_the_commission_marks_a_shared_project_as_a_highlight_on_the_region_page_audited(group_db):
    assert _marks(group_db) == {A: 1, B: 0, C: 0}
    at = _app("comm", "pages/region.py")
    assert any("一院一品（2026年）" in h.value for h in at.subheader)
    pick = at.selectbox(key="region_brand_pick")
    pick.set_value("YP2026-02").run()
    at.checkbox(key="region_brand_mark_YP2026-02").check().run()
    at.button(key="region_brand_save").click().run()
    assert not at.exception, at.exception
    assert _marks(group_db) == {A: 1, B: 1, C: 1}  # both hospitals of the shared project, in one go
    assert any("已保存" in s.value and "评为亮点项目" in s.value for s in at.success)
    with store.opened(group_db) as db:
        audit = store.audit_entries(db)
    marked = audit[audit["action"] == "brand_highlight"]
    assert set(marked["user"]) == {"comm"} and set(marked["hospital_code"]) == {B, C}
    assert all(json.loads(a)["rows"][0]["highlight"] == 1 for a in marked["after"])


def test_a_hospital_editor_sees_the_projects_but_cannot_mark_a_highlight(group_db):
    users.add_user("ab_ed", PW, "editor")
    grants.grant_hospitals("ab_ed", [A, B])
    at = _app("ab_ed", "pages/region.py")
    assert any("一院一品（2026年）" in h.value for h in at.subheader)
    assert not [b for b in at.button if b.key == "region_brand_save"]
    assert _marks(group_db) == {A: 1, B: 0, C: 0}


# --- a hospital's own page ------------------------------------------------------------------------------------------


def test_a_hospital_page_shows_its_project_notes_and_checks_and_its_editor_saves_a_note(group_db):
    users.add_user("b_ed", PW, "editor")
    grants.grant_hospitals("b_ed", [B])
    at = _app("b_ed", "pages/brands.py")
    shown = at.dataframe[0].value
    assert "医共体“项目轮值”联合义诊" in set(shown["value"]) and "总结提高" in set(shown["value"])
    texts = [d.value for d in at.dataframe]
    assert any("完成上半年计划" in " ".join(map(str, f.get("note", []))) for f in texts)  # a progress note
    assert any("良好" in set(f.get("result", [])) for f in texts)  # the bureau's check and its result
    at.text_area(key="brand_note_text").set_value("<b>补充</b>回访记录").run()
    at.button(key="brand_note_save").click().run()
    assert not at.exception, at.exception
    with store.opened(group_db) as db:
        notes = store.brand_notes(db, hospital=B)
    assert "<b>补充</b>回访记录" in set(notes["note"])  # stored as typed; the page shows it as text
    assert any("已保存 1 行" in s.value for s in at.success)
    # the project editor: the title changed through the one validator; a blank title is refused, nothing written
    at.text_input(key="brand_title_2026").set_value("").run()
    at.button(key="brand_save").click().run()
    assert any("必填项为空" in t.value for t in at.text)
    with store.opened(group_db) as db:
        assert store.brand_projects(db, hospital=B).iloc[0]["title"] == "医共体“项目轮值”联合义诊"


def test_a_viewer_reads_the_page_without_the_editor(group_db):
    at = page_as("pages/brands.py", "a_vi")
    assert "“进村入企送健康”志愿服务" in set(at.dataframe[0].value["value"])
    assert not [b for b in at.button if b.key in ("brand_save", "brand_note_save")]


def test_the_one_hospital_demo_holds_its_one_project(demo_db):
    with store.opened(demo_db) as db:
        got = store.brand_projects(db)
    assert list(got["project_code"]) == ["YP2026-01"] and int(got.iloc[0]["highlight"]) == 1


def test_a_hostile_title_is_shown_as_text_on_the_region_page_and_in_its_message(group_db):
    hostile = "**粗体** [点我](http://x) <b>x</b>"
    row = dict(year=2026, project_code="YP2026-02", category="资源整合", title=hostile)
    assert importer.commit_rows("brands", [row], source="edit", db_path=group_db, hospital=B).committed
    at = _app("comm", "pages/region.py")
    table = [d.value for d in at.dataframe if "hospitals" in d.value.columns][0]
    assert hostile in set(table["title"])  # a dataframe cell: text, never markup
    at.selectbox(key="region_brand_pick").set_value("YP2026-02").run()
    at.checkbox(key="region_brand_mark_YP2026-02").check().run()
    at.button(key="region_brand_save").click().run()
    saved = [s.value for s in at.success if "已保存" in s.value]
    assert saved and "\\*\\*粗体\\*\\*" in saved[0] and "\\[点我\\]" in saved[0] and "\\<b\\>" in saved[0]
