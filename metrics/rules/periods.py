"""Period aggregation: per department and period the value of each metric, its target, pass/fail. No pipeline
objects despite the module's name: plain functions from store frames to frames; each view calls the ones it needs.

Pure pandas, no Streamlit. Periods are strings: month 'YYYY-MM', quarter 'YYYY-Qn', year 'YYYY'.
Inputs are the frames that ``metrics.store`` returns; inputs are never mutated.

Frames produced here (the other areas build on them; names are stable):

``period_values`` → one row per (dept_code, period, metric):
    dept_code, period, metric, value (float), n_months (int, months with data), target (float|NaN),
    direction ('>=' | '<=' | None), passed (nullable boolean: <NA> when value or target is missing).
``hospital_values`` → one row per (period, metric): the hospital-wide figure
    period, metric, value, target, direction, passed, n_depts, n_pass (departments meeting their own target).
``with_changes`` → the frame plus prev_value, delta_prev, yoy_value, delta_yoy.
``event_counts`` → confirmed events per (dept_code, period, kind, indicator): count.
``event_totals`` → confirmed vetoes and warnings per (dept_code, period).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pandas as pd

from metrics import clock, contract
from metrics.rules.targets import resolve_targets

GRAINS = ("month", "quarter", "year")

VALUE_COLUMNS = ["dept_code", "period", "metric", "value", "n_months", "target", "direction", "passed"]


# ---------------------------------------------------------------------------------------------
# Periods
# ---------------------------------------------------------------------------------------------


def period_of(month: str, grain: str) -> str:
    """The period ('YYYY-MM' | 'YYYY-Qn' | 'YYYY') that contains ``month`` ('YYYY-MM')."""
    if grain == "month":
        return month[:7]
    if grain == "quarter":
        return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"
    if grain == "year":
        return month[:4]
    raise ValueError(f"unknown grain {grain!r}")


def grain_of(period: str) -> str:
    """'month' | 'quarter' | 'year' from the shape of a period string."""
    if len(period) == 4:
        return "year"
    if "Q" in period:
        return "quarter"
    return "month"


def months_of(period: str) -> list[str]:
    """The calendar months of a period, in order."""
    y = int(period[:4])
    grain = grain_of(period)
    if grain == "month":
        return [period]
    if grain == "quarter":
        q = int(period[-1])
        return [f"{y:04d}-{m:02d}" for m in range(3 * q - 2, 3 * q + 1)]
    return [f"{y:04d}-{m:02d}" for m in range(1, 13)]


def last_month(period: str) -> str:
    """The period's last calendar month 'YYYY-MM'."""
    return months_of(period)[-1]


def shift_period(period: str, steps: int) -> str:
    """The period ``steps`` periods later (negative = earlier), same grain."""
    y = int(period[:4])
    grain = grain_of(period)
    if grain == "year":
        return f"{y + steps:04d}"
    if grain == "quarter":
        i = y * 4 + int(period[-1]) - 1 + steps
        return f"{i // 4:04d}-Q{i % 4 + 1}"
    i = y * 12 + int(period[5:7]) - 1 + steps
    return f"{i // 12:04d}-{i % 12 + 1:02d}"


def previous_period(period: str) -> str:
    return shift_period(period, -1)


def same_period_last_year(period: str) -> str:
    return f"{int(period[:4]) - 1:04d}{period[4:]}"


def periods_between(first_month: str, last_month_: str, grain: str) -> list[str]:
    """Every period of ``grain`` touching the months first..last, oldest first."""
    if not first_month or not last_month_:
        return []
    out, p, end = [], period_of(first_month, grain), period_of(last_month_, grain)
    while p <= end:
        out.append(p)
        p = shift_period(p, 1)
    return out


def held_months(period: str, months: Iterable[str]) -> list[str]:
    """The months of ``period`` that hold data (``months``: the months with data), in order."""
    have = set(months)
    return [m for m in months_of(period) if m in have]


def is_partial(period: str, months: Iterable[str]) -> bool:
    """True when some month of the period holds no data (a quarter or year still running, or a gap)."""
    return len(held_months(period, months)) < len(months_of(period))


def default_period(months: Iterable[str], grain: str) -> str | None:
    """The period every page and the briefing open on (PRODUCT §6): the newest period of ``grain`` whose
    every month holds data — the last full quarter is what a quarterly meeting discusses — else the newest with any
    data; None when no month holds data. A month is full when it holds data, so at month grain: the newest month."""
    months = sorted(set(months))
    if not months:
        return None
    for p in periods_between(months[0], months[-1], grain)[::-1]:
        if not is_partial(p, months):
            return p
    return period_of(months[-1], grain)


