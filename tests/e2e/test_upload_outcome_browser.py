"""After a month's upload, committed from the foot of its preview, the outcome is in view without scrolling (a toast
that stays), and the rollback's message says which rows of the file it removed."""

from __future__ import annotations

import re

from tests.conftest import DEMO_END_MONTH
from tests.e2e.conftest import exceptions, make_store, sign_in, start_app, stop_app, wait_idle

ROWS = "".join(f"{DEMO_END_MONTH},K{i:02d},科室{i},{90 + i % 7}.5,{i % 3}\n" for i in range(1, 31))
FILE = ("月份,科室编码,科室名称,患者满意度,投诉件数\n" + ROWS).encode()


def _in_view(page, locator) -> bool:
    box = locator.bounding_box()
    return bool(box) and 0 <= box["y"] and box["y"] + box["height"] <= page.viewport_size["height"]


def test_commit_outcome_in_view_and_rollback_names_the_rows(new_page, tmp_path, shots):
    app = start_app(make_store(tmp_path), tmp_path / "streamlit.log")  # its own store: the upload writes
    try:
        page = new_page(1280, 720)
        sign_in(page, app.url)
        page.locator('[data-testid="stSidebarNav"] a[href$="/upload"]').click()
        wait_idle(page, settle=1.0)
        upload = tmp_path / "十月.csv"
        upload.write_bytes(FILE)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
        wait_idle(page, settle=1.0)
        commit = page.locator("button", has_text="提交").first
        commit.scroll_into_view_if_needed()  # the foot of the preview: the success message at the top is far above
        commit.click()
        wait_idle(page, settle=1.0)
        toast = page.locator('[data-testid="stToast"]', has_text="已提交：批次")
        toast.wait_for()
        page.screenshot(path=str(shots / "upload_committed_1280.png"))
        assert not exceptions(page)
        assert _in_view(page, toast), toast.bounding_box()

        sure = page.locator('[data-testid="stCheckbox"]', has_text="我确认回滚批次")
        sure.scroll_into_view_if_needed()
        sure.locator("label").click()
        wait_idle(page)
        page.locator("button", has_text="回滚").click()
        wait_idle(page, settle=1.0)
        undone = page.locator('[data-testid="stToast"]', has_text="已撤销批次")
        undone.wait_for()
        page.screenshot(path=str(shots / "upload_rolled_back_1280.png"))
        assert _in_view(page, undone)
        said = re.search(r"删除了它新增的 (\d+) 行，(\d+) 行改回提交前的值", undone.inner_text())
        assert said and int(said[1]) + int(said[2]) == 30, undone.inner_text()  # the file's 30 rows, not its values
    finally:
        stop_app(app)
