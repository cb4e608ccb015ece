"""数据上传 Upload (PRODUCT §3.3, editors only): templates, upload → preview → commit or cancel, history, rollback.

The page only draws: it calls metrics.ingest.importer (the same code path as ``python -m metrics import``) and shows
the report; templates, history and error reports come from one view-model (metrics.views.upload). Uploaded text
is shown only in tables and st.text, never as markdown.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from metrics import clock, i18n
from metrics.ingest import export, importer, limits
from metrics.ops import demo
from metrics.views import upload as upload_view
from pages import _download

ui.require_role("editor")

lang = ui.lang()
t = ui.t
FLASH_KEY = "_upload_flash"
_COL_KEYS = {k for k in i18n.ZH if k.startswith("upload.col.")}
NONCE_KEY = "_upload_nonce"


def _flash(kind: str, message: str) -> None:
    st.session_state[FLASH_KEY] = (kind, message)


def _show_flash() -> None:
    """The outcome of the last commit, rollback or cancel at the top of the page, and (but a cancel) as a toast
    that stays until closed: the click was at the foot of a long preview, and the rerun keeps the page scrolled."""
    kind, message = st.session_state.pop(FLASH_KEY, (None, None))
    if kind:
        getattr(st, kind)(message)
        if kind != "info":
            st.toast(message, icon=":material/check_circle:" if kind == "success" else ":material/error:",
                     duration="infinite")  # fmt: skip


def _reset_upload() -> None:
    st.session_state[NONCE_KEY] = st.session_state.get(NONCE_KEY, 0) + 1


def _labelled(df: pd.DataFrame) -> pd.DataFrame:
    """Column headers in the UI language (the values stay exactly as written in the file)."""
    return df.rename(columns={c: t(f"upload.col.{c}") for c in df.columns if f"upload.col.{c}" in _COL_KEYS})


def _problems_table(df: pd.DataFrame) -> None:
    """Problems as a table (never markdown: uploaded text shows literally), the reason first and widest."""
    widths = {t(f"upload.col.{c}"): st.column_config.TextColumn(width=w) for c, w in upload_view.PROBLEM_WIDTHS.items()}
    st.dataframe(
        _labelled(upload_view.problems_table(df, lang)), hide_index=True, width="stretch", column_config=widths
    )


# --- 1. filters: the kind and the file --------------------------------------------------------------------

ui.title(t("upload.title"))
_show_flash()
view = ui.view(upload_view.build, ui.view_key(admin=ui.can("admin")))

if ui.is_demo_store():
    with st.expander(t("upload.start_empty")):
        hospital = ui.current_hospital() or None  # a group store: the hospital on screen only
        st.caption(t("upload.start_empty_hospital", code=hospital) if hospital else t("upload.start_empty_help"))
        sure = st.checkbox(t("upload.start_empty_confirm"), key="_start_empty_sure")
        if st.button(t("upload.start_empty_button"), disabled=not sure, key="_start_empty"):
            try:
                demo.clear(user=ui.current_user(), hospital=hospital)  # one transaction with its audit record
                _flash(
                    "success", t("demo.clear.done_hospital", code=hospital) if hospital else t("upload.started_empty")
                )
            except demo.ClearRefused as e:
                _flash("error", t("demo.clear." + e.code, user=ui.current_user(), code=hospital or ""))
            st.rerun()

with st.expander(t("upload.templates")):
    st.caption(t("upload.templates_help"))
    for tpl in view.templates:
        c1, c2, c3 = st.columns([2, 1, 1])
        c1.text(tpl.label)
        c2.download_button("CSV", tpl.csv, file_name=tpl.csv_name, mime="text/csv", key=f"tpl_csv_{tpl.kind}")
        c3.download_button(
            "XLSX",
            tpl.xlsx,
            file_name=tpl.xlsx_name,
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"tpl_xlsx_{tpl.kind}",
        )

kind_choice = st.selectbox(
    t("upload.kind"),
    view.kinds,
    format_func=view.kind_labels.get,  # bound now: AppTest calls it outside the run
    **ui.keep("_upload_kind", view.kinds),
    placeholder=ui.t("select.placeholder"),
)
# Streamlit 1.67 offers no argument for the uploader's own texts (its "Upload" button and "20MB per file • CSV, XLSX"):
# static CSS puts ours in their place, so the page speaks one language. The texts are our constants, never data.
st.html(ui.uploader_css(t("upload.browse"), t("upload.limit", mb=limits.MAX_UPLOAD_MB)))
uploaded = st.file_uploader(
    t("upload.file"), type=["csv", "xlsx"], key=f"_uploader_{st.session_state.get(NONCE_KEY, 0)}"
)

# --- 2./3. load and compute: the preview ------------------------------------------------------------------

if uploaded is not None:
    data = uploaded.getvalue()
    kind = None if kind_choice == "auto" else kind_choice
    too_large = limits.upload_size_error(len(data), lang)
    if too_large:
        st.error(too_large)
        st.stop()
    report = importer.preview(
        data, uploaded.name, kind, lang=lang, hospital=ui.current_hospital(), user=ui.current_user()
    )

    # --- 4. show --------------------------------------------------------------------------------------
    st.subheader(t("upload.preview"))
    st.text(
        t(
            "upload.file_info",
            name=report.file_name,
            kind=view.kind_label(report.kind),
            encoding=report.encoding or "—",
            sha=report.sha256[:16],
        )
    )
    cols = st.columns(len(report.counts))
    for col, (key, n) in zip(cols, report.counts.items()):
        col.metric(t(f"upload.count.{key}"), n)

    if report.duplicate_of is not None:
        st.info(t("upload.duplicate", batch_id=report.duplicate_of))
    if report.problems:
        st.markdown("#### " + t("upload.problems", n=len(report.problems)))
        _problems_table(report.problems_frame())
        # the rejected rows as written (a roster's names too): fix and upload again; to this browser only
        _download.button(
            t("upload.error_report"),
            lambda: export.csv_bytes(report.error_report(lang)),
            file_name=f"{uploaded.name.rsplit('.', 1)[0]}_errors.csv",
            mime="text/csv",
            key="_preview_errors_dl",
        )
    running = upload_view.running_month_notice(report, clock.today(), lang)  # warned of, never refused
    if running:
        st.warning(running)
    if report.warnings:
        st.markdown("#### " + t("upload.warnings"))
        _problems_table(report.warnings_frame())
    if len(report.changes):
        st.markdown("#### " + t("upload.changes"))
        st.dataframe(_labelled(report.changes), hide_index=True, width="stretch")
    if report.new_departments:
        st.markdown("#### " + t("upload.new_departments"))
        new = pd.DataFrame(list(report.new_departments))[["dept_code", "dept_name", "line"]]
        st.dataframe(_labelled(new), hide_index=True, width="stretch")

    skip_invalid = False
    if report.file_level:
        st.error(t("upload.file_level"))
    elif report.problems and report.duplicate_of is None:
        st.warning(t("upload.rejected_all"))
        skip_invalid = st.checkbox(t("upload.skip_invalid"), key="_upload_skip")
    elif report.duplicate_of is None:
        st.success(t("upload.no_problems"))

    b1, b2 = st.columns(2)
    go = b1.button(
        t("upload.commit"), type="primary", disabled=not report.can_commit(skip_invalid), key="_upload_commit"
    )
    cancel = b2.button(t("upload.cancel"), key="_upload_cancel")
    if go:
        done = importer.commit(
            data,
            uploaded.name,
            kind,
            user=ui.current_user(),
            skip_invalid=skip_invalid,
            lang=lang,
            hospital=ui.current_hospital(),
        )
        if done.committed:
            _flash("success", t("upload.committed", batch_id=done.batch_id, **done.counts))
            _reset_upload()
        elif done.duplicate_of is not None:
            _flash("info", t("upload.duplicate", batch_id=done.duplicate_of))
        else:
            _flash("error", t("upload.not_committed"))
        st.rerun()
    if cancel:
        _flash("info", t("upload.cancelled"))
        _reset_upload()
        st.rerun()

# --- history, rollback, error reports ---------------------------------------------------------------------

st.subheader(t("upload.history"))
latest = view.latest

if view.history.empty:
    st.caption(t("upload.history_empty"))
else:
    st.dataframe(_labelled(view.history), hide_index=True, width="stretch")

    st.markdown("#### " + t("upload.rollback"))
    if latest is None:
        # held: the later batch that holds it, named (its file name escaped: uploaded text is never markdown)
        st.caption(ui.md_escape(view.held) if view.held else t("upload.rollback_none"))
    else:
        sure = st.checkbox(
            t("upload.rollback_confirm", batch_id=latest, name=ui.md_escape(view.latest_name)),
            key=f"_rb_sure_{latest}",
        )
        if st.button(t("upload.rollback_button"), disabled=not sure, key="_rb_go"):
            try:
                importer.rollback(latest, user=ui.current_user(), hospital=ui.current_hospital())
                new, changed = view.latest_rows  # in the file's rows, as its commit counted them
                name = ui.md_escape(view.latest_name)
                _flash("success", t("upload.rolled_back_rows", batch_id=latest, name=name, new=new, changed=changed))
            except importer.RollbackRefused as e:
                _flash("error", ui.md_escape(e.message(lang)))  # it may name a later batch's file
            st.rerun()

    if view.with_rejects:
        st.markdown("#### " + t("upload.error_report"))
        picks = dict(view.with_rejects)
        bid = st.selectbox(
            t("upload.error_report_pick"),
            list(picks),
            format_func=picks.get,
            key="_rejects_pick",
            placeholder=ui.t("select.placeholder"),
        )
        _download.button(
            t("upload.error_report"),
            lambda: view.error_report(int(bid)),  # written when clicked, handed to this browser only
            file_name=f"batch_{bid}_errors.csv",
            mime="text/csv",
            key="_rejects_dl",
        )
