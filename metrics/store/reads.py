"""Reads for pages: data tables as frames, filtered in SQL; aggregates pages need. One write too: ``bulk_load``,
the bench's synthetic stores, which bypasses the journal and the validator (never a user's data)."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator

import pandas as pd
import sqlite_utils

from metrics import contract
from metrics.store.engine import is_server
from metrics.store.schema import bump_data_version, connect
from metrics.store.tx import _frame, _in_list, _where, now_iso

# Hospitals (PRODUCT §9). Every read of a hospital-scoped table takes ``hospital``: one code (a str; '' is the
# one hospital of a one-hospital store) or a tuple of codes. One code reads the table's columns as before; a tuple
# adds hospital_code as the first column (a region's rows side by side).
Hospital = str | tuple[str, ...]


def hospital_tuple(hospital: Hospital) -> tuple[str, ...]:
    """``hospital`` as a tuple of codes ('' → ('',))."""
    return (hospital,) if isinstance(hospital, str) else tuple(hospital)


def _hosp_col(hospital: Hospital) -> str:
    """'hospital_code, ' when several hospitals are read (a tuple), else ''."""
    return "" if isinstance(hospital, str) else "hospital_code, "


def hospital_rows(
    db: sqlite_utils.Database, table: str, columns: str, order: str, hospital: Hospital, *conds: tuple[str, object]
) -> pd.DataFrame:
    """``columns`` of the hospital-scoped ``table`` for ``hospital`` (a tuple: several hospitals', each row led by its
    hospital_code), filtered by ``conds`` (tx._where pairs) too, in ``order`` — where ``{h}`` places the hospital
    column when several are read. Every kind's table is read this one way; table and columns are ours, never input."""
    where, params = _where(("hospital_code IN", hospital_tuple(hospital)), *conds)
    h = _hosp_col(hospital)
    return _frame(db, f"SELECT {h}{columns} FROM {table}{where} ORDER BY {order.format(h=h)}", params)


def is_empty(db: sqlite_utils.Database, hospital: Hospital | None = None) -> bool:
    """True when no department and no metric value is stored (for ``hospital``; None: in the whole store)."""
    if hospital is None:
        sql, params = "SELECT (SELECT COUNT(*) FROM departments) + (SELECT COUNT(*) FROM metric_values)", []
    else:
        codes = hospital_tuple(hospital)
        q = _in_list("hospital_code", codes)
        sql = f"SELECT (SELECT COUNT(*) FROM departments WHERE {q}) + (SELECT COUNT(*) FROM metric_values WHERE {q})"
        params = [*codes, *codes]
    return db.execute(sql, params).fetchone()[0] == 0


# ---------------------------------------------------------------------------------------------
# Reading data tables (used by pipelines and pages)
# ---------------------------------------------------------------------------------------------


def departments(db: sqlite_utils.Database, active_only: bool = False, hospital: Hospital = "") -> pd.DataFrame:
    """Departments of ``hospital``, one row each: dept_code, dept_name, category, party_branch, staff_count,
    party_members, active."""
    where, params = _where(("hospital_code IN", hospital_tuple(hospital)), ("active = ?", 1 if active_only else None))
    sql = (
        f"SELECT {_hosp_col(hospital)}dept_code, dept_name, category, party_branch, staff_count, party_members,"
        " active, is_demo FROM departments"
    )
    return _frame(db, sql + where + f" ORDER BY {_hosp_col(hospital)}dept_code", params)


def metric_values(
    db: sqlite_utils.Database,
    metrics: Iterable[str] | None = None,
    month_from: str | None = None,
    month_to: str | None = None,
    dept_codes: Iterable[str] | None = None,
    hospital: Hospital = "",
) -> pd.DataFrame:
    """Long frame dept_code, month ('YYYY-MM'), metric, value of ``hospital``, filtered in SQL."""
    where, params = _where(
        ("hospital_code IN", hospital_tuple(hospital)),
        ("metric IN", metrics),
        ("month >= ?", month_from),
        ("month <= ?", month_to),
        ("dept_code IN", dept_codes),
    )
    sql = f"SELECT {_hosp_col(hospital)}dept_code, month, metric, value FROM metric_values" + where
    # Small chunks: every column is NOT NULL, so each chunk gets the same dtypes, and a page loading a year of a
    # region's values (200,000 rows) holds 50,000 rows as Python objects at a time, not all of them.
    return _frame(db, sql + f" ORDER BY {_hosp_col(hospital)}dept_code, metric, month", params, chunk_rows=50_000)


