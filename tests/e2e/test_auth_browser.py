"""Sign-in and refusals in a real browser (PRODUCT §7): the first click after a fresh server start signs in, and
a visitor who types an editor's or admin's URL is refused by the page itself."""

from __future__ import annotations

from tests.e2e.conftest import make_store, sign_in, start_app, stop_app, wait_idle


def test_first_sign_in_after_a_fresh_start_works_and_urls_are_refused_without_the_role(new_page, tmp_path):
    app = start_app(make_store(tmp_path), tmp_path / "streamlit.log")
    try:
        page = new_page(1400, 900)
        sign_in(page, app.url)  # the very first interaction with this server
        # signed in, on the overview (PRODUCT §7: not the login page again)
        assert "已登录：e2e_editor（编辑者）" in page.inner_text('[data-testid="stSidebar"]')
        assert "/login" not in page.url and "总览" in page.locator("h1").first.inner_text(), page.url
        # moving within the app keeps the sign-in
        page.locator('[data-testid="stSidebarNav"] a[href$="/upload"]').click()
        page.locator('[data-testid="stFileUploader"]').wait_for()
        assert "已登录：e2e_editor（编辑者）" in page.inner_text('[data-testid="stSidebar"]')
        page.goto(app.url + "/users")  # typed by hand: a new session, not signed in
        wait_idle(page)
        body = page.inner_text("body")
        assert "需要「管理员」权限" in body or "总览" in body, body[:300]
        assert page.locator('[data-testid="stDataFrame"]').count() == 0 or "总览" in body

        visitor = new_page(1400, 900)  # another browser, nobody signed in
        for url, role in (("/upload", "编辑者"), ("/users", "管理员")):
            visitor.goto(app.url + url)
            wait_idle(visitor)
            body = visitor.inner_text("body")
            assert f"需要「{role}」权限" in body or "总览" in body, (url, body[:300])
            assert visitor.locator('[data-testid="stFileUploader"]').count() == 0
            assert visitor.locator('[data-testid="stDataFrame"]').count() == 0 or "总览" in body
    finally:
        stop_app(app)
