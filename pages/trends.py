"""科室趋势 Department trends: every metric of one department as an XmR chart (PRODUCT §2, §5; issue 4).

Filters (category, department — preselected from ``?dept=K01`` —, rebase month, limit settings) → load (cached
on the data version) → compute (metrics.spc) → show (verdict icons and sentence, then the chart).
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


def _md(text: str) -> str:
    """Catalogue text made literal for st.markdown (no links, emphasis or HTML)."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


# --- load (cached on the store's path and data version) ------------------------------------------


def _dept_data(path: str, version: int, dept: str) -> pd.DataFrame:
    months = ui._months_with_data(path, version)
    start = spc.window_start(months[-1]) if months else None  # the same window as the icon matrix
    return _dept_values(path, version, dept, start)


@st.cache_resource(show_spinner=False, max_entries=64)
def _dept_months(path: str, version: int, dept: str) -> tuple[str, ...]:
    """The months of the SPC window holding a value of the department (the rebase choices)."""
    return tuple(sorted(_dept_data(path, version, dept)["month"].unique()))


@st.cache_resource(show_spinner=False, max_entries=64)
def _dept_history(path: str, version: int, dept: str, lang: str):
    """(events, award changes) of the department, as frames for the charts and as tables to show."""
    frames = ui._store_frames(path, version)
    events = frames["events"][frames["events"]["dept_code"] == dept]
    awards = frames["award_changes"][frames["award_changes"]["dept_code"] == dept]
    return events, awards, spc_charts.events_table(events, lang), spc_charts.awards_table(awards, lang)


@st.cache_data(show_spinner=False, max_entries=64)
def _dept_values(path: str, version: int, dept: str, month_from: str | None) -> pd.DataFrame:
    """One department's metric values over the SPC window, with the target and direction of each month."""
    with store.opened(path) as db:
        values = store.metric_values(db, dept_codes=[dept], month_from=month_from)
        resolved = resolve_targets(store.targets(db), values)
    return values.merge(resolved, on=["dept_code", "month", "metric"], how="left")


def _compare_values(version: int, codes: tuple[str, ...], metric: str) -> pd.DataFrame:
    months = ui.months_with_data(version)
    start = spc.window_start(months[-1]) if months else None
    return _compare_rows(str(store.db_path()), version, codes, metric, start)


