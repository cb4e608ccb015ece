"""目标与指标 Targets & catalogue (PRODUCT §2, §3.2 targets, §4.4; issue 3): targets hospital-wide and per
department, the veto/warning indicator catalogue and the metric catalogue. Editors edit in place; every change
is one transaction with the batch journal, an audit record and a data-version bump; viewers read only.

Filters (none) → load (cached on the data version) → compute (metrics.rules.*_edit validates) → show/save.
"""

from __future__ import annotations

import streamlit as st

from metrics import contract, i18n, rules, store
from pages import _common as ui
from pages.views import targets as cached

# --- load ---------------------------------------------------------------------------------------

lang = ui.lang()
version = ui.data_version()
st.title(ui.t("nav.targets"))
frames = ui.store_frames(version)
departments, defs = frames["departments"], frames["metric_defs"]
labels = ui.dept_names(version)
names = {m.code: i18n.metric_name(m, lang) for m in defs}
signed_in = ui.signed_in_user()  # one session lookup for both
editor = signed_in is not None and signed_in.role in ("editor", "admin")
user = signed_in.username if signed_in else None
st.caption(ui.t("tg.edit_hint") if editor else ui.t("tg.readonly"))


def _report(edit: rules.Edit) -> bool:
    """Show an edit's errors (nothing saved) and floor warnings; True when it may be saved."""
    if edit.errors:
        st.error(ui.t("tg.not_saved"))
        for n, key, params in edit.errors:
            st.text(ui.t("tg.err", row=n, msg=ui.t(key, **params)))
        return False
    return True


def _save(table: str, edit: rules.Edit, action: str) -> None:
    """Write an edit (one transaction: journal, audit, data version), then rerun to show the stored state."""
    with store.opened() as db:
        bid = store.write_edits(db, table, user, list(edit.upserts), list(edit.deletes), action)
        b = store.batch(db, bid) if bid is not None else None
    n = 0 if b is None else int(b["rows_new"] or 0) + int(b["rows_changed"] or 0)
    st.session_state["targets_flash"] = ui.t("tg.nochange") if b is None else ui.t("tg.saved", n=n)
    st.rerun()


def _direction_label(d: str) -> str:
    return {">=": "≥", "<=": "≤"}.get(d, d)


flash = st.session_state.pop("targets_flash", None)
if flash:
    st.success(flash)

# --- targets ------------------------------------------------------------------------------------

st.subheader(ui.t("tg.targets_title"))
targets, view = cached.targets_view(str(store.db_path()), version, lang)
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
        ui.t("col.direction"), options=[">=", "<="], format_func=_direction_label
    ),
}
cols = ["metric", "metric_name", "dept_code", "dept_name", "effective_from", "target", "direction"]
if editor:
    # A form sends the grid's edits together with the click, so a quick "save" never saves a stale grid.
    with st.form("targets_form", border=False, enter_to_submit=False):
        edited = st.data_editor(
            # the month targets hold "always" from is stored as 2000-01; the grid shows it empty (rules read empty so)
            # the metric column shows the metric's name itself, so no separate name column
            view[[c for c in cols if c != "metric_name"]].assign(
                effective_from=view["effective_from"].replace(contract.EPOCH_MONTH, "")
            ),
            hide_index=True,
            width="stretch",
            num_rows="dynamic",
            column_config=config,
            key="targets_editor",
        )
        save = st.form_submit_button(ui.t("tg.save"), key="targets_save", type="primary")
    if save:
        edit = rules.target_edit(targets, edited, departments["dept_code"], names)
        if _report(edit):
            _save("targets", edit, "target_edit")
else:
    shown = view.assign(
        direction=view["direction"].map(_direction_label),
        effective_from=view["effective_from"].map(
            lambda m: ui.t("tg.always") if m == contract.EPOCH_MONTH else i18n.fmt_month(m, lang)
        ),
    )
    st.dataframe(
        shown[cols[1:]],
        hide_index=True,
        width="stretch",
        column_config={**config, "direction": st.column_config.TextColumn(ui.t("col.direction"))},
    )
# Shown to everyone, after every save too: own targets below the hospital's (PRODUCT §1: warned, stored).
# Department names come from uploads: the warning box holds only our text, the names go through st.text.
below = cached.below(str(store.db_path()), version, lang)
if below:
    st.warning(ui.t("tg.below_hospital_title"))
    for w in below:
        st.text(
            ui.t(
                "tg.below_hospital",
                dept=f"{w['dept_code']} {labels.get(w['dept_code'], '')}".strip(),
                metric=names.get(w["metric"], w["metric"]),
                target=i18n.fmt_number(w["target"], lang),
                hospital=i18n.fmt_number(w["hospital"], lang),
            )
        )

# --- indicator catalogue ------------------------------------------------------------------------

st.subheader(ui.t("tg.indicators_title"))
indicators = frames["indicator_catalogue"]
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
ind = indicators[list(rules.INDICATOR_FIELDS)].assign(active=indicators["active"].astype(bool))
if editor:
    with st.form("indicator_form", border=False, enter_to_submit=False):
        edited_ind = st.data_editor(
            ind, hide_index=True, width="stretch", num_rows="dynamic", column_config=ind_config, key="indicator_editor"
        )
        save_ind = st.form_submit_button(ui.t("tg.save"), key="indicator_save", type="primary")
    if save_ind:
        edit = rules.indicator_edit(edited_ind)
        if _report(edit):
            _save("indicator_catalogue", edit, "catalogue_edit")
else:
    st.dataframe(
        ind.assign(kind=ind["kind"].map(lambda k: ui.t("event.kind." + k))),
        hide_index=True,
        width="stretch",
        column_config={**ind_config, "kind": st.column_config.TextColumn(ui.t("col.kind"))},
    )

# --- metric catalogue ---------------------------------------------------------------------------

st.subheader(ui.t("tg.metrics_title"))
catalogue = frames["metric_catalogue"][list(rules.METRIC_FIELDS)]
met_config = {
    "code": st.column_config.TextColumn(ui.t("col.code"), required=True),
    "name_zh": st.column_config.TextColumn(ui.t("col.name_zh")),
    "name_en": st.column_config.TextColumn(ui.t("col.name_en")),
    "unit_zh": st.column_config.TextColumn(ui.t("col.unit_zh")),
    "unit_en": st.column_config.TextColumn(ui.t("col.unit_en")),
    "direction": st.column_config.SelectboxColumn(
        ui.t("col.direction"), options=[">=", "<="], format_func=_direction_label
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
    with st.form("metric_form", border=False, enter_to_submit=False):
        edited_met = st.data_editor(
            catalogue,
            hide_index=True,
            width="stretch",
            num_rows="dynamic",
            column_config=met_config,
            key="metric_editor",
        )
        save_met = st.form_submit_button(ui.t("tg.save"), key="metric_save", type="primary")
    if save_met:
        edit = rules.metric_edit(edited_met)
        if _report(edit):
            _save("metric_catalogue", edit, "catalogue_edit")
else:
    st.dataframe(
        catalogue.assign(
            direction=catalogue["direction"].map(_direction_label),
            scope=catalogue["scope"].map(lambda s: ui.t("scope." + s)),
            aggregate=catalogue["aggregate"].map(lambda s: ui.t("aggregate." + s)),
        ),
        hide_index=True,
        width="stretch",
        column_config={
            **met_config,
            "direction": st.column_config.TextColumn(ui.t("col.direction")),
            "scope": st.column_config.TextColumn(ui.t("col.scope")),
            "aggregate": st.column_config.TextColumn(ui.t("col.aggregate")),
        },
    )
