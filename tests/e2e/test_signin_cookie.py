"""The sign-in cookie (PRODUCT §7): the browser has it from the first page it is served, HttpOnly (no script of the
page can read it) and SameSite=Strict, so the sign-in form opens without reloading the page under the user."""

from __future__ import annotations

from tests.e2e.conftest import EDITOR, EDITOR_PASSWORD, wait_idle


def test_the_login_form_opens_without_a_reload_and_its_cookie_is_http_only(app, new_page):
    page = new_page(1400, 900)
    loads = []
    page.on("load", lambda p: loads.append(p.url))  # a document load, not the address changing to the landing page
    page.goto(app.url + "/login")
    wait_idle(page, settle=1.0)
    page.evaluate("() => { window.__sameDocument = true; }")
    page.locator('[data-testid="stTextInput"] input').nth(0).fill(EDITOR)
    page.locator('input[type="password"]').fill(EDITOR_PASSWORD)
    page.locator('[data-testid="stFormSubmitButton"] button').click()
    page.wait_for_function(
        "() => (document.querySelector('[data-testid=\"stSidebar\"]') || {}).innerText?.includes('已登录')"
    )
    # one load: no reload between the address and the signed-in page (which lands on the home page, §7)
    assert len(loads) == 1 and page.evaluate("() => window.__sameDocument === true"), loads
    cookies = [c for c in page.context.cookies() if c["name"] == "integrity_session"]
    assert len(cookies) == 1, cookies
    assert cookies[0]["httpOnly"] and cookies[0]["sameSite"] == "Strict", cookies
    assert page.evaluate("() => document.cookie").find("integrity_session") < 0
