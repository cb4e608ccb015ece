"""AppTest of the 季度汇报 page: the quarter chooser and downloads, and presentation mode's slides and navigation."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from metrics import briefing, i18n, safe, store
from metrics.rules import periods

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")


def _page(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.switch_page("pages/briefing.py")
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _text(at: AppTest) -> str:
    return "\n".join([*(m.value for m in at.markdown), *(t.value for t in at.text), *(t.value for t in at.title)])


def test_page_offers_the_quarters_presentation_and_both_downloads(demo_db):
    with store.opened(demo_db) as db:
        default, quarters = briefing.default_quarter(db), briefing.available_quarters(db)
        b = briefing.build(db, default, "zh")
        months = store.months_with_data(db)
    at = _page()
    assert at.title[0].value == "季度汇报"
    box = at.selectbox[0]
    # a quarter not all of whose months hold data says so
    assert box.value == default and list(box.options) == [periods.period_label(q, months, "zh") for q in quarters]
    labels = [b.label for b in at.get("download_button")]
    assert (
        any("HTML" in x for x in labels) and any("PowerPoint" in x for x in labels) and any("PDF" in x for x in labels)
    )
    assert [b.label for b in at.button if b.key == "_brief_present"] == ["进入演示模式"]
    text = _text(at)
    assert f"#### 1. {b.title}" in text  # the preview of every slide, in order
    at_ = [text.find(f"{i18n.t(f'brief.s.{name}')}") for name in briefing.SLIDES[1:]]
    assert -1 not in at_ and at_ == sorted(at_)  # every slide (a continued one titled '…（2/2）'), in order
    # the tables: the events with the indicators' full text, the attention list worst first (cells escaped)
    tables = [t.value for t in at.table]
    events = next(t for t in tables if "指标" in t.columns)
    assert list(events["指标"]) == [safe.md_text(x) for x in b.events["indicator_label"]]
    assert "重点任务与整改通知书尚未录入" not in text  # slide 5 lists the demo's tasks and notices
    assert any("牵头科室" in t.columns for t in tables) and any("文号" in t.columns for t in tables)


def test_presentation_mode_steps_through_the_slides(demo_db):
    with store.opened(demo_db) as db:
        q = briefing.available_quarters(db)[1]
    at = _page(present="1", quarter=q)
    assert at.title[0].value == i18n.t("brief.title", quarter=briefing.quarter_label(q, "zh"))
    (n,) = [int(m.group(1)) for x in at.markdown if (m := re.fullmatch(r"\*\*1 / (\d+)\*\*", x.value))]
    assert n >= 6  # the six slides, and a following slide for a table that does not fit one (PRODUCT §6)
    assert not at.selectbox  # no controls but the slide's own buttons
    at.button(key="_brief_next").click().run()
    assert f"**2 / {n}**" in [m.value for m in at.markdown]
    assert at.title[0].value == "患者满意度距目标最远的科室"
    assert at.query_params["slide"] == "2"
    at.button(key="_brief_prev").click().run()
    at.button(key="_brief_prev").click().run()  # wraps round to the last slide
    assert f"**{n} / {n}**" in [m.value for m in at.markdown]
    assert at.title[0].value == "需要关注的科室"
    at.button(key="_brief_exit").click().run()
    assert "present" not in at.query_params
    assert at.title[0].value == "季度汇报"


def test_slide_parameter_opens_that_slide(demo_db):
    at = _page(present="1", slide="3")
    assert any(m.value.startswith("**3 / ") for m in at.markdown)
    assert at.title[0].value == "本季度否决与警示事件"


def test_presentation_in_english(demo_db):
    at = AppTest.from_file(APP, default_timeout=90)
    at.switch_page("pages/briefing.py")
    at.session_state["lang"] = "en"
    at.query_params["present"] = "1"
    at.query_params["slide"] = "4"
    at.run()
    assert not at.exception
    assert at.title[0].value == safe.md_text(
        "Integrity-department award pipeline"
    )  # drawn as text (a title may name a hospital)
    assert [b.label for b in at.button if b.key == "_brief_next"] == ["Next ▶"]
    assert any(
        str(c).startswith("✕ Conflict") and "veto V07" in str(c) for t in at.table for c in t.value.to_numpy().ravel()
    )


def test_after_presenting_another_quarter_can_be_chosen(demo_db):
    with store.opened(demo_db) as db:
        newest, older = briefing.available_quarters(db)[:2]
    at = _page(present="1", quarter=older)
    at.button(key="_brief_exit").click().run()
    assert at.selectbox[0].value == older  # the quarter just presented
    at.selectbox[0].set_value(newest).run()
    assert not at.exception
    assert at.selectbox[0].value == newest
    title = i18n.t("brief.title", quarter=briefing.quarter_label(newest, "zh"))
    assert f"#### 1. {title}" in _text(at)


def test_a_slide_that_continues_draws_on_the_page_without_an_error(demo_db):
    """A large hospital's awards list runs over one slide (…（1/2）, …（2/2）): the page's preview and every slide of
    presentation mode draw, each continued slide with its chart (it crashed on two charts with one identity)."""
    from metrics.ingest import importer

    with store.opened(demo_db) as db:
        quarter = briefing.default_quarter(db)
        depts = store.departments(db)["dept_code"].tolist()
    year, q = int(quarter[:4]), int(quarter[-1])
    from datetime import date, timedelta

    changed = date(year, 3 * q - 1, 10)
    rows = [{"dept_code": d, "year": year, "status": "rectifying", "changed_on": changed.isoformat(),
             "rectify_until": (changed + timedelta(days=120)).isoformat(), "note": ""} for d in depts[:30]]  # fmt: skip
    assert importer.commit_rows("awards", rows, source="test", user="adm", db_path=demo_db).committed
    from metrics.views import briefing as briefing_view

    with store.opened(demo_db) as db:
        b = briefing.build(db, quarter, "zh")
    slides = briefing_view._slides(b)
    titles = [s.title for s in slides if s.name == "awards"]
    assert len(titles) >= 2, titles  # the awards slide continues
    at = _page(quarter=quarter)
    assert not at.error, [e.value for e in at.error]
    headings = [m.value for m in at.markdown if m.value.startswith("#### ")]
    assert len(headings) == len(slides) and sum("清廉科室" in h for h in headings) == len(titles), headings
    for i in range(1, len(slides) + 1):
        shown = _page(quarter=quarter, present="1", slide=str(i))
        assert not shown.error, (i, [e.value for e in shown.error])
