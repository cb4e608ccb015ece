"""The filled 申报表 (PRODUCT §10 applications, seed 004 附件 2) as a Word document (and as PDF, printed from the same
layout in HTML by the briefing's headless Chromium) laid out like the annex: the title,
one bordered table of labelled cells (申报科室 and 申报时间, 职工人数 and 中共党员 with their share, 科室资料目录, then each
reviewing step's opinion with its signature line and date), and the note under it. Signatures and the seal stay
blank to sign on paper; a step not taken yet leaves its date to write by hand. A4 portrait on one page; the
annex's 宋体 (SimSun) is what Word and WPS on the office's PCs have, and LibreOffice falls back to a CJK font of
the machine's. Every value passes ``safe.docx_text`` (the HTML's ``safe.html_text``)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from metrics import safe, theme
from metrics.briefing.pdf import html_to_pdf


@dataclass(frozen=True)
class Step:
    """One reviewing step's box: its label, the opinion given ('' none yet), the signature line's label and the
    date as printed (the blank '年  月  日' when not given)."""

    label: str
    opinion: str
    signer: str
    day: str


@dataclass(frozen=True)
class ApplicationForm:
    """One department's 申报表 of a year, every text in the chosen language and every value as printed."""

    dept_code: str
    title: str
    labels: dict[str, str]  # dept, applied_on, staff, party, materials → the cell labels
    dept_name: str
    applied_on: str
    staff_count: str
    party: str  # the members with their share of the staff
    materials: str
    materials_signer: str
    steps: tuple[Step, ...]  # branch, working group, committee
    note: str
    file_name: str


# The annex's proportions on A4 (210 × 297 mm): a label column beside each value, the boxes tall enough to write in.
_MARGIN = (Cm(2.5), Cm(2.4))  # top/bottom, left/right
_WIDTHS = (Cm(3.8), Cm(4.3), Cm(3.8), Cm(4.3))
_FACT_HEIGHT = Cm(1.4)
_MATERIALS_HEIGHT = Cm(5.6)
_STEP_HEIGHT = Cm(4.6)
_BODY_PT, _TITLE_PT = 12, 16  # 小四 and 三号, as the annex prints


def to_docx(form: ApplicationForm) -> bytes:
    """``form`` as the bytes of a .docx file."""
    doc = Document()
    _page(doc)
    _fonts(doc)
    title = doc.paragraphs[0] if doc.paragraphs else doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(safe.docx_text(form.title))
    run.bold, run.font.size = True, Pt(_TITLE_PT)
    title.paragraph_format.space_after = Pt(12)
    table = doc.add_table(rows=6, cols=4)
    table.style = "Table Grid"
    table.autofit = False
    _facts(table, form)
    _box(table.rows[2], form.labels["materials"], form.materials, form.materials_signer, None, _MATERIALS_HEIGHT)
    for row, step in zip(table.rows[3:], form.steps, strict=True):
        _box(row, step.label, step.opinion, step.signer, step.day, _STEP_HEIGHT)
    for column, width in zip(table.columns, _WIDTHS, strict=True):
        column.width = width  # the grid LibreOffice and WPS lay out by; Word reads each cell's own
    for row in table.rows:
        for cell, width in zip(row.cells, _WIDTHS, strict=False):
            cell.width = width
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # a box never torn across two pages
    note = doc.add_paragraph(safe.docx_text(form.note))
    note.paragraph_format.space_before = Pt(6)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _page(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = _MARGIN[0]
    section.left_margin = section.right_margin = _MARGIN[1]


def _fonts(doc) -> None:
    """The Normal style in the annex's typeface for Chinese and Latin alike (the eastAsia slot is the one Word reads
    for Chinese text)."""
    normal = doc.styles["Normal"]
    normal.font.name = theme.DOCX_FONT
    normal.font.size = Pt(_BODY_PT)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), theme.DOCX_FONT)
    # Chinese text marked Chinese: where 宋体 is missing, the office software falls back to a simplified-Chinese face
    # (LibreOffice took Noto CJK JP's glyphs without it); Latin text marked English, so it breaks between words
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(lang)
    normal.paragraph_format.space_after = Pt(0)


def _facts(table, form: ApplicationForm) -> None:
    pairs = (
        ((form.labels["dept"], form.dept_name), (form.labels["applied_on"], form.applied_on)),
        ((form.labels["staff"], form.staff_count), (form.labels["party"], form.party)),
    )
    for row, ((l1, v1), (l2, v2)) in zip(table.rows[:2], pairs, strict=True):
        row.height, row.height_rule = _FACT_HEIGHT, WD_ROW_HEIGHT_RULE.AT_LEAST
        for cell, text, centred in zip(row.cells, (l1, v1, l2, v2), (True, False, True, False), strict=True):
            _write(cell, text, centred)


