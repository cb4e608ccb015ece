"""A download button for files of personal data (the points list, error reports, the audit log, the backup).

``st.download_button`` parks the file in Streamlit's media store and the browser fetches it from
``/media/<id>.<ext>``: a URL that answers anyone who presents it, cookie or not, for as long as the session keeps it,
and that an access log records. Here the file never gets a URL: the click reaches the server over the signed-in
session's websocket, the file is written then (so a download is audited when clicked, never on a plain run), and it
travels back on the same websocket as the button's data, where a few lines of inline JavaScript hand it to the
browser as a Blob. Nothing is fetched from anywhere (no CDN, no build).
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Callable

import streamlit as st

NAME = "integrity_private_download"

# One button looking like Streamlit's own (the theme's colours, radius and font reach the shadow root as
# --st-* variables), its label set from the data so the page's language decides it.
_HTML = '<button type="button" class="dl"></button>'
_CSS = """
.dl {
  display: inline-flex; align-items: center; justify-content: center; box-sizing: border-box;
  min-height: 2.5rem; margin: 0; padding: 0.25rem 0.75rem; line-height: 1.6; width: auto;
  font-family: var(--st-font); font-size: var(--st-base-font-size, 1rem); font-weight: var(--st-base-font-weight, 400);
  color: var(--st-text-color); background: var(--st-background-color);
  border: 1px solid var(--st-border-color); border-radius: var(--st-button-radius, 0.5rem);
  cursor: pointer; user-select: none;
}
.dl:hover { border-color: var(--st-primary-color); color: var(--st-primary-color); }
.dl:active { color: #fff; border-color: var(--st-primary-color); background: var(--st-primary-color); }
.dl:focus-visible { outline: none; box-shadow: 0 0 0 0.2rem color-mix(in srgb, var(--st-primary-color) 50%, transparent); }
.dl:disabled { cursor: not-allowed; opacity: 0.4; }
"""
# A file is handed over once: its nonce is remembered for the page's life, so a redraw with the same data (a theme
# switch, a reconnect) never downloads it again.
_JS = """
export default function ({ data, parentElement, setTriggerValue }) {
  const button = parentElement.querySelector("button.dl");
  button.textContent = data.label;
  button.onclick = () => setTriggerValue("asked", true);
  const file = data.file;
  const seen = (window.__integrityDownloads = window.__integrityDownloads || new Set());
  if (!file || seen.has(file.nonce)) return;
  seen.add(file.nonce);
  const raw = atob(file.b64);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  const url = URL.createObjectURL(new Blob([bytes], { type: file.mime }));
  const a = document.createElement("a");
  a.href = url;
  a.download = file.name;
  a.style.display = "none";
  parentElement.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);  // the browser has read it by then
}
"""

_render = st.components.v2.component(NAME, html=_HTML, css=_CSS, js=_JS)


# A file asked for is handed over by the click's own run. Should that run never draw the button (the visitor left
# the page at once), the file is dropped rather than downloaded by surprise on a later visit.
_HANDED_WITHIN_S = 60


def _ready_key(key: str) -> str:
    return f"_private_download_{key}"


def button(label: str, make: Callable[[], bytes | str], *, file_name: str, mime: str, key: str) -> None:
    """A button labelled ``label`` that downloads ``make()`` (called when clicked, in the click's run) as
    ``file_name`` to the browser that clicked it, and to no one else."""

    def asked() -> None:  # runs before the click's run: the file is handed over in that run, then forgotten
        body = make()
        body = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        st.session_state[_ready_key(key)] = {
            "name": file_name,
            "mime": mime,
            "b64": base64.b64encode(body).decode("ascii"),
            "nonce": uuid.uuid4().hex,
            "asked": time.monotonic(),
        }

    ready = st.session_state.pop(_ready_key(key), None)
    if ready is not None and time.monotonic() - ready.pop("asked") > _HANDED_WITHIN_S:
        ready = None
    _render(key=key, data={"label": label, "file": ready}, width="content", on_asked_change=asked)
