"""Backup and restore of the SQLite store (PRODUCT §9: nightly backups).

A backup is a consistent online copy made with SQLite's backup API (``sqlite3.Connection.backup``), safe while
the dashboard and imports keep writing; it is written to ``<name>.partial`` (owner-only, 0600), checked with
``PRAGMA integrity_check`` and only then renamed, so a backup file is complete or absent — a full disk leaves no
partial file behind.

A restore never works on the live store until the backup has proved itself: the file is copied
(opened read-only) to a private work copy next to the store; the copy must pass the integrity check, be one of our
stores (our tables, with our columns and keys, no triggers or views) of this schema version or older; the copy is
migrated to this version; only then is the current store kept under data/backups/pre-restore-<time>.db and the
copy written into the live store in one step with the backup API, so open connections see either the old store or
the restored one, never a mix. Any refusal leaves the live store byte for byte as it was.

A PostgreSQL store is backed up with ``pg_dump -Fc`` (a consistent snapshot while others write) of the
server's version or newer, found next to the server's binaries or on PATH (when missing, the refusal says exactly
what to install). A restore first loads the dump into a scratch database on the same server and checks it there
exactly as a SQLite backup is checked (our tables, columns and keys, a schema version no newer than ours, no
triggers or views); the scratch database is migrated, the current store kept as a dump, and only then is the checked
dump written over the live store with ``pg_restore --clean --if-exists --single-transaction``: all of it or none.
"""

from __future__ import annotations

import glob
import logging
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
from datetime import datetime
from pathlib import Path

from metrics import i18n, store
from metrics.store.engine import RESTORE_LOCK, SCRATCH_PREFIX


class BackupError(i18n.Refusal):
    """A backup or restore that was refused; nothing was changed. ``key`` is an i18n key, ``fmt`` its fields."""

    def __str__(self) -> str:
        return self.message()


log = logging.getLogger("metrics.ops.backup")

BACKUP_DIR_ENV = "INTEGRITY_BACKUP_DIR"


def backup_dir(db_path=None) -> Path:
    """Where backups go by default: $INTEGRITY_BACKUP_DIR, else data/backups/ next to the store (a PostgreSQL
    store: the project's data/backups/)."""
    if os.environ.get(BACKUP_DIR_ENV):
        return Path(os.environ[BACKUP_DIR_ENV])
    where = store.db_path(db_path)
    if store.is_server(where):
        return store.DEFAULT_DB.parent / "backups"
    return where.resolve().parent / "backups"


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S-%f")


_SIDE_FILES = ("-journal", "-wal", "-shm")  # what SQLite keeps next to a database file while it is open


def _remove(path: Path) -> None:
    """A file and every file SQLite made beside it (a copy that failed half-way leaves its -journal)."""
    for p in (path, *(path.with_name(path.name + s) for s in _SIDE_FILES)):
        try:
            p.unlink(missing_ok=True)
        except OSError:
            pass


def _write_error(e: BaseException, path: Path) -> BackupError:
    """A clear message for a write that failed: a full disk, a read-only place, or another error."""
    key = store.problem_key(e)
    if key == "store.err.disk_full":
        return BackupError("backup.err.disk_full", path=path)
    if key == "store.err.read_only":
        return BackupError("backup.err.read_only", path=path)
    return BackupError("backup.err.write", path=path, detail=str(e))


def backup(out: str | os.PathLike | None = None, db_path=None, actor: str | None = None) -> Path:
    """Write a consistent copy of the store to ``out`` (default data/backups/integrity-<time>.db); returns it."""
    src = store.db_path(db_path)
    if store.is_server(src):
        return _pg_backup(src, out, actor)
    if not src.exists():
        raise BackupError("backup.err.store_missing", path=src)
    with store.opened(src):  # schema ensured, so even an empty store backs up as a valid store
        pass
    dst = Path(out) if out else backup_dir(src) / f"integrity-{_stamp()}.db"
    if dst.resolve() == src.resolve():
        raise BackupError("backup.err.same_file")
    tmp = dst.with_name(dst.name + ".partial")
    try:
        if not dst.parent.is_dir():
            dst.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # data/backups/: owner-only too
        _remove(tmp)
        store.copy_store(src, tmp)
        problems = store.integrity_problems(tmp)
        if problems:
            raise BackupError("backup.err.integrity", detail="; ".join(problems[:5]))
        os.chmod(tmp, 0o600)
        os.replace(tmp, dst)  # a backup file is either complete or absent
        # the read-only integrity check of the WAL-mode copy left an empty -wal and its -shm under the old name: the
        # pages are all in the file (the backup API wrote them there), so these are only litter
        _remove(tmp)
    except BackupError:
        _remove(tmp)
        raise
    except (OSError, sqlite3.Error) as e:
        _remove(tmp)
        raise _write_error(e, dst) from e
    try:
        with store.opened(src) as db, db.atomic():
            store.audit_log(db, actor, "backup", str(dst), detail={"bytes": dst.stat().st_size})
    except sqlite3.OperationalError as e:  # a read-only store can still be backed up; the audit record waits
        if store.problem_key(e) != "store.err.read_only":
            raise
    return dst


