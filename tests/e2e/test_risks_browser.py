"""The 风险防控 page in a real browser (PRODUCT §10): a click on a cell of the 清廉招采 stage × level matrix lists that
cell's risk points below it (a plotly click, which AppTest cannot make)."""

from __future__ import annotations

from tests.e2e.conftest import exceptions, wait_idle


def test_a_click_on_a_matrix_cell_lists_its_risk_points(app, new_page, shots):
    page = new_page(1920, 1080)
    page.goto(app.url + "/risks")
    wait_idle(page, settle=1.0)
    tables = page.locator('[data-testid="stDataFrame"]')
    tables.nth(1).wait_for()  # the frontend draws tables after the run's last message
    assert tables.count() == 2 and not exceptions(page)  # lights by unit and the register; no cell picked yet
    plot = page.locator(".js-plotly-plot").first
    plot.scroll_into_view_if_needed()
    box = plot.locator(".nsewdrag").first.bounding_box()
    # rows top to bottom are the chain in order (需求论证 … 使用付款), columns 高 中 低: 招标采购 × 高 is row 3, column 1
    page.mouse.click(box["x"] + box["width"] / 6, box["y"] + box["height"] * 2.5 / 6)
    wait_idle(page, settle=1.0)
    heading = page.locator('[data-testid="stHeading"]', has_text="招标采购 · 高风险：")
    heading.wait_for()
    tables.nth(2).wait_for()
    assert tables.count() == 3 and not exceptions(page)
    heading.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "risks_cell.png"))
    assert "2 个风险点" in heading.inner_text()
