"""A sign-in that lasts (PRODUCT §7): it survives a reload, a new tab and a drill link, ends everywhere on
sign-out or when idle too long — and belongs to the browser that signed in: a Streamlit session id presented by
another browser (it appears in upload addresses and access logs) signs nobody in."""

from __future__ import annotations

from urllib.parse import urlparse

from metrics import store
from tests.e2e.conftest import (
    ADMIN,
    ADMIN_PASSWORD,
    EDITOR,
    EDITOR_PASSWORD,
    exceptions,
    make_store,
    start_app,
    stop_app,
    wait_idle,
)

# Records the subprotocols of every websocket the page opens: Streamlit's frontend sends
# ["streamlit", <xsrf token>, <session id>] when it reconnects to an existing session.
RECORD_WS = """
(() => {
  const Orig = window.WebSocket;
  window.__ws = [];
  window.__wsProtocols = [];
  window.WebSocket = function (url, protocols) {
    window.__wsProtocols.push(protocols);
    const ws = new Orig(url, protocols);
    window.__ws.push(ws);
    return ws;
  };
  window.WebSocket.prototype = Orig.prototype;
  Object.assign(window.WebSocket, Orig);
})();
"""

# What the red team did: connect with the victim's session id in place of one's own.
REPLAY_WS = """
(() => {
  const Orig = window.WebSocket;
  window.WebSocket = function (url, protocols) {
    const p = Array.from(protocols || []);
    while (p.length < 3) p.push("");
    p[2] = %r;
    return new Orig(url, p);
  };
  window.WebSocket.prototype = Orig.prototype;
  Object.assign(window.WebSocket, Orig);
})();
"""


def _sidebar(page) -> str:
    return page.inner_text('[data-testid="stSidebar"]')


def _main(page) -> str:
    return page.inner_text('[data-testid="stMain"]')


def _sign_in_here(page, user: str, password: str) -> None:
    page.locator('[data-testid="stTextInput"] input').nth(0).fill(user)
    page.locator('input[type="password"]').fill(password)
    page.locator('[data-testid="stFormSubmitButton"] button').click()
    page.wait_for_function(
        "() => (document.querySelector('[data-testid=\"stSidebar\"]') || {}).innerText?.includes('已登录')",
        timeout=60_000,
    )
    wait_idle(page)


def _signed_in(page) -> bool:
    return "已登录" in _sidebar(page)


def test_a_sign_in_lasts_across_reload_new_tab_and_drill_link_and_ends_everywhere(new_page, tmp_path, monkeypatch):
    monkeypatch.setenv("INTEGRITY_REQUIRE_LOGIN", "1")
    app = start_app(make_store(tmp_path), tmp_path / "streamlit.log")
    try:
        page = new_page(1400, 900)
        page.goto(app.url + "/trends")
        wait_idle(page)
        _sign_in_here(page, EDITOR, EDITOR_PASSWORD)
        assert urlparse(page.url).path.endswith("/trends"), page.url

        page.reload()
        wait_idle(page, settle=1.0)
        assert _signed_in(page), _sidebar(page)[:300]
        assert "用户名" not in _main(page)

        tab = page.context.new_page()  # a new tab of the same browser
        tab.goto(app.url + "/events")
        wait_idle(tab, settle=1.0)
        assert _signed_in(tab), _sidebar(tab)[:300]
        assert "用户名" not in _main(tab)

        # a drill link of the overview's table ("趋势 ↗") opens a new tab: still signed in, on the trends page
        tab.goto(app.url + "/overview")
        wait_idle(tab, settle=1.0)
        link = tab.locator('a[href*="trends?dept="]').first
        href = link.get_attribute("href") if link.count() else "/trends?dept=K01"
        drill = page.context.new_page()
        drill.goto(href if href.startswith("http") else app.url + "/" + href.lstrip("/"))
        wait_idle(drill, settle=1.0)
        assert _signed_in(drill), _sidebar(drill)[:300]
        assert "请先登录" not in _main(drill) and "用户名" not in _main(drill)
        assert not exceptions(drill)

        # sign-out in one tab ends the sign-in in the others at their next run
        tab.locator('[data-testid="stSidebar"] button:has-text("退出登录")').click()
        tab.wait_for_function(
            "() => !(document.querySelector('[data-testid=\"stSidebar\"]') || {}).innerText?.includes('已登录')"
        )
        page.reload()
        wait_idle(page, settle=1.0)
        assert not _signed_in(page), _sidebar(page)[:300]
        assert "用户名" in _main(page)
    finally:
        stop_app(app)


def test_an_idle_sign_in_expires(new_page, tmp_path, monkeypatch):
    monkeypatch.setenv("INTEGRITY_REQUIRE_LOGIN", "1")
    app = start_app(make_store(tmp_path), tmp_path / "streamlit.log")
    try:
        page = new_page(1400, 900)
        page.goto(app.url + "/overview")
        wait_idle(page)
        _sign_in_here(page, EDITOR, EDITOR_PASSWORD)
        # the clock moved past the idle limit: the session's deadline is in the past
        with store.opened(app.db) as db:
            db.execute("UPDATE sessions SET expires_at = '2000-01-01T00:00:00'")
        page.reload()
        wait_idle(page, settle=1.0)
        assert not _signed_in(page), _sidebar(page)[:300]
        assert "用户名" in _main(page)
    finally:
        stop_app(app)


def test_a_streamlit_session_id_alone_signs_nobody_in(new_page, tmp_path):
    app = start_app(make_store(tmp_path), tmp_path / "streamlit.log")
    try:
        victim = new_page(1400, 900)
        victim.context.add_init_script(RECORD_WS)
        victim.goto(app.url + "/login")
        wait_idle(victim)
        _sign_in_here(victim, ADMIN, ADMIN_PASSWORD)
        # make the frontend reconnect: it then sends its session id (as it does after any network blip)
        victim.evaluate("() => window.__ws.forEach(w => w.close())")
        victim.wait_for_function("() => window.__wsProtocols.some(p => p && p.length >= 3 && p[2])")
        sid = victim.evaluate("() => window.__wsProtocols.find(p => p && p.length >= 3 && p[2])[2]")
        assert sid
        victim.context.close()  # the victim's tab is gone; its Streamlit session lives on for a while

        attacker = new_page(1400, 900)  # a fresh browser: no cookie, no password
        attacker.context.add_init_script(REPLAY_WS % sid)
        attacker.goto(app.url + "/users")
        wait_idle(attacker, settle=1.5)
        assert not _signed_in(attacker), _sidebar(attacker)[:300]
        assert ADMIN not in _sidebar(attacker)
        assert "无权访问" in _main(attacker) or "用户名" in _main(attacker), _main(attacker)[:300]
        assert attacker.locator('[data-testid="stDataFrame"]').count() == 0, _main(attacker)[:300]
    finally:
        stop_app(app)
