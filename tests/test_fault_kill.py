"""Crash safety (issue 6, PRODUCT §3.3.6): an import killed with SIGKILL at any moment leaves no partial batch.

A forked child process commits a large metrics file (7,000 file rows → 21,000 metric values, some changing
stored values) through ``importer.commit`` and is killed with SIGKILL at a random moment; twenty kills are
spread over the whole duration of a complete commit (one random moment in each twentieth of it, the last
ones just after it). Afterwards
the store must pass ``PRAGMA integrity_check`` and hold either the whole batch (exactly the state a complete
commit gives) or nothing of it (exactly the state before).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import shutil
import sqlite3
import time

import pytest

from metrics import importer, store

pytestmark = pytest.mark.slow

N_DEPTS = 70
N_MONTHS = 100  # 70 departments × 100 months = 7,000 rows × 3 metrics = 21,000 metric values
KILLS = 20
_fork = multiprocessing.get_context("fork")


def _departments_csv() -> bytes:
    return ("科室编码,科室名称,科室类别\n" + "".join(f"D{i:03d},科室{i},临床\n" for i in range(N_DEPTS))).encode()


def _month(m: int) -> str:
    return f"{2015 + m // 12}-{m % 12 + 1:02d}"


def _metrics_csv(months: range, shift: int = 0) -> bytes:
    lines = ["月份,科室编码,患者满意度,职工满意度,投诉件数"]
    for i in range(N_DEPTS):
        for m in months:
            lines.append(f"{_month(m)},D{i:03d},{80 + (i * m + shift) % 20},{85 + (i + m + shift) % 10},{(i + m) % 5}")
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def _dump(path) -> list[tuple]:
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute("SELECT * FROM metric_values ORDER BY dept_code, month, metric").fetchall()
    finally:
        conn.close()


def _batches(path) -> list[tuple]:
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute(
            "SELECT b.batch_id, b.status, b.rows_new, b.rows_changed, (SELECT COUNT(*) FROM batch_changes c"
            " WHERE c.batch_id = b.batch_id) FROM batches b ORDER BY b.batch_id"
        ).fetchall()
    finally:
        conn.close()


def _integrity(path) -> list[str]:
    conn = sqlite3.connect(str(path))
    try:
        return [r[0] for r in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


def _commit_child(data: bytes, db_path: str) -> None:
    report = importer.commit(data, "big.csv", user="fault-test", db_path=db_path)
    os._exit(0 if report.committed else 3)


@pytest.fixture(scope="module")
def base_store(tmp_path_factory):
    """Departments, plus an earlier batch of months 80–119: the big file (months 0–99) changes 20 of them."""
    path = tmp_path_factory.mktemp("kill") / "base.db"
    assert importer.commit(_departments_csv(), "depts.csv", db_path=path).committed
    assert importer.commit(_metrics_csv(range(80, 120), shift=7), "earlier.csv", db_path=path).committed
    with store.opened(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def _fresh_copy(base, dst):
    shutil.copy(base, dst)
    return dst


def test_sigkill_during_a_large_import_never_leaves_a_partial_batch(base_store, tmp_path):
    data = _metrics_csv(range(N_MONTHS))
    before, batches_before = _dump(base_store), _batches(base_store)

    # one complete run: the state a finished commit gives, and how long a commit takes
    ref = _fresh_copy(base_store, tmp_path / "ref.db")
    t0 = time.monotonic()
    child = _fork.Process(target=_commit_child, args=(data, str(ref)))
    child.start()
    child.join(300)
    duration = time.monotonic() - t0
    assert child.exitcode == 0
    after = _dump(ref)
    full_batch = _batches(ref)[-1]
    overlap = N_DEPTS * 20 * 3  # months 80–99 were stored already
    assert len(after) == len(before) + N_DEPTS * N_MONTHS * 3 - overlap and full_batch[1] == "committed"
    assert full_batch[4] >= 20_000 - overlap and full_batch[3] > 0  # new values journalled, stored ones changed
    print(f"\ncomplete commit of {N_DEPTS * N_MONTHS} rows in a child: {duration:.2f} s")

    rng = random.Random(20261122)
    outcomes = []
    for k in range(KILLS):
        path = _fresh_copy(base_store, tmp_path / f"kill{k}.db")
        # one moment in each twentieth of the commit (stretched by 15 % so that the last kills land after it)
        delay = 1.15 * duration * (k + rng.random()) / KILLS
        child = _fork.Process(target=_commit_child, args=(data, str(path)))
        child.start()
        time.sleep(delay)
        child.kill()  # SIGKILL
        child.join(30)
        assert _integrity(path) == ["ok"], f"kill {k} at {delay:.2f}s"
        batches = _batches(path)
        if len(batches) == len(batches_before):
            assert batches == batches_before
            assert _dump(path) == before, f"kill {k} at {delay:.2f}s: batch absent but data changed"
            outcomes.append("nothing")
        else:
            assert batches == [*batches_before, full_batch], f"kill {k} at {delay:.2f}s: partial batch {batches}"
            assert _dump(path) == after, f"kill {k} at {delay:.2f}s: batch present but data differs"
            outcomes.append("whole")
        # the store keeps working after the crash: the same file commits (or is recognised) cleanly
        if k in (0, KILLS - 1):
            again = importer.preview(data, "big.csv", db_path=path)
            assert (again.duplicate_of is not None) == (outcomes[-1] == "whole")
    print("outcomes:", {o: outcomes.count(o) for o in set(outcomes)})
    assert len(outcomes) == KILLS and "nothing" in outcomes
