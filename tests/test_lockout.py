"""A lockout that holds. Check-and-count is atomic (real threads and processes), a stranger cannot lock
an account for its owner, unknown and locked names get the same answer, no secret reaches the audit log, and
anonymous visitors cannot flood the audit log."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher

from metrics import store
from metrics.access import lockout, users
from metrics.views import audit
from tests.conftest import ROOT, store_text

PW = "correct horse 9"
T0 = datetime(2026, 11, 22, 9, 0, 0)


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    # costly enough that concurrent verifications overlap (argon2 releases the GIL), cheap enough to be quick
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=2, memory_cost=8192, parallelism=1))
    monkeypatch.setattr(users, "_dummy_hash", None)


def _checked(db_file) -> int:
    """How many passwords were actually verified against alice's hash (audited ok / bad_password)."""
    log = audit.audit_frame(db_path=db_file)
    fails = log[(log["action"] == "signin.fail") & log["detail"].fillna("").str.contains('"bad_password"')]
    return len(fails) + int((log["action"] == "signin.ok").sum())


def _guess_at_once(passwords: list[str]) -> list:
    """Every password tried for alice at the same moment, one thread each; the results in the order they came."""
    barrier = threading.Barrier(len(passwords))
    results = []

    def guess(pw):
        barrier.wait()
        results.append(lockout.authenticate("alice", pw, client="203.0.113.9"))

    threads = [threading.Thread(target=guess, args=(pw,)) for pw in passwords]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_forty_concurrent_guesses_check_at_most_five_passwords(db_file):
    users.add_user("alice", PW, "editor")
    results = _guess_at_once([*(f"wrong {i}" for i in range(40)), PW])
    assert len(results) == 41
    # at most five wrong passwords checked; a right one among them takes the count back (it signed in), so at most
    # five more wrong ones can follow it: ten checks in all, one of them the right password
    most = lockout.MAX_FAILURES * (2 if any(r.ok for r in results) else 1)
    assert _checked(db_file) <= most
    assert sum(r.reason == "locked" for r in results) >= 41 - most  # every guess not checked was refused as locked
    if not any(r.ok for r in results):  # the right one came too late: locked out like the rest
        assert lockout.authenticate("alice", PW, client="203.0.113.9").reason == "locked"


_GUESSER = """
import sys
from argon2 import PasswordHasher
from metrics.access import lockout, users
users._hasher = PasswordHasher(time_cost=2, memory_cost=8192, parallelism=1)
n = 0
for i in range(10):
    n += lockout.authenticate("alice", "wrong %s %d" % (sys.argv[1], i), client="198.51.100.7").reason == "invalid"
print(n)
"""


def test_forty_concurrent_wrong_guesses_check_five_and_then_the_right_one_is_refused(db_file):
    users.add_user("alice", PW, "editor")
    results = _guess_at_once([f"wrong {i}" for i in range(40)])
    assert _checked(db_file) == lockout.MAX_FAILURES
    assert sum(r.reason == "invalid" for r in results) == lockout.MAX_FAILURES - 1
    assert lockout.authenticate("alice", PW, client="203.0.113.9").reason == "locked"


@pytest.mark.slow  # racing processes: the full suite only
def test_guesses_from_four_processes_at_once_are_counted_together(db_file):
    users.add_user("alice", PW, "editor")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _GUESSER, str(k)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            env={**__import__("os").environ, store.DB_ENV: str(db_file)},
        )
        for k in range(4)
    ]
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert sum(int(o) for o in outs) <= lockout.MAX_FAILURES - 1
    assert _checked(db_file) <= lockout.MAX_FAILURES


def test_a_stranger_cannot_lock_the_admin_out(db_file):
    users.add_user("admin", PW, "admin")
    assert lockout.authenticate("admin", PW, client="10.0.0.2", now=T0 - timedelta(days=1)).ok  # the admin's PC
    # a stranger guesses for an hour, as fast as the server lets it
    t = T0
    while t < T0 + timedelta(hours=1):
        r = lockout.authenticate("admin", "guess", client="203.0.113.9", now=t)
        t += timedelta(seconds=(r.wait_seconds or 1))
    # the admin on the usual PC gets in at once
    assert lockout.authenticate("admin", PW, client="10.0.0.2", now=t).ok
    # and from a machine never used before, within a minute at most
    r = lockout.authenticate("admin", PW, client="10.0.0.77", now=t + timedelta(seconds=1))
    if not r.ok:
        assert r.reason == "wait" and r.wait_seconds <= 60
        assert lockout.authenticate("admin", PW, client="10.0.0.77", now=t + timedelta(seconds=62)).ok


