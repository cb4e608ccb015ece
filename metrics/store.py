"""The store: every line of SQL in the project lives in this module.

A fresh connection per call (``connect``), WAL on. Values always go through parameters, never f-strings;
identifiers that appear in f-strings come from the fixed table lists below, never from input.
Sections are marked per area so that each area's queries stay together.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from itertools import repeat
from operator import itemgetter
from pathlib import Path

import pandas as pd
import sqlite_utils

from metrics import contract

DEFAULT_DB = Path(__file__).resolve().parent.parent / "data" / "integrity.db"
DB_ENV = "INTEGRITY_DB"


def db_path(path: str | os.PathLike | None = None) -> Path:
    """The store's file: the argument, else $INTEGRITY_DB, else data/integrity.db."""
    return Path(path or os.environ.get(DB_ENV) or DEFAULT_DB)


def connect(path: str | os.PathLike | None = None) -> sqlite_utils.Database:
    """A fresh connection (never cache one: it would cross threads), schema ensured, WAL on.

    The store is owner-only (0600; SQLite gives its -wal and -shm files the same mode): a new one is created so and
    an existing one with group or other bits is tightened (issue 12.11). A store on a read-only file system or
    without write permission is opened read-only, so pages and ``users list`` still read it; a write then fails
    with SQLite's "readonly" error, which ``problem_key`` names.
    """
    p = db_path(path)
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
        db = sqlite_utils.Database(conn)
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
            return sqlite_utils.Database(conn)
        except sqlite3.Error:
            continue
    return None


def problem_key(exc: BaseException) -> str:
    """The i18n key that explains a store failure to a user: store.err.corrupt | read_only | disk_full | busy |
    unavailable. The exception's own text (paths, SQL) belongs in the server log only."""
    import errno

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


def _ensure_wal(db: sqlite_utils.Database) -> None:
    """Switch a new store to WAL. Two processes opening a brand-new file at once can both try; SQLite answers
    one of them "database is locked" at once (the busy timeout does not apply to this lock upgrade), so retry
    (issue 6, found by tests/test_fault_concurrent.py)."""
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


def now_iso() -> str:
    return datetime.now().isoformat(timespec="seconds")


# ---------------------------------------------------------------------------------------------
# Schema
# ---------------------------------------------------------------------------------------------

# 2: batch_rejects.row_json (the rejected row as written, for the error report)
# 3: calendar_days (the office's holiday schedule, PRODUCT §4.1; issue 11)
# 4: signin_attempts and audit_budget (issue 12.6: a lockout per account and client, anonymous audit rows bounded)
# 5: tasks, notices, staff (programme work, PRODUCT §8; issue 14)
SCHEMA_VERSION = 5

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS departments (
    dept_code TEXT PRIMARY KEY, dept_name TEXT NOT NULL, category TEXT, party_branch TEXT,
    staff_count INTEGER, party_members INTEGER, active INTEGER NOT NULL DEFAULT 1, is_demo INTEGER DEFAULT 0);
CREATE TABLE IF NOT EXISTS metric_values (
    dept_code TEXT NOT NULL, month TEXT NOT NULL, metric TEXT NOT NULL, value REAL NOT NULL,
    PRIMARY KEY (dept_code, month, metric));
CREATE INDEX IF NOT EXISTS idx_metric_values_month ON metric_values (month, metric);
CREATE INDEX IF NOT EXISTS idx_metric_values_metric ON metric_values (metric, dept_code, month);
CREATE TABLE IF NOT EXISTS events (
    event_id TEXT PRIMARY KEY, event_date TEXT NOT NULL, dept_code TEXT NOT NULL, kind TEXT NOT NULL,
    indicator TEXT NOT NULL, description TEXT, evidence TEXT, office TEXT, status TEXT NOT NULL DEFAULT 'confirmed');
CREATE INDEX IF NOT EXISTS idx_events_date ON events (event_date);
CREATE INDEX IF NOT EXISTS idx_events_dept ON events (dept_code, event_date);
CREATE TABLE IF NOT EXISTS award_changes (
    dept_code TEXT NOT NULL, year INTEGER NOT NULL, status TEXT NOT NULL, changed_on TEXT NOT NULL,
    rectify_until TEXT, note TEXT, PRIMARY KEY (dept_code, year, status, changed_on));
CREATE INDEX IF NOT EXISTS idx_award_year ON award_changes (year, dept_code);
CREATE TABLE IF NOT EXISTS targets (
    metric TEXT NOT NULL, dept_code TEXT NOT NULL DEFAULT '', effective_from TEXT NOT NULL,
    target REAL NOT NULL, direction TEXT NOT NULL, PRIMARY KEY (metric, dept_code, effective_from));
CREATE TABLE IF NOT EXISTS metric_catalogue (
    code TEXT PRIMARY KEY, name_zh TEXT NOT NULL, name_en TEXT NOT NULL, unit_zh TEXT, unit_en TEXT,
    lo REAL, hi REAL, integer INTEGER NOT NULL DEFAULT 0, direction TEXT NOT NULL, default_target REAL,
    scope TEXT NOT NULL DEFAULT 'dept', aggregate TEXT NOT NULL DEFAULT 'mean', aliases TEXT, sort INTEGER);
CREATE TABLE IF NOT EXISTS indicator_catalogue (
    code TEXT PRIMARY KEY, kind TEXT NOT NULL, name_zh TEXT NOT NULL, name_en TEXT NOT NULL,
    evidence TEXT, office TEXT, active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS batches (
    batch_id INTEGER PRIMARY KEY AUTOINCREMENT, file_name TEXT, sha256 TEXT, kind TEXT NOT NULL,
    user TEXT, created_at TEXT NOT NULL, encoding TEXT, rows_new INTEGER DEFAULT 0, rows_changed INTEGER DEFAULT 0,
    rows_unchanged INTEGER DEFAULT 0, rows_rejected INTEGER DEFAULT 0, rows_skipped INTEGER DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'committed', rolled_back_at TEXT, rolled_back_by TEXT);
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
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, user TEXT, action TEXT NOT NULL, target TEXT,
    detail TEXT, before TEXT, after TEXT);
