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


def _matrix(version: int) -> pd.DataFrame:
    months = ui.months_with_data(version)
    start = spc.window_start(months[-1]) if months else ""  # the same window as the trends page
    return _icon_matrix(str(store.db_path()), version, start)


@st.cache_data(show_spinner=False, max_entries=8)
def _icon_matrix(path: str, version: int, month_from: str) -> pd.DataFrame:
    """The icon matrix of every series over the SPC window, cached on the store's path and data version."""
    with store.opened(path) as db:
        defs = store.metric_defs(db)
        targets = store.targets(db)
        # A group of departments at a time: every series whole, never the whole store in memory (issue 7).
        parts = [
            spc.icon_matrix(values, resolve_targets(targets, values), defs)
            for chunk in store.metric_value_chunks(db)
            for values in [chunk[chunk["month"] >= month_from]]
        ]
        if not parts:  # an empty store: the matrix's empty shape
            empty = store.metric_values(db)
            parts = [spc.icon_matrix(empty, resolve_targets(targets, empty), defs)]
    return pd.concat(parts, ignore_index=True)


@st.cache_data(show_spinner=False, max_entries=16)
def _table(version: int, category: str, sort: str, lang: str, path: str) -> pd.DataFrame:
    """The matrix table of the chosen category, sort and language, cached: at a region's scale building its
    5,000 rows of links is the page's cost (issue 7)."""
    matrix = _matrix(version)
    departments = ui.store_frames(version)["departments"]
    shown = departments if not category else departments[departments["category"] == category]
    defs = [m for m in ui.store_frames(version)["metric_defs"] if m.scope == "dept"]
    return spc_charts.icon_matrix_table(
        matrix[matrix["dept_code"].isin(shown["dept_code"])], shown, defs, lang, sort=sort
    )


@st.cache_data(show_spinner=False, max_entries=16)
def _counts(version: int, category: str, path: str) -> dict[str, int]:
    """Departments with a concerning cell, a failing target, an improving cell (cached per category; issue 7)."""
    matrix = _matrix(version)
    f = ui.store_frames(version)
    shown = f["departments"] if not category else f["departments"][f["departments"]["category"] == category]
    dept_codes = [m.code for m in f["metric_defs"] if m.scope == "dept"]
    cells = matrix[matrix["dept_code"].isin(shown["dept_code"]) & matrix["metric"].isin(dept_codes)]
    return {
        "concern": cells.loc[cells["variation"] == spc.CONCERN, "dept_code"].nunique(),
        "fail": cells.loc[cells["assurance"] == spc.FAIL, "dept_code"].nunique(),
        "improve": cells.loc[cells["variation"] == spc.IMPROVEMENT, "dept_code"].nunique(),
    }


# --- filters -----------------------------------------------------------------------------------

lang = ui.lang()
version = ui.data_version()
st.title(ui.t("nav.matrix"))
matrix = _matrix(version)
frames = ui.store_frames(version)
departments, defs = frames["departments"], frames["metric_defs"]
first, last = (matrix["first_month"].min(), matrix["last_month"].max()) if len(matrix) else (None, None)

all_label = ui.t("filter.all")
c1, c2, _ = st.columns([1, 2, 2])
category = c1.selectbox(
    ui.t("filter.category"),
    ["", *[c for c in contract.CATEGORIES if c in set(departments["category"].unique())]],
    format_func=lambda c: c or all_label,
    key="matrix_category",
)
sort_keys = {"attention": ui.t("matrix.sort.attention"), "code": ui.t("matrix.sort.code")}
sort = c2.radio(ui.t("matrix.sort"), list(sort_keys), format_func=sort_keys.get, horizontal=True, key="matrix_sort")

# --- compute -------------------------------------------------------------------------------------

dept_defs = [m for m in defs if m.scope == "dept"]
hosp_defs = [m for m in defs if m.scope == "hospital"]
table = _table(version, category, sort, lang, str(store.db_path()))
hospital = matrix[matrix["dept_code"] == HOSP]
counts = _counts(version, category, str(store.db_path()))

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

variations = " · ".join(spc_charts.variation_label(v, ">=", lang) for v in (spc.IMPROVEMENT, spc.CONCERN, spc.COMMON))
assurances = " · ".join(spc_charts.assurance_label(a, lang) for a in (spc.PASS, spc.FAIL, spc.HIT_AND_MISS, None))
# Fixed catalogue strings only (no uploaded text), so markdown is safe here.
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
        page.style.apply(lambda _: spc_charts.icon_matrix_cell_styles(page), axis=None),
        column_config=config,
        column_order=["dept_code", "dept_name", "category", "attention", *[m.code for m in dept_defs], "link"],
        hide_index=True,
        height=min(38 * (len(page) + 1) + 3, 900),
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
        rank = spc_charts.cell_rank(r.variation, r.assurance)
        rows[m.code] = spc_charts.trends_link(HOSP, m.code, rank, label, lang)
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
