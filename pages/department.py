"""科室档案 Department profile (PRODUCT §1 situation 2, §4.3): one department on one screen — its light and the records
behind it, each metric against its target, its XmR charts, events, award history, rectification notices and key
tasks — opened by one click on a department anywhere (``?dept=K01``; ``?from=`` names the page to go back to).

Filters (period; the department from the address or the picker) → one view-model (metrics.views.department) → show.
"""

from __future__ import annotations

import streamlit as st

import ui
from metrics import clock
from metrics.views import department

BACK_PAGES = {"overview", "events", "awards", "matrix", "region", "trends", "tasks"}

# --- filters -------------------------------------------------------------------------------------

version = ui.data_version()
names = ui.dept_names(version)
wanted = st.query_params.get("dept")
back = st.query_params.get("from")
head = st.container()  # the department's name first, filled once the view is built
# one row: back, the department, the period — the records below need the height of a 1920×1080 screen
top = st.columns([3, 4, 9], vertical_alignment="bottom") if back in BACK_PAGES else [None, *st.columns([2, 3])]
if back in BACK_PAGES:
    params = {ui.HOSPITAL_PARAM: h} if (h := ui.current_hospital(version)) else None
    top[0].page_link(f"pages/{back}.py", label=ui.t("dept.back", page=ui.t(f"nav.{back}")), icon=":material/arrow_back:",
                     query_params=params)  # fmt: skip
codes = list(names)
if not codes:
    st.info(ui.t("app.empty_store"))
    st.stop()
# The address names the department shown (shared, bookmarked, back); none named, the page asks rather than showing
# a department nobody chose. A pick writes the address before the rerun reads it.
wkey = "_w_department_dept." + ui.lang()


def _picked() -> None:
    if st.session_state.get(wkey) in names:
        st.query_params["dept"] = st.session_state[wkey]


st.session_state[wkey] = wanted if wanted in names else None
code = top[1].selectbox(
    ui.t("trends.dept"),
    codes,
    format_func=lambda c: f"{c}  {names.get(c, c)}",
    key=wkey,
    on_change=_picked,
    placeholder=ui.t("select.placeholder"),
)
if code is None:
    with head:
        ui.title(ui.t("nav.department"))
    unknown = ui.t("dept.unknown", code=ui.md_escape(wanted)) + " " if wanted else ""
    st.info(unknown + ui.t("dept.choose"), icon=":material/person_search:")
    st.stop()
months = list(ui.months_with_data(version))
if not months:
    st.info(ui.t("app.empty_store"))
    st.stop()
with top[2]:
    grain, period = ui.period_selector(months)

# an editor or admin reads the talks' person (personal data, PRODUCT §10); a viewer's view never holds the names
personal = ui.can("editor")
view = ui.view(
    department.build, ui.view_key(dept=code, grain=grain, period=period, today=clock.today(), personal=personal)
)

# --- show: the light and what it rests on, the metrics, then the department's records side by side ----------------

with head:
    ui.title(view.title)
st.caption("  |  ".join(x for x in (view.caption, view.activities) if x))  # one line: the profile fits one screen
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
        column_config=ui.text_columns(view.record_headers),
    )
if view.kpis:
    # each metric's SPC verdict beside its target: the control charts themselves are below the first screen
    for col, kpi, chips in zip(st.columns(len(view.kpis)), view.kpis, view.kpi_spc, strict=True):
        col.metric(**kpi)
        if chips:
            col.markdown(chips)

# Five tables side by side, a fifth of the screen each: what is read first (the state and the deadline) leads at a
# width that fits it, the long texts come last (scrolled to, or read in full on the trends and tasks pages).
DATE_PX = 118  # 2026年12月15日
tables = (
    ("trends.events", view.events, view.event_headers,
     {"event_date": DATE_PX, "kind": 44, "status": 64, "description": None, "indicator": 52}),
    ("trends.awards", view.awards, view.award_headers,
     {"status": 64, "rectify_until": DATE_PX, "changed_on": DATE_PX, "year": 48, "note": None}),
    ("notices.title", view.notices, view.notice_headers,
     {"state": 72, "due_on": DATE_PX, "days_overdue": 56, "notice_no": None, "closed_on": DATE_PX}),
    ("nav.tasks", view.tasks, view.task_headers, {"state": 72, "due_on": DATE_PX, "title": None, "task_code": 80}),
    ("talks.title", view.talks, view.talk_headers,
     {"state": 72, "follow_up_due": DATE_PX, "kind": 72, "talk_no": None, "held_on": DATE_PX, "person": 64}),
)  # fmt: skip
for col, (title, frame, headers, widths) in zip(st.columns([5, 5, 4, 5, 5]), tables, strict=True):
    col.markdown(f"**{ui.t(title)}**")
    if frame.empty:
        col.caption(view.none)
    else:
        col.dataframe(
            frame,
            hide_index=True,
            width="stretch",
            height=min(36 + 35 * len(frame), 250),
            column_order=[c for c in widths if c in headers],
            column_config={c: st.column_config.TextColumn(h, width=widths.get(c)) for c, h in headers.items()},
        )

# the department's people and posts with their titles this year (PRODUCT §10); names of people for editors only
if view.units is not None and not view.units.empty:
    st.markdown(f"**{ui.t('dept.units_title')}**")
    st.dataframe(
        view.units,
        hide_index=True,
        width="stretch",
        height=min(36 + 35 * len(view.units), 250),
        column_config=ui.text_columns(view.unit_headers),
    )

st.markdown(f"#### {ui.t('dept.charts')}")
for row in range(0, len(view.charts), 3):
    for col_i, (col, chart) in enumerate(zip(st.columns(3), view.charts[row : row + 3], strict=False)):
        col.markdown(chart.heading)
        ui.chart(chart.figure, f"dept_xmr_{row}_{col_i}", where=col)
