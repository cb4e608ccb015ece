"""Editing a target in place in a real browser (issue 3): an editor changes K03's own patient-satisfaction target
from 92 to a stricter 94 in the grid and saves; the store holds 94 and the audit log names the editor. (A target
below the hospital's 90 is refused by the one validator — issue 11.4, tests/test_targets_page.py.)"""

from __future__ import annotations

import time

from metrics import store
from tests.e2e.conftest import EDITOR, exceptions, make_store, sign_in, start_app, stop_app, wait_idle


def test_editor_changes_a_target_in_the_grid(new_page, tmp_path, shots):
    app = start_app(make_store(tmp_path), tmp_path / "streamlit.log")  # its own store: the edit changes numbers
    try:
        page = new_page(1920, 1080)
        sign_in(page, app.url)
        page.locator('[data-testid="stSidebarNav"] a[href$="/targets"]').click()
        wait_idle(page, settle=1.0)
        canvas = page.locator('[data-testid="stDataFrame"]').first.locator('[data-testid="data-grid-canvas"]')
        canvas.wait_for()
        time.sleep(1)  # let the grid lay out its columns
        box = canvas.bounding_box()
        # Select any body cell, then walk with the keyboard (no pixel guesses): to the first row and column,
        # one row down (K03's own target, listed after the hospital-wide one), four columns right ("target": the metric
        # column shows the metric's name, so the grid has no separate name column; issue 13).
        page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + 35 + 35 * 2 + 17)
        for key, n in (("ArrowUp", 8), ("ArrowLeft", 8), ("ArrowDown", 1), ("ArrowRight", 4)):
            for _ in range(n):
                page.keyboard.press(key)
        page.keyboard.press("Enter")  # opens the cell editor
        cell_editor = page.locator("textarea.gdg-input, input.gdg-input").first
        cell_editor.wait_for()
        assert cell_editor.input_value().startswith("92"), cell_editor.input_value()
        cell_editor.fill("94")  # focuses the cell editor and replaces its text
        cell_editor.press("Enter")
        cell_editor.wait_for(state="detached")
        page.screenshot(path=str(shots / "targets_edit_before_save.png"))
        # Save at once, as a hurried user would: the grid sits in a form, so its edit travels with the click.
        page.locator('[data-testid="stFormSubmitButton"] button', has_text="保存").first.click()
        wait_idle(page)
        page.screenshot(path=str(shots / "targets_edit.png"))
        body = page.inner_text("body")
        assert not exceptions(page)
        assert "已保存：1 处修改" in body, body[:600]
        with store.opened(app.db) as db:
            t = store.targets(db)
            own = t[(t["metric"] == "patient_satisfaction") & (t["dept_code"] == "K03")]
            assert own["target"].tolist() == [94.0]
            audit = store.audit_entries(db, actions=["target_edit"])
        assert audit["user"].tolist() == [EDITOR]
    finally:
        stop_app(app)
