"""Uploaded text (PRODUCT §7) reaches charts and files as text, never as markup or formulas.

Charts: plotly.js renders a subset of HTML inside every text it draws (tick labels, hover, legend, annotations,
bar text) and decodes a few entities. ``plotly_shows`` below does what plotly.js does with a string (split on tags,
decode its entity table: svg_text_utils.convertToTspans / convertEntities), so the tests assert what a viewer sees.
Files: openpyxl reads back what Excel would run: a cell of data_type 'f' is a live formula.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import plotly.graph_objects as go

from metrics import safe
from metrics.rules import spc
from metrics.views import charts, spc_charts
from tests.figures import figures

LINK = '<a href="https://evil.example/x">心内科</a>'
BIG = '<span style="font-size:120px">外科</span>'
RLO = "儿科\u202e"  # a trailing right-to-left override mirrors what follows it on the line
ZW = "眼\u200b科\u2066"
AMP = '<b>妇产科</b> & &lt;i&gt; "引号"'  # an entity written as text stays text; quotes stay quotes
HOSTILE = {"K01": LINK, "K02": BIG, "K03": RLO, "K04": ZW, "K05": AMP}

# plotly.js (svg_text_utils): the tags it knows, and its entity table (anything else shows as written).
_SPLIT_TAGS = re.compile(r"(<[^<>]*>)")
_ENTITIES = {"mu": "μ", "amp": "&", "lt": "<", "gt": ">", "nbsp": "\xa0", "times": "×", "plusmn": "±", "deg": "°"}
_ENTITY = re.compile(r"&(#\d+|#x[\da-fA-F]+|[a-z]+);")
OUR_TAGS = {"<br>", "<extra>", "</extra>"}  # the builders' own hover layout
CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u200b\u200c\u200d\u2060\ufeff"


def _decode(m: re.Match) -> str:
    r = m.group(1)
    if r.startswith("#"):
        return chr(int(r[2:], 16) if r[1] == "x" else int(r[1:]))
    return _ENTITIES.get(r, m.group(0))


def plotly_shows(s: str) -> tuple[str, list[str]]:
    """(the text plotly.js displays for ``s``, the tags it interprets)."""
    parts = _SPLIT_TAGS.split(s)
    tags = [p for p in parts if _SPLIT_TAGS.fullmatch(p)]
    shown = "".join(" " if p in OUR_TAGS else _ENTITY.sub(_decode, p) for p in parts if p not in tags or p in OUR_TAGS)
    return shown, tags


def figure_strings(fig) -> list[str]:
    """Every string in the figure's JSON (what the browser gets), except ``meta`` (never displayed)."""
    out: list[str] = []

    def walk(node, key=""):
        if key == "meta":
            return
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)

    walk(json.loads(fig.to_json()))
    return out


def assert_shown_literally(fig, names) -> None:
    """No string of ``fig`` carries markup other than the builders' own, nor a bidi / zero-width control; and each
    name is displayed somewhere exactly as written (controls aside)."""
    shown = []
    for s in figure_strings(fig):
        text, tags = plotly_shows(s)
        assert set(tags) <= OUR_TAGS, f"markup from data reaches plotly: {s!r}"
        assert not any(c in s for c in CONTROLS), f"bidi / zero-width control reaches plotly: {s!r}"
        shown.append(text)
    for name in names:
        want = name.translate({ord(c): None for c in CONTROLS})
        assert any(want in t for t in shown), f"{want!r} is not displayed as written"


def test_plotly_shows_models_plotly_js():
    # The model the tests rely on: a link is a tag; &lt; shows as <; &quot; is NOT in plotly's table.
    assert plotly_shows(LINK) == ("心内科", ['<a href="https://evil.example/x">', "</a>"])
    assert plotly_shows("&lt;a&gt; &amp;lt; &quot;") == ("<a> &lt; &quot;", [])


def test_ranking_shows_hostile_department_names_and_metric_name_as_written():
    rows = pd.DataFrame(
        [(code, name, 60.0 + i, 90.0 if i else 80.0, ">=", False) for i, (code, name) in enumerate(HOSTILE.items())],
        columns=["dept_code", "label", "value", "target", "direction", "passed"],
    )
    fig = charts.ranking(rows, f"{BIG} 排名", "zh", hospital_target=90.0)
    assert_shown_literally(fig, [*HOSTILE.values(), f"{BIG} 排名"])
    assert len(fig.data[0].y) == len(HOSTILE)  # one bar per department still


