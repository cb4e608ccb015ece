"""Audit log (admins only): filter by user, action and dates; export as CSV; download a backup."""

from datetime import date, timedelta

import streamlit as st

import ui
from metrics import i18n
from metrics.ops import backup
from metrics.views import audit
from pages import _download

ui.require_role("admin")
lang = ui.lang()
st.title(ui.t("audit.title"))

# filters
users, actions = audit.audit_facets()
all_label = ui.t("filter.all")
c1, c2, c3 = st.columns([1, 2, 1])
who = c1.selectbox(
    ui.t("audit.filter.user"),
    ["", *users],  # "": everyone (None would read as no choice and show the placeholder)
    format_func=lambda u: u or all_label,
    **ui.keep("audit_user", ["", *users]),
    placeholder=ui.t("select.placeholder"),
)
picked = c2.multiselect(
    ui.t("audit.filter.action"),
    actions,
    format_func=lambda a: audit.action_label(a, lang),
    placeholder=all_label,
    **ui.keep("audit_actions", actions, many=True),
)
# The machine's date, not metrics.clock's: audit records are stamped with the wall clock (when it happened), so
# the window over them is counted on the same clock even while the app rehearses another day ($INTEGRITY_TODAY).
today = date.today()
# The last N days, not a date-range picker: Streamlit's calendar pop-up names months and weekdays in English
# whatever the page language (one language at a time). 0 = every record.
windows = {n: ui.t("audit.filter.days", n=n) if n else ui.t("audit.filter.all_days") for n in (7, 30, 90, 365, 0)}
st.session_state.setdefault("audit_days", 90)
days = c3.selectbox(
    ui.t("audit.filter.dates"),
    list(windows),
    format_func=windows.__getitem__,
    **ui.keep("audit_days", list(windows)),
    placeholder=ui.t("select.placeholder"),
)

# load
frame = audit.audit_frame(
    user=who or None,
    actions=picked or None,
    date_from=(today - timedelta(days=days)).isoformat() if days else None,
    date_to=today.isoformat(),
)

# show: text from users and files is shown only through the dataframe, never as Markdown or HTML
st.caption(ui.t("audit.count", n=len(frame)))
if frame.empty:
    st.info(ui.t("audit.empty"))
else:
    # each record as a sentence in the reader's language; the CSV download keeps every field
    version = ui.data_version()
    names = {m.code: i18n.metric_name(m, lang) for m in ui.store_frames(version).metric_defs}
    shown = audit.shown(frame, lang, ui.dept_names(version), names)
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            "at": st.column_config.TextColumn(ui.t("audit.col.at")),
            "user": st.column_config.TextColumn(ui.t("audit.col.user")),
            "action": st.column_config.TextColumn(ui.t("audit.col.action")),
            "sentence": st.column_config.TextColumn(ui.t("audit.col.sentence"), width="large"),
        },
    )
# The log's before/after rows and the backup hold staff names (and the backup the password hashes): both are
# written when clicked and handed to this signed-in browser only, never parked behind a /media/ URL.
_download.button(
    ui.t("audit.download"),
    lambda: audit.audit_csv(frame),
    file_name=f"audit-{today.isoformat()}.csv",
    mime="text/csv",
    key="audit_csv",
)

st.divider()
st.subheader(ui.t("backup.title"))
st.caption(ui.t("backup.intro"))
actor = ui.current_user()
_download.button(
    ui.t("backup.download"),
    lambda: backup.backup_bytes(actor=actor),
    file_name=backup.download_name(today)[0],
    mime=backup.download_name(today)[1],
    key="backup_download",
)
