"""A backup leaves exactly one file behind — the complete backup, or nothing at all on a full disk: no
``.partial``, ``.partial-journal``, ``.partial-wal`` or ``.partial-shm``."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _backup(db, out: Path, limit: int | None = None) -> subprocess.CompletedProcess:
    def pre():
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG), as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "metrics", "--db", str(db), "backup", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=pre if limit else None,
    )


@pytest.mark.process
def test_a_backup_leaves_only_the_backup(demo_db, tmp_path):
    out = tmp_path / "nightly" / "bk.db"
    r = _backup(demo_db, out)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in out.parent.iterdir()) == ["bk.db"]


@pytest.mark.process
@pytest.mark.parametrize("kb", [64, 256, 1024])
def test_a_backup_onto_a_full_disk_leaves_nothing(demo_db, tmp_path, kb):
    out = tmp_path / "nightly" / "bk.db"
    r = _backup(demo_db, out, limit=kb * 1024)
    assert r.returncode == 1 and "磁盘空间不足" in r.stderr, r.stderr
    assert sorted(p.name for p in out.parent.iterdir()) == []
