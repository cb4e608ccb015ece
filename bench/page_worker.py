"""Render one page through AppTest in this (fresh) process; print its timings and peak RSS as JSON.

    python -m bench.page_worker pages/overview.py --repeat 5     # $INTEGRITY_DB chooses the store
    python -m bench.page_worker bench/trivial_page.py --direct  # the floor: the script alone, no navigation

``first`` includes importing the page's modules; ``cold`` is a rerun after clearing Streamlit's caches;
``warm`` is each of ``--repeat`` reruns with the caches filled. Peak RSS is the process's high-water mark
(VmHWM) after all runs, so it covers the cold run's peak.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from bench.procs import peak_rss_mb

ROOT = Path(__file__).resolve().parent.parent


def sign_in(at) -> None:
    """Run as the bench administrator so every page renders its content, not a sign-in form or a refusal.

    The parent process created the user and a session in the store and passes its token in $BENCH_TOKEN.
    """
    token = os.environ.get("BENCH_TOKEN")
    if token:
        import ui

        at.session_state[getattr(ui, "TOKEN_KEY", "_auth_token")] = token


def _timed_run(at) -> tuple[float, str | None]:
    t0 = time.perf_counter()
    at.run()
    dt = time.perf_counter() - t0
    err = None
    if at.exception:
        err = "; ".join(str(e.message)[:200] for e in at.exception)
    return dt, err


def share_script_cache() -> None:
    """Compile each script once per process, as the server does.

    A Streamlit server keeps one ScriptCache for its lifetime, so a rerun reuses the page's compiled bytecode.
    AppTest builds a new ScriptCache for every run, which re-parses and recompiles the page (with Streamlit's
    "magic" AST pass) each time: 20–50 ms on our longer pages that no user ever waits for. Sharing one cache
    across the runs of this process measures what a click on the server costs; the floor page runs the same way.
    """
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared


def _clear_view_memos() -> None:
    """The view-models' own memos (metrics.views.loaded) are not Streamlit caches: a cold run clears
    them too."""
    try:
        from metrics.views import loaded
    except ImportError:  # a tree from before the view-models had memos
        return
    loaded.clear()


def profiled_run(at) -> dict:
    """One more warm run under cProfile, split into where its time went (shares of the profiled run; the profiler
    slows everything alike, so shares are meaningful where its absolute times are not):

    - ``st_calls``: how many Streamlit API calls the script made (st.metric, st.dataframe, st.columns, …);
    - ``st_share``: the share of the run spent inside them — Streamlit building and queueing its messages;
    - ``script_share``: the share spent running the script at all (the rest is AppTest turning the messages
      into its element tree, after the script).
    What is neither is our own code: reading the data version, cache lookups, filters.
    """
    import cProfile
    import pstats
    import threading

    profiles: list[cProfile.Profile] = []
    original = threading.Thread.run

    def run(self, *args, **kwargs):
        prof = cProfile.Profile()
        profiles.append(prof)
        prof.enable()
        try:
            return original(self, *args, **kwargs)
        finally:
            prof.disable()

    main = cProfile.Profile()
    threading.Thread.run = run
    try:
        main.enable()
        at.run()
        main.disable()
    finally:
        threading.Thread.run = original
    stats = pstats.Stats(main)
    for prof in profiles:
        stats.add(prof)
    st_calls = st_time = script_time = 0.0
    total = 0.0
    for (file, _line, func), (_cc, nc, _tt, ct, _callers) in stats.stats.items():
        if file.endswith("metrics_util.py") and func == "wrapped_func":
            st_calls, st_time = nc, ct
        elif file.endswith("exec_code.py") and func == "exec_func_with_error_handling":
            script_time = ct
        elif file.endswith("app_test.py") and func == "run":
            total = max(total, ct)
    if not total or not script_time:
        return {}
    return {"st_calls": int(st_calls), "st_share": st_time / total, "script_share": script_time / total}


def measure(page: str, repeat: int, direct: bool) -> dict:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    share_script_cache()

    import ui  # noqa: F401 - imported before timing in every mode, so "first" compares

    if direct:
        at = AppTest.from_file(str(ROOT / page), default_timeout=600)
    else:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
    sign_in(at)
    if not direct:
        at.switch_page(page)
    first, err = _timed_run(at)
    st.cache_data.clear()
    st.cache_resource.clear()
    _clear_view_memos()
    cold, err2 = _timed_run(at)
    warm = []
    for _ in range(repeat):
        dt, e = _timed_run(at)
        warm.append(dt)
        err = err or e
    breakdown = profiled_run(at)
    return {
        "page": page,
        **breakdown,
        "first": first,
        "cold": cold,
        "warm": warm,
        "rss_mb": peak_rss_mb(),
        "error": err or err2,
        "elements": len(list(at.main)),
        "title": at.title[0].value if len(at.title) else None,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.page_worker")
    ap.add_argument("page")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--direct", action="store_true", help="run the script itself, not through dashboard.py")
    args = ap.parse_args(argv)
    try:
        out = measure(args.page, args.repeat, args.direct)
    except Exception as e:  # report, never hide: the table shows the page as failed
        out = {"page": args.page, "error": f"{type(e).__name__}: {e}", "rss_mb": peak_rss_mb()}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
