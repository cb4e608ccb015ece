"""Files out: CSV that Excel opens safely (UTF-8 with BOM, formula injection neutralised) and upload templates.

``safe_frame`` / ``csv_bytes`` are reusable by any download (error reports, exports, backups); the
cell rule itself is ``safe.sheet_cell``, the one rule for every CSV and XLSX the app writes.
"""

from __future__ import annotations

import io
import json
import os
from datetime import datetime
from pathlib import Path

import pandas as pd

from metrics import contract, i18n, safe, store


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell neutralised (numbers stay numbers)."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(safe.sheet_cell)
    out.columns = [safe.sheet_cell(str(c)) for c in out.columns]
    return out


def csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV as Excel opens it: UTF-8 with BOM, formulas neutralised."""
    return safe_frame(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def error_report_frame(rejects: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The error report of rejected rows, to correct in Excel and upload again as it is.

    ``rejects`` holds one row per problem: line, column, message, row_json (the row as written in the file:
    ``{"sheet", "header", "cells"}``, see ``importer``) and optionally sheet. The report has one row per rejected
    line: the file's own columns in the file's order, then 行号 (line) and 错误说明 (every reason, joined). Those two
    (and 工作表 when several sheets had rejects) are ignored by the reader when the report comes back.
    A problem without a kept row (older batches, the file as a whole) still gets its line and reasons.
    """
    t = lambda key, **f: i18n.t(key, lang, **f)  # noqa: E731
    groups: dict[tuple, dict] = {}
    for r in rejects.to_dict("records"):
        row = json.loads(r["row_json"]) if isinstance(r.get("row_json"), str) and r["row_json"] else None
        sheet = (row or {}).get("sheet") or r.get("sheet") or ""
        g = groups.setdefault((sheet, r.get("line")), {"row": row, "reasons": []})
        g["row"] = g["row"] or row
        col, msg = str(r.get("column") or "").strip(), str(r.get("message") or "")
        reason = t("upload.report.reason", column=col, message=msg) if col else msg
        if reason not in g["reasons"]:
            g["reasons"].append(reason)
    header: list[str] = []
    for g in groups.values():
        for h in (g["row"] or {}).get("header", []):
            if h not in header:
                header.append(h)
    sheets = {s for s, _ in groups}
    line_col, err_col, sheet_col = t("upload.report.line"), t("upload.report.errors"), t("upload.report.sheet")
    records = []
    for (sheet, line), g in groups.items():
        row = g["row"] or {"header": [], "cells": []}
        cells = dict(zip(row["header"], row["cells"]))
        rec = {h: cells.get(h, "") for h in header}
        if len(sheets) > 1:
            rec = {sheet_col: sheet, **rec}
        rec[line_col] = line
        rec[err_col] = t("upload.report.sep").join(g["reasons"])
        records.append(rec)
    cols = ([sheet_col] if len(sheets) > 1 else []) + header + [line_col, err_col]
    return pd.DataFrame(records, columns=cols, dtype=object)


def error_report_bytes(rejects: pd.DataFrame, lang: str = "zh") -> bytes:
    """The error report as CSV (UTF-8 with BOM, formulas neutralised): what the page and the CLI download."""
    return csv_bytes(error_report_frame(rejects, lang))


def export_all(
    out_dir: str | os.PathLike,
    db_path: str | os.PathLike | None = None,
    user: str | None = None,
    hospital: str | None = None,
    personal: bool = True,
) -> list[Path]:
    """Every table in ``store.export_tables()`` written as ``<table>.csv`` into ``out_dir``; returns the paths. The
    staff roster is personal data (PRODUCT §8): its export is written to the audit log (who, where, how many rows).
    ``hospital``: only that hospital's rows of every hospital-scoped table, its batches and its audit records (the
    catalogues and the holiday schedule are region-wide and written whole); None: every row.
    ``personal`` False (a reader who may not see staff names): no staff.csv, and the audit records' before/after keep
    the number of staff rows instead of the rows (a staff upload's record is no way round the rule)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    with store.opened(db_path) as db, db.atomic():
        for table in store.export_tables():
            kind = contract.kind_of_table(table)
            if kind is not None and kind.personal and not personal:
                continue
            path = out / f"{table}.csv"
            frame = store.table_frame(db, table, hospital=hospital)
            frame = as_kind_file(table, frame)
            if table == "audit" and not personal:
                frame = frame.assign(**{c: frame[c].map(_without_staff_rows) for c in ("before", "after")})
            path.write_bytes(csv_bytes(frame))
            paths.append(path)
            if kind is not None and kind.personal:
                detail = {"rows": len(frame), "channel": "cli", "file": str(path)}
                store.audit_log(db, user, f"{table}_export", target=str(path), detail=detail, hospital=hospital or "")
    return paths


def as_kind_file(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A data table as a file of its kind, so that an export imports again as it is (``import <table>.csv``, the
    kind recognised from the headers): only the kind's columns (the store's own bookkeeping such as ``is_demo``, and
    a catalogue's ``aliases``/``sort``, are no column of any file), and the monthly values wide, one column per
    metric code, as a monthly file has them. Tables that are no kind (batches, audit) are written as they are."""
    kind = contract.kind_of_table(table)
    if kind is None:
        return frame
    if kind.extra_metric_columns:
        return _metrics_wide(frame)
    names = [c.name for c in kind.columns]
    return frame[[c for c in frame.columns if c in names]]