def period_label(period: str, months: Iterable[str], lang: str, today: date | None = None) -> str:
    """The period's name, and for a quarter or year not all of whose months hold data the months it holds:
    2026年第4季度（进行中，含10—11月） / Q4 2026 (partial: Oct–Nov). "Running" when ``today`` falls in the period."""
    from metrics import i18n

    name = i18n.fmt_period(period, lang)
    if grain_of(period) == "month" or not is_partial(period, months):
        return name
    held = held_months(period, months)
    today = today or clock.today()
    running = months_of(period)[0] <= f"{today:%Y-%m}" <= last_month(period)
    if not held:
        return i18n.t("period.partial.none", lang, period=name)
    key = "period.partial.running" if running else "period.partial.gap"
    return i18n.t(key, lang, period=name, months=i18n.fmt_month_span(held, lang))


# ---------------------------------------------------------------------------------------------
# Department values per period
# ---------------------------------------------------------------------------------------------


def period_values(
    metric_values: pd.DataFrame,
    targets: pd.DataFrame,
    metric_defs: Iterable[contract.Metric],
    grain: str,
    period: str | Iterable[str] | None = None,
) -> pd.DataFrame:
    """Per (dept_code, period, metric): value, months with data, target, direction, passed (see module doc).

    ``metric_values``: dept_code, month, metric, value (long, as store.metric_values returns).
    ``targets``: as store.targets. ``metric_defs``: the store's catalogue (store.metric_defs; no shipped fallback); a metric's
    ``aggregate`` says how months combine ('mean' of months, or 'sum'). ``period``: one period, several, or
    None for all. Hospital-scope metrics appear under dept_code HOSP like any department.
    """
    defs = _defs(metric_defs)
    # a region's rows (hospital_code first, and in ``targets`` too) are judged per hospital on its own targets
    h = _hospital_key(metric_values)
    return (
        metric_values.pipe(_with_period, grain)
        .pipe(_only_periods, period)
        .pipe(_aggregate, defs)
        .pipe(_attach_targets, targets, defs)
        .pipe(_attach_passed)
        .sort_values(["metric", "period", *h, "dept_code"])
        .reset_index(drop=True)[[*h, *VALUE_COLUMNS]]
    )


def _defs(metric_defs: Iterable[contract.Metric]) -> dict[str, contract.Metric]:
    # The stored catalogue is the only runtime catalogue: a metric added or edited there aggregates and
    # scopes as stored, so there is no fallback to contract.METRICS.
    if metric_defs is None:
        raise TypeError("metric_defs: pass the store's catalogue (store.metric_defs)")
    return {m.code: m for m in metric_defs}


