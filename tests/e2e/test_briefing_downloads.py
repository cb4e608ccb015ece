"""The downloaded briefing: the HTML opens with the network blocked and draws every chart; the PPTX has charts."""

from __future__ import annotations

import io
import re

from metrics import briefing, i18n, store
from tests.e2e.conftest import exceptions, wait_idle


def _download(page, label: str, folder) -> bytes:
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_role("button", name=re.compile(label)).click()
    path = folder / dl.value.suggested_filename
    dl.value.save_as(str(path))
    return path


def _expected(app):
    with store.opened(app.db) as db:
        q = briefing.default_quarter(db)
        return briefing.build(db, q, "zh")


def test_html_briefing_draws_every_chart_offline(app, new_page, shots, tmp_path):
    b = _expected(app)
    page = new_page(1920, 1080)
    page.goto(f"{app.url}/briefing")
    wait_idle(page)
    assert not exceptions(page)
    page.screenshot(path=str(shots / "briefing_page.png"), full_page=True)
    path = _download(page, "HTML", tmp_path)
    assert path.name.endswith(".html")
    text = path.read_text("utf-8")
    assert not re.search(r"<(script|img|iframe)[^>]+src=|<link[\s>]", text), "the file points at something outside"

    offline = new_page(1280, 720)
    blocked = []

    def block(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    offline.context.route("**/*", block)
    offline.context.set_offline(True)
    offline.goto(path.as_uri())
    offline.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 2")
    charts = offline.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')].map(
             p => p.querySelectorAll('.main-svg').length > 0 && p.querySelectorAll('.point, .bars path').length)"""
    )
    assert len(charts) == 2 and all(charts), f"charts drawn (marks per chart): {charts}"
    assert not blocked, f"the briefing tried the network: {blocked[:5]}"
    widths = offline.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')].map(
             p => p.querySelector('.main-svg').getBoundingClientRect().width /
                  p.parentElement.getBoundingClientRect().width)"""
    )
    assert all(w > 0.8 for w in widths), f"charts should span their box: {widths}"
    body = offline.inner_text("body")
    assert b.title in body
    for k in b.kpis:
        assert briefing.kpi_value_text(k, "zh") in body
    assert all(r["dept_name"] in body for r in b.conflicts.to_dict("records"))
    offline.screenshot(path=str(shots / "briefing_html_offline.png"), full_page=False)


def test_pptx_briefing_has_native_charts_and_the_quarter_numbers(app, new_page, tmp_path):
    from pptx import Presentation

    b = _expected(app)
    page = new_page(1920, 1080)
    page.goto(f"{app.url}/briefing")
    wait_idle(page)
    path = _download(page, "PowerPoint", tmp_path)
    prs = Presentation(io.BytesIO(path.read_bytes()))
    assert len(prs.slides) >= len(briefing.SLIDES)  # a table that does not fit continues on the next slide
    charts = [sh.chart for s in prs.slides for sh in s.shapes if sh.has_chart]
    assert len(charts) >= 2
    # slide 2 (and its continuation when its bars need two slides); then the pipeline, on slide 4 and on each of its
    # continuations (its statuses: 已授牌 among them)
    pipeline = next(i for i, c in enumerate(charts) if i18n.t("award.awarded") in list(c.plots[0].categories))
    ranking = charts[:pipeline]
    # each chart's data bottom up (a bar chart draws its first category at the bottom): the worst at the top
    assert [x for c in ranking for x in list(c.plots[0].categories)[::-1]] == list(b.ranking["dept_name"])
    values = [x for c in ranking for x in list(c.plots[0].series[0].values)[::-1]]
    assert values == [round(float(v), 1) for v in b.ranking["value"]]
    text = "\n".join(sh.text_frame.text for s in prs.slides for sh in s.shapes if sh.has_text_frame)
    assert briefing.quarter_label(b.quarter, "zh") in text
    for k in b.kpis:
        assert f"{k.label}\n{briefing.kpi_value_text(k, 'zh')}" in text  # a native card: label, then value
    assert i18n.t("brief.pptx.veto_line", n=b.vetoes, prev=b.vetoes_prev) in text
