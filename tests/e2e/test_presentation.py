"""Presentation mode in a real browser: every slide fits one screen and is legible from the back of the room."""

from __future__ import annotations

import os
import re
from datetime import date

import pytest

from metrics import briefing, clock, i18n, store
from metrics.views import ViewKey
from metrics.views import briefing as briefing_view
from tests.e2e.conftest import exceptions, make_store, start_app, stop_app, wait_idle

MIN_FONT_PX = 24
# "Today" for the app and the checks: the demo ends in October 2026, so its newest quarter is the running one on this
# day whatever the machine's clock says (no test depends on the wall clock's month)
TODAY = date(2026, 11, 15)


def _start_on_today(db, log):
    """The app on ``db`` with its day fixed at TODAY ($INTEGRITY_TODAY)."""
    before = os.environ.get(clock.TODAY_ENV)
    os.environ[clock.TODAY_ENV] = TODAY.isoformat()
    try:
        return start_app(db, log)
    finally:
        if before is None:
            os.environ.pop(clock.TODAY_ENV)
        else:
            os.environ[clock.TODAY_ENV] = before


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("present_app")
    a = _start_on_today(make_store(folder), folder / "streamlit.log")
    yield a
    stop_app(a)


def _name_on_screen(page) -> str:
    """Which of briefing.SLIDES the screen shows, from its title (a continued one ends '（2/2）')."""
    title = re.sub(r"[（(]\d+/\d+[）)]$", "", page.locator(".stMain h1").first.inner_text()).strip()
    names = {i18n.t(f"brief.s.{s}", lang): s for s in briefing.SLIDES[1:] for lang in ("zh", "en")}
    return names.get(title, "kpis")


def _slides(db, quarter: str, lang: str = "zh") -> list[briefing_view.Slide]:
    """The slides presentation mode shows for ``quarter`` on TODAY (a table that does not fit continues)."""
    with store.opened(db) as d:
        version = store.data_version(d)
    return list(briefing_view.build(ViewKey.of(str(db), version, lang, quarter=quarter, today=TODAY)).slides)


# Every visible piece of text on the slide (HTML text nodes and the charts' SVG text) with its computed size.
_TEXT_SIZES = """() => {
  const out = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.querySelector('.stMain') || document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el || seen.has(el)) continue;
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || cs.visibility === 'hidden' || cs.display === 'none') continue;
    if (el.closest('.st-key-brief_keys') || el.closest('style') || el.closest('script')) continue;
    if (r.bottom < 0 || r.top > innerHeight) continue;
    seen.add(el);
    out.push([text.slice(0, 40), parseFloat(cs.fontSize)]);
  }
  return out;
}"""

# Pairs of slide text boxes (HTML, not chart SVG) that overlap on screen: text drawn over other text.
_OVERLAPS = """() => {
  const slide = document.querySelector('.st-key-brief_slide');
  const boxes = [];
  const walker = document.createTreeWalker(slide, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || el.closest('svg')) continue;
    const range = document.createRange();
    range.selectNodeContents(walker.currentNode);
    for (const r of range.getClientRects()) if (r.width > 0 && r.height > 0) boxes.push([walker.currentNode.textContent.trim().slice(0, 20), r]);
  }
  const hits = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i][1], b = boxes[j][1];
    const dx = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    const dy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    if (dx > 2 && dy > 4) hits.push([boxes[i][0], boxes[j][0]]);
  }
  return hits;
}"""

# Text hidden by a clipping box on the slide (a column or card cutting its content off), or outside the slide.
_CLIPPED = """() => {
  const slide = document.querySelector('.st-key-brief_slide');
  const out = [];
  const walker = document.createTreeWalker(slide, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const r = range.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    for (let a = node.parentElement; a; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (a === slide || cs.overflowY !== 'visible' || cs.overflowX !== 'visible') {
        const b = a.getBoundingClientRect();
        if (r.bottom > b.bottom + 1 || r.right > b.right + 1 || r.top < b.top - 1) {
          out.push([node.textContent.trim().slice(0, 20), a.getAttribute('data-testid') || a.className.toString().slice(0, 30)]);
          break;
        }
      }
      if (a === slide) break;
    }
  }
  return out;
}"""

