"""What the department trends page shows (PRODUCT §2, §5): the pickers' options and labels, one
XmR chart per metric of the department with its verdict icons and sentence, the comparison with other departments,
and the department's events and award changes.

Choices (``ViewKey.choices``): ``category`` ('' = all), ``dept`` (HOSP = the hospital-wide metrics; a code not in
the category's list falls back to its first department), ``rebase`` (a month of the department's window or None),
``baseline`` (points the limits rest on, 0 = all), ``run_length`` (7 or 6), ``compare_metric`` and
``compare_depts`` (a tuple of at most COMPARE_MAX other departments). Metric names are the store's catalogue's.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from metrics import contract, i18n, safe, store
from metrics.rules import spc
from metrics.rules.targets import resolve_targets
from metrics.views import ViewKey, loaded, spc_charts

HOSP = contract.HOSPITAL_CODE
COMPARE_MAX = 5
_COLOUR = {
    spc.IMPROVEMENT: "blue",
    spc.CONCERN: "orange",
    spc.NEUTRAL_HIGH: "violet",
    spc.NEUTRAL_LOW: "violet",
    spc.PASS: "blue",
    spc.FAIL: "orange",
}


md = safe.md_text  # uploaded or catalogue text made literal for st.markdown (one rule: metrics.safe)


@dataclass(frozen=True)
class Chart:
    """One metric's XmR chart: the metric's code, its heading (markdown: name and icons), sentence, figure."""

    metric: str
    heading: str
    sentence: str
    figure: go.Figure
    chips: str = ""  # markdown: the variation and assurance icons alone (the heading without the name)


@dataclass(frozen=True)
class TrendsView:
    category: str
    category_labels: dict[str, str]  # '' (all) first, then the catalogue's order of categories present
    dept: str  # the department shown (HOSP: the hospital-wide metrics)
    dept_labels: dict[str, str]  # the department picker: HOSP first, then the category's departments in order
    rebase: str | None
    rebase_labels: (
        dict  # "" ("do not recalculate"; None would read as no choice) first, then the window's months after the first
    )
    heading: str  # markdown, the department's name escaped
    no_data: str | None  # said instead of the charts when the department has no value
    charts: tuple[Chart, ...]  # in catalogue order
    compare_labels: dict[str, str]  # metrics the comparison can show: code → name (none for HOSP)
    compare_metric: str | None
    compare_options: tuple[str, ...]  # the other departments of the picker
    compare_depts: tuple[str, ...]
    comparison: go.Figure | None  # None until another department is chosen
    events: pd.DataFrame  # the department's events, every status, newest first, labels in the language
    awards: pd.DataFrame  # its award changes


def build(key: ViewKey) -> TrendsView:
    """Everything the page shows for ``key`` (see the module doc for its choices)."""
    f = loaded.frames(key.store, key.version, key.hospital)
    lang = key.lang
    present = set(f.departments["category"])
    categories = [c for c in contract.CATEGORIES if c in present]
    category = key.get("category") or ""
    category = category if category in categories else ""
    labels = _dept_labels(key.store, key.version, key.hospital, category, lang)
    options = list(labels)
    wanted = key.get("dept")
    dept = wanted if wanted in labels else (options[1] if len(options) > 1 else HOSP)

    months = _dept_months(key.store, key.version, key.hospital, dept)
    rebase = key.get("rebase") if dept == wanted and key.get("rebase") in months[1:] else None
    run_length = key.get("run_length") if key.get("run_length") in (6, 7) else 7
    baseline = int(key.get("baseline") or 0)
    charts = _charts(key.store, key.version, key.hospital, dept, lang, run_length, baseline, rebase)

    compare_labels = {} if dept == HOSP else {c.metric: _name(f, c.metric, lang) for c in charts}
    compare_metric = key.get("compare_metric")
    compare_metric = compare_metric if compare_metric in compare_labels else next(iter(compare_labels), None)
    others = tuple(c for c in options if c not in (HOSP, dept))
    chosen = tuple(c for c in (key.get("compare_depts") or ()) if c in others)[:COMPARE_MAX]
    comparison = (
        _comparison(key.store, key.version, key.hospital, f, (dept, *chosen), compare_metric, lang) if chosen else None
    )

    events = f.events[f.events["dept_code"] == dept]
    awards = f.award_changes[f.award_changes["dept_code"] == dept]
    return TrendsView(
        category=category,
        category_labels={"": i18n.t("filter.all", lang), **{c: c for c in categories}},
        dept=dept,
        dept_labels=labels,
        rebase=rebase,
        rebase_labels={"": i18n.t("trends.rebase_none", lang), **{m: i18n.fmt_month(m, lang) for m in months[1:]}},
        heading=i18n.t("trends.hospital_section", lang)
        if dept == HOSP
        else md(i18n.t("trends.summary", lang, dept=f.dept_names.get(dept, dept), n=len(charts))),
        no_data=None if charts else i18n.t("trends.no_data", lang),
        charts=charts,
        compare_labels=compare_labels,
        compare_metric=compare_metric,
        compare_options=others,
        compare_depts=chosen,
        comparison=comparison,
        events=spc_charts.events_table(events, lang),
        awards=spc_charts.awards_table(awards, lang),
    )


# --- the parts, each memoised on everything it reads (the store's path and data version first) -------------------


def _name(f: loaded.Frames, code: str, lang: str) -> str:
    return i18n.metric_name(f.metric(code), lang)


def _window_start(f: loaded.Frames) -> str | None:
    return spc.window_start(f.months[-1]) if f.months else None  # the same window as the icon matrix


@loaded.memo(maxsize=16)
def _dept_labels(path: str, version: int, hospital: str, category: str, lang: str) -> dict[str, str]:
    """The department picker's options and labels: the hospital first, then clinical departments first, as the
    hospital lists them (worked out once per category and language: at a region's scale a label per option on
    every run was most of the page's rerun)."""
    f = loaded.frames(path, version, hospital)
    shown = f.departments if not category else f.departments[f.departments["category"] == category]
    order = {c: i for i, c in enumerate(contract.CATEGORIES)}
    shown = shown.assign(_o=shown["category"].map(order).fillna(len(order))).sort_values(["_o", "dept_code"])
    return {HOSP: i18n.t("trends.hospital", lang), **{c: f"{c}  {f.dept_names.get(c, c)}" for c in shown["dept_code"]}}


@loaded.memo(maxsize=16)
def _dept_values(path: str, version: int, hospital: str, dept: str) -> pd.DataFrame:
    """One department's metric values over the SPC window, with the target and direction of each month."""
    start = _window_start(loaded.frames(path, version, hospital))
    with store.opened(path) as db:
        values = store.metric_values(db, dept_codes=[dept], month_from=start, hospital=hospital)
        resolved = resolve_targets(store.targets(db, hospital), values)
    return values.merge(resolved, on=["dept_code", "month", "metric"], how="left")


def _dept_months(path: str, version: int, hospital: str, dept: str) -> tuple[str, ...]:
    """The months of the SPC window holding a value of the department (the rebase choices)."""
    return tuple(sorted(_dept_values(path, version, hospital, dept)["month"].unique()))


@loaded.memo(maxsize=16)
def _charts(
    path: str, version: int, hospital: str, dept: str, lang: str, run_length: int, baseline: int, rebase: str | None
) -> tuple[Chart, ...]:
    """One department's XmR chart, verdict and plain sentence per metric, in catalogue order."""
    f = loaded.frames(path, version, hospital)
    events = f.events[f.events["dept_code"] == dept]
    awards = f.award_changes[f.award_changes["dept_code"] == dept]
    values = _dept_values(path, version, hospital, dept)
    params = spc.SPCParams(run_length=run_length)
    scope = "hospital" if dept == HOSP else "dept"
    out = []
    for m in sorted((m for m in f.metric_defs if m.scope == scope), key=lambda m: (m.sort, m.code)):
        s = values[values["metric"] == m.code].sort_values("month")
        if s.empty:
            continue
        direction = spc.series_direction(s["direction"], m.direction)
        chart = spc.xmr(
            s,
            direction,
            params,
            baseline_points=baseline or None,
            rebase_months=[rebase] if rebase else (),
            count=spc.is_count(m),
        )
        v = spc.verdict(chart, direction)
        name = i18n.metric_name(m, lang)
        var = spc_charts.variation_label(v.variation, direction, lang)
        ass = spc_charts.assurance_label(v.assurance, lang, v.missed_months)
        chips = (
            f":{_COLOUR.get(v.variation, 'gray')}-background[{md(var)}]"
            f"  :{_COLOUR.get(v.assurance, 'gray')}-background[{md(ass)}]"
        )
        heading = f"#### {md(name)}  {chips}"
        fig = spc_charts.xmr_figure(
            chart,
            title="",  # the heading above already names the metric
            lang=lang,
            unit=m.unit_en if lang == "en" else m.unit_zh,
            direction=direction,
            events=events,
            awards=awards,
            params=params,
        )
        out.append(Chart(m.code, heading, md(spc_charts.verdict_sentence(name, v, lang)), fig, chips))
    return tuple(out)


def _comparison(
    path: str, version: int, hospital: str, f: loaded.Frames, codes: tuple[str, ...], metric: str, lang: str
):
    """Several departments' monthly values of one metric over the SPC window, with the hospital's target."""
    m = f.metric(metric)
    with store.opened(path) as db:
        values = store.metric_values(
            db, metrics=[metric], dept_codes=list(codes), month_from=_window_start(f), hospital=hospital
        )
    hosp_target = f.targets[(f.targets["metric"] == metric) & (f.targets["dept_code"] == "")].sort_values(
        "effective_from"
    )
    return spc_charts.comparison_figure(
        values,
        {c: f"{c} {f.dept_names.get(c, c)}" for c in codes},
        lang=lang,
        unit=m.unit_en if lang == "en" else m.unit_zh,
        target=float(hosp_target["target"].iloc[-1]) if len(hosp_target) else None,
        direction=hosp_target["direction"].iloc[-1] if len(hosp_target) else m.direction,
    )


def department_charts(path: str, version: int, hospital: str, dept: str, lang: str) -> tuple[Chart, ...]:
    """The department's XmR charts as the trends page first shows them (default limits, no rebase): the profile's,
    three a row there, so each names half the months (six labels ran into each other at a third of the width)."""
    return tuple(
        dataclasses.replace(c, figure=spc_charts.fewer_month_labels(c.figure, 2))
        for c in _charts(path, version, hospital, dept, lang, 7, 0, None)
    )


def default_keys(base: ViewKey, *, period: str, depts: str, today) -> list[tuple]:
    """The views a first visit of the page builds, each with the key the page makes before any widget is touched:
    (builder, key, resolved) — ``resolved(view)`` gives the choices that visit leaves open as the widgets hold them
    on the next run (``ui.cache.filed_view``). The server's warm after a commit builds exactly these."""
    key = base.with_(
        category="", dept=None, rebase=None, baseline=0, run_length=7, compare_metric=None, compare_depts=()
    )

    def resolved(v: TrendsView) -> dict:
        return {
            "category": v.category,
            "dept": v.dept,
            "rebase": v.rebase or "",
            "compare_metric": v.compare_metric,
            "compare_depts": v.compare_depts,
        }

    return [(build, key, resolved)]
