"""What several views of one store share, read once per (store, data version): the small tables, department
names, months holding data.

Plain memos, not Streamlit caches: a view-model builder runs once per key (``ui.view`` caches it), but
the overview's KPIs, its ranking page and its metric choice all need the same tables and period values; reading
them per choice cost a cold rerun per click. Every memo (``memo``) is keyed by the store's path and its data
version (every commit bumps it), so nothing stale or from another store is served, and by the hospital
(``ViewKey.hospital``, passed right after the version), so no hospital is served another's; each holds a few entries.
``clear()`` empties them all (the bench's cold run clears them with Streamlit's caches).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

import pandas as pd

from metrics import clock, contract, store
from metrics.rules import programme, workdays


@dataclass(frozen=True)
class Frames:
    """The store's small tables as read at one data version; callers never change them (pandas copy-on-write)."""

    departments: pd.DataFrame
    targets: pd.DataFrame
    events: pd.DataFrame  # stored events, the automatic W03 of notices overdue today and W02 of talks (§4.3, §8, §10)
    award_changes: pd.DataFrame
    metric_defs: tuple[contract.Metric, ...]  # the stored catalogue, the only runtime one: an edited name shows
    indicator_catalogue: pd.DataFrame
    dept_names: dict[str, str]
    months: tuple[str, ...]  # months holding a metric value, oldest first
    tasks: pd.DataFrame  # store.tasks (PRODUCT §8)
    notices: pd.DataFrame  # store.notices
    talks: pd.DataFrame  # store.talks (PRODUCT §10; personal: the person's name is for editors only)
    today: date  # the day overdue notices and tasks are judged on
    calendar: workdays.Calendar = workdays.EMPTY  # the office's holiday schedule (due soon counts working days)

    def metric(self, code: str) -> contract.Metric:
        return next(m for m in self.metric_defs if m.code == code)

    def indicator_names(self, lang: str) -> dict[str, str]:
        """indicator code → its name in ``lang``, as the store's catalogue has it (edits included)."""
        col = "name_en" if lang == "en" else "name_zh"
        cat = self.indicator_catalogue
        return dict(zip(cat["code"], cat[col].astype(str), strict=True))


_MEMOS: list = []


def memo(maxsize: int):
    """functools.lru_cache of ``maxsize`` entries that ``clear()`` empties; every argument must be hashable, the
    store's path and data version first."""

    def wrap(fn):
        cached = functools.lru_cache(maxsize=maxsize)(fn)
        _MEMOS.append(cached)
        return cached

    return wrap


def clear() -> None:
    """Empty every view memo (a cold start without restarting the process)."""
    for cached in _MEMOS:
        cached.cache_clear()


def frames(path: str, version: int, hospital: str = "") -> Frames:
    """The small tables of hospital ``hospital`` ('' in a one-hospital store) in the store at ``path`` as of
    ``version`` (the version only keys the memo), judged today: a notice becomes overdue (a W03 warning) at midnight
    without any commit, so the day keys the memo too. The hospital keys it as well."""
    return _frames(path, version, hospital, clock.today())


@memo(maxsize=8)  # a few hospitals of a group store side by side
def _frames(path: str, version: int, hospital: str, today: date) -> Frames:
    with store.opened(path) as db:
        departments = store.departments(db, hospital=hospital)
        notices = store.notices(db, hospital=hospital)
        talks = store.talks(db, hospital=hospital)
        return Frames(
            departments=departments,
            targets=store.targets(db, hospital),
            events=programme.events_with_notices(store.events(db, hospital=hospital), notices, today, talks),
            award_changes=store.award_changes(db, hospital=hospital),
            metric_defs=tuple(store.metric_defs(db)),
            indicator_catalogue=store.indicator_catalogue(db),
            dept_names=departments.set_index("dept_code")["dept_name"].to_dict(),
            months=tuple(store.months_with_data(db, hospital=hospital)),
            tasks=store.tasks(db, hospital=hospital),
            notices=notices,
            talks=talks,
            today=today,
            calendar=workdays.Calendar.from_frame(store.calendar_days(db)),
        )
