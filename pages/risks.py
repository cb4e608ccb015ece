"""风险防控 Risk control (PRODUCT §10): the 廉洁风险点清单 with each point's light and why (overdue reviews first), each
unit's light naming the points behind it, and the 清廉招采 stage × level matrix — a click on a cell lists its points.

Filter (unit) → one view-model (metrics.views.risks, cached per store, data version, language and choices) → show.
"""

from __future__ import annotations

import streamlit as st

import ui
from metrics import clock
from metrics.views import risks

RISK_PX = 280  # a risk point's description: read first
CONTROLS_PX = 320

# --- filter -------------------------------------------------------------------------------------

ui.title(ui.t("nav.risks"))
today = clock.today()
view, _unit = ui.picked_view(risks.build, "risks_unit", ui.t("risk.filter_unit"), "unit", today=today)

# --- show ---------------------------------------------------------------------------------------

if view.none:
    st.info(view.none)
    st.stop()
st.caption(view.caption)
st.markdown("#### " + view.counts)
st.markdown(view.legend)  # fixed strings only
wide = dict(
    risk=st.column_config.TextColumn(view.headers["risk"], width=RISK_PX),
    controls=st.column_config.TextColumn(view.headers["controls"], width=CONTROLS_PX),
)

left, right = st.columns([3, 2])
with left:
    st.subheader(view.matrix_title)
    if view.matrix is None:
        st.info(ui.t("risk.no_chain"))
    else:
        st.caption(ui.t("risk.matrix_hint"))
        picked = ui.chart(view.matrix, "risks_matrix", clicks=True)
with right:
    st.subheader(ui.t("risk.units_title"))
    ui.marked_table(view.units, "risks_units", view.unit_headers, "risk-units.csv", "")
# a clicked cell's risk points, the page's width (inside the matrix's column their controls were cut off)
if view.matrix is not None:
    points = (getattr(picked, "selection", None) or {}).get("points") or []
    cell = next((p.get("customdata") for p in points if p.get("customdata") in view.cells), None)
    if cell is not None:
        st.subheader(view.cell_titles[cell])
        ui.marked_table(view.cells[cell], "risks_cell", view.headers, "risk-cell.csv", "", **wide)

st.subheader(ui.t("risk.register_title"))
ui.marked_table(view.register, "risks_register", view.headers, "risks.csv", "", **wide)
