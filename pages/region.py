"""区域总览 Region overview (PRODUCT §9): every hospital the user may read side by side for a period —
satisfaction against target with its light, vetoes and warnings, 清廉科室 states, tasks and notices — a chart comparing
them, and a drill into one hospital's own overview.

Filters (period) → one view-model (metrics.views.region: one aggregate query per measure over all the hospitals) →
show. Only for accounts that may read more than one hospital of a group store (commission, admins, several grants).
"""

from __future__ import annotations

import streamlit as st

import ui
from metrics import clock
from metrics.ingest import brands as brands_write
from metrics.views import region
from pages import _drill

# --- access: a region is several hospitals ------------------------------------------------------------------

version = ui.data_version()
hospitals = ui.readable_hospitals(version)
st.title(ui.t("nav.region"))
if ui.hospital_codes(version):
    ui.current_hospital(version)  # nobody signed in: asked to sign in, as on every page of a group store
if not ui.hospital_codes(version) or len(hospitals) < 2:
    st.error(ui.t("region.refused"))
    st.stop()

# --- filters ------------------------------------------------------------------------------------------------

months = ui.region_months(hospitals, version)  # any hospital's months: one without data yet still has its row
if not months:
    st.info(ui.t("app.empty_store"))
    st.stop()
grain, period = ui.period_selector(months)

view = ui.view(region.build, ui.view_key(grain=grain, period=period, hospitals=hospitals, today=clock.today()))

# --- show ---------------------------------------------------------------------------------------------------

st.caption(view.caption)
if view.no_data:
    st.info(view.no_data)
for col, kpi in zip(st.columns(len(view.first)), view.first, strict=True):
    col.metric(**kpi)

c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
pick = c1.selectbox(
    view.drill_label,
    list(hospitals),
    format_func=lambda c: view.names.get(c, c),
    **ui.keep("region_drill", hospitals),
    placeholder=ui.t("select.placeholder"),
)
if c2.button(view.drill_button, icon=":material/dashboard:", key="region_drill_go", type="primary"):
    ui.set_hospital(pick)
    st.switch_page("pages/overview.py", query_params={ui.HOSPITAL_PARAM: pick})

st.subheader(ui.t("region.table_title"))
headers = view.headers
st.caption(view.legend)
st.caption(ui.t("rec.pick"))
picked = ui.marked_table(
    view.rows,
    "region_table_page",
    headers,
    view.file_name,
    "",  # the light's words stand in the next column, under its header
    select="region_pick",
    value=st.column_config.NumberColumn(headers["value"], format="%.1f"),
    target=st.column_config.NumberColumn(headers["target"], format="%.1f"),
    **{c: st.column_config.NumberColumn(headers[c], format="%d") for c in region.COUNTS},
)
st.caption(ui.t("region.awards_note"))

# --- the records behind the chosen hospital's light, each row one click from its department's profile -----------

shown, event = picked
row = _drill.picked_row(event)
if row is not None and 0 <= row < len(shown):
    chosen = str(shown.iloc[row]["hospital_code"])
    st.subheader(view.records_title.format(hospital=ui.md_escape(view.names.get(chosen, chosen))))
    mine = view.records[view.records["hospital_code"] == chosen].drop(columns="hospital_code").reset_index(drop=True)
    if mine.empty:
        st.caption(view.records_none)
    else:
        st.caption(ui.t("dept.open_hint"))
        rec = st.dataframe(
            mine,
            hide_index=True,
            width="stretch",
            on_select="rerun",
            selection_mode="single-cell",
            key="region_records",
            column_config=ui.text_columns(view.record_headers),
        )
        pick = _drill.picked_row(rec)
        if (
            pick is not None
            and 0 <= pick < len(mine)
            and mine.iloc[pick]["dept_code"] in view.dept_codes.get(chosen, ())
        ):
            ui.set_hospital(chosen)
            st.switch_page(
                _drill.PAGE,
                query_params={"dept": str(mine.iloc[pick]["dept_code"]), "from": "region", ui.HOSPITAL_PARAM: chosen},
            )

# --- 一院一品: the year's projects by direction and phase; the bureau marks 亮点 -------------------------------------

brand = view.brands
st.subheader(brand.title)
if brand.empty:
    st.info(brand.empty)
else:
    st.caption(brand.caption)
    st.markdown(f"**{ui.t('brand.region.matrix')}**")
    st.dataframe(
        brand.matrix,
        hide_index=True,
        width="stretch",
        key="region_brand_matrix",
        column_config=ui.text_columns(brand.matrix_headers),
    )
    st.markdown(f"**{ui.t('brand.region.table')}**")
    st.dataframe(
        brand.rows, hide_index=True, width="stretch", key="region_brands", column_config=ui.text_columns(brand.headers)
    )
    signed_in = ui.signed_in_user()
    if signed_in is not None and signed_in.role in ("commission", "admin"):
        st.markdown(f"**{ui.t('brand.mark.title')}**")
        codes = [p.project_code for p in brand.projects]
        by_code = {p.project_code: p for p in brand.projects}
        m1, m2, m3 = st.columns([3, 1, 1], vertical_alignment="bottom")
        code = m1.selectbox(
            brand.mark_label,
            codes,
            format_func=lambda c: by_code[c].label,
            key="region_brand_pick",
            placeholder=ui.t("select.placeholder"),
        )
        chosen = m2.checkbox(brand.mark_yes, value=by_code[code].highlight, key=f"region_brand_mark_{code}")
        if m3.button(brand.mark_button, key="region_brand_save", type="primary"):
            project = by_code[code]
            report = brands_write.mark_highlight(
                project.year, code, project.hospitals, chosen, user=signed_in.username, lang=ui.lang()
            )
            if report is not None and report.problems:
                st.error(ui.t("brand.mark.refused"))
                for p in report.problems:
                    st.text(p.message)  # as the validator says it: plain text
            elif report is None:
                st.info(ui.t("brand.mark.nochange"))
            else:
                state = ui.t("brand.mark.state_on" if chosen else "brand.mark.state_off")
                st.session_state["region_brand_flash"] = ui.t(
                    "brand.mark.saved", title=ui.md_escape(project.title), state=state
                )
                st.rerun()
    flash = st.session_state.pop("region_brand_flash", None)
    if flash:
        st.success(flash, icon=":material/check:")

if view.more:
    st.caption(view.more)
if view.satisfaction is not None:
    ui.chart(view.satisfaction, "region_satisfaction")
if view.events is not None:
    ui.chart(view.events, "region_events")
