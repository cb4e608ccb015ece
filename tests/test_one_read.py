"""A cold page reads each of the store's small tables once: the pages' loaders and the view-models share one cache of
store reads (``metrics.views.loaded``), so the overview's first visit after a commit does not read the departments,
targets, events, award changes, catalogues and the months holding data once for the page and again for its view."""

from __future__ import annotations

import collections

from tests.conftest import page_as

READS = ("departments", "targets", "events", "award_changes", "metric_defs", "indicator_catalogue", "months_with_data")


def _counted(monkeypatch) -> collections.Counter:
    from metrics import store

    counts: collections.Counter = collections.Counter()

    def counted(name: str, real):
        def read(*a, **k):
            counts[name] += 1
            return real(*a, **k)

        return read

    for name in READS:
        monkeypatch.setattr(store, name, counted(name, getattr(store, name)))
    return counts


def test_a_cold_overview_reads_each_small_table_once(demo_db, monkeypatch):
    counts = _counted(monkeypatch)
    page_as("pages/overview.py")
    assert {n: counts[n] for n in READS} == dict.fromkeys(READS, 1)


def test_a_rerun_of_the_overview_reads_none_of_them_again(demo_db, monkeypatch):
    at = page_as("pages/overview.py")
    counts = _counted(monkeypatch)
    at.run()
    assert not at.exception, at.exception
    assert {n: counts[n] for n in READS} == dict.fromkeys(READS, 0)