CREATE INDEX IF NOT EXISTS idx_audit_at ON audit (at);
CREATE TABLE IF NOT EXISTS calendar_days (date TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT);
CREATE TABLE IF NOT EXISTS signin_attempts (
    account TEXT NOT NULL, client TEXT NOT NULL, failures INTEGER NOT NULL DEFAULT 0, last_failure TEXT,
    locked_until TEXT, last_success TEXT, PRIMARY KEY (account, client));
CREATE TABLE IF NOT EXISTS audit_budget (
    scope TEXT PRIMARY KEY, window_start TEXT NOT NULL, used INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS tasks (
    task_code TEXT PRIMARY KEY, title TEXT NOT NULL, category TEXT, lead_dept TEXT NOT NULL, responsible TEXT,
    due_on TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'not_started', progress TEXT, updated_on TEXT, metric TEXT);
CREATE TABLE IF NOT EXISTS notices (
    notice_no TEXT PRIMARY KEY, notice_type TEXT NOT NULL DEFAULT 'rectification', dept_code TEXT NOT NULL,
    issued_on TEXT NOT NULL, due_on TEXT NOT NULL, issue TEXT, event_id TEXT,
    status TEXT NOT NULL DEFAULT 'rectifying', closed_on TEXT);
CREATE TABLE IF NOT EXISTS staff (
    staff_id TEXT PRIMARY KEY, name TEXT NOT NULL, dept_code TEXT NOT NULL, in_dept_since TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1);
"""

# The data tables a batch may change, with their natural keys (contract order).
DATA_TABLES: dict[str, tuple[str, ...]] = {
    "departments": ("dept_code",),
    "metric_values": ("dept_code", "month", "metric"),
    "events": ("event_id",),
    "award_changes": ("dept_code", "year", "status", "changed_on"),
    "targets": ("metric", "dept_code", "effective_from"),
    "metric_catalogue": ("code",),
    "indicator_catalogue": ("code",),
    "calendar_days": ("date",),
    "tasks": ("task_code",),
    "notices": ("notice_no",),
    "staff": ("staff_id",),
}


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create the tables once and seed the catalogues and default targets (PRODUCT §3.2, §4.4)."""
    row = None
    if db["meta"].exists():
        row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row and int(row[0]) >= SCHEMA_VERSION:
        return
    with db.atomic():
        for stmt in _SCHEMA.split(";"):
            if stmt.strip():
                db.execute(stmt)
        _migrate(db)
        _seed_catalogues(db)
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('data_version', '0')")


def _migrate(db: sqlite_utils.Database) -> None:
    """Bring a store made by an older version up to date; every step is safe to run again.

    Version 3 only adds a table (calendar_days): ``CREATE TABLE IF NOT EXISTS`` in _SCHEMA does it."""
    cols = {r[1] for r in db.execute("PRAGMA table_info(batch_rejects)").fetchall()}
    if "row_json" not in cols:  # version 2
        try:
            db.execute("ALTER TABLE batch_rejects ADD COLUMN row_json TEXT")
        except sqlite3.OperationalError as e:  # another process added it between our look and our write
            if "duplicate column" not in str(e):
                raise


def _seed_catalogues(db: sqlite_utils.Database) -> None:
    for m in contract.METRICS:
        db.execute(
            "INSERT OR IGNORE INTO metric_catalogue (code, name_zh, name_en, unit_zh, unit_en, lo, hi, integer,"
            " direction, default_target, scope, aggregate, aliases, sort) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
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
                "INSERT OR IGNORE INTO targets (metric, dept_code, effective_from, target, direction)"
                " VALUES (?, '', ?, ?, ?)",
                [m.code, contract.EPOCH_MONTH, m.default_target, m.direction],
            )
    for i in contract.INDICATORS:
        db.execute(
            "INSERT OR IGNORE INTO indicator_catalogue (code, kind, name_zh, name_en, evidence, office, active)"
            " VALUES (?,?,?,?,?,?,1)",
            [i.code, i.kind, i.name_zh, i.name_en, i.evidence, i.office],
        )


# ---------------------------------------------------------------------------------------------
# Data version: every commit, rollback or edit bumps it; UI caches key on it.
# ---------------------------------------------------------------------------------------------


def data_version(db: sqlite_utils.Database) -> int:
    row = db.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
    return int(row[0]) if row else 0


def bump_data_version(db: sqlite_utils.Database) -> int:
    db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'data_version'")
    return data_version(db)


def get_meta(db: sqlite_utils.Database, key: str, default: str | None = None) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def set_meta(db: sqlite_utils.Database, key: str, value: str | None) -> None:
    if value is None:
        db.execute("DELETE FROM meta WHERE key = ?", [key])
    else:
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, value])


# Rows turned into a frame at a time: a result of millions of rows never exists as Python tuples all at once
# (1.8 million metric values took 900 MB that way; issue 7). Smaller results are one chunk, as before.
FRAME_CHUNK_ROWS = 250_000


def _frame(
    db: sqlite_utils.Database, sql: str, params: Iterable | dict = (), chunk_rows: int = FRAME_CHUNK_ROWS
) -> pd.DataFrame:
    cur = db.execute(sql, params)
    cols = [d[0] for d in cur.description]
    parts = []
    while rows := cur.fetchmany(chunk_rows):
        parts.append(pd.DataFrame(rows, columns=cols))
    if len(parts) <= 1:
        return parts[0] if parts else pd.DataFrame([], columns=cols)
    return pd.concat(parts, ignore_index=True)


def is_empty(db: sqlite_utils.Database) -> bool:
    """True when no department and no metric value is stored."""
    return (
        db.execute("SELECT (SELECT COUNT(*) FROM departments) + (SELECT COUNT(*) FROM metric_values)").fetchone()[0]
        == 0
    )


# ---------------------------------------------------------------------------------------------
# Reading data tables (used by pipelines and pages)
# ---------------------------------------------------------------------------------------------


