"""The store as a file (PRODUCT §9): integrity checks, private copies, online backup copy, and the
checks a backup passes before it may replace the live store.
"""

from __future__ import annotations

import os
import sqlite3
from functools import lru_cache
from pathlib import Path

from metrics.store.schema import _SCHEMA, _SESSIONS_DDL, HOSPITAL_TABLES, SCHEMA_VERSION, connect, create_private


# Backup and restore (PRODUCT §9): SQLite's online backup API gives a consistent copy while others write.
def integrity_problems(path: str | os.PathLike) -> list[str]:
    """PRAGMA integrity_check of a store file, opened read-only; [] when it is ok (or the file is not SQLite)."""
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=30)
        try:
            rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except (sqlite3.DatabaseError, MemoryError) as e:  # SQLite answers some mangled pages with SQLITE_NOMEM
        return [str(e) or type(e).__name__]
    if rows != ["ok"]:
        return rows
    missing = {"meta", "metric_values", "batches", "users", "audit"} - tables
    return [f"missing table {t}" for t in sorted(missing)]


def copy_store(src: str | os.PathLike, dst: str | os.PathLike, read_only_source: bool = False) -> None:
    """Copy the store ``src`` into ``dst`` page by page with the backup API (dst is overwritten in one step: a
    failure half-way leaves dst as it was). ``read_only_source`` opens ``src`` read-only (a file handed to restore)."""
    create_private(dst)
    if read_only_source:  # immutable unless a -wal file lies next to it: then SQLite must read that too
        src = Path(src).resolve()
        flags = "?mode=ro" if src.with_name(src.name + "-wal").exists() else "?mode=ro&immutable=1"
        s = sqlite3.connect(src.as_uri() + flags, uri=True, timeout=30)
    else:  # one of our stores: opened as every caller opens it (read-only when it lies on a read-only place)
        s = connect(src).conn
    d = sqlite3.connect(str(dst), timeout=30)
    try:
        d.execute("PRAGMA busy_timeout = 30000")
        s.backup(d)
    finally:
        d.close()
        s.close()


# Restore checks: a backup must be one of our stores, of this version or older, before it may replace
# the live one. Tables every version of the store has had; later tables are created by the migration.
RESTORE_REQUIRED_TABLES = (
    "meta",
    "departments",
    "metric_values",
    "events",
    "award_changes",
    "targets",
    "metric_catalogue",
    "indicator_catalogue",
    "batches",
    "batch_changes",
    "batch_rejects",
    "users",
    "audit",
)
# (table, column) added by a migration → the schema version that added it; an older store may lack it.
MIGRATED_COLUMNS = {
    ("batch_rejects", "row_json"): 2,
    ("events", "person"): 9,
    ("events", "post"): 9,
    **{(t, "hospital_code"): 6 for t in (*HOSPITAL_TABLES, "batches", "audit")},
}


