"""Which store a path or URL names, and the PostgreSQL connection (PRODUCT §9).

A file path or ``sqlite:///path`` is the embedded SQLite store: a fresh ``sqlite3`` connection per call, opened by
``schema.connect`` exactly as before (no pool: what SQLAlchemy's NullPool would do, without a layer between the
store and the sqlite3 features it uses — the backup API, PRAGMAs, ``isolation_level=None``).

``postgresql://…`` is a server: one SQLAlchemy engine per URL (cached; a QueuePool of psycopg 3 connections), and
``PgDb``, a small wrapper that gives the store the interface it uses on SQLite (``execute`` returning a cursor,
``atomic()``, ``conn.executemany``, ``conn.close()``, ``db[table].exists()``), turning the store's ``?``
placeholders into psycopg's. Every write transaction (``atomic()``, ``begin_write``) takes one advisory lock first,
so writers queue one after another as SQLite's single writer does.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import threading
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import numpy as np
import psycopg
import sqlalchemy as sa
from psycopg.adapt import Dumper
from sqlalchemy.engine import make_url
from sqlalchemy.pool import QueuePool

# The advisory lock every write transaction takes on PostgreSQL (an arbitrary constant: "integrity" in ASCII).
WRITE_LOCK = 0x696E74656772
SERVER_SCHEMES = ("postgresql", "postgres")


def is_server(target) -> bool:
    """True when ``target`` names a PostgreSQL store (postgresql://, postgresql+psycopg://, postgres://)."""
    return isinstance(target, str) and target.split(":", 1)[0].split("+", 1)[0] in SERVER_SCHEMES


def sqlite_file(target: str | os.PathLike) -> Path:
    """The file a path or ``sqlite:///path`` URL names."""
    s = os.fspath(target)
    if s.startswith("sqlite:"):
        db = make_url(s).database
        if not db:
            raise ValueError("sqlite: URL without a file")
        return Path(db)
    return Path(s)


# A password written as a parameter: ``?password=…``/``&password=…`` in a URL's query (libpq takes it there too) or
# ``password=…`` in a libpq key=value string, quoted ('…', with \' inside) or not.
_PASSWORD_PARAM = re.compile(r"(?i)(\b(?:password|passwd|pwd)\s*=\s*)('(?:[^'\\]|\\.)*'|[^&\s]+)")
_USERINFO = re.compile(r"(://[^/@:\s]*:)([^@/\s]*)(@)")


def masked(target) -> str:
    """A store for logs and messages: a path as it is, any password in it hidden as *** — the userinfo form
    (``user:pw@``), a ``password=`` query parameter, and a libpq key=value string's ``password=``."""
    return hide_passwords(str(target))


def hide_passwords(text: str) -> str:
    """``text`` (a store URL, or a message that may quote one) with every password written in it as ***."""
    return _USERINFO.sub(r"\1***\3", _PASSWORD_PARAM.sub(r"\1***", text))


def libpq_target(target: str) -> tuple[str, str | None]:
    """(the URL without any password, the password or None): for tools (pg_dump, pg_restore) that get the password
    by environment, so that it never appears on a command line, where every local user reads it (ps)."""
    u = make_url(target)
    password = None if u.password is None else str(u.password)
    query = dict(u.query)
    for key in [k for k in query if k.lower() == "password"]:
        value = query.pop(key)
        password = password or (value[-1] if isinstance(value, tuple) else value)
    # URL.set(password=None) keeps the password (None means "unchanged" there): build the URL anew
    bare = sa.URL.create("postgresql", u.username, None, u.host, u.port, u.database, query)
    return bare.render_as_string(hide_password=False), password


def _sa_url(target: str) -> sa.URL:
    url = make_url(target)
    return url.set(drivername="postgresql+psycopg")


_engines: dict[str, sa.Engine] = {}
_engines_lock = threading.Lock()


def engine(target: str) -> sa.Engine:
    """The cached engine for a PostgreSQL URL (a small pool; a dead pooled connection is replaced on checkout)."""
    with _engines_lock:
        eng = _engines.get(target)
        if eng is None:
            eng = sa.create_engine(
                _sa_url(target), poolclass=QueuePool, pool_size=4, max_overflow=12, pool_pre_ping=True
            )
            _engines[target] = eng
        return eng


def dispose(target) -> None:
    """Close the pooled connections of a PostgreSQL store (before dropping or restoring its database)."""
    if not is_server(target):
        return
    with _engines_lock:
        eng = _engines.pop(target, None)
    if eng is not None:
        eng.dispose()


# --- parameters: the store hands sqlite3-style values; psycopg gets the same meaning ---------------------------


class _IntDumper(Dumper):
    """bool and numpy integers as PostgreSQL integers (SQLite stores True as 1; the schema's flags are INTEGER)."""

    oid = psycopg.postgres.types["int8"].oid

    def dump(self, obj) -> bytes:
        return str(int(obj)).encode()


class _FloatDumper(Dumper):
    oid = psycopg.postgres.types["float8"].oid

    def dump(self, obj) -> bytes:
        return repr(float(obj)).encode()


class _TextDumper(Dumper):
    """str as an untyped literal, as SQLite takes it: PostgreSQL gives it the column's type ('2024' → INTEGER)."""

    oid = 0

    def dump(self, obj) -> bytes:
        return obj.encode()


def _adapt(conn: psycopg.Connection) -> None:
    for t in (bool, np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32):
        conn.adapters.register_dumper(t, _IntDumper)
    conn.adapters.register_dumper(np.float32, _FloatDumper)
    conn.adapters.register_dumper(str, _TextDumper)


_PLACEHOLDER = re.compile(r"'[^']*'|\"[^\"]*\"|\?|%")


@lru_cache(maxsize=4096)
def pg_sql(sql: str) -> str:
    """The store's SQL with psycopg's placeholders: ``?`` → ``%s``, a literal ``%`` → ``%%`` (quotes left alone)."""

    def sub(m: re.Match) -> str:
        t = m.group(0)
        return "%s" if t == "?" else t.replace("%", "%%")  # psycopg reads % inside quotes too

    return _PLACEHOLDER.sub(sub, sql)


def _params(params):
    if params is None:
        return None
    if isinstance(params, dict):
        return params
    return list(params)


class _Table:
    def __init__(self, db: PgDb, name: str):
        self.db, self.name = db, name

    def exists(self) -> bool:
        return self.db.execute("SELECT to_regclass(?) IS NOT NULL", [self.name]).fetchone()[0]


class _Conn:
    """What the store reaches through ``db.conn``: executemany, close, in_transaction."""

    def __init__(self, db: PgDb):
        self._db = db

    def executemany(self, sql: str, rows) -> psycopg.Cursor:
        cur = self._db.raw.cursor()
        cur.executemany(pg_sql(sql), [list(r) for r in rows])
        return cur

    def execute(self, sql: str, params=None) -> psycopg.Cursor:
        return self._db.execute(sql, params)

    def commit(self) -> None:
        """Nothing to do: outside ``atomic()`` every statement commits (autocommit, like sqlite3's
        ``isolation_level=None``)."""

    @property
    def in_transaction(self) -> bool:
        return self._db.raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    def close(self) -> None:
        self._db.close()


@contextlib.contextmanager
def all_or_nothing(db, begin, commit) -> Iterator:
    """The body of a top-level write transaction, all or nothing: ``begin()``; on any error, or when ``commit()``
    itself fails, ``db.rollback()`` and the error goes on. Both stores' ``atomic()`` (PgDb here, store.schema's
    Database for SQLite) differ only in how they begin and commit."""
    begin()
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    try:
        commit()
    except BaseException:
        db.rollback()
        raise


class PgDb:
    """One PostgreSQL connection from the pool, in autocommit mode outside ``atomic()`` (as the SQLite store's
    ``isolation_level=None``); ``close()`` hands it back."""

    dialect = "postgresql"

    def __init__(self, target: str):
        self.target = target
        try:
            self._proxy = engine(target).raw_connection()
        except sa.exc.DBAPIError as e:  # the driver's own error, as SQLite's are raised
            raise (e.orig or e) from None
        self.raw: psycopg.Connection = self._proxy.driver_connection
        if self.raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            self.raw.rollback()
        self.raw.autocommit = True
        _adapt(self.raw)
        self.conn = _Conn(self)

    def execute(self, sql: str, params=None) -> psycopg.Cursor:
        cur = self.raw.cursor()
        p = _params(params)
        if p is None or (not p and "?" not in sql):
            cur.execute(sql)
        else:
            cur.execute(pg_sql(sql), p)
        return cur

    def __getitem__(self, name: str) -> _Table:
        return _Table(self, name)

    @contextlib.contextmanager
    def atomic(self) -> Iterator[PgDb]:
        """One write transaction holding the store's write lock (nested: a savepoint), as sqlite_utils' atomic."""
        if self.conn.in_transaction:
            sp = f"sp_{secrets.token_hex(8)}"
            self.raw.execute(f"SAVEPOINT {sp}")
            try:
                yield self
            except BaseException:
                if self.raw.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS or (
                    self.raw.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
                ):
                    self.raw.execute(f"ROLLBACK TO SAVEPOINT {sp}")
                    self.raw.execute(f"RELEASE SAVEPOINT {sp}")
                raise
            else:
                self.raw.execute(f"RELEASE SAVEPOINT {sp}")
            return
        with all_or_nothing(self, self.begin_write, lambda: self.raw.execute("COMMIT")):
            yield self

    def begin_write(self) -> None:
        """BEGIN and take the write lock (held to COMMIT or ROLLBACK): SQLite's BEGIN IMMEDIATE."""
        self.raw.execute("BEGIN")
        self.raw.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])

    def rollback(self) -> None:
        if self.raw.closed:
            return
        if self.raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            self.raw.execute("ROLLBACK")

    def close(self) -> None:
        proxy, self._proxy = self._proxy, None
        if proxy is not None:
            with contextlib.suppress(Exception):
                self.rollback()
            proxy.close()


