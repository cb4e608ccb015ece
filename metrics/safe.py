"""One escaping rule per sink: every string that came from data (uploaded files, the catalogue, user names)
passes through exactly one of these functions on its way out (PRODUCT §7).

================  ==========================================================================================
sink              rule
================  ==========================================================================================
plotly text       ``plot_text`` — chart titles, axis titles, tick labels (category values ARE the tick text),
                  trace names (legend), ``text`` / ``hovertext`` / ``customdata`` shown by a hovertemplate,
                  annotations. plotly.js renders a small HTML subset inside every text (``<a href>``, ``<b>``,
                  ``<i>``, ``<br>``, ``<sub>``, ``<sup>``, ``<span style>``) and decodes entities (``&lt;``
                  shows as ``<``), so ``&``, ``<`` and ``>`` become entities: a name displays exactly as
                  written, never as markup. Bidi / zero-width controls are stripped. Data never goes into a
                  hovertemplate string itself (``%{…}`` there is a template): pass it as ``customdata``.
HTML              ``html_text`` — ``html.escape`` (quotes too, safe inside attributes) after stripping
                  controls. For the offline briefing and anything passed to ``unsafe_allow_html``.
Markdown          ``md_text`` — every Markdown character backslash-escaped, controls stripped: uploaded text in
                  ``st.markdown``, widget labels and messages (they all accept Markdown).
CSV / XLSX cells  ``sheet_cell`` — a string Excel (or LibreOffice) would run as a formula (first character
                  ``= + - @``, tab or CR) gets a leading apostrophe; numbers and plain signed numbers written as
                  text (``-3.5``) stay as they are. openpyxl and xlsxwriter both turn a string starting with
                  ``=`` into a formula cell, so every cell an XLSX writer gets from data goes through it too
                  (``sheet_row`` for a row). Reading a file back strips that apostrophe again
                  (``reading._unquoted``), so an exported or corrected file re-uploads as first written.
PPTX charts       ``workbook_cell`` — python-pptx writes a chart's embedded workbook with xlsxwriter, which also
                  makes '{=…}' a formula and 'http://…', 'mailto:…' a live link: categories and series names
                  go through it (it strips controls too: the same labels are drawn on the slide).
e-mail            ``mail_text`` — subject, display names and body lines: controls stripped and every line break or
                  other C0/C1 control made a space, so no uploaded name can start a header of its own ("…\nBcc:").
robot Markdown    ``robot_text`` — a 企业微信 / 钉钉 robot's Markdown has no backslash escapes: ``mail_text``, autolinks
                  broken, and the Markdown characters (``[ ] ( ) < > ` * _ ~ # | ! &``) made full-width.
DOCX text         ``docx_text`` — python-docx escapes ``& < >`` itself and Word runs no formula from text, but XML 1.0
                  refuses C0 controls other than tab and line feed (python-docx raises on them), so those, C1
                  controls and the bidi / zero-width ones are stripped; a line break stays one.
any text          ``strip_controls`` — bidi embeddings / overrides / isolates / marks (U+202A–U+202E,
                  U+2066–U+2069, U+200E, U+200F, U+061C) and zero-width characters (U+200B–U+200D, U+2060,
                  U+FEFF): a trailing U+202E would otherwise mirror the rest of a line ("61.5 未达 ≥ 90" read
                  "5.16 达未 ≤ 09").
================  ==========================================================================================

Values that are not strings (numbers, None, NaN, dates) pass through unchanged, so these functions can be
mapped over whole columns.
"""

from __future__ import annotations

import html
import re

# Bidi embeddings/overrides (LRE RLE PDF LRO RLO), isolates (LRI RLI FSI PDI), marks (LRM RLM, Arabic letter
# mark) and zero-width characters (ZWSP ZWNJ ZWJ, word joiner, BOM / zero-width no-break space).
CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u200b\u200c\u200d\u2060\ufeff"
CONTROLS_RE = re.compile(f"[{CONTROLS}]")
_STRIP_TABLE = {ord(c): None for c in CONTROLS}


def strip_controls(s):
    """``s`` without bidi and zero-width control characters (non-strings unchanged)."""
    if not isinstance(s, str) or CONTROLS_RE.search(s) is None:  # the common case: a regex, no copy (~0.15 µs)
        return s
    return CONTROLS_RE.sub("", s)


_PLOT_TABLE = {**_STRIP_TABLE, ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}
_PLOT_RE = re.compile(f"[&<>{CONTROLS}]")


def plot_text(s):
    """Text for plotly (labels, ticks, hover, legend, annotations): shown as written, never as markup."""
    if not isinstance(s, str) or _PLOT_RE.search(s) is None:
        return s
    return s.translate(_PLOT_TABLE)


