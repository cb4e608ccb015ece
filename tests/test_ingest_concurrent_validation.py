"""Finding 12.3: a long validation never holds the write lock.

A file of 40,000 bad rows used to be validated inside the write transaction (the data version bumped first)
for half a minute and more, so every sign-in and rollback meanwhile failed with "database is locked". Now the
file is read and validated before the lock, and the lock is held only to re-check and write.

No timings are asserted, and no race is counted: the validation is held open at its first table until another
user's rollback and three sign-ins have completed. Had the validation taken the write lock, those writes would
wait on it while it waits on them, and fail with "database is locked" once the busy timeout runs out.
"""

from __future__ import annotations

import sqlite3
import threading

import pytest

from metrics.access import lockout, sessions, users
from metrics.ingest import importer, validate

N_BAD = 5_000
SIGN_INS = 3


def _all_bad(n: int) -> bytes:
    rows = "\n".join(f"2023-04,D{i:06d},科室{i},abc" for i in range(n))
    return ("月份,科室编码,科室名称,患者满意度\n" + rows + "\n").encode()


pytestmark = pytest.mark.usefixtures("cheap_hashing")


def test_12_3_sign_ins_and_a_rollback_complete_during_a_long_validation(db_file, monkeypatch):
    users.add_user("ward", "correct-horse-1", role="editor")
    small = "月份,科室编码,科室名称,患者满意度\n2023-04,K01,内科,95\n".encode()
    first = importer.commit(small, "small.csv")
    assert first.committed
    data = _all_bad(N_BAD)

    validating = threading.Event()  # the long commit is inside its validation
    others_done = threading.Event()  # the rollback and the sign-ins have all completed
    held: list[bool] = []  # whether the validation saw the others complete while it was held open
    result: dict = {}
    errors: list[BaseException] = []
    during: list[str] = []
    check = validate.check

    def held_check(table, ctx):
        if not validating.is_set():
            validating.set()
            held.append(others_done.wait(timeout=120))
        return check(table, ctx)

    monkeypatch.setattr(validate, "check", held_check)

    def long_commit():
        result["report"] = importer.commit(data, "bad.csv", user="ward")

    def others():
        try:
            assert validating.wait(timeout=120), "the long commit never reached its validation"
            importer.rollback(first.batch_id, user="ward")
            during.append("rollback")
            for _ in range(SIGN_INS):
                assert lockout.authenticate("ward", "correct-horse-1").ok
                sessions.start_session("ward")
                during.append("signin")
        except (sqlite3.OperationalError, AssertionError) as e:  # "database is locked"
            errors.append(e)
        finally:
            others_done.set()

    a = threading.Thread(target=long_commit)
    a.start()
    b = threading.Thread(target=others)
    b.start()
    a.join(timeout=600)
    b.join(timeout=120)
    assert not errors, errors
    assert held == [True]  # the writes completed while the validation was still open
    assert during == ["rollback"] + ["signin"] * SIGN_INS
    report = result["report"]
    assert not report.committed and report.counts["rejected"] == N_BAD
    assert importer.commit(small, "small-again.csv").committed  # the store takes writes afterwards too