def departments(db: sqlite_utils.Database, active_only: bool = False) -> pd.DataFrame:
    """Departments, one row each: dept_code, dept_name, category, party_branch, staff_count, party_members, active."""
    sql = (
        "SELECT dept_code, dept_name, category, party_branch, staff_count, party_members, active, is_demo"
        " FROM departments"
    )
    if active_only:
        sql += " WHERE active = 1"
    return _frame(db, sql + " ORDER BY dept_code")


def metric_values(
    db: sqlite_utils.Database,
    metrics: Iterable[str] | None = None,
    month_from: str | None = None,
    month_to: str | None = None,
    dept_codes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Long frame dept_code, month ('YYYY-MM'), metric, value, filtered in SQL."""
    where, params = [], []
    if metrics is not None:
        ms = list(metrics)
        where.append(f"metric IN ({','.join('?' * len(ms))})")
        params += ms
    if month_from:
        where.append("month >= ?")
        params.append(month_from)
    if month_to:
        where.append("month <= ?")
        params.append(month_to)
    if dept_codes is not None:
        ds = list(dept_codes)
        where.append(f"dept_code IN ({','.join('?' * len(ds))})")
        params += ds
    sql = "SELECT dept_code, month, metric, value FROM metric_values"
    if where:
        sql += " WHERE " + " AND ".join(where)
    # Small chunks: every column is NOT NULL, so each chunk gets the same dtypes, and a page loading a year of a
    # region's values (200,000 rows) holds 50,000 rows as Python objects at a time, not all of them (issue 7).
    return _frame(db, sql + " ORDER BY dept_code, metric, month", params, chunk_rows=50_000)


def month_range(db: sqlite_utils.Database) -> tuple[str | None, str | None]:
    """(first, last) month with any metric value."""
    row = db.execute("SELECT MIN(month), MAX(month) FROM metric_values").fetchone()
    return row[0], row[1]


def reporting_departments(db: sqlite_utils.Database, months: Iterable[str]) -> dict[str, set[str]]:
    """Per month, the departments (not 全院) with any metric value stored for it."""
    ms = sorted(set(months))
    out: dict[str, set[str]] = {m: set() for m in ms}
    if not ms:
        return out
    cur = db.execute(
        f"SELECT DISTINCT month, dept_code FROM metric_values WHERE month IN ({', '.join('?' * len(ms))})"
        " AND dept_code != ?",
        [*ms, contract.HOSPITAL_CODE],
    )
    for month, code in cur.fetchall():
        out[month].add(code)
    return out


def events(
    db: sqlite_utils.Database,
    date_from: str | None = None,
    date_to: str | None = None,
    dept_codes: Iterable[str] | None = None,
    status: str | None = None,
) -> pd.DataFrame:
    """Events: event_id, event_date ('YYYY-MM-DD'), dept_code, kind, indicator, description, evidence, office, status."""
    where, params = [], []
    if date_from:
        where.append("event_date >= ?")
        params.append(date_from)
    if date_to:
        where.append("event_date <= ?")
        params.append(date_to)
    if dept_codes is not None:
        ds = list(dept_codes)
        where.append(f"dept_code IN ({','.join('?' * len(ds))})")
        params += ds
    if status:
        where.append("status = ?")
        params.append(status)
    sql = "SELECT event_id, event_date, dept_code, kind, indicator, description, evidence, office, status FROM events"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return _frame(db, sql + " ORDER BY event_date, event_id", params)


def award_changes(db: sqlite_utils.Database, dept_codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Award status changes: dept_code, year, status, changed_on, rectify_until, note (ordered by date)."""
    sql = "SELECT dept_code, year, status, changed_on, rectify_until, note FROM award_changes"
    params: list = []
    if dept_codes is not None:
        ds = list(dept_codes)
        sql += f" WHERE dept_code IN ({','.join('?' * len(ds))})"
        params = ds
    return _frame(db, sql + " ORDER BY dept_code, changed_on, year", params)


def targets(db: sqlite_utils.Database) -> pd.DataFrame:
    """Targets: metric, dept_code ('' = hospital-wide), effective_from ('YYYY-MM'), target, direction."""
    return _frame(
        db,
        "SELECT metric, dept_code, effective_from, target, direction FROM targets"
        " ORDER BY metric, dept_code, effective_from",
    )


def calendar_days(db: sqlite_utils.Database, year: int | None = None) -> pd.DataFrame:
    """The office's holiday schedule (PRODUCT §4.1): date ('YYYY-MM-DD'), kind ('off' 休 | 'work' 班), name
    ('' when none); one year's when ``year`` is given. Rules take it as ``workdays.Calendar.from_frame(...)``."""
    sql = "SELECT date, kind, COALESCE(name, '') AS name FROM calendar_days"
    params: list = []
    if year is not None:
        sql += " WHERE date BETWEEN ? AND ?"
        params = [f"{int(year):04d}-01-01", f"{int(year):04d}-12-31"]
    return _frame(db, sql + " ORDER BY date", params)


# --- programme work (PRODUCT §8, issue 14) -----------------------------------------------------------


def tasks(db: sqlite_utils.Database) -> pd.DataFrame:
    """Key tasks: task_code, title, category, lead_dept, responsible (codes joined by ','), due_on, status
    (not_started | in_progress | done | cancelled), progress, updated_on, metric; by due date, then code."""
    return _frame(
        db,
        "SELECT task_code, title, category, lead_dept, responsible, due_on, status, progress, updated_on, metric "
        "FROM tasks ORDER BY due_on, task_code",
    )


def notices(db: sqlite_utils.Database) -> pd.DataFrame:
    """Rectification notices: notice_no, notice_type, dept_code, issued_on, due_on, issue, event_id, status
    (rectifying | rectified | closed), closed_on; by issue date, then number."""
    return _frame(
        db,
        "SELECT notice_no, notice_type, dept_code, issued_on, due_on, issue, event_id, status, closed_on "
        "FROM notices ORDER BY issued_on, notice_no",
    )


def staff(db: sqlite_utils.Database) -> pd.DataFrame:
    """The staff roster (personal data, PRODUCT §8): staff_id, name, dept_code, in_dept_since, active."""
    return _frame(db, "SELECT staff_id, name, dept_code, in_dept_since, active FROM staff ORDER BY dept_code, staff_id")


def metric_catalogue(db: sqlite_utils.Database) -> pd.DataFrame:
    return _frame(db, "SELECT * FROM metric_catalogue ORDER BY sort, code")


def indicator_catalogue(db: sqlite_utils.Database) -> pd.DataFrame:
    return _frame(db, "SELECT * FROM indicator_catalogue ORDER BY code")


def metric_defs(db: sqlite_utils.Database) -> list[contract.Metric]:
    """The metric catalogue as stored (catalogue edits add metrics), as contract.Metric entries."""
    out = []
    for r in metric_catalogue(db).to_dict("records"):
        out.append(
            contract.Metric(
                code=r["code"],
                name_zh=r["name_zh"],
                name_en=r["name_en"],
                unit_zh=r["unit_zh"] if isinstance(r["unit_zh"], str) else "",
                unit_en=r["unit_en"] if isinstance(r["unit_en"], str) else "",
                lo=_num(r["lo"]),
                hi=_num(r["hi"]),
                integer=bool(r["integer"]),
                direction=r["direction"],
                default_target=_num(r["default_target"]),
                scope=r["scope"],
                aggregate=r["aggregate"],
                aliases=tuple(json.loads(r["aliases"])) if isinstance(r["aliases"], str) else (),
                sort=int(_num(r["sort"]) or 0),
            )
        )
    return out


def _num(v):
    return None if v is None or (isinstance(v, float) and pd.isna(v)) else float(v)


# ---------------------------------------------------------------------------------------------
# Writing through batches (ingest): every change records its old row so rollback restores it.
# ---------------------------------------------------------------------------------------------


def fetch_rows(db: sqlite_utils.Database, table: str, keys: list[tuple]) -> dict[tuple, dict]:
    """Current rows of ``table`` for the given natural keys, as {key: row-dict}."""
    key_cols = DATA_TABLES[table]
    out: dict[tuple, dict] = {}
    if not keys:
        return out
    if table == "metric_values":
        return _fetch_metric_values(db, keys)
    # The keys go into a temp table with one column per key column, and each key is looked up through the
    # table's primary key: the cost follows the file's rows, not the store's (issue 7: a 200-row month file
    # against 1.8 million stored values). Column affinity makes '2024' and 2024 match as the table stores them.
    kc = [f"k{i}" for i in range(len(key_cols))]
    tmp = f"_keys{len(kc)}"
    db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {tmp} ({', '.join(kc)}, PRIMARY KEY ({', '.join(kc)}))")
    db.execute(f"DELETE FROM {tmp}")
    db.conn.executemany(f"INSERT OR IGNORE INTO {tmp} VALUES ({', '.join('?' * len(kc))})", [tuple(k) for k in keys])
    on = " AND ".join(f"t.{c} = {tmp}.{k}" for c, k in zip(key_cols, kc))
    cur = db.execute(f"SELECT t.* FROM {tmp} CROSS JOIN {table} t WHERE {on}")
    cols = [d[0] for d in cur.description]
    for row in cur.fetchall():
        rec = dict(zip(cols, row))
        out[tuple(rec[c] for c in key_cols)] = rec
    db.execute(f"DELETE FROM {tmp}")
    return out


def _fetch_metric_values(db: sqlite_utils.Database, keys: list[tuple]) -> dict[tuple, dict]:
    """Stored values for (dept_code, month, metric) keys: per department of the keys, the primary key's range
    over the keys' months, kept where the key was asked for. A history file (72,000 values) reads its
    departments' months in one pass instead of looking each value up; a month file reads one month per
    department (issue 7)."""
    wanted = {tuple(k) for k in keys}
    depts = sorted({k[0] for k in wanted})
    months = [k[1] for k in wanted]
    cur = db.execute(
        "SELECT t.dept_code, t.month, t.metric, t.value FROM json_each(?) d CROSS JOIN metric_values t"
        " WHERE t.dept_code = d.value AND t.month BETWEEN ? AND ?",
        [json.dumps(depts, ensure_ascii=False), min(months), max(months)],
    )
    out = {}
    for d, m, metric, v in cur.fetchall():
        key = (d, m, metric)
        if key in wanted:
            out[key] = {"dept_code": d, "month": m, "metric": metric, "value": v}
    return out


def find_batch_by_sha(db: sqlite_utils.Database, sha256: str) -> dict | None:
    """The committed batch that already holds a file with this SHA-256, if any."""
    cur = db.execute(
        "SELECT * FROM batches WHERE sha256 = ? AND status = 'committed' ORDER BY batch_id DESC LIMIT 1", [sha256]
    )
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row)) if row else None