@lru_cache(maxsize=1)
def expected_schema() -> dict[str, dict[str, tuple[int, int]]]:
    """Every table of this version of the store → {column: (not null, primary-key position)}."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(_SCHEMA + ";" + _SESSIONS_DDL)
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {
            t: {r[1]: (r[3], r[5]) for r in conn.execute(f"PRAGMA table_info({t})")}
            for t in tables
            if not t.startswith("sqlite_")
        }
    finally:
        conn.close()


def _schema_problems(version, have_all: dict[str, dict[str, tuple[int, int, bool]]]) -> list[tuple[str, dict]]:
    """The schema checks of ``restore_problems`` and ``pg_restore_problems``: ``version`` is the store's
    ``meta.schema_version`` value (None when absent); ``have_all`` maps each table of the store →
    {column: (not null, primary-key position, has a default)}."""
    try:
        found = int(version) if version is not None else None
    except (TypeError, ValueError):
        found = None
    if found is None or found < 1:
        return [("backup.err.no_version", {})]
    if found > SCHEMA_VERSION:
        return [("backup.err.newer", {"found": found, "ours": SCHEMA_VERSION})]
    problems = []
    for table, want in expected_schema().items():
        if table not in have_all:
            continue
        have = have_all[table]
        lacking = [c for c in want if c not in have and MIGRATED_COLUMNS.get((table, c), 0) <= found]
        if found < 6 and "hospital_code" not in have and table in HOSPITAL_TABLES:  # v6 put it first in the key
            want = {c: (nn, pk - 1 if pk else 0) for c, (nn, pk) in want.items() if c != "hospital_code"}
        wrong_key = [c for c, (_, pk) in want.items() if c in have and have[c][1] != pk]
        unfillable = [c for c, (nn, pk, dflt) in have.items() if c not in want and nn and not dflt and not pk]
        if lacking or wrong_key or unfillable:
            problems.append(
                ("backup.err.columns", {"table": table, "detail": ", ".join(lacking + wrong_key + unfillable)})
            )
    return problems


def restore_problems(path: str | os.PathLike) -> list[tuple[str, dict]]:
    """Why the store file ``path`` may not replace ours, as (i18n key, fields) pairs; [] when it may.

    Checked: our core tables exist; ``meta.schema_version`` is a number no newer than SCHEMA_VERSION; every table
    of ours that the file has holds our columns with the same primary key (columns a later migration adds may be
    missing from an older store) and no extra column that an insert of ours could not fill; no triggers or views.
    """
    conn = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True, timeout=30)
    try:
        objects = conn.execute("SELECT type, name FROM sqlite_master").fetchall()
        tables = {n for t, n in objects if t == "table"}
        missing = [t for t in RESTORE_REQUIRED_TABLES if t not in tables]
        if missing:
            return [("backup.err.not_ours", {"detail": ", ".join(missing)})]
        extra = sorted(n for t, n in objects if t in ("trigger", "view"))
        if extra:
            return [("backup.err.triggers", {"names": ", ".join(extra)})]
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.DatabaseError:
            row = None
        have_all = {
            table: {r[1]: (r[3], r[5], r[4] is not None) for r in conn.execute(f"PRAGMA table_info({table})")}
            for table in expected_schema()
            if table in tables
        }
        return _schema_problems(row[0] if row else None, have_all)
    finally:
        conn.close()


def page_size(path: str | os.PathLike) -> int:
    conn = sqlite3.connect(str(path), timeout=30)
    try:
        return conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()


def set_page_size(path: str | os.PathLike, size: int) -> None:
    """Rewrite a private copy with another page size (the backup API cannot copy into a WAL store across sizes)."""
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute(f"PRAGMA page_size = {int(size)}")
        conn.execute("VACUUM")
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()


def readable_data_version(path: str | os.PathLike) -> int:
    """The data version a (possibly damaged) store file still shows, read without writing to it, or 0."""
    try:
        conn = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True, timeout=5)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
            return int(row[0]) if row else 0
        finally:
            conn.close()
    except (sqlite3.Error, TypeError, ValueError):
        return 0


# --- PostgreSQL (PRODUCT §9): the restore check on a scratch database, and the scratch database itself -----------


def _pg_columns(db) -> dict[str, dict[str, tuple[int, int, bool]]]:
    """Every table of the open PostgreSQL store → {column: (not null, primary-key position, has a default)}."""
    cols: dict[str, dict[str, tuple[int, int, bool]]] = {}
    for table, col, nullable, default, identity in db.execute(
        "SELECT table_name, column_name, is_nullable, column_default, is_identity FROM information_schema.columns"
        " WHERE table_schema = current_schema()"
    ).fetchall():
        has_default = default is not None or identity == "YES"
        cols.setdefault(table, {})[col] = (int(nullable == "NO"), 0, has_default)
    for table, col, pos in db.execute(
        "SELECT k.table_name, k.column_name, k.ordinal_position FROM information_schema.table_constraints c"
        " JOIN information_schema.key_column_usage k ON k.constraint_name = c.constraint_name"
        " AND k.table_schema = c.table_schema AND k.table_name = c.table_name"
        " WHERE c.constraint_type = 'PRIMARY KEY' AND c.table_schema = current_schema()"
    ).fetchall():
        nn, _, dflt = cols[table][col]
        cols[table][col] = (nn, int(pos), dflt)
    return cols


def pg_restore_problems(db) -> list[tuple[str, dict]]:
    """``restore_problems`` for a dump restored into a scratch PostgreSQL database (open as ``db``): the same
    checks — our core tables, a schema version no newer than ours, our columns and keys, no triggers or views."""
    have_all = _pg_columns(db)
    missing = [t for t in RESTORE_REQUIRED_TABLES if t not in have_all]
    if missing:
        return [("backup.err.not_ours", {"detail": ", ".join(missing)})]
    extra = [
        r[0]
        for r in db.execute("SELECT table_name FROM information_schema.views WHERE table_schema = current_schema()")
    ]
    extra += [
        r[0]
        for r in db.execute(
            "SELECT DISTINCT trigger_name FROM information_schema.triggers WHERE trigger_schema = current_schema()"
        )
    ]
    if extra:
        return [("backup.err.triggers", {"names": ", ".join(sorted(extra))})]
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return _schema_problems(row[0] if row else None, have_all)


def pg_server_version(db) -> int:
    """The server's major version (15 for 15.8): the pg_dump/pg_restore a backup needs is this one or newer."""
    return int(db.execute("SHOW server_version_num").fetchone()[0]) // 10000


def pg_create_database(db, name: str) -> None:
    """CREATE DATABASE ``name`` (a name we made: letters, digits, underscores) on the server of the open store."""
    if not name.replace("_", "").isalnum():
        raise ValueError(name)
    db.execute(f'CREATE DATABASE "{name}"')
