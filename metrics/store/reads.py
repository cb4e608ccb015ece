"""Reads for pipelines and pages: data tables as frames, filtered in SQL; aggregates pages need."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator

import pandas as pd
import sqlite_utils

from metrics import contract
from metrics.store.schema import now_iso

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


def _where(*conds: tuple[str, object]) -> tuple[str, list]:
    """(' WHERE a AND b' or '', its parameters) from (condition, value) pairs, kept in order.

    A condition ending in ' IN' takes an iterable of values (None: no condition; empty: matches nothing); any other
    holds one '?' and is left out when its value is empty (None or '').
    """
    where, params = [], []
    for cond, value in conds:
        if cond.endswith(" IN"):
            if value is None:
                continue
            vs = list(value)
            where.append(f"{cond} ({','.join('?' * len(vs))})")
            params += vs
        elif value:
            where.append(cond)
            params.append(value)
    return (" WHERE " + " AND ".join(where) if where else ""), params


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
    where, params = _where(
        ("metric IN", metrics), ("month >= ?", month_from), ("month <= ?", month_to), ("dept_code IN", dept_codes)
    )
    sql = "SELECT dept_code, month, metric, value FROM metric_values" + where
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
    where, params = _where(("month IN", ms), ("dept_code != ?", contract.HOSPITAL_CODE))
    cur = db.execute("SELECT DISTINCT month, dept_code FROM metric_values" + where, params)
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
    where, params = _where(
        ("event_date >= ?", date_from),
        ("event_date <= ?", date_to),
        ("dept_code IN", dept_codes),
        ("status = ?", status),
    )
    sql = "SELECT event_id, event_date, dept_code, kind, indicator, description, evidence, office, status FROM events"
    sql += where
    return _frame(db, sql + " ORDER BY event_date, event_id", params)


def award_changes(db: sqlite_utils.Database, dept_codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Award status changes: dept_code, year, status, changed_on, rectify_until, note (ordered by date)."""
    where, params = _where(("dept_code IN", dept_codes))
    sql = "SELECT dept_code, year, status, changed_on, rectify_until, note FROM award_changes" + where
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
    from metrics.store.engine import is_server

    if is_server(str(path)):
        raise ValueError("bulk_load writes SQLite stores only (the bench's synthetic stores)")
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
