"""The main script a browser-bench server runs: the product, a same-content floor, or the trivial floor.

``bench.browser`` writes a two-line ``app.py`` (``from bench import served; served.run()``) into a scratch folder
next to a ``pages`` link to the project's pages, and serves it with ``streamlit run``. Each run executes
``$BENCH_TARGET`` (dashboard.py, or bench/trivial_page.py) compiled once per process, exactly as the server would,
and appends the run's server-side seconds to ``$BENCH_SCRIPT_LOG`` (one JSON line per script run).

With ``$BENCH_FLOOR=1`` the run is the *same-content floor*: before the pages' helpers are imported,
``st.cache_resource`` and ``st.cache_data`` become plain dictionaries (no hashing of arguments, no locks, no
copies), and ``ui.session.data_version`` stops reading the store. After one warm-up pass every view-model
(``ui.view``), loader and option list is a dict lookup of an object built earlier in this process: the page draws
exactly what it draws in the product, with no computation in front of the drawing.

``$BENCH_DROP`` (comma-separated ``st`` functions, e.g. ``plotly_chart,dataframe``) draws those elements as nothing:
the profile (bench/profile_browser.py) subtracts what a page costs without them from what it costs with them;
``$BENCH_STATIC_CHARTS=1`` draws every plotly chart with ``staticPlot`` (no hover or zoom layers).
"""

from __future__ import annotations

import functools
import inspect
import json
import os
import sys
import threading
import time
from pathlib import Path

import streamlit as st

TARGET = Path(os.environ.get("BENCH_TARGET", "dashboard.py")).resolve()
FLOOR = os.environ.get("BENCH_FLOOR") == "1"
LOG = os.environ.get("BENCH_SCRIPT_LOG")
DROP = [x for x in os.environ.get("BENCH_DROP", "").split(",") if x]  # st functions drawn as nothing (profiling)
_CODE: dict[Path, object] = {}
_LOCK = threading.Lock()


def _memo(*dargs, **_dkw):
    """A stand-in for st.cache_resource / st.cache_data: a dict keyed by the arguments whose names do not start
    with ``_`` (Streamlit's rule for unhashed arguments)."""

    def deco(fn):
        sig = inspect.signature(fn)
        keep = [n for n in sig.parameters if not n.startswith("_")]
        memo: dict = {}

        @functools.wraps(fn)
        def wrapper(*a, **k):
            args = sig.bind(*a, **k).arguments
            key = tuple(args.get(n) for n in keep)
            try:
                return memo[key]
            except KeyError:
                memo[key] = out = fn(*a, **k)
                return out
            except TypeError:  # an unhashable argument: no memo (none of our loaders takes one)
                return fn(*a, **k)

        wrapper.clear = memo.clear
        return wrapper

    if len(dargs) == 1 and callable(dargs[0]):
        return deco(dargs[0])
    return deco


_memo.clear = lambda: None

if FLOOR:
    st.cache_resource = _memo
    st.cache_data = _memo
if os.environ.get("BENCH_STATIC_CHARTS") == "1":  # every plotly chart static (no hover, zoom): what that saves
    os.environ["INTEGRITY_PLAIN_CHARTS"] = "1"  # through st.plotly_chart (ui/charts.py), patched here
    _plotly_chart = st.plotly_chart

    def _static_chart(figure, *a, config=None, **k):
        return _plotly_chart(figure, *a, config={**(config or {}), "staticPlot": True}, **k)

    st.plotly_chart = _static_chart
for _name in DROP:  # e.g. BENCH_DROP=plotly_chart: what the page costs without its charts (bench/profile_browser.py)
    setattr(st, _name, lambda *a, **k: None)
if "plotly_chart" in DROP:  # the pages draw their charts with ui.chart (a component), not st.plotly_chart
    import ui
    import ui.charts

    ui.chart = ui.charts.chart = lambda *a, **k: None


def _floor_data_version() -> None:
    """Once ``ui`` is imported (by the first run), its data version is read once and then remembered."""
    ui, session = sys.modules.get("ui"), sys.modules.get("ui.session")
    if ui is None or session is None or getattr(session, "_bench_floor", False):
        return
    version = session.data_version()
    ui.data_version = session.data_version = lambda: version  # the pages' name and the one ui's own modules call
    session._bench_floor = True


def _code(path: Path):
    code = _CODE.get(path)
    if code is None:
        code = _CODE[path] = compile(path.read_text(encoding="utf-8"), str(path), "exec")
    return code


def run() -> None:
    if FLOOR:
        _floor_data_version()
    t0 = time.perf_counter()
    status = "ok"
    try:
        exec(_code(TARGET), {"__name__": "__main__", "__file__": str(TARGET)})
    except BaseException as e:  # Streamlit's rerun / stop are exceptions too; log them and let them through
        status = type(e).__name__
        raise
    finally:
        if LOG:
            line = json.dumps({"end": time.time(), "dt": time.perf_counter() - t0, "status": status})
            with _LOCK, open(LOG, "a", encoding="utf-8") as f:
                f.write(line + "\n")
