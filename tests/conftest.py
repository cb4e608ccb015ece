"""Shared fixtures: a fresh store per test, and a demo-filled store shared per session.

The store tests run on both stores: in the modules of ``BOTH_STORES``, every test that uses a store
fixture (``db_file``, ``fresh_db``, ``demo_db``, ``store_url``) runs twice, ids ``[sqlite]`` and ``[postgresql]``; on
PostgreSQL the fixture gives a URL of a fresh database on the run's throwaway cluster (``pg_cluster``, see
tests/pgcluster.py; ``$INTEGRITY_PG_URL`` names a server instead). Elsewhere the store is SQLite, as before.
"""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from metrics import clock, store
from tests import pgcluster

ROOT = Path(__file__).resolve().parent.parent
# The demo ends last month by default, so its rows move with the calendar. Tests pin its last month: what they
# expect of the demo (the quarter's events, the conflict, the ranking) was read off this one.
DEMO_END_MONTH = "2026-10"
# ... and the day it is judged on (overdue notices and tasks, the running quarter, future months), pinned with it:
# on 1 January the running quarter would hold no demo row. Set for the whole run, so the app in-process (AppTest),
# every command and every server a test starts (they inherit the environment) judge on it; a test of another day
# sets $INTEGRITY_TODAY itself or passes ``today``. Only the wall clock's own uses (audit stamps, session expiry) see
# the machine's date. `make test-clock` runs the date-sensitive tests under faketime to keep it so.
TODAY = date(2026, 12, 7)
os.environ[clock.TODAY_ENV] = TODAY.isoformat()


# Test modules whose store tests run on SQLite and on PostgreSQL.
BOTH_STORES = {
    "test_store_faults",
    "test_ingest_import",
    "test_ingest_cross_checks",
    "test_ingest_rows",
    "test_rules_edits",
    "test_calendar_kind",
    "test_programme_kinds",
    "test_demo_clear",
    "test_fault_concurrent",
    "test_fault_kill",
    "test_upload_page",
    "test_pages_browse",
    "test_views_overview",
    "test_auth",
    "test_lockout",
    "test_hospitals",
    "test_contacts_kind",
    "test_activities_kind",
    "test_risks_kind",
    "test_remind",
    "test_brands_kind",
    "test_talks_kind",
    "test_award_units",
    "test_award_units_display",
    "test_applications_kind",
}
STORES = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc):
    if "store_kind" in metafunc.fixturenames:  # a module may name its own stores (STORES = ("postgresql",))
        both = metafunc.module.__name__.rsplit(".", 1)[-1] in BOTH_STORES
        stores = getattr(metafunc.module, "STORES", STORES if both else None)
        if stores:  # elsewhere the store is SQLite and test ids stay as they were
            metafunc.parametrize("store_kind", stores, indirect=True)


@pytest.fixture
def store_kind(request) -> str:
    """'sqlite' or 'postgresql': the store this test runs on (both in BOTH_STORES modules, else sqlite)."""
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def pg_cluster():
    """The run's PostgreSQL server (started once; a server that cannot start fails the tests, never skips them)."""
    cluster = pgcluster.Cluster.start()
    pgcluster.RUNNING[:] = [cluster]
    yield cluster
    pgcluster.RUNNING.clear()
    cluster.stop()


@pytest.fixture
def pg_url(pg_cluster):
    """A fresh PostgreSQL database holding an empty store; its URL (dropped after the test)."""
    url = pg_cluster.new_database()
    yield url
    pg_cluster.drop(url)


@pytest.fixture
def db_file(store_kind, tmp_path, monkeypatch, request):
    """A fresh, empty store — a file (Path) on SQLite, a database URL (str) on PostgreSQL; also the default store
    for code under test ($INTEGRITY_DB)."""
    if store_kind == "postgresql":
        path = request.getfixturevalue("pg_url")
        monkeypatch.setenv("INTEGRITY_BACKUP_DIR", str(tmp_path / "backups"))  # no server file to put them next to
    else:
        path = tmp_path / "store.db"
    monkeypatch.setenv(store.DB_ENV, str(path))
    with store.opened(path):
        pass
    return path


@pytest.fixture
def new_store(store_kind, tmp_path, request):
    """``new_store(name, bare=False)``: a place for a new store on this test's store kind — a file path not yet
    made on SQLite; on PostgreSQL the URL of a new database holding an empty store (``bare``: no schema yet)."""

    def make(name: str = "store", bare: bool = False):
        if store_kind != "postgresql":
            return tmp_path / f"{name}.db"
        cluster = request.getfixturevalue("pg_cluster")
        url = cluster.new_database(bare=bare)
        request.addfinalizer(lambda: cluster.drop(url))
        return url

    return make


@pytest.fixture
def store_url(db_file):
    """The fresh store of ``db_file`` as a URL: sqlite:///… or postgresql://…"""
    return db_file if isinstance(db_file, str) else f"sqlite:///{db_file}"


@pytest.fixture
def fresh_db(db_file):
    """An open sqlite_utils.Database on a fresh store."""
    db = store.connect(db_file)
    yield db
    db.conn.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """A store filled once per test session with the fixed-seed demo data; copy it, never write to it."""
    from metrics.ops import demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    demo.fill(path, end_month=DEMO_END_MONTH)
    return path


@pytest.fixture(scope="session")
def pg_demo_template(pg_cluster) -> str:
    """A PostgreSQL database filled once per session with the same demo; copied (CREATE DATABASE … TEMPLATE)."""
    from metrics.ops import demo

    url = pg_cluster.new_database()
    demo.fill(url, end_month=DEMO_END_MONTH)
    store.dispose(url)  # a template may have no open connection
    yield url
    pg_cluster.drop(url)


