"""Users, roles, sign-in with lockout, server-side sessions, and the upload size limit (PRODUCT §7).

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile) and checked with
argon2's own verify; a sign-in for an unknown user verifies against a dummy hash so the time taken does not
reveal which user names exist. Five consecutive failures lock the account for 15 minutes.

A browser session holds only a random token; the store keeps its SHA-256 and the role is read from the users
table on every page run, so nothing a browser session carries can raise its role.

Every change to users and every sign-in (success or failure) is written to the audit log in the same
transaction as the change.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from metrics import i18n, store
from metrics.ingest import limits

# commission (委员会 / 卫健委, issue 16.3): reads every hospital of a group or region store, writes nothing; it holds
# what a viewer holds and no more.
ROLES = ("viewer", "commission", "editor", "admin")
_RANK = {"viewer": 0, "commission": 0, "editor": 1, "admin": 2}
ALL_HOSPITAL_ROLES = ("commission", "admin")  # see every hospital without a grant

MAX_FAILURES = 5  # failed sign-ins from one client before that client is locked out of the account (issue 12.6)
LOCK_MINUTES = 15
ACCOUNT_SLOWDOWN_MAX_S = 60  # the longest an account-wide slow-down makes anyone wait
TRUSTED_DAYS = 30  # a client that signed in to an account this recently is not slowed down by others' failures
AUDIT_ANON_PER_CLIENT = 20  # failed sign-ins audited per client per LOCK_MINUTES
AUDIT_ANON_GLOBAL = 60  # failed sign-ins audited in all per LOCK_MINUTES
NAME_DIGEST_CHARS = 8  # an unknown name is kept only as this many hex digits of a keyed digest
SIGNIN_SECRET_META = "signin_secret"
TRUSTED_PROXY_ENV = "INTEGRITY_TRUSTED_PROXY"
SESSION_HOURS = 12  # a sign-in lasts a working day at most
SESSION_IDLE_ENV = "INTEGRITY_SESSION_IDLE_MINUTES"
SESSION_IDLE_MINUTES = 120  # ... and ends after this long without a page run
SESSION_TOUCH_S = 60  # the idle deadline is moved at most once a minute (one write, not one per run)
SESSION_COOKIE = "integrity_session"  # the browser's secret; the store keeps only its SHA-256
MIN_PASSWORD = 8
MAX_UPLOAD_MB = limits.MAX_UPLOAD_MB  # declared in metrics/ingest/limits.py; matches server.maxUploadSize
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024

REQUIRE_LOGIN_ENV = "INTEGRITY_REQUIRE_LOGIN"
REQUIRE_LOGIN_META = "require_login"
FIRST_ADMIN_CMD = ".venv/bin/python -m metrics users add admin --role admin"

_USERNAME = re.compile(r"[\w.@-]{1,64}")
_hasher = PasswordHasher()  # argon2id
_dummy_lock = threading.Lock()
_dummy_hash: str | None = None


class AuthError(i18n.Refusal):
    """A refused user operation; ``key`` is an i18n key, ``fmt`` its fields."""


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt: ok, or why not (``reason``: ok | invalid | locked | wait). The same
    answers whether the name exists or not; ``wait_seconds`` says when another try is worth it."""

    ok: bool
    reason: str
    username: str | None = None
    role: str | None = None
    locked_until: str | None = None
    wait_seconds: int | None = None

    def message(self, lang: str = i18n.DEFAULT_LANG) -> str:
        if self.reason == "locked":
            return i18n.t("auth.locked_client", lang, minutes=LOCK_MINUTES, until=(self.locked_until or "")[11:16])
        if self.reason == "wait":
            return i18n.t("auth.wait", lang, seconds=self.wait_seconds or 1)
        return i18n.t("auth.invalid", lang)


@dataclass(frozen=True)
class User:
    """Who a live session belongs to, read from the users table."""

    username: str
    role: str


def has_role(role: str | None, needed: str) -> bool:
    """True when ``role`` is at least ``needed`` (viewer < editor < admin); unknown roles hold nothing."""
    return _RANK.get(role or "", -1) >= _RANK[needed]


# --- password hashing ---------------------------------------------------------------------------


