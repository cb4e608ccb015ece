"""Backup and restore (PRODUCT §9): a consistent online copy, a checked restore that keeps the store it replaces."""

from __future__ import annotations

import sqlite3

import pytest

from metrics import store
from metrics.ops import backup, cli
from metrics.views import audit
from tests.conftest import file_rows

_dump = file_rows  # every metric value of a store file, read by a connection of its own


def test_backup_is_a_complete_checked_copy(demo_db, tmp_path):
    out = backup.backup(tmp_path / "nightly.db", actor="ops")
    assert store.integrity_problems(out) == []
    assert _dump(out) == _dump(demo_db) and len(_dump(out)) > 1000
    log = audit.audit_frame(actions=["backup"])
    assert log.iloc[0]["user"] == "ops" and log.iloc[0]["target"] == str(out)


def test_backup_while_a_write_is_in_flight_holds_only_committed_data(demo_db, tmp_path):
    before = _dump(demo_db)
    writer = sqlite3.connect(str(demo_db), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM metric_values WHERE dept_code = 'K01'")
    out = tmp_path / "during.db"
    try:
        store.copy_store(demo_db, out)  # the copy step of backup(); its audit record then waits for the writer
    finally:
        writer.execute("COMMIT")
        writer.close()
    assert _dump(out) == before  # the uncommitted delete is not in the copy
    assert len(_dump(demo_db)) < len(before)


def test_restore_brings_back_the_backup_and_keeps_the_replaced_store(demo_db, tmp_path):
    saved = backup.backup(tmp_path / "good.db")
    before = _dump(demo_db)
    with store.opened(demo_db) as db:
        version = store.data_version(db)
        db.execute("DELETE FROM metric_values WHERE month < '2024-01'")
    damaged = _dump(demo_db)
    assert len(damaged) < len(before)
    kept = backup.restore(saved, actor="ops")
    assert _dump(demo_db) == before
    assert _dump(kept) == damaged  # the store as it was just before the restore
    with store.opened(demo_db) as db:
        assert store.data_version(db) > version  # every page cache keyed on the version refreshes
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    log = audit.audit_frame(actions=["restore"])
    assert log.iloc[0]["user"] == "ops" and str(kept) in log.iloc[0]["detail"]


@pytest.mark.parametrize("content", [b"", b"not a database at all" * 100, "sqlite-other"])
def test_restore_refuses_a_file_that_is_not_a_good_store_and_changes_nothing(demo_db, tmp_path, content):
    bad = tmp_path / "bad.db"
    if content == "sqlite-other":  # a valid SQLite file, but not one of our stores
        conn = sqlite3.connect(str(bad))
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
        conn.close()
    else:
        bad.write_bytes(content)
    before = _dump(demo_db)
    with pytest.raises(backup.BackupError):
        backup.restore(bad)
    assert _dump(demo_db) == before
    assert not list((demo_db.parent / "backups").glob("pre-restore-*"))


def test_restore_refuses_a_corrupted_backup(demo_db, tmp_path):
    saved = backup.backup(tmp_path / "good.db")
    raw = bytearray(saved.read_bytes())
    for offset in range(8192, len(raw) - 4096, 4096):  # scribble over the middle of many pages
        raw[offset + 100 : offset + 400] = b"\xff" * 300
    saved.write_bytes(bytes(raw))
    before = _dump(demo_db)
    with pytest.raises(backup.BackupError):
        backup.restore(saved)
    assert _dump(demo_db) == before


def test_cli_backup_and_restore(demo_db, tmp_path, capsys):
    out = tmp_path / "cli.db"
    assert cli.main(["--db", str(demo_db), "backup", "--out", str(out)]) == 0
    assert "完整性检查通过" in capsys.readouterr().out
    with store.opened(demo_db) as db:
        db.execute("DELETE FROM metric_values")
    assert cli.main(["--db", str(demo_db), "restore", str(out)]) == 0
    assert "已从" in capsys.readouterr().out
    assert _dump(demo_db) == _dump(out)
    assert cli.main(["--db", str(demo_db), "restore", str(tmp_path / "missing.db")]) == 1
    assert "操作未执行" in capsys.readouterr().err


def test_default_backup_goes_to_data_backups_with_a_timestamp(demo_db):
    out = backup.backup()
    assert out.parent == demo_db.parent / "backups" and out.name.startswith("integrity-")
    second = backup.backup()
    assert second != out and second.exists() and out.exists()


def test_backup_download_bytes_are_a_valid_store(demo_db, tmp_path):
    data = backup.backup_bytes(actor="admin")
    path = tmp_path / "downloaded.db"
    path.write_bytes(data)
    assert store.integrity_problems(path) == []
    assert _dump(path) == _dump(demo_db)
