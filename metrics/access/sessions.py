"""Server-side sessions (PRODUCT §7): a browser holds only a random token, the store keeps its SHA-256, and the role
is read from the users table on every page run, so nothing a browser carries can raise its role. Whether viewers
must sign in at all is a setting here too.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from datetime import datetime, timedelta

from metrics import store
from metrics.access import users

SESSION_HOURS = 12  # a sign-in lasts a working day at most
SESSION_IDLE_ENV = "INTEGRITY_SESSION_IDLE_MINUTES"
SESSION_IDLE_MINUTES = 120  # ... and ends after this long without a page run
SESSION_TOUCH_S = 60  # the idle deadline is moved at most once a minute (one write, not one per run)
SESSION_COOKIE = "integrity_session"  # the browser's secret; the store keeps only its SHA-256
REQUIRE_LOGIN_ENV = "INTEGRITY_REQUIRE_LOGIN"
REQUIRE_LOGIN_META = "require_login"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_SECRET_OK = re.compile(r"[A-Za-z0-9_-]{32,128}")


def is_session_secret(value: object) -> bool:
    """True for a value a browser's session cookie may hold (anything else is not looked up)."""
    return isinstance(value, str) and bool(_SECRET_OK.fullmatch(value))


def new_token() -> str:
    """A fresh random session token; worth nothing until ``start_session`` stores it for a user."""
    return secrets.token_urlsafe(32)


def idle_limit() -> timedelta:
    """How long a sign-in lasts without a page run: $INTEGRITY_SESSION_IDLE_MINUTES, else 120 minutes."""
    try:
        minutes = float(os.environ.get(SESSION_IDLE_ENV, "") or SESSION_IDLE_MINUTES)
    except ValueError:
        minutes = SESSION_IDLE_MINUTES
    return timedelta(minutes=max(minutes, 0.05))


def start_session(username: str, db_path=None, now: datetime | None = None, token: str | None = None) -> str:
    """A session for a user who has just signed in; returns its token. ``token`` is the browser's secret (its
    cookie), so the sign-in belongs to that browser; the store keeps only its hash."""
    token = token or new_token()
    now = now or datetime.now()
    with store.opened(db_path) as db, db.atomic():
        store.insert_session(
            db, _token_hash(token), username, users.iso_seconds(now + idle_limit()), created_at=users.iso_seconds(now)
        )
    return token


def session_user(token: str | None, db_path=None, now: datetime | None = None) -> users.User | None:
    """The user a session token belongs to, with the role as stored now; None if unknown, idle too long, older
    than SESSION_HOURS or its user removed. A live session's idle deadline moves on."""
    if not token or not isinstance(token, str):
        return None
    now = now or datetime.now()
    idle = idle_limit()
    with store.opened(db_path) as db:
        row = store.session_user(
            db, _token_hash(token), users.iso_seconds(now), users.iso_seconds(now - timedelta(hours=SESSION_HOURS))
        )
        if row and row["expires_at"] < users.iso_seconds(now + idle - timedelta(seconds=SESSION_TOUCH_S)):
            store.touch_session(db, _token_hash(token), users.iso_seconds(now + idle))
    return users.User(row["username"], row["role"]) if row else None


def end_user_sessions(username: str, actor: str | None = None, db_path=None) -> int:
    """An administrator signs a user out everywhere (every browser, every tab); returns how many sign-ins ended."""
    with store.opened(db_path) as db, db.atomic():
        users.existing(db, username)
        n = store.count_user_sessions(db, username, users.iso_seconds(datetime.now()))
        store.delete_user_sessions(db, username)
        store.audit_log(db, actor or username, "user.sessions_ended", username, after={"sessions": n})
    return n


def end_session(token: str | None, db_path=None) -> None:
    """Sign out: forget the session server-side (audited)."""
    if not token or not isinstance(token, str):
        return
    with store.opened(db_path) as db, db.atomic():
        who = store.delete_session(db, _token_hash(token))
        if who:
            store.audit_log(db, who, "signout", who)


def login_required(db_path=None) -> bool:
    """Whether viewers must sign in: $INTEGRITY_REQUIRE_LOGIN (1/true/yes/0/false/no) wins, else the store's
    meta key ``require_login``; default no (viewers may browse, editing always needs a sign-in)."""
    env = os.environ.get(REQUIRE_LOGIN_ENV, "").strip().lower()
    if env:
        return env in ("1", "true", "yes", "on")
    with store.opened(db_path) as db:
        return (store.get_meta(db, REQUIRE_LOGIN_META) or "0") == "1"


def set_login_required(required: bool, actor: str | None = None, db_path=None, expected: bool | None = None) -> bool:
    """Store whether viewers must sign in; True when it changed (audited), False when it was already so.

    ``expected`` (compare-and-set): the value the caller showed; when the store holds another value
    (someone changed it meanwhile) nothing is written and False is returned."""
    with store.opened(db_path) as db, store.immediate(db):
        before = (store.get_meta(db, REQUIRE_LOGIN_META) or "0") == "1"
        if (expected is not None and before != expected) or before == bool(required):
            return False
        store.set_meta(db, REQUIRE_LOGIN_META, "1" if required else "0")
        store.audit_log(
            db,
            actor,
            "config.require_login",
            REQUIRE_LOGIN_META,
            before={"value": "1" if before else "0"},
            after={"value": bool(required)},
        )
        return True


def login_required_by_env() -> bool:
    """True when $INTEGRITY_REQUIRE_LOGIN decides (the admins' toggle then cannot change it)."""
    return bool(os.environ.get(REQUIRE_LOGIN_ENV, "").strip())
