"""Shared fixtures: a fresh SQLite store per test, and a demo-filled store shared per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from metrics import store

ROOT = Path(__file__).resolve().parent.parent
# The demo ends last month by default, so its rows move with the calendar. Tests pin its last month: what they
# expect of the demo (the quarter's events, the conflict, the ranking) was read off this one; today's date still
# moves (overdue and running-quarter rules are judged on it).
DEMO_END_MONTH = "2026-10"


@pytest.fixture
def db_file(tmp_path, monkeypatch) -> Path:
    """A fresh, empty store file; also the default store for code under test ($INTEGRITY_DB)."""
    path = tmp_path / "store.db"
    monkeypatch.setenv(store.DB_ENV, str(path))
    with store.opened(path):
        pass
    return path


@pytest.fixture
def fresh_db(db_file):
    """An open sqlite_utils.Database on a fresh store."""
    db = store.connect(db_file)
    yield db
    db.conn.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """A store filled once per test session with the fixed-seed demo data; copy it, never write to it."""
    from metrics import demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    demo.fill(path, end_month=DEMO_END_MONTH)
    return path


@pytest.fixture
def demo_db(demo_template, tmp_path, monkeypatch) -> Path:
    """A private copy of the demo store, set as the default store ($INTEGRITY_DB)."""
    path = tmp_path / "demo.db"
    with store.opened(demo_template) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(demo_template, path)
    monkeypatch.setenv(store.DB_ENV, str(path))
    return path


def edit_catalogue(path: Path, kind: str, code: str, **fields) -> None:
    """Edit one catalogue entry the way the targets page's editors do: the stored row with ``fields`` changed, saved
    through the one validator and write path (importer.commit_rows). ``kind``: 'indicators' | 'metric_catalogue'."""
    from metrics import contract, importer

    table = "indicator_catalogue" if kind == "indicators" else "metric_catalogue"
    with store.opened(path) as db:
        stored = store.table_frame(db, table).set_index("code").loc[code].to_dict()
    cols = [c.name for c in contract.KINDS[kind].columns]
    row = {c: stored.get(c) for c in cols if c != "code"} | {"code": code} | fields
    report = importer.commit_rows(
        kind, [row], source="test edit", user="editor1", db_path=path, action="catalogue_edit"
    )
    assert report.committed and not report.problems, report.problems


@pytest.fixture
def cheap_hashing(monkeypatch):
    """argon2id with small cost parameters so the suite stays fast (the production profile is tested in test_auth)."""
    from argon2 import PasswordHasher

    from metrics import auth

    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    monkeypatch.setattr(auth, "_dummy_hash", None)


def page_as(page: str, user: str | None = None, role: str | None = None, lang: str | None = None, first_run=False):
    """The dashboard (an AppTest) switched to ``page`` and run without an exception: signed in as ``user`` (an
    account made now with ``role``, or an existing one when ``role`` is None; anonymous without ``user``), in
    ``lang`` when given; ``first_run``: the dashboard runs once before the switch, as a browser opening it does."""
    from streamlit.testing.v1 import AppTest

    from metrics import auth

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if user:
        if role:
            auth.add_user(user, "correct horse 9", role)
        at.session_state["_auth_token"] = auth.start_session(user)
    if lang:
        at.session_state["lang"] = lang
    if first_run:
        at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


VALUES_SQL = "SELECT dept_code, month, metric, value FROM metric_values ORDER BY 1, 2, 3"


def file_rows(path, sql: str = VALUES_SQL) -> list[tuple]:
    """The rows of ``sql`` read from the SQLite file at ``path`` by a connection of its own (no store code between):
    by default every metric value, sorted."""
    import sqlite3

    conn = sqlite3.connect(str(path))
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()
