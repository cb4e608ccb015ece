"""Issue 11.10: clearing the demo data is one transaction — the clear, its audit record and the data version —
and the command line is audited as cli:<os user> like every other CLI action."""

from __future__ import annotations

import getpass
import sqlite3

import pytest

from metrics import cli, demo, store


def _audit(path) -> list[tuple]:
    with store.opened(path) as db:
        return db.execute("SELECT user, action FROM audit ORDER BY id").fetchall()


def test_cli_clear_is_audited_as_the_os_user(demo_db, capsys):
    assert cli.main(["demo", "--clear", "--db", str(demo_db)]) == 0
    with store.opened(demo_db) as db:
        assert store.is_empty(db)
    assert _audit(demo_db)[-1] == (f"cli:{getpass.getuser()}", "clear_demo")


def test_clear_and_its_audit_record_commit_together(demo_db):
    with store.opened(demo_db) as db:
        v0 = store.data_version(db)
        n0 = len(store.departments(db))
        # The audit table refuses the record: the clear must not happen without it.
        db.execute("CREATE TRIGGER no_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'audit full'); END")
    with pytest.raises(sqlite3.DatabaseError):
        demo.clear(demo_db, user="ed")
    with store.opened(demo_db) as db:
        assert len(store.departments(db)) == n0 and store.data_version(db) == v0
        db.execute("DROP TRIGGER no_audit")
    demo.clear(demo_db, user="ed")
    with store.opened(demo_db) as db:
        assert store.is_empty(db) and store.data_version(db) == v0 + 1
    assert _audit(demo_db)[-1] == ("ed", "clear_demo")
