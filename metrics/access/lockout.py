"""Sign-in with lockout (PRODUCT §7): failed sign-ins are counted per (account, client); enough of them lock that
client out of that account for a while, and slow the account down for every other client that has not signed in to
it lately. Unknown names are counted the same way under a keyed digest, so answers never tell which names exist.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from metrics import i18n, store
from metrics.access import users

MAX_FAILURES = 5  # failed sign-ins from one client before that client is locked out of the account
LOCK_MINUTES = 15
ACCOUNT_SLOWDOWN_MAX_S = 60  # the longest an account-wide slow-down makes anyone wait
TRUSTED_DAYS = 30  # a client that signed in to an account this recently is not slowed down by others' failures
AUDIT_ANON_PER_CLIENT = 20  # failed sign-ins audited per client per LOCK_MINUTES
AUDIT_ANON_GLOBAL = 60  # failed sign-ins audited in all per LOCK_MINUTES
NAME_DIGEST_CHARS = 8  # an unknown name is kept only as this many hex digits of a keyed digest
SIGNIN_SECRET_META = "signin_secret"
TRUSTED_PROXY_ENV = "INTEGRITY_TRUSTED_PROXY"


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
    window, now_s = users.iso_seconds(now - timedelta(minutes=LOCK_MINUTES)), users.iso_seconds(now)
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
    """Check a user name and password from ``client`` (see ``client_id``); PRODUCT §7.

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
    now_s, window = users.iso_seconds(now), users.iso_seconds(now - timedelta(minutes=LOCK_MINUTES))
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
            if last_success <= users.iso_seconds(now - timedelta(days=TRUSTED_DAYS)):
                total, last = store.signin_account_failures(db, key, window)
                if total >= MAX_FAILURES and last:
                    gap = min(2 ** (total - MAX_FAILURES), ACCOUNT_SLOWDOWN_MAX_S)
                    wait = (datetime.fromisoformat(last) + timedelta(seconds=gap) - now).total_seconds()
                    if wait > 0:
                        return SignIn(False, "wait", wait_seconds=math.ceil(wait))
            failures += 1
            until = users.iso_seconds(now + timedelta(minutes=LOCK_MINUTES)) if failures >= MAX_FAILURES else None
            store.set_signin_attempt(db, key, client, failures=failures, last_failure=now_s, locked_until=until)
            if row is not None:
                count = store.record_failed_signin(db, name)
                if until:
                    store.update_user(db, name, locked_until=until)
            store.forget_signin_attempts(db, users.iso_seconds(now - timedelta(days=TRUSTED_DAYS)))
        ok = users.verify(row["password_hash"], password) if row is not None else users.dummy_verify(password)
        with store.immediate(db):
            if ok:
                fields = {"failed_count": 0, "locked_until": None}
                if users._hasher.check_needs_rehash(row["password_hash"]):
                    fields["password_hash"] = users.hash_password(password)
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