def _private_copy(store_kind, template: str, name: str, tmp_path, monkeypatch, request) -> Path | str:
    """A private copy of the session template ``template`` (``pg_<template>`` on PostgreSQL), set as the default
    store ($INTEGRITY_DB): the file ``<name>.db`` on SQLite, a database URL on PostgreSQL."""
    if store_kind == "postgresql":
        cluster = request.getfixturevalue("pg_cluster")
        url = cluster.new_database(template=request.getfixturevalue(f"pg_{template}"))
        request.addfinalizer(lambda: cluster.drop(url))
        monkeypatch.setenv(store.DB_ENV, url)
        monkeypatch.setenv("INTEGRITY_BACKUP_DIR", str(tmp_path / "backups"))  # no server file to put them next to
        return url
    source = request.getfixturevalue(template)
    path = tmp_path / f"{name}.db"
    with store.opened(source) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(source, path)
    monkeypatch.setenv(store.DB_ENV, str(path))
    return path


@pytest.fixture
def demo_db(store_kind, tmp_path, monkeypatch, request):
    """A private copy of the demo store, set as the default store ($INTEGRITY_DB): a file on SQLite, a database URL
    on PostgreSQL."""
    return _private_copy(store_kind, "demo_template", "demo", tmp_path, monkeypatch, request)


@pytest.fixture(scope="session")
def group_template(tmp_path_factory) -> Path:
    """A three-hospital demo store (H01, H02, H03), filled once per test session; copy it, never write to it."""
    from metrics.ops import demo

    path = tmp_path_factory.mktemp("group") / "group.db"
    demo.fill(path, end_month=DEMO_END_MONTH, hospitals=3)
    return path


@pytest.fixture(scope="session")
def pg_group_template(pg_cluster) -> str:
    """The same three-hospital demo in a PostgreSQL database, filled once per session (copied, never written)."""
    from metrics.ops import demo

    url = pg_cluster.new_database()
    demo.fill(url, end_month=DEMO_END_MONTH, hospitals=3)
    store.dispose(url)  # a template may have no open connection
    yield url
    pg_cluster.drop(url)


@pytest.fixture
def group_store(store_kind, tmp_path, monkeypatch, request) -> Path | str:
    """A private copy of the three-hospital demo store (no accounts), set as the default store ($INTEGRITY_DB): a
    file on SQLite, a database URL on PostgreSQL (in the modules of BOTH_STORES)."""
    return _private_copy(store_kind, "group_template", "group", tmp_path, monkeypatch, request)


def edit_catalogue(path: Path, kind: str, code: str, **fields) -> None:
    """Edit one catalogue entry the way the targets page's editors do: the stored row with ``fields`` changed, saved
    through the one validator and write path (importer.commit_rows). ``kind``: 'indicators' | 'metric_catalogue'."""
    from metrics import contract
    from metrics.ingest import importer

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

    from metrics.access import users

    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    monkeypatch.setattr(users, "_dummy_hash", None)


def page_as(page: str, user: str | None = None, role: str | None = None, lang: str | None = None, first_run=False):
    """The dashboard (an AppTest) switched to ``page`` and run without an exception: signed in as ``user`` (an
    account made now with ``role``, or an existing one when ``role`` is None; anonymous without ``user``), in
    ``lang`` when given; ``first_run``: the dashboard runs once before the switch, as a browser opening it does."""
    from streamlit.testing.v1 import AppTest

    from metrics.access import sessions, users

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if user:
        if role:
            users.add_user(user, "correct horse 9", role)
        at.session_state["_auth_token"] = sessions.start_session(user)
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
    """The rows of ``sql`` read from the store at ``path`` (a SQLite file or a PostgreSQL URL) by a connection of its
    own (no store code between): by default every metric value, sorted."""
    import sqlite3

    if store.is_server(path):
        import psycopg
        from sqlalchemy.engine import make_url

        with psycopg.connect(make_url(path).set(drivername="postgresql").render_as_string(False)) as conn:
            return [tuple(r) for r in conn.execute(sql).fetchall()]

    conn = sqlite3.connect(str(path))
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def store_text(db) -> str:
    """Everything an open store holds, as text (SQLite's iterdump; on PostgreSQL every row of every table)."""
    if not store.is_server(getattr(db, "target", None)):
        return "\n".join(db.conn.iterdump())
    tables = [r[0] for r in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]
    return "\n".join(f"{t}: {tuple(r)!r}" for t in sorted(tables) for r in db.execute(f"SELECT * FROM {t}"))


def copy_of(src, dst: Path):
    """A private copy of the store ``src``: a file copied to ``dst`` on SQLite, a database made from it on
    PostgreSQL (its URL)."""
    if store.is_server(src):
        store.dispose(src)
        return pgcluster.RUNNING[0].new_database(template=src)
    with store.opened(src) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(src, dst)
    return dst


# Fixtures that start or use the run's throwaway PostgreSQL cluster: a test asking for one is a `postgresql` test.
PG_FIXTURES = {"pg_cluster", "pg_url", "pg_demo_template", "pg_group_template"}


def pytest_collection_modifyitems(config, items):
    """Mark every test that runs on PostgreSQL (the ``[postgresql]`` half of a store test, or one asking for the
    cluster itself) so that `make test-fast` can leave the cluster unstarted: ``-m "not postgresql"``."""
    for item in items:
        spec = getattr(item, "callspec", None)
        on_pg = spec is not None and spec.params.get("store_kind") == "postgresql"
        if on_pg or PG_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.postgresql)
