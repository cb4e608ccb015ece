"""Crash safety (PRODUCT §3.3.6): an import killed with SIGKILL at any moment leaves no partial batch.

A child process (from a fork server) commits a large metrics file (7,000 file rows → 21,000 metric values,
some changing stored values) through ``importer.commit`` and is killed with SIGKILL at a random moment:
twenty kills spread over the whole duration of a complete commit (one random moment in each twentieth of it,
the last ones just after it), then three inside its write phase. Afterwards the store must pass
``PRAGMA integrity_check`` and hold either the whole batch (exactly the state a complete commit gives) or
nothing of it (exactly the state before).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import sqlite3
import time

import pytest

from metrics import store
from metrics.ingest import importer
from tests import pgcluster
from tests.conftest import copy_of, file_rows

pytestmark = pytest.mark.slow

N_DEPTS = 70
N_MONTHS = 100  # 70 departments × 100 months = 7,000 rows × 3 metrics = 21,000 metric values
KILLS = 20
# Children come from a fork server (a clean process with the importer preloaded), not from pytest itself, whose
# threads (AppTest, hypothesis) could leave a lock held in a forked child.
_fork = multiprocessing.get_context("forkserver")
_fork.set_forkserver_preload(["metrics.ingest.importer", "metrics.store"])


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
    return file_rows(path, "SELECT * FROM metric_values ORDER BY dept_code, month, metric")


def _batches(path) -> list[tuple]:
    return file_rows(
        path,
        "SELECT b.batch_id, b.status, b.rows_new, b.rows_changed, (SELECT COUNT(*) FROM batch_changes c"
        " WHERE c.batch_id = b.batch_id) FROM batches b ORDER BY b.batch_id",
    )


def _integrity(path) -> list[str]:
    if store.is_server(path):  # the server keeps its own files whole; what a crash could break is checked below
        return ["ok"]
    conn = sqlite3.connect(str(path))
    try:
        return [r[0] for r in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


def _commit_child(data: bytes, db_path: str, t_write, t_done) -> None:
    """Commit the file; note (CLOCK_MONOTONIC, shared by all processes) when writing starts and when it is done."""
    prepared = importer._write

    def timed_write(*args, **kwargs):  # observes the phase; the write itself is the importer's own
        t_write.value = time.monotonic()
        return prepared(*args, **kwargs)

    importer._write = timed_write
    report = importer.commit(data, "big.csv", user="fault-test", db_path=db_path)
    t_done.value = time.monotonic()
    os._exit(0 if report.committed else 3)


def _run_child(data: bytes, path, kill: tuple[str, float] | None, ratio: float = 1.0):
    """Run one commit and SIGKILL it: ``kill`` = ("start", s) s seconds after the start, or ("write", f) a
    fraction f of the write phase after it began — the write phase's length estimated as ``ratio`` × how long
    this child took to prepare, so that a busy machine does not skew the aim. Returns (start, write began,
    commit returned), 0.0 for what did not happen."""
    t_write, t_done = _fork.Value("d", 0.0), _fork.Value("d", 0.0)
    child = _fork.Process(target=_commit_child, args=(data, str(path), t_write, t_done))
    start = time.monotonic()
    child.start()
    if kill is None:
        child.join(300)
        assert child.exitcode == 0
        return start, t_write.value, t_done.value
    anchor, amount = kill
    at = start + amount
    if anchor == "write":
        while not t_write.value and child.is_alive():
            time.sleep(0.002)
        began = t_write.value or time.monotonic()
        at = began + amount * ratio * (began - start)
    time.sleep(max(0.0, at - time.monotonic()))
    child.kill()  # SIGKILL
    child.join(30)
    return start, t_write.value, t_done.value


@pytest.fixture
def base_store(new_store):
    """Departments, plus an earlier batch of months 80–119: the big file (months 0–99) changes 20 of them."""
    path = new_store("base")
    assert importer.commit(_departments_csv(), "depts.csv", db_path=path).committed
    assert importer.commit(_metrics_csv(range(80, 120), shift=7), "earlier.csv", db_path=path).committed
    return path


_copies = []


@pytest.fixture(autouse=True)
def _drop_copies():
    yield
    while _copies:
        pgcluster.RUNNING[0].drop(_copies.pop())


def _fresh_copy(base, dst):
    copy = copy_of(base, dst)
    if store.is_server(copy):
        _copies.append(copy)
    return copy


def test_sigkill_during_a_large_import_never_leaves_a_partial_batch(base_store, tmp_path):
    data = _metrics_csv(range(N_MONTHS))
    before, batches_before = _dump(base_store), _batches(base_store)

    # one complete run: the state a finished commit gives, and how long a commit takes (fork server warmed first)
    warm = _fork.Process(target=os._exit, args=(0,))
    warm.start()
    warm.join(60)
    ref = _fresh_copy(base_store, tmp_path / "ref.db")
    start, t_write, t_done = _run_child(data, ref, None)
    duration, prepare, writing = t_done - start, t_write - start, t_done - t_write
    after = _dump(ref)
    full_batch = _batches(ref)[-1]
    overlap = N_DEPTS * 20 * 3  # months 80–99 were stored already
    assert len(after) == len(before) + N_DEPTS * N_MONTHS * 3 - overlap and full_batch[1] == "committed"
    assert full_batch[4] >= 20_000 - overlap and full_batch[3] > 0  # new values journalled, stored ones changed
    print(f"\ncommit of {N_DEPTS * N_MONTHS} rows in a child: {duration:.2f} s, writing from {prepare:.2f} s")

    # One moment in each twentieth of the commit, stretched by 10 % so that the last land after it. A moment
    # in the reading/validating part is timed from the start; one in the write part is timed from the moment
    # this child began writing, so that the kills really spread over the writes whatever the machine's load.
    rng = random.Random(20261122)
    kills = []
    for k in range(KILLS):
        at = 1.1 * duration * (k + rng.random()) / KILLS
        kills.append(("start", at) if at < prepare else ("write", (at - prepare) / writing))
    kills += [("write", rng.random()) for _ in range(3)]  # and three more inside the write
    outcomes, phases, ratio = [], [], writing / prepare
    for k, kill in enumerate(kills):
        path = _fresh_copy(base_store, tmp_path / f"kill{k}.db")
        begun, t_write, t_done = _run_child(data, path, kill, ratio)
        phases.append("after" if t_done else "write" if t_write else "prepare")
        if t_done:  # a run that finished tells how long writing takes now, relative to preparing
            ratio = (ratio + (t_done - t_write) / (t_write - begun)) / 2
        where = f"kill {k} {kill} ({phases[-1]})"
        assert _integrity(path) == ["ok"], where
        batches = _batches(path)
        if len(batches) == len(batches_before):
            assert batches == batches_before, where
            assert _dump(path) == before, f"{where}: batch absent but data changed"
            outcomes.append("nothing")
        else:
            assert batches == [*batches_before, full_batch], f"{where}: partial batch {batches}"
            assert _dump(path) == after, f"{where}: batch present but data differs"
            outcomes.append("whole")
        # the store keeps working after the crash: the same file commits (or is recognised) cleanly
        if k == KILLS - 1:
            again = importer.preview(data, "big.csv", db_path=path)
            assert (again.duplicate_of is not None) == (outcomes[-1] == "whole")
    print(
        "outcomes:", {o: outcomes.count(o) for o in set(outcomes)}, "phases:", {p: phases.count(p) for p in set(phases)}
    )
    assert len(outcomes) == KILLS + 3 and "nothing" in outcomes
