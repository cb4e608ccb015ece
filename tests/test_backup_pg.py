"""Backup and restore of a PostgreSQL store (PRODUCT §9): pg_dump -Fc, a restore checked on a scratch database before
anything is replaced, and the same refusals as for SQLite; a password never reaches a message."""

from __future__ import annotations

import stat
import subprocess
import sys

import pytest

from metrics import store
from metrics.ops import backup
from metrics.views import audit
from tests.conftest import ROOT, file_rows

STORES = ("postgresql",)


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "metrics", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_backup_and_restore_bring_back_the_store_and_keep_the_replaced_one(demo_db, tmp_path):
    before = file_rows(demo_db)
    saved = backup.backup(tmp_path / "nightly.dump", actor="ops")
    assert _mode(saved) == 0o600 and saved.read_bytes()[:5] == b"PGDMP"
    assert audit.audit_frame(actions=["backup"]).iloc[0]["target"] == str(saved)
    with store.opened(demo_db) as db:
        version = store.data_version(db)
        db.execute("DELETE FROM metric_values WHERE month < '2024-01'")
        store.bump_data_version(db)
    damaged = file_rows(demo_db)
    assert len(damaged) < len(before)
    kept = backup.restore(saved, actor="ops")
    assert file_rows(demo_db) == before
    assert _mode(kept) == 0o600 and kept.name.startswith("pre-restore-")
    with store.opened(demo_db) as db:
        assert store.data_version(db) > version + 1  # past both: every page cache keyed on the version refreshes
    log = audit.audit_frame(actions=["restore"])
    assert log.iloc[0]["user"] == "ops" and str(kept) in log.iloc[0]["detail"]
    backup.restore(kept)  # the kept dump is itself a good backup: the damaged state comes back
    assert file_rows(demo_db) == damaged


def test_the_command_line_backs_up_and_restores_a_postgresql_store(demo_db, tmp_path):
    out = tmp_path / "cli.dump"
    r = _cli("--db", demo_db, "backup", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert out.exists() and str(out) in r.stdout
    with store.opened(demo_db) as db:
        db.execute("DELETE FROM departments WHERE dept_code = 'K01'")
    r = _cli("--db", demo_db, "restore", str(out))
    assert r.returncode == 0, r.stderr
    assert file_rows(demo_db, "SELECT dept_code FROM departments WHERE dept_code = 'K01'") == [("K01",)]


def _dump_of(cluster, tmp_path, sql: list[str]):
    """A pg_dump of a database holding what ``sql`` makes (a store of ours when ``sql`` starts from one)."""
    url = cluster.new_database()
    with store.opened(url) as db:
        for s in sql:
            db.execute(s)
        pg_dump = backup.pg_tool("pg_dump", store.pg_server_version(db))
    out = tmp_path / "other.dump"
    subprocess.run([pg_dump, "-Fc", "--file", str(out), "--dbname", url], check=True)  # pg_dump's own, unchecked
    cluster.drop(url)
    return out


@pytest.mark.parametrize(
    "sql, words",
    [
        (["DROP TABLE metric_values"], "缺少表：metric_values"),
        (["UPDATE meta SET value = '99' WHERE key = 'schema_version'"], "较新版本"),
        (
            [
                "ALTER TABLE metric_values ADD COLUMN secret TEXT NOT NULL DEFAULT 'x'",
                "ALTER TABLE metric_values ALTER COLUMN secret DROP DEFAULT",
            ],
            "metric_values",
        ),
        (["CREATE VIEW spy AS SELECT * FROM users"], "spy"),
        (["UPDATE meta SET value = 'x' WHERE key = 'schema_version'"], "版本号"),
    ],
    ids=["missing-table", "newer", "extra-column", "view", "no-version"],
)
def test_restore_refuses_a_dump_that_is_not_ours_and_changes_nothing(demo_db, pg_cluster, tmp_path, sql, words):
    bad = _dump_of(pg_cluster, tmp_path, sql)
    before = file_rows(demo_db)
    with store.opened(demo_db) as db:
        version = store.data_version(db)
    with pytest.raises(backup.BackupError) as e:
        backup.restore(bad)
    assert words in e.value.message("zh"), e.value.message("zh")
    assert file_rows(demo_db) == before
    with store.opened(demo_db) as db:
        assert store.data_version(db) == version
    scratch = file_rows(demo_db, "SELECT datname FROM pg_database WHERE datname LIKE 'integrity_restore_%'")
    assert scratch == []  # the scratch database is gone


@pytest.mark.parametrize("content", [b"", b"not a dump at all" * 100, "sqlite"])
def test_restore_refuses_a_file_that_is_not_a_dump(demo_db, tmp_path, content):
    bad = tmp_path / "bad.dump"
    if content == "sqlite":  # a backup of the SQLite store: the wrong kind for this store
        with store.opened(tmp_path / "s.db"):
            pass
        bad = tmp_path / "s.db"
    else:
        bad.write_bytes(content)
    before = file_rows(demo_db)
    with pytest.raises(backup.BackupError) as e:
        backup.restore(bad)
    assert "不是本看板用 pg_dump 写出的" in e.value.message("zh")
    assert file_rows(demo_db) == before


def test_without_pg_dump_the_refusal_says_exactly_what_to_install(db_file, tmp_path, monkeypatch):
    monkeypatch.setattr(backup, "PG_BIN_GLOB", str(tmp_path / "none" / "*" / "bin"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(backup.BackupError) as e:
        backup.backup(tmp_path / "x.dump")
    with store.opened(db_file) as db:
        version = store.pg_server_version(db)
    assert f"apt-get install -y postgresql-client-{version}" in e.value.message("zh")
    assert not (tmp_path / "x.dump").exists()


def test_a_password_never_reaches_a_message():
    """A store URL with a password on a server that does not answer: the CLI says it cannot open the store, naming
    it with the password hidden."""
    r = _cli("--db", "postgresql://postgres:s3cret-pw@127.0.0.1:1/nowhere", "users", "list")
    assert r.returncode == 1
    assert "s3cret-pw" not in r.stderr + r.stdout and "postgres:***@127.0.0.1:1/nowhere" in r.stderr, r.stderr
    assert "无法打开数据库" in r.stderr


def test_a_restore_that_fails_half_way_leaves_the_store_as_it_was(demo_db, tmp_path):
    """The last step itself fails (a reporting view a DBA added depends on a table the restore must replace): the
    live store keeps every row it had, the view included, and says why."""
    saved = backup.backup(tmp_path / "good.dump")
    with store.opened(demo_db) as db:
        db.execute("DELETE FROM metric_values WHERE month < '2024-01'")
        db.execute("CREATE VIEW monthly_report AS SELECT month, COUNT(*) AS n FROM metric_values GROUP BY month")
        version = store.data_version(db)
    before = file_rows(demo_db)
    with pytest.raises(backup.BackupError) as e:
        backup.restore(saved)
    assert "monthly_report" in e.value.message("zh")  # pg_restore's reason, for the administrator
    assert file_rows(demo_db) == before
    assert file_rows(demo_db, "SELECT COUNT(*) FROM monthly_report")[0][0] > 0
    with store.opened(demo_db) as db:
        assert store.data_version(db) == version


def test_the_admins_download_is_a_dump_named_so(demo_db):
    import datetime

    data = backup.backup_bytes(actor="admin1")
    assert data[:5] == b"PGDMP"
    assert backup.download_name(datetime.date(2026, 12, 1)) == (
        "integrity-backup-2026-12-01.dump",
        "application/octet-stream",
    )
