"""Users, sessions, sign-in attempts and the audit log (PRODUCT §7). The password hash never leaves
this module except to metrics.access for verification.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import pandas as pd
import sqlite_utils

from metrics.store.schema import _SESSIONS_DDL
from metrics.store.tx import _frame, _one, _where, now_iso

# ---------------------------------------------------------------------------------------------
# Users and audit (PRODUCT §7)
# ---------------------------------------------------------------------------------------------


def audit_log(
    db: sqlite_utils.Database,
    user: str | None,
    action: str,
    target: str | None = None,
    detail: dict | None = None,
    before: dict | None = None,
    after: dict | None = None,
    hospital: str = "",
) -> None:
    """Append one audit record (who, when, what, before/after, the hospital it wrote: '' in a one-hospital store or
    for region-wide records). Call in the same transaction as the change."""
    db.execute(
        'INSERT INTO audit (at, "user", action, target, detail, before, after, hospital_code) VALUES (?,?,?,?,?,?,?,?)',
        [
            now_iso(),
            user,
            action,
            target,
            None if detail is None else json.dumps(detail, ensure_ascii=False, default=str),
            None if before is None else json.dumps(before, ensure_ascii=False, default=str),
            None if after is None else json.dumps(after, ensure_ascii=False, default=str),
            hospital or "",
        ],
    )


# Users (PRODUCT §7): the password hash never leaves this module except to metrics.access for verification.
USER_FIELDS = ("password_hash", "role", "failed_count", "locked_until", "active")


def user_row(db: sqlite_utils.Database, username: str) -> dict | None:
    """One user's row (with its password hash, for metrics.access only), or None."""
    return _one(db, "SELECT * FROM users WHERE username = ?", [username])


def users(db: sqlite_utils.Database) -> pd.DataFrame:
    """Users without their hashes: username, role, created_at, failed_count, locked_until, active."""
    return _frame(
        db, "SELECT username, role, created_at, failed_count, locked_until, active FROM users ORDER BY username"
    )


# Hospitals and grants (PRODUCT §9): the hospital list is a data table (written through the one write path as the
# ``hospitals`` kind); grants are account data, written by metrics.access only.


def hospitals(db: sqlite_utils.Database) -> pd.DataFrame:
    """The store's hospitals: hospital_code, name_zh, name_en, sort — by sort, then code. Empty in a one-hospital
    store (its rows all lie under '')."""
    return _frame(
        db,
        "SELECT hospital_code, name_zh, COALESCE(name_en, '') AS name_en, sort FROM hospitals"
        " ORDER BY CASE WHEN sort IS NULL THEN 1 ELSE 0 END, sort, hospital_code",
    )


def hospital_codes(db: sqlite_utils.Database) -> tuple[str, ...]:
    """The hospital codes in list order; () in a one-hospital store."""
    return tuple(
        r[0]
        for r in db.execute(
            "SELECT hospital_code FROM hospitals ORDER BY CASE WHEN sort IS NULL THEN 1 ELSE 0 END, sort, hospital_code"
        )
    )


def user_hospitals(db: sqlite_utils.Database, username: str | None = None) -> pd.DataFrame:
    """Grants: username, hospital_code (one user's when ``username`` is given), by user then hospital."""
    sql = "SELECT username, hospital_code FROM user_hospitals"
    params: list = []
    if username is not None:
        sql += " WHERE username = ?"
        params = [username]
    return _frame(db, sql + " ORDER BY username, hospital_code", params)


def grant_hospitals(db: sqlite_utils.Database, username: str, codes: list[str]) -> list[str]:
    """Grant ``codes`` to ``username``; returns the codes newly granted. Call in a transaction with its audit."""
    new = []
    for code in codes:
        cur = db.execute(
            "INSERT INTO user_hospitals (username, hospital_code) VALUES (?, ?)"
            " ON CONFLICT (username, hospital_code) DO NOTHING",
            [username, code],
        )
        if cur.rowcount:
            new.append(code)
    return new


def revoke_hospitals(db: sqlite_utils.Database, username: str, codes: list[str] | None = None) -> None:
    """Take back ``codes`` (all of the user's grants when None)."""
    if codes is None:
        db.execute("DELETE FROM user_hospitals WHERE username = ?", [username])
        return
    for code in codes:
        db.execute("DELETE FROM user_hospitals WHERE username = ? AND hospital_code = ?", [username, code])


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


# Sign-in attempts: one row per (account, client); ``account`` is a user name, or "#" and a keyed
# digest for a name that is not a user (so nothing typed into the name box is stored).
def signin_attempt(db: sqlite_utils.Database, account: str, client: str) -> dict | None:
    return _one(
        db,
        "SELECT failures, last_failure, locked_until, last_success FROM signin_attempts WHERE account = ? AND client = ?",
        [account, client],
    )


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
    db.execute("INSERT INTO signin_attempts (account, client) VALUES (?, ?) ON CONFLICT DO NOTHING", [account, client])
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
    db.execute("INSERT INTO audit_budget (scope, window_start) VALUES (?, ?) ON CONFLICT DO NOTHING", [scope, now])
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
    db.execute("UPDATE audit_budget SET used = CASE WHEN used > 0 THEN used - 1 ELSE 0 END WHERE scope = ?", [scope])


