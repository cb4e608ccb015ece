"""Transactions and rows: the write transaction taken at its start (``immediate``), and the small helpers every
store module uses to read rows and frames."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

import pandas as pd
import sqlite_utils

from metrics.store.engine import dialect


def now_iso() -> str:
    return datetime.now().isoformat(timespec="seconds")


BUSY_WAIT_S = 30.0  # how long a writer waits for another's write to end (the busy timeout, then the retries)


def begin_immediate(conn: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE, waiting for another process's write to end. The busy timeout covers the wait; a BUSY that
    still comes back (SQLite skips the busy handler when waiting could deadlock, e.g. a WAL recovery by another
    process) is retried until BUSY_WAIT_S has passed."""
    deadline = time.monotonic() + BUSY_WAIT_S
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as e:
            if ("locked" not in str(e) and "busy" not in str(e)) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def begin_write(db) -> None:
    """Start a write transaction that holds the write lock from its first statement (``store.immediate``)."""
    if dialect(db) == "postgresql":
        db.begin_write()
    else:
        begin_immediate(db.conn)


@contextmanager
def immediate(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One write transaction taken at its start (SQLite: BEGIN IMMEDIATE; PostgreSQL: BEGIN and the advisory write
    lock, engine.begin_write): what it reads cannot change before it commits."""
    begin_write(db)
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


# Rows turned into a frame at a time: a result of millions of rows never exists as Python tuples all at once
# (1.8 million metric values took 900 MB that way). Smaller results are one chunk, as before.
FRAME_CHUNK_ROWS = 250_000


def _one(db: sqlite_utils.Database, sql: str, params: Iterable | dict = ()) -> dict | None:
    """The first row of ``sql`` as {column: value}, or None when there is none."""
    cur = db.execute(sql, params)
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row)) if row else None


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
            where.append(_in_list(cond[: -len(" IN")], vs))
            params += vs
        elif value:
            where.append(cond)
            params.append(value)
    return (" WHERE " + " AND ".join(where) if where else ""), params


def _in_list(col: str, values) -> str:
    """``col IN (?, …)`` for ``values``; for none, a condition that matches nothing (``IN ()`` is SQLite's only)."""
    return f"{col} IN ({','.join('?' * len(values))})" if len(values) else "1 = 0"