def test_heatmap_shows_hostile_department_names_in_ticks_and_hover():
    grid = pd.DataFrame(
        [(code, "2024-01", 91.0, 90.0, ">=", True) for code in HOSTILE],
        columns=["dept_code", "period", "value", "target", "direction", "passed"],
    )
    fig = charts.heatmap(grid, dict(HOSTILE), ["2024-01", "2024-02"], f"{LINK} 热力图", "zh")
    assert_shown_literally(fig, [*HOSTILE.values(), f"{LINK} 热力图"])
    hover = [plotly_shows(h)[0] for row in fig.data[0].customdata for h in row]
    assert any(h.startswith(AMP + " · 2024年1月") for h in hover)  # the hover names the department as written


def test_events_by_quarter_and_pipeline_titles_show_as_written():
    counts = pd.DataFrame(
        [("K01", "2024-Q1", "veto", "V04", 1), ("K02", "2024-Q1", "warning", "<b>W99</b>", 2)],
        columns=["dept_code", "period", "kind", "indicator", "count"],
    )
    names = {"V04": "<a href='https://x.test'>红包</a>", "<b>W99</b>": "<span style='font-size:120px'>大</span>"}
    assert_shown_literally(
        charts.events_by_quarter(counts, f"{RLO} 事件", "zh", names), ["<b>W99</b>", f"{RLO} 事件", *names.values()]
    )
    status = pd.DataFrame({"dept_code": ["A"], "status": ["awarded"]})
    from metrics.rules import awards

    assert_shown_literally(charts.award_pipeline(awards.pipeline_counts(status), f"{ZW} 进度", "zh"), [f"{ZW} 进度"])


STEP = pd.DataFrame(
    {
        "month": [f"2024-{m:02d}" for m in range(1, 13)],
        "value": [10.0, 12.0] * 3 + [20.0, 22.0] * 3,
        "target": 15.0,
    }
)


def test_xmr_figure_shows_event_descriptions_title_and_unit_as_written():
    events = pd.DataFrame(
        {
            "event_date": ["2024-03-12", "2024-07-01"],
            "kind": ["veto", "warning"],
            "indicator": ["V04", "W01"],
            "description": [LINK, AMP],
            "status": ["confirmed", "confirmed"],
        }
    )
    fig = spc_charts.xmr_figure(spc.xmr(STEP, ">="), title=RLO + BIG, lang="zh", unit=ZW, direction=">=", events=events)
    assert_shown_literally(fig, [LINK, AMP, RLO + BIG, ZW])


def test_comparison_figure_shows_department_names_as_written():
    values = pd.DataFrame(
        {"dept_code": list(HOSTILE), "month": ["2024-01"] * len(HOSTILE), "value": [1.0] * len(HOSTILE)}
    )
    fig = spc_charts.comparison_figure(values, dict(HOSTILE), title=AMP, unit=RLO, target=1.0, direction=">=")
    assert_shown_literally(fig, [*HOSTILE.values(), AMP, RLO])


def test_a_bidi_override_cannot_mirror_a_chart_line():
    # "61.5 未达 ≥ 90" after a name ending in U+202E reads "5.16 达未 ≤ 09": the control never reaches the chart.
    rows = pd.DataFrame(
        [("K03", RLO, 61.5, 90.0, ">=", False)],
        columns=["dept_code", "label", "value", "target", "direction", "passed"],
    )
    fig = charts.ranking(rows, "x", "zh", hospital_target=90.0)
    assert list(fig.data[0].y) == ["儿科"]
    assert not any("\u202e" in s for s in figure_strings(fig))


def test_the_one_rule_per_sink():
    for name in HOSTILE.values():
        shown, tags = plotly_shows(safe.plot_text(name))
        assert tags == [] and shown == safe.strip_controls(name)
    assert safe.html_text(LINK + "\u202e") == "&lt;a href=&quot;https://evil.example/x&quot;&gt;心内科&lt;/a&gt;"
    assert safe.strip_controls(ZW) == "眼科"
    assert [safe.sheet_cell(v) for v in ("=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx")] == [
        "'=1+1",
        "'+cmd",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
    ]
    assert [safe.sheet_cell(v) for v in (-3.5, "-3.5", "+2", "心内科", None)] == [-3.5, "-3.5", "+2", "心内科", None]


