"""What a page offers to download, read from an AppTest: Streamlit's own download buttons and the private ones
(``pages/_download.py``: a file handed to the browser that clicked, over its websocket, never behind a URL)."""

from __future__ import annotations

import json

from pages import _download


def private(at) -> dict[str, dict]:
    """widget key → the private button's data as the browser gets it (``label``; ``file`` only in a click's run)."""
    return {
        e.key: json.loads(e.proto.json) for e in at.get("bidi_component") if e.proto.component_name == _download.NAME
    }


def labels(at) -> list[str]:
    """The labels of every download button of the page, Streamlit's first, then the private ones."""
    return [b.proto.label for b in at.get("download_button")] + [d["label"] for d in private(at).values()]


def spy(monkeypatch) -> dict[str, bytes]:
    """widget key → the file each private button would hand over when clicked (written at once, on every run:
    never for a file whose writing is audited)."""
    offered: dict[str, bytes] = {}
    real = _download.button

    def fake(label, make, **kw):
        body = make()
        offered[kw["key"]] = body.encode("utf-8") if isinstance(body, str) else body
        return real(label, make, **kw)

    monkeypatch.setattr(_download, "button", fake)
    return offered
