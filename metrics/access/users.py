"""Users and roles: accounts, their argon2id password hashes, role checks, the command line's actor (PRODUCT §7).

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile) and checked with
argon2's own verify; an unknown user name is verified against a dummy hash so the time taken does not reveal which
names exist. Every change to a user is written to the audit log in the same transaction as the change.
"""

from __future__ import annotations

import re
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from metrics import i18n, store

# commission (委员会 / 卫健委): reads every hospital of a group or region store, writes nothing; it holds
# what a viewer holds and no more.
ROLES = ("viewer", "commission", "editor", "admin")
_RANK = {"viewer": 0, "commission": 0, "editor": 1, "admin": 2}
ALL_HOSPITAL_ROLES = ("commission", "admin")  # see every hospital without a grant
MIN_PASSWORD = 8
FIRST_ADMIN_CMD = ".venv/bin/python -m metrics users add admin --role admin"
_USERNAME = re.compile(r"[\w.@-]{1,64}")
_hasher = PasswordHasher()  # argon2id
_dummy_lock = threading.Lock()

_dummy_hash: str | None = None


class AuthError(i18n.Refusal):
    """A refused user operation; ``key`` is an i18n key, ``fmt`` its fields."""


@dataclass(frozen=True)
class User:
    """Who a live session belongs to, read from the users table."""

    username: str
    role: str


def has_role(role: str | None, needed: str) -> bool:
    """True when ``role`` is at least ``needed`` (viewer < editor < admin); unknown roles hold nothing."""
    return _RANK.get(role or "", -1) >= _RANK[needed]


def hash_password(password: str) -> str:
    """An argon2id hash string ($argon2id$v=19$...) with a fresh random salt."""
    return _hasher.hash(password)


def verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def dummy_verify(password: str) -> bool:
    """Spend the time a real verify would, so unknown user names answer as slowly as known ones; always False."""
    global _dummy_hash
    with _dummy_lock:
        if _dummy_hash is None:
            _dummy_hash = _hasher.hash(secrets.token_urlsafe(16))
    verify(_dummy_hash, password)
    return False


def _check_username(username: str) -> str:
    name = (username or "").strip()
    if not _USERNAME.fullmatch(name):
        raise AuthError("auth.err.username")
    return name


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise AuthError("auth.err.role", role=role, roles=" / ".join(ROLES))
    return role


def _check_password(password: str) -> str:
    if password is None or len(password) < MIN_PASSWORD:
        raise AuthError("auth.err.password_short", n=MIN_PASSWORD)
    return password


def existing(db, username: str) -> dict:
    row = store.user_row(db, username)
    if row is None:
        raise AuthError("auth.err.no_user", user=username)
    return row


def _public(row: dict) -> dict:
    return {k: row[k] for k in ("username", "role", "active", "failed_count", "locked_until") if k in row}


def add_user(username: str, password: str, role: str = "viewer", actor: str | None = None, db_path=None) -> None:
    """Create a user with an argon2id hash of ``password``; refuses an existing name, weak password, bad role."""
    name, role = _check_username(username), _check_role(role)
    pw_hash = hash_password(_check_password(password))
    with store.opened(db_path) as db, db.atomic():
        if store.user_row(db, name) is not None:
            raise AuthError("auth.err.exists", user=name)
        store.insert_user(db, name, pw_hash, role)
        store.audit_log(db, actor, "user.add", name, after={"username": name, "role": role})


def set_password(username: str, password: str, actor: str | None = None, db_path=None) -> None:
    """Replace a user's password, clear its lock, and end its sessions."""
    pw_hash = hash_password(_check_password(password))
    with store.opened(db_path) as db, db.atomic():
        existing(db, username)
        store.update_user(db, username, password_hash=pw_hash, failed_count=0, locked_until=None)
        store.clear_signin_attempts(db, username)
        store.delete_user_sessions(db, username)
        store.audit_log(db, actor, "user.passwd", username)


def set_role(username: str, role: str, actor: str | None = None, db_path=None) -> None:
    """Change a user's role; the last admin cannot be demoted."""
    role = _check_role(role)
    with store.opened(db_path) as db, db.atomic():
        row = existing(db, username)
        if row["role"] == "admin" and role != "admin" and store.count_admins(db) <= 1:
            raise AuthError("auth.err.last_admin")
        store.update_user(db, username, role=role)
        store.delete_user_sessions(db, username)  # a new role starts from a new sign-in, in every browser
        store.audit_log(db, actor, "user.role", username, before={"role": row["role"]}, after={"role": role})


def remove_user(username: str, actor: str | None = None, db_path=None) -> None:
    """Delete a user and its sessions; the last admin cannot be removed."""
    with store.opened(db_path) as db, db.atomic():
        row = existing(db, username)
        if row["role"] == "admin" and store.count_admins(db) <= 1:
            raise AuthError("auth.err.last_admin")
        store.delete_user(db, username)
        store.audit_log(db, actor, "user.remove", username, before=_public(row))


def unlock_user(username: str, actor: str | None = None, db_path=None) -> None:
    """Clear a user's failed sign-ins and lock."""
    with store.opened(db_path) as db, db.atomic():
        row = existing(db, username)
        store.update_user(db, username, failed_count=0, locked_until=None)
        store.clear_signin_attempts(db, username)
        store.audit_log(db, actor, "user.unlock", username, before=_public(row))


def list_users(db_path=None) -> pd.DataFrame:
    """Users (never their hashes): username, role, created_at, failed_count, locked_until, active."""
    with store.opened(db_path) as db:
        return store.users(db)


def admin_exists(db_path=None) -> bool:
    with store.opened(db_path) as db:
        return store.count_admins(db) > 0


def iso_seconds(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


def cli_actor(as_user: str | None = None, needed: str = "admin", db_path=None) -> str:
    """The audit name for a CLI action; raises AuthError when ``as_user`` does not hold ``needed``."""
    import getpass

    try:
        os_user = getpass.getuser()
    except (KeyError, OSError):
        os_user = "unknown"
    if as_user is None:
        return f"cli:{os_user}"
    with store.opened(db_path) as db:
        row = store.user_row(db, as_user)
    if row is None or not row["active"] or not has_role(row["role"], needed):
        raise AuthError("auth.cli.not_admin", user=as_user)
    return f"{as_user} (cli:{os_user})"
