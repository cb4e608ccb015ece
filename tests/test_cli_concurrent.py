"""Readers of one SQLite file at once, as real processes: every read that writes its audit row waits its turn."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# racing processes: the full suite only (`make test-fast` leaves them out)
pytestmark = pytest.mark.slow


def test_four_points_lists_at_once_never_fail(demo_db):
    """4 `points 2025 --json` at once, 4 rounds: each writes its audit row in the transaction that read the roster;
    none may answer "数据库正忙" (a deferred transaction that reads, then writes, cannot wait for the lock)."""
    failed = []
    for _ in range(4):
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "metrics", "--db", str(demo_db), "points", "2025", "--json"],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(4)
        ]
        for p in procs:
            _, err = p.communicate(timeout=120)
            if p.returncode != 0:
                failed.append(err)
    assert failed == []


def test_exports_and_points_lists_at_once_never_fail(demo_db, tmp_path):
    """Both read and write their audit row in one transaction; mixed, each waits for the other's write."""
    failed = []
    for round_ in range(2):
        argvs = [["points", "2025", "--json"]] * 2 + [
            ["export", "--out", str(tmp_path / f"x{round_}{i}")] for i in range(2)
        ]
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "metrics", "--db", str(demo_db), *argv],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for argv in argvs
        ]
        for p in procs:
            _, err = p.communicate(timeout=120)
            if p.returncode != 0:
                failed.append(err)
    assert failed == []
