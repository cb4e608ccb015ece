"""Sign-in required ($INTEGRITY_REQUIRE_LOGIN=1): an anonymous visitor who opens /login, "/" or a deep
link such as /overview gets the login form at that address — no Streamlit "Page not found" dialog over it, no
data — and after signing in there sees the page the address names (at /login: the overview)."""

from __future__ import annotations

from urllib.parse import urlparse

from tests.e2e.conftest import EDITOR, EDITOR_PASSWORD, exceptions, make_store, start_app, stop_app, wait_idle


def _main(page) -> str:
    return page.inner_text('[data-testid="stMain"]')


def test_with_sign_in_required_every_address_opens_the_login_form_and_then_its_page(new_page, tmp_path, monkeypatch):
    monkeypatch.setenv("INTEGRITY_REQUIRE_LOGIN", "1")
    app = start_app(make_store(tmp_path), tmp_path / "streamlit.log")
    try:
        for path in ("/login", "/overview", "/trends", "/upload", "/"):
            page = new_page(1400, 900)
            page.goto(app.url + path)
            wait_idle(page, settle=1.0)
            body = page.inner_text("body")
            assert page.locator('[role="dialog"]').count() == 0, (path, body[:300])
            assert "Page not found" not in body and "not found" not in body.lower(), (path, body[:300])
            assert "用户名" in _main(page), (path, _main(page)[:300])
            assert (
                page.locator(
                    '[data-testid="stDataFrame"], :is([data-testid="stPlotlyChart"], .stBidiComponent:has(.integrity-chart))'
                ).count()
                == 0
            ), path
            assert not exceptions(page), path
            if path != "/":
                assert urlparse(page.url).path.endswith(path), (path, page.url)
            page.context.close()

        # signing in at a deep link shows the page it names, signed in
        page = new_page(1400, 900)
        page.goto(app.url + "/trends")
        wait_idle(page)
        page.locator('[data-testid="stTextInput"] input').nth(0).fill(EDITOR)
        page.locator('input[type="password"]').fill(EDITOR_PASSWORD)
        page.locator('[data-testid="stFormSubmitButton"] button').click()
        wait_idle(page, settle=1.0)
        assert "已登录：e2e_editor（编辑者）" in page.inner_text('[data-testid="stSidebar"]')
        assert urlparse(page.url).path.endswith("/trends"), page.url
        assert "科室趋势" in page.locator("h1").first.inner_text(), _main(page)[:300]
        assert "用户名" not in _main(page)
        assert not exceptions(page)

        # and signing in at /login itself opens the overview (PRODUCT §7), not the login page again
        page = new_page(1400, 900)
        page.goto(app.url + "/login")
        wait_idle(page)
        page.locator('[data-testid="stTextInput"] input').nth(0).fill(EDITOR)
        page.locator('input[type="password"]').fill(EDITOR_PASSWORD)
        page.locator('[data-testid="stFormSubmitButton"] button').click()
        wait_idle(page, settle=1.0)
        assert urlparse(page.url).path.rstrip("/") in ("", "/overview"), page.url  # the home page
        assert "欢迎" not in _main(page) and "用户名" not in _main(page), _main(page)[:300]
    finally:
        stop_app(app)
