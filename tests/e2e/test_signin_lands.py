"""Who signs in at the sign-in page lands on the home page (总览), not on 登录 with "欢迎" (PRODUCT §7: a user who
signs in lands on the page they were going to; from the sign-in page itself, that is the home page)."""

from __future__ import annotations

from urllib.parse import urlparse

from tests.e2e.conftest import EDITOR, EDITOR_PASSWORD, exceptions, wait_idle


def test_signing_in_at_the_login_page_lands_on_the_overview(app, new_page):
    page = new_page(1400, 900)
    page.goto(app.url + "/login")
    wait_idle(page)
    page.locator('[data-testid="stTextInput"] input').nth(0).fill(EDITOR)
    page.locator('input[type="password"]').fill(EDITOR_PASSWORD)
    page.locator('[data-testid="stFormSubmitButton"] button').click()
    page.wait_for_function(
        "() => (document.querySelector('[data-testid=\"stSidebar\"]') || {}).innerText?.includes('已登录')"
    )
    page.wait_for_url(lambda url: not urlparse(url).path.endswith("/login"), timeout=30_000)
    wait_idle(page, settle=1.0)
    main = page.inner_text('[data-testid="stMain"]')
    assert "欢迎" not in main and "总览" in main, main[:300]
    assert not exceptions(page)