def _with_period(mv: pd.DataFrame, grain: str) -> pd.DataFrame:
    if grain not in GRAINS:
        raise ValueError(f"unknown grain {grain!r}")
    months = mv["month"].astype(str)
    period = {"month": months.str[:7], "year": months.str[:4]}.get(grain)
    if period is None:
        period = months.str[:4] + "-Q" + ((months.str[5:7].astype(int) - 1) // 3 + 1).astype(str)
    return mv.assign(period=period, value=pd.to_numeric(mv["value"], errors="coerce"))


def _only_periods(mv: pd.DataFrame, period) -> pd.DataFrame:
    if period is None:
        return mv
    wanted = [period] if isinstance(period, str) else list(period)
    return mv[mv["period"].isin(wanted)]


def _aggregate(mv: pd.DataFrame, defs: dict[str, contract.Metric]) -> pd.DataFrame:
    agg = (
        mv.dropna(subset=["value"])
        .groupby([*_hospital_key(mv), "dept_code", "period", "metric"], as_index=False)
        .agg(mean=("value", "mean"), total=("value", "sum"), n_months=("value", "count"))
    )
    is_sum = agg["metric"].map(lambda m: getattr(defs.get(m), "aggregate", "mean") == "sum").astype(bool)
    return agg.assign(value=agg["total"].where(is_sum, agg["mean"]).astype(float)).drop(columns=["mean", "total"])


def _attach_targets(agg: pd.DataFrame, targets: pd.DataFrame, defs: dict[str, contract.Metric]) -> pd.DataFrame:
    # Rule: for a quarter or a year the target is the one in force in the period's LAST month (a target
    # raised mid-year holds the department to the new level for that year's average).
    keys = agg.assign(month=agg["period"].map(last_month))[[*_hospital_key(agg), "dept_code", "month", "metric"]]
    resolved = resolve_targets(targets, keys)
    direction = resolved["direction"].where(
        resolved["direction"].notna(), agg["metric"].map(lambda m: getattr(defs.get(m), "direction", None))
    )
    # A hospital-scope metric (drug share …) on a department's row is watched, not held to the hospital's target
    # (seed 002: those are the hospital's targets; a department target for them is refused, PRODUCT §3.2).
    hosp_scope = [c for c, m in defs.items() if m.scope == "hospital"]
    watched = (agg["dept_code"] != contract.HOSPITAL_CODE).to_numpy() & agg["metric"].isin(hosp_scope).to_numpy()
    target = resolved["target"].to_numpy(copy=True)
    target[watched] = float("nan")
    return agg.assign(target=target, direction=direction.to_numpy())


def _attach_passed(df: pd.DataFrame) -> pd.DataFrame:
    ge = df["value"] >= df["target"]
    le = df["value"] <= df["target"]
    known = df["value"].notna() & df["target"].notna() & df["direction"].isin([">=", "<="])
    passed = pd.Series(pd.NA, index=df.index, dtype="boolean")
    passed[known] = ge[known].where(df.loc[known, "direction"] == ">=", le[known])
    return df.assign(passed=passed)


# ---------------------------------------------------------------------------------------------
# Hospital-wide figures
# ---------------------------------------------------------------------------------------------


def hospital_values(
    values: pd.DataFrame,
    targets: pd.DataFrame,
    metric_defs: Iterable[contract.Metric],
    dept_codes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Per (period, metric) the hospital-wide figure from ``period_values`` output (see module doc).

    Department-scope metrics: the hospital average of department values ('mean' metrics) or the hospital
    total ('sum' metrics such as complaints), against the hospital-wide target; ``n_pass`` of ``n_depts``
    departments met their own target. Hospital-scope metrics: the HOSP row itself.
    ``dept_codes`` restricts the departments averaged (a category filter); HOSP rows are always kept.
    """
    defs = _defs(metric_defs)
    hosp_scope = {c for c, m in defs.items() if m.scope == "hospital"}
    depts = values[(values["dept_code"] != contract.HOSPITAL_CODE) & ~values["metric"].isin(hosp_scope)]
    if dept_codes is not None:
        depts = depts[depts["dept_code"].isin(list(dept_codes))]
    h = _hospital_key(values)
    per_dept = _hospital_from_departments(depts, defs)
    own = values[(values["dept_code"] == contract.HOSPITAL_CODE)].assign(n_depts=0, n_pass=0, n_fail=0, n_no_target=0)[
        [*h, "period", "metric", "value", "n_depts", "n_pass", "n_fail"]
    ]
    out = pd.concat([per_dept, own], ignore_index=True)
    keys = out.assign(dept_code="", month=out["period"].map(last_month))[[*h, "dept_code", "month", "metric"]]
    resolved = resolve_targets(targets, keys)
    direction = resolved["direction"].where(
        resolved["direction"].notna(), out["metric"].map(lambda m: getattr(defs.get(m), "direction", None))
    )
    out = out.assign(target=resolved["target"].to_numpy(), direction=direction.to_numpy()).pipe(_attach_passed)
    cols = [*h, "period", "metric", "value", "target", "direction", "passed", "n_depts", "n_pass", "n_fail"]
    return out.sort_values(["metric", "period", *h]).reset_index(drop=True)[cols]


def _hospital_from_departments(depts: pd.DataFrame, defs: dict[str, contract.Metric]) -> pd.DataFrame:
    h = _hospital_key(depts)
    if depts.empty:
        return pd.DataFrame(columns=[*h, "period", "metric", "value", "n_depts", "n_pass", "n_fail"])
    g = (
        depts.assign(
            _pass=depts["passed"].fillna(False).astype(int),
            _fail=(~depts["passed"].fillna(True)).astype(int),
        )
        .groupby([*h, "period", "metric"], as_index=False)
        .agg(
            mean=("value", "mean"),
            total=("value", "sum"),
            n_depts=("dept_code", "nunique"),
            n_pass=("_pass", "sum"),
            n_fail=("_fail", "sum"),
        )
    )
    is_sum = g["metric"].map(lambda m: getattr(defs.get(m), "aggregate", "mean") == "sum").astype(bool)
    return g.assign(value=g["total"].where(is_sum, g["mean"]).astype(float)).drop(columns=["mean", "total"])


# ---------------------------------------------------------------------------------------------
# Change vs previous period and vs the same period last year
# ---------------------------------------------------------------------------------------------


def with_changes(frame: pd.DataFrame, history: pd.DataFrame | None = None) -> pd.DataFrame:
    """``frame`` plus prev_value, delta_prev (value − previous period), yoy_value, delta_yoy.

    ``frame`` holds a ``period`` and ``value`` column and any key columns (dept_code, metric …);
    ``history`` holds the earlier periods to compare with (default: ``frame`` itself).
    """
    history = frame if history is None else history
    keys = [c for c in ("dept_code", "metric") if c in frame.columns and c in history.columns]
    base = history[[*keys, "period", "value"]]
    prev = base.rename(columns={"period": "_prev", "value": "prev_value"})
    yoy = base.rename(columns={"period": "_yoy", "value": "yoy_value"})
    out = (
        frame.assign(_prev=frame["period"].map(previous_period), _yoy=frame["period"].map(same_period_last_year))
        .merge(prev, on=[*keys, "_prev"], how="left")
        .merge(yoy, on=[*keys, "_yoy"], how="left")
    )
    return out.assign(delta_prev=out["value"] - out["prev_value"], delta_yoy=out["value"] - out["yoy_value"]).drop(
        columns=["_prev", "_yoy"]
    )


# ---------------------------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------------------------


def confirmed(events: pd.DataFrame) -> pd.DataFrame:
    """Only confirmed events count (PRODUCT §3.2 events)."""
    return events[events["status"] == "confirmed"]


def event_periods(events: pd.DataFrame, grain: str, period: str | Iterable[str] | None = None) -> pd.DataFrame:
    """Confirmed events with the ``period`` of ``grain`` each counts in: a stored event in the period of its date; a
    state (an automatic W03 with its last overdue day in ``until``, PRODUCT §4.3) in every period from its first day
    to its last — one row per (event, period), so a notice late for three months is one warning of the quarter."""
    ev = confirmed(events)
    start = ev["event_date"].astype(str).str[:7]
    if "until" in ev.columns:
        end = ev["until"].where(ev["until"].notna() & (ev["until"].astype(str) != ""), ev["event_date"])
        end = end.astype(str).str[:7]
    else:
        end = start
    spans = start != end
    one = ev[~spans].assign(period=start[~spans].map({m: period_of(m, grain) for m in start[~spans].unique()}))
    many = ev[spans].assign(
        period=[periods_between(a, b, grain) for a, b in zip(start[spans], end[spans], strict=True)]
    )
    out = pd.concat([one, many.explode("period")], ignore_index=True) if len(many) else one
    return _only_periods(out, period)


def _hospital_key(frame: pd.DataFrame) -> list[str]:
    """["hospital_code"] when ``frame`` holds rows of several hospitals side by side (a region), else []."""
    return ["hospital_code"] if "hospital_code" in frame.columns else []


def event_counts(events: pd.DataFrame, grain: str, period: str | Iterable[str] | None = None) -> pd.DataFrame:
    """Confirmed events per (dept_code, period, kind, indicator): count — an event counted once in each period it
    touches (``event_periods``). ``events`` as store.events (with ``hospital_code`` first: per hospital too)."""
    ev = event_periods(events, grain, period)
    keys = [*_hospital_key(ev), "dept_code", "period", "kind", "indicator"]
    return (
        ev.groupby(keys, as_index=False)
        .agg(count=("event_id", "nunique"))
        .sort_values(["period", *_hospital_key(ev), "dept_code", "indicator"])
        .reset_index(drop=True)
    )


def event_totals(events: pd.DataFrame, grain: str, period: str | Iterable[str] | None = None) -> pd.DataFrame:
    """Confirmed vetoes and warnings per (dept_code, period): dept_code, period, vetoes, warnings (``hospital_code``
    first when the events carry it)."""
    counts = event_counts(events, grain, period)
    wide = counts.assign(
        vetoes=counts["count"].where(counts["kind"] == "veto", 0),
        warnings=counts["count"].where(counts["kind"] == "warning", 0),
    )
    return (
        wide.groupby([*_hospital_key(counts), "dept_code", "period"], as_index=False)
        .agg(vetoes=("vetoes", "sum"), warnings=("warnings", "sum"))
        .astype({"vetoes": int, "warnings": int})
    )


# ---------------------------------------------------------------------------------------------
# Views for pages
# ---------------------------------------------------------------------------------------------


def month_grid(values_by_month: pd.DataFrame, metric: str, months: Iterable[str]) -> pd.DataFrame:
    """For the heat map: one metric's monthly rows (dept_code, period, value, target, passed) over ``months``.

    ``values_by_month`` is ``period_values(..., grain='month')``; HOSP is left out.
    """
    ms = list(months)
    v = values_by_month[
        (values_by_month["metric"] == metric)
        & values_by_month["period"].isin(ms)
        & (values_by_month["dept_code"] != contract.HOSPITAL_CODE)
    ]
    return v[["dept_code", "period", "value", "target", "direction", "passed"]].reset_index(drop=True)