def _box(row, label: str, text: str, signer: str, day: str | None, height) -> None:
    """A labelled box spanning the row: the text at the top, the signature line and the date at the bottom right."""
    row.height, row.height_rule = height, WD_ROW_HEIGHT_RULE.AT_LEAST
    _write(row.cells[0], label, True)
    box = row.cells[1].merge(row.cells[3])
    box.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    first = box.paragraphs[0]
    first.add_run(safe.docx_text(text))
    gap = box.add_paragraph()
    gap.paragraph_format.space_before = Pt(_BODY_PT * 3)  # room to write beside what is typed
    sign = box.add_paragraph(safe.docx_text(signer))
    sign.paragraph_format.left_indent = Cm(5.5)
    if day is not None:
        date = box.add_paragraph(safe.docx_text(day))
        date.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        date.paragraph_format.right_indent = Cm(0.8)
        date.paragraph_format.space_before = Pt(6)


def _write(cell, text: str, centred: bool) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    p = cell.paragraphs[0]
    p.add_run(safe.docx_text(text))
    if centred:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER


# The same boxes in CSS: A4 with the DOCX's margins, its column widths and row heights, 宋体 with the machine's
# Noto Serif CJK behind it.
_CSS = """
@page { size: A4; margin: 25mm 24mm; }
body { margin: 0; font-family: "SimSun", "宋体", "Noto Serif CJK SC", serif; font-size: 12pt; color: #000; }
h1 { font-size: 16pt; text-align: center; margin: 0 0 12pt; }
table { width: calc(100% - 1pt); border-collapse: collapse; table-layout: fixed; }  /* its right border on the page */
td { border: 0.75pt solid #000; padding: 4pt 4pt; vertical-align: middle; overflow-wrap: anywhere; }
td.label { text-align: center; }
tr.fact td { height: 14mm; }
tr.box td { height: 40mm; }
tr.box.materials td { height: 48mm; }
tr.box td.text { vertical-align: top; }
.sign { margin: 30pt 0 0 55mm; }
.date { text-align: right; margin: 6pt 8mm 0 0; }
p.note { margin: 6pt 0 0; }
tr { break-inside: avoid; }
"""


def to_html(form: ApplicationForm) -> str:
    """``form`` as one self-contained HTML page laid out like the DOCX."""
    e = _html

    def fact(l1, v1, l2, v2) -> str:
        return (f'<tr class="fact"><td class="label">{e(l1)}</td><td>{e(v1)}</td>'
                f'<td class="label">{e(l2)}</td><td>{e(v2)}</td></tr>')  # fmt: skip

    def box(label, text, signer, day, extra="") -> str:
        date = f'<div class="date">{e(day)}</div>' if day is not None else ""
        return (f'<tr class="box{extra}"><td class="label">{e(label)}</td><td class="text" colspan="3">'
                f'<div>{e(text)}</div><div class="sign">{e(signer)}</div>{date}</td></tr>')  # fmt: skip

    total = sum(w.cm for w in _WIDTHS)  # shares of the page's width: fixed lengths plus the borders ran off its edge
    widths = "".join(f'<col style="width:{100 * w.cm / total:.2f}%">' for w in _WIDTHS)
    rows = [
        fact(form.labels["dept"], form.dept_name, form.labels["applied_on"], form.applied_on),
        fact(form.labels["staff"], form.staff_count, form.labels["party"], form.party),
        box(form.labels["materials"], form.materials, form.materials_signer, None, " materials"),
        *(box(s.label, s.opinion, s.signer, s.day) for s in form.steps),
    ]
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{e(form.title)}</title><style>{_CSS}</style>'
            f'</head><body><h1>{e(form.title)}</h1><table><colgroup>{widths}</colgroup>{"".join(rows)}</table>'
            f'<p class="note">{e(form.note)}</p></body></html>')  # fmt: skip


def to_pdf(form: ApplicationForm) -> bytes:
    """``form`` as PDF bytes, one A4 page (``briefing.pdf.PdfFailed`` when the browser is missing or fails)."""
    return html_to_pdf(to_html(form))


def _html(text: str) -> str:
    """Escaped text with its line breaks kept."""
    return safe.html_text(safe.docx_text(text)).replace("\n", "<br>")
