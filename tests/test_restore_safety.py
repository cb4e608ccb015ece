"""A restore checks the backup on a copy (integrity, schema version, every table's columns), migrates
the copy, and swaps it in only when whole; on any refusal the live store is untouched."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from metrics import store
from metrics.ingest import importer
from metrics.ops import backup, cli
from tests.conftest import file_rows


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


_rows = file_rows  # every metric value of a store file, read by a connection of its own


def _foreign_with_our_table_names(path) -> None:
    """A valid SQLite file with every one of our table names, but other columns (another program's store)."""
    conn = sqlite3.connect(str(path))
    for t in (*store.RESTORE_REQUIRED_TABLES, "sessions"):
        conn.execute(f"CREATE TABLE {t} (id INTEGER PRIMARY KEY, payload TEXT)")
    conn.execute("INSERT INTO meta (id, payload) VALUES (1, 'schema_version')")
    conn.commit()
    conn.close()


def _assert_refused_and_untouched(demo_db, bad, capsys, *needles):
    sha, rows = _sha(demo_db), _rows(demo_db)
    assert cli.main(["--db", str(demo_db), "restore", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for n in needles:
        assert n in err, err
    assert _sha(demo_db) == sha  # byte-identical
    assert _rows(demo_db) == rows
    assert not list((demo_db.parent / "backups").glob("pre-restore-*"))
    assert not [p for p in demo_db.parent.iterdir() if p.name.startswith(".restore")]  # the copy is cleaned up
    # and the store still works: a page's read and an import
    with store.opened(demo_db) as db:
        assert len(store.metric_values(db)) == len(rows)
    return err


def _changed_backup(path, *sql: str):
    """A backup of the live store at ``path``, then changed by the statements ``sql``."""
    path = backup.backup(path)
    conn = sqlite3.connect(str(path))
    for statement in sql:
        conn.execute(statement)
    conn.commit()
    conn.close()
    return path


def test_a_foreign_file_with_our_table_names_is_refused_and_the_store_still_works(demo_db, tmp_path, capsys):
    bad = tmp_path / "foreign.db"
    _foreign_with_our_table_names(bad)
    _assert_refused_and_untouched(demo_db, bad, capsys, "操作未执行", "不是本看板的数据库")
    report = importer.commit("月份,科室编码,科室名称,患者满意度\n2024-04,K99,新科室,95\n".encode(), "a.csv", None)
    assert report.committed


def test_a_store_from_a_newer_version_is_refused(demo_db, tmp_path, capsys):
    newer = _changed_backup(tmp_path / "newer.db", "UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    err = _assert_refused_and_untouched(demo_db, newer, capsys, "99")
    assert "升级" in err


def test_a_missing_column_is_refused_naming_the_table(demo_db, tmp_path, capsys):
    bad = _changed_backup(tmp_path / "b.db", "ALTER TABLE events DROP COLUMN office")
    _assert_refused_and_untouched(demo_db, bad, capsys, "events", "office")


def test_a_trigger_in_the_backup_is_refused(demo_db, tmp_path, capsys):
    bad = _changed_backup(
        tmp_path / "b.db", "CREATE TRIGGER wipe AFTER INSERT ON audit BEGIN DELETE FROM metric_values; END"
    )
    _assert_refused_and_untouched(demo_db, bad, capsys, "wipe")


def test_refusals_speak_english_when_asked(demo_db, tmp_path, capsys):
    bad = tmp_path / "foreign.db"
    _foreign_with_our_table_names(bad)
    assert cli.main(["--db", str(demo_db), "restore", str(bad), "--lang", "en"]) == 1
    assert "not a store of this dashboard" in capsys.readouterr().err


def test_an_older_store_is_migrated_on_the_copy_and_restored(demo_db, tmp_path):
    old = _changed_backup(
        tmp_path / "old.db",
        "ALTER TABLE batch_rejects DROP COLUMN row_json",  # what version 1 looked like
        "UPDATE meta SET value = '1' WHERE key = 'schema_version'",
    )
    before = _rows(old)
    with store.opened(demo_db) as db:
        db.execute("DELETE FROM metric_values")
    backup.restore(old, actor="ops")
    assert _rows(demo_db) == before
    with store.opened(demo_db) as db:
        assert int(store.get_meta(db, "schema_version")) == store.SCHEMA_VERSION
        cols = {r[1] for r in db.execute("PRAGMA table_info(batch_rejects)")}
        assert "row_json" in cols
    assert _sha(old) == _sha(old)  # the backup file itself is only read


def test_the_backup_file_itself_is_not_changed_by_a_restore(demo_db, tmp_path):
    saved = backup.backup(tmp_path / "good.db")
    sha = _sha(saved)
    backup.restore(saved)
    assert _sha(saved) == sha and not (tmp_path / "good.db-wal").exists()


def test_a_backup_with_another_page_size_restores(demo_db, tmp_path):
    small = tmp_path / "small.db"
    src = sqlite3.connect(str(backup.backup(tmp_path / "b.db")))
    src.execute(f"VACUUM INTO '{small}'")
    src.close()
    conn = sqlite3.connect(str(small))
    conn.execute("PRAGMA page_size = 1024")
    conn.execute("VACUUM")
    conn.close()
    rows = _rows(small)
    with store.opened(demo_db) as db:
        db.execute("DELETE FROM metric_values")
    backup.restore(small)
    assert _rows(demo_db) == rows


@pytest.mark.parametrize("content", [b"SQLite format 3\x00" + b"\x00" * 200, b"\x00" * 4096])
def test_truncated_or_zeroed_files_are_refused(demo_db, tmp_path, capsys, content):
    bad = tmp_path / "bad.db"
    bad.write_bytes(content)
    _assert_refused_and_untouched(demo_db, bad, capsys, "操作未执行")


@pytest.mark.process
def test_a_full_disk_during_restore_leaves_the_live_store_as_it_was(demo_db, tmp_path):
    import signal
    import subprocess
    import sys

    from tests.conftest import ROOT

    saved = backup.backup(tmp_path / "good.db")
    with store.opened(demo_db) as db:
        db.execute("DELETE FROM metric_values WHERE month < '2024-01'")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    sha, rows = _sha(demo_db), _rows(demo_db)

    def limit():
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (300 * 1024, 300 * 1024))

    r = subprocess.run(
        [sys.executable, "-m", "metrics", "--db", str(demo_db), "restore", str(saved)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit,
    )
    assert r.returncode == 1 and "Traceback" not in r.stderr and "磁盘空间不足" in r.stderr, r.stderr
    assert _sha(demo_db) == sha and _rows(demo_db) == rows
    assert not [p for p in demo_db.parent.iterdir() if p.name.startswith(".restore")]


@pytest.mark.parametrize("damage", ["pages", "garbage"])
def test_a_damaged_store_can_be_restored_over_and_its_files_are_kept(demo_db, tmp_path, capsys, damage):
    saved = backup.backup(tmp_path / "good.db")
    rows = _rows(saved)
    raw = bytearray(demo_db.read_bytes())
    if damage == "garbage":
        raw[:] = b"junk" * (len(raw) // 4)
    else:
        for offset in range(8192, len(raw) - 4096, 4096):
            raw[offset + 40 : offset + 400] = b"\xff" * 360
    demo_db.write_bytes(bytes(raw))
    damaged_sha = _sha(demo_db)
    assert cli.main(["--db", str(demo_db), "restore", str(saved)]) == 0, capsys.readouterr().err
    assert _rows(demo_db) == rows and store.integrity_problems(demo_db) == []
    (kept,) = (demo_db.parent / "backups").glob("pre-restore-*.damaged.db")
    assert _sha(kept) == damaged_sha
    report = importer.commit("月份,科室编码,科室名称,患者满意度\n2024-04,K99,新科室,95\n".encode(), "a.csv", None)
    assert report.committed
