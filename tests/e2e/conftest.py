"""Real-browser fixtures: a Streamlit server on a clean demo store, and Debian Chromium driven by Playwright.

One server per session (``app``) serves every test but the first-interaction test, which starts its own
(``start_app``) so that its very first click is the first of a fresh server. Every page records its requests;
a request leaving 127.0.0.1 fails the test. Screenshots go to artifacts/screenshots/ (git-ignored, kept by CI).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest

from bench import procs
from metrics import clock, store
from tests.conftest import DEMO_END_MONTH, TODAY

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM, CHROMIUM_ARGS = procs.CHROMIUM, procs.CHROMIUM_ARGS
SHOTS = ROOT / "artifacts" / "screenshots"
EDITOR, EDITOR_PASSWORD = "e2e_editor", "e2e-Editor-pass-2026"
ADMIN, ADMIN_PASSWORD = "e2e_admin", "e2e-Admin-pass-2026"
LOCAL_SCHEMES = {"data", "blob", "about", "file"}


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@dataclass
class App:
    url: str
    db: Path
    proc: subprocess.Popen
    log: Path


def app_env(db) -> dict[str, str]:
    """The environment of a command or server a browser test starts on store ``db``: this run's, so the app judges on
    the tests' day ($INTEGRITY_TODAY, tests/conftest.py, or a test's own) — the demo's newest quarter is the running
    one and its months are not "in the future" whatever the machine's clock says."""
    return {clock.TODAY_ENV: TODAY.isoformat(), **os.environ, "INTEGRITY_DB": str(db)}


_TEMPLATE: list[Path] = []


def make_store(folder: Path) -> Path:
    """A clean store with the demo data, an editor and an administrator, written once per session by the
    project's own CLI and copied for each server (each copy is private: tests may write to it)."""
    if not _TEMPLATE:
        tmpl_dir = Path(tempfile.mkdtemp(prefix="e2e_store_"))
        db = tmpl_dir / "template.db"
        env = app_env(db)
        subprocess.run([sys.executable, "-m", "metrics", "--db", str(db), "demo", "--end-month", DEMO_END_MONTH],
                       cwd=ROOT, env=env, check=True,
                       capture_output=True)  # fmt: skip
        for user, role, password in ((ADMIN, "admin", ADMIN_PASSWORD), (EDITOR, "editor", EDITOR_PASSWORD)):
            subprocess.run(
                [sys.executable, "-m", "metrics", "--db", str(db), "users", "add", user, "--role", role,
                 "--password-stdin"],
                cwd=ROOT, env=env, check=True, capture_output=True, input=password + "\n", text=True,
            )  # fmt: skip
        with store.opened(db) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _TEMPLATE.append(db)
    target = folder / "e2e.db"
    shutil.copy(_TEMPLATE[0], target)
    return target


def start_app(db: Path, log: Path) -> App:
    """`streamlit run serve.py` (dashboard.py, with its sign-in cookie) on a free port with $INTEGRITY_DB = db;
    returns once /_stcore/health is ok."""
    proc, url = procs.start_streamlit("serve.py", ROOT, app_env(db), log, 60)
    return App(url, db, proc, log)


def stop_app(app: App) -> None:
    app.proc.terminate()
    try:
        app.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        app.proc.kill()


@pytest.fixture(scope="session")
def app(tmp_path_factory) -> Iterator[App]:
    folder = tmp_path_factory.mktemp("e2e_app")
    a = start_app(make_store(folder), folder / "streamlit.log")
    yield a
    stop_app(a)


@pytest.fixture(scope="session")
def browser():
    # CI must fail, not skip, when the browser is missing (docs/DEVELOPING.md).
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: install Debian chromium (apt-get install -y chromium)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


def is_local(url: str) -> bool:
    u = urlparse(url)
    return u.scheme in LOCAL_SCHEMES or u.hostname == "127.0.0.1"


@pytest.fixture
def new_page(browser):
    """new_page(width, height) → a page in a fresh context; every request is recorded and must stay local."""
    contexts, requests = [], []

    def make(width: int = 1920, height: int = 1080, **kw):
        ctx = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN", accept_downloads=True,
                                  **kw)  # fmt: skip
        ctx.on("request", lambda r: requests.append(r.url))
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(30_000)
        return page

    make.requests = requests
    yield make
    for ctx in contexts:
        ctx.close()
    assert requests, "no request was recorded at all"
    outside = sorted({r for r in requests if not is_local(r)})
    assert not outside, f"requests left 127.0.0.1: {outside[:10]}"


# True once the script has finished a run that drew the page and the page has stopped changing for `quiet` ms. The
# frontend draws some elements (text inputs, tables, charts) after the run's last message; a fresh server's first
# session ends one run with nothing drawn (ui/, fresh-server fix) before its real run starts; and after
# a click the page stays "notRunning" until the server starts the rerun — seconds on a busy server — so a click or
# change not yet followed by a run is waited for (up to `_RUN_GRACE_MS`: a click on an expander starts none).
_RUN_GRACE_MS = 8000
_QUIET = """([quiet, grace]) => {
    const a = document.querySelector('[data-testid="stApp"]');
    if (!a) return false;
    const w = window, state = () => a.getAttribute('data-test-script-state');
    if (w.__stAppSeen !== a) {
        w.__stAppSeen = a;
        w.__stChanged = performance.now();
        w.__stStarted = state() === 'running' ? performance.now() : 0;
        new MutationObserver(() => {
            w.__stChanged = performance.now();
            if (state() === 'running') w.__stStarted = performance.now();
        }).observe(a, {subtree: true, childList: true, characterData: true,
                       attributes: true, attributeFilter: ['data-test-script-state']});
        if (!w.__stInputSeen) {
            w.__stInputSeen = true;
            for (const kind of ['click', 'change'])
                document.addEventListener(kind, () => { w.__stInput = performance.now(); }, true);
        }
        return false;
    }
    const now = performance.now(), main = document.querySelector('[data-testid="stMain"]');
    const awaited = (w.__stInput || 0) > w.__stStarted && now - w.__stInput < grace;
    return !awaited && state() === 'notRunning' && !!main && main.innerText.trim() !== ''
        && now - w.__stChanged > quiet;
}"""


def wait_idle(page, settle: float = 0.4) -> None:
    """Wait until the Streamlit script has finished a run that drew the page (the run a click asked for, when one
    did), and the page has stopped changing for ``settle`` seconds (conditions watched in the page, not a sleep)."""
    page.wait_for_function(_QUIET, arg=[settle * 1000, _RUN_GRACE_MS], timeout=60_000)


def exceptions(page) -> list[str]:
    return page.locator('[data-testid="stException"]').all_inner_texts()


def sign_in(page, base: str, user: str = EDITOR, password: str = EDITOR_PASSWORD) -> None:
    page.goto(base + "/login")
    wait_idle(page)
    page.locator('[data-testid="stTextInput"] input').nth(0).fill(user)
    page.locator('input[type="password"]').fill(password)
    page.locator('[data-testid="stFormSubmitButton"] button').click()
    wait_idle(page)
