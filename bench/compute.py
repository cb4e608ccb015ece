"""The icon matrix and the overview's pipelines computed alone, without Streamlit (issue 7).

Each measurement loads what the page loads (through metrics.store) and then times the computation;
a module or function not there yet is reported as "n/a", never as zero.
"""

from __future__ import annotations

import importlib
import time
from pathlib import Path


def _module(name: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _timed(fn) -> dict:
    try:
        t0 = time.perf_counter()
        fn()
        return {"seconds": time.perf_counter() - t0}
    except Exception as e:  # a failing computation is a finding, not a crash of the bench
        return {"status": f"error: {type(e).__name__}: {e}"[:300]}


def icon_matrix(db_path: Path) -> dict:
    spc = _module("metrics.spc")
    if spc is None or not hasattr(spc, "icon_matrix"):
        return {"status": "n/a (metrics.spc.icon_matrix not present)"}
    return {"status": "n/a (not wired yet)"}


def overview_pipelines(db_path: Path) -> dict:
    pl = _module("metrics.pipelines")
    if pl is None:
        return {"status": "n/a (metrics.pipelines not present)"}
    return {"status": "n/a (not wired yet)"}


def measure(db_path: Path) -> dict:
    return {"icon_matrix": icon_matrix(db_path), "overview_pipelines": overview_pipelines(db_path)}
