"""PRODUCT §6: the downloaded HTML briefing shows one slide per screen (1280×720 and 1920×1080), the arrow keys step
a slide at a time, nothing on a slide runs outside it, and the Chinese and English files have different names."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import wait_idle


def _download(page, folder):
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_role("button", name=re.compile("HTML")).click()
    path = folder / dl.value.suggested_filename
    dl.value.save_as(str(path))
    return path


# Each slide: its box on screen, and any text reaching outside it.
_FRAMES = """() => [...document.querySelectorAll('.frame')].map(f => {
  const s = f.querySelector('.slide');
  const r = s.getBoundingClientRect(), fr = f.getBoundingClientRect();
  const out = [];
  const walker = document.createTreeWalker(s, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const t = walker.currentNode;
    if (!t.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(t);
    const b = range.getBoundingClientRect();
    if (b.width && (b.bottom > r.bottom + 1 || b.right > r.right + 1 || b.left < r.left - 1)) out.push(t.textContent.trim().slice(0, 20));
  }
  return {frame: [fr.width, fr.height], slide: [r.left - fr.left, r.top - fr.top, r.width, r.height], out};
})"""


@pytest.mark.parametrize("width,height", [(1280, 720), (1920, 1080)])
def test_the_html_is_one_slide_per_screen_with_arrow_keys(app, new_page, shots, tmp_path, width, height):
    page = new_page(1920, 1080)
    page.goto(f"{app.url}/briefing")
    wait_idle(page)
    zh = _download(page, tmp_path)
    page.goto(f"{app.url}/briefing?lang=en")
    wait_idle(page)
    page.get_by_role("button", name=re.compile("HTML")).wait_for()
    en = _download(page, tmp_path)
    assert zh.name != en.name, "the Chinese and the English briefing would overwrite each other"

    view = new_page(width, height)
    view.goto(zh.as_uri())
    view.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 2")
    frames = view.evaluate(_FRAMES)
    assert len(frames) >= 6
    for i, f in enumerate(frames, start=1):
        assert f["frame"] == [width, height], f"slide {i} is not one screen: {f}"
        x, y, w, h = f["slide"]
        assert x >= -1 and y >= -1 and x + w <= width + 1 and y + h <= height + 1, f"slide {i} overflows: {f}"
        assert max(w / width, h / height) > 0.99, f"slide {i} does not use the screen: {f}"
        assert not f["out"], f"slide {i}: text outside the slide {f['out'][:5]}"
    top = "() => document.scrollingElement.scrollTop"
    for i, key in enumerate(["ArrowRight", "PageDown", "Space"], start=1):
        view.keyboard.press(key)
        view.wait_for_function(f"() => Math.abs(document.scrollingElement.scrollTop - {i * height}) < 2")
    view.screenshot(path=str(shots / f"briefing_html_{width}x{height}_slide4.png"))
    view.keyboard.press("ArrowLeft")
    view.wait_for_function(f"() => Math.abs(document.scrollingElement.scrollTop - {2 * height}) < 2")
    assert abs(view.evaluate(top) - 2 * height) < 2
