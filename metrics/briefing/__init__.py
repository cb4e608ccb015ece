"""The quarterly briefing (季度汇报, PRODUCT §6): the five slides' data, their figures, and the HTML / PPTX files.

No Streamlit here. ``build`` reads the store once and returns a ``Briefing`` (every label already in the
chosen language); ``figures`` turns it into plotly figures; ``to_html`` writes one self-contained HTML file
(plotly.js inline once, no URL anywhere, every data string escaped); ``to_pptx`` writes a PowerPoint deck
with native, editable charts. The presentation page draws the same ``Briefing``.

Slides: (1) headline KPIs vs targets with change vs the previous quarter; (2) departments vs target;
(3) vetoes and warnings of the quarter; (4) the award pipeline with conflicts; (5) departments needing
attention (missed targets, concerning SPC signals, conflicts, overdue rectifications).

The package: ``build`` (the slides' data and texts), ``figures`` (plotly charts and the projector theme), ``html``
(the offline file), ``pptx`` (the deck). Everything is re-exported here, so ``briefing.build(...)`` and
``briefing.to_pptx(...)`` keep working.
"""

from __future__ import annotations

from metrics import i18n, pipelines  # noqa: F401  (callers reach them as briefing.i18n / briefing.pipelines)
from metrics.briefing.build import (  # noqa: F401
    LIST_LIMIT,
    RANKING_LIMIT,
    RANKING_METRIC,
    SLIDES,
    Briefing,
    Kpi,
    attention_lines,
    available_quarters,
    build,
    clip,
    conflict_lines,
    default_quarter,
    event_lines,
    kpi_change_text,
    kpi_depts_text,
    kpi_target_text,
    kpi_value_text,
    quarter_label,
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
    events_figure,
    figures,
    ranking_figure,
)
from metrics.briefing.html import to_html  # noqa: F401
from metrics.briefing.pptx import to_pptx  # noqa: F401
