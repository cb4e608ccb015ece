"""The very first interaction after a fresh server start must work (docs/DEVELOPING.md: Streamlit 1.67 treated a
folder named pages/ as a legacy multipage app until st.navigation had run once, losing that first click).

Each test here starts its own server so that its first request really is the first one the server sees.
"""

from __future__ import annotations

from tests.e2e.conftest import EDITOR, exceptions, make_store, sign_in, start_app, stop_app, wait_idle


def test_first_click_after_a_fresh_start_switches_the_language(new_page, tmp_path, shots):
    app = start_app(make_store(tmp_path), tmp_path / "streamlit.log")
    try:
        page = new_page(1920, 1080)
        page.goto(app.url + "/")
        wait_idle(page)
        nav = page.locator('[data-testid="stSidebarNav"]')
        assert "总览" in nav.inner_text()
        page.locator('[data-testid="stSidebar"] label:has-text("English")').click()  # the first interaction
        wait_idle(page)
        page.wait_for_function(
            """() => (document.querySelector('[data-testid="stSidebarNav"]') || {innerText: ''})
                      .innerText.includes('Overview')""",
            timeout=15_000,
        )
        assert "总览" not in nav.inner_text()
        assert not exceptions(page)
        page.screenshot(path=str(shots / "first_interaction_english.png"))
    finally:
        stop_app(app)


def test_first_request_to_a_deep_link_runs_the_app_navigation(new_page, tmp_path):
    """A projector bookmark (/briefing?present=1) as the server's first request still gets the app's navigation."""
    app = start_app(make_store(tmp_path), tmp_path / "streamlit.log")
    try:
        page = new_page(1280, 720)
        page.goto(app.url + "/events")
        wait_idle(page)
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        # the app's own navigation (titles from metrics.i18n), not a listing of the files in pages/
        assert "否决与警示" in nav and "_common" not in nav and "common" not in nav.split()
        sign_in(page, app.url)
        assert EDITOR in page.locator('[data-testid="stSidebar"]').inner_text()
    finally:
        stop_app(app)
