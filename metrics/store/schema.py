"""The store file: where it is, how a connection opens it (fresh per call, WAL, 0600), its schema and
migrations, the shipped catalogues, and the meta values (schema version, data version).
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from metrics import contract, i18n
from metrics.store import engine
from metrics.store.tx import begin_immediate, immediate

DEFAULT_DB = Path(__file__).resolve().parents[2] / "data" / "integrity.db"
DB_ENV = "INTEGRITY_DB"


def db_path(path: str | os.PathLike | None = None) -> Path | str:
    """The store: the argument, else $INTEGRITY_DB, else data/integrity.db. A file path or ``sqlite:///path`` gives
    the file (a Path); a ``postgresql://`` URL is given back as it is (a str; ``engine.masked`` for messages)."""
    target = path or os.environ.get(DB_ENV) or DEFAULT_DB
    if engine.is_server(target):
        return str(target)
    return engine.sqlite_file(target)


def connect(path: str | os.PathLike | None = None) -> sqlite_utils.Database:
    """A fresh connection (never cache one: it would cross threads), schema ensured, WAL on.

    The store is owner-only (0600; SQLite gives its -wal and -shm files the same mode): a new one is created so and
    an existing one with group or other bits is tightened. A store on a read-only file system or
    without write permission is opened read-only, so pages and ``users list`` still read it; a write then fails
    with SQLite's "readonly" error, which ``problem_key`` names.
    """
    p = db_path(path)
    if isinstance(p, str):  # a PostgreSQL server: a pooled connection, schema ensured
        db = engine.PgDb(p)
        try:
            ensure_schema(db)
            if p not in _SWEPT:  # once a process: the app's or the CLI's start on this store
                _SWEPT.add(p)
                _sweep_scratch(db)
        except BaseException:
            db.close()
            raise
        return db
    if not p.parent.is_dir():
        p.parent.mkdir(parents=True, exist_ok=True)
    if p.exists():
        _tighten(p)
    else:
        try:
            create_private(p)
        except OSError:
            pass  # a read-only place: SQLite's own open says what is wrong
    try:
        conn = sqlite3.connect(str(p), timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("PRAGMA foreign_keys = ON")
        db = Database(conn)
        _ensure_wal(db)
        ensure_schema(db)
        return db
    except sqlite3.OperationalError as e:
        if getattr(e, "sqlite_errorname", "").split("_")[:2] not in (["SQLITE", "CANTOPEN"], ["SQLITE", "READONLY"]):
            raise
        ro = _connect_read_only(p)
        if ro is None:
            raise
        return ro


class Database(sqlite_utils.Database):
    """sqlite_utils' Database whose ``atomic()`` takes the write lock at its start (BEGIN IMMEDIATE). A deferred
    transaction that reads, then writes (an export or the points list read the rows and write their audit record
    in one transaction) cannot wait for the lock: when another process committed since its read, SQLite answers
    "database is locked" at once, busy timeout or not. Taking the lock first makes every writer wait its turn."""

    @contextmanager
    def atomic(self) -> Iterator[Database]:
        if self.conn.in_transaction:  # nested: a savepoint inside the transaction that holds the lock
            with super().atomic():
                yield self
            return
        with engine.all_or_nothing(self, lambda: begin_immediate(self.conn), lambda: self.conn.execute("COMMIT")):
            yield self


_SWEPT: set[str] = set()


def _sweep_scratch(db) -> None:
    """Drop what a killed restore left on the server (full copies of the store) and say so in the log."""
    dropped = engine.pg_sweep_scratch(db)
    if dropped:
        logging.getLogger("metrics.store").warning(
            i18n.t("backup.scratch_dropped", i18n.DEFAULT_LANG, n=len(dropped), names=", ".join(dropped))
        )


def create_private(path: str | os.PathLike) -> None:
    """Create an empty file readable and writable by its owner only (0600), if it does not exist yet; SQLite gives
    the -wal and -shm files the database file's permissions."""
    try:
        os.close(os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def _tighten(p: Path) -> None:
    """Make an existing store and its -wal/-shm owner-only when they are not (best effort: ours, writable)."""
    for f in (p, p.with_name(p.name + "-wal"), p.with_name(p.name + "-shm")):
        try:
            st = f.stat()
            if st.st_mode & 0o077 and st.st_uid == os.geteuid():
                os.chmod(f, 0o600)
        except OSError:
            pass


def _connect_read_only(p: Path) -> sqlite_utils.Database | None:
    """The store opened read-only (``mode=ro``; ``immutable`` when SQLite cannot make the WAL index because the
    place is read-only: nobody can change the file there), or None when even that fails."""
    for flags in ("?mode=ro", "?mode=ro&immutable=1"):
        try:
            conn = sqlite3.connect(
                p.resolve().as_uri() + flags, uri=True, timeout=30, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA busy_timeout = 30000")
            conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            return Database(conn)
        except sqlite3.Error:
            continue
    return None


def problem_key(exc: BaseException) -> str:
    """The i18n key that explains a store failure to a user: store.err.corrupt | read_only | disk_full | busy |
    unavailable. The exception's own text (paths, SQL) belongs in the server log only."""
    import errno

    if isinstance(getattr(exc, "orig", None), BaseException):  # SQLAlchemy's wrapper: the driver's error
        exc = exc.orig
    if isinstance(exc, engine.psycopg.Error):
        return _pg_problem_key(exc)
    text = str(exc).lower()
    name = getattr(exc, "sqlite_errorname", "") or ""
    if isinstance(exc, OSError) and not isinstance(exc, sqlite3.Error):
        if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
            return "store.err.disk_full"
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return "store.err.read_only"
        return "store.err.unavailable"
    if name == "SQLITE_FULL" or "disk is full" in text or name == "SQLITE_IOERR_WRITE":
        return "store.err.disk_full"
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return "store.err.read_only"
    if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or name.startswith("SQLITE_CORRUPT"):
        return "store.err.corrupt"
    if "malformed" in text or "not a database" in text or "no such table" in text or "no such column" in text:
        return "store.err.corrupt"
    if name.startswith("SQLITE_BUSY") or "locked" in text:
        return "store.err.busy"
    return "store.err.unavailable"


def _pg_problem_key(exc) -> str:
    """problem_key for a PostgreSQL error, by its SQLSTATE (a refused or lost connection has none)."""
    state = getattr(exc, "sqlstate", None) or ""
    if state == "53100":  # disk_full
        return "store.err.disk_full"
    if state in ("25006", "42501"):  # read_only_sql_transaction, insufficient_privilege
        return "store.err.read_only"
    if state in ("40001", "40P01", "55P03", "57014"):  # serialization, deadlock, lock not available, cancelled
        return "store.err.busy"
    if state.startswith("XX") or state in ("42P01", "42703"):  # data corrupted, no such table or column
        return "store.err.corrupt"
    return "store.err.unavailable"


def _ensure_wal(db: sqlite_utils.Database) -> None:
    """Switch a new store to WAL. Two processes opening a brand-new file at once can both try; SQLite answers
    one of them "database is locked" at once (the busy timeout does not apply to this lock upgrade), so retry
    (found by tests/test_fault_concurrent.py)."""
    for attempt in range(100):
        try:
            if db.journal_mode != "wal":
                db.enable_wal()
            return
        except sqlite3.OperationalError as e:
            if attempt == 99 or "locked" not in str(e):  # a read-only or missing store will not come right
                raise
            time.sleep(0.05)


@contextmanager
def opened(path: str | os.PathLike | None = None) -> Iterator[sqlite_utils.Database]:
    db = connect(path)
    try:
        yield db
    finally:
        db.conn.close()


# What a failing store raises, on either dialect (callers outside the store catch these).
ERRORS: tuple[type[BaseException], ...] = (sqlite3.DatabaseError, engine.psycopg.Error)


# ---------------------------------------------------------------------------------------------
# Schema
# ---------------------------------------------------------------------------------------------

# 2: batch_rejects.row_json (the rejected row as written, for the error report)
# 3: calendar_days (the office's holiday schedule, PRODUCT §4.1)
# 4: signin_attempts and audit_budget (a lockout per account and client, anonymous audit rows bounded)
# 5: tasks, notices, staff (programme work, PRODUCT §8)
# 6: hospitals as a dimension (PRODUCT §9): hospital_code first in every hospital-scoped table's key,
#    on batches and audit rows; the hospitals list and user_hospitals grants
# 7: contacts (a kind) and reminder_sends (what was sent to whom, PRODUCT §11)
# 8: activities (PRODUCT §10)
# 8: brand_projects, brand_notes (PRODUCT §10 brands)
# 8: risks (PRODUCT §10)
# 8: talks (PRODUCT §10)
# 9: award_units, unit_award_changes (PRODUCT §10 award units: people and posts); events.person and events.post
# 10: applications (PRODUCT §10 申报表)
SCHEMA_VERSION = 10

# The hospital-scoped data tables (PRODUCT §9): every row carries its hospital, first in the natural key; a
# one-hospital store keeps all its rows under ''. Version 6 rebuilds a v5 table into this shape (_migrate).
HOSPITAL_TABLES: dict[str, str] = {
    "departments": """CREATE TABLE IF NOT EXISTS departments (
    hospital_code TEXT NOT NULL DEFAULT '', dept_code TEXT NOT NULL, dept_name TEXT NOT NULL, category TEXT,
    party_branch TEXT, staff_count INTEGER, party_members INTEGER, active INTEGER NOT NULL DEFAULT 1,
    is_demo INTEGER DEFAULT 0, PRIMARY KEY (hospital_code, dept_code))""",
    "metric_values": """CREATE TABLE IF NOT EXISTS metric_values (
    hospital_code TEXT NOT NULL DEFAULT '', dept_code TEXT NOT NULL, month TEXT NOT NULL, metric TEXT NOT NULL,
    value REAL NOT NULL, PRIMARY KEY (hospital_code, dept_code, month, metric))""",
    "events": """CREATE TABLE IF NOT EXISTS events (
    hospital_code TEXT NOT NULL DEFAULT '', event_id TEXT NOT NULL, event_date TEXT NOT NULL, dept_code TEXT NOT NULL,
    kind TEXT NOT NULL, indicator TEXT NOT NULL, description TEXT, evidence TEXT, office TEXT,
    status TEXT NOT NULL DEFAULT 'confirmed', person TEXT, post TEXT, PRIMARY KEY (hospital_code, event_id))""",
    "award_changes": """CREATE TABLE IF NOT EXISTS award_changes (
    hospital_code TEXT NOT NULL DEFAULT '', dept_code TEXT NOT NULL, year INTEGER NOT NULL, status TEXT NOT NULL,
    changed_on TEXT NOT NULL, rectify_until TEXT, note TEXT,
    PRIMARY KEY (hospital_code, dept_code, year, status, changed_on))""",
    "targets": """CREATE TABLE IF NOT EXISTS targets (
    hospital_code TEXT NOT NULL DEFAULT '', metric TEXT NOT NULL, dept_code TEXT NOT NULL DEFAULT '',
    effective_from TEXT NOT NULL, target REAL NOT NULL, direction TEXT NOT NULL,
    PRIMARY KEY (hospital_code, metric, dept_code, effective_from))""",
    "tasks": """CREATE TABLE IF NOT EXISTS tasks (
    hospital_code TEXT NOT NULL DEFAULT '', task_code TEXT NOT NULL, title TEXT NOT NULL, category TEXT,
    lead_dept TEXT NOT NULL, responsible TEXT, due_on TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'not_started',
    progress TEXT, updated_on TEXT, metric TEXT, PRIMARY KEY (hospital_code, task_code))""",
    "notices": """CREATE TABLE IF NOT EXISTS notices (
    hospital_code TEXT NOT NULL DEFAULT '', notice_no TEXT NOT NULL,
    notice_type TEXT NOT NULL DEFAULT 'rectification', dept_code TEXT NOT NULL, issued_on TEXT NOT NULL,
    due_on TEXT NOT NULL, issue TEXT, event_id TEXT, status TEXT NOT NULL DEFAULT 'rectifying', closed_on TEXT,
    PRIMARY KEY (hospital_code, notice_no))""",
    "staff": """CREATE TABLE IF NOT EXISTS staff (
    hospital_code TEXT NOT NULL DEFAULT '', staff_id TEXT NOT NULL, name TEXT NOT NULL, dept_code TEXT NOT NULL,
    in_dept_since TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1, PRIMARY KEY (hospital_code, staff_id))""",
    "contacts": """CREATE TABLE IF NOT EXISTS contacts (
    hospital_code TEXT NOT NULL DEFAULT '', contact_type TEXT NOT NULL, dept_code TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL, email TEXT, webhook TEXT, PRIMARY KEY (hospital_code, contact_type, dept_code, name))""",
    # 8: activities (PRODUCT §10): departments lists codes joined by programme.RESPONSIBLE_JOIN, like tasks
    "activities": """CREATE TABLE IF NOT EXISTS activities (
    hospital_code TEXT NOT NULL DEFAULT '', activity_no TEXT NOT NULL, brand TEXT NOT NULL, held_on TEXT NOT NULL,
    departments TEXT, title TEXT, participants INTEGER, notice_no TEXT, PRIMARY KEY (hospital_code, activity_no))""",
    # 8: brand_projects, brand_notes (PRODUCT §10): a hospital's 一院一品 project a year, its notes and checks
    "brand_projects": """CREATE TABLE IF NOT EXISTS brand_projects (
    hospital_code TEXT NOT NULL DEFAULT '', year INTEGER NOT NULL, project_code TEXT NOT NULL,
    category TEXT NOT NULL, title TEXT NOT NULL, plan TEXT, phase TEXT, highlight INTEGER,
    PRIMARY KEY (hospital_code, year))""",
    "brand_notes": """CREATE TABLE IF NOT EXISTS brand_notes (
    hospital_code TEXT NOT NULL DEFAULT '', year INTEGER NOT NULL, noted_on TEXT NOT NULL,
    entry_type TEXT NOT NULL, note TEXT NOT NULL, result TEXT, PRIMARY KEY (hospital_code, year, noted_on, entry_type))""",
    # 8: risks (PRODUCT §10): the 廉洁风险点清单; unit is a department code, a post or a procurement stage
    "risks": """CREATE TABLE IF NOT EXISTS risks (
    hospital_code TEXT NOT NULL DEFAULT '', risk_code TEXT NOT NULL, unit TEXT NOT NULL, stage TEXT,
    risk TEXT NOT NULL, level TEXT NOT NULL, controls TEXT, owner TEXT NOT NULL, review_due TEXT,
    status TEXT NOT NULL DEFAULT 'controlled', PRIMARY KEY (hospital_code, risk_code))""",
    # --- talks --- (PRODUCT §10; person is personal data)
    "talks": """CREATE TABLE IF NOT EXISTS talks (
    hospital_code TEXT NOT NULL DEFAULT '', talk_no TEXT NOT NULL, kind TEXT NOT NULL, dept_code TEXT NOT NULL,
    person TEXT, held_on TEXT NOT NULL, by TEXT, follow_up_due TEXT, closed_on TEXT,
    PRIMARY KEY (hospital_code, talk_no))""",
    # 9: award_units, unit_award_changes (PRODUCT §10): people (清廉医护; name is personal data) and posts
    # (清廉示范岗), and their §4.1 award changes like award_changes'
    "award_units": """CREATE TABLE IF NOT EXISTS award_units (
    hospital_code TEXT NOT NULL DEFAULT '', unit_code TEXT NOT NULL, unit_type TEXT NOT NULL, name TEXT NOT NULL,
    dept_code TEXT NOT NULL, source TEXT, PRIMARY KEY (hospital_code, unit_code))""",
    "unit_award_changes": """CREATE TABLE IF NOT EXISTS unit_award_changes (
    hospital_code TEXT NOT NULL DEFAULT '', unit_code TEXT NOT NULL, year INTEGER NOT NULL, status TEXT NOT NULL,
    changed_on TEXT NOT NULL, rectify_until TEXT, note TEXT,
    PRIMARY KEY (hospital_code, unit_code, year, status, changed_on))""",
    # 10: applications (PRODUCT §10): a department's 申报表 of a year; party_share computed from the two counts
    "applications": """CREATE TABLE IF NOT EXISTS applications (
    hospital_code TEXT NOT NULL DEFAULT '', year INTEGER NOT NULL, dept_code TEXT NOT NULL, applied_on TEXT NOT NULL,
    staff_count INTEGER NOT NULL, party_members INTEGER NOT NULL, party_share REAL, materials TEXT,
    branch_opinion TEXT, branch_on TEXT, group_opinion TEXT, group_on TEXT, committee_opinion TEXT, committee_on TEXT,
    PRIMARY KEY (hospital_code, year, dept_code))""",
}

_SCHEMA = (
    ";\n".join(HOSPITAL_TABLES.values())
    + """;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE INDEX IF NOT EXISTS idx_metric_values_month ON metric_values (hospital_code, month, metric);
CREATE INDEX IF NOT EXISTS idx_metric_values_metric ON metric_values (hospital_code, metric, dept_code, month);
CREATE INDEX IF NOT EXISTS idx_events_date ON events (hospital_code, event_date);
CREATE INDEX IF NOT EXISTS idx_events_dept ON events (hospital_code, dept_code, event_date);
CREATE INDEX IF NOT EXISTS idx_award_year ON award_changes (hospital_code, year, dept_code);
CREATE TABLE IF NOT EXISTS hospitals (
    hospital_code TEXT PRIMARY KEY, name_zh TEXT NOT NULL, name_en TEXT, sort INTEGER);
CREATE TABLE IF NOT EXISTS user_hospitals (
    username TEXT NOT NULL, hospital_code TEXT NOT NULL, PRIMARY KEY (username, hospital_code));
CREATE TABLE IF NOT EXISTS metric_catalogue (
    code TEXT PRIMARY KEY, name_zh TEXT NOT NULL, name_en TEXT NOT NULL, unit_zh TEXT, unit_en TEXT,
    lo REAL, hi REAL, integer INTEGER NOT NULL DEFAULT 0, direction TEXT NOT NULL, default_target REAL,
    scope TEXT NOT NULL DEFAULT 'dept', aggregate TEXT NOT NULL DEFAULT 'mean', aliases TEXT, sort INTEGER);
CREATE TABLE IF NOT EXISTS indicator_catalogue (
    code TEXT PRIMARY KEY, kind TEXT NOT NULL, name_zh TEXT NOT NULL, name_en TEXT NOT NULL,
    evidence TEXT, office TEXT, active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS batches (
    batch_id INTEGER PRIMARY KEY AUTOINCREMENT, file_name TEXT, sha256 TEXT, kind TEXT NOT NULL,
    "user" TEXT, created_at TEXT NOT NULL, encoding TEXT, rows_new INTEGER DEFAULT 0, rows_changed INTEGER DEFAULT 0,
    rows_unchanged INTEGER DEFAULT 0, rows_rejected INTEGER DEFAULT 0, rows_skipped INTEGER DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'committed', rolled_back_at TEXT, rolled_back_by TEXT,
    hospital_code TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS idx_batches_sha ON batches (sha256, status);
CREATE TABLE IF NOT EXISTS batch_changes (
    batch_id INTEGER NOT NULL REFERENCES batches(batch_id), seq INTEGER NOT NULL, tbl TEXT NOT NULL,
    key_json TEXT NOT NULL, old_json TEXT, new_json TEXT, PRIMARY KEY (batch_id, seq));
CREATE TABLE IF NOT EXISTS batch_rejects (
    batch_id INTEGER NOT NULL REFERENCES batches(batch_id), line INTEGER, col TEXT, value TEXT, message TEXT,
    row_json TEXT);
CREATE INDEX IF NOT EXISTS idx_batch_rejects ON batch_rejects (batch_id);
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL, created_at TEXT NOT NULL,
    failed_count INTEGER NOT NULL DEFAULT 0, locked_until TEXT, active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, "user" TEXT, action TEXT NOT NULL, target TEXT,
    detail TEXT, before TEXT, after TEXT, hospital_code TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS idx_audit_at ON audit (at);
CREATE TABLE IF NOT EXISTS calendar_days (date TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT);
CREATE TABLE IF NOT EXISTS signin_attempts (
    account TEXT NOT NULL, client TEXT NOT NULL, failures INTEGER NOT NULL DEFAULT 0, last_failure TEXT,
    locked_until TEXT, last_success TEXT, PRIMARY KEY (account, client));
CREATE TABLE IF NOT EXISTS audit_budget (
    scope TEXT PRIMARY KEY, window_start TEXT NOT NULL, used INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS reminder_sends (
    hospital_code TEXT NOT NULL DEFAULT '', channel TEXT NOT NULL, address TEXT NOT NULL, item_kind TEXT NOT NULL,
    item_key TEXT NOT NULL, state TEXT NOT NULL, sent_at TEXT NOT NULL,
    PRIMARY KEY (hospital_code, channel, address, item_kind, item_key, state));
"""
)

# The tables spelled out above; a kind whose table is none of these gets one made from its columns (kind_ddl).
_SPELLED = frozenset(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", _SCHEMA))

# A kind's column types as SQLite names them (engine.pg_ddl turns them into PostgreSQL's).
_SQL_TYPES = {
    "str": "TEXT",
    "enum": "TEXT",
    "date": "TEXT",
    "month": "TEXT",
    "int": "INTEGER",
    "year": "INTEGER",
    "bool": "INTEGER",
    "float": "REAL",
}


def kind_ddl(kind: contract.Kind) -> str:
    """CREATE TABLE for a kind the schema does not spell out, from its registry entry: its columns (the hospital
    first, '' in a one-hospital store), required and key columns NOT NULL, its natural key as the primary key."""
    if kind.extra_metric_columns:
        raise ValueError(f"{kind.name}: a kind with metric columns needs its table spelled out")
    cols = sorted(kind.columns, key=lambda c: c.name != "hospital_code")
    defs = ", ".join(_column_ddl(c, kind.key) for c in cols)
    return f"CREATE TABLE IF NOT EXISTS {kind.table} ({defs}, PRIMARY KEY ({', '.join(kind.key)}))"


def _column_ddl(c: contract.Column, key: tuple[str, ...]) -> str:
    if c.name == "hospital_code":
        return "hospital_code TEXT NOT NULL DEFAULT ''"
    return f"{c.name} {_SQL_TYPES[c.type]}" + (" NOT NULL" if c.required or c.name in key else "")


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create the tables once and seed the catalogues and default targets (PRODUCT §3.2, §4.4)."""
    row = None
    if db["meta"].exists():
        row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row and int(row[0]) >= SCHEMA_VERSION:
        return
    # The write lock from the first statement (SQLite: BEGIN IMMEDIATE; PostgreSQL: the advisory lock): the v6
    # migration reads the tables before it writes, and a deferred SQLite transaction whose snapshot another
    # process's schema commit outdated could not write at all ("database is locked", no busy wait).
    with immediate(db):
        _migrate_hospital_tables(db)
        # PostgreSQL: the sessions table too, under the write lock (two processes making it at once would collide)
        ddl = engine.pg_ddl(_SCHEMA + ";" + _SESSIONS_DDL) if engine.dialect(db) == "postgresql" else _SCHEMA
        for stmt in ddl.split(";"):
            if stmt.strip():
                db.execute(stmt)
        for kind in contract.KINDS.values():
            if kind.table not in _SPELLED:
                db.execute(_dialect_ddl(db, kind_ddl(kind)))
        _migrate(db)
        _seed_catalogues(db)
        db.execute(
            "INSERT INTO meta (key, value) VALUES ('schema_version', ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [str(SCHEMA_VERSION)],
        )
        db.execute("INSERT INTO meta (key, value) VALUES ('data_version', '0') ON CONFLICT DO NOTHING")


def _migrate(db: sqlite_utils.Database) -> None:
    """Bring a store made by an older version up to date; every step is safe to run again.

    Version 3 only adds a table (calendar_days): ``CREATE TABLE IF NOT EXISTS`` in _SCHEMA does it."""
    for table, column in (("batch_rejects", "row_json"), ("events", "person"), ("events", "post")):  # 2, 9
        if column in table_columns(db, table):
            continue
        try:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")
        except (sqlite3.OperationalError, engine.psycopg.errors.DuplicateColumn) as e:  # another process added it
            if "duplicate column" not in str(e) and "already exists" not in str(e):
                raise


def _migrate_hospital_tables(db: sqlite_utils.Database) -> None:
    """Version 6: a v5 hospital-scoped table (no hospital_code) is rebuilt with hospital_code first in its key, every
    row kept under '' (the one hospital); batches and audit gain the column. Runs before _SCHEMA makes the indexes
    (a v5 index has the same name). Safe to run again: a table that has the column is left alone.

    The same SQL on both dialects (the new table's DDL through engine.pg_ddl on PostgreSQL, where the rebuilt
    table's primary key is named ``<table>_pkey1``: the renamed v5 table still holds ``<table>_pkey`` when it is
    made; names only). Renaming, not copying aside first: the rows are copied once."""
    for table, ddl in HOSPITAL_TABLES.items():
        cols = table_columns(db, table)
        if not cols or "hospital_code" in cols:  # no such table yet, or already v6
            continue
        listed = ", ".join(sorted(cols))
        db.execute(f"ALTER TABLE {table} RENAME TO _v5_{table}")
        db.execute(_dialect_ddl(db, ddl))
        db.execute(f"INSERT INTO {table} ({listed}) SELECT {listed} FROM _v5_{table}")
        db.execute(f"DROP TABLE _v5_{table}")
    for table in ("batches", "audit"):
        cols = table_columns(db, table)
        if cols and "hospital_code" not in cols:
            db.execute(_dialect_ddl(db, f"ALTER TABLE {table} ADD COLUMN hospital_code TEXT NOT NULL DEFAULT ''"))


def _dialect_ddl(db: sqlite_utils.Database, ddl: str) -> str:
    """The store's (SQLite) DDL for the open store's dialect (engine.pg_ddl on PostgreSQL)."""
    return engine.pg_ddl(ddl) if engine.dialect(db) == "postgresql" else ddl


def table_columns(db: sqlite_utils.Database, table: str) -> set[str]:
    """The columns ``table`` has in the open store (either dialect)."""
    if engine.dialect(db) == "postgresql":
        rows = db.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND table_name = ?",
            [table],
        ).fetchall()
        return {r[0] for r in rows}
    return {r[1] for r in db.execute(f"PRAGMA table_info({table})").fetchall()}


def _seed_catalogues(db: sqlite_utils.Database) -> None:
    for m in contract.METRICS:
        db.execute(
            "INSERT INTO metric_catalogue (code, name_zh, name_en, unit_zh, unit_en, lo, hi, integer,"
            " direction, default_target, scope, aggregate, aliases, sort) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT DO NOTHING",
            [
                m.code,
                m.name_zh,
                m.name_en,
                m.unit_zh,
                m.unit_en,
                m.lo,
                m.hi,
                int(m.integer),
                m.direction,
                m.default_target,
                m.scope,
                m.aggregate,
                json.dumps(list(m.aliases), ensure_ascii=False),
                m.sort,
            ],
        )
        if m.default_target is not None:
            db.execute(
                "INSERT INTO targets (hospital_code, metric, dept_code, effective_from, target, direction)"
                " VALUES ('', ?, '', ?, ?, ?) ON CONFLICT (hospital_code, metric, dept_code, effective_from) DO NOTHING",
                [m.code, contract.EPOCH_MONTH, m.default_target, m.direction],
            )
    for i in contract.INDICATORS:
        db.execute(
            "INSERT INTO indicator_catalogue (code, kind, name_zh, name_en, evidence, office, active)"
            " VALUES (?,?,?,?,?,?,1) ON CONFLICT DO NOTHING",
            [i.code, i.kind, i.name_zh, i.name_en, i.evidence, i.office],
        )


# ---------------------------------------------------------------------------------------------
# Data version: every commit, rollback or edit bumps it; UI caches key on it.
# ---------------------------------------------------------------------------------------------


def data_version(db: sqlite_utils.Database) -> int:
    row = db.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
    return int(row[0]) if row else 0


def bump_data_version(db: sqlite_utils.Database) -> int:
    db.execute("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'data_version'")
    return data_version(db)


def get_meta(db: sqlite_utils.Database, key: str, default: str | None = None) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def set_meta(db: sqlite_utils.Database, key: str, value: str | None) -> None:
    if value is None:
        db.execute("DELETE FROM meta WHERE key = ?", [key])
    else:
        db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )


# The sessions table (PRODUCT §7) is created on first use by accounts.ensure_sessions; restore expects it too.
_SESSIONS_DDL = (
    "CREATE TABLE IF NOT EXISTS sessions (token_hash TEXT PRIMARY KEY, username TEXT NOT NULL,"
    " created_at TEXT NOT NULL, expires_at TEXT NOT NULL)"
)
