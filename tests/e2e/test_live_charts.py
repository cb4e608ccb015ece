"""Charts updated in place (ui/charts.py): a filter change redraws the chart already on screen instead of
mounting a new one, a slide's chart is drawn at the size the slide gives it, and with charts made plain
($INTEGRITY_PLAIN_CHARTS=1, or no plotly chunk found in Streamlit) every chart is a ``st.plotly_chart`` that still
opens a department on a click."""

from __future__ import annotations

from tests.e2e.conftest import exceptions, make_store, start_app, stop_app, wait_idle

LIVE = ".integrity-chart"
PLAIN = '[data-testid="stPlotlyChart"]'


def _drawn(page) -> None:
    """Every chart on the page has drawn its newest figure."""
    page.wait_for_function(
        """() => { const c = [...document.querySelectorAll('.integrity-chart')];
                   return c.length > 0 && c.every(d => d.dataset.drawn && !d.dataset.pending && d.querySelector('.main-svg')); }"""
    )


def _choose(page, label: str, option: str) -> None:
    page.locator('.stMain [data-testid="stSelectbox"]').filter(has_text=label).first.click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page, settle=1.0)


def test_a_metric_change_redraws_the_ranking_already_on_screen(app, new_page):
    page = new_page(1920, 1080)
    page.goto(app.url + "/")
    wait_idle(page, settle=1.0)
    _drawn(page)
    assert page.locator(PLAIN).count() == 0  # every chart of the page is drawn by the component
    assert page.evaluate("() => window.Plotly && window.Plotly.version")  # Streamlit's plotly.js, found and loaded
    before = page.locator(LIVE).first.inner_text()
    page.evaluate("() => { document.querySelectorAll('.integrity-chart').forEach((d, i) => { d._mark = i + 1; }); }")
    drawn = page.locator(LIVE).first.get_attribute("data-drawn")

    _choose(page, "指标", "职工满意度")
    _drawn(page)
    ranking = page.locator(LIVE).first
    assert "职工满意度" in ranking.inner_text() and ranking.inner_text() != before  # the new metric's bars
    assert page.evaluate("() => [...document.querySelectorAll('.integrity-chart')].map(d => d._mark)") == [1, 2]
    assert int(ranking.get_attribute("data-drawn")) > int(drawn)  # redrawn in place, not mounted again
    assert not exceptions(page)


def test_the_next_slide_draws_its_chart_at_the_size_the_slide_gives_it(app, new_page):
    page = new_page(1920, 1080)
    for n in range(1, 12):
        page.goto(f"{app.url}/briefing?present=1&slide={n}")
        wait_idle(page, settle=1.0)
        if page.locator(f".st-key-brief_slide {LIVE}").count():
            break
    else:
        raise AssertionError("no slide with a chart")
    _drawn(page)
    sizes = page.evaluate(
        """() => { const d = document.querySelector('.st-key-brief_slide .integrity-chart');
                   const box = d.closest('[data-testid="stElementContainer"]').getBoundingClientRect();
                   const svg = d.querySelector('.main-svg').getBoundingClientRect();
                   return {box: [box.width, box.height], svg: [svg.width, svg.height]}; }"""
    )
    (bw, bh), (sw, sh) = sizes["box"], sizes["svg"]
    assert bh > 400 and abs(sh - bh) <= 2 and abs(sw - bw) <= 2, sizes  # drawn at the slide's size, not plotly's 450
    assert not exceptions(page)


def test_plain_charts_are_streamlits_own_and_a_click_on_a_bar_still_opens_the_department(
    new_page, tmp_path, monkeypatch
):
    monkeypatch.setenv("INTEGRITY_PLAIN_CHARTS", "1")
    plain = start_app(make_store(tmp_path), tmp_path / "streamlit.log")
    try:
        page = new_page(1920, 1080)
        page.goto(plain.url + "/")
        wait_idle(page, settle=1.0)
        page.locator(f"{PLAIN} .main-svg").first.wait_for()
        assert page.locator(LIVE).count() == 0 and page.locator(PLAIN).count() == 2  # the ranking and the heat map
        chart = page.locator(PLAIN).first
        bars = chart.locator(".bars .point path")
        bars.first.wait_for()
        name = chart.locator(".yaxislayer-above .ytick text").last.text_content().strip()
        box = bars.last.bounding_box()
        x, y = box["x"] + box["width"] * 0.8, box["y"] + box["height"] / 2
        page.mouse.move(x - 20, y)
        page.mouse.click(x, y)
        page.wait_for_function("() => location.pathname.endsWith('/department')", timeout=60_000)
        wait_idle(page, settle=1.0)
        assert name in page.locator(".stMain h1").first.inner_text()
        assert not exceptions(page)
    finally:
        stop_app(plain)
