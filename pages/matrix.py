"""信号矩阵 Icon matrix: departments × metrics, each cell the variation and assurance icon (issue 4).

Filters (category, sort) → load (cached on the data version) → compute (metrics.spc.icon_matrix) → show
(a sortable table whose departments and cells link to ``trends?dept=<code>``, a legend, hospital-wide row).
Department names are shown only as table cells (never as markdown).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics import i18n, spc, spc_charts, store
from pages import _common as ui
from pages.views import matrix as cached

# --- filters -----------------------------------------------------------------------------------

lang = ui.lang()
version = ui.data_version()
st.title(ui.t("nav.matrix"))
path = str(store.db_path())
defs = ui.store_frames(version)["metric_defs"]
first, last, categories = cached.header(version, path)

all_label = ui.t("filter.all")
c1, c2, _ = st.columns([1, 2, 2])
category = c1.selectbox(
    ui.t("filter.category"),
    ["", *categories],
    format_func=lambda c: c or all_label,
    key="matrix_category",
)
sort_keys = {"attention": ui.t("matrix.sort.attention"), "code": ui.t("matrix.sort.code")}
sort = c2.radio(ui.t("matrix.sort"), list(sort_keys), format_func=sort_keys.get, horizontal=True, key="matrix_sort")

# --- compute -------------------------------------------------------------------------------------

dept_defs = [m for m in defs if m.scope == "dept"]
table = cached.table(version, category, sort, lang, path)
styles = cached.cell_styles(version, category, sort, lang, path)
counts = cached.counts(version, category, path)

# --- show ----------------------------------------------------------------------------------------

if first:
    st.caption(
        ui.t("matrix.period", first=i18n.fmt_month(first, lang), last=i18n.fmt_month(last, lang))
        + " · "
        + ui.t("matrix.caption")
    )
k1, k2, k3 = st.columns(3)
k1.metric(ui.t("matrix.kpi.concern"), counts["concern"])
k2.metric(ui.t("matrix.kpi.fail"), counts["fail"])
k3.metric(ui.t("matrix.kpi.improve"), counts["improve"])

variations = ui.md_escape(spc_charts.variation_legend(defs, lang))  # per direction; metric names made literal
assurances = " · ".join(spc_charts.assurance_label(a, lang) for a in (spc.PASS, spc.FAIL, spc.HIT_AND_MISS, None))
st.markdown(
    f"**{ui.t('spc.variation')}**　{variations}　　**{ui.t('spc.assurance')}**　{assurances}  \n"
    + ui.t("matrix.legend.colours")
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
    headers = {
        "dept_code": ui.t("matrix.code"),
        "dept_name": ui.t("matrix.dept"),
        "category": ui.t("matrix.category"),
        "attention": ui.t("matrix.attention"),
    }
    for m in dept_defs:
        if m.code in table.columns:
            config[m.code] = st.column_config.LinkColumn(i18n.metric_name(m, lang), display_text=r"#(.*)$")
            headers[m.code] = i18n.metric_name(m, lang)
    icon_codes = [m for m in headers if m in {d.code for d in dept_defs}]

    def as_text() -> pd.DataFrame:  # the download shows a cell's icons, not its link
        return table.assign(**{m: table[m].str.split("#", n=1).str[-1] for m in icon_codes})

    # 50 departments a page at a region's scale: styling 5,000 rows took seconds (issue 7); the download holds all.
    page = ui.paged(table, "matrix_page", headers, file_name="icon-matrix.csv", download=as_text)
    st.dataframe(
        page.style.apply(lambda _: styles.loc[page.index], axis=None),
        column_config=config,
        column_order=["dept_code", "dept_name", "category", "attention", *[m.code for m in dept_defs], "link"],
        hide_index=True,
        height=min(38 * (len(page) + 1) + 3, 900),
        key="matrix_table",
    )

hosp_table, hosp_names = cached.hospital_row(version, lang, path)
if not hosp_table.empty:
    st.subheader(ui.t("matrix.hospital"))
    st.dataframe(
        hosp_table,
        column_config={
            "dept_name": st.column_config.TextColumn(ui.t("matrix.dept")),
            **{c: st.column_config.LinkColumn(name, display_text=r"#(.*)$") for c, name in hosp_names.items()},
        },
        hide_index=True,
        key="matrix_hospital",
    )