def month_range(db: sqlite_utils.Database, hospital: Hospital = "") -> tuple[str | None, str | None]:
    """(first, last) month with any metric value of ``hospital``."""
    where, params = _where(("hospital_code IN", hospital_tuple(hospital)))
    row = db.execute("SELECT MIN(month), MAX(month) FROM metric_values" + where, params).fetchone()
    return row[0], row[1]


def reporting_departments(db: sqlite_utils.Database, months: Iterable[str], hospital: str = "") -> dict[str, set[str]]:
    """Per month, the departments (not 全院) of ``hospital`` with any metric value stored for it."""
    ms = sorted(set(months))
    out: dict[str, set[str]] = {m: set() for m in ms}
    if not ms:
        return out
    where, params = _where(
        ("hospital_code IN", (hospital,)), ("month IN", ms), ("dept_code != ?", contract.HOSPITAL_CODE)
    )
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
    hospital: Hospital = "",
) -> pd.DataFrame:
    """Events of ``hospital``: event_id, event_date ('YYYY-MM-DD'), dept_code, kind, indicator, description,
    evidence, office, status, person and post (PRODUCT §10: the unit it names besides its department, or None)."""
    where, params = _where(
        ("hospital_code IN", hospital_tuple(hospital)),
        ("event_date >= ?", date_from),
        ("event_date <= ?", date_to),
        ("dept_code IN", dept_codes),
        ("status = ?", status),
    )
    sql = (
        f"SELECT {_hosp_col(hospital)}event_id, event_date, dept_code, kind, indicator, description, evidence, office,"
        " status, person, post FROM events" + where
    )
    return _frame(db, sql + f" ORDER BY {_hosp_col(hospital)}event_date, event_id", params)


def award_changes(
    db: sqlite_utils.Database, dept_codes: Iterable[str] | None = None, hospital: Hospital = ""
) -> pd.DataFrame:
    """Award status changes of ``hospital``: dept_code, year, status, changed_on, rectify_until, note (by date)."""
    where, params = _where(("hospital_code IN", hospital_tuple(hospital)), ("dept_code IN", dept_codes))
    sql = (
        f"SELECT {_hosp_col(hospital)}dept_code, year, status, changed_on, rectify_until, note FROM award_changes"
        + where
    )
    return _frame(db, sql + f" ORDER BY {_hosp_col(hospital)}dept_code, changed_on, year", params)


def targets(db: sqlite_utils.Database, hospital: str = "") -> pd.DataFrame:
    """Targets that apply in ``hospital``: metric, dept_code ('' = hospital-wide), effective_from ('YYYY-MM'),
    target, direction. The shipped defaults lie under hospital ''; a hospital's own row for the same (metric,
    dept_code, effective_from) replaces the default."""
    rows = _frame(
        db,
        "SELECT hospital_code, metric, dept_code, effective_from, target, direction FROM targets"
        " WHERE hospital_code IN (?, ?) ORDER BY metric, dept_code, effective_from, hospital_code",
        ["", hospital],
    )
    if hospital:
        rows = rows.drop_duplicates(["metric", "dept_code", "effective_from"], keep="last").reset_index(drop=True)
    return rows.drop(columns="hospital_code")


def calendar_days(db: sqlite_utils.Database, year: int | None = None) -> pd.DataFrame:
    """The office's holiday schedule (PRODUCT §4.1): date ('YYYY-MM-DD'), kind ('off' 休 | 'work' 班), name
    ('' when none); one year's when ``year`` is given. Rules take it as ``workdays.Calendar.from_frame(...)``."""
    sql = "SELECT date, kind, COALESCE(name, '') AS name FROM calendar_days"
    params: list = []
    if year is not None:
        sql += " WHERE date BETWEEN ? AND ?"
        params = [f"{int(year):04d}-01-01", f"{int(year):04d}-12-31"]
    return _frame(db, sql + " ORDER BY date", params)


# --- programme work (PRODUCT §8) -----------------------------------------------------------


def tasks(db: sqlite_utils.Database, hospital: Hospital = "") -> pd.DataFrame:
    """Key tasks of ``hospital``: task_code, title, category, lead_dept, responsible (codes joined by ','), due_on, status
    (not_started | in_progress | done | cancelled), progress, updated_on, metric; by due date, then code."""
    return hospital_rows(
        db,
        "tasks",
        "task_code, title, category, lead_dept, responsible, due_on, status, progress, updated_on, metric",
        "{h}due_on, task_code",
        hospital,
    )