def insert_batch(db: sqlite_utils.Database, **fields) -> int:
    fields.setdefault("created_at", now_iso())
    cols = list(fields)
    cur = db.execute(
        f"INSERT INTO batches ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", [fields[c] for c in cols]
    )
    return int(cur.lastrowid)


# The text json.dumps(x, ensure_ascii=False, default=str) writes, without building an encoder per call (a
# history file journals hundreds of thousands of values; issue 7).
_to_json = json.JSONEncoder(ensure_ascii=False, default=str).encode


@lru_cache(maxsize=65536)
def _json_str(s: str) -> str:
    return _to_json(s)


def _json_value(v) -> str:
    """One value as json.dumps writes it; the repeated texts of a file (codes, months) encoded once."""
    t = type(v)
    if t is str:
        return _json_str(v)
    if t is float and v - v == 0:  # finite: json.dumps writes float.__repr__ (NaN and ±inf go the long way)
        return float.__repr__(v)
    if t is int:
        return int.__repr__(v)
    if v is None:
        return "null"
    return _to_json(v)


@lru_cache(maxsize=256)
def _json_object_format(cols: tuple[str, ...]) -> str:
    """A %-format for one row dict with these keys, giving exactly json.dumps(row, ensure_ascii=False)."""
    return "{" + ", ".join(_json_str(c).replace("%", "%%") + ": %s" for c in cols) + "}"


