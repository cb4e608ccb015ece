"""Every department cell is one click from its profile, and the profile's back link returns to the page it came from
with that page's filters as they were: the matrix's department columns, a bar of the overview's ranking, the awards
page's notice and rectification tables, the events list."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from tests.e2e.conftest import exceptions, wait_idle

ROW_PX = 35  # glide-data-grid's default row height in st.dataframe (the header is one row too)


def _grid(page, heading: str):
    """The table drawn after the heading ``heading`` (its first following st.dataframe)."""
    return page.locator(
        f'xpath=//*[@data-testid="stHeading"][contains(., "{heading}")]/following::*[@data-testid="stDataFrame"][1]'
    )


def _click_cell(page, table, x: int, row: int = 0) -> None:
    """Point at, then click, ``x`` px into row ``row`` of the grid (a canvas: by position). As a hand does: a grid
    redrawn with new rows takes a click that comes with no pointer movement before it for no click at all."""
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    x, y = box["x"] + x, box["y"] + ROW_PX * (row + 1) + ROW_PX // 2
    page.mouse.move(x - 20, y - 5)
    page.mouse.move(x, y)
    page.mouse.click(x, y)


def _profile_of(page, back: str) -> str:
    """Wait for the profile opened from ``back``; the department it shows."""
    page.wait_for_url("**/department?*", timeout=60_000)
    wait_idle(page, settle=1.0)
    assert not exceptions(page)
    query = parse_qs(urlparse(page.url).query)
    assert query["from"] == [back], page.url
    return query["dept"][0]


def test_a_click_on_a_department_in_the_matrix_opens_its_profile_and_back_keeps_the_sort(app, new_page):
    page = new_page(1920, 1080)
    page.goto(app.url + "/matrix")
    wait_idle(page, settle=1.0)
    page.locator(".stMain").get_by_text("按科室编码", exact=True).click()  # a sort other than the default
    wait_idle(page, settle=1.0)
    table = page.locator('[data-testid="stDataFrame"]').first
    _click_cell(page, table, 120)  # the department's name
    code = _profile_of(page, "matrix")
    assert code in page.locator(".stMain h1").first.inner_text()

    page.get_by_role("link", name="返回信号矩阵").click()
    page.wait_for_url("**/matrix*", timeout=60_000)
    wait_idle(page, settle=1.0)
    checked = page.locator('.stMain [data-testid="stRadio"] label:has(input:checked)').inner_text().strip()
    assert checked == "按科室编码"  # the sort the user had chosen
    assert "/department" not in page.url  # the matrix did not drill again on its own


def _choose(page, label: str, option: str) -> None:
    page.locator('.stMain [data-testid="stSelectbox"]').filter(has_text=label).first.click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page, settle=1.0)


def _chosen(page, label: str) -> str:
    """What the select box ``label`` shows."""
    return (
        page.locator('.stMain [data-testid="stSelectbox"]').filter(has_text=label).first.locator("input").input_value()
    )


def test_a_click_on_a_bar_of_the_ranking_opens_that_department_and_back_keeps_the_overviews_choices(app, new_page):
    page = new_page(1920, 1080)
    page.goto(app.url + "/")
    wait_idle(page, settle=1.0)
    page.locator(".stMain").get_by_text("月", exact=True).click()  # by month
    wait_idle(page, settle=1.0)
    _choose(page, "指标", "职工满意度")
    month = _chosen(page, "选择期间")
    chart = page.locator(':is([data-testid="stPlotlyChart"], .stBidiComponent:has(.integrity-chart))').first
    chart.scroll_into_view_if_needed()
    assert "职工满意度" in chart.inner_text()
    bars = chart.locator(".bars .point path")
    bars.first.wait_for()
    # plotly draws the first category at the bottom: the last bar is the top one, the last tick label its name
    name = chart.locator(".yaxislayer-above .ytick text").last.text_content().strip()
    box = bars.last.bounding_box()
    x, y = box["x"] + box["width"] * 0.8, box["y"] + box["height"] / 2
    page.mouse.move(x - 20, y)
    page.mouse.click(x, y)
    _profile_of(page, "overview")
    assert name in page.locator(".stMain h1").first.inner_text()

    page.get_by_role("link", name="返回总览").click()
    page.wait_for_function("() => !location.pathname.endsWith('/department')", timeout=60_000)
    wait_idle(page, settle=1.0)
    assert _chosen(page, "指标") == "职工满意度"  # the metric and the month the user had chosen
    assert _chosen(page, "选择期间") == month
    checked = page.locator('.stMain [data-testid="stRadio"] label:has(input:checked)').first.inner_text().strip()
    assert checked == "月"
    assert "/department" not in page.url  # the overview did not drill again on its own


def test_a_click_on_a_department_in_the_events_list_opens_its_profile(app, new_page):
    page = new_page(1920, 1080)
    page.goto(app.url + "/events")
    wait_idle(page, settle=1.0)
    table = _grid(page, "事件明细")
    _click_cell(page, table, 200)
    _profile_of(page, "events")


def test_a_click_on_a_department_in_the_awards_notice_opens_its_profile(app, new_page):
    page = new_page(1920, 1080)
    page.goto(app.url + "/awards")
    wait_idle(page, settle=1.0)
    table = _grid(page, "公示（")
    _click_cell(page, table, 120)
    _profile_of(page, "awards")
    assert page.get_by_role("link", name="返回清廉科室").count() == 1


def test_a_click_on_a_cell_of_the_overviews_heat_map_opens_that_rows_department(app, new_page):
    page = new_page(1920, 1080)
    page.goto(app.url + "/")
    wait_idle(page, settle=1.0)
    chart = page.locator(':is([data-testid="stPlotlyChart"], .stBidiComponent:has(.integrity-chart))').nth(
        1
    )  # after the ranking
    chart.scroll_into_view_if_needed()
    chart.locator(".hm, .heatmaplayer image").first.wait_for(state="attached")
    # plotly draws the first category at the bottom: the last tick label names the top row
    name = chart.locator(".yaxislayer-above .ytick text").last.text_content().strip()
    ticks = chart.locator(".yaxislayer-above .ytick text")
    # the map is taller than the screen: its top row in the middle of it (the app's header covers the top)
    ticks.last.evaluate("e => e.scrollIntoView({block: 'center'})")
    top, second = ticks.last.bounding_box(), ticks.nth(ticks.count() - 2).bounding_box()
    area = chart.locator(".nsewdrag").first.bounding_box()
    x, y = area["x"] + area["width"] * 0.5, top["y"] + top["height"] / 2
    assert abs(second["y"] - top["y"]) > 10  # rows far enough apart to aim at one
    page.mouse.move(x - 20, y)
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    _profile_of(page, "overview")
    assert name in page.locator(".stMain h1").first.inner_text()


def test_a_click_on_a_notice_in_the_register_opens_its_departments_profile(app, new_page):
    for path, back in (("/tasks", "tasks"), ("/events", "events")):
        page = new_page(1920, 1080)
        page.goto(app.url + path)
        wait_idle(page, settle=1.0)
        heading = page.locator('.stMain [data-testid="stHeading"]').filter(has_text="整改通知书").first
        heading.scroll_into_view_if_needed()
        table = _grid(page, "整改通知书")
        _click_cell(page, table, 60)  # the notice's state
        code = _profile_of(page, back)
        assert code in page.locator(".stMain h1").first.inner_text()
        page.context.close()
