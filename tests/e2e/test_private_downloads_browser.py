"""A file of personal data reaches only the browser that asked for it: the editor's click on the awards page gives
the +2 points list with its names, and no URL the visit requested (the kind an access log keeps) gives those names
to a client with no cookie and no session."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from datetime import date

from metrics import store
from metrics.ops import points
from tests.e2e.conftest import ADMIN, ADMIN_PASSWORD, exceptions, sign_in, wait_idle


def _fetched_by_a_stranger(url: str) -> bytes:
    """What a fresh client (no cookie, no session) gets from ``url``; b"" when it is refused."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url), timeout=10) as r:
            return r.read()
    except urllib.error.HTTPError:
        return b""


def test_the_points_list_download_is_the_editors_alone(app, new_page, shots, tmp_path):
    page = new_page(1600, 1000)
    sign_in(page, app.url)
    page.goto(f"{app.url}/awards")
    wait_idle(page)
    assert not exceptions(page)
    button = page.get_by_role("button", name=re.compile(r"下载 \d{4} 年加分名单（CSV）"))
    button.scroll_into_view_if_needed()
    year = int(re.search(r"\d{4}", button.inner_text()).group())
    with store.opened(app.db) as db:
        names = list(points.compute(db, year, date.today(), "zh").rows["name"])
    assert names, "the demo store should give this year's points to someone"

    before = len(new_page.requests)
    with page.expect_download(timeout=60_000) as dl:
        button.click()
    path = tmp_path / dl.value.suggested_filename
    dl.value.save_as(str(path))
    wait_idle(page)
    page.screenshot(path=str(shots / "awards_points_download.png"), full_page=False)

    # the file as before: its name, UTF-8 with BOM, the Chinese headers and every name of the list
    assert path.name == f"points-{year}.csv"
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].split(",")[:2] == ["工号", "姓名"]
    assert sorted(line.split(",")[1] for line in lines[1:]) == sorted(names)

    # every URL of the visit, fetched again by a stranger while the editor's page is still open
    media = sorted({u for u in new_page.requests if "/media/" in u})
    leaked = {u: n for u in media if (n := [x for x in names if x.encode() in _fetched_by_a_stranger(u)])}
    assert not leaked, f"a URL of the visit gives the names to anyone: {leaked}"
    clicked = [u for u in new_page.requests[before:] if u.startswith("http")]
    leaked = {u: n for u in clicked if (n := [x for x in names if x.encode() in _fetched_by_a_stranger(u)])}
    assert not leaked, f"a URL requested by the click gives the names to anyone: {leaked}"


def _download(page, label: str, folder):
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_role("button", name=label).click()
    path = folder / dl.value.suggested_filename
    dl.value.save_as(str(path))
    wait_idle(page)
    return path


def test_the_admins_audit_log_and_backup_reach_their_browser_alone(app, new_page, tmp_path):
    with store.opened(app.db) as db:
        roster = sorted(store.table_frame(db, "staff")["name"])
    assert roster, "the demo store should have a staff roster"
    page = new_page(1600, 1000)
    sign_in(page, app.url, ADMIN, ADMIN_PASSWORD)
    page.goto(f"{app.url}/audit")
    wait_idle(page)
    assert not exceptions(page)

    log = _download(page, "下载审计日志（CSV）", tmp_path)
    assert log.name.startswith("audit-") and log.suffix == ".csv"
    assert log.read_bytes().startswith(b"\xef\xbb\xbf") and ADMIN in log.read_text("utf-8-sig")
    # a second click gives a second file: the first is never handed over again, nor lost
    (tmp_path / "again").mkdir()
    again = _download(page, "下载审计日志（CSV）", tmp_path / "again")
    assert again.read_bytes().startswith(b"\xef\xbb\xbf")

    copy = _download(page, "下载备份", tmp_path)
    assert copy.suffix == ".db" and copy.read_bytes().startswith(b"SQLite format 3\x00")
    with store.opened(copy) as db:  # the whole store: its staff roster (names) came along
        assert sorted(store.table_frame(db, "staff")["name"]) == roster

    asked = sorted({u for u in new_page.requests if u.startswith("http") and "/_stcore/" not in u})
    served = {u: _fetched_by_a_stranger(u) for u in asked}
    leaked = [u for u, body in served.items() if body.startswith(b"SQLite format 3") or ADMIN.encode() in body]
    assert not leaked, f"a URL of the visit gives the admin's files to anyone: {leaked}"


# a roster with a row naming a department the store does not know: refused, and echoed in the error report
ROSTER = "工号,姓名,科室编码,入科日期,在岗\nX901,测试姓名甲,ZZ99,2020-01-01,是\n".encode()


def test_an_error_report_echoing_a_roster_reaches_the_uploaders_browser_alone(app, new_page, tmp_path, shots):
    page = new_page(1600, 1000)
    sign_in(page, app.url)
    page.goto(f"{app.url}/upload")
    wait_idle(page)
    upload = tmp_path / "roster.csv"
    upload.write_bytes(ROSTER)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
    wait_idle(page, settle=1.0)
    assert not exceptions(page)
    page.get_by_role("button", name="下载错误报告").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "upload_error_report_button.png"))
    # drawn like the page's other buttons (the sidebar's sign-out is Streamlit's own)
    look = """b => { const s = getComputedStyle(b);
                     return [Math.round(b.getBoundingClientRect().height), s.fontSize, s.fontFamily, s.borderRadius]; }"""
    ours = page.get_by_role("button", name="下载错误报告").evaluate(look)
    theirs = page.get_by_role("button", name="退出登录").evaluate(look)
    assert ours == theirs, (ours, theirs)
    report = _download(page, "下载错误报告", tmp_path)
    assert report.name == "roster_errors.csv"
    rows = report.read_bytes().decode("utf-8-sig").splitlines()
    assert "测试姓名甲" in rows[1] and "ZZ99" in rows[1]

    asked = sorted({u for u in new_page.requests if u.startswith("http") and "/_stcore/" not in u})
    leaked = [u for u in asked if "测试姓名甲".encode() in _fetched_by_a_stranger(u)]
    assert not leaked, f"a URL of the visit gives the uploaded names to anyone: {leaked}"
