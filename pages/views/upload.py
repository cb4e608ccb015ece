"""What the upload page shows apart from a preview, built once per data version (and language) and kept
(st.cache_resource): the templates and the batch history (issue 7). Decorated once per process, not per run.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics import export, i18n, store

HISTORY_ROWS = 200


@st.cache_resource(show_spinner=False, max_entries=32)
def template(kind: str, fmt: str, version: int, path: str) -> bytes:
    """A template's bytes; keyed by the data version because catalogue edits add metric columns."""
    with store.opened(path) as db:
        return export.template_bytes(kind, fmt, store.metric_defs(db))


@st.cache_resource(show_spinner=False, max_entries=8)
def history(version: int, path: str) -> tuple[pd.DataFrame, int | None]:
    """(the latest batches as stored, newest first; the batch a rollback would undo). Every commit and rollback
    bumps the data version, so this is never stale."""
    with store.opened(path) as db:
        return store.batches(db, limit=HISTORY_ROWS), store.latest_committed_batch_id(db)


def kind_label(kind: str, lang: str) -> str:
    return "+".join(i18n.t(f"upload.kind.{k}", lang) for k in kind.split("+") if k) or "—"


@st.cache_resource(show_spinner=False, max_entries=8)
def history_table(version: int, path: str, lang: str) -> pd.DataFrame:
    """The history as shown: kinds and statuses in ``lang``, the count columns named (other headers are labelled by
    the page like every upload table)."""
    batches = history(version, path)[0]
    shown = batches.assign(
        kind=batches["kind"].map(lambda k: kind_label(k, lang)),
        encoding=batches["encoding"].fillna("—"),
        status=batches["status"].map(lambda s: i18n.t(f"upload.status.{s}", lang)),
    )
    counts = ("new", "changed", "unchanged", "rejected", "skipped")
    return shown[
        ["batch_id", "file_name", "kind", "user", "created_at", "encoding", *(f"rows_{c}" for c in counts), "status"]
    ].rename(columns={f"rows_{c}": i18n.t(f"upload.count.{c}", lang) for c in counts})


@st.cache_resource(show_spinner=False, max_entries=16)
def rejects_report(batch_id: int, lang: str, version: int, path: str) -> bytes:
    """A batch's error report (its rejected rows as written, with the reasons in ``lang``), ready to download."""
    with store.opened(path) as db:
        return export.error_report_bytes(store.batch_rejects(db, batch_id), lang)
