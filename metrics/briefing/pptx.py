"""The briefing as a 16:9 PowerPoint deck a secretary can edit: the six slides with native shapes for the KPI cards,
native charts (editable data) and native tables; titles ≥ 36 pt, body ≥ 24 pt, no run under 18 pt, one typeface and
the palette of metrics.theme; the demo watermark on every slide when the store holds the demo data."""

from __future__ import annotations

import io
import math
import unicodedata

from metrics import safe, theme
from metrics.briefing.build import (
    Briefing,
    Table,
    _f,
    attention_table,
    awards_table,
    events_table,
    kpi_change_text,
    kpi_target_text,
    kpi_value_text,
    notices_table,
    quarter_label,
    tasks_table,
)

INCH = 914400
SLIDE_W, SLIDE_H = 12192000, 6858000  # 13.333 × 7.5 in
MARGIN = INCH * 2 // 5
BODY_TOP = int(1.55 * INCH)  # below a title and its subtitle
SUB_PT = 20  # the line under a title (a caption: ≥ PPTX_MIN_PT)
HEAD_PT = 20  # table headings
CHART_PT = 20  # chart axis labels and data labels


def _cells(values) -> list:
    """Chart categories for python-pptx's embedded workbook (xlsxwriter): never a formula or a link (12.8)."""
    return [safe.workbook_cell(v) for v in values]


