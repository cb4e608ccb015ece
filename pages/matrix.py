"""信号矩阵 Icon matrix: departments × metrics, each cell the variation and assurance icon (issue 4).

Filters (category, sort) → load (cached on the data version) → compute (metrics.spc.icon_matrix) → show
(a sortable table whose departments and cells link to ``trends?dept=<code>``, a legend, hospital-wide row).
Department names are shown only as table cells (never as markdown).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics import contract, i18n, spc, spc_charts, store
from metrics.targets import resolve_targets
from pages import _common as ui

HOSP = contract.HOSPITAL_CODE


@st.cache_data(show_spinner=False, max_entries=8)
def _matrix(version: int) -> tuple[pd.DataFrame, pd.DataFrame, list[contract.Metric], tuple[str | None, str | None]]:
    """(icon matrix of every series, departments, metric catalogue, (first, last) month)."""
    with store.opened() as db:
        values = store.metric_values(db)
        resolved = resolve_targets(store.targets(db), values)
        departments = store.departments(db)
        defs = store.metric_defs(db)
        span = store.month_range(db)
    return spc.icon_matrix(values, resolved, defs), departments, defs, span


# --- filters -----------------------------------------------------------------------------------

lang = ui.lang()
version = ui.data_version()
st.title(ui.t("nav.matrix"))
matrix, departments, defs, (first, last) = _matrix(version)

categories = [ui.t("filter.all"), *[c for c in contract.CATEGORIES if c in set(departments["category"])]]
c1, c2, _ = st.columns([1, 2, 2])
category = c1.selectbox(ui.t("filter.category"), categories, key="matrix_category")
sort_keys = {"attention": ui.t("matrix.sort.attention"), "code": ui.t("matrix.sort.code")}
sort = c2.radio(ui.t("matrix.sort"), list(sort_keys), format_func=sort_keys.get, horizontal=True, key="matrix_sort")

# --- compute -------------------------------------------------------------------------------------

shown = departments if category == ui.t("filter.all") else departments[departments["category"] == category]
dept_defs = [m for m in defs if m.scope == "dept"]
hosp_defs = [m for m in defs if m.scope == "hospital"]
table = spc_charts.icon_matrix_table(
    matrix[matrix["dept_code"].isin(shown["dept_code"])], shown, dept_defs, lang, sort=sort
)
hospital = matrix[matrix["dept_code"] == HOSP]

# --- show ----------------------------------------------------------------------------------------

if first:
    st.caption(
        ui.t("matrix.period", first=i18n.fmt_month(first, lang), last=i18n.fmt_month(last, lang))
        + " · "
        + ui.t("matrix.caption")
    )

with st.expander(ui.t("matrix.legend"), expanded=True):
    l1, l2 = st.columns(2)
    l1.markdown(
        "  \n".join(
            f"**{spc_charts.variation_label(v, '>=', lang)}**" for v in (spc.IMPROVEMENT, spc.CONCERN, spc.COMMON)
        )
        + "  \n"
        + ui.t("spc.variation")
    )
    l2.markdown(
        "  \n".join(f"**{spc_charts.assurance_label(a, lang)}**" for a in (spc.PASS, spc.FAIL, spc.HIT_AND_MISS, None))
        + "  \n"
        + ui.t("spc.assurance")
    )

if table.empty:
    st.info(ui.t("matrix.empty"))
else:
    config = {
        "link": st.column_config.LinkColumn(ui.t("matrix.open"), display_text=ui.t("matrix.open"), width="small"),
        "dept_code": st.column_config.TextColumn(ui.t("matrix.code"), width="small"),
        "dept_name": st.column_config.TextColumn(ui.t("matrix.dept")),
        "category": st.column_config.TextColumn(ui.t("matrix.category"), width="small"),
        "attention": st.column_config.NumberColumn(ui.t("matrix.attention"), width="small"),
    }
    for m in dept_defs:
        if m.code in table.columns:
            config[m.code] = st.column_config.LinkColumn(i18n.metric_name(m, lang), display_text=r"#(.*)$")
    st.dataframe(
        table,
        column_config=config,
        column_order=["dept_code", "dept_name", "category", "attention", *[m.code for m in dept_defs], "link"],
        hide_index=True,
        height=min(38 * (len(table) + 1) + 3, 900),
        key="matrix_table",
    )

if not hospital.empty:
    st.subheader(ui.t("matrix.hospital"))
    rows = {}
    for m in hosp_defs:
        r = hospital[hospital["metric"] == m.code]
        if r.empty:
            continue
        r = r.iloc[0]
        label = f"{spc_charts.variation_label(r.variation, r.direction, lang)}  {spc_charts.assurance_label(r.assurance, lang)}"
        rows[m.code] = spc_charts.trends_link(HOSP, m.code, spc_charts.cell_rank(r.variation, r.assurance), label)
    hosp_table = pd.DataFrame([{"dept_name": ui.t("trends.hospital"), **rows}])
    st.dataframe(
        hosp_table,
        column_config={
            "dept_name": st.column_config.TextColumn(ui.t("matrix.dept")),
            **{
                m.code: st.column_config.LinkColumn(i18n.metric_name(m, lang), display_text=r"#(.*)$")
                for m in hosp_defs
                if m.code in rows
            },
        },
        hide_index=True,
        key="matrix_hospital",
    )