def hash_password(password: str) -> str:
    """An argon2id hash string ($argon2id$v=19$...) with a fresh random salt."""
    return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _dummy_verify(password: str) -> bool:
    """Spend the time a real verify would, so unknown user names answer as slowly as known ones; always False."""
    global _dummy_hash
    with _dummy_lock:
        if _dummy_hash is None:
            _dummy_hash = _hasher.hash(secrets.token_urlsafe(16))
    _verify(_dummy_hash, password)
    return False


# --- user management ----------------------------------------------------------------------------


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


def _existing(db, username: str) -> dict:
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
        _existing(db, username)
        store.update_user(db, username, password_hash=pw_hash, failed_count=0, locked_until=None)
        store.clear_signin_attempts(db, username)
        store.delete_user_sessions(db, username)
        store.audit_log(db, actor, "user.passwd", username)


def set_role(username: str, role: str, actor: str | None = None, db_path=None) -> None:
    """Change a user's role; the last admin cannot be demoted."""
    role = _check_role(role)
    with store.opened(db_path) as db, db.atomic():
        row = _existing(db, username)
        if row["role"] == "admin" and role != "admin" and store.count_admins(db) <= 1:
            raise AuthError("auth.err.last_admin")
        store.update_user(db, username, role=role)
        store.delete_user_sessions(db, username)  # a new role starts from a new sign-in, in every browser
        store.audit_log(db, actor, "user.role", username, before={"role": row["role"]}, after={"role": role})


def remove_user(username: str, actor: str | None = None, db_path=None) -> None:
    """Delete a user and its sessions; the last admin cannot be removed."""
    with store.opened(db_path) as db, db.atomic():
        row = _existing(db, username)
        if row["role"] == "admin" and store.count_admins(db) <= 1:
            raise AuthError("auth.err.last_admin")
        store.delete_user(db, username)
        store.audit_log(db, actor, "user.remove", username, before=_public(row))


def unlock_user(username: str, actor: str | None = None, db_path=None) -> None:
    """Clear a user's failed sign-ins and lock."""
    with store.opened(db_path) as db, db.atomic():
        row = _existing(db, username)
        store.update_user(db, username, failed_count=0, locked_until=None)
        store.clear_signin_attempts(db, username)
        store.audit_log(db, actor, "user.unlock", username, before=_public(row))


# --- hospitals (issue 16.3): which hospitals a user may read and write -------------------------------


def readable_hospitals_in(db, user: str | None) -> tuple[str, ...]:
    """``readable_hospitals`` on an open store."""
    codes = store.hospital_codes(db)
    row = store.user_row(db, user) if user else None
    if not codes:  # one hospital: what the role allows, as before (anonymous browsing when sign-in is not required)
        return ("",)
    if row is None or not row["active"]:
        return ()
    if row["role"] in ALL_HOSPITAL_ROLES:
        return codes
    granted = set(store.user_hospitals(db, user)["hospital_code"])
    return tuple(c for c in codes if c in granted)


def writable_hospitals_in(db, user: str | None) -> tuple[str, ...]:
    """``writable_hospitals`` on an open store."""
    row = store.user_row(db, user) if user else None
    if row is None or not row["active"] or not has_role(row["role"], "editor"):
        return ()
    codes = store.hospital_codes(db)
    if not codes:
        return ("",)
    if row["role"] == "admin":
        return codes
    granted = set(store.user_hospitals(db, user)["hospital_code"])
    return tuple(c for c in codes if c in granted)


def readable_hospitals(user: str | None, db_path=None) -> tuple[str, ...]:
    """The hospital codes ``user`` may read, in the store's list order. A one-hospital store (no hospital list): ('',)
    for anyone (its role checks stay as they are). A group store: admins and the commission role every hospital,
    viewers and editors their grants, nobody signed in (or an inactive account) none."""
    with store.opened(db_path) as db:
        return readable_hospitals_in(db, user)


def writable_hospitals(user: str | None, db_path=None) -> tuple[str, ...]:
    """The hospital codes ``user`` may write: editors their grants (('',) in a one-hospital store), admins every
    hospital, viewers, the commission role and nobody signed in none."""
    with store.opened(db_path) as db:
        return writable_hospitals_in(db, user)


