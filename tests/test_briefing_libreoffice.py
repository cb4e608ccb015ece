"""PRODUCT §6: the PPTX opens right in the office software hospitals use. The deck is converted by LibreOffice
(`soffice --headless --convert-to pdf`, as a hospital PC without PowerPoint would show it, with its substitute for
Microsoft YaHei) and read back from the PDF's text boxes: every text sits inside its shape (table cells, the slide),
no text is drawn over other text (the watermark included), no line strikes a label through, and every department of
slide 2 is named. LibreOffice missing is a failure, never a skip (.ci/run installs libreoffice-impress)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from metrics import briefing, i18n, store, theme

TODAY = date(2026, 12, 7)
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.libreoffice
CELL_FILLS = {theme.rgb_tuple(c) for c in (theme.BLUE, theme.RED_BG, theme.AMBER_BG, "#FFFFFF")}


def _convert(pptx: Path, out: Path) -> Path:
    assert SOFFICE, "LibreOffice is missing: apt-get install -y libreoffice-impress (the CI installs it)"
    profile = out / "lo-profile"  # its own profile: another LibreOffice running on the machine holds the default one
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(pptx),
        ],  # fmt: skip
        check=True,
        capture_output=True,
        timeout=240,
    )
    pdf = out / (pptx.stem + ".pdf")
    assert pdf.exists(), f"LibreOffice wrote no PDF for {pptx.name}"
    return pdf


def _rgb(colour) -> tuple[int, int, int] | None:
    if not colour or len(colour) != 3:
        return None
    return tuple(round(float(c) * 255) for c in colour)


@pytest.fixture(scope="module")
def decks(tmp_path_factory, demo_template):
    """(briefing, the PDF LibreOffice made of its deck) for a complete quarter in Chinese and the running one in
    English (English runs longest)."""
    out = tmp_path_factory.mktemp("lo")
    made = []
    with store.opened(demo_template) as db:
        quarters = briefing.available_quarters(db)
        for q, lang in ((briefing.default_quarter(db), "zh"), (quarters[0], "en"), (quarters[0], "zh")):
            b = briefing.build(db, q, lang, today=TODAY)
            path = out / f"briefing_{q}_{lang}.pptx"
            path.write_bytes(briefing.to_pptx(b))
            made.append((b, path))
    return [(b, _convert(path, out)) for b, path in made]


def _pages(pdf: Path):
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            words = page.extract_words(keep_blank_chars=False, use_text_flow=True)
            yield page, words


def _inside(word, box, slack=1.0) -> bool:
    return (word["x0"] >= box["x0"] - slack and word["x1"] <= box["x1"] + slack and word["top"] >= box["top"] - slack
            and word["bottom"] <= box["bottom"] + slack)  # fmt: skip


def test_every_text_sits_inside_its_cell_and_the_slide(decks):
    for _b, pdf in decks:
        for n, (page, words) in enumerate(_pages(pdf), start=1):
            cells = [r for r in page.rects if _rgb(r.get("non_stroking_color")) in CELL_FILLS
                     and r["width"] < page.width - 2 and r["height"] > 30]  # fmt: skip
            for w in words:
                assert _inside(w, {"x0": 0, "x1": page.width, "top": 0, "bottom": page.height}), (pdf.name, n, w)
                home = [c for c in cells if c["x0"] <= w["x0"] + 1 < c["x1"] and c["top"] <= w["top"] + 1 < c["bottom"]]
                for c in home:
                    assert _inside(w, c), f"{pdf.name} slide {n}: {w['text']!r} runs out of its table cell"
            for c in cells:
                assert c["bottom"] <= page.height, f"{pdf.name} slide {n}: a table runs off the slide"


def test_no_text_is_drawn_over_other_text(decks):
    """The watermark and every label in its own place: no two words overlap."""
    for _b, pdf in decks:
        for n, (_, words) in enumerate(_pages(pdf), start=1):
            for i, a in enumerate(words):
                for c in words[i + 1 :]:
                    dx = min(a["x1"], c["x1"]) - max(a["x0"], c["x0"])
                    dy = min(a["bottom"], c["bottom"]) - max(a["top"], c["top"])
                    assert not (dx > 2 and dy > 3), f"{pdf.name} slide {n}: {a['text']!r} over {c['text']!r}"


def test_slide_2_names_every_department_and_no_line_strikes_a_label(decks):
    for b, pdf in decks:
        title = i18n.t("brief.s.ranking", b.lang)
        text, struck = "", []
        for page, words in _pages(pdf):
            page_text = page.extract_text() or ""
            if not page_text.replace(" ", "").startswith(title.replace(" ", "")[:12]):
                continue
            text += page_text
            for line in page.lines:  # the target ticks and the axes: none through a label
                if line["height"] < 10 or line["width"] > 2:
                    continue
                x = line["x0"]
                for w in words:
                    if (
                        w["x0"] + 1 < x < w["x1"] - 1
                        and min(line["bottom"], w["bottom"]) - max(line["top"], w["top"]) > 2
                    ):
                        struck.append(w["text"])
        assert text, f"{pdf.name}: no slide 2"
        flat = text.replace(" ", "").replace("\n", "")
        missing = [d for d in b.ranking["dept_name"] if str(d).replace(" ", "") not in flat]
        assert not missing, f"{pdf.name}: slide 2 does not name {missing}"
        for v in b.ranking["value"]:
            assert f"{float(v):.1f}" in text, f"{pdf.name}: the bar of {v:.1f} has no label"
        assert not struck, f"{pdf.name}: a line strikes through {struck[:5]}"


def test_the_chinese_text_is_set_in_a_cjk_face(decks):
    """A PC without Microsoft YaHei shows the deck in its CJK substitute (Noto Sans CJK), never as boxes."""
    for _b, pdf in decks:
        import pdfplumber

        with pdfplumber.open(pdf) as doc:
            faces = {
                c["fontname"].split("+")[-1] for p in doc.pages for c in p.chars if "\u4e00" <= c["text"] <= "\u9fff"
            }
        assert faces and all("CJK" in f for f in faces), (pdf.name, faces)
