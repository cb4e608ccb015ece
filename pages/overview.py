"""总览 Overview (PRODUCT §2; issue 3): headline KPIs for a period, ranking with the target line, heat map.

Filters (period, category/branch, metric) → load (cached on the data version) → compute (metrics.pipelines,
metrics.rules) → show (st.metric with deltas vs the previous period, charts, a table linking to trends).
"""

from __future__ import annotations

import calendar
from datetime import date

import pandas as pd
import streamlit as st

from metrics import charts, contract, i18n, pipelines, rules, store
from pages import _common as ui

HOSP = contract.HOSPITAL_CODE
CHART_ROWS = 40  # departments a chart draws at once (a projector shows about 40 legibly)


@st.cache_data(show_spinner=False, max_entries=16)
def _values(version: int, grain: str, period: str, path: str = "") -> pd.DataFrame:
    """Department values of the period, the one before it and the same period a year earlier — each period's own
    months read from the store, aggregated, and only the aggregate kept (issue 7: the long values of a region's
    15 months were ~1.5 million rows held in the cache and copied on every run)."""
    f = ui.store_frames(version)
    shown = sorted({pipelines.same_period_last_year(period), pipelines.previous_period(period), period})
    with store.opened(path or None) as db:
        parts = [
            store.metric_values(db, month_from=pipelines.months_of(p)[0], month_to=pipelines.last_month(p))
            for p in shown
        ]
    return pipelines.period_values(pd.concat(parts, ignore_index=True), f["targets"], f["metric_defs"], grain, shown)


@st.cache_data(show_spinner=False, max_entries=32)
def _heat_grid(version: int, months: tuple[str, ...], metric: str, path: str = "") -> pd.DataFrame:
    """The heat map's cells: one metric's monthly values over ``months`` (the chart shows one metric)."""
    f = ui.store_frames(version)
    with store.opened(path or None) as db:
        mv = store.metric_values(
            db,
            metrics=[metric] if months else [],
            month_from=months[0] if months else None,
            month_to=months[-1] if months else None,
        )
    monthly = pipelines.period_values(mv, f["targets"], f["metric_defs"], "month", list(months))
    return pipelines.month_grid(monthly, metric, months)


@st.cache_data(show_spinner=False, max_entries=32)
def _headline(
    version: int, grain: str, period: str, codes_key: str, today: date
) -> tuple[pd.DataFrame, pd.DataFrame, int, int]:
    """(hospital figures with changes, confirmed vetoes and warnings per period, departments awarded at the period's
    end, and a period earlier) for the chosen departments — cached, so rerunning the same choice only draws
    (issue 7). ``today`` is in the key because a running period is judged as of today. ``codes_key``: the chosen
    codes joined by newlines (one string hashes in microseconds; a tuple of 5,000 took 0.15 s a run)."""
    codes = tuple(codes_key.split("\n")) if codes_key else ()
    frames = ui.store_frames(version)
    values = _values(version, grain, period, str(store.db_path()))
    prev = pipelines.previous_period(period)
    defs = frames["metric_defs"]
    mine = values[values["dept_code"].isin(codes) | (values["dept_code"] == HOSP)]
    hosp = pipelines.with_changes(pipelines.hospital_values(mine, frames["targets"], defs, codes))
    ev = pipelines.event_totals(frames["events"], grain)
    ev = ev[ev["dept_code"].isin(codes)].groupby("period")[["vetoes", "warnings"]].sum()
    status = rules.award_status(frames["award_changes"], _as_of(period), int(period[:4]), codes)
    prev_status = rules.award_status(frames["award_changes"], _as_of(prev), int(prev[:4]), codes)
    awarded = int((status["status"] == "awarded").sum())
    awarded_prev = int((prev_status["status"] == "awarded").sum())
    return hosp, ev, awarded, awarded_prev


@st.cache_data(show_spinner=False, max_entries=8)
def _labels(version: int, path: str) -> dict[str, str]:
    """dept_code → name (built once per data version, not per rerun: 5,000 departments at a region's scale)."""
    return ui.store_frames(version)["departments"].set_index("dept_code")["dept_name"].to_dict()