def grant_hospitals(username: str, codes: list[str], actor: str | None = None, db_path=None) -> list[str]:
    """Grant ``username`` the hospitals ``codes`` (each must be in the store's hospital list); returns the codes
    newly granted. Audited as ``user.grant``."""
    with store.opened(db_path) as db, db.atomic():
        _existing(db, username)
        known = set(store.hospital_codes(db))
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise AuthError("auth.err.hospital_unknown", code="、".join(unknown))
        new = store.grant_hospitals(db, username, list(codes))
        store.audit_log(db, actor, "user.grant", username, after={"hospitals": list(codes)})
        return new


def revoke_hospitals(username: str, codes: list[str] | None = None, actor: str | None = None, db_path=None) -> None:
    """Take back grants (all of the user's when ``codes`` is None). Audited as ``user.revoke``."""
    with store.opened(db_path) as db, db.atomic():
        _existing(db, username)
        store.revoke_hospitals(db, username, None if codes is None else list(codes))
        store.audit_log(db, actor, "user.revoke", username, before={"hospitals": codes})


def hospital_names(lang: str = i18n.DEFAULT_LANG, db_path=None) -> dict[str, str]:
    """hospital code → its name in ``lang`` (the Chinese name when no English one); {} in a one-hospital store."""
    with store.opened(db_path) as db:
        h = store.hospitals(db)
    col = "name_en" if lang == "en" else "name_zh"
    return {c: (e or z) if col == "name_en" else z for c, z, e in zip(h["hospital_code"], h["name_zh"], h["name_en"])}


def user_grants(db_path=None) -> dict[str, tuple[str, ...]]:
    """username → the hospital codes granted to them (users without a grant are absent)."""
    with store.opened(db_path) as db:
        g = store.user_hospitals(db)
    out: dict[str, tuple[str, ...]] = {}
    for u, h in zip(g["username"], g["hospital_code"], strict=True):
        out[u] = (*out.get(u, ()), h)
    return out


def list_users(db_path=None) -> pd.DataFrame:
    """Users (never their hashes): username, role, created_at, failed_count, locked_until, active."""
    with store.opened(db_path) as db:
        return store.users(db)


def admin_exists(db_path=None) -> bool:
    with store.opened(db_path) as db:
        return store.count_admins(db) > 0


# --- sign-in and sessions -----------------------------------------------------------------------


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


def client_id(ip: str | None, forwarded_for: str | None = None) -> str:
    """Who is signing in, for the lockout: the peer's address, or — only when $INTEGRITY_TRUSTED_PROXY says a
    reverse proxy of ours stands in front — the address that proxy appended last to X-Forwarded-For."""
    ip = ip if isinstance(ip, str) else None  # a test harness may hand over something else
    forwarded_for = forwarded_for if isinstance(forwarded_for, str) else None
    if forwarded_for and os.environ.get(TRUSTED_PROXY_ENV, "").strip().lower() in ("1", "true", "yes", "on"):
        last = forwarded_for.split(",")[-1].strip()
        if last:
            return last[:64]
    return (ip or "unknown")[:64]


def _account_key(db, name: str) -> tuple[str, dict | None]:
    """(the signin_attempts key, the active user's row or None). A name that is not an active user is keyed by a
    short keyed digest, so what was typed (perhaps a password) is never stored, and locks work the same way."""
    row = store.user_row(db, name) if name else None
    if row is not None and row["active"]:
        return name, row
    secret = store.get_meta(db, SIGNIN_SECRET_META)
    if secret is None:
        secret = secrets.token_hex(16)
        store.set_meta(db, SIGNIN_SECRET_META, secret)
    return "#" + hmac.new(secret.encode(), name.encode(), hashlib.sha256).hexdigest()[:NAME_DIGEST_CHARS], None


def _audit_allowed(db, client: str, now: datetime) -> bool:
    """Whether a failed sign-in may write audit rows now: at most AUDIT_ANON_PER_CLIENT per client and
    AUDIT_ANON_GLOBAL in all per LOCK_MINUTES; what is left out is counted and said in the next row written."""
    window, now_s = _iso(now - timedelta(minutes=LOCK_MINUTES)), _iso(now)
    if not store.take_audit_budget(db, "client:" + client, window, now_s, AUDIT_ANON_PER_CLIENT):
        store.count_skipped_audit(db, "*", now_s)
        return False
    if not store.take_audit_budget(db, "*", window, now_s, AUDIT_ANON_GLOBAL):
        store.give_back_audit_budget(db, "client:" + client)
        store.count_skipped_audit(db, "*", now_s)
        return False
    return True


