"""The first visitor after an upload reads results, not raw values: when a server's script run sees its
store at a new data version, a background thread works out what every browsing page opens on for that version —
the loaders' frames and each page's default view, the keys a new session builds — into the same shared caches the
pages read (``ui.cache``). At a region's scale that is several seconds the first visitor no longer waits.

Started from ``ui.guard.store_guard`` (every script run reads the data version there), so a commit from any
process is noticed by the next run that reads the store — the committing editor's own rerun, normally. The first
version a server sees is not warmed (a fresh server's first visitor works out its own page, as before; tests and
browser tests start many servers), only a *change* of version. Only under a running server (not AppTest, not the
CLI); ``INTEGRITY_WARM=0`` turns it off. The views are the default language's (Chinese).

Each page's default key lives with its view (``metrics.views.<page>.default_keys``), spelled as the page builds it
on a first visit; tests/test_warm.py runs every page after a warm and checks that none of them works out a view
again, so a page that changes its key is caught.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from streamlit import runtime

from metrics import clock, i18n
from metrics.rules import periods
from ui import cache

log = logging.getLogger("integrity")
_LOCK = threading.Lock()
_SEEN: dict[str, int] = {}  # store → the data version last seen (warmed, or being warmed, when it changed)


# A group store: store → the hospitals this server's pages showed, most recent last. A new version warms
# these (at most RECENT), not every hospital of a region; a one-hospital store has only ''.
RECENT = 4
_SHOWN: dict[str, list[str]] = {}


def shown(path: str, hospital: str) -> None:
    """Note that a page of ``path`` showed ``hospital`` (ui.hospital.current_hospital, every run)."""
    with _LOCK:
        recent = _SHOWN.setdefault(path, [])
        if recent and recent[-1] == hospital:
            return
        if hospital in recent:
            recent.remove(hospital)
        recent.append(hospital)
        del recent[:-RECENT]


def hospitals(path: str, version: int | None = None) -> list[str]:
    """The hospitals a new version of ``path`` is warmed for, most recently shown first; when none was shown yet,
    the one a new session sees first ('' in a one-hospital store; with ``version``, a group store's first)."""
    with _LOCK:
        recent = list(reversed(_SHOWN.get(path) or []))
    return recent or [first_hospital(path, version) if version is not None else ""]


def first_hospital(path: str, version: int) -> str:
    """The hospital a new session sees first: '' in a one-hospital store, else the first of the hospital list (a
    commission user's first readable hospital)."""
    codes = cache._hospital_codes(path, version)
    return codes[0] if codes else ""


def enabled() -> bool:
    return os.environ.get("INTEGRITY_WARM", "1") != "0" and runtime.exists()


def seen(path: str, version: int) -> threading.Thread | None:
    """Note that a script run read ``path`` at ``version``; a new version of a store seen before starts the warm
    (a daemon thread, returned)."""
    with _LOCK:
        before = _SEEN.get(path)
        if before == version:
            return None
        _SEEN[path] = version
    if before is None or not enabled():
        return None
    th = threading.Thread(target=_run, args=(path, version), name=f"warm-{version}", daemon=True)
    th.start()
    return th


def _run(path: str, version: int) -> None:
    t0 = time.perf_counter()
    try:
        n = sum(warm(path, version, hospital) for hospital in hospitals(path, version))
    except Exception:  # a warm that fails costs the first visitor the wait, nothing else: log it, never raise
        log.exception("warming the views of %s at data version %s failed", path, version)
        return
    log.info("warmed %d views of %s at data version %s in %.1f s", n, path, version, time.perf_counter() - t0)


def default_keys(path: str, version: int, lang: str | None = None, today=None, hospital: str = "") -> list[tuple]:
    """(builder, key, resolved) of every browsing page's default view of ``hospital``, in the order a visitor most
    likely opens them (the overview is the start page): each view module's own ``default_keys``, the keys a new
    session's first visit builds."""
    from metrics.views import (  # (light imports first)
        ViewKey,
        applications,
        awards,
        briefing,
        events,
        matrix,
        overview,
        tasks,
        trends,
    )

    months = cache._months_with_data(path, version, hospital)
    depts = "\n".join(cache._store_frames(path, version, hospital).departments["dept_code"].tolist())
    first = dict(period=periods.default_period(months, "quarter"), depts=depts, today=today or clock.today())
    base = ViewKey.of(path, version, lang or i18n.DEFAULT_LANG, hospital=hospital)
    return [
        job
        for view in (overview, trends, matrix, events, awards, applications, tasks, briefing)
        for job in view.default_keys(base, **first)
    ]


def warm(path: str, version: int, hospital: str = "") -> int:
    """Work out every page's default view of ``hospital`` in ``path`` at ``version`` into the shared caches; the
    number of views."""
    cache._store_frames(path, version, hospital)
    cache._months_with_data(path, version, hospital)
    cache._filter_options(path, version, hospital)
    cache._picker_labels(path, version, hospital)
    jobs = default_keys(path, version, hospital=hospital)
    for build, key, resolved in jobs:
        cache.filed_view(build, key, resolved=resolved)
    return len(jobs)
