"""科室档案 Department profile (PRODUCT §1 situation 2, §4.3): one department on one screen — its light and the records
behind it, each metric against its target, its XmR charts, events, award history, rectification notices and key
tasks — opened by one click on a department anywhere (``?dept=K01``; ``?from=`` names the page to go back to).

Filters (period; the department from the address or the picker) → one view-model (metrics.views.department) → show.
"""

from __future__ import annotations

import streamlit as st

from metrics import clock
from metrics.views import department
from pages import _common as ui

BACK_PAGES = {"overview", "events", "awards", "matrix", "region", "trends", "tasks"}

# --- filters -------------------------------------------------------------------------------------

version = ui.data_version()
names = ui.dept_names(version)
wanted = st.query_params.get("dept")
back = st.query_params.get("from")
head = st.container()  # the department's name first, filled once the view is built
top = st.columns([1, 3], vertical_alignment="center")
if back in BACK_PAGES:
    params = {ui.HOSPITAL_PARAM: h} if (h := ui.current_hospital(version)) else None
    top[0].page_link(f"pages/{back}.py", label=ui.t("dept.back", page=ui.t(f"nav.{back}")), icon=":material/arrow_back:",
                     query_params=params)  # fmt: skip
codes = list(names)
if not codes:
    st.info(ui.t("app.empty_store"))
    st.stop()
if wanted in names:
    st.session_state["department_dept"] = wanted
code = top[1].selectbox(
    ui.t("trends.dept"),
    codes,
    format_func=lambda c: f"{c}  {names.get(c, c)}",
    **ui.keep("department_dept", codes),
    placeholder=ui.t("select.placeholder"),
)
if code != wanted:
    st.query_params["dept"] = code  # the address names the department shown (shared, bookmarked, back)
months = list(ui.months_with_data(version))
if not months:
    st.info(ui.t("app.empty_store"))
    st.stop()
grain, period = ui.period_selector(months)

view = ui.view(department.build, ui.view_key(dept=code, grain=grain, period=period, today=clock.today()))

# --- show: the light and what it rests on, the metrics, then the department's records side by side ----------------

with head:
    ui.title(view.title)
st.caption(view.caption)
c_light, c_rec = st.columns([1, 3])
c_light.image(view.marker, width=48)
c_light.markdown(f"**{view.light_text}**")
c_light.caption(view.legend)
c_rec.markdown(f"**{ui.t('rec.title')}**")
if view.records_none:
    c_rec.caption(view.records_none)
else:
    c_rec.dataframe(
        view.records,
        hide_index=True,
        width="stretch",
        column_config={c: st.column_config.TextColumn(h) for c, h in view.record_headers.items()},
    )
if view.kpis:
    for col, kpi in zip(st.columns(len(view.kpis)), view.kpis, strict=True):
        col.metric(**kpi)

tables = (
    ("trends.events", view.events, view.event_headers),
    ("trends.awards", view.awards, view.award_headers),
    ("notices.title", view.notices, view.notice_headers),
    ("nav.tasks", view.tasks, view.task_headers),
)
# the events and tasks carry the longest texts: the widest columns
for col, (title, frame, headers) in zip(st.columns([3, 2, 2, 3]), tables, strict=True):
    col.markdown(f"**{ui.t(title)}**")
    if frame.empty:
        col.caption(view.none)
    else:
        col.dataframe(
            frame,
            hide_index=True,
            width="stretch",
            height=min(36 + 35 * len(frame), 250),
            column_config={c: st.column_config.TextColumn(h) for c, h in headers.items()},
        )

st.markdown(f"#### {ui.t('dept.charts')}")
for row in range(0, len(view.charts), 3):
    for col, chart in zip(st.columns(3), view.charts[row : row + 3], strict=False):
        col.markdown(chart.heading)
        col.plotly_chart(chart.figure, theme=None, key=f"dept_xmr_{code}_{chart.metric}", config=ui.PLOTLY_CONFIG)
