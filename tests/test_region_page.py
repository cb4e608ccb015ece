"""The visible part of hospitals as a dimension (PRODUCT §9): the sidebar's hospital selector lists only
the hospitals a user may read and switches the page; a one-hospital store shows no selector and no region page; the
region overview puts every readable hospital side by side (its numbers checked against the store here), is out of
reach of a one-hospital user, drills into one hospital's overview, and shows hostile hospital names as text."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics import clock, store
from metrics.access import grants, sessions, users
from metrics.ingest import export, importer
from metrics.ops import demo
from metrics.views import ViewKey, region
from tests.conftest import DEMO_END_MONTH, ROOT
from tests.figures import figures

PW = "correct horse 9"
A, B, C = "H01", "H02", "H03"
NAMES = {A: "县人民医院", B: "县中医院", C: "县妇幼保健院"}
PERIOD = "2026-Q3"  # the demo's last full quarter (DEMO_END_MONTH 2026-10)

pytestmark = pytest.mark.usefixtures("cheap_hashing")


@pytest.fixture
def group_db(group_store, cheap_hashing) -> Path:
    """A private copy of a three-hospital demo store with accounts: a_vi (viewer of A), ab_vi (viewer of A and B),
    comm (commission), adm (admin)."""
    path = group_store
    for name, role in (("a_vi", "viewer"), ("ab_vi", "viewer"), ("comm", "commission"), ("adm", "admin")):
        users.add_user(name, PW, role)
    grants.grant_hospitals("a_vi", [A])
    grants.grant_hospitals("ab_vi", [A, B])
    return path


def _app(user: str | None, page: str | None = None, **params) -> AppTest:
    """The dashboard as a browser opens it (signed in as ``user``), at ``page`` when given (AppTest keeps the sidebar's
    elements of a first run only: the selector is checked on the home page)."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if user:
        at.session_state["_auth_token"] = sessions.start_session(user)
    for k, v in params.items():
        at.query_params[k] = v
    if page:
        at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def _selector(at: AppTest):
    boxes = [s for s in at.sidebar.selectbox if s.label == "医院"]
    return boxes[0] if boxes else None


def _banner(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if "当前医院" in m.value]


def _registered(at: AppTest, path: str) -> bool:
    try:
        at.switch_page(path)
    except ValueError:  # st.navigation did not register it
        return False
    return True


# --- the selector ----------------------------------------------------------------------------------------------


def test_the_selector_lists_only_the_hospitals_the_user_may_read(group_db):
    assert _selector(_app("comm")).options == [NAMES[A], NAMES[B], NAMES[C]]
    assert _selector(_app("ab_vi")).options == [NAMES[A], NAMES[B]]
    one = _app("a_vi")  # one hospital: its name as text, no selector
    assert _selector(one) is None
    assert "医院：县人民医院" in [c.value for c in one.sidebar.caption]
    assert _banner(one) == ["### :material/local_hospital: 当前医院：县人民医院"]


def test_switching_hospital_redraws_the_page_for_it_and_keeps_the_url_in_step(group_db):
    at = _app("ab_vi")
    assert at.query_params["hospital"] == A and _banner(at)[0].endswith(NAMES[A])
    kpis_a = [(m.label, m.value) for m in at.metric]
    _selector(at).set_value(B).run()
    assert not at.exception
    assert at.query_params["hospital"] == B and at.session_state["hospital"] == B
    assert _banner(at)[0].endswith(NAMES[B])
    kpis_b = [(m.label, m.value) for m in at.metric]
    assert kpis_b != kpis_a
    # a reload of that URL (a new session) shows the same hospital and the same numbers
    reload = _app("ab_vi", hospital=B)
    assert _banner(reload)[0].endswith(NAMES[B]) and [(m.label, m.value) for m in reload.metric] == kpis_b