def _json_row(row: dict) -> str:
    return _json_object_format(tuple(row)) % tuple(map(_json_value, row.values()))


def apply_changes(
    db: sqlite_utils.Database, batch_id: int, table: str, changes: list[tuple[dict | None, dict]]
) -> None:
    """Upsert each new row and journal (old, new) under the batch. ``changes``: [(old_row_or_None, new_row)].

    Call inside ``db.atomic()``; the caller computed ``old`` with ``fetch_rows`` in the same transaction.
    The journal's JSON texts are exactly json.dumps(..., ensure_ascii=False) of the key, old and new rows.
    """
    key_cols = DATA_TABLES[table]
    start = db.execute("SELECT COALESCE(MAX(seq), 0) FROM batch_changes WHERE batch_id = ?", [batch_id]).fetchone()[0]
    # Rows with the same columns are encoded column by column (a history file: 72,000 rows of four columns; a
    # call per value took most of the journal's time; issue 7).
    groups: dict[tuple, list[int]] = {}
    for n, (_old, new) in enumerate(changes):
        groups.setdefault(tuple(new), []).append(n)
    key_json: list = [None] * len(changes)
    new_json: list = [None] * len(changes)
    for cols, at in groups.items():
        rows = [tuple(changes[n][1].values()) for n in at]
        texts = [_json_column(col) for col in zip(*rows)]
        key_texts = [texts[cols.index(c)] for c in key_cols]
        key_format = "[" + ", ".join(["%s"] * len(key_cols)) + "]"
        for n, k, v in zip(
            at, map(key_format.__mod__, zip(*key_texts)), map(_json_object_format(cols).__mod__, zip(*texts))
        ):
            key_json[n], new_json[n] = k, v
        upd = [c for c in cols if c not in key_cols]
        sql = (
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
            f" ON CONFLICT ({', '.join(key_cols)}) DO "
            + (f"UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in upd)}" if upd else "NOTHING")
        )
        # In key order: the B-tree pages fill one after another (a history file comes month by month; issue 7).
        # The sort is stable, so a key given twice still ends with its later row.
        key_at = itemgetter(*[cols.index(c) for c in key_cols])
        try:
            rows = sorted(rows, key=key_at)
        except TypeError:  # keys of mixed types: the file's order
            pass
        db.conn.executemany(sql, rows)
    old_json = [None if old is None else _json_row(old) for old, _new in changes]
    db.conn.executemany(
        "INSERT INTO batch_changes (batch_id, seq, tbl, key_json, old_json, new_json) VALUES (?,?,?,?,?,?)",
        zip(repeat(batch_id), range(start + 1, start + 1 + len(changes)), repeat(table), key_json, old_json, new_json),
    )


def delete_rows(db: sqlite_utils.Database, batch_id: int, table: str, rows: list[dict]) -> None:
    """Delete stored rows (as read, every column) and journal each (old row, no new row) under the batch, so a
    rollback puts them back. Call inside ``db.atomic()``."""
    key_cols = DATA_TABLES[table]
    start = db.execute("SELECT COALESCE(MAX(seq), 0) FROM batch_changes WHERE batch_id = ?", [batch_id]).fetchone()[0]
    for i, row in enumerate(rows, start=start + 1):
        key = [row[c] for c in key_cols]
        db.execute(f"DELETE FROM {table} WHERE " + " AND ".join(f"{c} = ?" for c in key_cols), key)
        db.execute(
            "INSERT INTO batch_changes (batch_id, seq, tbl, key_json, old_json, new_json) VALUES (?,?,?,?,?,NULL)",
            [batch_id, i, table, json.dumps(key, ensure_ascii=False), json.dumps(row, ensure_ascii=False, default=str)],
        )


def _json_column(values: tuple) -> list[str]:
    """Each value of one column as json.dumps writes it (texts of one type and finite floats the short way)."""
    kinds = set(map(type, values))
    if kinds == {str}:
        texts = {v: _json_str(v) for v in set(values)}
        return list(map(texts.__getitem__, values))
    if kinds == {float} and all(map(math.isfinite, values)):
        return list(map(float.__repr__, values))
    return list(map(_json_value, values))


def insert_rejects(db: sqlite_utils.Database, batch_id: int, rejects: list[dict]) -> None:
    """Keep rejected rows with the batch (line, col, value, message, the row as written) for the error report."""
    db.conn.executemany(
        "INSERT INTO batch_rejects (batch_id, line, col, value, message, row_json) VALUES (?,?,?,?,?,?)",
        [
            (
                batch_id,
                r.get("line"),
                r.get("column"),
                None if r.get("value") is None else str(r["value"]),
                r.get("message"),
                r.get("row_json"),
            )
            for r in rejects
        ],
    )


def batches(db: sqlite_utils.Database, limit: int | None = None) -> pd.DataFrame:
    """Batch history, newest first."""
    sql = "SELECT * FROM batches ORDER BY batch_id DESC"
    if limit:
        sql += " LIMIT ?"
        return _frame(db, sql, [int(limit)])
    return _frame(db, sql)


def batch(db: sqlite_utils.Database, batch_id: int) -> dict | None:
    cur = db.execute("SELECT * FROM batches WHERE batch_id = ?", [batch_id])
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row)) if row else None


def latest_committed_batch_id(db: sqlite_utils.Database) -> int | None:
    row = db.execute("SELECT MAX(batch_id) FROM batches WHERE status = 'committed'").fetchone()
    return row[0]


def batch_rejects(db: sqlite_utils.Database, batch_id: int) -> pd.DataFrame:
    return _frame(
        db,
        "SELECT line, col AS column, value, message, row_json FROM batch_rejects WHERE batch_id = ? ORDER BY rowid",
        [batch_id],
    )


