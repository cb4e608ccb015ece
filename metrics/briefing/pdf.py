"""The briefing as PDF, one slide a page (PRODUCT §11): the HTML briefing printed by the Chromium the product
already drives (headless, 1920×1080 px pages from the HTML's own ``@page`` rule), its fonts embedded by Chromium.

``$INTEGRITY_CHROMIUM`` names another browser binary; without it ``/usr/bin/chromium``."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from metrics.briefing.build import Briefing
from metrics.briefing.html import to_html

CHROMIUM_ENV = "INTEGRITY_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Chromium loads the page, runs plotly.js and lays the charts out in virtual time (no wall-clock wait), then prints.
_VIRTUAL_MS = 20000
_TIMEOUT_S = 180


class PdfFailed(RuntimeError):
    """No PDF was made; ``key``: brief.pdf.<key> in metrics.i18n ('no_browser' or 'failed')."""

    def __init__(self, key: str, detail: str = ""):
        super().__init__(f"{key}: {detail}")
        self.key, self.detail = key, detail


def chromium() -> str:
    """The browser binary that prints the PDF."""
    return os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM


def to_pdf(b: Briefing) -> bytes:
    """The briefing ``b`` as PDF bytes, one slide a page (PdfFailed when the browser is missing or fails)."""
    return html_to_pdf(to_html(b))


def html_to_pdf(html: str) -> bytes:
    """A self-contained HTML page printed as PDF bytes, its pages from its own ``@page`` rule (PdfFailed when the
    browser is missing or fails)."""
    exe = chromium()
    if not Path(exe).exists():
        raise PdfFailed("no_browser", exe)
    with tempfile.TemporaryDirectory(prefix="briefing-pdf-") as tmp:
        page, out = Path(tmp) / "briefing.html", Path(tmp) / "briefing.pdf"
        page.write_text(html, encoding="utf-8")
        cmd = [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--user-data-dir={Path(tmp) / 'profile'}",  # a profile of its own: no clash with a running browser
            f"--virtual-time-budget={_VIRTUAL_MS}",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=_TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise PdfFailed("failed", str(e)) from e
        if not out.exists() or out.stat().st_size == 0:
            raise PdfFailed("failed", done.stderr.decode("utf-8", "replace")[-500:])
        return out.read_bytes()