def dialect(db) -> str:
    """'postgresql' or 'sqlite' for an open store."""
    return getattr(db, "dialect", "sqlite")


# --- one schema text, two dialects ----------------------------------------------------------------------------


@lru_cache(maxsize=8)
def pg_ddl(sqlite_ddl: str) -> str:
    """The store's SQLite DDL as PostgreSQL DDL: REAL → DOUBLE PRECISION (float4 would lose digits), AUTOINCREMENT
    → an identity column, TEXT compared byte by byte (COLLATE "C": sorts and ranges as SQLite's BINARY)."""
    out = re.sub(
        r"\bINTEGER PRIMARY KEY AUTOINCREMENT\b", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", sqlite_ddl
    )
    out = re.sub(r"\bREAL\b", "DOUBLE PRECISION", out)
    out = re.sub(r"\bTEXT\b", 'TEXT COLLATE "C"', out)
    return out


# A restore's scratch database: integrity_restore_<tag of the live database>_<time>. The tag keeps another store's
# on the same server apart; the form without it is what earlier versions made.
SCRATCH_PREFIX = "integrity_restore_"
RESTORE_LOCK = 0x696E7472657374  # a session advisory lock the restore holds on the live store while it runs
_LEGACY_SCRATCH = re.compile(r"integrity_restore_\d{8}_\d{6}_\d{6}")


