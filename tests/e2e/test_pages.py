"""Every page of the navigation in a real browser, and a GBK file uploaded through the upload page."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from metrics import i18n
from metrics.ingest import validate
from tests.e2e.conftest import ADMIN, ADMIN_PASSWORD, exceptions, make_store, sign_in, start_app, stop_app, wait_idle

# A metrics file for a month after the demo data (which ends last month), as Excel on Chinese Windows writes it: GBK.
# Next month is the latest an upload accepts (a month after next is refused).
NEW_MONTH = validate.next_month()
GBK_ROWS = [
    ("月份", "科室编码", "科室名称", "患者满意度", "职工满意度"),
    (NEW_MONTH, "K01", "心血管内科", "97.5", "93.0"),
    (NEW_MONTH, "K20", "急诊科", "91.0", "90.5"),
    (NEW_MONTH, "K07", "骨科", "95.0", "92.0"),
]


def _nav_links(page) -> list[tuple[str, str]]:
    links = page.locator('[data-testid="stSidebarNav"] a')
    # a link reads "<icon name>\n\n<title>": keep the title
    return [
        (links.nth(i).inner_text().strip().split("\n")[-1], links.nth(i).get_attribute("href"))
        for i in range(links.count())
    ]


def _open(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first.click()
    wait_idle(page)


def test_every_page_in_the_navigation_opens_without_an_error(app, new_page, shots):
    page = new_page(1920, 1080)
    sign_in(page, app.url, ADMIN, ADMIN_PASSWORD)  # an administrator sees every page
    assert ADMIN in page.locator('[data-testid="stSidebar"]').inner_text()
    links = _nav_links(page)
    titles = {title for title, _ in links}
    for key in ("nav.overview", "nav.trends", "nav.events", "nav.awards", "nav.briefing", "nav.upload"):
        assert i18n.t(key) in titles, (key, titles)
    for i, (title, href) in enumerate(links):
        _open(page, title)  # by the sidebar, as a user does: a reload would start a new, signed-out session
        assert urlparse(page.url).path.rstrip("/") == urlparse(href).path.rstrip("/"), (page.url, href)
        page.wait_for_timeout(800)  # let plotly draw before the screenshot
        slug = re.sub(r"\W+", "_", urlparse(href).path.strip("/") or "overview")
        page.screenshot(path=str(shots / f"page_{i:02d}_{slug}.png"))
        assert not exceptions(page), (title, exceptions(page))
        body = page.inner_text(".stMain")
        assert i18n.t("app.error") not in body, title
        assert title in body or title == i18n.t("nav.login"), f"{title}: page does not show its own title"


def test_gbk_upload_shows_on_the_overview(new_page, shots, tmp_path):
    # its own server and store: the upload adds a month the other browser tests' shared store must not hold
    app = start_app(make_store(tmp_path), tmp_path / "streamlit.log")
    try:
        _upload_and_read_the_overview(app, new_page, shots, tmp_path)
    finally:
        stop_app(app)


def _upload_and_read_the_overview(app, new_page, shots, tmp_path) -> None:
    csv = tmp_path / f"{NEW_MONTH[:4]}年{int(NEW_MONTH[5:])}月科室满意度.csv"
    csv.write_bytes("\r\n".join(",".join(r) for r in GBK_ROWS).encode("gb18030") + b"\r\n")
    page = new_page(1920, 1080)
    sign_in(page, app.url)
    _open(page, i18n.t("nav.upload"))
    page.locator('input[type="file"]').set_input_files(str(csv))
    wait_idle(page)
    commit = page.get_by_role("button", name=i18n.t("upload.commit"), exact=True)
    commit.wait_for()
    page.screenshot(path=str(shots / "upload_preview_gbk.png"))
    body = page.inner_text(".stMain")
    assert "gb18030" in body.lower() and csv.name in body  # recognised as GBK, the Chinese file name intact
    commit.click()
    wait_idle(page)
    page.wait_for_function("() => document.body.innerText.includes('已提交')", timeout=30_000)
    _open(page, i18n.t("nav.overview"))
    # the overview opens on the last full quarter; the new month's quarter is offered first, labelled
    # partial with the months it holds
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=i18n.t("period.pick")).first
    box.click()
    quarter = f"{NEW_MONTH[:4]}-Q{(int(NEW_MONTH[5:]) - 1) // 3 + 1}"
    option = page.get_by_role("option").first
    assert option.inner_text().startswith(i18n.fmt_period(quarter) + "（") and "含" in option.inner_text()
    page.keyboard.press("Escape")
    # by month: the new month alone — three departments reported, all meeting 90; their mean is 94.5
    page.locator('[data-testid="stRadio"]').get_by_text(i18n.t("period.month"), exact=True).first.click()
    wait_idle(page)
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=i18n.t("period.pick")).first
    box.click()
    option = page.get_by_role("option").first
    assert option.inner_text() == i18n.fmt_month(NEW_MONTH)
    option.click()
    wait_idle(page)
    page.wait_for_timeout(800)
    page.screenshot(path=str(shots / "overview_after_upload.png"))
    body = page.inner_text(".stMain")
    assert i18n.fmt_month(NEW_MONTH) in body
    assert "3 / 3" in body
    assert "94.5" in body
