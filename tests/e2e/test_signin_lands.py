"""Where a sign-in lands (PRODUCT §7): signing in at /login opens the home page — 总览, or 区域总览 for a user who
reads more than one hospital — never the login page again with "欢迎"; and in a group store with sign-in required
the sign-in lasts across a reload, a new tab and a drill link, and a sign-out in another tab ends it."""

from __future__ import annotations

from urllib.parse import urlparse

from metrics import i18n
from tests.e2e.conftest import EDITOR, EDITOR_PASSWORD, exceptions, make_store, start_app, stop_app, wait_idle
from tests.e2e.test_region_browser import COMM, COMM_PASSWORD, _group_store


def _main(page) -> str:
    return page.inner_text('[data-testid="stMain"]')


def _sidebar(page) -> str:
    return page.inner_text('[data-testid="stSidebar"]')


def _sign_in_at_login(page, base: str, user: str, password: str) -> None:
    page.goto(base + "/login")
    wait_idle(page)
    page.locator('[data-testid="stTextInput"] input').nth(0).fill(user)
    page.locator('input[type="password"]').fill(password)
    page.locator('[data-testid="stFormSubmitButton"] button').click()
    page.wait_for_function("() => document.body.innerText.includes('已登录')", timeout=60_000)
    wait_idle(page, settle=1.0)


def _lands_on(page, url_path: str, title: str) -> None:
    """On the page at ``url_path`` ("" for the home page, the overview)."""
    assert urlparse(page.url).path.rstrip("/").endswith(url_path) and "login" not in page.url, page.url
    assert title in page.locator("h1").first.inner_text(), _main(page)[:300]
    assert "欢迎" not in _main(page) and "用户名" not in _main(page), _main(page)[:300]
    assert not exceptions(page)


def test_signing_in_at_the_login_page_opens_the_overview(new_page, tmp_path, monkeypatch):
    for required in ("", "1"):
        monkeypatch.setenv("INTEGRITY_REQUIRE_LOGIN", required)
        app = start_app(make_store(tmp_path), tmp_path / f"streamlit{required}.log")
        try:
            page = new_page(1400, 900)
            _sign_in_at_login(page, app.url, EDITOR, EDITOR_PASSWORD)
            _lands_on(page, "", i18n.t("nav.overview"))
            # the login page itself stays reachable: signed in, it greets and offers sign-out
            page.locator('[data-testid="stSidebarNav"] a[href$="/login"]').click()
            wait_idle(page)
            assert f"欢迎，{EDITOR}。" in page.locator('[data-testid="stAlert"]').all_inner_texts()
            page.context.close()
        finally:
            stop_app(app)


def test_a_group_sign_in_lands_on_the_region_overview_and_lasts(new_page, tmp_path, monkeypatch):
    monkeypatch.setenv("INTEGRITY_REQUIRE_LOGIN", "1")
    app = start_app(_group_store(tmp_path), tmp_path / "streamlit.log")
    try:
        page = new_page(1400, 900)
        _sign_in_at_login(page, app.url, COMM, COMM_PASSWORD)
        _lands_on(page, "region", i18n.t("region.title"))

        page.reload()
        wait_idle(page, settle=1.0)
        assert "已登录" in _sidebar(page), _sidebar(page)[:300]
        _lands_on(page, "region", i18n.t("region.title"))

        # a hospital's overview in a new tab, then its drill link ("趋势 ↗", a new tab again): still signed in
        tab = page.context.new_page()
        tab.goto(app.url + "/overview?hospital=H02")
        wait_idle(tab, settle=1.0)
        assert "已登录" in _sidebar(tab) and "当前医院：县中医院" in _main(tab), _main(tab)[:300]
        href = tab.locator('a[href*="trends?dept="]').first.get_attribute("href")
        drill = page.context.new_page()
        drill.goto(href if href.startswith("http") else app.url + "/" + href.lstrip("/"))
        wait_idle(drill, settle=1.0)
        assert "已登录" in _sidebar(drill), _sidebar(drill)[:300]
        assert "请先登录" not in _main(drill) and "用户名" not in _main(drill), _main(drill)[:300]
        assert i18n.t("nav.trends") in drill.locator("h1").first.inner_text()
        assert not exceptions(drill)

        # sign-out in the drill tab ends it in the first tab at its next run: the login form, no data
        drill.locator('[data-testid="stSidebar"] button:has-text("退出登录")').click()
        drill.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stSidebar\"]').innerText.includes('已登录')"
        )
        page.reload()
        wait_idle(page, settle=1.0)
        assert "已登录" not in _sidebar(page) and "用户名" in _main(page), _main(page)[:300]
        assert (
            page.locator(
                ':is([data-testid="stPlotlyChart"], .stBidiComponent:has(.integrity-chart)), [data-testid="stDataFrame"]'
            ).count()
            == 0
        )
    finally:
        stop_app(app)
