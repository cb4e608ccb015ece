"""The filled 申报表 opens right in the office software hospitals use: LibreOffice converts the DOCX to PDF
(`soffice --headless --convert-to pdf`, as a PC without Word prints it) and the PDF read back holds the annex's
Chinese labels and the department's values on one A4 page, every word inside the page. LibreOffice missing is a
failure, never a skip."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from metrics import clock, store
from metrics.print import application as form_doc
from metrics.views import ViewKey
from metrics.views import applications as view_apps

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.libreoffice
A4_PT = (595, 842)


def test_libreoffice_prints_the_form_on_one_a4_page(demo_db, tmp_path):
    import pdfplumber

    assert SOFFICE, "LibreOffice is missing: apt-get install -y libreoffice-impress (the CI installs it)"
    with store.opened(demo_db) as db:
        version = store.data_version(db)
        codes = "\n".join(store.departments(db)["dept_code"])
    view = view_apps.build(ViewKey.of(str(demo_db), version, "zh", year=2026, depts=codes, today=clock.today()))
    form = next(f for f in view.forms if f.dept_code == "K01")
    docx = tmp_path / "form.docx"
    docx.write_bytes(form_doc.to_docx(form))
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{tmp_path / 'lo'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(docx),
        ],  # fmt: skip
        check=True,
        capture_output=True,
        timeout=240,
    )
    with pdfplumber.open(tmp_path / "form.pdf") as pdf:
        assert len(pdf.pages) == 1, "the form runs over one page"
        (page,) = pdf.pages
        assert (round(page.width), round(page.height)) == A4_PT
        text = (page.extract_text() or "").replace(" ", "").replace("\n", "")  # a long value wraps in its box
        words = page.extract_words()
    for want in ("创建“清廉示范科室”申报表", "申报科室", "心血管内科", "申报时间", "2025年12月18日", "职工人数",
                 "中共党员", "54.7%", "科室资料目录", "科室负责人：", "党支部意见", "同意申报", "党支部书记：",
                 "工作小组审核意见", "材料齐全，同意提交党委", "（小组成员签名）", "医院党委意见", "同意授予清廉科室",
                 "（盖章）", "2026年1月1日", "注：本申报表由院纪检监察室留存。"):  # fmt: skip
        assert want in text, f"{want} is not on the page"
    assert "□" not in text  # no glyph drawn as a missing-font box
    for w in words:
        assert 0 <= w["x0"] and w["x1"] <= page.width and 0 <= w["top"] and w["bottom"] <= page.height, w
