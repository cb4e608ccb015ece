"""What the 数据上传 page shows apart from a file's preview (PRODUCT §3.3; issues 2, 7, 11): the kind picker's labels,
each kind's templates, the batch history as shown, the batch a rollback would undo, and the batches whose error
report can be downloaded. The preview itself is ``importer.preview`` of the uploaded bytes (not of the store).

No choices: the view depends on the store, its data version (every commit and rollback bumps it) and the language.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from metrics import contract, demo, export, i18n, importer, store
from metrics.views import ViewKey

HISTORY_ROWS = 200
COUNTS = importer.COUNT_KEYS  # the batch history's count columns, rows_<count>


@dataclass(frozen=True)
class Template:
    kind: str
    label: str
    csv: bytes
    xlsx: bytes
    csv_name: str
    xlsx_name: str


@dataclass(frozen=True)
class UploadView:
    store: str
    lang: str
    kinds: tuple[str, ...]  # the kind picker: 'auto', then every kind a file can hold
    kind_labels: dict[str, str]  # kind → its name in ``lang``
    templates: tuple[Template, ...]  # one per kind, CSV and XLSX (the catalogue's metrics as columns)
    history: pd.DataFrame  # the latest batches, newest first: kinds and statuses in ``lang``, count columns named
    latest: int | None  # the batch a rollback would undo
    latest_name: str  # its file name ('' when none)
    with_rejects: tuple[tuple[int, str], ...]  # (batch id, 'id · file name') of batches with rejected rows

    def kind_label(self, kind: str) -> str:
        """A batch's kind ('monthly', or 'monthly+events' for a workbook of several) in ``lang``; '—' when none."""
        return _kind_label(kind, self.lang)

    def error_report(self, batch_id: int) -> bytes:
        """A batch's error report (its rejected rows as written, with the reasons in ``lang``), written when asked."""
        with store.opened(self.store) as db:
            return export.error_report_bytes(store.batch_rejects(db, batch_id), self.lang)


def build(key: ViewKey) -> UploadView:
    """The upload page of ``key``'s store and language."""
    lang = key.lang
    with store.opened(key.store) as db:
        defs = store.metric_defs(db)
        # a hospital's own batches and the shared ones (catalogues, holidays: hospital ''), never another's (16.3)
        batches = store.batches(db, limit=HISTORY_ROWS, hospital=(key.hospital, ""))
        latest = store.latest_committed_batch_id(db)
    if latest is not None and latest not in set(batches["batch_id"]):
        latest = None  # another hospital's batch, or older than the history shown: nothing this page may undo
    # the hospital list (issue 16.3): offered to admins only (the validator refuses it from anyone else)
    kinds = ("auto", *(k for k in contract.KINDS if k != "hospitals" or key.get("admin")))
    names = dict(zip(batches["batch_id"], (demo.file_label(n, lang) for n in batches["file_name"]), strict=True))
    rejected = batches[batches["rows_rejected"].fillna(0) > 0]["batch_id"].tolist()
    return UploadView(
        store=key.store,
        lang=lang,
        kinds=kinds,
        kind_labels={k: i18n.t(f"upload.kind.{k}", lang) for k in kinds},
        templates=tuple(
            Template(
                kind=k,
                label=i18n.t(f"upload.kind.{k}", lang),
                csv=export.template_bytes(k, "csv", defs),
                xlsx=export.template_bytes(k, "xlsx", defs),
                csv_name=export.template_file_name(k, "csv"),
                xlsx_name=export.template_file_name(k, "xlsx"),
            )
            for k in kinds[1:]
        ),
        history=_history(batches, lang),
        latest=latest,
        latest_name=names.get(latest, "") if latest is not None else "",
        with_rejects=tuple((int(b), f"{b} · {names.get(b, '')}") for b in rejected),
    )


def _kind_label(kind: str, lang: str) -> str:
    return "+".join(i18n.t(f"upload.kind.{k}", lang) for k in (kind or "").split("+") if k) or "—"


def _history(batches: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The history as shown: kinds and statuses in ``lang``, the count columns named (the page labels the other
    headers like every upload table)."""
    shown = batches.assign(
        file_name=batches["file_name"].map(lambda n: demo.file_label(n, lang)),
        created_at=batches["created_at"].map(lambda ts: i18n.fmt_datetime(ts, lang)),
        kind=batches["kind"].map(lambda k: _kind_label(k, lang)),
        encoding=batches["encoding"].fillna("—"),
        status=batches["status"].map(lambda s: i18n.t(f"upload.status.{s}", lang)),
    )
    return shown[
        ["batch_id", "file_name", "kind", "user", "created_at", "encoding", *(f"rows_{c}" for c in COUNTS), "status"]
    ].rename(columns={f"rows_{c}": i18n.t(f"upload.count.{c}", lang) for c in COUNTS})
