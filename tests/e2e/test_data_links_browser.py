"""Data is text on every page (PRODUCT §7): a task's 进展说明 and a notice's 问题 holding a Markdown image, a bare
URL, a www. address and an e-mail address show as written on /tasks and on the in-app briefing — no <a>, no <img>
made from them, nothing fetched from the address, and the text after the URL still there."""

from __future__ import annotations

import sqlite3

import pytest

from tests.e2e.conftest import exceptions, make_store, start_app, stop_app, wait_idle

PAYLOAD = "![x](http://127.0.0.2/beacon.png) 见 www.beacon.example 与 boss@beacon.example 之后的说明"


@pytest.mark.parametrize("path", ["/tasks", "/briefing"])
def test_a_url_in_a_note_or_a_notice_is_text_not_a_link_nor_an_image(new_page, tmp_path, shots, path):
    db = make_store(tmp_path)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE tasks SET progress = ?, title = ?", [PAYLOAD, PAYLOAD])  # slide 5 lists titles
        conn.execute("UPDATE notices SET issue = ?", [PAYLOAD])
    conn.close()
    app = start_app(db, tmp_path / "streamlit.log")
    try:
        page = new_page(1920, 1080)
        page.goto(app.url + path)
        wait_idle(page, settle=1.0)
        page.screenshot(path=str(shots / f"data_links{path.replace('/', '_')}.png"), full_page=True)
        assert not exceptions(page)
        links = page.eval_on_selector_all(
            "a[href*='beacon'], img[src*='beacon'], a[href^='mailto:']", "els => els.map(e => e.outerHTML)"
        )
        assert links == [], links
        body = page.inner_text("body")
        assert "之后的说明" in body, body[:1500]  # the text after the URL is not swallowed by a link
        assert "http://127.0.0.2/beacon.png" in body.replace("\u2060", "") and "boss@beacon.example" in body.replace(
            "\u2060", ""
        )
        assert not [r for r in new_page.requests if "127.0.0.2" in r]
    finally:
        stop_app(app)
