"""否决与警示 Vetoes & warnings (PRODUCT §2, §4.3; issue 3): events by indicator, department and quarter,
and a red / amber / green / grey light per department.

Filters (period, category/branch) → load (cached on the data version) → compute (metrics.pipelines,
metrics.rules.traffic_lights) → show (light table linking to trends, chart by quarter, event list).
"""

from __future__ import annotations

import streamlit as st

from metrics import i18n, store
from pages import _common as ui
from pages.views import events as cached

# --- filters ------------------------------------------------------------------------------------

lang = ui.lang()
version = ui.data_version()
path = str(store.db_path())
st.title(ui.t("nav.events"))
frames = ui.store_frames(version)
months = cached.months(path, version)
if not months:
    st.info(ui.t("app.empty_store"))
    st.stop()
grain, period = ui.period_selector(months)
codes = ui.dept_filter(frames["departments"], version)

# --- compute ------------------------------------------------------------------------------------

view = cached.view(path, version, grain, period, "\n".join(codes), lang)
table = view["table"]

# --- show ---------------------------------------------------------------------------------------

p_label = i18n.fmt_period(period, lang)
st.subheader(ui.t("ev.lights_title", period=p_label))
st.markdown("#### " + ui.t("ev.light_counts", **view["counts"]))
st.caption(ui.t("ev.legend"))
light_headers = {
    "light_label": ui.t("col.light"),
    "dept_code": ui.t("col.dept_code"),
    "dept_name": ui.t("col.dept_name"),
    "vetoes": ui.t("col.vetoes"),
    "warnings": ui.t("col.warnings"),
    "missed": ui.t("col.missed"),
}
page = ui.paged(table, "events_lights_page", light_headers, file_name=f"lights-{period}.csv")
# The light as a coloured shape next to its name (colour is never the only cue), not a styled table: pandas'
# Styler cost ~20 ms a run on its own (issue 7).
st.dataframe(
    page[["marker", "light_label", "dept_code", "dept_name", "vetoes", "warnings", "missed", "trend"]],
    hide_index=True,
    width="stretch",
    column_config={
        "marker": st.column_config.ImageColumn("", width=40),
        **{
            c: st.column_config.TextColumn(h)
            for c, h in light_headers.items()
            if c in ("light_label", "dept_code", "dept_name")
        },
        **{
            c: st.column_config.NumberColumn(h, format="%d")
            for c, h in light_headers.items()
            if c in ("vetoes", "warnings", "missed")
        },
        "trend": st.column_config.LinkColumn(ui.t("col.trend"), display_text=ui.t("col.trend") + " ↗"),
    },
)

ui.trend_picker(table["dept_code"].tolist(), version, "events")

if view["by_quarter"] is not None:
    st.plotly_chart(view["by_quarter"], theme=None, width="stretch")

st.subheader(ui.t("ev.by_indicator_title", period=p_label))
if view["detail"].empty:
    st.info(ui.t("ev.none"))
else:
    st.dataframe(
        view["by_indicator"],
        hide_index=True,
        width="stretch",
        column_config={
            "indicator": st.column_config.TextColumn(ui.t("col.indicator_code")),
            "name": st.column_config.TextColumn(ui.t("col.indicator")),
            "kind": st.column_config.TextColumn(ui.t("col.kind")),
            "count": st.column_config.NumberColumn(ui.t("col.count"), format="%d"),
        },
    )
    st.subheader(ui.t("ev.list_title", period=p_label))
    detail_headers = {
        "date": ui.t("col.date"),
        "dept_code": ui.t("col.dept_code"),
        "dept_name": ui.t("col.dept_name"),
        "kind": ui.t("col.kind"),
        "indicator": ui.t("col.indicator_code"),
        "description": ui.t("col.description"),
        "office": ui.t("col.office"),
    }
    detail = ui.paged(view["detail"], "events_list_page", detail_headers, file_name=f"events-{period}.csv")
    st.dataframe(
        detail[list(detail_headers)],
        hide_index=True,
        width="stretch",
        column_config={c: st.column_config.TextColumn(h) for c, h in detail_headers.items()},
    )