def plot_texts(values) -> list:
    """``plot_text`` of every value (a list, tuple, Series or array): for x / y / text / customdata columns."""
    return [plot_text(v) for v in values]


def html_text(s) -> str:
    """Text for HTML (element content or a quoted attribute): escaped, controls stripped. None gives ''."""
    if s is None:
        return ""
    return html.escape(strip_controls(str(s)), quote=True)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$])")


# GFM autolink literals (what Streamlit's Markdown, remark-gfm, links by itself): it finds them in the text AFTER
# the backslash escapes are read, so escaping ':' '.' alone leaves http://…, www.… and a@b.c live links (one link
# swallowing the text after it). A word joiner (U+2060, invisible, not a word character) inside each breaks them.
_AUTOLINK = re.compile(r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=ftp)(?=:)|(?<=mailto)(?=:)|(?<=xmpp)(?=:)"
                       r"|(?<=www)(?=\.)|(?=@)")  # fmt: skip
WORD_JOINER = "\u2060"


def md_text(s) -> str:
    """Text for Markdown (st.markdown, widget labels): shown as written, no links, emphasis, images or HTML."""
    text = strip_controls("" if s is None else str(s))
    if "@" in text or ":" in text or "w" in text or "W" in text:
        text = _AUTOLINK.sub(WORD_JOINER, text)
    return _MD_SPECIAL.sub(r"\\\1", text)


# A group robot's Markdown (企业微信, 钉钉) has no backslash escapes: "RW2026\\-10" would reach the phone as written. So
# what could start a link, an image, emphasis, code, a heading, a table, HTML or an entity becomes its full-width
# form, which reads the same in a Chinese message.
_ROBOT_SPECIAL = str.maketrans({
    "[": "［", "]": "］", "(": "（", ")": "）", "<": "＜", ">": "＞", "`": "｀", "*": "＊", "_": "＿", "~": "～",
    "#": "＃", "|": "｜", "!": "！", "&": "＆",
})  # fmt: skip


def robot_text(s) -> str:
    """One line of a group robot's Markdown message: shown as written, on its own line only where we break it, with
    no link, autolink, emphasis, tag or heading (``mail_text``, then the Markdown characters made full-width)."""
    text = mail_text(s)
    if "@" in text or ":" in text or "w" in text or "W" in text:
        text = _AUTOLINK.sub(WORD_JOINER, text)
    return text.translate(_ROBOT_SPECIAL)


# A cell Excel would read as a formula (OWASP "CSV injection"): = + - @, and tab / carriage return.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# A plain number written as text (-3.5, +2, -1%): Excel reads it as a number, never as a formula.
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?%?")


def sheet_cell(v):
    """A CSV / XLSX cell value: text Excel would run as a formula gets a leading apostrophe; others unchanged."""
    if isinstance(v, str) and v.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(v):
        return "'" + v
    return v


def sheet_row(values) -> list:
    """``sheet_cell`` of every value of a row (what ``ws.append`` / ``write_row`` get)."""
    return [sheet_cell(v) for v in values]


# xlsxwriter's ``write`` (which python-pptx uses for a chart's embedded workbook, with its default options) turns more
# strings into something live: '=…' and '{=…}' into formulas, and a string starting with http:// https:// ftp://
# ftps:// file:// mailto: internal: external: into a hyperlink.
_WORKBOOK_LIVE = re.compile(r"\{=|(ftp|http)s?://|mailto:|(in|ex)ternal:|file://")


def workbook_cell(v):
    """A value for a workbook written by xlsxwriter through ``write`` (PPTX chart categories and series names):
    ``sheet_cell``, and a leading apostrophe before what xlsxwriter would make a formula or a link. Controls are
    stripped too, since these labels are also drawn on the slide."""
    v = sheet_cell(strip_controls(v))
    if isinstance(v, str) and _WORKBOOK_LIVE.match(v):
        return "'" + v
    return v


_MAIL_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def mail_text(s) -> str:
    """Text for one line of an e-mail (a header or a body line): controls stripped, line breaks and other control
    characters made one space each run. None gives ''."""
    return _MAIL_BREAKS.sub(" ", strip_controls("" if s is None else str(s))).strip()


_DOCX_OUT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def docx_text(s) -> str:
    """Text for a Word document's run: controls stripped (a CR LF or CR made a line feed, which python-docx writes
    as a line break). None gives ''."""
    text = strip_controls("" if s is None else str(s)).replace("\r\n", "\n").replace("\r", "\n")
    return _DOCX_OUT.sub("", text)
