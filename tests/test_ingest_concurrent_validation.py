"""Finding 12.3: a long validation never holds the write lock.

A file of 40,000 bad rows used to be validated inside the write transaction (the data version bumped first)
for half a minute and more, so every sign-in and rollback meanwhile failed with "database is locked". Now the
file is read and validated before the lock, and the lock is held only to re-check and write. No timings are
asserted: the property is that other users' writes complete while the long commit is still running.
"""

from __future__ import annotations

import sqlite3
import threading

import pytest

from metrics.access import lockout, sessions, users
from metrics.ingest import importer

N_BAD = 40_000


def _all_bad(n: int) -> bytes:
    rows = "\n".join(f"2023-04,D{i:06d},科室{i},abc" for i in range(n))
    return ("月份,科室编码,科室名称,患者满意度\n" + rows + "\n").encode()


pytestmark = pytest.mark.usefixtures("cheap_hashing")


def test_12_3_sign_ins_and_a_rollback_complete_during_a_long_validation(db_file):
    users.add_user("ward", "correct-horse-1", role="editor")
    small = "月份,科室编码,科室名称,患者满意度\n2023-04,K01,内科,95\n".encode()
    first = importer.commit(small, "small.csv")
    assert first.committed
    data = _all_bad(N_BAD)

    done = threading.Event()
    result: dict = {}
    errors: list[BaseException] = []
    during: list[str] = []

    def long_commit():
        try:
            result["report"] = importer.commit(data, "bad.csv", user="ward")
        finally:
            done.set()

    def others():
        try:
            # a rollback of the earlier batch, then sign-ins, for as long as the long commit runs
            importer.rollback(first.batch_id, user="ward")
            if not done.is_set():
                during.append("rollback")
            while not done.is_set():
                assert lockout.authenticate("ward", "correct-horse-1").ok
                sessions.start_session("ward")
                if not done.is_set():
                    during.append("signin")
        except (sqlite3.OperationalError, AssertionError) as e:  # "database is locked"
            errors.append(e)

    a = threading.Thread(target=long_commit)
    a.start()
    b = threading.Thread(target=others)
    b.start()
    a.join(timeout=600)
    b.join(timeout=120)
    assert not errors, errors
    report = result["report"]
    assert not report.committed and report.counts["rejected"] == N_BAD
    assert "rollback" in during  # the rollback did not wait for the validation
    assert during.count("signin") >= 3, during  # nor did the sign-ins