def _with_skipped(db, detail: dict) -> dict:
    skipped = store.pop_skipped_audit(db, "*")
    return {**detail, "unaudited_before": skipped} if skipped else detail


def authenticate(
    username: str, password: str, db_path=None, now: datetime | None = None, client: str | None = None
) -> SignIn:
    """Check a user name and password from ``client`` (see ``client_id``); PRODUCT §7, issue 12.6.

    Check-and-count is atomic: in one write transaction (BEGIN IMMEDIATE) the attempt is refused if this client is
    locked out of this account or the account is being slowed down, and otherwise counted as a failure *before*
    the password is verified (outside the transaction, argon2 takes a while); a right password then takes the
    failure back. So however many guesses arrive at once, at most MAX_FAILURES passwords per (account, client)
    are ever checked per LOCK_MINUTES.

    - MAX_FAILURES failures from one client lock that client out of that account for LOCK_MINUTES; other clients
      are not locked.
    - Account-wide slow-down instead of a hard lock: once the account has had MAX_FAILURES failures from any
      clients within LOCK_MINUTES, each further attempt waits 2^(n - MAX_FAILURES) seconds (at most
      ACCOUNT_SLOWDOWN_MAX_S) after the last failure — except from a client that signed in to the account within
      TRUSTED_DAYS, which is never slowed down by others' failures.
    - Unknown names go through exactly the same counting (keyed by a digest), so answers never tell whether a name
      exists; they are audited as "unknown user" with that digest, never the name itself.
    - Refused attempts (locked, slowed) verify nothing and write no audit row; failed attempts write audit rows
      within a budget (AUDIT_ANON_PER_CLIENT per client, AUDIT_ANON_GLOBAL in all per LOCK_MINUTES).
    """
    now = now or datetime.now()
    now_s, window = _iso(now), _iso(now - timedelta(minutes=LOCK_MINUTES))
    name = (username or "").strip()[:64]
    password = password or ""
    client = (client or "unknown")[:64]
    with store.opened(db_path) as db:
        with store.immediate(db):
            key, row = _account_key(db, name)
            att = store.signin_attempt(db, key, client) or {}
            locked_until = att.get("locked_until")
            if locked_until and locked_until > now_s:
                wait = (datetime.fromisoformat(locked_until) - now).total_seconds()
                return SignIn(False, "locked", locked_until=locked_until, wait_seconds=math.ceil(wait))
            failures = att.get("failures") or 0
            if locked_until or (att.get("last_failure") or "") <= window:
                failures = 0  # an expired lock, or failures long past: count afresh
            last_success = att.get("last_success") or ""
            if last_success <= _iso(now - timedelta(days=TRUSTED_DAYS)):
                total, last = store.signin_account_failures(db, key, window)
                if total >= MAX_FAILURES and last:
                    gap = min(2 ** (total - MAX_FAILURES), ACCOUNT_SLOWDOWN_MAX_S)
                    wait = (datetime.fromisoformat(last) + timedelta(seconds=gap) - now).total_seconds()
                    if wait > 0:
                        return SignIn(False, "wait", wait_seconds=math.ceil(wait))
            failures += 1
            until = _iso(now + timedelta(minutes=LOCK_MINUTES)) if failures >= MAX_FAILURES else None
            store.set_signin_attempt(db, key, client, failures=failures, last_failure=now_s, locked_until=until)
            if row is not None:
                count = store.record_failed_signin(db, name)
                if until:
                    store.update_user(db, name, locked_until=until)
            store.forget_signin_attempts(db, _iso(now - timedelta(days=TRUSTED_DAYS)))
        ok = _verify(row["password_hash"], password) if row is not None else _dummy_verify(password)
        with store.immediate(db):
            if ok:
                fields = {"failed_count": 0, "locked_until": None}
                if _hasher.check_needs_rehash(row["password_hash"]):
                    fields["password_hash"] = hash_password(password)
                store.update_user(db, name, **fields)
                # take back our own failure and those counted before it; guesses that arrived after ours (still
                # being checked) stay counted, so a burst of guesses cannot ride on the owner's success
                later = max(((store.signin_attempt(db, key, client) or {}).get("failures") or 0) - failures, 0)
                store.set_signin_attempt(
                    db,
                    key,
                    client,
                    failures=later,
                    last_failure=now_s if later else None,
                    locked_until=None,
                    last_success=now_s,
                )
                store.audit_log(db, name, "signin.ok", name, detail=_with_skipped(db, {"client": client}))
                return SignIn(True, "ok", name, row["role"])
            if _audit_allowed(db, client, now):
                if row is None:
                    detail = {"reason": "unknown_user", "name_digest": key[1:], "client": client}
                    store.audit_log(db, None, "signin.fail", None, detail=_with_skipped(db, detail))
                else:
                    detail = {"reason": "bad_password", "failed_count": count, "client": client}
                    if until:
                        detail["locked_until"] = until
                    store.audit_log(db, name, "signin.fail", name, detail=_with_skipped(db, detail))
                    if until:
                        after = {"locked_until": until, "failed_count": count, "client": client}
                        store.audit_log(db, name, "user.locked", name, after=after)
        if until:
            return SignIn(False, "locked", locked_until=until, wait_seconds=LOCK_MINUTES * 60)
        return SignIn(False, "invalid")


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
        store.insert_session(db, _token_hash(token), username, _iso(now + idle_limit()), created_at=_iso(now))
    return token


