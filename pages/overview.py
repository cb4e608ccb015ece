"""总览 Overview (PRODUCT §2): headline KPIs for a period, ranking with the target line, heat map.

Filters (period, category/branch, metric) → one view-model (metrics.views.overview, cached per store, data version,
language and choices) → show (st.metric with deltas vs the previous period, charts, a table linking to trends).
"""

from __future__ import annotations

import streamlit as st

import ui
from metrics import clock
from metrics.views import overview
from pages import _drill

# --- filters ------------------------------------------------------------------------------------

version = ui.data_version()
ui.title(ui.t("nav.overview"))
months = ui.months_with_data(version)
if not months:
    st.info(ui.t("app.empty_store"))
    st.stop()
grain, period = ui.period_selector(months)
codes = ui.dept_filter(ui.store_frames(version).departments, version)

# --- the view: the metric and chart pages are read from their widgets' state (drawn further down) ---------------


def _view():
    return ui.view(
        overview.build,
        ui.view_key(
            grain=grain,
            period=period,
            depts="\n".join(codes),
            metric=st.session_state.get("overview_metric"),
            rank_page=st.session_state.get("overview_rank_page", 0),
            heat_page=st.session_state.get("overview_heat_page", 0),
            today=clock.today(),
        ),
        resolved=lambda v: {"metric": v.metric},  # the first visit's metric (None) as the next run reads it
    )


view = _view()

# --- show: headline KPIs ------------------------------------------------------------------------

st.caption(view.caption)
if view.no_data:
    st.info(view.no_data)

for col, kpi in zip(st.columns(len(view.first)), view.first, strict=True):
    col.metric(**kpi)

st.subheader(ui.t("ov.hospital_title"))
if view.filtered_note:
    st.caption(view.filtered_note)
for start in range(0, len(view.hospital), 5):
    for col, (kpi, caption) in zip(st.columns(5), view.hospital[start : start + 5], strict=False):
        col.metric(**kpi)
        col.caption(caption)

# --- show: ranking, heat map and the department table: what the metric and the chart pages change ------------
# A fragment: choosing another metric or chart page reruns only this part (the KPIs above, the filters and the
# sidebar are not sent again), and its charts are updated in place (ui.chart).


@st.fragment
def _by_metric() -> None:
    view = _view()  # the page's view when the whole page ran; another metric's (cached per key) in a rerun of this part

    labels = view.metric_labels
    st.session_state["overview_metric"] = view.metric
    ui.choose(st, ui.t("ov.metric"), labels, "overview_metric")

    def _page_picker(chart, key: str) -> None:
        """A page picker when the chart has more departments than it draws (a projector shows about 40 legibly)."""
        if chart.page_labels:
            st.session_state[f"overview_{key}"] = chart.page
            ui.choose(st, ui.t(f"ov.{key}", n=overview.CHART_ROWS), chart.page_labels, f"overview_{key}")

    # a click on a bar (or a department's own target tick) or on a heat-map cell opens that department's profile, as a
    # click on its row below does
    for chart, picker, hint, key in (
        (view.ranking, "rank_page", "ov.rank_hint", "overview_ranking"),
        (view.heatmap, "heat_page", "ov.heat_hint", "overview_heatmap"),
    ):
        if chart.figure is None:
            continue
        _page_picker(chart, picker)
        if chart.more:
            st.caption(chart.more)
        st.caption(ui.t(hint))
        _drill.department_chart(chart.figure, key, "overview")

    # --- show: department table with links to the trend page ----------------------------------------

    st.subheader(ui.t("ov.table_title"))
    headers = view.table_headers
    table = ui.paged(view.table, "overview_table_page", headers, file_name=view.file_name)
    st.caption(view.light_legend)
    st.caption(ui.t("dept.open_hint"))
    _drill.department_table(
        table,
        "overview_drill",
        "overview",
        hide_index=True,
        width="stretch",
        column_config={
            "marker": st.column_config.ImageColumn("", width=40),
            "light": st.column_config.TextColumn(headers["light"]),
            "dept_code": st.column_config.TextColumn(headers["dept_code"]),
            "dept_name": st.column_config.TextColumn(headers["dept_name"]),
            "category": st.column_config.TextColumn(headers["category"]),
            "value": st.column_config.NumberColumn(headers["value"], format="%.1f"),
            "target": st.column_config.NumberColumn(headers["target"], format="%.1f"),
            "passed": st.column_config.TextColumn(headers["passed"]),
            "vetoes": st.column_config.NumberColumn(headers["vetoes"], format="%d"),
            "warnings": st.column_config.NumberColumn(headers["warnings"], format="%d"),
            "trend": st.column_config.LinkColumn(ui.t("col.trend"), display_text=ui.t("col.trend") + " ↗"),
        },
    )


_by_metric()
ui.trend_picker(codes, version, "overview")
