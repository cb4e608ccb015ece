"""One click from a department's row to its profile (pages/department.py), in the same tab so the session holds.

``department_table`` draws a table whose every cell is a click target (single-cell selection): the click reruns the
page, which switches to the profile with ``?dept=`` (and ``?hospital=`` in a group store, so the address can be
shared; ``?from=`` names the page to go back to). A LinkColumn would open a new tab instead.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui

PAGE = "pages/department.py"


def open_department(code: str, back: str) -> None:
    """Switch to ``code``'s profile; its back link returns to ``back`` (a page file name without .py)."""
    params = {"dept": code, "from": back}
    hospital = ui.current_hospital()
    if hospital:
        params[ui.HOSPITAL_PARAM] = hospital
    st.switch_page(PAGE, query_params=params)


def picked_row(event, columns: set[str] | None = None) -> int | None:
    """The row a selection event points at (a selected cell's, in ``columns`` when given), else None."""
    sel = getattr(event, "selection", None) or {}
    cells = sel.get("cells") or []
    if cells:
        row, column = cells[0][0], cells[0][1]
        return int(row) if columns is None or column in columns else None
    rows = sel.get("rows") or []
    return int(rows[0]) if rows else None


def department_table(frame: pd.DataFrame, key: str, back: str, code_column: str = "dept_code", **kwargs) -> None:
    """``st.dataframe(frame, **kwargs)`` where a click on any cell of a row (a link cell opens its link) opens that
    row's department profile."""
    event = st.dataframe(frame, on_select="rerun", selection_mode="single-cell", key=key, **kwargs)
    row = picked_row(event, {c for c in frame.columns if c != "trend"})
    if row is not None and 0 <= row < len(frame):
        open_department(str(frame.iloc[row][code_column]), back)


def open_picked(picked, back: str, code_column: str = "dept_code", columns: set[str] | None = None) -> None:
    """Open the profile of the row a ``ui.marked_table(..., select=)`` click picked (nothing when none was; with
    ``columns``, only a click on one of those columns opens it)."""
    if picked is None:
        return
    shown, event = picked
    row = picked_row(event, columns)
    if row is not None and 0 <= row < len(shown):
        open_department(str(shown.iloc[row][code_column]), back)


def department_chart(figure, key: str, back: str) -> None:
    """``ui.chart(figure)`` where a click on a point carrying a department's code (a bar, a target tick, a
    heat-map cell: ``charts.ranking`` and ``charts.heatmap`` draw them so) opens that department's profile."""
    open_point(ui.chart(figure, key, clicks=True), back)


def open_point(event, back: str) -> None:
    """Open the profile of the department a click on a chart picked (a point carrying its code as customdata, as
    ``charts.ranking`` draws them); nothing when no such point was picked."""
    points = (getattr(event, "selection", None) or {}).get("points") or []
    code = next((p.get("customdata") for p in points if isinstance(p.get("customdata"), str)), None)
    if code:
        open_department(code, back)