def test_the_stranger_guessed_only_a_handful_of_passwords_in_that_hour(db_file):
    users.add_user("admin", PW, "admin")
    t, checked = T0, 0
    while t < T0 + timedelta(hours=1):
        r = lockout.authenticate("admin", "guess", client="203.0.113.9", now=t)
        checked += r.reason == "invalid"
        t += timedelta(seconds=(r.wait_seconds or 1))
    assert checked <= 4 * lockout.MAX_FAILURES  # 5 per 15 minutes for that client


def test_unknown_and_locked_names_get_the_same_answer(db_file):
    users.add_user("alice", PW, "editor")
    answers = {}
    for name in ("alice", "nosuchuser"):
        seen = [
            lockout.authenticate(name, "wrong", client="203.0.113.9", now=T0 + timedelta(seconds=i)) for i in range(7)
        ]
        answers[name] = [(r.reason, r.message("zh"), r.message("en")) for r in seen]
    assert answers["alice"] == answers["nosuchuser"]
    assert answers["alice"][-1][0] == "locked"


def test_a_password_typed_as_the_user_name_never_reaches_the_audit_log(db_file):
    users.add_user("alice", PW, "editor")
    lockout.authenticate(PW, "", client="203.0.113.9")  # the password went into the user-name box
    lockout.authenticate("alice", PW, client="203.0.113.9")
    with store.opened(db_file) as db:
        dump = store_text(db)
    assert PW not in dump
    fail = audit.audit_frame(actions=["signin.fail"]).iloc[0]
    assert fail["user"] is None and "unknown_user" in fail["detail"]


def test_anonymous_visitors_cannot_flood_the_audit_log(db_file, monkeypatch):
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    for i in range(100):
        lockout.authenticate(f"spray{i}", "x", client="203.0.113.9", now=T0 + timedelta(milliseconds=100 * i))
    for i in range(100):  # and from many addresses at once
        lockout.authenticate(f"spray{i}", "x", client=f"198.51.{i // 250}.{i % 250}", now=T0 + timedelta(seconds=30))
    rows = audit.audit_frame(actions=["signin.fail"])
    assert len(rows) <= lockout.AUDIT_ANON_PER_CLIENT + lockout.AUDIT_ANON_GLOBAL
    # what was left out is counted in the records that were written, not lost without trace
    later = lockout.authenticate("spray1", "x", client="192.0.2.1", now=T0 + timedelta(hours=1))
    assert later.reason == "invalid"
    last = json.loads(audit.audit_frame(actions=["signin.fail"]).iloc[0]["detail"])
    assert last["unaudited_before"] > 0


def test_unlock_clears_every_client_lock(db_file):
    users.add_user("alice", PW, "editor")
    for i in range(5):
        lockout.authenticate("alice", "wrong", client="203.0.113.9", now=T0 + timedelta(seconds=i))
    assert lockout.authenticate("alice", PW, client="203.0.113.9", now=T0 + timedelta(seconds=9)).reason == "locked"
    users.unlock_user("alice", actor="root")
    assert lockout.authenticate("alice", PW, client="203.0.113.9", now=T0 + timedelta(seconds=10)).ok


def test_the_client_is_the_peer_address_unless_a_trusted_proxy_is_declared(monkeypatch):
    monkeypatch.delenv(lockout.TRUSTED_PROXY_ENV, raising=False)
    assert lockout.client_id("10.0.0.5", "1.2.3.4") == "10.0.0.5"  # a forged header counts for nothing
    assert lockout.client_id(None) == "unknown"
    monkeypatch.setenv(lockout.TRUSTED_PROXY_ENV, "1")
    assert lockout.client_id("127.0.0.1", "1.2.3.4, 198.51.100.7") == "198.51.100.7"  # what our proxy appended