def download_name(day, db_path=None) -> tuple[str, str]:
    """(file name, MIME type) of the admins' backup download of ``day``: a SQLite file, or a pg_dump archive."""
    if store.is_server(store.db_path(db_path)):
        return f"integrity-backup-{day.isoformat()}.dump", "application/octet-stream"
    return f"integrity-backup-{day.isoformat()}.db", "application/vnd.sqlite3"


def backup_bytes(db_path=None, actor: str | None = None) -> bytes:
    """A consistent copy of the store as bytes (for the admins' download)."""
    with tempfile.TemporaryDirectory() as d:
        path = backup(Path(d) / "backup.db", db_path=db_path, actor=actor)
        return path.read_bytes()


def _keep_raw(dst: Path) -> Path:
    """A byte copy of a damaged store and its -wal (owner-only) under data/backups/, for whoever wants to dig."""
    folder = backup_dir(dst)
    if not folder.is_dir():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    kept = folder / f"pre-restore-{_stamp()}.damaged.db"
    for side in ("", "-wal"):
        src = dst.with_name(dst.name + side)
        if src.exists():
            target = kept.with_name(kept.name + side)
            store.create_private(target)
            shutil.copyfile(src, target)
    return kept


def _checked_copy(source: Path, work: Path) -> None:
    """Copy ``source`` (opened read-only) to ``work`` and prove it is a store we may restore; BackupError if not."""
    try:
        store.copy_store(source, work, read_only_source=True)
    except sqlite3.DatabaseError as e:
        if store.problem_key(e) in ("store.err.disk_full", "store.err.read_only"):  # writing the copy failed
            raise
        raise BackupError("backup.err.not_sqlite", detail=str(e)) from e
    problems = store.integrity_problems(work)
    if problems:
        raise BackupError("backup.err.integrity", detail="; ".join(problems[:5]))
    try:
        problems = store.restore_problems(work)
    except sqlite3.DatabaseError as e:
        raise BackupError("backup.err.not_sqlite", detail=str(e)) from e
    if problems:
        key, fmt = problems[0]
        raise BackupError(key, **fmt)


def restore(source: str | os.PathLike, db_path=None, actor: str | None = None) -> Path | None:
    """Replace the store's contents with the backup ``source``; returns the copy kept of the store before.

    Refuses (BackupError, the live store untouched) a file that is missing, not SQLite, damaged, not one of our
    stores, or written by a newer version. An older store is migrated on the work copy before it is swapped in.
    """
    source = Path(source)
    if not source.is_file():
        raise BackupError("backup.err.not_found", path=source)
    dst = store.db_path(db_path)
    if store.is_server(dst):
        return _pg_restore(source, dst, actor)
    if dst.exists() and source.resolve() == dst.resolve():
        raise BackupError("backup.err.same_file")
    dst.parent.mkdir(parents=True, exist_ok=True)
    work = dst.resolve().parent / f".restore-{_stamp()}.db"
    try:
        _checked_copy(source, work)
        with store.opened(work):  # migrates an older store to this version, on the copy
            pass
        if store.restore_problems(work):  # the migration must have made it whole
            raise BackupError("backup.err.not_ours", detail=str(store.restore_problems(work)[0][1]))
        kept, version, damaged = None, 0, False
        if dst.exists() and dst.stat().st_size > 0:
            damaged = bool(store.integrity_problems(dst))
        if damaged:  # the usual reason to restore: keep the damaged files as they are, then replace them
            kept = _keep_raw(dst)
            version = max(store.readable_data_version(dst), int(time.time()))
        elif dst.exists():
            with store.opened(dst) as db:
                version = store.data_version(db)
            kept = backup(backup_dir(dst) / f"pre-restore-{_stamp()}.db", db_path=dst, actor=actor)
            if store.page_size(work) != store.page_size(dst):
                store.set_page_size(work, store.page_size(dst))
        with store.opened(work) as db, db.atomic():
            store.audit_log(
                db,
                actor,
                "restore",
                str(source),
                detail={"previous_store_kept_as": str(kept) if kept else None, "previous_store_damaged": damaged},
            )
            # past both stores' versions, so no page cache keyed on a version can show pre-restore data
            store.set_meta(db, "data_version", str(max(version, store.data_version(db)) + 1))
        if damaged:
            for side in ("-wal", "-shm"):  # the damaged store's own; kept above
                dst.with_name(dst.name + side).unlink(missing_ok=True)
            os.replace(work, dst)  # same folder: one atomic rename
            return kept
        try:
            store.copy_store(work, dst)  # one transaction on the live store: all of it or none
        except (OSError, sqlite3.Error) as e:
            raise _write_error(e, dst) from e
        with store.opened(dst) as db, db.atomic():  # a commit between our read and the swap: move past it too
            store.bump_data_version(db)
        return kept
    except (OSError, sqlite3.OperationalError) as e:  # the work copy lives next to the store: name the store
        raise _write_error(e, dst) from e
    finally:
        _remove(work)


