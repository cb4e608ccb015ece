"""The home page's own address typed or reloaded (a bookmark of /overview, a reload there): the overview opens, not
an error page naming two pages at one address, nor Streamlit's English "Page not found" dialog over it (it makes the
whole page inert: nothing can be clicked until it is closed)."""

from __future__ import annotations

from tests.e2e.conftest import exceptions, wait_idle


def test_overview_address_opens_the_overview_on_every_load(app, new_page):
    page = new_page(1400, 900)
    page.goto(app.url + "/events")  # the app opened once in this tab
    wait_idle(page)
    for url in ("/overview", "/overview", "/overview?lang=en"):  # then the home page's address typed, reloaded
        page.goto(app.url + url)
        wait_idle(page, settle=1.0)
        assert not exceptions(page), (url, exceptions(page)[:1])
        main = page.inner_text('[data-testid="stMain"]')
        assert ("总览" in main or "Overview" in main) and "页面不存在" not in main, (url, main[:300])
        dialogs = page.locator('[role="dialog"]').all_inner_texts()
        assert not dialogs, (url, dialogs)
        # the page answers a click: the sidebar's language switch is not covered
        page.locator('[data-testid="stSidebar"] label').filter(has_text="English").first.click(trial=True)