def test_a_one_hospital_store_shows_no_selector_no_hospital_and_no_region_page(demo_db):
    users.add_user("adm", PW, "admin")
    at = _app("adm")
    assert _selector(at) is None and not _banner(at)
    assert not [c.value for c in at.sidebar.caption if c.value.startswith("医院")]
    assert "hospital" not in at.query_params
    assert _registered(at, "pages/region.py")  # its typed address: the page itself refuses, in Chinese
    at.run()
    assert [e.value for e in at.error] == ["区域总览只对可查看多家医院的账户开放。"] and not at.dataframe


# --- the region overview ---------------------------------------------------------------------------------------


def _independent(path: Path, hospital: str) -> dict:
    """The figures of one hospital for PERIOD, straight from the store file with plain SQL and Python."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT mv.dept_code, mv.value FROM metric_values mv JOIN departments d"
            " ON d.hospital_code = mv.hospital_code AND d.dept_code = mv.dept_code"
            " WHERE mv.hospital_code = ? AND mv.metric = 'patient_satisfaction' AND mv.month IN (?, ?, ?)",
            [hospital, "2026-07", "2026-08", "2026-09"],
        ).fetchall()
        vetoes = conn.execute(
            "SELECT COUNT(*) FROM events WHERE hospital_code = ? AND kind = 'veto' AND status = 'confirmed'"
            " AND event_date BETWEEN '2026-07-01' AND '2026-09-30'",
            [hospital],
        ).fetchone()[0]
        done = conn.execute(
            "SELECT COUNT(*) FROM tasks WHERE hospital_code = ? AND status = 'done'", [hospital]
        ).fetchone()[0]
    finally:
        conn.close()
    per_dept: dict[str, list[float]] = {}
    for dept, value in rows:
        per_dept.setdefault(dept, []).append(value)
    means = [sum(v) / len(v) for v in per_dept.values()]
    return {"value": sum(means) / len(means), "vetoes": vetoes, "tasks_done": done}


def _region(user: str) -> AppTest:
    at = _app(user, "pages/region.py")
    assert not at.error, [e.value for e in at.error]
    return at


def _table(at: AppTest):
    return at.dataframe[0].value.set_index("hospital_code")


def test_the_region_page_puts_every_readable_hospital_side_by_side(group_db):
    at = _region("comm")
    assert [t.value for t in at.title] == ["区域总览"]
    assert at.caption[0].value == "3 家医院并列 · 2026年第3季度"  # the overview's default: the last full quarter
    table = _table(at)
    assert list(table.index) == [A, B, C] and list(table["hospital"]) == [NAMES[A], NAMES[B], NAMES[C]]
    for code in (A, B):
        want = _independent(group_db, code)
        assert table.at[code, "value"] == pytest.approx(want["value"])
        assert table.at[code, "vetoes"] == want["vetoes"]
        assert table.at[code, "tasks_done"] == want["tasks_done"] > 0
    assert set(table["passed"]) <= {"达标", "未达标", "无数据"}
    assert table.at[B, "passed"] == ("达标" if table.at[B, "value"] >= 90 else "未达标")
    assert len(figures(at)) == 2
    # a user granted A and B sees those two only
    two = _table(_region("ab_vi"))
    assert list(two.index) == [A, B] and NAMES[C] not in set(two["hospital"])


def test_a_user_of_one_hospital_cannot_reach_the_region_page(group_db):
    at = _app("a_vi")
    assert _registered(at, "pages/region.py")  # hidden from the sidebar; its typed address refuses
    at.run()
    assert [e.value for e in at.error] == ["区域总览只对可查看多家医院的账户开放。"] and not at.dataframe
    # the page file run on its own (a URL typed by hand) refuses before any hospital is read
    direct = AppTest.from_file(str(ROOT / "pages" / "region.py"), default_timeout=60)
    direct.session_state["_auth_token"] = sessions.start_session("a_vi")
    direct.run()
    assert [e.value for e in direct.error] == ["区域总览只对可查看多家医院的账户开放。"]
    assert not direct.dataframe and not figures(direct)


def test_the_drill_opens_the_chosen_hospitals_overview(group_db):
    at = _region("comm")
    drill = next(s for s in at.selectbox if s.label == "查看某家医院的总览")
    drill.set_value(B).run()
    at.button(key="region_drill_go").click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["总览"]
    assert at.session_state["hospital"] == B and at.query_params["hospital"] == B
    assert _banner(at)[0].endswith(NAMES[B])
    # the numbers are B's: the same as B's overview opened by its URL
    assert [(m.label, m.value) for m in at.metric] == [(m.label, m.value) for m in _app("comm", hospital=B).metric]


def test_hostile_hospital_names_are_shown_as_text_in_the_figure_and_the_table(group_db):
    hostile = {A: "<b>x</b>", B: "=1+1"}
    with store.opened(group_db) as db:
        h = store.hospitals(db)
    rows = [
        {"hospital_code": c, "name_zh": hostile.get(c, z), "name_en": e or None, "sort": s}
        for c, z, e, s in zip(h["hospital_code"], h["name_zh"], h["name_en"], h["sort"], strict=True)
    ]
    report = importer.commit_rows("hospitals", rows, source="test", user="adm", db_path=group_db)
    assert report.committed and not report.problems, report.problems
    with store.opened(group_db) as db:
        assert set(store.hospitals(db)["name_zh"]) >= set(hostile.values())
        version = store.data_version(db)
    view = region.build(
        ViewKey.of(str(group_db), version, "zh", hospital=A, grain="quarter", period=PERIOD,
                   hospitals=(A, B, C), today=clock.today())
    )  # fmt: skip
    for fig in (view.satisfaction, view.events):
        labels = [y for trace in fig.data for y in trace.y]
        assert "&lt;b&gt;x&lt;/b&gt;" in labels and "<b>x</b>" not in labels
        assert "=1+1" in labels  # plain text for plotly: nothing to run there
    # the page: the table holds the names as text (st.dataframe draws no markup), the selector and the banner too
    at = _region("comm")
    assert list(_table(at)["hospital"][:2]) == ["<b>x</b>", "=1+1"]
    overview = _app("comm")
    assert _selector(overview).options[:2] == ["<b>x</b>", "=1+1"]
    assert _banner(overview) == ["### :material/local_hospital: 当前医院：\\<b\\>x\\</b\\>"]
    # the table's download: a name Excel would run is written as text
    csv = export.csv_bytes(view.rows[list(view.headers)].rename(columns=view.headers)).decode("utf-8-sig")
    assert "'=1+1" in csv and "\n=1+1" not in csv and ",=1+1" not in csv


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_region_page_speaks_one_language(group_db, lang):
    from tests.test_one_language import chinese_runs, data_words, identifiers, latin_words, shown_texts, without

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["lang"] = lang
    at.session_state["_auth_token"] = sessions.start_session("comm")
    at.switch_page("pages/region.py").run()
    assert not at.exception and not at.error
    texts = shown_texts(at)
    assert any("H02" in t for t in texts)  # the table was walked
    codes = identifiers(group_db) | {"H01", "H02", "H03"}  # and what the hospitals typed (一院一品 titles)
    if lang == "zh":
        found = {t: latin_words(without(t, codes), {"comm"}) for t in texts}
    else:
        found = {t: chinese_runs(t, data_words(group_db)) for t in texts}
    assert not {t: w for t, w in found.items() if w}


def test_the_region_headline_adds_up_the_rows(group_db):
    at = _region("comm")
    table = _table(at)
    kpis = {m.label: m.value for m in at.metric}
    met = int((table["passed"] == "达标").sum())
    assert kpis["患者满意度达标医院"] == f"{met} / 3"
    assert kpis["已认定否决事件"] == str(int(table["vetoes"].sum()))
    assert kpis["已认定警示事件"] == str(int(table["warnings"].sum()))
    assert kpis["已授牌清廉科室"] == str(int(table["awarded"].sum()))


def test_the_briefing_names_the_hospital_in_a_group_store(group_db):
    from metrics import briefing
    from metrics.views import briefing as briefing_view

    with store.opened(group_db) as db:
        version = store.data_version(db)
    view = briefing_view.build(ViewKey.of(str(group_db), version, "zh", hospital=B))
    assert view.briefing.title.startswith(NAMES[B] + " · ") and view.hospital_file == B
    assert NAMES[B] in briefing.to_html(view.briefing)
    en = briefing_view.build(ViewKey.of(str(group_db), version, "en", hospital=B))
    assert en.briefing.title.startswith("County TCM Hospital · ")
    assert view.hospital_file == B  # the page's HTML and PPTX file names carry it (tests/e2e/test_region_browser.py)


def test_a_hospitals_own_target_is_the_one_its_row_is_judged_on(group_db):
    report = importer.commit_rows(
        "targets",
        [{"metric": "patient_satisfaction", "dept_code": "", "effective_from": "2026-01", "target": 99,
          "direction": ">="}],
        source="test", user="adm", db_path=group_db, hospital=B,
    )  # fmt: skip
    assert report.committed and not report.problems, report.problems
    table = _table(_region("comm"))
    assert table.at[B, "target"] == 99 and table.at[B, "passed"] == "未达标"  # no demo hospital averages 99
    assert table.at[A, "target"] == 90 and table.at[C, "target"] == 90


def test_signed_out_with_the_hospital_still_in_the_url_says_to_sign_in(group_db):
    from metrics import i18n

    at = _app(None, hospital=A)  # the URL the selector kept, after signing out
    assert not at.error, [e.value for e in at.error]  # not "you may not see H01": nobody is signed in
    assert [i.value for i in at.info] == [i18n.t("hospital.sign_in", "zh")]
    assert _selector(at) is None and not at.metric


def test_a_hospital_without_data_yet_leaves_the_region_page_whole(group_db):
    with store.opened(group_db) as db:
        h = store.hospitals(db)
    rows = [
        *({"hospital_code": c, "name_zh": z, "name_en": e or None, "sort": s}
          for c, z, e, s in zip(h["hospital_code"], h["name_zh"], h["name_en"], h["sort"], strict=True)),
        {"hospital_code": "H09", "name_zh": "新加入卫生院", "name_en": "New Health Centre", "sort": 9},
    ]  # fmt: skip
    report = importer.commit_rows("hospitals", rows, source="test", user="adm", db_path=group_db)
    assert report.committed and not report.problems, report.problems
    at = _app("comm", "pages/region.py", hospital="H09")  # the hospital on screen has no data yet
    assert not at.error and not at.info
    table = _table(at)
    assert list(table.index) == [A, B, C, "H09"] and table.at["H09", "passed"] == "无数据"
    assert table.at[A, "value"] == pytest.approx(_independent(group_db, A)["value"])


def test_every_slide_of_a_group_briefing_names_the_hospital_as_text(group_db):
    """polish: at a group meeting the projector audience must know whose numbers each slide shows — every slide names
    the hospital on screen (presentation mode), in the HTML and in the PPTX; the name is data, shown as written."""
    import html as html_lib
    import io

    from pptx import Presentation

    from metrics import briefing, safe
    from metrics.views import briefing as briefing_view

    name = "<b>县中医院</b>_x_"
    with store.opened(group_db) as db:
        h = store.hospitals(db)
    rows = [
        {"hospital_code": c, "name_zh": name if c == B else z, "name_en": e or None, "sort": s}
        for c, z, e, s in zip(h["hospital_code"], h["name_zh"], h["name_en"], h["sort"], strict=True)
    ]
    assert importer.commit_rows("hospitals", rows, source="test", user="adm", db_path=group_db).committed
    with store.opened(group_db) as db:
        version = store.data_version(db)
    view = briefing_view.build(ViewKey.of(str(group_db), version, "zh", hospital=B))
    # a slide whose tables run over continues on the next ('（2/2）'): every one of them names the hospital
    assert len(view.slides) >= len(briefing.SLIDES)
    assert [name in s.title or name in s.sub for s in view.slides] == [True] * len(view.slides)
    page = briefing.to_html(view.briefing)
    slides = page.split('<section class="frame"')[1:]
    assert len(slides) == len(view.slides)
    assert all(html_lib.escape(name, quote=False) in s for s in slides) and "<b>县中医院" not in page
    deck = Presentation(io.BytesIO(briefing.to_pptx(view.briefing)))
    texts = ["\n".join(sh.text_frame.text for sh in s.shapes if sh.has_text_frame) for s in deck.slides]
    # the PPTX measures its own room (PRODUCT §6), so it may continue a table on a slide more than the page does
    assert len(texts) >= len(briefing.SLIDES) and all(name in t for t in texts), texts
    shown = safe.md_text(name)  # st.markdown / st.title read Markdown: the name escaped, drawn as written
    for n in range(1, len(view.slides) + 1):
        at = _app("comm", "pages/briefing.py", hospital=B, present="1", slide=str(n), quarter=view.quarter)
        texts = [t.value for t in at.title] + [m.value for m in at.markdown]
        assert any(shown in t for t in texts), (n, texts)
        assert not [t for t in texts if "<b>县中医院" in t.replace("\\<", "")], n
    en = briefing_view.build(ViewKey.of(str(group_db), version, "en", hospital=C))
    assert all("County Maternal and Child Health Hospital" in (s.title + s.sub) for s in en.slides)


def test_a_one_hospital_briefing_names_no_hospital(demo_db):
    from metrics import briefing, i18n
    from metrics.views import briefing as briefing_view

    with store.opened(demo_db) as db:
        version = store.data_version(db)
    view = briefing_view.build(ViewKey.of(str(demo_db), version, "zh"))
    assert view.briefing.hospital == ""
    # each slide's title is its own, with no hospital; a continued slide adds only its page ('（1/2）')
    titles = {n: i18n.t(f"brief.s.{n}") for n in briefing.SLIDES[1:]}
    by_title = {}
    for s in view.slides[1:]:
        kind = next(n for n, t in titles.items() if s.title == t or s.title.startswith(t + "（"))
        by_title.setdefault(kind, s)
    assert list(by_title) == list(titles)
    assert by_title["tasks"].sub == ""
    assert by_title["awards"].sub == i18n.t("brief.awards_sub")


def test_the_group_demo_gives_each_hospital_its_own_programme(group_db):
    """polish: `demo --hospitals N` varies awards, vetoes and warnings and tasks per hospital (its own seed), so the
    region overview's columns are not the same on every row; H01 stays the one-hospital demo."""
    with store.opened(group_db) as db:
        version = store.data_version(db)
    view = region.build(
        ViewKey.of(str(group_db), version, "zh", hospital=A, grain="quarter", period=PERIOD,
                   hospitals=(A, B, C), today=clock.today())
    )  # fmt: skip
    rows = view.rows.set_index("hospital_code")
    events = {code: (rows.at[code, "vetoes"], rows.at[code, "warnings"]) for code in (A, B, C)}
    awards = {code: tuple(rows.loc[code, ["awarded", "reviewing"]]) for code in (A, B, C)}
    tasks = {code: tuple(rows.loc[code, ["tasks_overdue", "tasks_done"]]) for code in (A, B, C)}
    assert len(set(events.values())) > 1, events
    assert len(set(awards.values())) > 1, awards
    assert len(set(tasks.values())) > 1, tasks
    one = demo.build(DEMO_END_MONTH)
    with store.opened(group_db) as db:
        assert len(store.events(db, hospital=A)) == len(one["events"])
        assert len(store.award_changes(db, hospital=A)) == len(one["award_changes"])
        for code in (B, C):  # the documented departments keep their story in every hospital
            ev = store.events(db, hospital=code)
            assert {("K13", "V04"), ("T02", "V07")} <= set(zip(ev["dept_code"], ev["indicator"], strict=True))
