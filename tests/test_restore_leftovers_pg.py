"""A PostgreSQL restore killed half way (SIGKILL at 35/55/75 %) left its scratch database on the server: a whole
copy of the store, staff names and password hashes included. The next start of the app or the CLI on that store,
and the next restore, drop what a killed restore left — and say so; a restore running now is never touched."""

from __future__ import annotations

import subprocess
import sys

from metrics import store
from metrics.ops import backup
from tests.conftest import ROOT

STORES = ("postgresql",)


def _scratch_databases(url: str) -> set[str]:
    with store.opened(url) as db:
        rows = db.execute("SELECT datname FROM pg_database WHERE datname LIKE 'integrity_restore%'").fetchall()
    return {r[0] for r in rows}


def _leave(url: str, name: str) -> None:
    """A scratch database as a killed restore leaves it: a copy of the store (here: its tables, empty)."""
    with store.opened(url) as db:
        store.pg_create_database(db, name)


def test_the_next_start_of_the_cli_drops_what_a_killed_restore_left_and_says_so(demo_db):
    left = {"integrity_restore_20261207_051500_123456", "integrity_restore_20261207_051501_654321"}
    for name in left:
        _leave(demo_db, name)
    r = subprocess.run(
        [sys.executable, "-m", "metrics", "--db", demo_db, "users", "list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert not (_scratch_databases(demo_db) & left)
    assert "中断的恢复" in r.stderr and all(n in r.stderr for n in left), r.stderr


def test_a_restore_drops_what_a_killed_one_left_and_leaves_none_of_its_own(demo_db, tmp_path, caplog):
    saved = backup.backup(tmp_path / "good.dump")
    _leave(demo_db, "integrity_restore_20261207_051502_111111")
    backup.restore(saved)
    assert _scratch_databases(demo_db) == set()
    assert "integrity_restore_20261207_051502_111111" in caplog.text
