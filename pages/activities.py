"""四清活动 Integrity activities (PRODUCT §10, seed 001): the year's 清廉之声, 清廉查房, 清风讲堂, 清风行动 and the
清廉文化 activities — how many of each, the list with the departments named and the notice a 清风行动 issued — and
the departments no 清廉查房 has reached yet that year.

Filter (year) → one view-model (metrics.views.activities, cached per store, data version, language and choices)
→ show.
"""

from __future__ import annotations

import streamlit as st

import ui
from metrics import clock
from metrics.views import activities

TITLE_PX = 320  # a theme of ~20 Chinese characters, read first

# --- filter -------------------------------------------------------------------------------------

ui.title(ui.t("nav.activities"))
today = clock.today()
base = ui.view(activities.build, ui.view_key(year=None, today=today))
if st.session_state.get("activities_year") not in base.year_options:
    st.session_state["activities_year"] = base.year
year = st.selectbox(ui.t("activities.filter_year"), base.year_options, key="activities_year")
view = base if year == base.year else ui.view(activities.build, ui.view_key(year=year, today=today))

# --- show ---------------------------------------------------------------------------------------

st.caption(view.caption)
if not view.none:
    st.subheader(ui.t("activities.by_brand"))
    for col, (brand, n) in zip(st.columns(len(view.counts)), view.counts.itertuples(index=False), strict=True):
        col.metric(brand, n)
# coverage first (what the meeting is told), then the list
st.subheader(view.no_rounds_title)
if view.no_rounds_none:
    st.success(view.no_rounds_none)
else:
    st.markdown(ui.t("activities.sep").join(ui.md_escape(d) for d in view.no_rounds))
st.subheader(ui.t("activities.list"))
if view.none:
    st.info(view.none)
else:
    st.dataframe(
        view.rows,
        hide_index=True,
        width="stretch",
        column_config=ui.text_columns(
            view.headers, title=st.column_config.TextColumn(view.headers["title"], width=TITLE_PX)
        ),
    )