def revert_batch(db: sqlite_utils.Database, batch_id: int, user: str | None) -> int:
    """Undo a batch's journal in reverse order and mark it rolled back; returns rows restored. Call in atomic()."""
    cur = db.execute(
        "SELECT tbl, key_json, old_json FROM batch_changes WHERE batch_id = ? ORDER BY seq DESC", [batch_id]
    )
    n = 0
    for tbl, key_json, old_json in cur.fetchall():
        key_cols = DATA_TABLES[tbl]
        key = json.loads(key_json)
        if old_json is None:
            db.execute(f"DELETE FROM {tbl} WHERE " + " AND ".join(f"{c} = ?" for c in key_cols), key)
        else:
            old = json.loads(old_json)
            cols = list(old)
            db.execute(
                f"INSERT OR REPLACE INTO {tbl} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                [old[c] for c in cols],
            )
        n += 1
    db.execute(
        "UPDATE batches SET status = 'rolled_back', rolled_back_at = ?, rolled_back_by = ? WHERE batch_id = ?",
        [now_iso(), user, batch_id],
    )
    return n


def table_frame(db: sqlite_utils.Database, table: str) -> pd.DataFrame:
    """A whole table for export (table names from a fixed list only)."""
    allowed = set(DATA_TABLES) | {"batches", "batch_rejects", "audit", "batch_changes"}
    if table not in allowed:
        raise ValueError(table)
    return _frame(db, f"SELECT * FROM {table}")


def clear_data(db: sqlite_utils.Database, user: str | None = None) -> None:
    """Empty the data tables and the batch history (a fresh start); catalogues, default targets, the holiday schedule
    (calendar_days: the State Council's, not demo data) and users stay.
    One transaction with its audit record (action clear_demo, by ``user``) and the data-version bump."""
    with db.atomic():
        for tbl in (
            "batch_changes",
            "batch_rejects",
            "batches",
            "metric_values",
            "events",
            "award_changes",
            "tasks",
            "notices",
            "staff",
            "departments",
        ):
            db.execute(f"DELETE FROM {tbl}")
        db.execute("DELETE FROM targets WHERE dept_code != ''")
        set_meta(db, "demo", None)
        audit_log(db, user, "clear_demo", target="demo")
        bump_data_version(db)


EXPORT_TABLES = (
    "departments",
    "metric_values",
    "events",
    "award_changes",
    "targets",
    "metric_catalogue",
    "indicator_catalogue",
    "calendar_days",
    "tasks",
    "notices",
    "staff",
    "batches",
    "audit",
)

# ---------------------------------------------------------------------------------------------
# Aggregates for pages (issue 3 / 4 / 7 add queries here)
# ---------------------------------------------------------------------------------------------


def months_with_data(db: sqlite_utils.Database) -> list[str]:
    """Every month ('YYYY-MM') holding a metric value, oldest first.

    Answered from the covering index idx_metric_values_month with SQLite's skip-ahead DISTINCT, never by loading
    the values into pandas (issue 7: about 2 ms at 1.8 million stored values).
    """
    return [r[0] for r in db.execute("SELECT DISTINCT month FROM metric_values ORDER BY month")]


def metric_value_chunks(
    db: sqlite_utils.Database,
    departments_per_chunk: int = 500,
    month_to: str | None = None,
    month_from: str | None = None,
) -> Iterator[pd.DataFrame]:
    """Long metric values (as ``metric_values``) a group of departments at a time, each department's whole series
    in one chunk (HOSP included), so a computation over every series never holds the whole store (issue 7).

    Consume it while ``db`` is open.
    """
    codes = [r[0] for r in db.execute("SELECT DISTINCT dept_code FROM metric_values ORDER BY dept_code")]
    for i in range(0, len(codes), departments_per_chunk):
        yield metric_values(
            db, dept_codes=codes[i : i + departments_per_chunk], month_from=month_from, month_to=month_to
        )


_BULK_COLUMNS: dict[str, tuple[str, ...]] = {
    "departments": ("dept_code", "dept_name", "category", "party_branch", "staff_count", "party_members", "active"),
    "metric_values": ("dept_code", "month", "metric", "value"),
    "targets": ("metric", "dept_code", "effective_from", "target", "direction"),
    "events": (
        "event_id",
        "event_date",
        "dept_code",
        "kind",
        "indicator",
        "description",
        "evidence",
        "office",
        "status",
    ),
    "award_changes": ("dept_code", "year", "status", "changed_on", "rectify_until", "note"),
    "tasks": (
        "task_code",
        "title",
        "category",
        "lead_dept",
        "responsible",
        "due_on",
        "status",
        "progress",
        "updated_on",
    ),
    "notices": (
        "notice_no",
        "notice_type",
        "dept_code",
        "issued_on",
        "due_on",
        "issue",
        "event_id",
        "status",
        "closed_on",
    ),
}


def bulk_load(path: str | os.PathLike, tables: dict[str, Iterable[tuple]], note: str) -> None:
    """Load synthetic rows (tuples in ``_BULK_COLUMNS`` order) straight into a store, bypassing the journal.

    For the benchmark's generated stores only (bench/synth.py): one transaction, synchronous off, one batch
    record naming ``note``, the data version bumped, then ANALYZE and a WAL checkpoint.
    """
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN")
        n = 0
        for table, rows in tables.items():
            cols = _BULK_COLUMNS[table]
            cur = conn.executemany(
                f"INSERT OR IGNORE INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows
            )
            n += max(cur.rowcount, 0)
        conn.execute(
            "INSERT INTO batches (file_name, sha256, kind, user, created_at, rows_new) VALUES (?,?,?,?,?,?)",
            (note, None, "metrics", "bench", now_iso(), n),
        )
        conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'data_version'")
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def event_months(db: sqlite_utils.Database) -> list[str]:
    """Every month ('YYYY-MM') with an event of any status, oldest first."""
    return [r[0] for r in db.execute("SELECT DISTINCT substr(event_date, 1, 7) AS m FROM events ORDER BY m")]


# --- page edits of targets and catalogues go through importer.commit_rows (issue 11): a batch like an upload,
# named so, journalled, can be rolled back, and a later rollback of an earlier upload cannot silently undo it.

EDIT_FILE_NAME = "页面编辑 page edit"


# ---------------------------------------------------------------------------------------------
# Users and audit (issue 6)
# ---------------------------------------------------------------------------------------------