@st.cache_data(show_spinner=False, max_entries=32)
def _compare_rows(path: str, version: int, codes: tuple[str, ...], metric: str, month_from: str | None):
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
def _dept_series(path: str, version: int, dept: str, lang: str, run_length: int, baseline: int, rebase: str | None):
    """[(metric, heading, sentence, figure)] of one department: XmR chart, verdict and plain sentence per metric.

    Kept whole (cache_resource, nothing pickled) so a rerun of the page only draws: building a figure costs far more
    than showing it (issue 7). Figures are never changed after they are built.
    """
    frames = ui._store_frames(path, version)
    events, awards, _, _ = _dept_history(path, version, dept, lang)
    values = _dept_data(path, version, dept)
    params = spc.SPCParams(run_length=run_length)
    scope = "hospital" if dept == HOSP else "dept"
    out = []
    for m in sorted((m for m in frames["metric_defs"] if m.scope == scope), key=lambda m: (m.sort, m.code)):
        s = values[values["metric"] == m.code].sort_values("month")
        if s.empty:
            continue
        direction = spc.series_direction(s["direction"], m.direction)
        chart = spc.xmr(
            s, direction, params, baseline_points=baseline or None, rebase_months=[rebase] if rebase else ()
        )
        v = spc.verdict(chart, direction)
        name = i18n.metric_name(m, lang)
        var = spc_charts.variation_label(v.variation, direction, lang)
        ass = spc_charts.assurance_label(v.assurance, lang)
        heading = (
            f"#### {_md(name)}  :{_COLOUR.get(v.variation, 'gray')}-background[{_md(var)}]"
            f"  :{_COLOUR.get(v.assurance, 'gray')}-background[{_md(ass)}]"
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
        out.append((m, heading, _md(spc_charts.verdict_sentence(name, v, lang)), fig))
    return out


# --- filters -----------------------------------------------------------------------------------

lang = ui.lang()
version = ui.data_version()
st.title(ui.t("nav.trends"))
frames = ui.store_frames(version)
departments, metric_defs = frames["departments"], frames["metric_defs"]

# ?dept=K01 (links from other pages) chooses the department whenever the link changes, also later in a session.
wanted = st.query_params.get("dept")
known = set(departments["dept_code"]) | {HOSP}
if wanted != st.session_state.get("_trends_link"):
    st.session_state["_trends_link"] = wanted
    if wanted in known:
        st.session_state["trends_dept"] = wanted
        st.session_state["trends_category"] = ""

names = dict(zip(departments["dept_code"], departments["dept_name"], strict=True))
names[HOSP] = ui.t("trends.hospital")
all_label = ui.t("filter.all")

c1, c2, c3 = st.columns([1, 2, 2])
category = c1.selectbox(
    ui.t("filter.category"),
    ["", *[c for c in contract.CATEGORIES if c in set(departments["category"])]],
    format_func=lambda c: c or all_label,
    key="trends_category",
)
shown = departments if not category else departments[departments["category"] == category]
order = {c: i for i, c in enumerate(contract.CATEGORIES)}  # clinical departments first, as the hospital lists them
shown = shown.assign(_o=shown["category"].map(order).fillna(len(order))).sort_values(["_o", "dept_code"])
options = [HOSP, *shown["dept_code"].tolist()]
if st.session_state.get("trends_dept") not in options:
    st.session_state["trends_dept"] = options[1] if len(options) > 1 else HOSP
dept = c2.selectbox(
    ui.t("trends.dept"),
    options,
    key="trends_dept",
    format_func=lambda c: names.get(c, c) if c == HOSP else f"{c}  {names.get(c, c)}",
)
if wanted and wanted not in known:
    st.warning(ui.t("trends.unknown_dept"))
if wanted != dept:  # the URL names the department shown, so it can be shared or bookmarked
    st.query_params["dept"] = dept
    st.session_state["_trends_link"] = dept

path = str(store.db_path())
months = _dept_months(path, version, dept)
events, awards, events_table, awards_table = _dept_history(path, version, dept, lang)
no_rebase = ui.t("trends.rebase_none")  # format functions must not read session state (AppTest)
rebase = c3.selectbox(
    ui.t("trends.rebase"),
    [None, *months[1:]],
    format_func=lambda m: no_rebase if m is None else i18n.fmt_month(m, lang),
    help=ui.t("trends.rebase_help"),
    key=f"trends_rebase_{dept}",
)
with st.expander(ui.t("trends.settings")):
    s1, s2 = st.columns(2)
    baseline = s1.number_input(ui.t("trends.baseline"), min_value=0, max_value=120, value=0, step=1)
    run_length = s2.radio(ui.t("trends.run_length"), [7, 6], horizontal=True)

# --- compute (each chart built once per department, settings, language and data version) ------------

series = _dept_series(path, version, dept, lang, int(run_length), int(baseline), rebase)

# --- show ----------------------------------------------------------------------------------------

st.subheader(
    ui.t("trends.hospital_section") if dept == HOSP else _md(ui.t("trends.summary", dept=names[dept], n=len(series)))
)
if not series:
    st.info(ui.t("trends.no_data"))
    st.stop()
st.caption(ui.t("trends.how_to_read"))

for m, heading, sentence, fig in series:
    st.markdown(heading)
    st.markdown(sentence)
    st.plotly_chart(fig, theme=None, key=f"xmr_{dept}_{m.code}")

COMPARE_MAX = 5
if dept != HOSP:
    with st.expander(ui.t("trends.compare")):
        st.caption(ui.t("trends.compare_hint"))
        metric_names = {m.code: i18n.metric_name(m, lang) for m, *_ in series}
        k1, k2 = st.columns([1, 3])
        compare_metric = k1.selectbox(
            ui.t("trends.compare_metric"), list(metric_names), format_func=metric_names.get, key="trends_cmp_metric"
        )
        others = [c for c in options if c not in (HOSP, dept)]
        chosen = k2.multiselect(
            ui.t("trends.compare_depts", n=COMPARE_MAX),
            others,
            format_func=lambda c: f"{c}  {names.get(c, c)}",
            max_selections=COMPARE_MAX,
            key="trends_cmp_depts",
        )
        if chosen:
            codes = [dept, *chosen]
            m = next(m for m, *_ in series if m.code == compare_metric)
            hospital_target = frames["targets"]
            hospital_target = hospital_target[
                (hospital_target["metric"] == m.code) & (hospital_target["dept_code"] == "")
            ].sort_values("effective_from")
            fig = spc_charts.comparison_figure(
                _compare_values(version, tuple(codes), m.code),
                {c: f"{c} {names.get(c, c)}" for c in codes},
                lang=lang,
                unit=m.unit_en if lang == "en" else m.unit_zh,
                target=float(hospital_target["target"].iloc[-1]) if len(hospital_target) else None,
                direction=hospital_target["direction"].iloc[-1] if len(hospital_target) else m.direction,
            )
            st.plotly_chart(fig, theme=None, key="trends_compare_chart")

with st.expander(ui.t("trends.history")):
    h1, h2 = st.columns(2)
    h1.markdown(f"**{ui.t('trends.events')}**")
    if events.empty:
        h1.caption(ui.t("trends.none"))
    else:
        h1.dataframe(
            events_table,
            hide_index=True,
            column_config={
                "event_date": ui.t("col.date"),
                "kind": ui.t("col.kind"),
                "indicator": ui.t("col.indicator_code"),
                "description": ui.t("col.description"),
                "status": ui.t("col.status"),
            },
            key="trends_events",
        )
    h2.markdown(f"**{ui.t('trends.awards')}**")
    if awards.empty:
        h2.caption(ui.t("trends.none"))
    else:
        h2.dataframe(
            awards_table,
            hide_index=True,
            column_config={
                "year": st.column_config.NumberColumn(ui.t("trends.col.year"), format="%d"),
                "status": ui.t("col.status"),
                "changed_on": ui.t("col.changed_on"),
                "rectify_until": ui.t("col.rectify_until"),
                "note": ui.t("trends.col.note"),
            },
            key="trends_awards",
        )