# --- PostgreSQL (PRODUCT §9) ------------------------------------------------------------------------------------

# Where Debian puts each server version's programs; PATH is searched after it.
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"


def pg_tool(name: str, version: int) -> str:
    """The ``pg_dump``/``pg_restore`` for a server of major ``version``: that version's own, else a newer one
    (they read and write older servers), from PG_BIN_GLOB or PATH. BackupError saying what to install if none."""
    found = []
    for d in glob.glob(PG_BIN_GLOB):
        m = re.search(r"/(\d+)/bin$", d)
        if m and int(m.group(1)) >= version and os.access(os.path.join(d, name), os.X_OK):
            found.append((int(m.group(1)), os.path.join(d, name)))
    if found:
        return min(found)[1]
    on_path = shutil.which(name)
    if on_path:
        try:
            out = subprocess.run([on_path, "--version"], capture_output=True, text=True, timeout=30).stdout
            m = re.search(r"(\d+)(?:\.\d+)?", out)
            if m and int(m.group(1)) >= version:
                return on_path
        except OSError:
            pass
    raise BackupError("backup.err.pg_tool_missing", tool=name, version=version)


def _libpq(url: str) -> tuple[str, dict]:
    """(the URL for libpq without its password, the environment that carries the password): a password never
    appears on a command line, where every local user could read it."""
    conn, password = store.libpq_target(url)
    env = dict(os.environ)
    if password:
        env["PGPASSWORD"] = password
    return conn, env


def _run(args: list[str], url: str) -> subprocess.CompletedProcess:
    """A pg_dump (``args``) of the store at ``url``."""
    conn, env = _libpq(url)
    return subprocess.run(
        [*args, "--dbname", conn], capture_output=True, text=True, env=env, timeout=3600, stdin=subprocess.DEVNULL
    )


def _tool_failed(r: subprocess.CompletedProcess, path: Path) -> BackupError:
    text = r.stderr.strip()
    if r.returncode == -signal.SIGXFSZ:  # killed at the file size limit
        return BackupError("backup.err.disk_full", path=path)
    if "No space left" in text or "File too large" in text or "Disk quota" in text:
        return BackupError("backup.err.disk_full", path=path)
    if "Read-only file system" in text or "Permission denied" in text:
        return BackupError("backup.err.read_only", path=path)
    return BackupError("backup.err.write", path=path, detail=store.hide_passwords(text[-300:]))


