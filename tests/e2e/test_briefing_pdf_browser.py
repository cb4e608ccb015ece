"""The briefing page's PDF download in a real browser: one slide a page, the quarter's title on the first."""

from __future__ import annotations

import re
import subprocess
import unicodedata

from metrics import briefing, store
from tests.e2e.conftest import exceptions, wait_idle


def test_the_pdf_download_is_one_slide_a_page(app, new_page, tmp_path):
    with store.opened(app.db) as db:
        b = briefing.build(db, briefing.default_quarter(db), "zh")
    slides = briefing.to_html(b).count('class="frame"')
    page = new_page(1920, 1080)
    page.goto(f"{app.url}/briefing")
    wait_idle(page)
    assert not exceptions(page)
    with page.expect_download(timeout=120_000) as dl:
        page.get_by_role("button", name=re.compile("PDF")).click()
    path = tmp_path / dl.value.suggested_filename
    dl.value.save_as(str(path))
    assert path.name.endswith(".pdf")
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert f"Pages:           {slides}\n" in info and "1440 x 810 pts" in info
    first = subprocess.run(["pdftotext", "-l", "1", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert b.title in unicodedata.normalize("NFKC", first)