def audit_log(
    db: sqlite_utils.Database,
    user: str | None,
    action: str,
    target: str | None = None,
    detail: dict | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    """Append one audit record (who, when, what, before/after). Call in the same transaction as the change."""
    db.execute(
        "INSERT INTO audit (at, user, action, target, detail, before, after) VALUES (?,?,?,?,?,?,?)",
        [
            now_iso(),
            user,
            action,
            target,
            None if detail is None else json.dumps(detail, ensure_ascii=False, default=str),
            None if before is None else json.dumps(before, ensure_ascii=False, default=str),
            None if after is None else json.dumps(after, ensure_ascii=False, default=str),
        ],
    )


# Users (issue 6): the password hash never leaves this module except to metrics.auth for verification.
USER_FIELDS = ("password_hash", "role", "failed_count", "locked_until", "active")


def user_row(db: sqlite_utils.Database, username: str) -> dict | None:
    """One user's row (with its password hash, for metrics.auth only), or None."""
    cur = db.execute("SELECT * FROM users WHERE username = ?", [username])
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row)) if row else None


def users(db: sqlite_utils.Database) -> pd.DataFrame:
    """Users without their hashes: username, role, created_at, failed_count, locked_until, active."""
    return _frame(
        db, "SELECT username, role, created_at, failed_count, locked_until, active FROM users ORDER BY username"
    )


def insert_user(db: sqlite_utils.Database, username: str, password_hash: str, role: str) -> None:
    db.execute(
        "INSERT INTO users (username, password_hash, role, created_at, failed_count, active) VALUES (?,?,?,?,0,1)",
        [username, password_hash, role, now_iso()],
    )


def update_user(db: sqlite_utils.Database, username: str, **fields) -> None:
    """Set some of USER_FIELDS for one user (column names from the fixed list only)."""
    cols = [c for c in fields if c in USER_FIELDS]
    if len(cols) != len(fields):
        raise ValueError(sorted(set(fields) - set(USER_FIELDS)))
    db.execute(
        f"UPDATE users SET {', '.join(f'{c} = ?' for c in cols)} WHERE username = ?",
        [fields[c] for c in cols] + [username],
    )


def record_failed_signin(db: sqlite_utils.Database, username: str) -> int:
    """Add one consecutive failure and return the new count (atomic increment)."""
    db.execute("UPDATE users SET failed_count = failed_count + 1 WHERE username = ?", [username])
    row = db.execute("SELECT failed_count FROM users WHERE username = ?", [username]).fetchone()
    return int(row[0]) if row else 0


def delete_user(db: sqlite_utils.Database, username: str) -> None:
    ensure_sessions(db)
    db.execute("DELETE FROM sessions WHERE username = ?", [username])
    db.execute("DELETE FROM users WHERE username = ?", [username])


@contextmanager
def immediate(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One write transaction taken at its start (BEGIN IMMEDIATE): what it reads cannot change before it commits."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


# Sign-in attempts (issue 12.6): one row per (account, client); ``account`` is a user name, or "#" and a keyed
# digest for a name that is not a user (so nothing typed into the name box is stored).
def signin_attempt(db: sqlite_utils.Database, account: str, client: str) -> dict | None:
    cur = db.execute(
        "SELECT failures, last_failure, locked_until, last_success FROM signin_attempts WHERE account = ? AND client = ?",
        [account, client],
    )
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row)) if row else None


def signin_account_failures(db: sqlite_utils.Database, account: str, since: str) -> tuple[int, str | None]:
    """(failures from every client since ``since``, the latest of them) for one account."""
    row = db.execute(
        "SELECT COALESCE(SUM(failures), 0), MAX(last_failure) FROM signin_attempts"
        " WHERE account = ? AND last_failure > ?",
        [account, since],
    ).fetchone()
    return int(row[0]), row[1]


def set_signin_attempt(db: sqlite_utils.Database, account: str, client: str, **fields) -> None:
    """Insert or update one (account, client) row with ``fields`` among failures, last_failure, locked_until,
    last_success (column names from the fixed list only)."""
    allowed = ("failures", "last_failure", "locked_until", "last_success")
    cols = [c for c in fields if c in allowed]
    if len(cols) != len(fields):
        raise ValueError(sorted(set(fields) - set(allowed)))
    db.execute("INSERT OR IGNORE INTO signin_attempts (account, client) VALUES (?, ?)", [account, client])
    db.execute(
        f"UPDATE signin_attempts SET {', '.join(f'{c} = ?' for c in cols)} WHERE account = ? AND client = ?",
        [fields[c] for c in cols] + [account, client],
    )


def clear_signin_attempts(db: sqlite_utils.Database, account: str) -> None:
    """Forget every client's failures and locks for one account (unlock, new password)."""
    db.execute("UPDATE signin_attempts SET failures = 0, locked_until = NULL WHERE account = ?", [account])


def forget_signin_attempts(db: sqlite_utils.Database, before: str) -> None:
    """Drop rows with nothing recent to remember (no failure, lock or success after ``before``)."""
    db.execute(
        "DELETE FROM signin_attempts WHERE COALESCE(last_failure, '') < ? AND COALESCE(locked_until, '') < ?"
        " AND COALESCE(last_success, '') < ?",
        [before, before, before],
    )


def take_audit_budget(db: sqlite_utils.Database, scope: str, window_start: str, now: str, limit: int) -> bool:
    """One audit row from ``scope``'s budget of ``limit`` per window; a window older than ``window_start`` starts
    afresh at ``now``. False when the budget is spent."""
    db.execute("INSERT OR IGNORE INTO audit_budget (scope, window_start) VALUES (?, ?)", [scope, now])
    db.execute(
        "UPDATE audit_budget SET window_start = ?, used = 0 WHERE scope = ? AND window_start <= ?",
        [now, scope, window_start],
    )
    used = db.execute("SELECT used FROM audit_budget WHERE scope = ?", [scope]).fetchone()[0]
    if used >= limit:
        return False
    db.execute("UPDATE audit_budget SET used = used + 1 WHERE scope = ?", [scope])
    return True


