"""信号矩阵 Icon matrix: departments × metrics, each cell the variation and assurance icon (PRODUCT §5).

Filters (category, sort) → one view-model (metrics.views.matrix, cached per store, data version, language and
choices) → show (a sortable table whose departments open their profile and whose cells link to the trends, a legend,
hospital-wide row). Department names are shown only as table cells (never as markdown).
"""

from __future__ import annotations

import streamlit as st

import ui
from metrics.views import matrix
from pages import _drill

DEPT_PX, CELL_PX = 110, 200  # a department name; a cell's two icons and their words ("— 常规波动 ◖ 时达时不达")

# --- the view: the category and sort are read from their widgets' state (drawn just below) ---------------------

ui.title(ui.t("nav.matrix"))
view = ui.view(
    matrix.build,
    ui.view_key(category=st.session_state.get("matrix_category", ""), sort=st.session_state.get("matrix_sort")),
    resolved=lambda v: {"category": v.category, "sort": v.sort},  # a first visit's None as the next run reads it
)

# --- filters -----------------------------------------------------------------------------------

c1, c2, _ = st.columns([1, 2, 2])
st.session_state["matrix_category"] = view.category
ui.choose(c1, ui.t("filter.category"), view.category_labels, "matrix_category")
c2.radio(
    ui.t("matrix.sort"),
    list(view.sort_labels),
    format_func=view.sort_labels.__getitem__,
    horizontal=True,
    **ui.keep("matrix_sort", view.sort_labels),
)

# --- show ----------------------------------------------------------------------------------------

if view.period:
    st.caption(view.period)
for col, kpi in zip(st.columns(len(view.kpis)), view.kpis, strict=True):
    col.metric(**kpi)
# Fixed catalogue strings only (no uploaded text), so markdown is safe here.
st.markdown(view.legend)

if view.empty:
    st.info(view.empty)
else:
    table, headers = view.table, view.headers
    config = {
        "link": st.column_config.LinkColumn(ui.t("matrix.open"), display_text=ui.t("matrix.open"), width="small"),
        "dept_code": st.column_config.TextColumn(headers["dept_code"], width="small"),
        "dept_name": st.column_config.TextColumn(headers["dept_name"], width=DEPT_PX),
        "category": st.column_config.TextColumn(headers["category"], width="small"),
        "attention": st.column_config.NumberColumn(headers["attention"], width="small"),
        **{
            m: st.column_config.LinkColumn(headers[m], display_text=r"#(.*)$", width=CELL_PX)
            for m in view.metric_columns
        },
    }
    # 50 departments a page at a region's scale: styling 5,000 rows took seconds; the download holds all.
    page = ui.paged(table, "matrix_page", headers, file_name="icon-matrix.csv", download=view.download)
    styles = view.cell_styles
    st.caption(ui.t("matrix.open_hint"))
    event = st.dataframe(
        page.style.apply(lambda _: styles.loc[page.index], axis=None),
        column_config=config,
        # the metric cells right after the department: at 1280×720 the grid has ~820 px, and the counts and
        # category (sorted and filtered by above) can go past its edge where a metric column could not
        column_order=["dept_code", "dept_name", *view.metric_columns, "attention", "category", "link"],
        hide_index=True,
        height=min(38 * (len(page) + 1) + 3, 900),
        key="matrix_table",
        on_select="rerun",
        selection_mode="single-cell",
    )
    # a department's cell opens its profile; a metric's cell is its trend's link
    _drill.open_picked((page, event), "matrix", columns={"dept_code", "dept_name", "category", "attention"})

if not view.hospital.empty:
    st.subheader(view.hospital_title)
    st.dataframe(
        view.hospital,
        column_config={
            "dept_name": st.column_config.TextColumn(ui.t("matrix.dept")),
            **{c: st.column_config.LinkColumn(name, display_text=r"#(.*)$") for c, name in view.hospital_names.items()},
        },
        hide_index=True,
        key="matrix_hospital",
    )