@st.cache_data(show_spinner=False, max_entries=16)
def _event_totals(version: int, grain: str, period: str, path: str) -> pd.DataFrame:
    """Confirmed vetoes and warnings per department in the period (cached; issue 7)."""
    return pipelines.event_totals(ui.store_frames(version)["events"], grain, period)


# Built figures, kept per their inputs (a 40-row frame hashes in a millisecond; building a figure takes ~0.1 s of
# plotly validation). cache_resource hands back the same object: st.plotly_chart only serialises it (issue 7).
@st.cache_resource(show_spinner=False, max_entries=64)
def _ranking_figure(rows: pd.DataFrame, title: str, lang: str, hospital_target: float | None = None):
    return charts.ranking(rows, title, lang, hospital_target=hospital_target)


@st.cache_resource(show_spinner=False, max_entries=64)
def _heatmap_figure(grid: pd.DataFrame, labels: dict[str, str], window: tuple[str, ...], title: str, lang: str):
    return charts.heatmap(grid, labels, list(window), title, lang)


def _as_of(period: str) -> date:
    """The last day of the period, or today when the period is still running."""
    y, m = int(pipelines.last_month(period)[:4]), int(pipelines.last_month(period)[5:7])
    return min(date(y, m, calendar.monthrange(y, m)[1]), date.today())


# --- filters ------------------------------------------------------------------------------------

lang = ui.lang()
version = ui.data_version()
st.title(ui.t("nav.overview"))
frames = ui.store_frames(version)
departments, defs = frames["departments"], frames["metric_defs"]
months = ui.months_with_data(version)
if not months:
    st.info(ui.t("app.empty_store"))
    st.stop()
grain, period = ui.period_selector(months)
codes = ui.dept_filter(departments)
dept_metrics = [m for m in defs if m.scope == "dept"]
hosp_metrics = [m for m in defs if m.scope == "hospital"]
names = {m.code: i18n.metric_name(m, lang) for m in defs}

# --- compute ------------------------------------------------------------------------------------

values = _values(version, grain, period, str(store.db_path()))
prev = pipelines.previous_period(period)
hosp, ev, awarded, awarded_prev = _headline(version, grain, period, "\n".join(codes), date.today())
hosp_now = hosp[hosp["period"] == period].set_index("metric")

# --- show: headline KPIs ------------------------------------------------------------------------

st.caption(ui.t("ov.caption", period=i18n.fmt_period(period, lang)))
if hosp_now.empty:
    st.info(ui.t("ov.no_data"))


def _count(frame: pd.DataFrame, p: str, col: str) -> int:
    return int(frame.loc[p, col]) if p in frame.index else 0


kpi_cols = st.columns(
    len([m for m in dept_metrics if m.code in hosp_now.index and pd.notna(hosp_now.at[m.code, "target"])]) + 3
)
i = 0
for m in dept_metrics:
    if m.code not in hosp_now.index or pd.isna(hosp_now.at[m.code, "target"]):
        continue
    row = hosp_now.loc[m.code]
    before = hosp[(hosp["metric"] == m.code) & (hosp["period"] == prev)]
    delta = None if before.empty else int(row["n_pass"] - before.iloc[0]["n_pass"])
    kpi_cols[i].metric(
        ui.t("ov.kpi.meeting", metric=names[m.code]),
        ui.t("ov.kpi.meeting_value", n=int(row["n_pass"]), total=int(row["n_depts"])),
        delta=delta,
    )
    i += 1
kpi_cols[i].metric(
    ui.t("ov.kpi.vetoes"),
    _count(ev, period, "vetoes"),
    delta=_count(ev, period, "vetoes") - _count(ev, prev, "vetoes"),
    delta_color="inverse",
)
kpi_cols[i + 1].metric(
    ui.t("ov.kpi.warnings"),
    _count(ev, period, "warnings"),
    delta=_count(ev, period, "warnings") - _count(ev, prev, "warnings"),
    delta_color="inverse",
)
kpi_cols[i + 2].metric(ui.t("ov.kpi.awards"), awarded, delta=awarded - awarded_prev)

