"""From the overview to one department and back in a real browser: one click on a cell of the department table opens
that department's profile in the same tab (its light's records, events, award history, notices, tasks on one page),
its back link returns to the overview, and the browser's back button returns to the profile."""

from __future__ import annotations

from tests.e2e.conftest import exceptions, wait_idle

ROW_PX = 35  # glide-data-grid's default row height in st.dataframe (the header is one row too)


def _click_first_row(page, table) -> None:
    """Click the second column of the table's first row (a canvas: by position)."""
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    page.mouse.click(box["x"] + 120, box["y"] + ROW_PX + ROW_PX // 2)


def test_one_click_from_the_overview_opens_the_department_profile_and_back(app, new_page, shots):
    page = new_page(1920, 1080)
    page.goto(app.url + "/")  # the overview is the home page
    wait_idle(page, settle=1.0)
    table = page.locator('[data-testid="stDataFrame"]').last
    table.wait_for()
    _click_first_row(page, table)
    page.wait_for_url("**/department?*", timeout=60_000)
    wait_idle(page, settle=1.0)
    page.screenshot(path=str(shots / "department_profile.png"))
    body = page.inner_text("body")
    assert not exceptions(page)
    assert "from=overview" in page.url and "dept=" in page.url
    for heading in ("信号灯依据", "否决与警示事件", "清廉科室创建状态变化", "整改通知书", "重点任务"):
        assert heading in body, body[:1500]
    assert page.locator('[data-testid="stExpander"]').count() == 0
    # the events, award history, notices and tasks are on the first screen at 1920×1080
    tasks_title = page.get_by_text("重点任务", exact=True).first
    assert tasks_title.bounding_box()["y"] < 1080

    page.get_by_role("link", name="返回总览").click()
    # the overview is the home page: its address is "/"
    page.wait_for_function("() => !location.pathname.endsWith('/department')", timeout=60_000)
    wait_idle(page, settle=1.0)
    assert "科室明细" in page.inner_text("body")
    assert "/department" not in page.url  # the overview did not drill again on its own

    page.go_back()
    page.wait_for_url("**/department?*", timeout=60_000)
    wait_idle(page, settle=1.0)
    # the browser's back loads the page anew: its banner comes a run before the profile (a fresh session's first run)
    page.get_by_text("信号灯依据", exact=True).first.wait_for(timeout=60_000)
    assert "信号灯依据" in page.inner_text("body")


def test_one_click_on_a_departments_light_opens_the_profile_with_its_veto(app, new_page):
    page = new_page(1920, 1080)
    page.goto(app.url + "/events")
    wait_idle(page, settle=1.0)
    table = page.locator('[data-testid="stDataFrame"]').first  # the lights, reds first
    table.wait_for()
    _click_first_row(page, table)
    page.wait_for_url("**/department?*", timeout=60_000)
    wait_idle(page, settle=1.0)
    assert "from=events" in page.url
    body = page.inner_text("body")
    assert "信号灯：红" in body and "否决" in body, body[:1500]  # the red light's veto, one click away
    assert page.get_by_role("link", name="返回否决与警示").count() == 1