# ---------------------------------------------------------------------------------------------
# Finding 8: files the app writes carry no live formula built from data
# ---------------------------------------------------------------------------------------------

FORMULA = '=HYPERLINK("http://evil.example","点击")'


def _hostile_catalogue():
    from dataclasses import replace

    from metrics import contract

    defs = list(contract.METRICS)
    defs[0] = replace(defs[0], name_zh=FORMULA)
    defs[1] = replace(defs[1], name_zh="@SUM(1+1)")
    return defs


def _cells(blob: bytes):
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(blob))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def test_xlsx_template_of_a_hostile_catalogue_has_no_formula_and_reads_back(tmp_path):
    from metrics.ingest import export, reading

    defs = _hostile_catalogue()
    blob = export.template_bytes("metrics", "xlsx", defs)
    cells = _cells(blob)
    formulas = [c.value for c in cells if c.data_type == "f"]
    assert formulas == []  # Excel would run these on opening the template
    assert "'" + FORMULA in [c.value for c in cells]  # the name is still there, as text
    # The template, as downloaded (either format), uploads again with the metrics' columns recognised.
    for fmt in ("xlsx", "csv"):
        (table,) = reading.read(export.template_bytes("metrics", fmt, defs), f"metrics_template.{fmt}", defs)
        assert defs[0].code in table.columns and defs[1].code in table.columns, fmt


def test_shipped_templates_hold_no_formula_and_match_what_the_app_writes():
    from metrics.ingest import export

    for path in sorted(export.TEMPLATE_DIR.glob("*.xlsx")):
        assert [c.value for c in _cells(path.read_bytes()) if c.data_type == "f"] == [], path.name
        kind = path.name.removesuffix("_template.xlsx")
        want = [c.value for c in _cells(export.template_bytes(kind, "xlsx"))]
        assert [c.value for c in _cells(path.read_bytes())] == want, path.name


def test_csv_downloads_neutralise_formulas_in_every_column_type():
    import csv
    import io

    from metrics.ingest import export

    frame = pd.DataFrame(
        {
            "科室": pd.Series([FORMULA, "心内科"], dtype="category"),
            "说明": pd.Series(["+cmd", "@SUM(A1)"], dtype="string"),
            FORMULA: [1.5, -2.0],
        }
    )
    rows = list(csv.reader(io.StringIO(export.csv_bytes(frame).decode("utf-8-sig"))))
    assert rows[0] == ["科室", "说明", "'" + FORMULA]
    assert rows[1] == ["'" + FORMULA, "'+cmd", "1.5"] and rows[2] == ["心内科", "'@SUM(A1)", "-2.0"]


# ---------------------------------------------------------------------------------------------
# Bidi and zero-width controls are stripped on import, with a warning naming the line and column
# ---------------------------------------------------------------------------------------------


def test_import_strips_bidi_and_zero_width_controls_and_says_so(db_file):
    from metrics import store
    from metrics.ingest import importer

    depts = "科室编码,科室名称,科室类别,党支部\nK01,儿科\u202e,临床,第一\u200b支部\nK02,眼科,临床,\nK03,\u2066外科\u2069,临床,\n"
    report = importer.commit(depts.encode(), "科室.csv", user="ed", db_path=db_file)
    assert report.committed, report.problems
    with store.opened(db_file) as db:
        names = store.table_frame(db, "departments").set_index("dept_code")
    assert names.loc["K01", "dept_name"] == "儿科" and names.loc["K03", "dept_name"] == "外科"
    assert names.loc["K01", "party_branch"] == "第一支部"
    said = [w.message for w in report.warnings]
    assert any("第 2 行" in m and "科室名称" in m for m in said), said
    assert any("第 4 行" in m and "科室名称" in m for m in said), said
    assert any("第 2 行" in m and "党支部" in m for m in said), said
    en = importer.preview(depts.encode(), "科室.csv", lang="en", db_path=db_file)
    assert any("Line 2" in w.message and "科室名称" in w.message for w in en.warnings), en.warnings


def test_markdown_labels_strip_controls_and_escape_markup():
    import ui

    assert ui.md_escape("儿科\u202e") == "儿科"  # a label's "61.5 未达 ≥ 90" after the name is not mirrored
    assert ui.md_escape("[点击](http://x) **粗**") == r"\[点击\]\(http" + "\u2060" + r"\://x\) \*\*粗\*\*"