st.subheader(ui.t("ov.hospital_title"))
if len(codes) < len(departments):
    st.caption(ui.t("ov.filtered_note", n=len(codes), total=len(departments)))
shown = [
    m for m in [*dept_metrics, *hosp_metrics] if m.code in hosp_now.index and pd.notna(hosp_now.at[m.code, "target"])
]
for start in range(0, len(shown), 5):
    cols = st.columns(5)
    for col, m in zip(cols, shown[start : start + 5], strict=False):
        row = hosp_now.loc[m.code]
        sign = "≥" if row["direction"] == ">=" else "≤"
        unit = m.unit_en if lang == "en" else m.unit_zh
        col.metric(
            ui.t("ov.kpi.hospital", metric=names[m.code]),
            f"{i18n.fmt_number(row['value'], lang)} {unit}".strip(),
            delta=None if pd.isna(row["delta_prev"]) else round(float(row["delta_prev"]), 2),
            delta_color="normal" if row["direction"] == ">=" else "inverse",
            help=ui.t("ov.kpi.target", direction=sign, target=i18n.fmt_number(row["target"], lang)),
        )
        verdict = ui.t("pass.none") if pd.isna(row["passed"]) else ui.t("pass.yes" if row["passed"] else "pass.no")
        yoy = (
            ""
            if pd.isna(row["delta_yoy"])
            else " · " + ui.t("ov.kpi.yoy", delta=f"{row['delta_yoy']:+.{2 if abs(row['delta_yoy']) < 0.1 else 1}f}")
        )
        target_text = ui.t("ov.kpi.target", direction=sign, target=i18n.fmt_number(row["target"], lang))
        col.caption(f"{verdict} · {target_text}{yoy}")

# --- show: ranking and heat map -----------------------------------------------------------------

metric_codes = [m.code for m in dept_metrics]
metric = st.selectbox(ui.t("ov.metric"), metric_codes, format_func=lambda c: names[c], key="overview_metric")
labels = _labels(version, str(store.db_path()))
# Unfiltered, every department is chosen: skip the isin of 5,000 codes (0.03 s per call on Arrow strings; issue 7).
everyone = len(codes) == len(departments)
chosen = (values["dept_code"] != HOSP) if everyone else values["dept_code"].isin(codes)
now = values[(values["period"] == period) & (values["metric"] == metric) & chosen]