def notices(db: sqlite_utils.Database, hospital: Hospital = "") -> pd.DataFrame:
    """Rectification notices of ``hospital``: notice_no, notice_type, dept_code, issued_on, due_on, issue, event_id, status
    (rectifying | rectified | closed), closed_on; by issue date, then number."""
    return hospital_rows(
        db,
        "notices",
        "notice_no, notice_type, dept_code, issued_on, due_on, issue, event_id, status, closed_on",
        "{h}issued_on, notice_no",
        hospital,
    )


def activities(db: sqlite_utils.Database, hospital: Hospital = "") -> pd.DataFrame:
    """The 四清 activities of ``hospital`` (PRODUCT §10): activity_no, brand, held_on, departments (codes joined by
    ','), title, participants, notice_no; by date, then number."""
    return hospital_rows(
        db,
        "activities",
        "activity_no, brand, held_on, departments, title, participants, notice_no",
        "{h}held_on, activity_no",
        hospital,
    )


def staff(db: sqlite_utils.Database, hospital: Hospital = "") -> pd.DataFrame:
    """The staff roster of ``hospital`` (personal data, PRODUCT §8): staff_id, name, dept_code, in_dept_since,
    active."""
    return hospital_rows(
        db, "staff", "staff_id, name, dept_code, in_dept_since, active", "{h}dept_code, staff_id", hospital
    )


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
# Aggregates for pages (add queries here)
# ---------------------------------------------------------------------------------------------


def months_with_data(db: sqlite_utils.Database, hospital: Hospital = "") -> list[str]:
    """Every month ('YYYY-MM') holding a metric value of ``hospital``, oldest first.

    Answered from the covering index idx_metric_values_month with SQLite's skip-ahead DISTINCT, never by loading
    the values into pandas (about 2 ms at 1.8 million stored values).
    """
    where, params = _where(("hospital_code IN", hospital_tuple(hospital)))
    return [r[0] for r in db.execute("SELECT DISTINCT month FROM metric_values" + where + " ORDER BY month", params)]


