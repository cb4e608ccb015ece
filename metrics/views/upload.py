"""What the 数据上传 page shows apart from a file's preview (PRODUCT §3.3): the kind picker's labels,
each kind's templates, the batch history as shown, the batch a rollback would undo, and the batches whose error
report can be downloaded. The preview itself is ``importer.preview`` of the uploaded bytes (not of the store).

No choices: the view depends on the store, its data version (every commit and rollback bumps it) and the language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from metrics import contract, i18n, store
from metrics.ingest import export, importer
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
    held: str = ""  # why the hospital's latest batch cannot be rolled back: the later batch holding it ('' none)
    latest_rows: tuple[int, int] = (0, 0)  # (new, changed) rows of its file the latest batch wrote

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
        # a hospital's own batches and the shared ones (catalogues, holidays: hospital ''), never another's
        batches = store.batches(db, limit=HISTORY_ROWS, hospital=(key.hospital, ""))
        # the newest batch of this hospital (or a shared one), offered unless a later batch holds it
        latest = store.latest_committed_batch_id(db, key.hospital)
        later = store.later_batch(db, latest) if latest is not None else None
        group = bool(store.hospital_codes(db))
    held = ""
    if later is not None:  # say which later batch holds it
        held = importer.RollbackRefused("blocked" if group else "not_latest", latest, later if group else None)
        held, latest = held.message(lang), None
    if latest is not None and latest not in set(batches["batch_id"]):
        latest = None  # older than the history shown: nothing this page may undo
    if latest is not None and group and not key.get("admin"):
        shared = batches.loc[batches["batch_id"] == latest, "hospital_code"].fillna("").eq("").any()
        latest = None if shared else latest  # what every hospital shares: an admin's to undo
    # the hospital list: offered to admins only (the validator refuses it from anyone else)
    kinds = ("auto", *(k for k in contract.KINDS if k != "hospitals" or key.get("admin")))
    names = dict(zip(batches["batch_id"], (importer.file_label(n, lang) for n in batches["file_name"]), strict=True))
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
        history=_history(batches, lang, group),
        latest=latest,
        latest_name=names.get(latest, "") if latest is not None else "",
        latest_rows=_rows_written(batches, latest),
        with_rejects=tuple((int(b), f"{b} · {names.get(b, '')}") for b in rejected),
        held=held,
    )


def _rows_written(batches: pd.DataFrame, batch_id: int | None) -> tuple[int, int]:
    """(new, changed): the rows of its file a batch wrote, as its commit counted them."""
    row = batches[batches["batch_id"] == batch_id]
    if batch_id is None or row.empty:
        return (0, 0)
    return tuple(int(row[f"rows_{c}"].fillna(0).iloc[0]) for c in ("new", "changed"))


# --- the preview (of the uploaded bytes: importer.preview's report) -------------------------------------------------

# The reason: what a reader needs most, given the room at 1920 px (a grid does not wrap); the columns before it narrow,
# so at 1280 px the value and the reason's start are in view too.
REASON_PX = 1000
PROBLEM_WIDTHS = {"sheet": "small", "line": "small", "column": 150, "value": 150, "message": REASON_PX}


def problems_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A report's problems or warnings as the preview lists them: where (line, column), the value as written, then
    the reason, widest (PROBLEM_WIDTHS); a note about the whole file (line 0) marked as the file's, not as line 0."""
    first = [c for c in ("sheet", "line", "column", "value", "message") if c in frame.columns]
    shown = frame[first + [c for c in frame.columns if c not in first]]
    if "line" in shown:
        whole = i18n.t("upload.line_file", lang)
        shown = shown.assign(line=shown["line"].map(lambda n: whole if not n else str(int(n))))
    return shown


def running_month_notice(report: importer.ImportReport, today: date, lang: str) -> str | None:
    """The warning for a file holding figures of a month not ended by ``today`` (they may be incomplete; the
    commit stays allowed), or None."""
    running = [m for m in report.months if m >= f"{today:%Y-%m}"]
    if not running:
        return None
    months = ("、" if lang == "zh" else ", ").join(i18n.fmt_month(m, lang) for m in running)
    return i18n.t("upload.running_month", lang, months=months)


def _kind_label(kind: str, lang: str) -> str:
    return "+".join(i18n.t(f"upload.kind.{k}", lang) for k in (kind or "").split("+") if k) or "—"


def _history(batches: pd.DataFrame, lang: str, group: bool = False) -> pd.DataFrame:
    """The history as shown: kinds and statuses in ``lang``, the count columns named (the page labels the other
    headers like every upload table); in a group store each batch's hospital first ('' shared)."""
    shown = batches.assign(
        file_name=batches["file_name"].map(lambda n: importer.file_label(n, lang)),
        created_at=batches["created_at"].map(lambda ts: i18n.fmt_datetime(ts, lang)),
        kind=batches["kind"].map(lambda k: _kind_label(k, lang)),
        encoding=batches["encoding"].fillna("—"),
        status=batches["status"].map(lambda s: i18n.t(f"upload.status.{s}", lang)),
    )
    cols = ["batch_id", "file_name", "kind", "user", "created_at", "encoding", *(f"rows_{c}" for c in COUNTS), "status"]
    if group:
        shared = i18n.t("upload.hospital_shared", lang)  # a batch of what every hospital shares
        shown = shown.assign(hospital_code=batches["hospital_code"].fillna("").replace("", shared))
        cols.insert(1, "hospital_code")
    return shown[cols].rename(columns={f"rows_{c}": i18n.t(f"upload.count.{c}", lang) for c in COUNTS})
