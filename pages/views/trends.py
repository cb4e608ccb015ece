"""What the trends page shows, built once per choice and kept (st.cache_resource) so a rerun of the page only
draws (issue 7). Functions defined here, not in the page script, are decorated once per process: a cached function
defined in a page is re-made on every run, and Streamlit re-reads its source to key it (~1 ms each).
"""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from metrics import contract, i18n, spc, spc_charts, store
from metrics.targets import resolve_targets
from pages import _common as ui

HOSP = contract.HOSPITAL_CODE
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~$:])")


def md(text: str) -> str:
    """Catalogue text made literal for st.markdown (no links, emphasis or HTML)."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


# --- load (cached on the store's path and data version) ------------------------------------------


def dept_data(path: str, version: int, dept: str) -> pd.DataFrame:
    months = ui._months_with_data(path, version)
    start = spc.window_start(months[-1]) if months else None  # the same window as the icon matrix
    return dept_values(path, version, dept, start)


@st.cache_resource(show_spinner=False, max_entries=64)
def dept_months(path: str, version: int, dept: str) -> tuple[str, ...]:
    """The months of the SPC window holding a value of the department (the rebase choices)."""
    return tuple(sorted(dept_data(path, version, dept)["month"].unique()))


@st.cache_resource(show_spinner=False, max_entries=64)
def dept_history(path: str, version: int, dept: str, lang: str):
    """(events, award changes) of the department, as frames for the charts and as tables to show."""
    frames = ui._store_frames(path, version)
    events = frames["events"][frames["events"]["dept_code"] == dept]
    awards = frames["award_changes"][frames["award_changes"]["dept_code"] == dept]
    return events, awards, spc_charts.events_table(events, lang), spc_charts.awards_table(awards, lang)


@st.cache_resource(show_spinner=False, max_entries=64)
def dept_values(path: str, version: int, dept: str, month_from: str | None) -> pd.DataFrame:
    """One department's metric values over the SPC window, with the target and direction of each month."""
    with store.opened(path) as db:
        values = store.metric_values(db, dept_codes=[dept], month_from=month_from)
        resolved = resolve_targets(store.targets(db), values)
    return values.merge(resolved, on=["dept_code", "month", "metric"], how="left")


def compare_values(version: int, codes: tuple[str, ...], metric: str) -> pd.DataFrame:
    months = ui.months_with_data(version)
    start = spc.window_start(months[-1]) if months else None
    return compare_rows(str(store.db_path()), version, codes, metric, start)


@st.cache_resource(show_spinner=False, max_entries=32)
def compare_rows(path: str, version: int, codes: tuple[str, ...], metric: str, month_from: str | None):
    """Several departments' values of one metric over the SPC window."""
    with store.opened(path) as db:
        return store.metric_values(db, metrics=[metric], dept_codes=list(codes), month_from=month_from)


_COLOUR = {
    spc.IMPROVEMENT: "blue",
    spc.CONCERN: "orange",
    spc.NEUTRAL_HIGH: "violet",
    spc.NEUTRAL_LOW: "violet",
    spc.PASS: "blue",
    spc.FAIL: "orange",
}


@st.cache_resource(show_spinner=False, max_entries=64)
def dept_series(path: str, version: int, dept: str, lang: str, run_length: int, baseline: int, rebase: str | None):
    """[(metric, heading, sentence, figure)] of one department: XmR chart, verdict and plain sentence per metric.

    Kept whole (cache_resource, nothing pickled) so a rerun of the page only draws: building a figure costs far more
    than showing it (issue 7). Figures are never changed after they are built.
    """
    frames = ui._store_frames(path, version)
    events, awards, _, _ = dept_history(path, version, dept, lang)
    values = dept_data(path, version, dept)
    params = spc.SPCParams(run_length=run_length)
    scope = "hospital" if dept == HOSP else "dept"
    out = []
    for m in sorted((m for m in frames["metric_defs"] if m.scope == scope), key=lambda m: (m.sort, m.code)):
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
        heading = (
            f"#### {md(name)}  :{_COLOUR.get(v.variation, 'gray')}-background[{md(var)}]"
            f"  :{_COLOUR.get(v.assurance, 'gray')}-background[{md(ass)}]"
        )
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
        out.append((m, heading, md(spc_charts.verdict_sentence(name, v, lang)), fig))
    return out


@st.cache_resource(show_spinner=False, max_entries=32)
def dept_choices(path: str, version: int, category: str, lang: str) -> tuple[list[str], dict[str, str]]:
    """The department picker's options (the hospital first, then clinical departments first, as the hospital lists
    them) and each option's label, once per category and language: at a region's scale a label per option on every
    run was most of the page's rerun (issue 7)."""
    departments = ui._store_frames(path, version)["departments"]
    shown = departments if not category else departments[departments["category"] == category]
    order = {c: i for i, c in enumerate(contract.CATEGORIES)}
    shown = shown.assign(_o=shown["category"].map(order).fillna(len(order))).sort_values(["_o", "dept_code"])
    names = ui._dept_names(path, version)
    labels = {c: f"{c}  {names.get(c, c)}" for c in shown["dept_code"]}
    labels[HOSP] = i18n.t("trends.hospital", lang)
    return [HOSP, *shown["dept_code"].tolist()], labels


@st.cache_resource(show_spinner=False, max_entries=8)
def categories(path: str, version: int) -> list[str]:
    present = set(ui._store_frames(path, version)["departments"]["category"])
    return [c for c in contract.CATEGORIES if c in present]
