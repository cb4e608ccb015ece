"""目标与指标 Targets & catalogue (PRODUCT §2, §3.2 targets, §4.4): targets hospital-wide and per
department, the veto/warning indicator catalogue and the metric catalogue. Editors edit in place; every change
is one transaction with the batch journal, an audit record and a data-version bump; viewers read only.

Filters (none) → load (the view-model metrics.views.targets, cached per ViewKey) → show; a save goes through
importer.commit_rows: the validator and write path of an upload.
"""

from __future__ import annotations

import streamlit as st

import ui
from metrics import store
from metrics.ingest import importer
from metrics.views import targets as vm

# --- load ---------------------------------------------------------------------------------------

lang = ui.lang()
ui.title(ui.t("nav.targets"))
view = ui.view(vm.build, ui.view_key())
names = view.metric_names
signed_in = ui.signed_in_user()  # one session lookup for both
editor = signed_in is not None and signed_in.role in ("editor", "admin")
user = signed_in.username if signed_in else None
st.caption(ui.t("tg.edit_hint") if editor else ui.t("tg.readonly"))


def _save(kind: str, edited, columns: tuple[str, ...], action: str, replace: bool = False) -> None:
    """Rows of an editor through the one validator and the one write path (importer.commit_rows, as an upload):
    refused rows are listed and nothing is saved; else one transaction (journal, audit, data version), then rerun."""
    rows = edited[list(columns)].to_dict("records")
    report = importer.commit_rows(
        kind,
        rows,
        source=store.EDIT_FILE_NAME,
        user=user,
        lang=lang,
        replace=replace,
        action=action,
        hospital=ui.current_hospital(),
    )
    if report.problems:
        st.error(ui.t("tg.not_saved"))
        for line in vm.problem_texts(report.problems, kind, lang):  # names and values as typed: plain text
            st.text(line)
        return
    n = report.counts["new"] + report.counts["changed"] + report.deleted
    st.session_state["targets_flash"] = ui.t("tg.saved", n=n) if report.committed else ui.t("tg.nochange")
    st.rerun()


def _grid(frame, config: dict, key: str, save_key: str, save_label: str = "tg.save", order=None):
    """An editable grid of ``frame`` (widget key ``key``, columns in ``order`` when given) and its save button
    (``save_key``, the text ``save_label``): the grid as edited when the button was clicked, else None.

    No form: inside one Streamlit 1.67 hands a committed cell edit to the form only after 150 ms, and a save clicked
    sooner sent the grid as it was before. on_change="ignore" hands every commit over at once without
    a rerun; the save button's rerun carries it ("available on the next rerun", st.data_editor).
    """
    edited = st.data_editor(
        frame,
        hide_index=True,
        width="stretch",
        num_rows="dynamic",
        column_config=config,
        column_order=order,
        placeholder="—",  # a missing value (a metric without default target), not Streamlit's grey "None"
        key=key,
        on_change="ignore",
    )
    return edited if st.button(ui.t(save_label), key=save_key, type="primary") else None


def _editor(
    frame, config: dict, name: str, kind: str, columns: tuple[str, ...], action: str, replace=False, order=None
):
    """An editable grid of ``frame`` (widget keys ``<name>_editor``/``<name>_save``) saved by ``_save``."""
    edited = _grid(frame, config, f"{name}_editor", f"{name}_save", order=order)
    if edited is not None:
        _save(kind, edited, columns, action, replace=replace)


flash = st.session_state.pop("targets_flash", None)
if flash:
    st.success(flash)

# --- targets ------------------------------------------------------------------------------------

st.subheader(ui.t("tg.targets_title"))
config = {
    "metric": st.column_config.SelectboxColumn(
        ui.t("col.metric"), options=list(names), required=True, format_func=names.get
    ),
    "metric_name": st.column_config.TextColumn(ui.t("col.metric"), disabled=True),
    "dept_code": st.column_config.TextColumn(ui.t("col.dept_code")),
    "dept_name": st.column_config.TextColumn(ui.t("col.dept_name"), disabled=True),
    "effective_from": st.column_config.TextColumn(ui.t("col.effective_from"), help=ui.t("tg.effective_help")),
    "target": st.column_config.NumberColumn(ui.t("col.target"), format="%.1f"),
    "direction": st.column_config.SelectboxColumn(
        ui.t("col.direction"), options=[">=", "<="], format_func=vm.direction_label
    ),
}
cols = ["metric", "metric_name", "dept_code", "dept_name", "effective_from", "target", "direction"]
if editor:
    # The metric column shows the metric's name itself (no separate name column); the month "always" (stored as
    # 2000-01) shows empty, as the validator reads an empty month. The table is the whole targets table: a row
    # deleted in the grid is deleted (journalled, can be rolled back).
    _editor(vm.editor_targets(view), config, "targets", "targets", vm.TARGET_COLUMNS, "target_edit", replace=True)
else:
    st.dataframe(
        vm.readable_targets(view, lang)[[c for c in cols if c != "metric"]],
        hide_index=True,
        width="stretch",
        column_config={**config, "direction": st.column_config.TextColumn(ui.t("col.direction"))},
    )
# Shown to everyone: stored department targets the validator refuses today (looser than the hospital's, saved
# before the rule): not applied, the hospital's target holds (PRODUCT §4.2). The reasons go through st.text.
if view.refused:
    st.warning(ui.t("tg.refused_title"))
    for row, dept, msg in view.refused:
        st.text(ui.t("tg.refused_row", row=row, dept=dept, msg=msg))

# --- indicator catalogue ------------------------------------------------------------------------

