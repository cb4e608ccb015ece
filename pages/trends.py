"""科室趋势 Department trends: every metric of one department as an XmR chart (PRODUCT §2, §5).

Filters (category, department — preselected from ``?dept=K01`` —, rebase month, limit settings) → one view-model
(metrics.views.trends, cached per store, data version, language and choices) → show (verdict icons and sentence,
then the chart; the comparison and the department's history).
"""

from __future__ import annotations

import streamlit as st

import ui
from metrics import contract
from metrics.views import trends

HOSP = contract.HOSPITAL_CODE
state = st.session_state

# --- filters: ?dept=K01 (links from other pages) chooses the department whenever the link changes ----------------

version = ui.data_version()
ui.title(ui.t("nav.trends"))
wanted = st.query_params.get("dept")
known = wanted == HOSP or wanted in ui.dept_names(version)
if wanted != state.get("_trends_link"):
    state["_trends_link"] = wanted
    if known:
        state["trends_dept"] = wanted
        state["trends_category"] = ""

# --- the view: every choice is read from its widget's state (the widgets are drawn below, with the view's options)

chosen = state.get("trends_dept")
view = ui.view(
    trends.build,
    ui.view_key(
        category=state.get("trends_category", ""),
        dept=chosen,
        rebase=state.get(f"trends_rebase_{chosen}"),
        baseline=int(state.get("trends_baseline", 0)),
        run_length=int(state.get("trends_run_length", 7)),
        compare_metric=state.get("trends_cmp_metric"),
        compare_depts=tuple(state.get("trends_cmp_depts", ())),
    ),
    # the choices a first visit leaves open (None), as the widgets drawn below hold them on the next run
    resolved=lambda v: {
        "category": v.category,
        "dept": v.dept,
        "rebase": v.rebase or "",
        "compare_metric": v.compare_metric,
        "compare_depts": v.compare_depts,
    },
)
dept = view.dept
for widget, value in (("trends_category", view.category), ("trends_dept", dept)):
    if state.get(widget) != value:
        state[widget] = value

c1, c2, c3 = st.columns([1, 2, 2])
ui.choose(c1, ui.t("filter.category"), view.category_labels, "trends_category")
ui.choose(c2, ui.t("trends.dept"), view.dept_labels, "trends_dept")
if wanted and not known:
    st.warning(ui.t("trends.unknown_dept"))
if wanted != dept:  # the URL names the department shown, so it can be shared or bookmarked
    st.query_params["dept"] = dept
    state["_trends_link"] = dept
ui.choose(c3, ui.t("trends.rebase"), view.rebase_labels, f"trends_rebase_{dept}", help=ui.t("trends.rebase_help"))
with st.expander(ui.t("trends.settings")):
    s1, s2 = st.columns(2)
    s1.number_input(ui.t("trends.baseline"), min_value=0, max_value=120, value=0, step=1, key="trends_baseline")
    s2.radio(ui.t("trends.run_length"), [7, 6], horizontal=True, key="trends_run_length")

# --- show ----------------------------------------------------------------------------------------

st.subheader(view.heading)
if dept != HOSP:  # its events, award history, notices and tasks on one screen, in this tab
    st.page_link(
        "pages/department.py",
        label=ui.t("trends.open_profile"),
        icon=":material/apartment:",
        query_params={
            "dept": dept,
            "from": "trends",
            **({ui.HOSPITAL_PARAM: h} if (h := ui.current_hospital()) else {}),
        },
    )
if view.no_data:
    st.info(view.no_data)
    st.stop()
st.caption(ui.t("trends.how_to_read"))

# keyed by place, not by department and metric: another department's charts update the ones on screen
for i, chart in enumerate(view.charts):
    st.markdown(chart.heading)
    st.markdown(chart.sentence)
    ui.chart(chart.figure, f"xmr_{i}")

if view.compare_labels:
    with st.expander(ui.t("trends.compare")):
        st.caption(ui.t("trends.compare_hint"))
        k1, k2 = st.columns([1, 3])
        ui.choose(k1, ui.t("trends.compare_metric"), view.compare_labels, "trends_cmp_metric")
        k2.multiselect(
            ui.t("trends.compare_depts", n=trends.COMPARE_MAX),
            list(view.compare_options),
            format_func=view.dept_labels.__getitem__,
            max_selections=trends.COMPARE_MAX,
            placeholder=ui.t("trends.compare_placeholder"),
            **ui.keep("trends_cmp_depts", view.compare_options, many=True),
        )
        if view.comparison is not None:
            ui.chart(view.comparison, "trends_compare_chart")

history = (
    (
        "trends.events",
        view.events,
        {
            "event_date": ui.t("col.date"),
            "kind": ui.t("col.kind"),
            "indicator": ui.t("col.indicator_code"),
            "description": ui.t("col.description"),
            "status": ui.t("col.status"),
        },
        "trends_events",
    ),
    (
        "trends.awards",
        view.awards,
        {
            "year": st.column_config.NumberColumn(ui.t("trends.col.year"), format="%d"),
            "status": ui.t("col.status"),
            "changed_on": ui.t("col.changed_on"),
            "rectify_until": ui.t("col.rectify_until"),
            "note": ui.t("trends.col.note"),
        },
        "trends_awards",
    ),
)
st.markdown("#### " + ui.t("trends.history"))  # a fixed string
# shown, not folded away: the history is what a leader came for
for col, (title, frame, config, key) in zip(st.columns(2), history, strict=True):
    col.markdown(f"**{ui.t(title)}**")
    if frame.empty:
        col.caption(ui.t("trends.none"))
    else:
        col.dataframe(frame, hide_index=True, column_config=config, key=key)