def session_user(token: str | None, db_path=None, now: datetime | None = None) -> User | None:
    """The user a session token belongs to, with the role as stored now; None if unknown, idle too long, older
    than SESSION_HOURS or its user removed. A live session's idle deadline moves on."""
    if not token or not isinstance(token, str):
        return None
    now = now or datetime.now()
    idle = idle_limit()
    with store.opened(db_path) as db:
        row = store.session_user(db, _token_hash(token), _iso(now), _iso(now - timedelta(hours=SESSION_HOURS)))
        if row and row["expires_at"] < _iso(now + idle - timedelta(seconds=SESSION_TOUCH_S)):
            store.touch_session(db, _token_hash(token), _iso(now + idle))
    return User(row["username"], row["role"]) if row else None


def end_user_sessions(username: str, actor: str | None = None, db_path=None) -> int:
    """An administrator signs a user out everywhere (every browser, every tab); returns how many sign-ins ended."""
    with store.opened(db_path) as db, db.atomic():
        _existing(db, username)
        n = store.count_user_sessions(db, username, _iso(datetime.now()))
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

    ``expected`` (compare-and-set, issue 12.10): the value the caller showed; when the store holds another value
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


# --- hardening ----------------------------------------------------------------------------------


def upload_size_error(n_bytes: int, lang: str = i18n.DEFAULT_LANG) -> str | None:
    """The message refusing an upload larger than MAX_UPLOAD_MB, or None when the size is fine."""
    if n_bytes > MAX_UPLOAD_BYTES:
        return i18n.t("auth.upload_too_large", lang, mb=MAX_UPLOAD_MB, size=f"{n_bytes / 1024 / 1024:.1f}")
    return None


# --- command line -------------------------------------------------------------------------------
# The CLI runs on the server as the operator, who can already read and write the store file, so it does not
# ask for an application sign-in. It records the operating-system user as "cli:<name>" in the audit log;
# ``--as NAME`` additionally names the administrator acting, and is refused unless NAME is an active admin.


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


# --- audit log for the admins' page -------------------------------------------------------------


def audit_frame(
    user: str | None = None,
    actions: list[str] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    db_path=None,
) -> pd.DataFrame:
    """Audit records newest first (id, at, user, action, target, detail, before, after), filtered."""
    with store.opened(db_path) as db:
        return store.audit_entries(db, user, actions, date_from, date_to)


def audit_facets(db_path=None) -> tuple[list[str], list[str]]:
    """(users, actions) present in the audit log."""
    with store.opened(db_path) as db:
        return store.audit_facets(db)


def action_label(action: str, lang: str = i18n.DEFAULT_LANG) -> str:
    """An audit action in words (the code itself when no translation exists)."""
    key = f"audit.action.{action}"
    return i18n.t(key, lang) if key in i18n.ZH else action


def audit_csv(frame: pd.DataFrame) -> bytes:
    """The audit records as CSV, UTF-8 with BOM (Excel), every formula-like cell neutralised."""
    from metrics.ingest import export

    return export.csv_bytes(frame)


def login_required_by_env() -> bool:
    """True when $INTEGRITY_REQUIRE_LOGIN decides (the admins' toggle then cannot change it)."""
    return bool(os.environ.get(REQUIRE_LOGIN_ENV, "").strip())
