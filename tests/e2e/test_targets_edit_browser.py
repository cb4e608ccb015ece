"""Editing a target in place in a real browser (PRODUCT §2): an editor changes K03's own patient-satisfaction target
from 92 to a stricter 94 in the grid and saves; the store holds 94 and the audit log names the editor. (A target
below the hospital's 90 is refused by the one validator — tests/test_targets_page.py.) A save clicked the
moment an edit is committed stores that edit."""

from __future__ import annotations

import time

from metrics import i18n, store
from tests.e2e.conftest import EDITOR, exceptions, make_store, sign_in, start_app, stop_app, wait_idle


def _open_cell(page, grid: int, row: int, column: int):
    """Open the cell editor of the ``grid``-th grid on the page at (row, column), both from 0, by keyboard."""
    frame = page.locator('[data-testid="stDataFrame"]').nth(grid)
    canvas = frame.locator('[data-testid="data-grid-canvas"]')
    canvas.wait_for()
    canvas.scroll_into_view_if_needed()
    time.sleep(1)  # let the grid lay out its columns
    box = canvas.bounding_box()
    # Select any body cell, then walk with the keyboard (no pixel guesses): to the first row and column, then on.
    # The mouse comes in over the grid first, as a hand does: a grid the page moved (a message appeared above it)
    # but did not redraw ignores a bare click until the pointer has moved over it.
    x, y = box["x"] + box["width"] * 0.3, box["y"] + 35 + 35 * 2 + 17
    page.mouse.move(x, y - 20)
    page.mouse.move(x, y, steps=5)
    time.sleep(0.3)
    page.mouse.click(x, y)
    frame.locator('td[aria-selected="true"]').first.wait_for(state="attached", timeout=5_000)  # a cell is selected
    for key, n in (("ArrowUp", 8), ("ArrowLeft", 8), ("ArrowDown", row), ("ArrowRight", column)):
        for _ in range(n):
            page.keyboard.press(key)
    page.keyboard.press("Enter")
    cell_editor = page.locator("textarea.gdg-input, input.gdg-input").first
    cell_editor.wait_for()
    return cell_editor


def _open_target_cell(page, row: int):
    """The cell editor of the targets grid's "target" column (the fifth: the metric column shows the metric's name,
    so the grid has no separate name column) in ``row``."""
    return _open_cell(page, 0, row, 4)


# How a save's outcome starts: 已保存 / 没有修 / 有错误 (the calendar's own notes say 保存 too: not matched).
OUTCOMES = tuple(i18n.t(k, "zh", n=0)[:3] for k in ("tg.saved", "tg.nochange", "tg.not_saved"))


def _said(page) -> list[str]:
    """The save outcomes the page shows now."""
    return [s for s in page.locator('[data-testid="stAlert"]').all_inner_texts() if s.startswith(OUTCOMES)]


def _settled(page, look, expected, seconds: float = 20):
    """``look()`` once the page is idle and it equals ``expected``, or as it is after ``seconds``: a loaded machine
    may start the click's rerun (save, then the rerun that shows the outcome) later than wait_idle's first glance."""
    deadline = time.monotonic() + seconds
    while True:
        wait_idle(page)
        got = look()
        if got == expected or time.monotonic() > deadline:
            return got
        time.sleep(0.5)


def _k03_target(db) -> list[float]:
    with store.opened(db) as conn:
        t = store.targets(conn)
    return t[(t["metric"] == "patient_satisfaction") & (t["dept_code"] == "K03")]["target"].tolist()


def test_editor_changes_a_target_in_the_grid(new_page, tmp_path, shots):
    app = start_app(make_store(tmp_path), tmp_path / "streamlit.log")  # its own store: the edit changes numbers
    try:
        page = new_page(1920, 1080)
        sign_in(page, app.url)
        page.locator('[data-testid="stSidebarNav"] a[href$="/targets"]').click()
        wait_idle(page, settle=1.0)
        cell_editor = _open_target_cell(page, 1)  # K03's own target, listed after the hospital-wide one
        assert cell_editor.input_value().startswith("92"), cell_editor.input_value()
        cell_editor.fill("94")  # focuses the cell editor and replaces its text
        cell_editor.press("Enter")
        # Save at once, as a hurried user would (no pause, no screenshot in between).
        page.locator("button", has_text=i18n.t("tg.save", "zh")).first.click()
        wait_idle(page)
        page.screenshot(path=str(shots / "targets_edit.png"))
        body = page.inner_text("body")
        assert not exceptions(page)
        assert i18n.t("tg.saved", "zh", n=1) in body, body[:600]
        assert _k03_target(app.db) == [94.0]
        with store.opened(app.db) as db:
            audit = store.audit_entries(db, actions=["target_edit"])
        assert audit["user"].tolist() == [EDITOR]
    finally:
        stop_app(app)