def count_skipped_audit(db: sqlite_utils.Database, scope: str, now: str) -> None:
    """One more row left out of the audit log by ``scope``'s budget."""
    db.execute("INSERT INTO audit_budget (scope, window_start) VALUES (?, ?) ON CONFLICT DO NOTHING", [scope, now])
    db.execute("UPDATE audit_budget SET skipped = skipped + 1 WHERE scope = ?", [scope])


def pop_skipped_audit(db: sqlite_utils.Database, scope: str) -> int:
    """How many rows ``scope`` left out since it last said so (and start counting afresh)."""
    row = db.execute("SELECT skipped FROM audit_budget WHERE scope = ?", [scope]).fetchone()
    db.execute("UPDATE audit_budget SET skipped = 0 WHERE scope = ?", [scope])
    return int(row[0]) if row else 0


def count_admins(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1").fetchone()[0]


# Sessions (PRODUCT §7): the browser session keeps only a random token; its SHA-256 maps to a user here.
def ensure_sessions(db: sqlite_utils.Database) -> None:
    db.execute(_SESSIONS_DDL)


def insert_session(
    db: sqlite_utils.Database, token_hash: str, username: str, expires_at: str, created_at: str | None = None
) -> None:
    ensure_sessions(db)
    db.execute("DELETE FROM sessions WHERE expires_at <= ? OR token_hash = ?", [now_iso(), token_hash])
    db.execute(
        "INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES (?,?,?,?)",
        [token_hash, username, created_at or now_iso(), expires_at],
    )


def session_user(db: sqlite_utils.Database, token_hash: str, now: str, created_after: str = "") -> dict | None:
    """The active user ({username, role, expires_at}) a live session token belongs to, read from users on every
    call; ``expires_at`` is the idle deadline, ``created_after`` the oldest sign-in still valid."""
    ensure_sessions(db)
    row = db.execute(
        "SELECT u.username, u.role, s.expires_at FROM sessions s JOIN users u ON u.username = s.username"
        " WHERE s.token_hash = ? AND s.expires_at > ? AND s.created_at > ? AND u.active = 1",
        [token_hash, now, created_after],
    ).fetchone()
    return {"username": row[0], "role": row[1], "expires_at": row[2]} if row else None


def touch_session(db: sqlite_utils.Database, token_hash: str, expires_at: str) -> None:
    """Move a live session's idle deadline on."""
    db.execute("UPDATE sessions SET expires_at = ? WHERE token_hash = ?", [expires_at, token_hash])


def delete_session(db: sqlite_utils.Database, token_hash: str) -> str | None:
    """End one session; returns its user name (None if there was none)."""
    ensure_sessions(db)
    row = db.execute("SELECT username FROM sessions WHERE token_hash = ?", [token_hash]).fetchone()
    db.execute("DELETE FROM sessions WHERE token_hash = ?", [token_hash])
    return row[0] if row else None


def count_user_sessions(db: sqlite_utils.Database, username: str, now: str) -> int:
    ensure_sessions(db)
    return db.execute(
        "SELECT COUNT(*) FROM sessions WHERE username = ? AND expires_at > ?", [username, now]
    ).fetchone()[0]


def delete_user_sessions(db: sqlite_utils.Database, username: str) -> None:
    ensure_sessions(db)
    db.execute("DELETE FROM sessions WHERE username = ?", [username])


# Audit reading (PRODUCT §7).
def audit_entries(
    db: sqlite_utils.Database,
    user: str | None = None,
    actions: Iterable[str] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Audit records newest first: id, at (ISO local time), user, action, target, detail, before, after, hospital_code
    ('' in a one-hospital store and for what every hospital shares).

    ``date_from``/``date_to`` are 'YYYY-MM-DD', both inclusive.
    """
    where, params = _where(
        ('"user" = ?', user), ("action IN", actions), ("at >= ?", date_from), ("substr(at, 1, 10) <= ?", date_to)
    )
    sql = 'SELECT id, at, "user", action, target, detail, before, after, hospital_code FROM audit' + where
    sql += " ORDER BY id DESC"
    if limit:
        sql += " LIMIT ?"
        params.append(int(limit))
    return _frame(db, sql, params)


def audit_facets(db: sqlite_utils.Database) -> tuple[list[str], list[str]]:
    """(users, actions) that occur in the audit log, for filters."""
    us = [r[0] for r in db.execute('SELECT DISTINCT "user" FROM audit WHERE "user" IS NOT NULL ORDER BY "user"')]
    acts = [r[0] for r in db.execute("SELECT DISTINCT action FROM audit ORDER BY action")]
    return us, acts