_FITS = """() => {
  const main = document.querySelector('.stMain') || document.querySelector('[data-testid="stMain"]');
  const slide = document.querySelector('.st-key-brief_slide');
  const nav = document.querySelector('.st-key-brief_nav');
  return {
    doc: [document.scrollingElement.scrollHeight, innerHeight],
    main: main ? [main.scrollHeight, main.clientHeight] : null,
    slide: slide ? [slide.scrollHeight, slide.clientHeight] : null,
    navBottom: nav ? nav.getBoundingClientRect().bottom : null,
    sidebar: !!document.querySelector('[data-testid="stSidebar"]') &&
             getComputedStyle(document.querySelector('[data-testid="stSidebar"]')).display !== 'none',
  };
}"""


def _check_slide(page, n: int, size: str, shots, total: int, name: str | None = None) -> None:
    wait_idle(page)
    page.wait_for_function(f"() => document.body.innerText.includes('{n} / {total}')")
    name = name or _name_on_screen(page)
    # a cold server draws the slide before its stylesheet: wait for the chrome to go and the buttons to come
    page.wait_for_function(
        """() => { const h = document.querySelector('[data-testid="stHeader"]');
                   return (!h || getComputedStyle(h).display === 'none') && document.querySelector('.st-key-brief_nav'); }"""
    )
    wait_idle(page)
    if name in ("ranking", "awards"):
        page.wait_for_selector(".st-key-brief_slide .js-plotly-plot .main-svg")
    page.screenshot(path=str(shots / f"present_{size}_slide{n}_{name}.png"))
    assert not exceptions(page)
    fits = page.evaluate(_FITS)
    assert fits["doc"][0] <= fits["doc"][1], f"slide {n} at {size}: the page scrolls {fits}"
    assert fits["main"] is None or fits["main"][0] <= fits["main"][1] + 1, f"slide {n} at {size}: {fits}"
    assert fits["slide"][0] <= fits["slide"][1] + 1, f"slide {n} at {size}: content cut off {fits}"
    assert fits["navBottom"] <= page.viewport_size["height"], f"slide {n} at {size}: buttons off screen {fits}"
    assert not fits["sidebar"], "the sidebar shows in presentation mode"
    assert page.locator('[data-testid="stToolbar"]:visible, [data-testid="stHeader"]:visible').count() == 0
    clipped = page.evaluate(_CLIPPED)
    assert not clipped, f"slide {n} at {size}: text cut off: {clipped[:5]}"
    overlaps = page.evaluate(_OVERLAPS)
    assert not overlaps, f"slide {n} at {size}: text drawn over text: {overlaps[:5]}"
    sizes = page.evaluate(_TEXT_SIZES)
    assert len(sizes) >= 3, f"slide {n}: hardly any text found {sizes}"
    small = [(t, s) for t, s in sizes if s < MIN_FONT_PX]
    assert not small, f"slide {n} at {size}: text below {MIN_FONT_PX}px: {small[:8]}"
    return page.evaluate(_SLIDE_FACTS)


# What a slide shows: its visible table cells, the bars of its chart, and whether any chart text is rotated.
_SLIDE_FACTS = r"""() => {
  const slide = document.querySelector('.st-key-brief_slide');
  const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  return {
    cells: [...slide.querySelectorAll('td')].filter(visible).map(td => td.innerText.trim()),
    bars: slide.querySelectorAll('.js-plotly-plot .bars .point').length,
    rotated: [...slide.querySelectorAll('.js-plotly-plot text')].filter(
      t => /rotate\((?!0)/.test(t.getAttribute('transform') || '')).map(t => t.textContent).slice(0, 5),
    text: slide.innerText,
  };
}"""


