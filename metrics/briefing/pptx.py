"""The briefing as a 16:9 PowerPoint deck with native, editable charts."""

from __future__ import annotations

import io

import pandas as pd

from metrics import safe
from metrics.briefing.build import (
    Briefing,
    _f,
    attention_lines,
    clip,
    conflict_lines,
    event_lines,
    kpi_change_text,
    kpi_depts_text,
    kpi_target_text,
    kpi_value_text,
    quarter_label,
)
from metrics.briefing.figures import AMBER, BLUE, GREY, INK, MUTED, RED


def _cells(values) -> list:
    """Chart categories for python-pptx's embedded workbook (xlsxwriter): never a formula or a link (12.8)."""
    return [safe.workbook_cell(v) for v in values]


def to_pptx(b: Briefing) -> bytes:
    """A 16:9 deck of the five slides; charts are native PowerPoint charts (editable data), numbers in text."""
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
    from pptx.util import Emu, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12192000), Emu(6858000)  # 13.333 × 7.5 in
    blank = prs.slide_layouts[6]
    W = prs.slide_width
    inch = 914400

    def rgb(hexstr: str) -> RGBColor:
        return RGBColor.from_string(hexstr.lstrip("#"))

    def title(slide, text: str, sub: str | None = None) -> None:
        tf = slide.shapes.add_textbox(Emu(inch // 2), Emu(inch // 4), W - Emu(inch), Emu(inch)).text_frame
        tf.word_wrap = True
        p = tf.paragraphs[0]
        p.text = text
        p.font.size, p.font.bold, p.font.color.rgb = Pt(32), True, rgb(BLUE)
        if sub:
            q = tf.add_paragraph()
            q.text = sub
            q.font.size, q.font.color.rgb = Pt(18), rgb(MUTED)

    def text_list(slide, lines: list[str], left, top, width, height, size=18, colour=INK) -> None:
        tf = slide.shapes.add_textbox(left, top, width, height).text_frame
        tf.word_wrap = True
        lines = lines or [b.t("brief.none")]
        for i, line in enumerate(lines):
            p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            p.text = line
            p.font.size, p.font.color.rgb = Pt(size), rgb(colour)

    def chart(slide, kind, data, left, top, width, height, legend=False):
        gf = slide.shapes.add_chart(kind, left, top, width, height, data)
        c = gf.chart
        c.has_legend = legend
        if legend:
            c.legend.position, c.legend.include_in_layout = XL_LEGEND_POSITION.TOP, False
        c.font.size = Pt(14)
        return c

    # 1. KPIs
    s = prs.slides.add_slide(blank)
    title(s, b.title, b.t("brief.slide.kpis") + " · " + b.t("brief.vs_prev", prev=quarter_label(b.previous, b.lang)))
    lines = []
    for k in b.kpis:
        extra = kpi_depts_text(k, b.lang)
        parts = [kpi_value_text(k, b.lang), kpi_target_text(k, b.lang), kpi_change_text(k, b.lang)]
        lines.append(f"{k.label}：" + " · ".join(parts + ([extra] if extra else [])))
    lines.append(f"{b.t('brief.vetoes')}：{b.vetoes}（{b.t('brief.prev_fmt', n=b.vetoes_prev)}）")
    lines.append(f"{b.t('brief.warnings')}：{b.warnings}（{b.t('brief.prev_fmt', n=b.warnings_prev)}）")
    lines.append(f"{b.t('brief.awarded')}：{b.awarded}")
    text_list(s, lines, Emu(inch // 2), Emu(int(1.5 * inch)), W - Emu(inch), Emu(5 * inch), size=20)

    # 2. Ranking (clustered columns: the quarter's value and the department's target)
    s = prs.slides.add_slide(blank)
    title(s, b.t("brief.slide.ranking"), b.ranking_sub())
    cd = CategoryChartData()
    cd.categories = _cells(b.ranking["dept_name"])
    cd.add_series(
        safe.workbook_cell(b.t("brief.this_quarter")),
        [round(float(v), 1) for v in b.ranking["value"]],
        number_format="0.0",
    )
    cd.add_series(safe.workbook_cell(b.t("brief.target")), [_f(v) for v in b.ranking["target"]], number_format="0")
    c = chart(s, XL_CHART_TYPE.COLUMN_CLUSTERED, cd, Emu(inch // 3), Emu(int(1.4 * inch)), W - Emu(inch * 2 // 3),
              Emu(int(5.8 * inch)), legend=True)  # fmt: skip
    c.plots[0].series[0].format.fill.solid()
    c.plots[0].series[0].format.fill.fore_color.rgb = rgb(BLUE)
    c.plots[0].series[1].format.fill.solid()
    c.plots[0].series[1].format.fill.fore_color.rgb = rgb(GREY)
    lo = min([*b.ranking["value"].dropna(), 100]) if len(b.ranking) else 0
    c.value_axis.minimum_scale, c.value_axis.maximum_scale = max(0, int(lo) - 3), 100
    c.category_axis.tick_labels.font.size = Pt(11)

    # 3. Events by indicator (stacked columns veto / warning) + the department list
    s = prs.slides.add_slide(blank)
    title(s, b.t("brief.slide.events"), b.t("brief.events_sub", vetoes=b.vetoes, warnings=b.warnings))
    e = b.events.groupby(["indicator", "kind"])["count"].sum() if len(b.events) else pd.Series(dtype=int)
    inds = sorted({i for i, _ in e.index}) if len(e) else []
    if inds:
        cd = CategoryChartData()
        cd.categories = _cells(inds)
        for kind in ("veto", "warning"):
            cd.add_series(safe.workbook_cell(b.t("event.kind." + kind)), [int(e.get((i, kind), 0)) for i in inds])
        c = chart(s, XL_CHART_TYPE.COLUMN_STACKED, cd, Emu(inch // 3), Emu(int(1.4 * inch)), Emu(int(6.4 * inch)),
                  Emu(int(5.6 * inch)), legend=True)  # fmt: skip
        for ser, colour in zip(c.plots[0].series, (RED, AMBER), strict=False):
            ser.format.fill.solid()
            ser.format.fill.fore_color.rgb = rgb(colour)
    text_list(s, clip(event_lines(b), 14, b.lang), Emu(int(7 * inch)), Emu(int(1.4 * inch)), Emu(int(6 * inch)),
              Emu(int(5.6 * inch)), size=16)  # fmt: skip

    # 4. Award pipeline (bar per status) + conflicts
    s = prs.slides.add_slide(blank)
    title(s, b.t("brief.slide.awards"))
    p = b.pipeline[b.pipeline["count"] > 0]
    cd = CategoryChartData()
    cd.categories = _cells(p["label"])
    cd.add_series(safe.workbook_cell(b.t("brief.depts")), [int(x) for x in p["count"]])
    c = chart(s, XL_CHART_TYPE.BAR_CLUSTERED, cd, Emu(inch // 3), Emu(int(1.2 * inch)), Emu(int(6.4 * inch)),
              Emu(int(5.8 * inch)))  # fmt: skip
    c.plots[0].has_data_labels = True
    c.category_axis.reverse_order = True
    text_list(s, [b.t("brief.conflicts"), *conflict_lines(b)], Emu(int(7 * inch)), Emu(int(1.2 * inch)),
              Emu(int(6 * inch)), Emu(int(5.6 * inch)), size=18, colour=RED)  # fmt: skip

    # 5. Attention
    s = prs.slides.add_slide(blank)
    title(s, b.t("brief.slide.attention"))
    text_list(s, clip(attention_lines(b), 16, b.lang), Emu(inch // 2), Emu(int(1.2 * inch)), W - Emu(inch),
              Emu(int(6 * inch)), size=16)  # fmt: skip

    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()
