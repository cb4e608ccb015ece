"""The icon matrix and the overview's pipelines computed alone, without Streamlit.

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
    """Seconds of a second call (the first also pays one-off imports and caches, reported as first_seconds)."""
    try:
        t0 = time.perf_counter()
        fn()
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        fn()
        return {"seconds": time.perf_counter() - t0, "first_seconds": first}
    except Exception as e:  # a failing computation is a finding, not a crash of the bench
        return {"status": f"error: {type(e).__name__}: {e}"[:300]}


def icon_matrix(db_path: Path) -> dict:
    """Every department-metric series of the store through metrics.rules.spc.icon_matrix (targets resolved first)."""
    spc = _module("metrics.rules.spc")
    if spc is None or not hasattr(spc, "icon_matrix"):
        return {"status": "n/a (metrics.rules.spc.icon_matrix not present)"}
    from metrics import store
    from metrics.rules.targets import resolve_targets

    with store.opened(db_path) as db:
        mv = store.metric_values(db)
        tg = store.targets(db)
        defs = store.metric_defs(db)
    out = _timed(lambda: spc.icon_matrix(mv, resolve_targets(tg, mv), defs))
    out["series"] = int(mv.groupby(["dept_code", "metric"]).ngroups)
    return out


def overview_pipelines(db_path: Path) -> dict:
    """The overview's computations for the latest quarter, as pages/overview.py runs them: period and monthly
    values over the months it shows, hospital figures with changes, event totals, award counts now and a period
    earlier, traffic lights (loading excluded)."""
    pl = _module("metrics.rules.periods")
    rules = _module("metrics.rules.awards")
    if pl is None or rules is None or not hasattr(pl, "period_values"):
        return {"status": "n/a (metrics.rules.periods / metrics.rules.awards not present)"}
    from metrics import store

    with store.opened(db_path) as db:
        _first, last = store.month_range(db)
        if last is None:
            return {"status": "n/a (empty store)"}
        quarter = pl.period_of(last, "quarter")
        prev = pl.previous_period(quarter)
        first = min(pl.months_of(pl.same_period_last_year(quarter))[0], pl.shift_period(last, -11))
        first = pl.months_of(pl.period_of(first, "quarter"))[0]
        mv = store.metric_values(db, month_from=first, month_to=last)
        tg = store.targets(db)
        defs = store.metric_defs(db)
        ev = store.events(db)
        aw = store.award_changes(db)
        codes = store.departments(db)["dept_code"].tolist()
    as_of, as_of_prev = f"{last}-28", f"{pl.last_month(prev)}-28"

    def run():
        values = pl.period_values(mv, tg, defs, "quarter")
        pl.period_values(mv, tg, defs, "month")
        hosp = pl.hospital_values(values, tg, defs, codes)
        pl.with_changes(hosp)
        pl.event_totals(ev, "quarter")
        rules.award_status(aw, as_of, int(quarter[:4]), codes)
        rules.award_status(aw, as_of_prev, int(prev[:4]), codes)
        rules.traffic_lights(values, ev, "quarter", quarter, codes)

    out = _timed(run)
    out["quarter"] = quarter
    return out


def measure(db_path: Path) -> dict:
    return {"icon_matrix": icon_matrix(db_path), "overview_pipelines": overview_pipelines(db_path)}
