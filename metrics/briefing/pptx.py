"""The briefing as a 16:9 PowerPoint deck a secretary can edit: the six slides with native shapes for the KPI cards,
native charts (editable data) and native tables; titles ≥ 36 pt, body ≥ 24 pt, no run under 18 pt, one typeface and
the palette of metrics.theme; the demo watermark on every slide when the store holds the demo data."""

from __future__ import annotations

import io
import math
import re
import unicodedata

from metrics import safe, theme
from metrics.briefing.build import (
    Briefing,
    Table,
    attention_table,
    awards_table,
    events_table,
    flow,
    kpi_change_text,
    kpi_target_text,
    kpi_value_text,
    notices_table,
    page_title,
    quarter_label,
    tasks_table,
    units_table,
)

INCH = 914400
SLIDE_W, SLIDE_H = 12192000, 6858000  # 13.333 × 7.5 in
MARGIN = INCH * 2 // 5
SUB_PT = 20  # the line under a title (a caption: ≥ PPTX_MIN_PT)
HEAD_PT = 20  # table headings
CHART_PT = 20  # chart axis labels and data labels
FOOT = int(0.5 * INCH)  # the strip under every slide's body: the demo watermark's place, never over a label
HEADING_IN = 0.5  # a table's heading line on slide 5
WATERMARK_PT = 20


def _cells(values) -> list:
    """Chart categories for python-pptx's embedded workbook (xlsxwriter): never a formula or a link from a name."""
    return [safe.workbook_cell(v) for v in values]


def _is_wide(c: str) -> bool:
    return unicodedata.east_asian_width(c) in "WF"


def _em(text: str) -> float:
    """Width of ``text`` in ems as the widest face the deck may be shown in sets it: CJK and full-width characters
    one em, others 0.66 (LibreOffice without Microsoft YaHei sets Latin in DejaVu Sans, the widest), and the quarter
    em LibreOffice puts between CJK and Latin characters (its Asian autospacing)."""
    width = sum(1.0 if _is_wide(c) else 0.66 for c in text)
    return width + 0.25 * sum(1 for a, b in zip(text, text[1:]) if _is_wide(a) != _is_wide(b) and not b.isspace())


def _lines_needed(text: str, width_in: float, pt: int, margin_in: float = 0.2) -> int:
    """Lines ``text`` wraps to in a box ``width_in`` inches wide (``margin_in`` of it the box's own margins) at
    ``pt`` points: filled a word (Latin) or a character (CJK) at a time, as the office software breaks lines."""
    per_line = max(1.0, (width_in - margin_in) * 72 / pt)
    lines = 0
    for part in text.split("\n"):
        n, used, prev = 1, 0.0, ""
        for tok in re.findall(
            r"\s+|[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]|[^\s\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+", part
        ):
            if tok.isspace():
                used += 0.32 * len(tok) if used else 0.0
                prev = tok
                continue
            w = _em(tok) + (0.25 if prev and not prev.isspace() and _is_wide(prev[-1]) != _is_wide(tok[0]) else 0.0)
            if used and used + w > per_line:
                n, used = n + 1, 0.0
                w = _em(tok)
            while w > per_line:  # a word longer than the line breaks inside it
                n, w = n + 1, w - per_line
            used += w
            prev = tok
        lines += n
    return lines


ROW_PAD_PT = 12  # a table cell's top and bottom margins (0.05 in each) and a little air


def _line_height(text: str) -> float:
    """A line's height as a multiple of the size, as LibreOffice sets it: Noto Sans CJK's own 1.45 when the text
    holds a CJK character, DejaVu Sans's 1.17 otherwise (measured on the rendered deck), each rounded up."""
    return 1.5 if any(_is_wide(c) for c in text) else 1.2


def _row_height(cells, widths_in: list[float], pt: int) -> float:
    """Inches a table row takes: its tallest wrapped cell."""
    need = max(_lines_needed(c, w, pt) * pt * _line_height(c) for c, w in zip(cells, widths_in, strict=True))
    return (need + ROW_PAD_PT) / 72


def _table_height(t: Table, widths_in: list[float], pt: int) -> float:
    """Inches a native table of ``t`` takes at ``pt``: each row as tall as its longest wrapped cell (the row heights
    the deck sets, so LibreOffice, which keeps a row's stored height, clips nothing)."""
    return _row_height(t.columns, widths_in, HEAD_PT) + sum(_row_height(r, widths_in, pt) for r in t.rows)


