"""The quarterly briefing (季度汇报, PRODUCT §6): the six slides' data, their figures, and the HTML / PPTX files.

No Streamlit here. ``build`` reads the store once and returns a ``Briefing`` (every label already in the
chosen language); ``figures`` turns it into plotly figures; ``to_html`` writes one self-contained HTML file
(plotly.js inline once, no URL anywhere, every data string escaped); ``to_pptx`` writes a PowerPoint deck
with native, editable charts. The presentation page draws the same ``Briefing``.

Slides: (1) headline KPI cards: value, target, change vs the previous quarter, departments meeting it;
(2) at most 15 departments furthest below target as horizontal bars; (3) the quarter's vetoes and warnings as a
table with the indicator's full text; (4) the award pipeline, conflicts, notices running and rectifications with
their end dates; (5) key tasks and rectification notices (PRODUCT §8); (6) departments needing attention by
severity, the rest named in one line. ``python -m metrics briefing`` writes the same files.

The package: ``build`` (the slides' data and texts), ``figures`` (plotly charts and the projector theme), ``html``
(the offline file), ``pptx`` (the deck). Everything is re-exported here, so ``briefing.build(...)`` and
``briefing.to_pptx(...)`` keep working.
"""

from __future__ import annotations

from metrics.briefing.build import (  # noqa: F401
    FIT_ROWS,
    RANKING_LIMIT,
    RANKING_METRIC,
    SLIDES,
    Briefing,
    Fit,
    Kpi,
    Table,
    attention_table,
    available_quarters,
    awards_table,
    build,
    default_quarter,
    em_width,
    events_table,
    fit_table,
    flow,
    kpi_change_text,
    kpi_depts_text,
    kpi_target_text,
    kpi_value_text,
    notices_table,
    page_title,
    period_label,
    programme_frames,
    quarter_label,
    table_height,
    tasks_table,
    units_table,
)
from metrics.briefing.figures import (  # noqa: F401
    AMBER,
    BLUE,
    CHART_FONT,
    FONT_STACK,
    GREEN,
    GREY,
    INK,
    RED,
    awards_figure,
    figures,
    ranking_figure,
)
from metrics.briefing.html import to_html  # noqa: F401
from metrics.briefing.pdf import PdfFailed, chromium, to_pdf  # noqa: F401
from metrics.briefing.pptx import to_pptx  # noqa: F401