@pytest.mark.parametrize("width,height", [(1920, 1080), (1280, 720)])
def test_every_slide_fits_one_screen_with_large_type(app, new_page, shots, width, height):
    with store.opened(app.db) as db:
        quarter = briefing.default_quarter(db)
    page = new_page(width, height)
    size = f"{width}x{height}"
    with store.opened(app.db) as db:
        b = briefing.build(db, quarter, "zh", today=TODAY)
    names = [s.name for s in _slides(app.db, quarter)]
    N = len(names)
    page.goto(f"{app.url}/briefing?present=1&quarter={quarter}")
    facts = {1: _check_slide(page, 1, size, shots, N, names[0])}
    title = briefing.quarter_label(quarter, "zh")
    assert title in page.inner_text(".stMain")
    # forward through every slide, alternating the Next button and the keys a presenter's clicker sends
    moves = ["button", "ArrowRight", "PageDown", "Space"]
    for n in range(2, N + 1):
        move = moves[(n - 2) % len(moves)]
        if move == "button":
            page.get_by_role("button", name=re.compile("下一页")).click()
        else:
            page.locator("body").press(move)
        facts[n] = _check_slide(page, n, size, shots, N, names[n - 1])
    # a slide continued over several ('…（2/2）'): what its pages show together
    slide = {}
    for i, name in enumerate(names, start=1):
        got = slide.setdefault(name, {"cells": [], "bars": 0, "rotated": [], "text": ""})
        got["cells"] += facts[i]["cells"]
        got["bars"] += facts[i]["bars"]
        got["rotated"] += facts[i]["rotated"]
        got["text"] += facts[i]["text"] + "\n"
    # the ranking: at most 15 horizontal bars, names level; the events: the indicators' full text in a table
    assert 0 < slide["ranking"]["bars"] <= 15 and not slide["ranking"]["rotated"]
    assert set(b.events["indicator_label"]) <= set(slide["events"]["cells"])
    # the awards: the conflict in a table row; the tasks: the honest empty state; attention: the rest in one line
    assert any(c.startswith("✕ 冲突") for c in slide["awards"]["cells"])
    # slide 5: the demo's overdue and due tasks by lead department, and its open notices
    tasks_text = slide["tasks"]["text"]
    assert "逾期及本季度到期的重点任务" in tasks_text and "牵头科室" in tasks_text and "整改中" in tasks_text
    assert "另有 " in slide["attention"]["text"] and "个科室：" in slide["attention"]["text"]
    # and back again: the Previous button, ArrowLeft and PageUp
    page.get_by_role("button", name=re.compile("上一页")).click()
    wait_idle(page)
    page.wait_for_function(f"() => document.body.innerText.includes('{N - 1} / {N}')")
    page.locator("body").press("ArrowLeft")
    wait_idle(page)
    page.wait_for_function(f"() => document.body.innerText.includes('{N - 2} / {N}')")
    page.locator("body").press("PageUp")
    wait_idle(page)
    page.wait_for_function(f"() => document.body.innerText.includes('{N - 3} / {N}')")


@pytest.mark.parametrize("width,height", [(1920, 1080), (1280, 720)])
def test_a_running_quarter_is_labelled_partial_and_still_fits(app, new_page, shots, width, height):
    """The newest demo quarter holds fewer than three months; its slides say so and still fit."""
    with store.opened(app.db) as db:
        newest = briefing.available_quarters(db)[0]
        b = briefing.build(db, newest, "zh", today=TODAY)
    assert b.partial
    names = [s.name for s in _slides(app.db, newest)]
    page = new_page(width, height)
    page.goto(f"{app.url}/briefing?present=1&quarter={newest}&slide=1")
    facts = _check_slide(page, 1, f"{width}x{height}_partial", shots, len(names), "kpis")
    assert b.period_label in page.inner_text(".stMain") and "进行中" in b.period_label
    last = names.index("attention") + 1
    page.goto(f"{app.url}/briefing?present=1&quarter={newest}&slide={last}")
    facts = _check_slide(page, last, f"{width}x{height}_partial", shots, len(names), "attention")
    assert facts["cells"][:2] == ["✕", b.attention.iloc[0]["dept_name"]]  # the worst first