def test_pptx_chart_workbook_cells_are_neither_formulas_nor_links():
    """python-pptx writes a chart's data with xlsxwriter, which makes '=…' a formula and 'https://…' a link."""
    import io
    import zipfile

    from openpyxl import load_workbook
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.util import Inches

    names = [FORMULA, "https://evil.example", "mailto:a@b.c", "{=1+1}", "@SUM(1)", "儿科\u202e", "心内科"]
    deck = Presentation()
    cd = CategoryChartData()
    cd.categories = [safe.workbook_cell(n) for n in names]
    cd.add_series(safe.workbook_cell("=2+2"), [1.0] * len(names))
    deck.slides.add_slide(deck.slide_layouts[6]).shapes.add_chart(
        XL_CHART_TYPE.BAR_CLUSTERED, 0, 0, Inches(4), Inches(3), cd
    )
    buf = io.BytesIO()
    deck.save(buf)
    z = zipfile.ZipFile(buf)
    (xlsx,) = [n for n in z.namelist() if n.endswith(".xlsx")]
    ws = load_workbook(io.BytesIO(z.read(xlsx))).active
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert [c.value for c in cells if c.data_type == "f"] == []
    assert [c.value for c in cells if c.hyperlink is not None] == []
    shown = [c.value for c in cells if isinstance(c.value, str)]
    assert "'" + FORMULA in shown and "'https://evil.example" in shown and "儿科" in shown and "心内科" in shown


# ---------------------------------------------------------------------------------------------
# The pages' charts, end to end: hostile names uploaded, every plotly chart on the browsing pages inspected
# ---------------------------------------------------------------------------------------------


def test_every_chart_on_the_browsing_pages_shows_uploaded_names_as_written(demo_db):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from metrics import store
    from metrics.ingest import importer

    names = {"K01": LINK, "K02": BIG, "K03": AMP}
    rows = "".join(f'{c},"{n.replace(chr(34), chr(34) * 2)}",临床\n' for c, n in names.items())
    assert importer.commit(
        ("科室编码,科室名称,科室类别\n" + rows).encode(), "d.csv", user="ed", db_path=demo_db
    ).committed
    with store.opened(demo_db) as db:
        last = db.execute("SELECT MAX(event_date) FROM events").fetchone()[0]
    ev = f'发生日期,科室编码,类型,指标,事件描述,状态\n{last},K01,否决,V04,"{LINK.replace(chr(34), chr(34) * 2)}",已认定\n'
    assert importer.commit(ev.encode(), "e.csv", user="ed", db_path=demo_db).committed
    app = str(Path(__file__).resolve().parent.parent / "dashboard.py")
    seen = 0
    for page, params in (("pages/overview.py", {}), ("pages/trends.py", {"dept": "K01"}), ("pages/events.py", {})):
        at = AppTest.from_file(app, default_timeout=120)
        at.query_params.update(params)
        at.switch_page(page).run()
        assert not at.exception, (page, [e.message for e in at.exception])
        for spec in figures(at):
            seen += 1
            for s in figure_strings(go.Figure(spec)):
                _, tags = plotly_shows(s)
                assert set(tags) <= OUR_TAGS, f"{page}: markup from data reaches plotly: {s[:200]!r}"
    assert seen >= 6  # the ranking, the heat map, three XmR charts and the events chart were inspected


def test_markdown_text_breaks_every_gfm_autolink_literal_and_shows_the_rest_as_written():
    """remark-gfm links http(s)://, www. and a@b.c in the text after reading the backslash escapes: a word joiner
    inside each keeps it text; once the joiners are dropped the text reads exactly as written."""
    import re

    from metrics import safe

    gfm = re.compile(r"(?i)(https?|ftp)://|www\.|[-.\w+]@|mailto:|xmpp:")  # what remark-gfm starts a link at
    for raw in ("![x](http://127.0.0.2/b.png) 后文", "HTTPS://a.b", "www.a.cn/x", "boss@a.cn", "mailto:x", "ftp://h"):
        read = safe.md_text(raw).replace("\\", "")  # the text Markdown reads once the escapes are taken
        assert gfm.search(read) is None, (raw, read)
        assert read.replace(safe.WORD_JOINER, "") == raw