def _dump_tables(pg_restore: str, dump: Path) -> set[str] | None:
    """The tables whose data a custom-format dump holds, or None when it is not one."""
    r = subprocess.run([pg_restore, "-l", str(dump)], capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        return None
    return {m.group(1) for m in re.finditer(r"TABLE DATA \S+ (\S+) ", r.stdout)}


def _pg_backup(url: str, out, actor: str | None) -> Path:
    with store.opened(url) as db:  # schema ensured, so even an empty store backs up as a valid store
        version = store.pg_server_version(db)
    dst = Path(out) if out else backup_dir(url) / f"integrity-{_stamp()}.dump"
    pg_dump, pg_restore = pg_tool("pg_dump", version), pg_tool("pg_restore", version)
    tmp = dst.with_name(dst.name + ".partial")
    try:
        if not dst.parent.is_dir():
            dst.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _remove(tmp)
        store.create_private(tmp)
        r = _run([pg_dump, "-Fc", "--no-owner", "--no-acl", "--file", str(tmp)], url)
        if r.returncode != 0:
            raise _tool_failed(r, dst)
        tables = _dump_tables(pg_restore, tmp)
        missing = sorted(set(store.RESTORE_REQUIRED_TABLES) - (tables or set()))
        if missing:
            raise BackupError("backup.err.integrity", detail="missing " + ", ".join(missing))
        os.chmod(tmp, 0o600)
        os.replace(tmp, dst)
    except BackupError:
        _remove(tmp)
        raise
    except OSError as e:
        _remove(tmp)
        raise _write_error(e, dst) from e
    try:
        with store.opened(url) as db, db.atomic():
            store.audit_log(db, actor, "backup", str(dst), detail={"bytes": dst.stat().st_size})
    except store.ERRORS as e:  # a read-only server (a standby) can still be backed up; the audit record waits
        if store.problem_key(e) != "store.err.read_only":
            raise
    return dst


def _pg_restore(source: Path, url: str, actor: str | None) -> Path:
    """Check the dump on a scratch database, keep the current store, then write it over the live one at once."""

    from metrics.store.engine import PgDb

    with store.opened(url) as db:
        version = store.pg_server_version(db)
        live_version = store.data_version(db)
    pg_restore, pg_dump = pg_tool("pg_restore", version), pg_tool("pg_dump", version)
    if _dump_tables(pg_restore, source) is None:
        raise BackupError("backup.err.not_dump", detail=source.name)
    # Held on the live store until the end (a SIGKILL releases it with the connection): while it is held no start
    # of the app or the CLI takes this restore's scratch database for one a killed restore left.
    guard = PgDb(url)
    guard.execute("SELECT pg_advisory_lock(?)", [RESTORE_LOCK])
    try:
        _drop_leftovers(guard)
        scratch = f"{SCRATCH_PREFIX}{store.pg_scratch_tag(guard)}_{_stamp().replace('-', '_')}"
        return _pg_restore_on(source, url, actor, scratch, version, live_version, pg_restore, pg_dump)
    finally:
        guard.execute("SELECT pg_advisory_unlock(?)", [RESTORE_LOCK])
        guard.close()


def _drop_leftovers(db) -> None:
    """What a killed restore left (complete copies of the store on the server): dropped now, and said in the log."""
    dropped = store.pg_sweep_scratch(db, held=True)
    if dropped:
        log.warning(i18n.t("backup.scratch_dropped", i18n.DEFAULT_LANG, n=len(dropped), names=", ".join(dropped)))


def _pg_restore_on(source, url, actor, scratch, version, live_version, pg_restore, pg_dump) -> Path:
    from sqlalchemy.engine import make_url

    from metrics.store.engine import PgDb

    scratch_url = make_url(url).set(database=scratch).render_as_string(hide_password=False)
    work_dir = Path(tempfile.mkdtemp(prefix="integrity-restore-"))
    work = work_dir / "checked.dump"
    with store.opened(url) as db:
        store.pg_create_database(db, scratch)
    try:
        r = subprocess.run(
            [
                pg_restore,
                "--no-owner",
                "--no-acl",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                _libpq(scratch_url)[0],
                str(source),
            ],
            capture_output=True,
            text=True,
            env=_libpq(scratch_url)[1],
            timeout=3600,
        )
        if r.returncode != 0:
            raise BackupError("backup.err.not_dump", detail=store.hide_passwords(r.stderr.strip()[-300:]))
        raw = PgDb(scratch_url)  # as restored: no schema ensured before the check
        try:
            problems = store.pg_restore_problems(raw)
        finally:
            raw.close()
        if problems:
            key, fmt = problems[0]
            raise BackupError(key, **fmt)
        kept = backup(backup_dir(url) / f"pre-restore-{_stamp()}.dump", db_path=url, actor=actor)
        with store.opened(scratch_url) as db, db.atomic():  # migrated to this version by the open
            store.ensure_sessions(db)  # so the live store's sessions are replaced too
            store.audit_log(db, actor, "restore", str(source), detail={"previous_store_kept_as": str(kept)})
            # past both stores' versions, so no page cache keyed on a version can show pre-restore data
            store.set_meta(db, "data_version", str(max(live_version, store.data_version(db)) + 1))
        store.dispose(scratch_url)
        r = _run([pg_dump, "-Fc", "--no-owner", "--no-acl", "--file", str(work)], scratch_url)
        if r.returncode != 0:
            raise _tool_failed(r, work)
        conn, env = _libpq(url)
        r = subprocess.run(
            [
                pg_restore,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-acl",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                conn,
                str(work),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=3600,
        )
        if r.returncode != 0:  # one transaction: the live store is as it was
            raise BackupError(
                "backup.err.write", path=store.masked(url), detail=store.hide_passwords(r.stderr.strip()[-300:])
            )
        with store.opened(url) as db, db.atomic():  # a commit between our read and the swap: move past it too
            store.bump_data_version(db)
        return kept
    finally:
        store.dispose(scratch_url)
        with store.opened(url) as db:
            store.pg_drop_database(db, scratch)
        shutil.rmtree(work_dir, ignore_errors=True)