def give_back_audit_budget(db: sqlite_utils.Database, scope: str) -> None:
    db.execute("UPDATE audit_budget SET used = MAX(used - 1, 0) WHERE scope = ?", [scope])


def count_skipped_audit(db: sqlite_utils.Database, scope: str, now: str) -> None:
    """One more row left out of the audit log by ``scope``'s budget."""
    db.execute("INSERT OR IGNORE INTO audit_budget (scope, window_start) VALUES (?, ?)", [scope, now])
    db.execute("UPDATE audit_budget SET skipped = skipped + 1 WHERE scope = ?", [scope])


def pop_skipped_audit(db: sqlite_utils.Database, scope: str) -> int:
    """How many rows ``scope`` left out since it last said so (and start counting afresh)."""
    row = db.execute("SELECT skipped FROM audit_budget WHERE scope = ?", [scope]).fetchone()
    db.execute("UPDATE audit_budget SET skipped = 0 WHERE scope = ?", [scope])
    return int(row[0]) if row else 0


def count_admins(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1").fetchone()[0]


# Sessions (issue 6): the browser session keeps only a random token; its SHA-256 maps to a user here.
def ensure_sessions(db: sqlite_utils.Database) -> None:
    db.execute(_SESSIONS_DDL)


def insert_session(db: sqlite_utils.Database, token_hash: str, username: str, expires_at: str) -> None:
    ensure_sessions(db)
    db.execute("DELETE FROM sessions WHERE expires_at <= ?", [now_iso()])
    db.execute(
        "INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES (?,?,?,?)",
        [token_hash, username, now_iso(), expires_at],
    )


def session_user(db: sqlite_utils.Database, token_hash: str, now: str) -> dict | None:
    """The active user ({username, role}) a live session token belongs to, read from users on every call."""
    ensure_sessions(db)
    row = db.execute(
        "SELECT u.username, u.role FROM sessions s JOIN users u ON u.username = s.username"
        " WHERE s.token_hash = ? AND s.expires_at > ? AND u.active = 1",
        [token_hash, now],
    ).fetchone()
    return {"username": row[0], "role": row[1]} if row else None


def delete_session(db: sqlite_utils.Database, token_hash: str) -> str | None:
    """End one session; returns its user name (None if there was none)."""
    ensure_sessions(db)
    row = db.execute("SELECT username FROM sessions WHERE token_hash = ?", [token_hash]).fetchone()
    db.execute("DELETE FROM sessions WHERE token_hash = ?", [token_hash])
    return row[0] if row else None


def delete_user_sessions(db: sqlite_utils.Database, username: str) -> None:
    ensure_sessions(db)
    db.execute("DELETE FROM sessions WHERE username = ?", [username])


# Audit reading (issue 6).
def audit_entries(
    db: sqlite_utils.Database,
    user: str | None = None,
    actions: Iterable[str] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Audit records newest first: id, at (ISO local time), user, action, target, detail, before, after.

    ``date_from``/``date_to`` are 'YYYY-MM-DD', both inclusive.
    """
    where, params = [], []
    if user:
        where.append("user = ?")
        params.append(user)
    if actions is not None:
        acts = list(actions)
        where.append(f"action IN ({','.join('?' * len(acts))})")
        params += acts
    if date_from:
        where.append("at >= ?")
        params.append(date_from)
    if date_to:
        where.append("substr(at, 1, 10) <= ?")
        params.append(date_to)
    sql = "SELECT id, at, user, action, target, detail, before, after FROM audit"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id DESC"
    if limit:
        sql += " LIMIT ?"
        params.append(int(limit))
    return _frame(db, sql, params)


def audit_facets(db: sqlite_utils.Database) -> tuple[list[str], list[str]]:
    """(users, actions) that occur in the audit log, for filters."""
    us = [r[0] for r in db.execute("SELECT DISTINCT user FROM audit WHERE user IS NOT NULL ORDER BY user")]
    acts = [r[0] for r in db.execute("SELECT DISTINCT action FROM audit ORDER BY action")]
    return us, acts


# Backup and restore (issue 6): SQLite's online backup API gives a consistent copy while others write.
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
    except sqlite3.DatabaseError as e:
        return [str(e)]
    if rows != ["ok"]:
        return rows
    missing = {"meta", "metric_values", "batches", "users", "audit"} - tables
    return [f"missing table {t}" for t in sorted(missing)]


def create_private(path: str | os.PathLike) -> None:
    """Create an empty file readable and writable by its owner only (0600), if it does not exist yet; SQLite gives
    the -wal and -shm files the database file's permissions (issue 12)."""
    try:
        os.close(os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


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


# Restore checks (issue 12.4): a backup must be one of our stores, of this version or older, before it may replace
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
MIGRATED_COLUMNS = {("batch_rejects", "row_json"): 2}
_SESSIONS_DDL = (
    "CREATE TABLE IF NOT EXISTS sessions (token_hash TEXT PRIMARY KEY, username TEXT NOT NULL,"
    " created_at TEXT NOT NULL, expires_at TEXT NOT NULL)"
)


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
        try:
            found = int(row[0]) if row else None
        except (TypeError, ValueError):
            found = None
        if found is None or found < 1:
            return [("backup.err.no_version", {})]
        if found > SCHEMA_VERSION:
            return [("backup.err.newer", {"found": found, "ours": SCHEMA_VERSION})]
        problems = []
        for table, want in expected_schema().items():
            if table not in tables:
                continue
            have = {r[1]: (r[3], r[5], r[4]) for r in conn.execute(f"PRAGMA table_info({table})")}
            lacking = [c for c in want if c not in have and MIGRATED_COLUMNS.get((table, c), 0) <= found]
            wrong_key = [c for c, (_, pk) in want.items() if c in have and have[c][1] != pk]
            unfillable = [c for c, (nn, pk, dflt) in have.items() if c not in want and nn and dflt is None and not pk]
            if lacking or wrong_key or unfillable:
                problems.append(
                    (
                        "backup.err.columns",
                        {"table": table, "detail": ", ".join(lacking + wrong_key + unfillable)},
                    )
                )
        return problems
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
