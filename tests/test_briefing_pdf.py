"""The briefing as PDF (PRODUCT §11): one slide a page, printed from the HTML briefing by the product's Chromium,
every font embedded; `briefing --pdf FILE`; a missing browser is said in Chinese, never a traceback. Chromium must be
installed: a missing browser fails this module, never skips it."""

from __future__ import annotations

import subprocess
import unicodedata
from pathlib import Path

import pytest

from metrics import briefing, store
from metrics.briefing import pdf
from metrics.ops import cli

pytestmark = pytest.mark.process  # headless Chromium prints the PDF


def _briefing(path):
    with store.opened(path) as db:
        return briefing.build(db, briefing.default_quarter(db), "zh")


def test_one_slide_a_page_fonts_embedded(demo_db, tmp_path):
    assert Path(pdf.DEFAULT_CHROMIUM).exists(), "install Debian chromium (apt-get install -y chromium)"
    b = _briefing(demo_db)
    slides = briefing.to_html(b).count('class="frame"')
    out = tmp_path / "b.pdf"
    out.write_bytes(briefing.to_pdf(b))
    info = _run("pdfinfo", out)
    assert f"Pages:           {slides}\n" in info and slides >= 6
    assert "Page size:       1440 x 810 pts" in info  # 1920×1080 px, every page
    first, fifth = (unicodedata.normalize("NFKC", _run("pdftotext", "-f", n, "-l", n, out, "-")) for n in (1, 5))
    assert "清廉医院建设季度推进会" in first and "演示数据" in first
    assert "重点任务与整改通知书" in fifth
    fonts = _run("pdffonts", out).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # the "emb" column


def test_briefing_pdf_command_and_a_missing_browser(demo_db, tmp_path, capsys, monkeypatch):
    out = tmp_path / "季度汇报.pdf"
    assert cli.main(["--db", str(demo_db), "briefing", "--pdf", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF-")
    assert not (tmp_path / "briefing.html").exists()  # --pdf alone writes only the PDF
    monkeypatch.setenv(pdf.CHROMIUM_ENV, str(tmp_path / "no-such-browser"))
    capsys.readouterr()
    assert cli.main(["--db", str(demo_db), "briefing", "--pdf", str(tmp_path / "x.pdf")]) == 1
    err = capsys.readouterr().err
    assert "无法生成 PDF：找不到浏览器" in err and "Traceback" not in err
    assert not (tmp_path / "x.pdf").exists()


def _run(*cmd) -> str:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, check=True).stdout