def metric_value_chunks(
    db: sqlite_utils.Database,
    departments_per_chunk: int = 500,
    month_to: str | None = None,
    month_from: str | None = None,
    hospital: str = "",
) -> Iterator[pd.DataFrame]:
    """Long metric values (as ``metric_values``) a group of departments at a time, each department's whole series
    in one chunk (HOSP included), so a computation over every series never holds the whole store.

    Consume it while ``db`` is open.
    """
    codes = [
        r[0]
        for r in db.execute(
            "SELECT DISTINCT dept_code FROM metric_values WHERE hospital_code = ? ORDER BY dept_code", [hospital]
        )
    ]
    for i in range(0, len(codes), departments_per_chunk):
        yield metric_values(
            db,
            dept_codes=codes[i : i + departments_per_chunk],
            month_from=month_from,
            month_to=month_to,
            hospital=hospital,
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


def bulk_load(
    path: str | os.PathLike, tables: dict[str, Iterable[tuple]], note: str, hospital: str = "", analyze: bool = True
) -> int:
    """A write, though it sits among the reads: load synthetic rows (tuples in ``_BULK_COLUMNS`` order) of
    ``hospital`` straight into a store, bypassing the journal and the validator; the number of rows written.

    For the benchmark's generated stores only (bench/synth.py, bench/region.py): one transaction, one batch record
    naming ``note`` and the hospital, the data version bumped, then (``analyze``) ANALYZE. SQLite: ``executemany`` with synchronous
    off, ``INSERT OR IGNORE``, a WAL checkpoint. PostgreSQL (a region's 100 hospitals): ``COPY … FROM
    STDIN`` per table under the write lock (rows must be new: COPY has no ON CONFLICT).
    """
    if is_server(str(path)):
        return _bulk_load_pg(str(path), tables, note, hospital, analyze)
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN")
        n = 0
        for table, rows in tables.items():
            cols = ("hospital_code", *_BULK_COLUMNS[table])
            cur = conn.executemany(
                f"INSERT OR IGNORE INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                ((hospital, *r) for r in rows),
            )
            n += max(cur.rowcount, 0)
        conn.execute(
            'INSERT INTO batches (file_name, sha256, kind, "user", created_at, rows_new, hospital_code)'
            " VALUES (?,?,?,?,?,?,?)",
            (note, None, "metrics", "bench", now_iso(), n, hospital),
        )
        conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'data_version'")
        conn.execute("COMMIT")
        if analyze:
            conn.execute("ANALYZE")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return n


def _bulk_load_pg(url: str, tables: dict[str, Iterable[tuple]], note: str, hospital: str, analyze: bool) -> int:
    db = connect(url)
    try:
        n = 0
        with db.atomic():
            cur = db.raw.cursor()
            for table, rows in tables.items():
                cols = ("hospital_code", *_BULK_COLUMNS[table])
                with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                    for r in rows:
                        copy.write_row((hospital, *r))
                        n += 1
            db.execute(
                'INSERT INTO batches (file_name, sha256, kind, "user", created_at, rows_new, hospital_code)'
                " VALUES (?,?,?,?,?,?,?)",
                (note, None, "metrics", "bench", now_iso(), n, hospital),
            )
            bump_data_version(db)
        if analyze:
            db.execute("ANALYZE")
    finally:
        db.close()
    return n


# --- page edits of targets and catalogues go through importer.commit_rows: a batch like an upload,
# named so, journalled, can be rolled back, and a later rollback of an earlier upload cannot silently undo it.

EDIT_FILE_NAME = "页面编辑 page edit"


# --- the region overview (PRODUCT §9): one query per measure over every hospital asked for, grouped by hospital ---
# A region of 100 hospitals never loads a hospital's frames one at a time: each read below is one statement over
# the hospitals ``hospitals`` (a tuple of codes) returning a row per hospital (or per hospital and status). Only
# departments in a hospital's department list count, as on its own overview.


def _in(codes: tuple[str, ...]) -> str:
    return f"({','.join('?' * len(codes))})" if codes else "(NULL)"


def region_metric(
    db: sqlite_utils.Database,
    hospitals: tuple[str, ...],
    metric: str,
    month_from: str,
    month_to: str,
    aggregate: str = "mean",
) -> pd.DataFrame:
    """Per hospital the hospital figure of department-scope ``metric`` over the months from..to, as its overview
    computes it: each department's mean (or total, ``aggregate='sum'``) of its months, then their mean (or total).
    Columns hospital_code, value, n_depts; a hospital without a value has no row."""
    agg = "SUM" if aggregate == "sum" else "AVG"
    codes = tuple(hospitals)
    sql = (
        f"SELECT v.hospital_code, {agg}(v.value) AS value, COUNT(*) AS n_depts FROM ("
        f" SELECT mv.hospital_code, mv.dept_code, {agg}(mv.value) AS value FROM metric_values mv"
        " JOIN departments d ON d.hospital_code = mv.hospital_code AND d.dept_code = mv.dept_code"
        f" WHERE mv.hospital_code IN {_in(codes)} AND mv.metric = ? AND mv.month >= ? AND mv.month <= ?"
        " GROUP BY mv.hospital_code, mv.dept_code) v GROUP BY v.hospital_code ORDER BY v.hospital_code"
    )
    return _frame(db, sql, [*codes, metric, month_from, month_to])


def region_notices(
    db: sqlite_utils.Database, hospitals: tuple[str, ...], today: str, due_from: str, due_to: str
) -> pd.DataFrame:
    """Per hospital its notices not closed (``n_open``), those overdue on ``today`` (past due, not closed) and, of
    those, the ones due from..to (``late_in``: their automatic W03 warning falls in the period that holds the day
    after): hospital_code, n_open, overdue, late_in."""
    codes = tuple(hospitals)
    sql = (
        "SELECT n.hospital_code, SUM(CASE WHEN n.status <> 'closed' THEN 1 ELSE 0 END) AS n_open,"
        " SUM(CASE WHEN n.status <> 'closed' AND n.due_on < ? THEN 1 ELSE 0 END) AS overdue,"
        " SUM(CASE WHEN n.status <> 'closed' AND n.due_on < ? AND n.due_on >= ? AND n.due_on <= ? THEN 1 ELSE 0 END)"
        " AS late_in FROM notices n"
        " JOIN departments d ON d.hospital_code = n.hospital_code AND d.dept_code = n.dept_code"
        f" WHERE n.hospital_code IN {_in(codes)} GROUP BY n.hospital_code ORDER BY n.hospital_code"
    )
    return _frame(db, sql, [today, today, due_from, due_to, *codes])


def region_tasks(db: sqlite_utils.Database, hospitals: tuple[str, ...], today: str) -> pd.DataFrame:
    """Per hospital its key tasks: total, done, overdue on ``today`` (past due, neither done nor cancelled):
    hospital_code, total, done, overdue."""
    codes = tuple(hospitals)
    sql = (
        "SELECT hospital_code, COUNT(*) AS total, SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END) AS done,"
        " SUM(CASE WHEN status NOT IN ('done', 'cancelled') AND due_on IS NOT NULL AND due_on <> '' AND due_on < ?"
        f" THEN 1 ELSE 0 END) AS overdue FROM tasks WHERE hospital_code IN {_in(codes)}"
        " GROUP BY hospital_code ORDER BY hospital_code"
    )
    return _frame(db, sql, [today, *codes])


def region_awards(
    db: sqlite_utils.Database, hospitals: tuple[str, ...], year: int, as_of: str, order: tuple[str, ...]
) -> pd.DataFrame:
    """清廉科室 states per hospital for award ``year`` as of ``as_of``, as ``rules.award_status`` judges a department:
    its latest change for the year up to as_of (ties by process ``order``), else 'rectifying' when its latest change
    of any year is a rectification, else 'not_applied'. Every department of the list counts: hospital_code, status,
    n."""
    codes = tuple(hospitals)
    rank = "CASE status " + " ".join(f"WHEN ? THEN {i}" for i in range(len(order))) + " ELSE -1 END"
    latest = (
        "SELECT hospital_code, dept_code, status, ROW_NUMBER() OVER (PARTITION BY hospital_code, dept_code"
        f" ORDER BY changed_on DESC, {rank} DESC) AS rn FROM award_changes"
        f" WHERE hospital_code IN {_in(codes)} AND changed_on <= ?"
    )
    sql = (
        f"WITH y AS ({latest} AND year = ?), a AS ({latest})"
        " SELECT s.hospital_code, s.status, COUNT(*) AS n FROM (SELECT d.hospital_code,"
        " COALESCE(y.status, CASE WHEN a.status = 'rectifying' THEN 'rectifying' END, 'not_applied') AS status"
        " FROM departments d"
        " LEFT JOIN y ON y.hospital_code = d.hospital_code AND y.dept_code = d.dept_code AND y.rn = 1"
        " LEFT JOIN a ON a.hospital_code = d.hospital_code AND a.dept_code = d.dept_code AND a.rn = 1"
        f" WHERE d.hospital_code IN {_in(codes)}) s GROUP BY s.hospital_code, s.status"
        " ORDER BY s.hospital_code, s.status"
    )
    params = [*order, *codes, as_of, int(year), *order, *codes, as_of, *codes]
    return _frame(db, sql, params)


def region_period_values(
    db: sqlite_utils.Database, hospitals: tuple[str, ...], month_from: str, month_to: str
) -> pd.DataFrame:
    """Per hospital, department (HOSP too) and metric the months from..to in one aggregate: hospital_code, dept_code,
    metric, mean, total, n_months — what ``pipelines.period_values`` makes of a period's months, for a region's
    lights without reading every month's rows. Departments of the list and the hospital-wide row only."""
    codes = tuple(hospitals)
    sql = (
        "SELECT mv.hospital_code, mv.dept_code, mv.metric, AVG(mv.value) AS mean, SUM(mv.value) AS total,"
        " COUNT(mv.value) AS n_months FROM metric_values mv"
        f" WHERE {_in_list('mv.hospital_code', codes)} AND mv.month >= ? AND mv.month <= ? AND mv.value IS NOT NULL"
        " AND (mv.dept_code = ? OR EXISTS (SELECT 1 FROM departments d"
        " WHERE d.hospital_code = mv.hospital_code AND d.dept_code = mv.dept_code))"
        " GROUP BY mv.hospital_code, mv.dept_code, mv.metric ORDER BY mv.hospital_code, mv.dept_code, mv.metric"
    )
    return _frame(db, sql, [*codes, month_from, month_to, contract.HOSPITAL_CODE])


def region_all_targets(db: sqlite_utils.Database, hospitals: tuple[str, ...]) -> pd.DataFrame:
    """Every target in force in each of ``hospitals``, as ``targets(db, hospital)`` gives one hospital's, side by side:
    hospital_code, metric, dept_code, effective_from, target, direction (the shipped defaults under '' repeated for
    every hospital, a hospital's own row replacing the default of the same metric, department and month)."""
    codes = tuple(hospitals)
    rows = _frame(
        db,
        "SELECT hospital_code, metric, dept_code, effective_from, target, direction FROM targets"
        f" WHERE {_in_list('hospital_code', ('', *codes))} ORDER BY metric, dept_code, effective_from",
        ["", *codes],
    )
    defaults = rows[rows["hospital_code"] == ""].drop(columns="hospital_code")
    spread = defaults.merge(pd.DataFrame({"hospital_code": list(codes)}), how="cross")
    own = rows[rows["hospital_code"] != ""]
    both = pd.concat([spread[list(rows.columns)], own], ignore_index=True)
    key = ["hospital_code", "metric", "dept_code", "effective_from"]
    return both.drop_duplicates(key, keep="last").sort_values(key).reset_index(drop=True)
