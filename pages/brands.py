"""一院一品 Brand project (PRODUCT §10 brands, seed 003): the hospital's project of a year — direction, title, plan,
phase (entered, or read from the date), 亮点 (the bureau's choice) — with its progress notes and the bureau's checks.
The hospital's editors fill the project and add notes here through the one write path (importer.commit_rows, as an
upload of the same kinds).

Filter (year) → one view-model (metrics.views.brands) → show, then the editor.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from metrics import clock, store
from metrics.ingest import importer
from metrics.views import brands

# --- filter -------------------------------------------------------------------------------------

ui.title(ui.t("nav.brands"))
today = clock.today()
first = ui.view(brands.build, ui.view_key(year=None, today=today))
year = first.year
if len(first.years) > 1:
    year = st.selectbox(ui.t("brand.page.year"), list(first.years), **ui.keep("brands_year", list(first.years)))
view = first if year == first.year else ui.view(brands.build, ui.view_key(year=year, today=today))

# --- show ---------------------------------------------------------------------------------------

if view.empty:
    st.info(view.empty)
else:
    facts = pd.DataFrame(view.facts, columns=["label", "value"])
    heads = {"label": ui.t("brand.page.fact"), "value": ui.t("brand.page.value")}
    st.dataframe(facts, hide_index=True, width="stretch", column_config=ui.text_columns(heads))
    if view.plan:
        st.markdown(f"**{ui.t('brand.page.plan')}**")
        st.text(view.plan)  # as written: plain text
for title, frame, headers in (
    (ui.t("brand.page.notes"), view.notes, view.note_headers),
    (ui.t("brand.page.checks"), view.checks, view.check_headers),
):
    st.subheader(title)
    if frame.empty:
        st.caption(ui.t("brand.page.none"))
    else:
        st.dataframe(frame, hide_index=True, width="stretch", column_config=ui.text_columns(headers))

flash = st.session_state.pop("brands_flash", None)
if flash:
    st.success(flash)

# --- edit (the hospital's editors) ----------------------------------------------------------------

signed_in = ui.signed_in_user()
if not ui.can("editor", signed_in):
    st.stop()


def _save(kind: str, row: dict) -> None:
    """One row through the one validator and write path; refused: the reasons as plain text, nothing saved."""
    report = importer.commit_rows(
        kind,
        [row],
        source=store.EDIT_FILE_NAME,
        user=signed_in.username if signed_in else None,
        lang=ui.lang(),
        action="brand_edit",
        hospital=ui.current_hospital(),
    )
    if report.problems:
        st.error(ui.t("brand.edit.refused"))
        for p in report.problems:
            st.text(f"{p.column}：{p.message}" if ui.lang() == "zh" else f"{p.column}: {p.message}")
        return
    n = report.counts["new"] + report.counts["changed"]
    st.session_state["brands_flash"] = (
        ui.t("brand.edit.saved", n=n) if report.committed else ui.t("brand.edit.nochange")
    )
    st.rerun()


p = view.project
cats, phases = list(view.categories), list(view.phases)
with st.expander(ui.t("brand.edit.title"), expanded=view.empty is not None):
    code = st.text_input(ui.t("brand.col.project_code"), value=p.get("project_code") or "", key=f"brand_code_{year}")
    cat = st.selectbox(
        ui.t("brand.col.category"),
        cats,
        index=cats.index(p["category"]) if p.get("category") in cats else None,
        format_func=view.categories.get,
        key=f"brand_cat_{year}",
        placeholder=ui.t("select.placeholder"),
    )
    title = st.text_input(ui.t("brand.col.title"), value=p.get("title") or "", key=f"brand_title_{year}")
    plan = st.text_area(ui.t("brand.col.plan"), value=p.get("plan") or "", key=f"brand_plan_{year}")
    phase = st.selectbox(
        ui.t("brand.col.phase"),
        phases,
        index=phases.index(p.get("phase") or ""),
        format_func=view.phases.get,
        key=f"brand_phase_{year}",
    )
    if st.button(ui.t("brand.edit.save"), key="brand_save", type="primary"):
        _save("brands", dict(year=year, project_code=code, category=cat or "", title=title, plan=plan, phase=phase))

if view.empty is None:
    with st.expander(ui.t("brand.edit.note_title")):
        types, results = list(view.note_types), list(view.results)
        day = st.date_input(ui.t("brand.col.noted_on"), value=today, key="brand_note_day", format="YYYY-MM-DD")
        kind = st.selectbox(ui.t("brand.edit.note_type"), types, format_func=view.note_types.get, key="brand_note_type")
        text = st.text_area(ui.t("brand.col.note"), key="brand_note_text")
        result = st.selectbox(ui.t("brand.col.result"), results, format_func=view.results.get, key="brand_note_result")
        if st.button(ui.t("brand.edit.note_save"), key="brand_note_save", type="primary"):
            row = dict(year=year, noted_on=day.isoformat(), entry_type=kind, note=text, result=result)
            _save("brand_notes", row)

st.caption(ui.t("brand.page.upload_hint"))
