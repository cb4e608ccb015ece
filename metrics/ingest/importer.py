"""Import (PRODUCT §3.3): the one code path the upload page and ``python -m metrics import`` share.

``preview`` reads, validates and compares a file with the store without writing. ``commit`` does the same
inside one transaction that first takes the write lock, then writes all-or-nothing (or, when asked, only the
valid rows, keeping the rejected ones with the batch), journals every changed row and records the batch.
``rollback`` undoes the latest committed batch exactly.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter

import pandas as pd
import sqlite_utils

from metrics import contract, i18n, store
from metrics.access import grants
from metrics.ingest import export, limits, reading, validate
from metrics.ingest.validate import Problem
from metrics.rules import workdays

__all__ = ["ImportReport", "Problem", "RollbackRefused", "commit", "commit_rows", "preview", "rollback"]

COUNT_KEYS = ("new", "changed", "unchanged", "rejected", "skipped")


@dataclass(frozen=True)
class ImportReport:
    """What a preview or commit found: counts per file row, every problem, the changed values old → new."""

    kind: str
    encoding: str
    file_name: str
    sha256: str
    counts: dict[str, int]
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)  # line, key, column, old, new
    new_departments: tuple[dict, ...] = ()  # dept_code, dept_name, line
    duplicate_of: int | None = None
    batch_id: int | None = None
    committed: bool = False
    file_level: bool = False  # a problem with the file as a whole (header, columns): no row can be kept
    # (sheet, line) → the rejected row as written: {"sheet", "header", "cells"} (kept with the batch as row_json)
    rejected_rows: dict[tuple[str, int], dict] = field(default_factory=dict)
    deleted: int = 0  # stored rows a ``commit_rows(..., replace=True)`` removes (rows the editor deleted)
    hospital: str = ""  # the hospital the rows were written under ('' in a one-hospital store)
    group: bool = False  # the store holds several hospitals: what reports the batch names ``hospital`` ('' shared)
    months: tuple[str, ...] = ()  # the months ('YYYY-MM') a metrics file's rows hold, rejected rows included

    @property
    def ok(self) -> bool:
        return not self.problems and self.duplicate_of is None

    def can_commit(self, skip_invalid: bool = False) -> bool:
        """True when a commit would write: no duplicate file, and no problem (or only row problems, skipped)."""
        if self.duplicate_of is not None or self.file_level:
            return False
        if not self.problems:
            return True
        kept = sum(self.counts[k] for k in ("new", "changed", "unchanged"))
        return skip_invalid and kept > 0  # skipping every row would commit an empty batch

    def problems_frame(self) -> pd.DataFrame:
        """Problems as a table: line, column, value, message (sheet when the file had several)."""
        return _problem_frame(self.problems)

    def warnings_frame(self) -> pd.DataFrame:
        return _problem_frame(self.warnings)

    def rejects_frame(self) -> pd.DataFrame:
        """Problems with the rejected row as written (row_json): what a skip-invalid commit keeps with the batch."""
        rows = [_reject_json(p, self.rejected_rows) for p in self.problems]
        return pd.DataFrame(rows, columns=["sheet", "line", "column", "value", "message", "row_json"])

    def error_report(self, lang: str = "zh") -> pd.DataFrame:
        """The downloadable error report: the rejected rows as written, with their line and every reason."""
        return export.error_report_frame(self.rejects_frame(), lang)

    def to_json(self) -> dict:
        """The stable ``--json`` shape (documented in docs/CLI.md); in a group store also
        ``hospital`` (the hospital written, '' for what every hospital shares)."""
        return ({"hospital": self.hospital} if self.group else {}) | {
            "kind": self.kind,
            "encoding": self.encoding,
            "file_name": self.file_name,
            "sha256": self.sha256,
            "counts": dict(self.counts),
            "errors": [_problem_json(p) for p in self.problems],
            "warnings": [_problem_json(p) for p in self.warnings],
            "new_departments": [
                {"dept_code": d["dept_code"], "dept_name": d["dept_name"]} for d in self.new_departments
            ],
            "duplicate_of": self.duplicate_of,
            "batch_id": self.batch_id,
            "committed": self.committed,
        }


def _problem_json(p: Problem) -> dict:
    return {"line": p.line, "column": p.column, "value": p.value, "message": p.message, "sheet": p.sheet}


def _reject_json(p: Problem, rows: dict) -> dict:
    row = rows.get((p.sheet, p.line))
    return _problem_json(p) | {"row_json": None if row is None else json.dumps(row, ensure_ascii=False)}


def _rejected_rows(tables: list[reading.RawTable], problems) -> dict[tuple[str, int], dict]:
    """Each rejected data row as written: every cell under a named header, with the header names of the file."""
    wanted: dict[str, set[int]] = {}
    for p in problems:
        wanted.setdefault(p.sheet, set()).add(p.line)
    out = {}
    for t in tables:
        lines = wanted.get(t.sheet)
        if not lines or t.kind is None:
            continue
        named = [i for i, h in enumerate(t.header) if h.strip()]
        header = [t.header[i] for i in named]
        for line, cells in t.rows:
            if line in lines and line != t.header_line:
                texts = [validate.cell_text(cells[i]) if i < len(cells) else "" for i in named]
                out[(t.sheet, line)] = {"sheet": t.sheet, "header": header, "cells": texts}
    return out


def _problem_frame(problems) -> pd.DataFrame:
    cols = ["sheet", "line", "column", "value", "message"]
    df = pd.DataFrame([_problem_json(p) for p in problems], columns=cols)
    return df if df["sheet"].astype(bool).any() else df.drop(columns="sheet")


class RollbackRefused(Exception):
    """A rollback that may not happen; ``code`` is an i18n key suffix (upload.rollback.<code>). ``blocked``: the
    later batch that holds it (``later``: its id, file name and hospital — '' when shared)."""

    def __init__(self, code: str, batch_id: int | None = None, later: dict | None = None, hospital: str | None = None):
        super().__init__(code)
        self.code = code
        self.batch_id = batch_id
        self.later = None if later is None else later["batch_id"]
        self._later = later or {}
        self.hospital = hospital  # not_granted in a group store: the batch's hospital ('' shared)

    def message(self, lang: str = "zh") -> str:
        """Why, in ``lang`` (the page and the CLI say the same)."""

        def where(hosp: str) -> str:
            return (
                i18n.t("upload.rollback.of_hospital", lang, code=hosp)
                if hosp
                else i18n.t("upload.rollback.of_shared", lang)
            )

        fmt = {"batch_id": self.batch_id}
        if self.later is not None:
            hosp = self._later.get("hospital_code") or ""
            fmt |= {"later": self.later, "name": file_label(self._later.get("file_name"), lang) or "—"}
            fmt["where"] = where(hosp)
        if self.code == "not_granted" and self.hospital is not None:
            return i18n.t("upload.rollback.not_granted_of", lang, batch_id=self.batch_id, where=where(self.hospital))
        return i18n.t(f"upload.rollback.{self.code}", lang, **fmt)


class _Abort(Exception):
    def __init__(self, report: ImportReport):
        self.report = report


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def preview(
    data: bytes,
    file_name: str,
    kind: str | None = None,
    lang: str = "zh",
    db_path: str | os.PathLike | None = None,
    *,
    hospital: str = "",
    user: str | None = None,
    read_only: bool = False,
) -> ImportReport:
    """What committing this file would do, without writing anything (``hospital``, ``user``: as ``commit``;
    ``read_only``: a dry run that will never be committed, so a hospital ``user`` may read is enough)."""
    with store.opened(db_path) as db, _gc_paused():
        report, _plan = _prepare(db, data, file_name, kind, lang, hospital, user, preview_only=read_only)
    return report


def commit(
    data: bytes,
    file_name: str,
    kind: str | None = None,
    user: str | None = None,
    skip_invalid: bool = False,
    lang: str = "zh",
    db_path: str | os.PathLike | None = None,
    *,
    hospital: str = "",
) -> ImportReport:
    """Validate and write the file as one batch, all or nothing; returns the report (committed or not).

    ``hospital``: the hospital the upload is for: rows of a hospital-scoped kind without a 医院编码 cell
    go there; a file whose 医院编码 column names a hospital goes to that one. A row for a hospital ``user`` (an account
    of the store) may not write, a code the store does not know, or a group store's row without a hospital is
    refused and nothing is written (see ``grants.writable_hospitals``).

    The file is read, validated and compared with the store *before* the write lock (a long
    validation held it, and every sign-in and rollback meanwhile failed with "database is locked"). The write
    transaction then checks that the data version is still the one the comparison saw; when another commit,
    rollback or edit came in between, the file is prepared again (the last attempt under the lock, as before).
    A rejected file never takes the lock.
    """
    with store.opened(db_path) as db, _gc_paused():
        for attempt in range(_PREPARE_ATTEMPTS):
            seen = store.data_version(db)
            report, plan = _prepare(db, data, file_name, kind, lang, hospital, user)
            if not report.can_commit(skip_invalid) and store.data_version(db) == seen:
                return report
            try:
                with db.atomic():
                    # Write first so this transaction holds the write lock before it re-reads: a concurrent
                    # upload waits for it instead of interleaving (BEGIN IMMEDIATE semantics under WAL).
                    if store.bump_data_version(db) != seen + 1:
                        if attempt < _PREPARE_ATTEMPTS - 1:
                            raise _Stale
                        report, plan = _prepare(db, data, file_name, kind, lang, hospital, user)
                    if not report.can_commit(skip_invalid):
                        raise _Abort(report)
                    return _write(db, report, plan, user)
            except _Abort as a:
                return a.report
            except _Stale:
                continue
    raise AssertionError("unreachable")  # the last attempt returns


_PREPARE_ATTEMPTS = 3


class _Stale(Exception):
    """The store changed between validation and the write lock: prepare again."""


def commit_rows(
    kind: str,
    rows: list[dict],
    *,
    source: str,
    user: str | None = None,
    lang: str = "zh",
    db_path: str | os.PathLike | None = None,
    dry_run: bool = False,
    replace: bool = False,
    action: str = "upload",
    db: sqlite_utils.Database | None = None,
    first_line: int = 2,
    hospital: str = "",
) -> ImportReport:
    """Rows of one kind (dicts keyed by the contract's canonical column names, or any accepted header) through
    the very same validation, comparison and write as an uploaded file: one batch, journalled, audited (as
    ``action``) and with the data version bumped, all in one transaction, all or nothing.

    ``source`` names the batch (e.g. "页面编辑 page edit"); line numbers are those of a file whose header is
    line 1, so the n-th row is line n + 1. ``replace``: the rows are the whole new content of the kind's table
    (the targets editor), so stored rows not among them are deleted, journalled too. Nothing is written when
    ``dry_run``, when there is any problem, or when nothing would change (then ``committed`` is False and
    ``batch_id`` None). ``db``: an open store to write in (inside the caller's transaction, as a savepoint: the
    demo writes its kinds all or nothing); else the store at ``db_path`` is opened. ``first_line``: the line of the
    first row (1 for a page editor that counts its rows from 1, so "duplicates line n" names the editor's row n).
    ``hospital``: as ``commit`` (a row's ``hospital_code`` must name it; ``replace`` replaces that hospital's rows).
    """
    args = (kind, rows, source, user, lang, dry_run, replace, action, first_line, hospital)
    if db is not None:
        with _gc_paused():
            return _commit_rows(db, *args)
    with store.opened(db_path) as opened_db, _gc_paused():
        return _commit_rows(opened_db, *args)


def _commit_rows(db, kind, rows, source, user, lang, dry_run, replace, action, first_line, hospital) -> ImportReport:
    try:
        with db.atomic():
            if not dry_run:
                store.bump_data_version(db)  # take the write lock before reading (as ``commit``)
            report, plan = _prepare_rows(db, kind, rows, source, lang, replace, first_line, hospital, user)
            nothing = not any(plan.changes.values()) and not any(plan.deletes.values())
            if dry_run or not report.can_commit() or nothing:
                raise _Abort(report)
            return _write(db, report, plan, user, action)
    except _Abort as a:
        return a.report


def _prepare_rows(
    db,
    kind: str,
    rows: list[dict],
    source: str,
    lang: str,
    replace: bool,
    first_line: int = 2,
    hospital: str = "",
    user: str | None = None,
):
    if kind not in contract.KINDS or (replace and not contract.KINDS[kind].replaceable):
        raise ValueError(kind)
    metric_defs = store.metric_defs(db)
    table = rows_table(kind, rows, metric_defs, first_line)
    base = dict(file_name=source, sha256=None, duplicate_of=None, group=bool(store.hospital_codes(db)))
    report, plan = _prepare_tables(db, [table], metric_defs, kind, lang, base, replace, hospital, user)
    if replace and report.ok:
        k = contract.KINDS[kind]
        key_of = _key_of(k.table)
        keep = {key_of(r) for _, r in _records_of(plan, k.table)}
        scoped = report.hospital if k.scope == "hospital" else None
        stored = store.table_frame(db, k.table, hospital=scoped).to_dict("records")
        gone = [r for r in stored if key_of(r) not in keep]
        if gone:
            plan.deletes[k.table] = gone
            report = dataclasses.replace(report, deleted=len(gone))
    return report, plan


def _records_of(plan: _Plan, table: str):
    return [(None, new) for _old, new in plan.changes.get(table, [])] + [(None, r) for r in plan.kept.get(table, [])]


def rows_table(kind: str, rows: list[dict], metric_defs, first_line: int = 2) -> reading.RawTable:
    """Rows as the raw table of a file of ``kind``: header on line 1 (the columns in order of first use), one
    line per row after it. Blank cells (None, NaN, '') stay blank."""
    header: dict[str, None] = {}
    for r in rows:
        header.update(dict.fromkeys(r))
    names = reading.header_names(kind, list(metric_defs))
    cols = tuple(str(h) for h in header)
    columns = tuple(names.get(reading.norm_header(h)) for h in cols)
    body = tuple((n, tuple(_cell(r.get(h)) for h in header)) for n, r in enumerate(rows, start=first_line))
    return reading.RawTable(kind, "", "", 1, cols, columns, body)


def _cell(v):
    if v is None:
        return None
    if hasattr(v, "item") and not isinstance(v, str):  # numpy / pandas scalars → Python
        try:
            v = v.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(v, float) and v != v:
        return None
    if v is pd.NaT or v is pd.NA:
        return None
    return v


def rollback(
    batch_id: int,
    user: str | None = None,
    db_path: str | os.PathLike | None = None,
    *,
    hospital: str | None = None,
    confirm=None,
) -> int:
    """Undo a committed batch exactly; returns the number of rows restored. Raises RollbackRefused.

    Per hospital: a batch may be undone when no later committed batch may have written its rows — a
    later batch of its hospital or a shared one ('': catalogues, calendar, hospital list; a shared batch: any later
    batch) refuses it as ``blocked``, naming that batch (``not_latest`` in a one-hospital store, where every batch is
    shared). ``user`` (an account) must be able to write the batch's hospital (a shared batch: an admin); ``hospital``: the
    batch must be that hospital's (or shared), else ``not_granted``. ``confirm(db, batch)``, when given, is asked
    once every check has passed; False refuses it as ``unconfirmed`` (the CLI's --yes: it has said what would go)."""
    with store.opened(db_path) as db:
        with db.atomic():
            store.bump_data_version(db)
            b = store.batch(db, int(batch_id))
            if b is None:
                raise RollbackRefused("not_found", batch_id)
            if b["status"] != "committed":
                raise RollbackRefused("already", batch_id)
            codes, writable, may_edit_region = _grant_scope(db, user)
            hosp = b.get("hospital_code") or ""
            if (writable is not None and hosp and hosp not in writable) or (codes and not hosp and not may_edit_region):
                raise RollbackRefused("not_granted", batch_id, hospital=hosp)  # another hospital's batch
            if hospital is not None and hosp not in (hospital, ""):
                raise RollbackRefused("not_granted", batch_id, hospital=hosp)
            later = store.later_batch(db, b["batch_id"])
            if later is not None:
                raise RollbackRefused("blocked" if codes else "not_latest", batch_id, later if codes else None)
            if confirm is not None and not confirm(db, b):
                raise RollbackRefused("unconfirmed", batch_id)
            n = store.revert_batch(db, b["batch_id"], user)
            store.audit_log(
                db,
                user,
                "rollback",
                target=f"batch {b['batch_id']} {b['file_name'] or ''}".strip(),
                detail={"batch_id": b["batch_id"], "kind": b["kind"], "rows_restored": n},
                hospital=hosp,
            )
    return n


_gc_lock = threading.Lock()
_gc_holders = 0  # imports running now (the upload page runs each session in its own thread)
_gc_was_enabled = False


@contextmanager
def _gc_paused():
    """Python's cycle collector paused while a file becomes rows: a history file builds some 100,000 small
    acyclic objects (cells, rows, journal texts), and the collector walking them again and again took a third
    of an import. Reference counting still frees them; the collector runs again when the last
    import in the process ends."""
    global _gc_holders, _gc_was_enabled
    with _gc_lock:
        if _gc_holders == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_holders += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_holders -= 1
            if _gc_holders == 0 and _gc_was_enabled:
                gc.enable()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------------------------------
# Preparing: read → validate → compare with the store
# ---------------------------------------------------------------------------------------------


@dataclass
class _Plan:
    changes: dict[str, list[tuple[dict | None, dict]]]  # store table → [(old row or None, new row)]
    rejects: list[Problem]
    deletes: dict[str, list[dict]] = field(default_factory=dict)  # store table → stored rows to remove
    kept: dict[str, list[dict]] = field(default_factory=dict)  # store table → rows given that are unchanged


def _prepare(
    db: sqlite_utils.Database,
    data: bytes,
    file_name: str,
    kind,
    lang,
    hospital: str = "",
    user: str | None = None,
    preview_only: bool = False,
) -> tuple[ImportReport, _Plan]:
    digest = sha256(data)
    too_large = limits.upload_size_error(len(data), lang)  # our own limit, whatever the web server allows
    if too_large:
        counts = dict.fromkeys(COUNT_KEYS, 0)
        problem = Problem(0, "", "", too_large)
        report = ImportReport(kind or "", "", file_name, digest, counts, (problem,), file_level=True)
        return report, _Plan({}, [])
    dup = store.find_batch_by_sha(db, digest, hospital)
    base = dict(file_name=file_name, sha256=digest, duplicate_of=None if dup is None else int(dup["batch_id"]))
    base["group"] = bool(store.hospital_codes(db))  # a group store's reports name the hospital
    metric_defs = store.metric_defs(db)
    try:
        tables = reading.read(data, file_name, metric_defs, kind)
    except reading.ReadError as e:
        msg = i18n.t("upload.err.read_" + e.code, lang, detail=e.detail, **e.fmt)
        report = ImportReport(
            kind=kind or "",
            encoding="",
            counts=dict.fromkeys(COUNT_KEYS, 0),
            problems=(Problem(0, "", "", msg),),
            file_level=True,
            **base,
        )
        return report, _Plan({}, [])
    return _prepare_tables(db, tables, metric_defs, kind, lang, base, False, hospital, user, preview_only)


def _prepare_tables(
    db,
    tables,
    metric_defs,
    kind,
    lang,
    base,
    replace: bool = False,
    hospital: str = "",
    user: str | None = None,
    preview_only: bool = False,
) -> tuple[ImportReport, _Plan]:
    """Validate raw tables and compare them with the store: the report and what a commit would write."""
    checked = _check_tables(db, tables, metric_defs, lang, kind, replace, hospital, user, preview_only)
    if len(checked) > 1:
        _cross_sheet_duplicates(checked, lang)
    _missing_departments(db, checked, lang)
    data_lines = {(c.sheet, ln) for c in checked for ln in c.data_lines}
    records = _records(checked)
    olds = {t: store.fetch_rows(db, t, list(map(_key_of(t), (r for _, r in recs)))) for t, recs in records.items()}
    line_state, changes, plan_changes, kept = _compare(records, olds, lang, metric_defs)
    problems = tuple(sorted((p for c in checked for p in c.problems), key=lambda p: (p.sheet, p.line)))
    file_level = any(c.file_level for c in checked)
    counts = _counts(checked, line_state, file_level)
    new_depts = tuple(d for c in checked for d in c.new_departments)
    report = ImportReport(
        kind="+".join(c.kind for c in checked if c.kind) or (kind or ""),
        encoding=tables[0].encoding,
        counts=counts,
        problems=problems,
        warnings=tuple(_note_problem(t, n, lang) for t in tables for n in t.notes)
        + tuple(p for c in checked for p in c.warnings),
        changes=changes,
        new_departments=new_depts,
        file_level=file_level,
        rejected_rows=_rejected_rows(tables, [p for p in problems if (p.sheet, p.line) in data_lines]),
        # '' for what every hospital shares (the catalogues, the holidays, the hospital list)
        hospital=next((c.hospital for c in checked if _scope(c.kind) == "hospital"), ""),
        months=tuple(sorted({m for c in checked for m, _ in c.reported})),
        **base,
    )
    return report, _Plan(plan_changes, list(problems), kept=kept)


def _note_problem(t: reading.RawTable, n: reading.Note, lang: str) -> Problem:
    """A warning from reading (stripped controls, swallowed lines, formulas without values)."""
    column = ""
    if n.col is not None:
        written = t.header[n.col].strip() if n.col < len(t.header) else ""
        column = written or limits.col_letters(n.col + 1)
    fmt = dict(n.fmt)
    if n.code == "formula_no_value":
        k = fmt.pop("more_n")
        fmt |= {"formula": n.value, "more": i18n.t("upload.warn.formula_more", lang, n=k) if k > 1 else ""}
    fmt.setdefault("column", column)
    return Problem(n.line, column, n.value, i18n.t("upload.warn." + n.code, lang, **fmt), t.sheet)


def _grant_scope(
    db, user: str | None, preview_only: bool = False
) -> tuple[tuple[str, ...], tuple[str, ...] | None, bool]:
    """(the store's hospital codes, the codes ``user`` may write (``preview_only``: read) or None for no limit, whether ``user`` may change
    what is region-wide in a group store: the hospital list always, the catalogues and the holiday schedule when the
    store holds several hospitals). A one-hospital store and a write by no account of the store (the CLI's operator,
    the demo) have no hospital limit here: the pages and the CLI check roles first."""
    codes = store.hospital_codes(db)
    row = store.user_row(db, user) if user else None
    if row is None:
        return codes, None, True
    return (
        codes,
        (
            (grants.readable_hospitals_in(db, user) if preview_only else grants.writable_hospitals_in(db, user))
            if codes
            else None
        ),
        row["role"] == "admin" and bool(row["active"]),
    )


def _check_tables(
    db,
    tables: list[reading.RawTable],
    metric_defs,
    lang,
    forced_kind,
    replace: bool = False,
    hospital: str = "",
    user: str | None = None,
    preview_only: bool = False,
) -> list[validate.Checked]:
    """Validate each table, departments first, so later tables know the departments the file defines; each
    table against the stored rows of its hospital (its 医院编码 column, else ``hospital``) — only a hospital the
    user may write (``preview_only``: read): another's departments never reach a message or a suggestion."""
    codes, writable, may_edit_region = _grant_scope(db, user, preview_only)
    indicators = tuple(store.indicator_catalogue(db).to_dict("records"))
    may_mark, marks_only = _marker(db, user)
    brand_years: dict[str, set[int]] = {}  # hospital → the project years the upload's brands table gives
    per_hospital: dict[str, tuple] = {}
    last = max(k.write for k in contract.KINDS.values()) + 1  # a table of no kind: checked last (it says why)
    ordered = sorted(tables, key=lambda t: contract.KINDS[t.kind].write if t.kind in contract.KINDS else last)
    out = []
    for t in ordered:
        h = validate.file_hospital(t, hospital)
        may_write = writable
        if marks_only and t.kind == "brands" and codes:  # the bureau marks 亮点 in every hospital it reads
            may_write = grants.readable_hospitals_in(db, user)
        closed = _scope(t.kind) == "hospital" and (
            h not in (codes or ("",)) or (may_write is not None and h not in may_write)
        )
        if h not in per_hospital:  # a hospital refused (check says why, the rows unread): nothing of it is read
            per_hospital[h] = ({}, {}, {}, ()) if closed else _hospital_context(db, tables, h)
        depts, cats, counts, targets = per_hospital[h]
        ctx = validate.Context(
            tuple(metric_defs),
            indicators,
            dict(depts),
            lang,
            forced_kind,
            counts,
            targets,
            targets_replaced=replace,
            dept_categories=dict(cats),
            hospital=h,
            hospitals=codes,
            writable=may_write,
            may_edit_hospitals=may_edit_region,
            preview_only=preview_only,
            notice_nos=_notice_nos(db, out, h) if t.kind == "activities" and not closed else frozenset(),
            brand_projects=_brand_projects(db, h) if t.kind in ("brands", "brand_notes") and not closed else {},
            brand_years_in_upload=frozenset(brand_years.get(h, ())),
            may_mark=may_mark,
            marks_only=marks_only,
            units=_units(db, out, h) if t.kind in ("unit_awards", "events") and not closed else {},
        )
        c = validate.check(t, ctx)
        for _line, r in c.records.get("brand_projects", []):
            brand_years.setdefault(h, set()).add(r["year"])
        if _scope(t.kind) == "hospital":  # every row is written under its hospital (first in the key)
            c.records = {tb: [(ln, {"hospital_code": h, **r}) for ln, r in recs] for tb, recs in c.records.items()}
        for _line, r in c.records.get("departments", []):
            depts[r["dept_code"]] = r.get("dept_name", "")
            old = cats.get(r["dept_code"], (None, 1))
            cats[r["dept_code"]] = (r.get("category", old[0]), r.get("active", old[1]))
        for d in c.new_departments:
            depts[d["dept_code"]] = d["dept_name"]
        out.append(c)
    return out


def _notice_nos(db, checked: list[validate.Checked], hospital: str) -> frozenset[str]:
    """The 文号 of ``hospital``'s notices an activity may name: those stored and those of the same upload (notices are
    checked before activities, their rows already under their hospital)."""
    nos = set(store.notices(db, hospital=hospital)["notice_no"])
    for c in checked:
        nos.update(r["notice_no"] for _ln, r in c.records.get("notices", []) if r.get("hospital_code") == hospital)
    return frozenset(nos)


def _units(db, checked: list[validate.Checked], hospital: str) -> dict[str, str]:
    """``hospital``'s person and post units (code → type) an award change or an event may name: stored and of the
    same upload (units are checked before their award changes, their rows already under their hospital)."""
    stored = store.award_units(db, hospital=hospital)
    units = dict(zip(stored["unit_code"], stored["unit_type"]))
    for c in checked:
        for _ln, r in c.records.get("award_units", []):
            if r.get("hospital_code") == hospital:
                units[r["unit_code"]] = r["unit_type"]
    return units


def _marker(db, user: str | None) -> tuple[bool, bool]:
    """(whether ``user`` may mark 亮点项目 — the bureau's choice: the commission role, admins, or a write by no
    account such as the demo —, whether that is all it may write: the commission role)."""
    row = store.user_row(db, user) if user else None
    if row is None:
        return True, False
    active = bool(row["active"])
    return active and row["role"] in ("commission", "admin"), active and row["role"] == "commission"


def _brand_projects(db, hospital: str) -> dict[int, dict]:
    """The hospital's stored 一院一品 projects, year → row (what a brands or brand_notes table is checked against)."""
    got = store.brand_projects(db, hospital=hospital).astype(object)
    return {int(r["year"]): r for r in got.where(got.notna(), None).to_dict("records")}


def _hospital_context(db, tables, hospital: str) -> tuple[dict, dict, dict, tuple]:
    """The stored departments (code → name), their (category, active) and (staff, party members), and the targets
    (for a targets file) of ``hospital``: what validation compares a table with."""
    stored = store.departments(db, hospital=hospital)
    depts = dict(stored[["dept_code", "dept_name"]].itertuples(index=False, name=None))
    cats = {
        code: (None if pd.isna(c) else c, 1 if pd.isna(a) else int(a))
        for code, c, a in stored[["dept_code", "category", "active"]].itertuples(index=False, name=None)
    }
    counts = {
        code: (None if pd.isna(s) else int(s), None if pd.isna(p) else int(p))
        for code, s, p in stored[["dept_code", "staff_count", "party_members"]].itertuples(index=False, name=None)
    }
    wants_targets = any(t.kind == "targets" for t in tables)
    targets = tuple(store.targets(db, hospital).to_dict("records")) if wants_targets else ()
    return depts, cats, counts, targets


# How many missing departments a warning names before it says "and N more".
MISSING_LISTED = 30


def _missing_departments(db, checked: list[validate.Checked], lang: str) -> None:
    """PRODUCT §3.3 point 7: per month of a metrics file, the departments that reported the month before (in the
    store or the file) but are not in the file for that month — a warning listing them; the commit goes on."""
    in_file: dict[str, set[str]] = {}
    sheet_of: dict[str, validate.Checked] = {}
    hospital = next((c.hospital for c in checked if c.kind == "metrics"), "")
    for c in checked:
        for month, code in c.reported:  # a rejected row still shows its department is not forgotten
            if code != contract.HOSPITAL_CODE:
                in_file.setdefault(month, set()).add(code)
                sheet_of.setdefault(month, c)
    if not in_file:
        return
    prev = {m: _previous_month(m) for m in in_file}
    stored = store.reporting_departments(db, prev.values(), hospital)
    names = dict(
        store.departments(db, hospital=hospital)[["dept_code", "dept_name"]].itertuples(index=False, name=None)
    )
    for c in checked:
        names.update({d["dept_code"]: d["dept_name"] for d in c.new_departments})
    for month in sorted(in_file):
        p = prev[month]
        before = in_file.get(p, set()) | stored.get(p, set())
        missing = sorted(before - in_file[month])
        if not missing:
            continue
        listed = [f"{code} {names.get(code, '')}".strip() for code in missing[:MISSING_LISTED]]
        more = len(missing) - len(listed)
        text = ("、" if lang == "zh" else ", ").join(listed)
        if more:
            text += i18n.t("upload.warn.missing_more", lang, n=more)
        msg = i18n.t("upload.warn.missing_depts", lang, month=month, prev=p, n=len(missing), depts=text)
        c = sheet_of[month]
        c.warnings.append(Problem(0, "", month, msg, c.sheet))


def _previous_month(m: str) -> str:
    y, mo = int(m[:4]), int(m[5:7])
    return f"{y - 1:04d}-12" if mo == 1 else f"{y:04d}-{mo - 1:02d}"


def _cross_sheet_duplicates(checked: list[validate.Checked], lang: str) -> None:
    """A record repeated on a later sheet is a problem there (never silently dropped); its row is rejected."""
    first: dict[tuple, tuple[str, int]] = {}
    for c in checked:
        dup_lines: set[int] = set()
        for table, recs in c.records.items():
            if table == "departments":
                continue
            key_of = _key_of(table)
            for line, r in recs:
                k = (table, *key_of(r))
                if k in first and first[k][0] != c.sheet:
                    what = f"{first[k][0]}!{first[k][1]}"
                    msg = i18n.t("upload.err.duplicate_key", lang, other=what, what=" ".join(map(str, k[1:])))
                    c.problems.append(Problem(line, "", "", msg, c.sheet))
                    dup_lines.add(line)
                else:
                    first.setdefault(k, (c.sheet, line))
        if dup_lines:
            c.records = {t: [(ln, r) for ln, r in recs if ln not in dup_lines] for t, recs in c.records.items()}


def _records(checked: list[validate.Checked]) -> dict[str, list[tuple[tuple[str, int], dict]]]:
    """Store rows per table, each with its (sheet, line); departments created by name join the departments."""
    out: dict[str, list] = {}
    for c in checked:
        for table, recs in c.records.items():
            out.setdefault(table, []).extend(((c.sheet, line), r) for line, r in recs)
        for d in c.new_departments:
            out.setdefault("departments", []).append(
                (
                    (c.sheet, d["line"]),
                    {"hospital_code": c.hospital, "dept_code": d["dept_code"], "dept_name": d["dept_name"]},
                )
            )
    return {t: out[t] for t in contract.table_keys() if t in out}


def _scope(kind: str | None) -> str:
    """'hospital' or 'region' for a kind; '' for a table whose kind was not recognised."""
    return contract.KINDS[kind].scope if kind in contract.KINDS else ""


def _key_of(table: str):
    """A function giving a row's natural key in ``table`` as a tuple."""
    return _key_getter(contract.kind_of_table(table).key)


@cache
def _key_getter(cols: tuple[str, ...]):
    g = itemgetter(*cols)
    return g if len(cols) > 1 else (lambda r: (g(r),))  # one column: still a tuple


def _same(a, b) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return abs(float(a) - float(b)) < 1e-9
    return a == b


def _compare(records, olds, lang, metric_defs):
    """Per line: new/changed/unchanged; the changed values old → new; and the (old, new) pairs to write."""
    names = {m.code: i18n.metric_name(m, lang) for m in metric_defs}
    col_names = {c.name: (c.zh if lang == "zh" else c.name) for k in contract.KINDS.values() for c in k.columns}
    state: dict[tuple[str, int], str] = {}
    rank = {"unchanged": 0, "new": 1, "changed": 2}
    rows_out, plan, kept = [], {}, {}
    for table, recs in records.items():
        key_cols = contract.kind_of_table(table).key
        key_of = _key_getter(key_cols)
        old_rows = olds[table]
        lead = 1 if key_cols[0] == "hospital_code" else 0  # the hospital is not shown: the upload is for it
        end = lead + 2 if table == "metric_values" else None

        def shown(key, lead=lead, end=end):
            return key[lead:end]

        seen: set[tuple] = set()
        todo = plan.setdefault(table, [])
        for where, rec in recs:
            key = key_of(rec)
            if key in seen:  # a department both listed and created by name in the same file
                continue
            seen.add(key)
            old = old_rows.get(key)
            if old is None:
                todo.append((None, rec))
                if state.get(where) != "changed":
                    state[where] = "new"
                continue
            diff = [c for c in rec if c not in key_cols and not _same(old.get(c), rec[c])]
            s = "changed" if diff else "unchanged"
            for c in diff:
                label = names.get(rec.get("metric"), c) if table == "metric_values" else col_names.get(c, c)
                rows_out.append(
                    {
                        "sheet": where[0],
                        "line": where[1],
                        "key": " ".join(str(k) for k in shown(key) if k != ""),
                        "column": label,
                        "old": validate.cell_text(old.get(c)),
                        "new": validate.cell_text(rec[c]),
                    }
                )
            if s != "unchanged":
                todo.append((old, rec))
            else:
                kept.setdefault(table, []).append(rec)
            prev = state.get(where)
            if prev is None or rank[s] > rank[prev]:
                state[where] = s
        if not todo:
            del plan[table]
    changes = pd.DataFrame(rows_out, columns=["sheet", "line", "key", "column", "old", "new"])
    if not changes["sheet"].astype(bool).any():
        changes = changes.drop(columns="sheet")
    return state, changes, plan, kept


def _counts(checked: list[validate.Checked], state: dict, file_level: bool) -> dict[str, int]:
    counts = dict.fromkeys(COUNT_KEYS, 0)
    for c in checked:
        rejected = c.rejected_lines
        counts["skipped"] += len(c.skipped_lines)
        for line in c.data_lines:
            if file_level or line in rejected:
                counts["rejected"] += 1
            else:
                counts[state.get((c.sheet, line), "unchanged")] += 1
    return counts


def _write(
    db: sqlite_utils.Database, report: ImportReport, plan: _Plan, user: str | None, action: str = "upload"
) -> ImportReport:
    c = report.counts
    batch_id = store.insert_batch(
        db,
        file_name=report.file_name,
        sha256=report.sha256,
        kind=report.kind,
        user=user,
        encoding=report.encoding,
        rows_new=c["new"],
        rows_changed=c["changed"] + report.deleted,
        rows_unchanged=c["unchanged"],
        rows_rejected=c["rejected"],
        rows_skipped=c["skipped"],
        hospital_code=report.hospital,
    )
    tables = contract.table_keys()
    for table in tables:
        if plan.changes.get(table):
            store.apply_changes(db, batch_id, table, plan.changes[table])
        if plan.deletes.get(table):
            store.delete_rows(db, batch_id, table, plan.deletes[table])
    if plan.rejects:
        store.insert_rejects(db, batch_id, [_reject_json(p, report.rejected_rows) for p in plan.rejects])
    detail = {"batch_id": batch_id, "kind": report.kind, "sha256": report.sha256, **c}
    before = after = None
    pairs = [p for table in tables for p in plan.changes.get(table, [])]
    gone = [r for table in tables for r in plan.deletes.get(table, [])]
    if report.deleted:
        detail["deleted"] = report.deleted
    if action != "upload" and len(pairs) + len(gone) <= AUDIT_ROWS:  # a page edit: the rows before and after
        before = {"rows": [o for o, _ in pairs if o is not None] + gone}
        after = {"rows": [n for _, n in pairs]}
    store.audit_log(
        db, user, action, target=report.file_name, detail=detail, before=before, after=after, hospital=report.hospital
    )
    return dataclasses.replace(report, batch_id=batch_id, committed=True)


# A page edit's audit record keeps the rows before and after when there are at most this many.
AUDIT_ROWS = 200


DEMO_SOURCE = "演示数据 demo"  # the file name of the demo's batches (shown through file_label)


def file_label(name: str | None, lang: str) -> str:
    """A batch's file name as shown: the demo's batches as "演示数据" / "Demo data", a page editor's as "页面编辑" /
    "Page edit" (in the reader's language), others as uploaded."""
    if name == DEMO_SOURCE:
        return i18n.t("upload.demo_batch", lang)
    if name == store.EDIT_FILE_NAME:
        return i18n.t("upload.edit_batch", lang)
    return name or ""


def calendar_rows_to_save(year: int, edited: list[dict], cal: workdays.Calendar) -> list[dict]:
    """The calendar kind's whole table after an edit of ``year`` (for ``commit_rows(..., replace=True)``):
    the edited rows as given (date, kind, name; kind may be 休/班 or off/work) first, so the n-th edited row is line
    n + 1 of the validator's report (which reads each date the way validate does), then the stored days of other years — except a date the edit gives itself."""
    given = {validate.parse_date(r.get("date")) for r in edited if not validate.is_blank(r.get("date"))}
    year_prefix = f"{year:04d}-"
    others = [
        {"date": d, "kind": k, "name": n} for d, k, n in cal.days if not d.startswith(year_prefix) and d not in given
    ]
    return [{"date": r.get("date"), "kind": r.get("kind"), "name": r.get("name")} for r in edited] + others
