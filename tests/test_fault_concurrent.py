"""Two uploads at once (PRODUCT §3.3.6): both end cleanly, one after the other, and nothing is lost."""

from __future__ import annotations

import multiprocessing
import os
import traceback

import pytest

from metrics import store
from metrics.ingest import importer
from tests.conftest import file_rows

pytestmark = pytest.mark.slow

# Children come from a fork server (a clean process with the importer preloaded), not from pytest itself, whose
# threads (AppTest, hypothesis) could leave a lock held in a forked child.
_fork = multiprocessing.get_context("forkserver")
_fork.set_forkserver_preload(["metrics.ingest.importer", "metrics.store"])
N_DEPTS = 40


def _csv(first_dept: int, months: range, shift: int) -> bytes:
    lines = ["月份,科室编码,科室名称,患者满意度,投诉件数"]
    for i in range(first_dept, first_dept + N_DEPTS):
        for m in months:
            lines.append(f"{2015 + m // 12}-{m % 12 + 1:02d},C{i:03d},科室{i},{70 + (i + m + shift) % 30},{m % 4}")
    return ("\n".join(lines) + "\n").encode()


def _child(data: bytes, name: str, db_path: str, go, results) -> None:
    go.wait()
    try:
        report = importer.commit(data, name, user=name, db_path=db_path)
        results[name] = ("committed" if report.committed else "refused", report.batch_id)
    except Exception as e:  # reported to the parent; the test then fails with the message
        results[name] = ("error", repr(e) + traceback.format_exc())
    os._exit(0)


_rows = file_rows


@pytest.mark.parametrize("overlap", [False, True], ids=["different-departments", "same-departments"])
def test_two_processes_importing_at_once_both_commit_one_after_the_other(new_store, overlap):
    path = new_store()
    a = _csv(0, range(60), shift=0)  # 40 departments × 60 months × 2 metrics
    b = _csv(0 if overlap else 100, range(30, 90), shift=5)
    with _fork.Manager() as manager:
        results, go = manager.dict(), manager.Event()
        procs = [_fork.Process(target=_child, args=(d, n, str(path), go, results)) for d, n in ((a, "a"), (b, "b"))]
        for p in procs:
            p.start()
        go.set()
        for p in procs:
            p.join(120)
        results = dict(results)
    assert [p.exitcode for p in procs] == [0, 0]
    assert results["a"][0] == results["b"][0] == "committed", results
    if not store.is_server(path):
        assert _rows(path, "PRAGMA integrity_check") == [("ok",)]
    batches = _rows(path, 'SELECT batch_id, "user", status FROM batches ORDER BY batch_id')
    assert [s for _, _, s in batches] == ["committed", "committed"] and {u for _, u, _ in batches} == {"a", "b"}
    first, second = (a, b) if batches[0][1] == "a" else (b, a)

    # nothing lost: every value of the later file is stored, and every value of the earlier one it did not touch
    stored = {(d, m, k): v for d, m, k, v in _rows(path, "SELECT dept_code, month, metric, value FROM metric_values")}
    assert stored == {**_values(first), **_values(second)}
    # the later batch journalled the earlier one's values, so rolling it back gives exactly the earlier file
    importer.rollback(batches[1][0], db_path=path)
    stored = {(d, m, k): v for d, m, k, v in _rows(path, "SELECT dept_code, month, metric, value FROM metric_values")}
    assert stored == _values(first)


def _values(data: bytes) -> dict[tuple, float]:
    out = {}
    for line in data.decode().splitlines()[1:]:
        month, code, _name, sat, compl = line.split(",")
        out[(code, month, "patient_satisfaction")] = float(sat)
        out[(code, month, "complaints")] = float(compl)
    return out


def _open_child(path: str, go, results, n: int) -> None:
    go.wait()
    try:
        store.connect(path).conn.close()
        results[n] = "ok"
    except Exception as e:
        results[n] = repr(e)
    os._exit(0)


def test_processes_opening_a_brand_new_store_at_once_all_succeed(new_store):
    """Four processes open a store that does not exist yet (a new file; on PostgreSQL an empty database): each
    succeeds, and the schema is made once."""
    for trial in range(2):
        path = new_store(f"new{trial}", bare=True)
        with _fork.Manager() as manager:
            results, go = manager.dict(), manager.Event()
            procs = [_fork.Process(target=_open_child, args=(str(path), go, results, n)) for n in range(4)]
            for p in procs:
                p.start()
            go.set()
            for p in procs:
                p.join(60)
            assert dict(results) == dict.fromkeys(range(4), "ok")
        if store.is_server(path):
            assert _rows(path, "SELECT value FROM meta WHERE key = 'schema_version'") == [(str(store.SCHEMA_VERSION),)]
        else:
            assert _rows(path, "PRAGMA journal_mode") == [("wal",)]
