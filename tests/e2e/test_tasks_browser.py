"""A key task updated in a real browser (PRODUCT §8): an editor writes a progress note on the 重点任务 page and saves;
a viewer (another browser context, not signed in) opens the page and reads the new note; the store holds it and the
audit log names the editor."""

from __future__ import annotations

from metrics import store
from tests.e2e.conftest import EDITOR, exceptions, make_store, sign_in, start_app, stop_app, wait_idle

NOTE = "e2e 第二轮排查完成 已报党委会"  # (full-width ：，would be folded to ASCII by the validator, NFKC)


def test_editor_updates_a_task_and_a_viewer_sees_it(new_page, tmp_path, shots):
    app = start_app(make_store(tmp_path), tmp_path / "streamlit.log")  # its own store: the edit writes
    try:
        with store.opened(app.db) as db:
            first = store.tasks(db)["task_code"].sort_values().iloc[0]  # the task the picker shows first
        editor = new_page(1920, 1080)
        sign_in(editor, app.url)
        editor.locator('[data-testid="stSidebarNav"] a[href$="/tasks"]').click()
        wait_idle(editor, settle=1.0)
        note = editor.locator('[data-testid="stTextArea"] textarea').first
        note.wait_for()
        note.fill(NOTE)
        editor.locator('[data-testid="stFormSubmitButton"] button', has_text="保存").first.click()
        wait_idle(editor, settle=1.0)
        editor.screenshot(path=str(shots / "tasks_edit.png"))
        body = editor.inner_text("body")
        assert not exceptions(editor)
        assert f"已保存任务 {first} 的进展" in body, body[:800]

        viewer = new_page(1920, 1080)
        viewer.goto(app.url + "/tasks")
        wait_idle(viewer, settle=1.0)
        viewer.screenshot(path=str(shots / "tasks_viewer.png"))
        seen = viewer.inner_text("body")
        assert not exceptions(viewer)
        assert NOTE in seen, seen[:800]
        assert "保存" not in [b.strip() for b in viewer.locator("button").all_inner_texts()]  # no editor

        with store.opened(app.db) as db:
            row = store.tasks(db).set_index("task_code").loc[first]
            audit = store.audit_entries(db, actions=["task_edit"])
        assert row["progress"] == NOTE
        assert audit["user"].tolist() == [EDITOR]
    finally:
        stop_app(app)