def test_english_slides_fit_the_projector(app, new_page, shots):
    """English runs longer than Chinese: every slide of the running quarter still fits 1280×720 at ≥ 24 px."""
    with store.opened(app.db) as db:
        newest = briefing.available_quarters(db)[0]
        b = briefing.build(db, newest, "en", today=TODAY)
    slides = _slides(app.db, newest, "en")
    page = new_page(1280, 720)
    for n, s in enumerate(slides, start=1):
        page.goto(f"{app.url}/briefing?present=1&quarter={newest}&slide={n}&lang=en")
        facts = _check_slide(page, n, "1280x720_en", shots, len(slides), s.name)
        assert page.locator(".stMain h1").first.inner_text() == (b.title if s.name == "kpis" else s.title)
    assert facts["cells"][0] == "✕"


def test_slide_parameter_and_exit(app, new_page):
    page = new_page(1280, 720)
    page.goto(f"{app.url}/briefing?present=1&slide=3")
    wait_idle(page)
    page.wait_for_function("() => /\\b3 \\/ \\d+/.test(document.body.innerText)")
    assert "否决与警示" in page.inner_text(".stMain")
    page.get_by_role("button", name="退出演示").click()
    wait_idle(page)
    page.wait_for_selector('[data-testid="stSelectbox"]')  # the normal page with the quarter selector is back
    assert "present" not in page.url
    page.get_by_role("button", name="进入演示模式").click()  # and the page's button starts presenting again
    wait_idle(page)
    page.wait_for_function("() => /\\b1 \\/ \\d+/.test(document.body.innerText)")
    assert "present=1" in page.url
    assert page.evaluate(_FITS)["sidebar"] is False


def test_auto_advance_moves_on_by_itself(app, new_page):
    page = new_page(1280, 720)
    page.goto(f"{app.url}/briefing?present=1&slide=1&auto=2")
    wait_idle(page)
    for n in (1, 2, 3):
        page.wait_for_function(f"() => /\\b{n} \\/ \\d+/.test(document.body.innerText)", timeout=20_000)
    assert not exceptions(page)


@pytest.mark.parametrize("width,height", [(1920, 1080), (1280, 720)])
def test_a_group_briefing_names_the_hospital_on_every_slide_and_still_fits(new_page, tmp_path, shots, width, height):
    """PRODUCT §9: in a group store every slide names the hospital whose numbers it shows — here the longest
    demo name, H03 — and every slide still fits one screen (1280×720 too) at ≥ 24 px, in Chinese and in English."""
    from tests.e2e.conftest import sign_in
    from tests.e2e.test_region_browser import COMM, COMM_PASSWORD, NAMES, _group_store

    db = _group_store(tmp_path)
    app = _start_on_today(db, tmp_path / "streamlit.log")
    try:
        page = new_page(width, height)
        sign_in(page, app.url, COMM, COMM_PASSWORD)
        page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
        page.get_by_role("option", name=NAMES["H03"], exact=True).click()
        wait_idle(page, settle=1.0)
        page.locator('[data-testid="stSidebarNav"] a').filter(has_text=i18n.t("nav.briefing")).first.click()
        wait_idle(page, settle=1.0)
        for lang, name in (("zh", NAMES["H03"]), ("en", "County Maternal and Child Health Hospital")):
            if lang == "en":  # English runs longer: the sidebar's switch, then present again
                page.get_by_role("button", name=i18n.t("brief.exit_present")).click()
                wait_idle(page, settle=1.0)
                page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
                wait_idle(page, settle=1.0)
            page.get_by_role("button", name=i18n.t("brief.present", lang)).click()
            page.wait_for_function("() => /\\b1 \\/ \\d+/.test(document.body.innerText)")
            total = int(re.search(r"\b1 / (\d+)", page.inner_text(".stMain")).group(1))
            for n in range(1, total + 1):
                if n > 1:
                    page.get_by_role("button", name=re.compile(i18n.t("brief.next", lang))).click()
                _check_slide(page, n, f"{width}x{height}_group_{lang}", shots, total)
                assert name in page.inner_text(".stMain"), (lang, n)
            assert "hospital=H03" in page.url
    finally:
        stop_app(app)
