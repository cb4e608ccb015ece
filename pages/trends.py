"""科室趋势 Department trends: every metric of one department as an XmR chart (PRODUCT §2, §5; issue 4).

Filters (category, department — preselected from ``?dept=K01`` —, rebase month, limit settings) → load (cached
on the data version) → compute (metrics.spc) → show (verdict icons and sentence, then the chart).
"""

from __future__ import annotations

import streamlit as st

from metrics import contract, i18n, spc_charts, store
from pages import _common as ui
from pages.views import trends as cached

HOSP = contract.HOSPITAL_CODE
_md = cached.md  # catalogue text made literal for st.markdown


# --- filters -----------------------------------------------------------------------------------

lang = ui.lang()
version = ui.data_version()
st.title(ui.t("nav.trends"))
path = str(store.db_path())
frames = ui.store_frames(version)
names = ui.dept_names(version)

# ?dept=K01 (links from other pages) chooses the department whenever the link changes, also later in a session.
wanted = st.query_params.get("dept")
known = wanted == HOSP or wanted in names
if wanted != st.session_state.get("_trends_link"):
    st.session_state["_trends_link"] = wanted
    if known:
        st.session_state["trends_dept"] = wanted
        st.session_state["trends_category"] = ""

all_label = ui.t("filter.all")
c1, c2, c3 = st.columns([1, 2, 2])
category = c1.selectbox(
    ui.t("filter.category"),
    ["", *cached.categories(path, version)],
    format_func=lambda c: c or all_label,
    key="trends_category",
)
options, labels = cached.dept_choices(path, version, category, lang)
if st.session_state.get("trends_dept") not in labels:
    st.session_state["trends_dept"] = options[1] if len(options) > 1 else HOSP
dept = c2.selectbox(ui.t("trends.dept"), options, key="trends_dept", format_func=labels.get)
if wanted and not known:
    st.warning(ui.t("trends.unknown_dept"))
if wanted != dept:  # the URL names the department shown, so it can be shared or bookmarked
    st.query_params["dept"] = dept
    st.session_state["_trends_link"] = dept

months = cached.dept_months(path, version, dept)
events, awards, events_table, awards_table = cached.dept_history(path, version, dept, lang)
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

series = cached.dept_series(path, version, dept, lang, int(run_length), int(baseline), rebase)

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
            format_func=labels.get,
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
                cached.compare_values(version, tuple(codes), m.code),
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
