"""Backup and restore of the SQLite store (issue 6).

A backup is a consistent online copy made with SQLite's backup API (``sqlite3.Connection.backup``), safe while
the dashboard and imports keep writing. A restore first checks the file (``PRAGMA integrity_check`` and our
tables), keeps a copy of the current store next to the backups, then copies the backup into the live store
through the same API, so open connections see either the old store or the restored one, never a mix.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

from metrics import store


class BackupError(Exception):
    """A backup or restore that was refused; nothing was changed."""


def backup_dir(db_path=None) -> Path:
    """Where backups go by default: data/backups/ next to the store."""
    return store.db_path(db_path).resolve().parent / "backups"


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S-%f")


def backup(out: str | os.PathLike | None = None, db_path=None, actor: str | None = None) -> Path:
    """Write a consistent copy of the store to ``out`` (default data/backups/integrity-<time>.db); returns it."""
    src = store.db_path(db_path)
    if not src.exists():
        raise BackupError(f"store not found: {src}")
    with store.opened(src):  # schema ensured, so even an empty store backs up as a valid store
        pass
    dst = Path(out) if out else backup_dir(src) / f"integrity-{_stamp()}.db"
    if dst.resolve() == src.resolve():
        raise BackupError("the backup file must differ from the store")
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".partial")
    tmp.unlink(missing_ok=True)
    store.copy_store(src, tmp)
    problems = store.integrity_problems(tmp)
    if problems:
        tmp.unlink(missing_ok=True)
        raise BackupError("backup failed its integrity check: " + "; ".join(problems[:5]))
    os.replace(tmp, dst)  # a backup file is either complete or absent
    with store.opened(src) as db, db.atomic():
        store.audit_log(db, actor, "backup", str(dst), detail={"bytes": dst.stat().st_size})
    return dst


def backup_bytes(db_path=None, actor: str | None = None) -> bytes:
    """A consistent copy of the store as bytes (for the admins' download)."""
    with tempfile.TemporaryDirectory() as d:
        path = backup(Path(d) / "backup.db", db_path=db_path, actor=actor)
        return path.read_bytes()


def restore(source: str | os.PathLike, db_path=None, actor: str | None = None) -> Path:
    """Replace the store's contents with the backup ``source``; returns the copy kept of the store before.

    Refuses (BackupError, nothing changed) a file that is missing, not SQLite, damaged or not one of our stores.
    """
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"backup not found: {source}")
    problems = store.integrity_problems(source)
    if problems:
        raise BackupError("backup refused, integrity check failed: " + "; ".join(problems[:5]))
    dst = store.db_path(db_path)
    if dst.exists() and source.resolve() == dst.resolve():
        raise BackupError("the backup file is the store itself")
    kept, version = None, 0
    if dst.exists():
        with store.opened(dst) as db:
            version = store.data_version(db)
        kept = backup(backup_dir(dst) / f"pre-restore-{_stamp()}.db", db_path=dst, actor=actor)
    dst.parent.mkdir(parents=True, exist_ok=True)
    store.copy_store(source, dst)
    with store.opened(dst) as db, db.atomic():
        store.audit_log(
            db, actor, "restore", str(source), detail={"previous_store_kept_as": str(kept) if kept else None}
        )
        # past both stores' versions, so no page cache keyed on a version can show pre-restore data
        store.set_meta(db, "data_version", str(max(version, store.data_version(db)) + 1))
    return kept
