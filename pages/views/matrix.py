"""What the matrix page shows, built once per choice and kept (st.cache_resource) so a rerun of the page only
draws (issue 7). Functions defined here, not in the page script, are decorated once per process: a cached function
defined in a page is re-made on every run, and Streamlit re-reads its source to key it (~1 ms each).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics import contract, i18n, spc, spc_charts, store
from metrics.targets import resolve_targets
from pages import _common as ui

HOSP = contract.HOSPITAL_CODE


def matrix_of(version: int) -> pd.DataFrame:
    months = ui.months_with_data(version)
    start = spc.window_start(months[-1]) if months else ""  # the same window as the trends page
    return icon_matrix(str(store.db_path()), version, start)


@st.cache_resource(show_spinner=False, max_entries=8)
def icon_matrix(path: str, version: int, month_from: str) -> pd.DataFrame:
    """The icon matrix of every series over the SPC window, cached on the store's path and data version."""
    with store.opened(path) as db:
        defs = store.metric_defs(db)
        targets = store.targets(db)
        # A group of departments at a time: every series whole, never the whole store in memory; only the window's
        # months are read (at a region's scale reading all ten years was 6 of the cold run's 8 seconds; issue 7).
        parts = [
            spc.icon_matrix(values, resolve_targets(targets, values), defs)
            for values in store.metric_value_chunks(db, month_from=month_from or None)
        ]
        if not parts:  # an empty store: the matrix's empty shape
            empty = store.metric_values(db)
            parts = [spc.icon_matrix(empty, resolve_targets(targets, empty), defs)]
    return pd.concat(parts, ignore_index=True)


@st.cache_resource(show_spinner=False, max_entries=16)
def table(version: int, category: str, sort: str, lang: str, path: str) -> pd.DataFrame:
    """The matrix table of the chosen category, sort and language, cached: at a region's scale building its
    5,000 rows of links is the page's cost (issue 7)."""
    matrix = matrix_of(version)
    departments = ui.store_frames(version)["departments"]
    shown = departments if not category else departments[departments["category"] == category]
    defs = [m for m in ui.store_frames(version)["metric_defs"] if m.scope == "dept"]
    return spc_charts.icon_matrix_table(
        matrix[matrix["dept_code"].isin(shown["dept_code"])], shown, defs, lang, sort=sort
    )


@st.cache_resource(show_spinner=False, max_entries=16)
def counts(version: int, category: str, path: str) -> dict[str, int]:
    """Departments with a concerning cell, a failing target, an improving cell (cached per category; issue 7)."""
    matrix = matrix_of(version)
    f = ui.store_frames(version)
    shown = f["departments"] if not category else f["departments"][f["departments"]["category"] == category]
    dept_codes = [m.code for m in f["metric_defs"] if m.scope == "dept"]
    cells = matrix[matrix["dept_code"].isin(shown["dept_code"]) & matrix["metric"].isin(dept_codes)]
    return {
        "concern": cells.loc[cells["variation"] == spc.CONCERN, "dept_code"].nunique(),
        "fail": cells.loc[cells["assurance"] == spc.FAIL, "dept_code"].nunique(),
        "improve": cells.loc[cells["variation"] == spc.IMPROVEMENT, "dept_code"].nunique(),
    }


@st.cache_resource(show_spinner=False, max_entries=8)
def header(version: int, path: str) -> tuple[str | None, str | None, list[str]]:
    """(first month, last month of the SPC window, the categories present in the catalogue's order)."""
    matrix = matrix_of(version)
    present = set(ui.store_frames(version)["departments"]["category"].unique())
    first, last = (matrix["first_month"].min(), matrix["last_month"].max()) if len(matrix) else (None, None)
    return first, last, [c for c in contract.CATEGORIES if c in present]


@st.cache_resource(show_spinner=False, max_entries=16)
def hospital_row(version: int, lang: str, path: str) -> tuple[pd.DataFrame, dict]:
    """The hospital-wide metrics as one row of icon links and its column config arguments (code → metric name)."""
    matrix = matrix_of(version)
    hospital = matrix[matrix["dept_code"] == HOSP]
    rows, names = {}, {}
    for m in (m for m in ui.store_frames(version)["metric_defs"] if m.scope == "hospital"):
        r = hospital[hospital["metric"] == m.code]
        if r.empty:
            continue
        r = r.iloc[0]
        label = f"{spc_charts.variation_label(r.variation, r.direction, lang)}  {spc_charts.assurance_label(r.assurance, lang, r.missed_months)}"
        rank = spc_charts.cell_rank(r.variation, r.assurance)
        rows[m.code] = spc_charts.trends_link(HOSP, m.code, rank, label, lang)
        names[m.code] = i18n.metric_name(m, lang)
    if not rows:
        return pd.DataFrame(), {}
    return pd.DataFrame([{"dept_name": i18n.t("trends.hospital", lang), **rows}]), names


@st.cache_resource(show_spinner=False, max_entries=16)
def cell_styles(version: int, category: str, sort: str, lang: str, path: str) -> pd.DataFrame:
    """CSS per cell of ``table`` (light orange: needs attention; light blue: improving), worked out once per choice;
    a page of the table takes its rows (``.loc`` by the table's index)."""
    return spc_charts.icon_matrix_cell_styles(table(version, category, sort, lang, path))
