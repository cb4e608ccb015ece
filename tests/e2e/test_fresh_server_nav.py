"""A fresh server's first visitor never sees Streamlit's listing of the files in pages/ as navigation (dashboard,
audit, … common, warm): Streamlit 1.67 runs a folder named pages/ as a legacy multipage app on a server's first run,
and on a busy server that list stayed on screen for seconds. Every text the sidebar navigation shows, from the first
paint on, is recorded in the page itself."""

from __future__ import annotations

from tests.e2e.conftest import make_store, start_app, stop_app, wait_idle

# records every text the sidebar navigation shows, from the document's first script on
_RECORD = """
window.__navTexts = [];
new MutationObserver(() => {
    const n = document.querySelector('[data-testid="stSidebarNav"]');
    const t = n ? n.innerText : '';
    if (t && window.__navTexts[window.__navTexts.length - 1] !== t) window.__navTexts.push(t);
}).observe(document, {subtree: true, childList: true, characterData: true});
"""
FILES = ("common", "warm", "notfound")  # (the real entries show icon names: "dashboard", "login")


def test_the_first_visitor_of_a_fresh_server_sees_only_the_apps_navigation(new_page, tmp_path):
    app = start_app(make_store(tmp_path), tmp_path / "streamlit.log")
    try:
        page = new_page(1920, 1080)
        page.context.add_init_script(_RECORD)
        page.goto(app.url + "/")
        wait_idle(page)
        page.locator('[data-testid="stSidebarNav"]').filter(has_text="总览").wait_for()
        seen = page.evaluate("window.__navTexts")
        assert seen, "the sidebar navigation was never drawn"
        for text in seen:
            words = text.split()
            assert not any(f in words for f in FILES), f"file names shown as navigation: {text!r}"
            assert "总览" in text, text
    finally:
        stop_app(app)