st.subheader(ui.t("tg.indicators_title"))
ind_config = {
    "code": st.column_config.TextColumn(ui.t("col.indicator_code"), required=True),
    "kind": st.column_config.SelectboxColumn(
        ui.t("col.kind"), options=["veto", "warning"], required=True, format_func=lambda k: ui.t("event.kind." + k)
    ),
    "name_zh": st.column_config.TextColumn(ui.t("col.name_zh"), width="large"),
    "name_en": st.column_config.TextColumn(ui.t("col.name_en"), width="large"),
    "evidence": st.column_config.TextColumn(ui.t("col.evidence")),
    "office": st.column_config.TextColumn(ui.t("col.office")),
    "active": st.column_config.CheckboxColumn(ui.t("col.active")),
}
ind = view.indicators
if editor:
    _editor(ind, ind_config, "indicator", "indicators", vm.INDICATOR_COLUMNS, "catalogue_edit")
else:
    st.dataframe(
        ind.assign(kind=ind["kind"].map(lambda k: ui.t("event.kind." + k))),
        hide_index=True,
        width="stretch",
        column_config={**ind_config, "kind": st.column_config.TextColumn(ui.t("col.kind"))},
    )

# --- metric catalogue ---------------------------------------------------------------------------

st.subheader(ui.t("tg.metrics_title"))
catalogue = view.metrics
met_config = {
    "code": st.column_config.TextColumn(ui.t("col.code"), required=True),
    "name_zh": st.column_config.TextColumn(ui.t("col.name_zh")),
    "name_en": st.column_config.TextColumn(ui.t("col.name_en")),
    "unit_zh": st.column_config.TextColumn(ui.t("col.unit_zh")),
    "unit_en": st.column_config.TextColumn(ui.t("col.unit_en")),
    "direction": st.column_config.SelectboxColumn(
        ui.t("col.direction"), options=[">=", "<="], format_func=vm.direction_label
    ),
    "default_target": st.column_config.NumberColumn(ui.t("col.default_target"), format="%.1f"),
    "scope": st.column_config.SelectboxColumn(
        ui.t("col.scope"), options=["dept", "hospital"], format_func=lambda s: ui.t("scope." + s)
    ),
    "aggregate": st.column_config.SelectboxColumn(
        ui.t("col.aggregate"), options=["mean", "sum"], format_func=lambda s: ui.t("aggregate." + s)
    ),
}
if editor:
    # the names first: the code is the key the targets and a file's columns refer to, kept last for the editors
    order = [*(c for c in vm.METRIC_COLUMNS if c != "code"), "code"]
    _editor(catalogue, met_config, "metric", "metric_catalogue", vm.METRIC_COLUMNS, "catalogue_edit", order=order)
else:
    st.dataframe(
        vm.readable_catalogue(view, lang),
        hide_index=True,
        width="stretch",
        column_config={
            **met_config,
            "direction": st.column_config.TextColumn(ui.t("col.direction")),
            "default_target": st.column_config.TextColumn(ui.t("col.default_target"), alignment="right"),
            "scope": st.column_config.TextColumn(ui.t("col.scope")),
            "aggregate": st.column_config.TextColumn(ui.t("col.aggregate")),
        },
    )


# --- holidays and adjusted working days (PRODUCT §4.1) ----------------------------------------
# One year at a time: the days entered, or a suggestion to start from. Saved through the same validator and
# write path as an uploaded calendar file (importer.commit_rows): one batch, journalled, audited, rollback-able.


def _calendar_section() -> None:
    from metrics import clock

    st.subheader(ui.t("cal.title"))
    st.caption(ui.t("cal.help"))
    c1, _ = st.columns([1, 3])
    chosen = st.session_state.get("calendar_year")
    cv = ui.view(vm.calendar_year, ui.view_key(year=chosen, today=clock.today()), resolved=lambda v: {"year": v.year})
    year = c1.selectbox(ui.t("cal.year"), cv.years, index=cv.years.index(cv.year), key="calendar_year")
    if year != cv.year:
        cv = ui.view(vm.calendar_year, ui.view_key(year=year, today=clock.today()))
    flash = st.session_state.pop("calendar_flash", None)
    if flash:
        st.success(flash)
    how, text = cv.note
    {"caption": st.caption, "info": st.info, "warning": st.warning}[how](text)
    shown, kind_label, cal = cv.rows, cv.kind_labels, cv.calendar
    labels = {c: ui.t("cal.col." + c) for c in ("date", "kind", "name")}
    config = {
        "date": st.column_config.TextColumn(labels["date"], required=True),
        "kind": st.column_config.SelectboxColumn(labels["kind"], options=list(kind_label.values()), required=True),
        "name": st.column_config.TextColumn(labels["name"]),
    }
    if not editor:
        st.caption(ui.t("cal.readonly"))
        st.dataframe(shown, hide_index=True, width="stretch", column_config=config)
        return
    edited = _grid(shown, config, f"calendar_editor_{year}", "calendar_save", "cal.save")
    if edited is None:
        return
    rows = importer.calendar_rows_to_save(year, edited.to_dict("records"), cal)
    report = importer.commit_rows(
        "calendar",
        rows,
        source=store.EDIT_FILE_NAME,
        user=user,
        lang=lang,
        replace=True,
        action="calendar_edit",
        first_line=1,
    )
    if report.problems:
        st.error(ui.t("tg.not_saved"))
        for p in report.problems:
            st.text(ui.t("cal.err", row=p.line, column=labels.get(p.column, p.column), value=p.value, msg=p.message))
        return
    if not report.committed:
        st.session_state["calendar_flash"] = ui.t("tg.nochange")
    else:
        c = report.counts
        st.session_state["calendar_flash"] = ui.t(
            "cal.saved", year=year, new=c["new"], changed=c["changed"], deleted=report.deleted
        )
    st.rerun()


_calendar_section()
