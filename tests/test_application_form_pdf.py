"""The filled 申报表 as PDF: printed by the product's headless Chromium from the form's HTML, one A4 page holding the
annex's labels and the department's values, every word inside the page, values escaped. Chromium missing is a
failure, never a skip."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import pdfplumber
import pytest

from metrics import clock, store
from metrics.briefing import pdf
from metrics.print import application as form_doc
from metrics.views import ViewKey
from metrics.views import applications as view_apps

pytestmark = pytest.mark.process  # headless Chromium prints the PDF


def _form(path, code="K01"):
    with store.opened(path) as db:
        version = store.data_version(db)
        codes = "\n".join(store.departments(db)["dept_code"])
    view = view_apps.build(ViewKey.of(str(path), version, "zh", year=2026, depts=codes, today=clock.today()))
    return next(f for f in view.forms if f.dept_code == code)


def test_chromium_prints_the_form_on_one_a4_page(demo_db):
    assert Path(pdf.DEFAULT_CHROMIUM).exists(), "install Debian chromium (apt-get install -y chromium)"
    with pdfplumber.open(io.BytesIO(form_doc.to_pdf(_form(demo_db)))) as doc:
        assert len(doc.pages) == 1
        (page,) = doc.pages
        assert (round(page.width), round(page.height)) == (595, 842)
        # NFKC: Chromium's fonts map some glyphs to their Kangxi-radical code points (⽰ for 示)
        text = unicodedata.normalize("NFKC", page.extract_text() or "").replace(" ", "").replace("\n", "")
        words = page.extract_words()
        rects = page.rects + page.lines
    for want in ("创建“清廉示范科室”申报表", "申报科室", "心血管内科", "2025年12月18日", "54.7%", "科室负责人：",
                 "党支部书记：", "同意申报", "（小组成员签名）", "（盖章）", "2026年1月1日", "注：本申报表由院纪检监察室留存。"):  # fmt: skip
        assert unicodedata.normalize("NFKC", want) in text, f"{want} is not on the page"
    for w in words:
        assert 0 <= w["x0"] and w["x1"] <= page.width and 0 <= w["top"] and w["bottom"] <= page.height, w
    # the table's right border drawn at the right margin (24 mm), not clipped at the page's content edge
    right = max(r["x1"] for r in rects)
    assert page.width - 24 * 72 / 25.4 - 6 < right <= page.width - 24 * 72 / 25.4 + 1, right


def test_the_html_escapes_every_value(demo_db):
    form = _form(demo_db)
    hostile = form_doc.ApplicationForm(**{**form.__dict__, "dept_name": "<script>alert(1)</script>\u202e"})
    html = form_doc.to_html(hostile)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "\u202e" not in html
