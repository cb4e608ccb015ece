"""The charts an AppTest run drew, in page order, whichever element draws them (``ui.charts``: the component that
updates a chart in place, or ``st.plotly_chart`` when charts are plain)."""

from __future__ import annotations

from ui import charts


def chart_elements(at) -> list:
    """Every chart element of the page (main area, then sidebar), in the order drawn."""
    out: list = []

    def walk(node):
        if charts.figure_in(node) is not None:
            out.append(node)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    walk(at.sidebar)
    return out


def figures(at) -> list[dict]:
    """The plotly JSON of every chart the page drew, in page order."""
    return [charts.figure_in(e) for e in chart_elements(at)]
