"""A click during the password check (PRODUCT §7): pressing 登录 and then, while the server is still checking the
password, clicking a page in the sidebar must still sign the user in — the page they clicked shows them signed
in — and the audit (``signin.ok``) and the sessions table must agree. Streamlit stops a running script at its
next session-state access when another run is requested, so a busy CPU (a slow argon2 check) widens the gap."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from urllib.parse import urlparse

from tests.e2e.conftest import EDITOR, EDITOR_PASSWORD, make_store, start_app, stop_app, wait_idle

BUSY = "while True: pass"


def _press_then_click(page, base: str, delay: float) -> None:
    page.goto(base + "/login")
    wait_idle(page)
    page.locator('[data-testid="stTextInput"] input').nth(0).fill(EDITOR)
    page.locator('input[type="password"]').fill(EDITOR_PASSWORD)
    page.locator('[data-testid="stFormSubmitButton"] button').click()
    time.sleep(delay)  # the user clicks a page while the password is being checked
    page.locator('[data-testid="stSidebarNav"] a[href$="/trends"]').click()
    page.wait_for_url(lambda url: urlparse(url).path.endswith("/trends"))
    wait_idle(page, settle=1.0)


def _signins_and_sessions(db) -> tuple[int, int]:
    with sqlite3.connect(db) as conn:
        ok = conn.execute("SELECT COUNT(*) FROM audit WHERE action = 'signin.ok'").fetchone()[0]
        made = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sessions'").fetchone()  # made by the first
        sessions = conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] if made else 0
    return ok, sessions


def test_a_click_on_a_page_during_the_password_check_keeps_the_sign_in(new_page, tmp_path):
    app = start_app(make_store(tmp_path), tmp_path / "streamlit.log")
    busy: list[subprocess.Popen] = []
    try:
        cases = [(0.05, False)] + [(d, True) for d in (0.05, 0.3, 0.8, 1.5)]
        for delay, loaded in cases:
            if loaded and not busy:
                busy = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(2)]
            page = new_page(1400, 900)
            _press_then_click(page, app.url, delay)
            sidebar = page.inner_text('[data-testid="stSidebar"]')
            ok, sessions = _signins_and_sessions(app.db)
            where = f"click {delay}s after 登录, busy CPU: {loaded}, ok={ok} sessions={sessions}"
            assert ok == sessions, f"{where}: {ok} signin.ok audit rows but {sessions} sessions"
            assert "已登录：e2e_editor（编辑者）" in sidebar, f"{where}: not signed in; sidebar: {sidebar[:200]}"
            assert urlparse(page.url).path.endswith("/trends"), (where, page.url)  # the page they clicked
            page.context.close()
    finally:
        for p in busy:
            p.kill()
            p.wait()
        stop_app(app)
