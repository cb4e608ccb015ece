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


def test_cli_demo_fill_is_audited_as_the_os_user(db_file, capsys):
    assert cli.main(["demo", "--db", str(db_file)]) == 0
    assert set(_audit(db_file)) == {(f"cli:{getpass.getuser()}", "demo")}


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


def test_demo_fills_through_the_one_write_path(db_file):
    """Issue 11: the demo's rows pass the upload's validator and come in as audited, journalled batches."""
    from metrics import importer

    counts = demo.fill(db_file)
    with store.opened(db_file) as db:
        batches = store.batches(db)
        assert store.get_meta(db, "demo") == "1"
        assert len(store.metric_values(db)) == counts["metric_values"]
    assert set(batches["file_name"]) == {demo.DEMO_SOURCE} and len(batches) == 5
    assert set(batches["kind"]) == {"departments", "metrics", "events", "awards", "targets"}
    assert [a for a in _audit(db_file) if a[1] == "demo"] == [("demo", "demo")] * 5
    # The latest batch (the targets) rolls back like any upload.
    importer.rollback(int(batches["batch_id"].max()), user="ed", db_path=db_file)
    with store.opened(db_file) as db:
        assert store.targets(db)["dept_code"].eq("").all()
