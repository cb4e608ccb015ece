"""总览 Overview (PRODUCT §2; issue 3): headline KPIs for a period, ranking with the target line, heat map.

Filters (period, category/branch, metric) → load (cached on the data version) → compute (metrics.pipelines,
metrics.rules) → show (st.metric with deltas vs the previous period, charts, a table linking to trends).
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from metrics import i18n, store
from pages import _common as ui
from pages.views import overview as cached

CHART_ROWS = cached.CHART_ROWS  # departments a chart draws at once (a projector shows about 40 legibly)


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
codes = ui.dept_filter(departments, version)
dept_metrics = [m for m in defs if m.scope == "dept"]
names = {m.code: i18n.metric_name(m, lang) for m in defs}

# --- compute ------------------------------------------------------------------------------------

path = str(store.db_path())
codes_key = "\n".join(codes)
everyone = len(codes) == len(departments)
kpis = cached.kpis(path, version, grain, period, codes_key, date.today(), lang)

# --- show: headline KPIs ------------------------------------------------------------------------

st.caption(ui.t("ov.caption", period=i18n.fmt_period(period, lang)))
if kpis["no_data"]:
    st.info(ui.t("ov.no_data"))

for col, kpi in zip(st.columns(len(kpis["first"])), kpis["first"], strict=True):
    col.metric(**kpi)

st.subheader(ui.t("ov.hospital_title"))
if not everyone:
    st.caption(ui.t("ov.filtered_note", n=len(codes), total=len(departments)))
shown = kpis["hospital"]
for start in range(0, len(shown), 5):
    for col, (kpi, caption) in zip(st.columns(5), shown[start : start + 5], strict=False):
        col.metric(**kpi)
        col.caption(caption)

# --- show: ranking and heat map -----------------------------------------------------------------

metric_codes = [m.code for m in dept_metrics]
metric = st.selectbox(ui.t("ov.metric"), metric_codes, format_func=lambda c: names[c], key="overview_metric")


def _chart_page(n: int, key: str) -> int:
    """The page of CHART_ROWS rows a chart draws: 0 up to CHART_ROWS rows, else chosen with a selector (a projector
    shows about 40 bars or rows legibly; issue 7)."""
    if n <= CHART_ROWS:
        return 0
    pages = -(-n // CHART_ROWS)
    return st.selectbox(
        ui.t(f"ov.{key}", n=CHART_ROWS),
        list(range(pages)),
        format_func=lambda i: i18n.t(
            "ov.chart_option", lang, first=i * CHART_ROWS + 1, last=min((i + 1) * CHART_ROWS, n)
        ),
        key=f"overview_{key}",
    )


n_ranked = len(cached.ranked(path, version, grain, period, codes_key, everyone, metric))
if n_ranked:
    page = _chart_page(n_ranked, "rank_page")
    if n_ranked > CHART_ROWS:
        st.caption(ui.t("ov.ranking_more", shown=CHART_ROWS, n=n_ranked - CHART_ROWS))
    st.plotly_chart(
        cached.ranking_figure(path, version, grain, period, codes_key, everyone, metric, lang, page),
        theme=None,
        width="stretch",
    )

n_heat = len(cached.heat_rows(path, version, period, codes_key, everyone, metric)[2])
if n_heat:
    if n_heat > CHART_ROWS:
        st.caption(ui.t("ov.heatmap_more", shown=CHART_ROWS, n=n_heat - CHART_ROWS))
    page = _chart_page(n_heat, "heat_page")
    st.plotly_chart(
        cached.heatmap_figure(path, version, period, codes_key, everyone, metric, lang, page),
        theme=None,
        width="stretch",
    )

# --- show: department table with links to the trend page ----------------------------------------

st.subheader(ui.t("ov.table_title"))
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
table = cached.table(path, version, grain, period, codes_key, everyone, metric, lang)
table = ui.paged(table, "overview_table_page", headers, file_name=f"overview-{period}-{metric}.csv")
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
ui.trend_picker(codes, version, "overview")
