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
    """Every department-metric series of the store through metrics.spc.icon_matrix (targets resolved first)."""
    spc = _module("metrics.spc")
    if spc is None or not hasattr(spc, "icon_matrix"):
        return {"status": "n/a (metrics.spc.icon_matrix not present)"}
    from metrics import store
    from metrics.targets import resolve_targets

    with store.opened(db_path) as db:
        mv = store.metric_values(db)
        tg = store.targets(db)
        defs = store.metric_defs(db)
    out = _timed(lambda: spc.icon_matrix(mv, resolve_targets(tg, mv), defs))
    out["series"] = int(mv.groupby(["dept_code", "metric"]).ngroups)
    return out


def overview_pipelines(db_path: Path) -> dict:
    """The overview's computations for the latest quarter: department values, hospital figures, changes,
    event totals and traffic lights (loaded for the quarter and the year before it, as the page needs)."""
    pl = _module("metrics.pipelines")
    if pl is None or not hasattr(pl, "period_values"):
        return {"status": "n/a (metrics.pipelines.period_values not present)"}
    rules = _module("metrics.rules")
    from metrics import store

    with store.opened(db_path) as db:
        first, last = store.month_range(db)
        quarter = pl.period_of(last, "quarter")
        since = pl.months_of(pl.same_period_last_year(quarter))[0]
        mv = store.metric_values(db, month_from=since, month_to=last)
        tg = store.targets(db)
        defs = store.metric_defs(db)
        ev = store.events(db, date_from=f"{since}-01", date_to=f"{last}-31")
        depts = store.departments(db)["dept_code"].tolist()

    def run():
        values = pl.period_values(mv, tg, defs, "quarter")
        hosp = pl.hospital_values(values, tg, defs)
        pl.with_changes(hosp[hosp["period"] == quarter], hosp)
        if rules is not None and hasattr(rules, "traffic_lights"):
            rules.traffic_lights(values, ev, "quarter", quarter, depts)

    out = _timed(run)
    out["quarter"] = quarter
    return out


def measure(db_path: Path) -> dict:
    return {"icon_matrix": icon_matrix(db_path), "overview_pipelines": overview_pipelines(db_path)}
