"""清廉科室 Award progress (PRODUCT §2, §4.1, §4.2; issue 3): every department's status this year, eligibility
with reasons, conflicts in red, rectification countdowns and re-apply dates, the 公示 end date.

Filters (award year, category/branch) → load (cached on the data version) → compute (metrics.rules) → show.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from metrics import store
from pages import _common as ui
from pages.views import awards as cached

# --- filters ------------------------------------------------------------------------------------

lang = ui.lang()
version = ui.data_version()
st.title(ui.t("nav.awards"))
frames = ui.store_frames(version)
departments = frames["departments"]
today = date.today()
on_record = cached.years_on_record(str(store.db_path()), version)
years = sorted({today.year, *on_record}, reverse=True)
# This year's cycle by default; early in a year before any change for it is recorded, the latest year on record.
default = (
    today.year
    if today.year in on_record or not on_record
    else max((y for y in on_record if y <= today.year + 1), default=max(on_record))
)
c1, _ = st.columns([1, 3])
year = c1.selectbox(ui.t("aw.year"), years, index=years.index(default), key="awards_year")
codes = ui.dept_filter(departments, version)

# --- compute ------------------------------------------------------------------------------------

path = str(store.db_path())
codes_key = "\n".join(codes)
view = cached.view(version, year, codes_key, today, lang, path)

# --- show: KPIs and pipeline --------------------------------------------------------------------

k = st.columns(4)
for col, label, value in zip(k, ("awarded", "in_process", "conflicts", "rectifying"), view["kpis"], strict=True):
    col.metric(ui.t(f"aw.kpi.{label}"), value)

st.subheader(ui.t("aw.conflicts_title"))
if view["clash"].empty:
    st.success(ui.t("aw.conflicts_none"))
else:
    clash_headers = {
        "dept_code": ui.t("col.dept_code"),
        "dept_name": ui.t("col.dept_name"),
        "awarded_on": ui.t("col.awarded_on"),
        "event_date": ui.t("col.veto_date"),
        "indicator": ui.t("col.indicator_code"),
    }
    shown = ui.paged(view["clash"], "awards_conflicts_page", clash_headers, file_name=f"award-conflicts-{year}.csv")
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            "marker": st.column_config.ImageColumn(ui.t("aw.kpi.conflicts"), width=40),
            **{c: st.column_config.TextColumn(h) for c, h in clash_headers.items()},
        },
    )

st.plotly_chart(view["pipeline"], theme=None, width="stretch")

# --- show: public notice and rectification ------------------------------------------------------

left, right = st.columns(2)
with left:
    st.subheader(ui.t("aw.notice_title"))
    if view["notice"].empty:
        st.caption(ui.t("aw.notice_none"))
    else:
        if view["notice_fallback"]:
            st.warning(ui.t("aw.notice_unadjusted", years="、".join(str(y) for y in view["notice_fallback"])))
        notice_headers = {
            "dept_code": ui.t("col.dept_code"),
            "dept_name": ui.t("col.dept_name"),
            "changed_on": ui.t("col.notice_start"),
            "notice_end": ui.t("col.notice_end"),
            "state": ui.t("col.status"),
        }
        st.dataframe(
            ui.paged(view["notice"], "awards_notice_page", notice_headers, file_name=f"award-notice-{year}.csv"),
            hide_index=True,
            width="stretch",
            column_config={c: st.column_config.TextColumn(h) for c, h in notice_headers.items()},
        )
with right:
    st.subheader(ui.t("aw.rect_title"))
    if view["rect"].empty:
        st.caption(ui.t("aw.rect_none"))
    else:
        st.dataframe(
            view["rect"],
            hide_index=True,
            width="stretch",
            column_config={
                "dept_code": st.column_config.TextColumn(ui.t("col.dept_code")),
                "dept_name": st.column_config.TextColumn(ui.t("col.dept_name")),
                "rectify_until": st.column_config.TextColumn(ui.t("col.rectify_until")),
                "days_left": st.column_config.NumberColumn(ui.t("col.days_left"), format="%d"),
                "reapply_on": st.column_config.TextColumn(ui.t("col.reapply_on")),
            },
        )

# --- show: every department's status, with eligibility and reasons -------------------------------

st.subheader(ui.t("aw.status_title"))
table = cached.status_table(version, year, codes_key, today, lang, path)
headers = {
    "dept_code": ui.t("col.dept_code"),
    "dept_name": ui.t("col.dept_name"),
    "status": ui.t("col.status"),
    "changed_on": ui.t("col.changed_on"),
    "eligible": ui.t("col.eligible"),
    "reasons": ui.t("col.reasons"),
}
st.caption(ui.t("aw.eligibility_title", year=year))
# A page of rows at a time at a region's scale (issue 7); the download holds all.
table = ui.paged(table, "awards_status_page", headers, file_name=f"awards-{year}.csv")
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    height=min(36 * (len(table) + 1) + 4, 900),
    column_config={
        "marker": st.column_config.ImageColumn(ui.t("aw.kpi.conflicts"), width=40),
        **{c: st.column_config.TextColumn(h) for c, h in headers.items() if c != "reasons"},
        "reasons": st.column_config.TextColumn(headers["reasons"], width="large"),
        "trend": st.column_config.LinkColumn(ui.t("col.trend"), display_text=ui.t("col.trend") + " ↗"),
    },
)
ui.trend_picker(codes, version, "awards")