def _chart_rows(n: int, key: str) -> slice:
    """The rows a chart draws: all of them up to CHART_ROWS, else a page of CHART_ROWS chosen with a selector (a
    projector shows about 40 bars or rows legibly; issue 7)."""
    if n <= CHART_ROWS:
        return slice(0, n)
    pages = -(-n // CHART_ROWS)
    i = st.selectbox(
        ui.t(f"ov.{key}", n=CHART_ROWS),
        list(range(pages)),
        format_func=lambda i: i18n.t(
            "ov.chart_option", lang, first=i * CHART_ROWS + 1, last=min((i + 1) * CHART_ROWS, n)
        ),
        key=f"overview_{key}",
    )
    return slice(i * CHART_ROWS, (i + 1) * CHART_ROWS)


if not now.empty:
    rows = now
    if len(now) > CHART_ROWS:  # furthest below target first: the departments the office must talk to
        gap = (now["value"] - now["target"]).where(now["direction"] != "<=", now["target"] - now["value"])
        rows = now.assign(_gap=gap).sort_values(["_gap", "dept_code"], na_position="last")
        rows = rows.iloc[_chart_rows(len(rows), "rank_page")].drop(columns="_gap")
        st.caption(ui.t("ov.ranking_more", shown=CHART_ROWS, n=len(now) - CHART_ROWS))
    rows = rows.assign(label=rows["dept_code"].map(lambda c: labels.get(c, c)))
    hosp_target = hosp_now.at[metric, "target"] if metric in hosp_now.index else None
    fig = _ranking_figure(
        rows,
        ui.t("ov.ranking_title", metric=names[metric], period=i18n.fmt_period(period, lang)),
        lang,
        hospital_target=None if hosp_target is None or pd.isna(hosp_target) else float(hosp_target),
    )
    st.plotly_chart(fig, theme=None, width="stretch")

last = min(pipelines.last_month(period), months[-1])
window = [m for m in months if m <= last][-12:]
grid = _heat_grid(version, tuple(window), metric, str(store.db_path()))
grid = grid if everyone else grid[grid["dept_code"].isin(codes)]
order = (  # share of months met per department, best first (one vectorised groupby: issue 7)
    grid.assign(_met=grid["passed"].fillna(False).astype(bool))
    .groupby("dept_code")["_met"]
    .mean()
    .sort_values(ascending=False)
)
heat_codes = [*order.index, *[c for c in codes if c not in order.index]]
if len(heat_codes) > CHART_ROWS:  # needing attention (fewest months met) first, a page at a time
    heat_codes = [*order.sort_values(kind="stable").index, *heat_codes[len(order) :]]
    st.caption(ui.t("ov.heatmap_more", shown=CHART_ROWS, n=len(heat_codes) - CHART_ROWS))
    heat_codes = heat_codes[_chart_rows(len(heat_codes), "heat_page")]
    grid = grid[grid["dept_code"].isin(heat_codes)]
heat_labels = {c: labels.get(c, c) for c in heat_codes}
if heat_labels:
    st.plotly_chart(
        _heatmap_figure(grid, heat_labels, tuple(window), ui.t("ov.heatmap_title", metric=names[metric]), lang),
        theme=None,
        width="stretch",
    )

# --- show: department table with links to the trend page ----------------------------------------

st.subheader(ui.t("ov.table_title"))
tot = _event_totals(version, grain, period, str(store.db_path()))
table = (
    (departments if everyone else departments[departments["dept_code"].isin(codes)])[
        ["dept_code", "dept_name", "category"]
    ]
    .merge(now[["dept_code", "value", "target", "passed"]], on="dept_code", how="left")
    .merge(tot[["dept_code", "vetoes", "warnings"]], on="dept_code", how="left")
    .fillna({"vetoes": 0, "warnings": 0})
)
pass_text = {True: ui.t("pass.yes"), False: ui.t("pass.no")}
table = table.assign(passed=table["passed"].map(lambda p: ui.t("pass.none") if pd.isna(p) else pass_text[bool(p)]))
headers = {
    "dept_code": ui.t("col.dept_code"),
    "dept_name": ui.t("col.dept_name"),
    "category": ui.t("col.category"),
    "value": names[metric],
    "target": ui.t("col.target"),
    "passed": ui.t("col.passed"),
    "vetoes": ui.t("col.vetoes"),
    "warnings": ui.t("col.warnings"),
}
table = ui.paged(table, "overview_table_page", headers, file_name=f"overview-{period}-{metric}.csv")
table = table.assign(trend=ui.trend_links(table["dept_code"]))
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        "dept_code": st.column_config.TextColumn(ui.t("col.dept_code")),
        "dept_name": st.column_config.TextColumn(ui.t("col.dept_name")),
        "category": st.column_config.TextColumn(ui.t("col.category")),
        "value": st.column_config.NumberColumn(names[metric], format="%.1f"),
        "target": st.column_config.NumberColumn(ui.t("col.target"), format="%.1f"),
        "passed": st.column_config.TextColumn(ui.t("col.passed")),
        "vetoes": st.column_config.NumberColumn(ui.t("col.vetoes"), format="%d"),
        "warnings": st.column_config.NumberColumn(ui.t("col.warnings"), format="%d"),
        "trend": st.column_config.LinkColumn(ui.t("col.trend"), display_text=ui.t("col.trend") + " ↗"),
    },
)
ui.trend_picker(codes, labels, "overview")