def to_pptx(b: Briefing) -> bytes:
    """A 16:9 deck of the six slides (see the module docstring)."""
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import (
        XL_CHART_TYPE,
        XL_LABEL_POSITION,
        XL_LEGEND_POSITION,
        XL_TICK_LABEL_POSITION,
        XL_TICK_MARK,
    )
    from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
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
        # the text's language: software without Microsoft YaHei picks its substitute for it (a Chinese deck gets a
        # CJK face such as Noto Sans CJK SC for its digits too, not a Latin one with other metrics)
        rpr.set("lang", "zh-CN" if b.lang == "zh" else "en-US")
        rpr.set("altLang", "zh-CN")  # the East-Asian text is Chinese in both languages (names from the data)
        for tag in ("a:ea", "a:cs"):
            el = rpr.find(qn(tag))
            if el is None:
                el = rpr.makeelement(qn(tag), {})
                rpr.append(el)
            el.set("typeface", theme.PPTX_FONT)
            # YaHei's own description (a sans face, the GB2312 character set): software without it substitutes a
            # simplified-Chinese sans face (Noto Sans CJK SC), not a Japanese or a serif one
            el.set("panose", "020B0503020204020204")
            el.set("pitchFamily", "34")
            el.set("charset", "-122")

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

    def title_box(text: str, sub: str = "") -> tuple[int, int]:
        """(the title box's height, where the body starts below it), however the title and its line wrap."""
        width_in = (W - 2 * MARGIN) / INCH
        need = _lines_needed(text, width_in, theme.PPTX_TITLE_PT) * theme.PPTX_TITLE_PT * _line_height(text)
        need += _lines_needed(sub, width_in, SUB_PT) * SUB_PT * _line_height(sub) if sub else 0
        height = int((need / 72 + 0.15) * INCH)
        return height, INCH // 5 + height + INCH // 10

    def title(slide, text: str, sub: str = "") -> int:
        """The slide's title and the line under it; returns where the body starts (below them, however they wrap)."""
        height, body = title_box(text, sub)
        tf = textbox(slide, MARGIN, INCH // 5, W - 2 * MARGIN, height)
        para(tf, text, theme.PPTX_TITLE_PT, theme.BLUE, bold=True, first=True)
        if sub:
            para(tf, sub, SUB_PT, theme.MUTED)
        return body

    def watermark(slide) -> None:
        """The demo mark in the strip under the body, which nothing else uses: never over a label."""
        if not b.demo:
            return
        tf = textbox(slide, MARGIN, SLIDE_H - FOOT, int(4 * INCH), FOOT - INCH // 20)
        tf.margin_top = tf.margin_bottom = 0
        para(tf, b.t("brief.watermark"), WATERMARK_PT, theme.RED, bold=True, first=True, align=PP_ALIGN.LEFT)

    def draw_table(slide, t: Table, left, top, widths_in: list[float], size: int) -> int:
        """A native table of ``t`` with each row's height set to what its wrapped text needs; returns its bottom."""
        heights = [_row_height(t.columns, widths_in, HEAD_PT), *(_row_height(r, widths_in, size) for r in t.rows)]
        shape = slide.shapes.add_table(len(t.rows) + 1, len(t.columns), Emu(left), Emu(top),
                                       Emu(int(sum(widths_in) * INCH)), Emu(int(sum(heights) * INCH)))  # fmt: skip
        tbl = shape.table
        tbl.first_row = True
        for j, w in enumerate(widths_in):
            tbl.columns[j].width = Emu(int(w * INCH))
        for i, h in enumerate(heights):
            tbl.rows[i].height = Emu(int(h * INCH))
        for j, c in enumerate(t.columns):
            cell = tbl.cell(0, j)
            cell.fill.solid()
            cell.fill.fore_color.rgb = rgb(theme.BLUE)
            cell.vertical_anchor = MSO_ANCHOR.TOP
            para(cell.text_frame, c, HEAD_PT, "#FFFFFF", bold=True, first=True)
        fills = {"veto": theme.RED_BG, "warning": theme.AMBER_BG}
        colours = {"veto": theme.RED_TEXT, "warning": theme.AMBER_TEXT}
        for i, (row, tone) in enumerate(zip(t.rows, t.tones, strict=True), start=1):
            for j, c in enumerate(row):
                cell = tbl.cell(i, j)
                cell.vertical_anchor = MSO_ANCHOR.TOP
                cell.fill.solid()
                cell.fill.fore_color.rgb = rgb(fills.get(tone, "#FFFFFF"))
                para(cell.text_frame, c, size, colours.get(tone, theme.INK), bold=tone == "veto", first=True)
        return top + int(sum(heights) * INCH)

    def paged(name: str, sub: str, tables: list[tuple[str, Table, str, list[float]]], left: int, extra=None) -> None:
        """Slide ``name``'s tables (heading, table, text when empty, column widths in inches) on as many slides as
        they need, no row dropped (PRODUCT §6), each titled '…（2/3）' when continued; ``extra(slide, top)`` draws
        the rest of each slide (slide 4's chart)."""
        size = theme.PPTX_BODY_PT
        budget = (SLIDE_H - FOOT - title_box(b.t(f"brief.s.{name}") + "（9/9）", sub)[1]) / INCH
        heading = HEADING_IN / budget if any(h for h, _, _, _ in tables) else 0.0
        empty_in = (size * 1.5 + ROW_PAD_PT) / 72
        by_columns = {t.columns: w for _, t, _, w in tables}

        def room(t: Table) -> float:
            return (_table_height(t, by_columns[t.columns], size) if t.rows else empty_in) / budget

        laid = flow([t for _, t, _, _ in tables], room, heading)
        for n, page in enumerate(laid, start=1):
            s = prs.slides.add_slide(blank)
            top = title(s, page_title(b.t(f"brief.s.{name}"), n, len(laid), b.lang), sub)
            if extra:
                extra(s, top)
            for j, part in page:
                heading_text, _, empty, widths_in = tables[j]
                width = int(sum(widths_in) * INCH)
                if heading_text:
                    para(textbox(s, left, top, width, int(HEADING_IN * INCH)), heading_text, size, theme.BLUE,
                         bold=True, first=True)  # fmt: skip
                    top += int(HEADING_IN * INCH)
                if part.rows:
                    top = draw_table(s, part, left, top, widths_in, size) + INCH // 10
                else:
                    para(textbox(s, left, top, width, int(empty_in * INCH)), empty, size, theme.MUTED, first=True)
                    top += int(empty_in * INCH)
            watermark(s)

    def chart(slide, kind_, data, left, top, width, height, legend=False):
        c = slide.shapes.add_chart(kind_, Emu(left), Emu(top), Emu(width), Emu(height), data).chart
        c.has_legend = legend
        if legend:
            c.legend.position, c.legend.include_in_layout = XL_LEGEND_POSITION.TOP, False
            c.legend.font.size = Pt(CHART_PT)
        c.font.size, c.font.name = Pt(CHART_PT), theme.PPTX_FONT
        return c

    def inner_layout(c, x: float, y: float, w: float, h: float) -> None:
        """Fix the plot area (inside the axes) at these fractions of the chart, so a shape drawn over the chart
        (the target line) lands where the axis says."""
        plot = c._chartSpace.find(qn("c:chart")).find(qn("c:plotArea"))
        layout = plot.find(qn("c:layout"))
        if layout is None:
            layout = plot.makeelement(qn("c:layout"), {})
            plot.insert(0, layout)
        for child in list(layout):
            layout.remove(child)
        manual = layout.makeelement(qn("c:manualLayout"), {})
        layout.append(manual)
        for tag, val in (("layoutTarget", "inner"), ("xMode", "edge"), ("yMode", "edge"), ("x", x), ("y", y),
                         ("w", w), ("h", h)):  # fmt: skip
            el = manual.makeelement(qn(f"c:{tag}"), {"val": str(val)})
            manual.append(el)

    def every_label(axis) -> None:
        """Every category named: LibreOffice and WPS skip crowded labels unless told to skip none."""
        ax = axis._element
        for tag in ("c:tickLblSkip", "c:tickMarkSkip"):
            el = ax.find(qn(tag))
            if el is None:
                el = ax.makeelement(qn(tag), {})
                ax.append(el)
            el.set("val", "1")
        # the schema's order: tickLblSkip and tickMarkSkip come after c:lblOffset / before c:noMultiLvlLbl
        nomulti = ax.find(qn("c:noMultiLvlLbl"))
        if nomulti is not None:
            ax.remove(nomulti)
            ax.append(nomulti)

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

    def card_sizes(label: str, value: str, lines: list[str], width_in: float, height_in: float) -> tuple[int, int]:
        """(body, value) sizes in points, the largest whose wrapped lines fit the card (English wraps more)."""
        for body, big in ((theme.PPTX_BODY_PT, theme.PPTX_VALUE_PT), (22, 36), (20, 32), (theme.PPTX_MIN_PT, 28)):
            need = sum(_lines_needed(t, width_in, body) * body * _line_height(t) for t in [label, *lines])
            need += _lines_needed(value, width_in, big) * big * _line_height(value) if value else 0
            if need / 72 <= height_in:
                break
        return body, big

    cols = 3 if len(cards) <= 6 else 4
    rows = math.ceil(len(cards) / cols)
    gap = INCH // 5
    cw = (W - 2 * MARGIN - (cols - 1) * gap) // cols
    ch = (SLIDE_H - top - FOOT - (rows - 1) * gap) // rows
    # one size for every card (the largest all of them fit), so the row reads as one
    body, big = min(card_sizes(label, value, [t for t, _ in lines], cw / INCH - 0.25, ch / INCH - 0.2)
                    for label, value, lines, _ in cards)  # fmt: skip
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
        para(tf, label, body, theme.MUTED, bold=True, first=True, align=PP_ALIGN.LEFT)
        if value:
            para(tf, value, big, theme.INK, bold=True, align=PP_ALIGN.LEFT)
        for text, colour in lines:
            para(tf, text, body, colour, align=PP_ALIGN.LEFT)
    watermark(s)

    # 2. The departments furthest below target: horizontal bars from 0 (a bar's length is its value), worst at the
    # top, each value printed inside its bar's end and each department's target a dark tick on its row, so no line
    # crosses a label
    def ranking_page(s, top: int, names: list[str], values: list[float], targets: list[float], hi: int) -> None:
        """One slide's bars (the rows of ``names``) on an axis 0–``hi`` shared by every page of the ranking."""
        # the chart's own data bottom up (a bar chart draws its first category at the bottom), so the value axis
        # stays under the bars in every office suite
        cd = CategoryChartData()
        cd.categories = _cells(names[::-1])
        cd.add_series(safe.workbook_cell(b.t("brief.this_quarter")), values[::-1], number_format="0.0")
        ctop = top  # the target's label goes under the axis, in the strip below the body
        width, height = W - 2 * MARGIN, SLIDE_H - FOOT - ctop
        c = chart(s, XL_CHART_TYPE.BAR_CLUSTERED, cd, MARGIN, ctop, width, height)
        c.has_title = False
        ser = c.plots[0].series[0]
        ser.format.fill.solid()
        ser.format.fill.fore_color.rgb = rgb(theme.AMBER)
        labels = ser.data_labels
        labels.show_value = True
        labels.position = XL_LABEL_POSITION.INSIDE_END
        labels.font.size, labels.font.bold = Pt(CHART_PT), True
        labels.font.color.rgb = rgb(theme.INK)
        labels.number_format, labels.number_format_is_linked = "0.0", False
        c.plots[0].gap_width = 40
        # the names are the deck's own text boxes, one per row: LibreOffice and WPS thin out crowded axis labels
        c.category_axis.tick_label_position = XL_TICK_LABEL_POSITION.NONE
        c.category_axis.major_tick_mark = XL_TICK_MARK.NONE
        c.value_axis.minimum_scale, c.value_axis.maximum_scale = 0, hi
        c.value_axis.major_unit = 10 if hi <= 100 else hi / 10
        c.value_axis.has_major_gridlines = False
        c.value_axis.major_tick_mark = XL_TICK_MARK.OUTSIDE
        c.value_axis.tick_labels.font.size = Pt(CHART_PT)
        # the plot area fixed inside the chart, so each name and target tick lands on its row
        name_w = max(_em(n) for n in names) * CHART_PT / 72 + 0.2
        x = name_w / (width / INCH)
        w = 1 - x - 0.03
        h = 1 - (CHART_PT * 2.0 / 72) / (height / INCH)
        inner_layout(c, x, 0.0, w, h)
        band = height * h / len(names)
        for i, (name, tgt) in enumerate(zip(names, targets, strict=True)):
            y0 = ctop + int(band * i)
            tf = textbox(s, MARGIN, y0, int((name_w - 0.1) * INCH), int(band), wrap=False)
            tf.margin_left = tf.margin_right = tf.margin_top = tf.margin_bottom = 0
            tf.vertical_anchor = MSO_ANCHOR.MIDDLE
            para(tf, name, CHART_PT, theme.INK, first=True, align=PP_ALIGN.RIGHT)
            tx = MARGIN + int(width * (x + w * tgt / hi))
            tick = s.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, Emu(tx), Emu(y0 + int(band * 0.08)), Emu(tx),
                                          Emu(y0 + int(band * 0.92)))  # fmt: skip
            tick.line.color.rgb = rgb(theme.INK)
            tick.line.width = Pt(3)
        distinct = sorted(set(targets))
        tx = MARGIN + int(width * (x + w * distinct[0] / hi))
        text = f"{b.t('brief.target')} " + " / ".join(f"{t:g}" for t in distinct)
        box_w = int((_em(text) * CHART_PT / 72 + 0.4) * INCH)
        tf = textbox(s, min(tx - box_w // 2, W - MARGIN - box_w), SLIDE_H - FOOT, box_w, FOOT - INCH // 20, wrap=False)
        tf.margin_top = tf.margin_bottom = 0
        para(tf, text, CHART_PT, theme.INK, bold=True, first=True, align=PP_ALIGN.CENTER)

    def ranking_geometry(sub: str) -> tuple[int, int]:
        """(the body's top, how many bars fit a slide: each row at least a name's line high)."""
        top = title_box(b.t("brief.s.ranking") + "（9/9）", sub)[1]
        plot_pt = (SLIDE_H - FOOT - top) / INCH * 72 - CHART_PT * 2.0
        return top, max(1, int(plot_pt // (CHART_PT * 1.15)))

    sub = b.on_slide(b.ranking_sub())
    if len(b.ranking):
        names = [str(x) for x in b.ranking["dept_name"]]
        values = [round(float(v), 1) for v in b.ranking["value"]]
        targets = [float(v) for v in b.ranking["target"]]
        hi = 10 * (math.floor(max([*values, *targets]) / 10) + 1)  # past the highest target: its tick stays inside
        _, per_page = ranking_geometry(sub)
        per_page = math.ceil(len(names) / math.ceil(len(names) / per_page))  # the pages evenly filled
        chunks = [range(i, min(i + per_page, len(names))) for i in range(0, len(names), per_page)]
        for n, rows in enumerate(chunks, start=1):  # bars that do not fit continue on the next slide (§6)
            s = prs.slides.add_slide(blank)
            top = title(s, page_title(b.t("brief.s.ranking"), n, len(chunks), b.lang), sub)
            ranking_page(s, top, [names[i] for i in rows], [values[i] for i in rows], [targets[i] for i in rows], hi)
            watermark(s)
    else:
        s = prs.slides.add_slide(blank)
        title(s, b.t("brief.s.ranking"), sub)
        tf = textbox(s, MARGIN, 3 * INCH, W - 2 * MARGIN, INCH)
        key = "brief.ranking_all_met" if b.ranked else "brief.ranking_none"
        para(tf, b.t(key), theme.PPTX_TITLE_PT, theme.INK, bold=True, first=True, align=PP_ALIGN.CENTER)
        watermark(s)

    # 3. Vetoes and warnings: a native table with the indicator's full text, continued on further slides
    paged("events", b.on_slide(b.t("brief.events_count", vetoes=b.vetoes, warnings=b.warnings)),
          [("", events_table(b), b.t("brief.events_none"), [1.7, 2.6, 4.73, 3.5])], MARGIN)  # fmt: skip

    # 4. The award pipeline (native bar chart) beside conflicts, notices, rectifications (native table)
    def pipeline_chart(s, top: int) -> None:
        p = b.pipeline[b.pipeline["count"] > 0]
        cd = CategoryChartData()
        cd.categories = _cells(p["label"])
        cd.add_series(safe.workbook_cell(b.t("brief.depts")), [int(x) for x in p["count"]])
        c = chart(s, XL_CHART_TYPE.BAR_CLUSTERED, cd, MARGIN, top, int(4.4 * INCH), SLIDE_H - top - FOOT)
        c.has_title = False
        c.plots[0].has_data_labels = True
        c.plots[0].data_labels.font.size = Pt(CHART_PT)
        c.plots[0].data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
        c.plots[0].gap_width = 40
        c.category_axis.reverse_order = True
        c.category_axis.tick_labels.font.size = Pt(CHART_PT)
        every_label(c.category_axis)
        c.value_axis.visible = False
        c.value_axis.has_major_gridlines = False
        c.value_axis.minimum_scale = 0
        c.value_axis.maximum_scale = max([*p["count"], 1]) * 1.25  # room for the count beside the longest bar
        ser = c.plots[0].series[0]
        for i, status in enumerate(p["status"]):
            colour = theme.GREEN if status == "awarded" else theme.RED if status in ("revoked", "rejected") else (
                theme.AMBER if status == "rectifying" else theme.BLUE)  # fmt: skip
            pt = ser.points[i]
            pt.format.fill.solid()
            pt.format.fill.fore_color.rgb = rgb(colour)

    # each award unit type counted above the list (PRODUCT §10), once the hospital records people or posts
    units = [("", units_table(b), "", [1.93, 6.0])] if units_table(b).rows else []
    paged("awards", b.on_slide(b.t("brief.awards_sub")),
          [*units, ("", awards_table(b), b.t("brief.awards_none"), [2.2, 2.83, 2.9])], MARGIN + int(4.6 * INCH),
          extra=pipeline_chart)  # fmt: skip

    # 5. Key tasks and rectification notices (PRODUCT §8): an honest empty state until they are entered
    if b.tasks.empty and b.notices.empty:
        s = prs.slides.add_slide(blank)
        title(s, b.t("brief.s.tasks"), b.on_slide(""))
        tf = textbox(s, MARGIN * 2, int(2.6 * INCH), W - 4 * MARGIN, int(2.5 * INCH))
        para(tf, b.t("brief.tasks_empty"), theme.PPTX_TITLE_PT, theme.INK, bold=True, first=True, align=PP_ALIGN.CENTER)
        para(tf, b.t("brief.tasks_empty_sub"), theme.PPTX_BODY_PT, theme.MUTED, align=PP_ALIGN.CENTER)
        watermark(s)
    else:
        paged(
            "tasks",
            b.on_slide(""),
            [
                (b.t("brief.tasks_heading"), tasks_table(b), b.t("brief.none"), [2.7, 3.6, 3.5, 2.73]),
                (b.t("brief.notices_heading"), notices_table(b), b.t("brief.none"), [4.0, 2.3, 3.5, 2.73]),
            ],
            MARGIN,
        )

    # 6. Departments needing attention, by severity: the most that fit, then the rest by name in one line (§6)
    s = prs.slides.add_slide(blank)
    top = title(s, b.t("brief.s.attention"), b.on_slide(b.t("brief.attention_sub")))
    widths_in, size = [0.7, 2.9, 8.93], theme.PPTX_BODY_PT
    budget = (SLIDE_H - FOOT - top) / INCH
    whole = attention_table(b)
    if not whole.rows:
        para(textbox(s, MARGIN, top, W - 2 * MARGIN, INCH), b.t("brief.attention_none"), size, theme.MUTED, first=True)
    else:
        t = attention_table(b, 1)
        for n in range(len(whole.rows), 0, -1):
            cut = whole if n == len(whole.rows) else attention_table(b, n)
            rest_in = _lines_needed(cut.rest, sum(widths_in), size) * size * 1.5 / 72 + 0.15 if cut.rest else 0
            if _table_height(cut, widths_in, size) + rest_in <= budget:
                t = cut
                break
        bottom = draw_table(s, Table(t.columns, t.rows, t.tones), MARGIN, top, widths_in, size)
        if t.rest:
            rest_in = _lines_needed(t.rest, sum(widths_in), size) * size * 1.5 / 72 + 0.1
            tf = textbox(s, MARGIN, bottom + INCH // 20, int(sum(widths_in) * INCH), int(rest_in * INCH))
            para(tf, t.rest, size, theme.INK, first=True)
    watermark(s)

    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()
