"""重点任务 Key tasks (PRODUCT §8): the year's plan split into tasks with a lead department and responsible
departments — by aspect, by lead department and as a list, overdue (computed) in red, due this quarter in amber,
done in green, a shape and a word beside every colour — filtered to one department (as lead or as responsible).
Editors update a task's status and progress note in place through the same validator as an upload.

Filter (department) → one view-model (metrics.views.tasks, cached per store, data version, language and choices)
→ show; the editor calls metrics.views.tasks.update_task. The rectification notices register is on this page too.
"""

from __future__ import annotations

import streamlit as st

import ui
from metrics import clock, store
from metrics.views import tasks
from pages import _drill

TITLE_PX = 250  # a task's title, ~16 Chinese characters (the grid cut them at ~10)

# --- filter -------------------------------------------------------------------------------------

ui.title(ui.t("nav.tasks"))
today = clock.today()
view, dept = ui.picked_view(tasks.build, "tasks_dept", ui.t("tasks.filter_dept"), "dept", today=today)

# --- show ---------------------------------------------------------------------------------------

st.caption(view.caption)
if view.none:
    st.info(view.none)
else:
    st.markdown("#### " + view.counts)
    left, right = st.columns(2)
    number = {c: st.column_config.NumberColumn(h, format="%d") for c, h in view.summary_headers.items()}
    for col, title, frame, first in (
        (left, "tasks.by_aspect", view.by_aspect, "category"),
        (right, "tasks.by_lead", view.by_lead, "lead"),
    ):
        with col:
            st.subheader(ui.t(title))
            st.dataframe(
                frame,
                hide_index=True,
                width="stretch",
                column_config={
                    first: st.column_config.TextColumn(view.summary_headers[first]),
                    **{c: number[c] for c in tasks.SUMMARY_COLUMNS},
                },
            )
    st.subheader(ui.t("tasks.list"))
    ui.marked_table(
        view.tasks,
        "tasks_list_page",
        view.headers,
        "tasks.csv",
        "",
        title=st.column_config.TextColumn(view.headers["title"], width=TITLE_PX),  # what the task is: read first
        progress=st.column_config.TextColumn(view.headers["progress"], width="large"),
    )

# --- a task's progress (everyone reads the whole note); editors update its status and note in place -----------

if view.edit_options:
    st.subheader(ui.t("tasks.detail"))
    code = st.selectbox(ui.t("tasks.edit_task"), view.edit_options, format_func=view.edit_labels.get, key="task_pick")
    st.markdown(view.details[code])
    if msg := st.session_state.pop("tasks_flash", None):
        st.success(msg)
    if ui.can("editor"):
        status, note = view.edit_current[code]
        with st.form("task_edit"):
            st.markdown("**" + ui.t("tasks.edit") + "**")
            new_status = st.selectbox(
                ui.t("tasks.edit_status"),
                view.status_options,
                index=view.status_options.index(status) if status in view.status_options else 0,
                format_func=view.status_labels.get,
                key=f"task_status_{code}",
            )
            new_note = st.text_area(ui.t("tasks.edit_note"), value=note, key=f"task_note_{code}")
            if st.form_submit_button(ui.t("tasks.edit_save")):
                report = ui.guarded(
                    tasks.update_task,
                    str(store.db_path()),
                    code,
                    new_status,
                    new_note,
                    user=ui.current_user(),
                    lang=ui.lang(),
                    today=today,
                    hospital=ui.current_hospital(),
                )
                if report.committed:
                    st.session_state["tasks_flash"] = ui.t("tasks.edit_saved", code=code, batch=report.batch_id)
                    st.rerun()
                elif report.problems:
                    st.error(ui.t("tasks.edit_refused", reasons="；".join(p.message for p in report.problems)))
                else:
                    st.info(ui.t("tasks.edit_same"))

# --- the rectification notices register (PRODUCT §8) ------------------------------------------------------------

_drill.open_picked(ui.notices_register(dept, today, "notices_page"), "tasks")