def test_a_save_clicked_right_after_an_edit_stores_what_was_typed(new_page, tmp_path, shots):
    """A hurried editor types a value, presses Enter or Tab (or nothing: the cell editor still open) and
    clicks 保存 at once, five times. Every save stores exactly the value just typed and says so — never "没有修改",
    never the previous edit (Streamlit handed a grid's commit to its form 150 ms late: the click came first)."""
    app = start_app(make_store(tmp_path), tmp_path / "streamlit.log")
    try:
        page = new_page(1920, 1080)
        sign_in(page, app.url)
        page.locator('[data-testid="stSidebarNav"] a[href$="/targets"]').click()
        wait_idle(page, settle=1.0)
        save_label = i18n.t("tg.save", "zh")
        for typed, key in ((93, "Enter"), (94, "Tab"), (95, None), (96, "Tab"), (97, "Enter")):
            save = page.locator("button", has_text=save_label).first
            save.scroll_into_view_if_needed()
            _open_target_cell(page, 1)  # K03's own patient-satisfaction target
            _save_at_once(page, save, str(typed), key)
            expected = ([float(typed)], [i18n.t("tg.saved", "zh", n=1)])
            got = _settled(page, lambda: (_k03_target(app.db), _said(page)), expected)
            assert not exceptions(page)
            assert got == expected, (typed, key)
        page.screenshot(path=str(shots / "targets_quick_saves.png"))
    finally:
        stop_app(app)


def _save_at_once(page, save, typed: str, key: str | None) -> None:
    """Type into the open cell editor, commit with ``key`` (None: leave it open) and click ``save`` at once."""
    b = save.bounding_box()  # measured first, so the click follows the key with no delay
    assert 0 < b["y"] < page.viewport_size["height"] - b["height"], b  # on screen: the click lands on it
    cell_editor = page.locator("textarea.gdg-input, input.gdg-input").first
    cell_editor.fill(typed)
    if key:
        cell_editor.press(key)
    page.mouse.click(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2)


def test_the_catalogues_and_the_calendar_save_an_edit_clicked_at_once(new_page, tmp_path, shots):
    """The same for the page's other editors: the indicator and metric catalogues' Chinese names and a holiday's
    name, each saved the moment it is committed, are stored as typed (the calendar: the year's suggested days)."""
    app = start_app(make_store(tmp_path), tmp_path / "streamlit.log")
    try:
        page = new_page(1920, 3200)  # the whole page on screen: no scrolling moves a grid or a button under the mouse
        sign_in(page, app.url)
        page.locator('[data-testid="stSidebarNav"] a[href$="/targets"]').click()
        wait_idle(page, settle=1.0)
        save_label, cal_label = i18n.t("tg.save", "zh"), i18n.t("cal.save", "zh")
        saves = page.locator("button", has_text=save_label).filter(has_not_text=cal_label)
        cases = (
            (1, 2, "测试否决项甲", "Enter", saves.nth(1), store.indicator_catalogue),  # name_zh of the first indicator
            (2, 0, "测试指标乙", "Tab", saves.nth(2), store.metric_catalogue),  # name_zh (first) of the first metric
            (3, 2, "测试节日丙", "Enter", page.locator("button", has_text=cal_label), store.calendar_days),  # name
        )
        for grid, column, typed, key, save, read in cases:
            save.wait_for()
            _open_cell(page, grid, 0, column)
            _save_at_once(page, save, typed, key)

            def look(typed=typed, read=read, column="name" if grid == 3 else "name_zh"):
                with store.opened(app.db) as db:
                    stored = read(db)[column].tolist()
                return typed in stored, [s[:3] for s in _said(page)]

            assert not exceptions(page)
            assert _settled(page, look, (True, [OUTCOMES[0]])) == (True, [OUTCOMES[0]]), typed
        page.screenshot(path=str(shots / "targets_catalogue_quick_saves.png"))
    finally:
        stop_app(app)
