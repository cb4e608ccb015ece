"""否决与警示 Vetoes & warnings (PRODUCT §2, §4.3): events by indicator, department and quarter,
and a red / amber / green / grey light per department.

Filters (period, category/branch) → one view-model (metrics.views.events, cached per store, data version, language
and choices) → show (light table linking to trends, chart by quarter, event list).
"""

from __future__ import annotations

import streamlit as st

import ui
from metrics import clock
from metrics.views import events
from pages import _drill

# --- filters ------------------------------------------------------------------------------------

version = ui.data_version()
ui.title(ui.t("nav.events"))
months = ui.view(events.period_months, ui.view_key())
if not months:
    st.info(ui.t("app.empty_store"))
    st.stop()
grain, period = ui.period_selector(months)
codes = ui.dept_filter(ui.store_frames(version).departments, version)

# --- the view -----------------------------------------------------------------------------------

view = ui.view(events.build, ui.view_key(grain=grain, period=period, depts="\n".join(codes), today=clock.today()))

# --- show ---------------------------------------------------------------------------------------

st.subheader(view.lights_title)
st.markdown("#### " + view.light_counts)
st.caption(ui.t("ev.legend"))
st.caption(ui.t("dept.open_hint"))
headers = view.light_headers
# The light as a coloured shape next to its name (colour is never the only cue), not a styled table: pandas'
# Styler cost ~20 ms a run on its own. A click on a row opens the department's profile: the records its
# light rests on.
picked = ui.marked_table(
    view.lights,
    "events_lights_page",
    headers,
    f"lights-{period}.csv",
    "",
    select="events_drill",
    **{c: st.column_config.NumberColumn(headers[c], format="%d") for c in ("vetoes", "warnings", "missed")},
    trend=st.column_config.LinkColumn(ui.t("col.trend"), display_text=ui.t("col.trend") + " ↗"),
)

_drill.open_picked(picked, "events", columns=set(view.lights.columns) - {"trend"})
ui.trend_picker(view.lights["dept_code"].tolist(), version, "events")

if view.by_quarter is not None:
    ui.chart(view.by_quarter, "events_by_quarter")

st.subheader(view.by_indicator_title)
if view.none:
    st.info(view.none)
else:
    st.dataframe(
        view.by_indicator,
        hide_index=True,
        width="stretch",
        column_config={
            "indicator": st.column_config.TextColumn(ui.t("col.indicator_code")),
            "name": st.column_config.TextColumn(ui.t("col.indicator")),
            "kind": st.column_config.TextColumn(ui.t("col.kind")),
            "count": st.column_config.NumberColumn(ui.t("col.count"), format="%d"),
        },
    )
    st.subheader(view.list_title)
    detail = ui.paged(view.events, "events_list_page", view.event_headers, file_name=f"events-{period}.csv")
    st.caption(ui.t("dept.open_hint"))
    _drill.department_table(
        detail,
        "events_list_drill",
        "events",
        hide_index=True,
        width="stretch",
        column_config=ui.text_columns(view.event_headers),
    )

# --- the rectification notices register (PRODUCT §8): an overdue one is a W03 warning in the lights ----

_drill.open_picked(
    ui.notices_register("\n".join(codes), clock.today(), "events_notices_page"), "events"
)  # overdue changes at midnight
