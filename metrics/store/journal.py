"""Writing through batches: every change journals its old row so a rollback restores it exactly; the
batch list, rejects, revert, clear — one write path per kind ends here (the bench's bulk load, which skips it, is
in reads).
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from itertools import repeat
from operator import itemgetter

import pandas as pd
import sqlite_utils

from metrics import contract
from metrics.store.accounts import audit_log
from metrics.store.engine import dialect
from metrics.store.reads import hospital_tuple
from metrics.store.schema import bump_data_version, set_meta
from metrics.store.tx import _frame, _in_list, _one, now_iso

# ---------------------------------------------------------------------------------------------
# Writing through batches (ingest): every change records its old row so rollback restores it.
# ---------------------------------------------------------------------------------------------


def fetch_rows(db: sqlite_utils.Database, table: str, keys: list[tuple]) -> dict[tuple, dict]:
    """Current rows of ``table`` for the given natural keys, as {key: row-dict}."""
    key_cols = _key_columns(table)
    out: dict[tuple, dict] = {}
    if not keys:
        return out
    if table == "metric_values":
        return _fetch_metric_values(db, keys)
    if dialect(db) == "postgresql":
        return _fetch_rows_pg(db, table, keys)
    # The keys go into a temp table with one column per key column, and each key is looked up through the
    # table's primary key: the cost follows the file's rows, not the store's (a 200-row month file
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


def _fetch_rows_pg(db, table: str, keys: list[tuple]) -> dict[tuple, dict]:
    """fetch_rows on PostgreSQL: the keys as OR-ed primary-key lookups, a few hundred at a time (the key values are
    sent untyped, so '2024' finds the INTEGER 2024 as SQLite's column affinity does)."""
    key_cols = _key_columns(table)
    one = "(" + " AND ".join(f"t.{c} = ?" for c in key_cols) + ")"
    out: dict[tuple, dict] = {}
    uniq = list(dict.fromkeys(tuple(k) for k in keys))
    for i in range(0, len(uniq), 500):
        part = uniq[i : i + 500]
        cur = db.execute(
            f"SELECT t.* FROM {table} t WHERE " + " OR ".join([one] * len(part)), [v for k in part for v in k]
        )
        cols = [d[0] for d in cur.description]
        for row in cur.fetchall():
            rec = dict(zip(cols, row))
            out[tuple(rec[c] for c in key_cols)] = rec
    return out


def _fetch_metric_values(db: sqlite_utils.Database, keys: list[tuple]) -> dict[tuple, dict]:
    """Stored values for (hospital_code, dept_code, month, metric) keys: per hospital and department of the keys,
    the primary key's range over the keys' months, kept where the key was asked for. A history file (72,000 values)
    reads its departments' months in one pass instead of looking each value up; a month file reads one month per
    department."""
    wanted = {tuple(k) for k in keys}
    out = {}
    for hosp in sorted({k[0] for k in wanted}):
        depts = sorted({k[1] for k in wanted if k[0] == hosp})
        months = [k[2] for k in wanted if k[0] == hosp]
        if dialect(db) == "postgresql":  # the departments as one array parameter, each looked up by the key's index
            cur = db.execute(
                "SELECT t.dept_code, t.month, t.metric, t.value FROM metric_values t WHERE t.hospital_code = ?"
                " AND t.dept_code = ANY(CAST(? AS TEXT[])) AND t.month BETWEEN ? AND ?",
                [hosp, depts, min(months), max(months)],
            )
        else:
            cur = db.execute(
                "SELECT t.dept_code, t.month, t.metric, t.value FROM json_each(?) d CROSS JOIN metric_values t"
                " WHERE t.hospital_code = ? AND t.dept_code = d.value AND t.month BETWEEN ? AND ?",
                [json.dumps(depts, ensure_ascii=False), hosp, min(months), max(months)],
            )
        for d, m, metric, v in cur.fetchall():
            key = (hosp, d, m, metric)
            if key in wanted:
                out[key] = {"hospital_code": hosp, "dept_code": d, "month": m, "metric": metric, "value": v}
    return out


def find_batch_by_sha(db: sqlite_utils.Database, sha256: str, hospital: str = "") -> dict | None:
    """The committed batch that already holds a file with this SHA-256 for ``hospital`` or for every hospital ('':
    a catalogue, the holidays), if any (the same file uploaded for another hospital is not a duplicate)."""
    return _one(
        db,
        "SELECT * FROM batches WHERE sha256 = ? AND hospital_code IN (?, '') AND status = 'committed'"
        " ORDER BY batch_id DESC LIMIT 1",
        [sha256, hospital],
    )


def insert_batch(db: sqlite_utils.Database, **fields) -> int:
    fields.setdefault("created_at", now_iso())
    cols = list(fields)
    names = ", ".join(f'"{c}"' for c in cols)  # quoted: "user" is a keyword of PostgreSQL's
    cur = db.execute(
        f"INSERT INTO batches ({names}) VALUES ({', '.join('?' * len(cols))}) RETURNING batch_id",
        [fields[c] for c in cols],
    )
    return int(cur.fetchone()[0])


# The text json.dumps(x, ensure_ascii=False, default=str) writes, without building an encoder per call (a
# history file journals hundreds of thousands of values).
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
    key_cols = _key_columns(table)
    if key_cols[0] == "hospital_code" and not all("hospital_code" in new for _old, new in changes):
        # a row written without its hospital belongs to the one hospital of a one-hospital store ('')
        changes = [(old, new if "hospital_code" in new else {"hospital_code": "", **new}) for old, new in changes]
    start = db.execute("SELECT COALESCE(MAX(seq), 0) FROM batch_changes WHERE batch_id = ?", [batch_id]).fetchone()[0]
    # Rows with the same columns are encoded column by column (a history file: 72,000 rows of four columns; a
    # call per value took most of the journal's time).
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
        # In key order: the B-tree pages fill one after another (a history file comes month by month).
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
    key_cols = _key_columns(table)
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


def batches(
    db: sqlite_utils.Database, limit: int | None = None, hospital: str | tuple[str, ...] | None = None
) -> pd.DataFrame:
    """Batch history, newest first; ``hospital``: only the batches that wrote that hospital (or those)."""
    where, params = "", []
    if hospital is not None:
        codes = hospital_tuple(hospital)
        where, params = f" WHERE {_in_list('hospital_code', codes)}", list(codes)
    sql = "SELECT * FROM batches" + where + " ORDER BY batch_id DESC"
    if limit:
        sql += " LIMIT ?"
        params.append(int(limit))
    return _frame(db, sql, params)


def batch(db: sqlite_utils.Database, batch_id: int) -> dict | None:
    return _one(db, "SELECT * FROM batches WHERE batch_id = ?", [batch_id])


def latest_committed_batch_id(db: sqlite_utils.Database, hospital: str | None = None) -> int | None:
    """The newest committed batch; ``hospital``: the newest that wrote that hospital or what every hospital shares
    ('' — in a one-hospital store every batch), the one a rollback for that hospital would undo."""
    if hospital is None:
        return db.execute("SELECT MAX(batch_id) FROM batches WHERE status = 'committed'").fetchone()[0]
    return db.execute(
        "SELECT MAX(batch_id) FROM batches WHERE status = 'committed' AND hospital_code IN (?, '')", [hospital]
    ).fetchone()[0]


def wrote_shared(db: sqlite_utils.Database, batch_id: int, hospital: str = "") -> bool:
    """Whether a batch's journal holds a row beyond ``hospital``: a row of a table every hospital shares (catalogues,
    calendar, hospital list), or — a guard, the validator allows no such file — a row of another hospital."""
    shared = _tables("region")
    row = db.execute(
        f"SELECT 1 FROM batch_changes WHERE batch_id = ? AND tbl IN ({','.join('?' * len(shared))}) LIMIT 1",
        [batch_id, *shared],
    ).fetchone()
    if row is not None or not hospital:
        return row is not None
    prefix = json.dumps([hospital], ensure_ascii=False)[:-1] + ", "  # every key of its rows: ["H01", …]
    scoped = _tables("hospital")
    row = db.execute(
        f"SELECT 1 FROM batch_changes WHERE batch_id = ? AND tbl IN ({','.join('?' * len(scoped))})"
        " AND substr(key_json, 1, ?) != ? LIMIT 1",
        [batch_id, *scoped, len(prefix), prefix],
    ).fetchone()
    return row is not None


def later_batch(db: sqlite_utils.Database, batch_id: int) -> dict | None:
    """The newest committed batch after ``batch_id`` that may have written rows it wrote, so that undoing it would
    undo a later change too: a batch of the same hospital or a shared one ('': catalogues, calendar,
    hospital list); for a batch that wrote shared rows (its hospital '', or a workbook with a catalogue sheet), any
    later batch. None: the batch can be undone exactly. A batch writes one hospital's rows only (the validator
    refuses a second hospital in a file), and a hospital's code leads every key of its rows."""
    b = batch(db, batch_id)
    if b is None:
        return None
    hosp = b.get("hospital_code") or ""
    if not hosp or wrote_shared(db, batch_id, hosp):
        return _one(
            db,
            "SELECT * FROM batches WHERE batch_id > ? AND status = 'committed' ORDER BY batch_id DESC LIMIT 1",
            [batch_id],
        )
    return _one(
        db,
        "SELECT * FROM batches WHERE batch_id > ? AND status = 'committed' AND hospital_code IN (?, '')"
        " ORDER BY batch_id DESC LIMIT 1",
        [batch_id, hosp],
    )


def batch_rejects(db: sqlite_utils.Database, batch_id: int) -> pd.DataFrame:
    return _frame(
        db,
        "SELECT line, col AS column, value, message, row_json FROM batch_rejects WHERE batch_id = ? ORDER BY "
        + ("ctid" if dialect(db) == "postgresql" else "rowid"),
        [batch_id],
    )


def revert_batch(db: sqlite_utils.Database, batch_id: int, user: str | None) -> int:
    """Undo a batch's journal in reverse order and mark it rolled back; returns rows restored. Call in atomic()."""
    cur = db.execute(
        "SELECT tbl, key_json, old_json FROM batch_changes WHERE batch_id = ? ORDER BY seq DESC", [batch_id]
    )
    n = 0
    keys = contract.table_keys()
    for tbl, key_json, old_json in cur.fetchall():
        key_cols = keys[tbl]
        key = json.loads(key_json)
        if len(key) == len(key_cols) - 1 and key_cols[0] == "hospital_code":  # journalled by v5: the one hospital
            key = ["", *key]
        if old_json is None:
            db.execute(f"DELETE FROM {tbl} WHERE " + " AND ".join(f"{c} = ?" for c in key_cols), key)
        else:
            old = json.loads(old_json)
            if key_cols[0] == "hospital_code":
                old.setdefault("hospital_code", key[0])
            cols = list(old)
            upd = [c for c in cols if c not in key_cols]
            db.execute(
                f"INSERT INTO {tbl} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
                f" ON CONFLICT ({', '.join(key_cols)}) DO "
                + (f"UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in upd)}" if upd else "NOTHING"),
                [old[c] for c in cols],
            )
        n += 1
    db.execute(
        "UPDATE batches SET status = 'rolled_back', rolled_back_at = ?, rolled_back_by = ? WHERE batch_id = ?",
        [now_iso(), user, batch_id],
    )
    return n


def table_frame(db: sqlite_utils.Database, table: str, hospital: str | tuple[str, ...] | None = None) -> pd.DataFrame:
    """A whole table for export (table names from a fixed list only). ``hospital``: only the rows of that hospital
    (or those hospitals) in a table that carries hospital_code (batches and audit too); None: every row."""
    allowed = set(contract.table_keys()) | {"batches", "batch_rejects", "audit", "batch_changes"}
    if table not in allowed:
        raise ValueError(table)
    if hospital is None or not (table in _tables("hospital") or table in ("batches", "audit")):
        return _frame(db, f"SELECT * FROM {table}")
    codes = hospital_tuple(hospital)
    return _frame(db, f"SELECT * FROM {table} WHERE {_in_list('hospital_code', codes)}", codes)


def clear_data(db: sqlite_utils.Database, user: str | None = None, hospital: str | None = None) -> None:
    """Empty the data tables and the batch history (a fresh start); catalogues, default targets, the holiday schedule
    (calendar_days: the State Council's, not demo data) and users stay.
    One transaction with its audit record (action clear_demo, by ``user``) and the data-version bump.
    ``hospital``: empty only that hospital's data tables and its batch history (a batch writes one hospital's rows:
    kept, a rollback of it would bring back rows of the emptied hospital); shared batches ('') stay."""
    if hospital is not None:
        with db.atomic():
            own = "SELECT batch_id FROM batches WHERE hospital_code = ?"
            for tbl in ("batch_changes", "batch_rejects"):
                db.execute(f"DELETE FROM {tbl} WHERE batch_id IN ({own})", [hospital])
            db.execute("DELETE FROM batches WHERE hospital_code = ?", [hospital])
            for tbl in _cleared_tables():
                db.execute(f"DELETE FROM {tbl} WHERE hospital_code = ?", [hospital])
            db.execute(
                "DELETE FROM targets WHERE hospital_code = ? AND (dept_code != '' OR hospital_code != '')", [hospital]
            )
            audit_log(db, user, "clear_demo", target="demo", hospital=hospital)
            bump_data_version(db)
        return
    with db.atomic():
        for tbl in ("batch_changes", "batch_rejects", "batches", *_cleared_tables()):
            db.execute(f"DELETE FROM {tbl}")
        db.execute("DELETE FROM targets WHERE dept_code != '' OR hospital_code != ''")
        db.execute("DELETE FROM hospitals")
        set_meta(db, "demo", None)
        audit_log(db, user, "clear_demo", target="demo")
        bump_data_version(db)


def export_tables() -> tuple[str, ...]:
    """The tables exported as CSV (PRODUCT §4.4): every data table in write order, then the batch history and the
    audit trail."""
    return (*contract.table_keys(), "batches", "audit")


def _key_columns(table: str) -> tuple[str, ...]:
    """The natural key of a data table (the registry of kinds: ``contract.KINDS``)."""
    return contract.kind_of_table(table).key


def _tables(scope: str) -> list[str]:
    """The data tables of kinds of ``scope`` ('hospital': each hospital's own rows; 'region': shared), write order."""
    return [k.table for k in contract.write_order() if k.scope == scope]


def _cleared_tables() -> list[str]:
    """The hospital-scoped tables a clear empties, last written first; targets apart (the shipped defaults stay)."""
    return [t for t in reversed(_tables("hospital")) if t != "targets"]