def _em(text: str) -> float:
    """Width of ``text`` in ems: CJK and full-width characters one em, others about half."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.55 for c in text)


def _lines_needed(text: str, width_in: float, pt: int) -> int:
    """Lines ``text`` wraps to in a box ``width_in`` inches wide at ``pt`` points (an estimate erring long)."""
    per_line = max(1.0, (width_in - 0.2) * 72 / pt)
    return max(1, math.ceil(_em(text) / per_line))


def _table_height(t: Table, widths_in: list[float], pt: int) -> float:
    """Inches a native table of ``t`` takes at ``pt`` (each row as tall as its longest wrapped cell, 1.2 line spacing
    and the cell margins), with its rest line under it."""
    height = (
        max(_lines_needed(c, w, HEAD_PT) for c, w in zip(t.columns, widths_in, strict=True)) * HEAD_PT * 1.2 + 10
    ) / 72
    for row in t.rows:
        height += (max(_lines_needed(c, w, pt) for c, w in zip(row, widths_in, strict=True)) * pt * 1.2 + 10) / 72
    if t.rest:
        height += _lines_needed(t.rest, sum(widths_in), pt) * pt * 1.2 / 72 + 0.15
    return height


def to_pptx(b: Briefing) -> bytes:
    """A 16:9 deck of the six slides (see the module docstring)."""
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.oxml.ns import qn
    from pptx.util import Emu, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(SLIDE_W), Emu(SLIDE_H)
    blank = prs.slide_layouts[6]
    W = SLIDE_W

    def rgb(hexstr: str) -> RGBColor:
        return RGBColor.from_string(hexstr.lstrip("#"))

    def style(run, size: int, colour: str = theme.INK, bold: bool = False) -> None:
        """One typeface for Latin and East-Asian text, an explicit size (never the template's default)."""
        f = run.font
        f.size, f.bold, f.name = Pt(size), bold, theme.PPTX_FONT
        f.color.rgb = rgb(colour)
        rpr = run._r.get_or_add_rPr()
        for tag in ("a:ea", "a:cs"):
            el = rpr.find(qn(tag))
            if el is None:
                el = rpr.makeelement(qn(tag), {})
                rpr.append(el)
            el.set("typeface", theme.PPTX_FONT)

    def para(tf, text: str, size: int, colour: str = theme.INK, bold=False, first=False, align=None):
        p = tf.paragraphs[0] if first else tf.add_paragraph()
        run = p.add_run()
        run.text = text
        style(run, size, colour, bold)
        if align is not None:
            p.alignment = align
        return p

    def textbox(slide, left, top, width, height, wrap=True):
        tf = slide.shapes.add_textbox(Emu(left), Emu(top), Emu(width), Emu(height)).text_frame
        tf.word_wrap = wrap
        return tf

    def title(slide, text: str, sub: str = "") -> int:
        """The slide's title and the line under it; returns where the body starts (below them, however they wrap)."""
        width_in = (W - 2 * MARGIN) / INCH
        need = _lines_needed(text, width_in, theme.PPTX_TITLE_PT) * theme.PPTX_TITLE_PT * 1.2
        need += _lines_needed(sub, width_in, SUB_PT) * SUB_PT * 1.2 if sub else 0
        height = max(int(1.1 * INCH), int((need / 72 + 0.15) * INCH))
        tf = textbox(slide, MARGIN, INCH // 5, W - 2 * MARGIN, height)
        para(tf, text, theme.PPTX_TITLE_PT, theme.BLUE, bold=True, first=True)
        if sub:
            para(tf, sub, SUB_PT, theme.MUTED)
        return max(BODY_TOP, INCH // 5 + height + INCH // 10)

    def watermark(slide) -> None:
        if not b.demo:
            return
        shape = slide.shapes.add_textbox(Emu(W - int(4.2 * INCH)), Emu(SLIDE_H - int(1.2 * INCH)),
                                         Emu(int(3.8 * INCH)), Emu(int(1.0 * INCH)))  # fmt: skip
        shape.rotation = -12
        para(shape.text_frame, b.t("brief.watermark"), 48, "#E8A0AB", bold=True, first=True, align=PP_ALIGN.RIGHT)

    def table(slide, make, left, top, widths_in: list[float], budget_in: float, empty: str, size=None) -> None:
        """``make(b, limit)``'s table, cut to the rows that fit (the builder names the rest in one line)."""
        size = size or theme.PPTX_BODY_PT
        t = make(b, None)
        if not t.rows:
            para(textbox(slide, left, top, int(sum(widths_in) * INCH), INCH), empty, size, theme.MUTED, first=True)
            return
        for n in range(len(t.rows), 0, -1):  # the most rows that fit, the rest named in one line under them
            cut = t if n == len(t.rows) else make(b, n)
            if _table_height(cut, widths_in, size) <= budget_in:
                t = cut
                break
        else:
            t = make(b, 1)
        shape = slide.shapes.add_table(len(t.rows) + 1, len(t.columns), Emu(left), Emu(top),
                                       Emu(int(sum(widths_in) * INCH)), Emu(int(0.5 * INCH * (len(t.rows) + 1))))  # fmt: skip
        tbl = shape.table
        tbl.first_row = True
        for j, w in enumerate(widths_in):
            tbl.columns[j].width = Emu(int(w * INCH))
        for j, c in enumerate(t.columns):
            cell = tbl.cell(0, j)
            cell.fill.solid()
            cell.fill.fore_color.rgb = rgb(theme.BLUE)
            para(cell.text_frame, c, HEAD_PT, "#FFFFFF", bold=True, first=True)
        fills = {"veto": theme.RED_BG, "warning": theme.AMBER_BG}
        colours = {"veto": theme.RED_TEXT, "warning": theme.AMBER_TEXT}
        for i, (row, tone) in enumerate(zip(t.rows, t.tones, strict=True), start=1):
            tbl.rows[i].height = Emu(int(INCH * (size * 1.2 + 10) / 72))
            for j, c in enumerate(row):
                cell = tbl.cell(i, j)
                cell.vertical_anchor = MSO_ANCHOR.TOP
                cell.fill.solid()
                cell.fill.fore_color.rgb = rgb(fills.get(tone, "#FFFFFF"))
                para(cell.text_frame, c, size, colours.get(tone, theme.INK), bold=tone == "veto", first=True)
        if t.rest:
            est = _table_height(Table(t.columns, t.rows, t.tones), widths_in, size)
            rest_h = _lines_needed(t.rest, sum(widths_in), size) * size * 1.2 / 72 + 0.1
            tf = textbox(slide, left, top + int(est * INCH), int(sum(widths_in) * INCH), int(rest_h * INCH))
            para(tf, t.rest, size, theme.INK, first=True)

    def chart(slide, kind_, data, left, top, width, height, legend=False):
        c = slide.shapes.add_chart(kind_, Emu(left), Emu(top), Emu(width), Emu(height), data).chart
        c.has_legend = legend
        if legend:
            c.legend.position, c.legend.include_in_layout = XL_LEGEND_POSITION.TOP, False
            c.legend.font.size = Pt(CHART_PT)
        c.font.size, c.font.name = Pt(CHART_PT), theme.PPTX_FONT
        return c

    # 1. KPI cards: native rounded rectangles, three to a row
    s = prs.slides.add_slide(blank)
    top = title(s, b.title, b.t("brief.kpi_sub", prev=quarter_label(b.previous, b.lang)))
    cards = []
    for k in b.kpis:
        lines = [(kpi_target_text(k, b.lang), {True: theme.GREEN_TEXT, False: theme.AMBER_TEXT, None: theme.MUTED}[k.passed]),
                 (kpi_change_text(k, b.lang), theme.INK)]  # fmt: skip
        if k.n_depts is not None:  # the card's compact form of kpi_depts_text
            lines.append((b.t("brief.pptx.depts_meeting", n=k.n_pass, total=k.n_depts), theme.INK))
        cards.append((k.label, kpi_value_text(k, b.lang), lines, {True: theme.GREEN, False: theme.AMBER}.get(k.passed)))
    cards.append(
        (
            b.t("brief.pptx.events_card"),
            "",
            [
                (b.t("brief.pptx.veto_line", n=b.vetoes, prev=b.vetoes_prev), theme.RED_TEXT if b.vetoes else theme.INK),
                (b.t("brief.pptx.warn_line", n=b.warnings, prev=b.warnings_prev),
                 theme.AMBER_TEXT if b.warnings else theme.INK),
                (b.t("brief.pptx.awarded_line", n=b.awarded), theme.INK),
            ],
            theme.RED if b.vetoes else theme.RULE,
        )
    )  # fmt: skip
    cols = 3 if len(cards) <= 6 else 4
    rows = math.ceil(len(cards) / cols)
    gap = INCH // 5
    cw = (W - 2 * MARGIN - (cols - 1) * gap) // cols
    ch = (SLIDE_H - top - INCH // 4 - (rows - 1) * gap) // rows
    for i, (label, value, lines, border) in enumerate(cards):
        x, y = MARGIN + (i % cols) * (cw + gap), top + (i // cols) * (ch + gap)
        shape = s.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, Emu(x), Emu(y), Emu(cw), Emu(ch))
        shape.adjustments[0] = 0.08
        shape.fill.solid()
        shape.fill.fore_color.rgb = rgb("#FFFFFF")
        shape.line.color.rgb = rgb(border or theme.RULE)
        shape.line.width = Pt(3)
        tf = shape.text_frame
        tf.word_wrap = True
        tf.vertical_anchor = MSO_ANCHOR.TOP
        tf.margin_left = tf.margin_right = Emu(INCH // 8)
        para(tf, label, theme.PPTX_BODY_PT, theme.MUTED, bold=True, first=True, align=PP_ALIGN.LEFT)
        if value:
            para(tf, value, theme.PPTX_VALUE_PT, theme.INK, bold=True, align=PP_ALIGN.LEFT)
        for text, colour in lines:
            para(tf, text, theme.PPTX_BODY_PT, colour, align=PP_ALIGN.LEFT)
    watermark(s)

    # 2. The departments furthest below target: horizontal bars, worst at the top, values printed
    s = prs.slides.add_slide(blank)
    top = title(s, b.t("brief.s.ranking"), b.on_slide(b.ranking_sub()))
    if len(b.ranking):
        cd = CategoryChartData()
        cd.categories = _cells(b.ranking["dept_name"])
        cd.add_series(safe.workbook_cell(b.t("brief.this_quarter")), [round(float(v), 1) for v in b.ranking["value"]],
                      number_format="0.0")  # fmt: skip
        cd.add_series(safe.workbook_cell(b.t("brief.target")), [_f(v) for v in b.ranking["target"]], number_format="0")
        c = chart(s, XL_CHART_TYPE.BAR_CLUSTERED, cd, MARGIN, top, W - 2 * MARGIN, SLIDE_H - top - INCH // 5,
                  legend=True)  # fmt: skip
        for ser, colour in zip(c.plots[0].series, (theme.AMBER, theme.GREY), strict=True):
            ser.format.fill.solid()
            ser.format.fill.fore_color.rgb = rgb(colour)
        value_series = c.plots[0].series[0]
        value_series.data_labels.show_value = True
        value_series.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
        value_series.data_labels.font.size = Pt(CHART_PT)
        value_series.data_labels.number_format, value_series.data_labels.number_format_is_linked = "0.0", False
        c.plots[0].gap_width = 40
        c.category_axis.reverse_order = True  # the furthest below target at the top, as on the screen
        c.category_axis.tick_labels.font.size = Pt(CHART_PT)
        c.value_axis.tick_labels.font.size = Pt(CHART_PT)
        lo = min([*b.ranking["value"], *b.ranking["target"]])
        c.value_axis.minimum_scale = max(0, math.floor(lo) - 4)
        c.value_axis.maximum_scale = math.ceil(max([*b.ranking["target"], *b.ranking["value"]])) + 2
    else:
        tf = textbox(s, MARGIN, 3 * INCH, W - 2 * MARGIN, INCH)
        key = "brief.ranking_all_met" if b.ranked else "brief.ranking_none"
        para(tf, b.t(key), theme.PPTX_TITLE_PT, theme.INK, bold=True, first=True, align=PP_ALIGN.CENTER)
    watermark(s)

    def body_h(top: int) -> float:
        return (SLIDE_H - top) / INCH - 0.3

    # 3. Vetoes and warnings: a native table with the indicator's full text
    s = prs.slides.add_slide(blank)
    top = title(s, b.t("brief.s.events"), b.on_slide(b.t("brief.events_count", vetoes=b.vetoes, warnings=b.warnings)))
    table(s, events_table, MARGIN, top, [1.6, 2.5, 6.0, 2.45], body_h(top), b.t("brief.events_none"))
    watermark(s)

    # 4. The award pipeline (native bar chart) and conflicts, notices, rectifications (native table)
    s = prs.slides.add_slide(blank)
    top = title(s, b.t("brief.s.awards"), b.on_slide(b.t("brief.awards_sub")))
    p = b.pipeline[b.pipeline["count"] > 0]
    cd = CategoryChartData()
    cd.categories = _cells(p["label"])
    cd.add_series(safe.workbook_cell(b.t("brief.depts")), [int(x) for x in p["count"]])
    c = chart(s, XL_CHART_TYPE.BAR_CLUSTERED, cd, MARGIN, top, int(4.4 * INCH), SLIDE_H - top - INCH // 5)
    c.plots[0].has_data_labels = True
    c.plots[0].data_labels.font.size = Pt(CHART_PT)
    c.plots[0].data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
    c.plots[0].gap_width = 40
    c.category_axis.reverse_order = True
    c.category_axis.tick_labels.font.size = Pt(CHART_PT)
    c.value_axis.visible = False
    c.value_axis.has_major_gridlines = False
    ser = c.plots[0].series[0]
    for i, status in enumerate(p["status"]):
        colour = theme.GREEN if status == "awarded" else theme.RED if status in ("revoked", "rejected") else (
            theme.AMBER if status == "rectifying" else theme.BLUE)  # fmt: skip
        pt = ser.points[i]
        pt.format.fill.solid()
        pt.format.fill.fore_color.rgb = rgb(colour)
    table(s, awards_table, MARGIN + int(4.6 * INCH), top, [2.2, 3.75, 2.0], body_h(top),
          b.t("brief.awards_none"))  # fmt: skip
    watermark(s)

    # 5. Key tasks and rectification notices (PRODUCT §8): an honest empty state until they are entered
    s = prs.slides.add_slide(blank)
    top = title(s, b.t("brief.s.tasks"), b.on_slide(""))
    if b.tasks.empty and b.notices.empty:
        tf = textbox(s, MARGIN * 2, int(2.6 * INCH), W - 4 * MARGIN, int(2.5 * INCH))
        para(tf, b.t("brief.tasks_empty"), theme.PPTX_TITLE_PT, theme.INK, bold=True, first=True, align=PP_ALIGN.CENTER)
        para(tf, b.t("brief.tasks_empty_sub"), theme.PPTX_BODY_PT, theme.MUTED, align=PP_ALIGN.CENTER)
    else:
        half = body_h(top) / 2 - 0.3
        for i, (heading, tab) in enumerate(
            ((b.t("brief.tasks_heading"), tasks_table), (b.t("brief.notices_heading"), notices_table))
        ):
            at = top - int(0.3 * INCH) + int(i * (half + 0.5) * INCH)
            para(textbox(s, MARGIN, at, W - 2 * MARGIN, INCH // 2), heading, theme.PPTX_BODY_PT, theme.BLUE, bold=True,
                 first=True)  # fmt: skip
            table(s, tab, MARGIN, at + int(0.5 * INCH), [2.4, 5.4, 2.3, 2.45], half, b.t("brief.none"))
    watermark(s)

    # 6. Departments needing attention, by severity; the rest by name in one line
    s = prs.slides.add_slide(blank)
    top = title(s, b.t("brief.s.attention"), b.on_slide(b.t("brief.attention_sub")))
    table(s, attention_table, MARGIN, top, [0.7, 2.9, 8.95], body_h(top),
          b.t("brief.attention_none"))  # fmt: skip
    watermark(s)

    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()