def pg_scratch_tag(db) -> str:
    return hashlib.sha256(db.execute("SELECT current_database()").fetchone()[0].encode()).hexdigest()[:8]


def pg_sweep_scratch(db, held: bool = False) -> list[str]:
    """Drop the scratch databases a killed restore of this store left (whole copies of the store: staff, password
    hashes): names tagged for this database, or untagged, that no session uses. Never while a restore runs (its
    lock is taken; ``held``: the caller, a restore, holds it). Returns the names dropped."""
    if not held and not db.execute("SELECT pg_try_advisory_lock(?)", [RESTORE_LOCK]).fetchone()[0]:
        return []
    try:
        mine = re.compile(re.escape(SCRATCH_PREFIX + pg_scratch_tag(db)) + r"_\d{8}_\d{6}_\d{6}")
        names = [
            r[0]
            for r in db.execute(
                "SELECT datname FROM pg_database d WHERE datname LIKE 'integrity\\_restore\\_%'"
                " AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)"
            ).fetchall()
            if mine.fullmatch(r[0]) or _LEGACY_SCRATCH.fullmatch(r[0])
        ]
        for name in names:
            pg_drop_database(db, name)
        return names
    finally:
        if not held:
            db.execute("SELECT pg_advisory_unlock(?)", [RESTORE_LOCK])


def pg_drop_database(db, name: str) -> None:
    if not name.replace("_", "").isalnum():
        raise ValueError(name)
    db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