def _metrics_wide(long: pd.DataFrame) -> pd.DataFrame:
    """metric_values (hospital, department, month, metric, value) as a monthly file: month, department, then one
    column per metric code in the catalogue's order; integer metrics written as integers."""
    keys = ["hospital_code", "month", "dept_code"]
    if long.empty:
        return pd.DataFrame(columns=keys)
    wide = long.pivot_table(index=keys, columns="metric", values="value", aggfunc="first").reset_index()
    order = {m.code: m.sort for m in contract.METRICS}
    metrics = sorted((c for c in wide.columns if c not in keys), key=lambda c: (order.get(c, 10**6), c))
    for m in metrics:
        if contract.METRIC_BY_CODE.get(m) is not None and contract.METRIC_BY_CODE[m].integer:
            wide[m] = wide[m].round().astype("Int64")
    wide.columns.name = None
    return wide[keys + metrics]


def _without_staff_rows(cell):
    """An audit record's before/after JSON with its staff rows (the ones that carry a staff_id) replaced by their
    number: who changed the roster and how much stays readable, the names do not."""
    if not isinstance(cell, str) or not any(m in cell for m in _PERSONAL_MARKS):
        return cell
    try:
        value = json.loads(cell)
    except ValueError:
        return None
    rows = value.get("rows") if isinstance(value, dict) else None
    if not isinstance(rows, list):
        return None  # an unknown shape that names a staff id: left out rather than guessed at
    kept = [r for r in rows if not (isinstance(r, dict) and "staff_id" in r)]
    counts = {"staff_rows": len(rows) - len(kept)}
    if any(isinstance(r, dict) and "contact_type" in r for r in kept):  # the contact list names people too
        contact = [r for r in kept if isinstance(r, dict) and "contact_type" in r]
        kept = [r for r in kept if r not in contact]
        counts["contact_rows"] = len(contact)
    if any(isinstance(r, dict) and "talk_no" in r for r in kept):  # a talk names its person
        talk = [r for r in kept if isinstance(r, dict) and "talk_no" in r]
        kept = [r for r in kept if r not in talk]
        counts["talk_rows"] = len(talk)
    return json.dumps({**value, "rows": kept, **counts}, ensure_ascii=False)


_PERSONAL_MARKS = ("staff_id", "contact_type", "talk_no")  # a row of the staff roster, the contact list or the talks


# ---------------------------------------------------------------------------------------------
# Templates (PRODUCT §3.2): Chinese headers, one example row; the page downloads exactly these bytes.
# ---------------------------------------------------------------------------------------------


def template_frame(kind: str, metric_defs: list[contract.Metric] | None = None) -> pd.DataFrame:
    """The template of a kind: Chinese headers (metric catalogue names for metrics files) and example rows."""
    k = contract.KINDS[kind]
    # the optional 医院编码 column is left out: one hospital never sees it, a group's upload names its hospital
    cols = [(c.name, c.zh) for c in k.columns if c is not contract.HOSPITAL_COLUMN]
    if k.extra_metric_columns:
        cols += [(m.code, m.name_zh) for m in sorted(metric_defs or contract.METRICS, key=lambda m: m.sort)]
    rows = [[ex.get(name, "") for name, _ in cols] for ex in k.examples]
    return pd.DataFrame(rows, columns=[zh for _, zh in cols], dtype=object)


_FIXED_TIME = datetime(2025, 1, 1)


def template_bytes(kind: str, fmt: str, metric_defs: list[contract.Metric] | None = None) -> bytes:
    """A kind's template as 'csv' (UTF-8 with BOM) or 'xlsx' bytes; the same input gives the same bytes."""
    df = template_frame(kind, metric_defs)
    if fmt == "csv":
        return csv_bytes(df)
    if fmt != "xlsx":
        raise ValueError(fmt)
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = contract.KINDS[kind].zh.replace("/", "、")
    # Headers hold catalogue names: every cell goes through the one rule (openpyxl writes '=…' as a formula).
    ws.append(safe.sheet_row(df.columns))
    for row in df.itertuples(index=False):
        ws.append(safe.sheet_row(None if v == "" else v for v in row))
    for i, col in enumerate(df.columns, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(12, 2 * len(str(col)) + 4)
    wb.properties.created = wb.properties.modified = _FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "data" / "templates"


def template_file_name(kind: str, fmt: str) -> str:
    return f"{kind}_template.{fmt}"
