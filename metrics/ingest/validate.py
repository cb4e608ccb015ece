"""Validation (PRODUCT §3.2, §3.3): a raw table → store rows plus every problem at once.

Each problem names the Excel line, the column as written in the file, the value and the reason in the
user's language. Numbers are coerced column-wise with ``pd.to_numeric(errors="coerce")`` first and
range-checked after, so one bad cell never hides the problems of other rows.
"""

from __future__ import annotations

import difflib
import hashlib
import pkgutil
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, lru_cache

import numpy as np
import pandas as pd

from metrics import clock, contract, i18n, safe
from metrics.ingest import limits
from metrics.ingest.reading import HEADER_SEARCH_ROWS, RawTable, display_names, norm_header
from metrics.rules import awards, programme

HOSPITAL_WORDS = ("全院", "HOSP", "hosp", "医院", "全院合计口径")


@dataclass(frozen=True)
class Problem:
    """One problem: Excel line, column as written, the value as written, the reason (already translated)."""

    line: int
    column: str
    value: str
    message: str
    sheet: str = ""


@dataclass
class Checked:
    """A validated table: store rows per table with their Excel lines, problems and warnings."""

    kind: str
    sheet: str
    records: dict[str, list[tuple[int, dict]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    new_departments: list[dict] = field(default_factory=list)
    data_lines: list[int] = field(default_factory=list)  # every data row considered (not blank, not summary)
    skipped_lines: list[int] = field(default_factory=list)  # summary rows
    file_level: bool = False  # a problem that concerns the whole file (header, columns): nothing can be kept
    reported: set[tuple[str, str]] = field(default_factory=set)  # metrics: (month, dept_code) of every row, kept or not
    hospital: str = ""  # the hospital every row of a hospital-scoped kind is written under

    @property
    def rejected_lines(self) -> set[int]:
        data = set(self.data_lines)  # built once: it was rebuilt per problem, quadratic in rejected rows
        return {p.line for p in self.problems if p.line in data}


# ---------------------------------------------------------------------------------------------
# Cell parsing (PRODUCT §3.1 month formats, numbers with spaces or %)
# ---------------------------------------------------------------------------------------------


def cell_text(v) -> str:
    """A cell as the user wrote it (for the report)."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, datetime):
        return v.isoformat(sep=" ", timespec="seconds").removesuffix(" 00:00:00")
    return str(v)


def is_blank(v) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return not v.strip()  # str.strip() also removes the full-width space U+3000
    return isinstance(v, float) and v != v


@lru_cache(maxsize=65536)
def _clean(v) -> str:
    return unicodedata.normalize("NFKC", safe.strip_controls(cell_text(v))).strip()


def prose_text(v) -> str:
    """Free text (a title, a note, a description) as written: bidi / zero-width controls and surrounding spaces
    removed, composed (NFC) but never folded — a Chinese text keeps its ，（）：；, which NFKC would make , ( ) : ;."""
    return unicodedata.normalize("NFC", safe.strip_controls(cell_text(v))).strip()


def clean_text(v) -> str:
    """Text with full-width characters folded, bidi / zero-width controls and surrounding spaces removed."""
    try:
        return _clean(v)
    except TypeError:  # an unhashable cell
        return unicodedata.normalize("NFKC", safe.strip_controls(cell_text(v))).strip()


_MONTH_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})(?:\s*[-/.]\s*(\d{1,2}))?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})?$"),
)


def _ymd(v) -> tuple[int, int, int | None] | None:
    if isinstance(v, datetime | date):
        return v.year, v.month, v.day
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        if v != v or not float(v).is_integer():
            return None
        v = str(int(v))
    s = clean_text(v)
    for pat in _MONTH_PATTERNS:
        m = pat.match(s)
        if m:
            y, mo = int(m.group(1)), int(m.group(2))
            d = int(m.group(3)) if m.group(3) else None
            return y, mo, d
    return None


@lru_cache(maxsize=65536)
def parse_month(v) -> str | None:
    """'YYYY-MM' from 2023-04, 2023/04, 2023/4, 2023-04-01, 2023年4月, 202304 or an Excel date; else None."""
    ymd = _ymd(v)
    if not ymd:
        return None
    y, mo, d = ymd
    if not (1900 <= y <= 2200 and 1 <= mo <= 12):
        return None
    if d is not None:
        try:
            date(y, mo, d)
        except ValueError:
            return None
    return f"{y:04d}-{mo:02d}"


@lru_cache(maxsize=65536)
def parse_date(v) -> str | None:
    """'YYYY-MM-DD' from 2023-04-05, 2023/4/5, 2023年4月5日, 20230405 or an Excel date; else None."""
    ymd = _ymd(v)
    if not ymd or ymd[2] is None:
        return None
    try:
        return date(*ymd).isoformat() if 1900 <= ymd[0] <= 2200 else None
    except ValueError:
        return None


def parse_year(v) -> int | None:
    s = clean_text(v).removesuffix("年").strip()
    if re.fullmatch(r"\d{4}(\.0+)?", s):
        y = int(float(s))
        return y if 1900 <= y <= 2200 else None
    return None


def number_text(v):
    """A numeric cell without spaces, thousands commas or a trailing %; non-strings pass through."""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int | float):
        return v
    if is_blank(v):
        return None
    if not isinstance(v, str):  # a date or time cell of a workbook: its text, which then fails as a number
        return str(v)
    s = v.strip()
    if s[-1] != "%" and "," not in s and s.isascii() and " " not in s:
        return s  # the common case: a plain number
    return re.sub(r"[\s,]", "", unicodedata.normalize("NFKC", s)).removesuffix("%")


def parse_bool(v) -> int | None:
    s = clean_text(v).lower()
    if s in ("是", "1", "y", "yes", "true", "在用", "启用", "有效"):
        return 1
    if s in ("否", "0", "n", "no", "false", "停用", "撤销", "无效"):
        return 0
    return None


# ---------------------------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What validation needs from the store: catalogues and departments (code → name)."""

    metric_defs: tuple[contract.Metric, ...]
    indicators: tuple[dict, ...]  # indicator catalogue rows: code, kind, name_zh, name_en
    departments: dict[str, str]
    lang: str = "zh"
    forced_kind: str | None = None  # the kind the user chose (None = recognised from the header)
    # stored (staff_count, party_members) per department code, for a departments file that gives only one of them
    dept_counts: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)
    # targets file: the stored target rows (metric, dept_code, effective_from, target, direction), for the
    # hospital floor; ``targets_replaced``: the file is the whole new targets table (the targets page editor)
    targets: tuple[dict, ...] = ()
    targets_replaced: bool = False
    # programme kinds (PRODUCT §8): (category, active) per department code, for 全院各科室 and 全院临床科室 in
    # tasks.responsible
    dept_categories: dict[str, tuple[str | None, int]] = field(default_factory=dict)
    # hospitals: the hospital the upload is for (a row's 医院编码 cell, when given, must name it), the
    # store's hospital codes (() in a one-hospital store, whose rows lie under ''), the codes the uploader may write
    # (None: no account named, a system write) and whether the uploader may change the hospital list (admins);
    # ``preview_only``: nothing will be written, so ``writable`` holds the codes the user may read
    hospital: str = ""
    hospitals: tuple[str, ...] = ()
    writable: tuple[str, ...] | None = None
    may_edit_hospitals: bool = True
    preview_only: bool = False
    # activities (PRODUCT §10): the notice numbers (文号) of the hospital, stored or in the same upload, that a
    # 清风行动 may name
    notice_nos: frozenset[str] = frozenset()
    # brands (一院一品): the hospital's stored projects (year → row) and the years the same upload gives; whether the
    # uploader may mark 亮点项目 (the bureau: commission and admins, or a system write) and whether it may do nothing
    # else (the commission role, read-only everywhere but this choice)
    brand_projects: dict[int, dict] = field(default_factory=dict)
    brand_years_in_upload: frozenset[int] = frozenset()
    may_mark: bool = True
    marks_only: bool = False
    # units (PRODUCT §10): the hospital's person and post units (code → 'person'|'post'), stored or in the same
    # upload, that an award change or an event may name
    units: dict[str, str] = field(default_factory=dict)


# The extra columns of our own error report (line, reasons, sheet): accepted and ignored when the corrected report
# is uploaded again.
REPORT_COLUMN_KEYS = ("upload.report.line", "upload.report.errors", "upload.report.sheet")


@lru_cache(maxsize=1)
def report_headers() -> frozenset[str]:
    return frozenset(norm_header(i18n.t(k, lang)) for k in REPORT_COLUMN_KEYS for lang in ("zh", "en"))


def check(table: RawTable, ctx: Context) -> Checked:
    """Validate one raw table of a known kind: store rows plus every problem and warning."""
    out = Checked(kind=table.kind or "", sheet=table.sheet)
    tr = _Tr(ctx.lang, table.sheet, out)
    if not _check_header(table, ctx, tr, out):
        return out
    kind = contract.KINDS[table.kind]
    pos = {c: i for i, c in enumerate(table.columns) if c is not None}
    written = {c: table.header[i] for c, i in pos.items()}
    # a column the file lacks is named as the template writes it (医院编码), never by its internal name
    for c in (*kind.columns, contract.HOSPITAL_COLUMN):
        written.setdefault(c.name, _column_label(table.kind, c.name, ctx.lang))
    rows = _data_rows(table, pos, tr, out)
    if not rows:
        return out
    if _long_cells(rows, table, tr):  # a page editor's or a script's row: the limit a file's cell has (reading)
        out.file_level = True
        return out
    frame = _Frame(rows, pos, written)
    if kind.scope == "hospital":
        out.hospital = ctx.hospital
        _hospital_column(frame, ctx, tr, out)
        if out.file_level:  # a hospital one may not touch: its rows are never compared with what it holds
            return out
    elif not ctx.may_edit_hospitals and (table.kind == "hospitals" or ctx.hospitals):  # a region-wide kind
        out.file_level = True  # the hospital list, and in a group store what every hospital shares: admins only
        tr.err(0, "", "", "hospital_list_admin" if table.kind == "hospitals" else "region_admin")
        return out
    _validator(kind.validator)(frame, ctx, tr, out)
    return out


@cache
def _validator(name: str):
    """A kind's validator from its registry name ("module:function"): the registry sits below this module."""
    return pkgutil.resolve_name(name)


def file_hospital(table: RawTable, default: str = "") -> str:
    """The hospital a table of a hospital-scoped kind is for: its first 医院编码 cell that is not blank, else
    ``default`` (the hospital the upload is for). Every other row's cell must then name the same one (check)."""
    if table.kind is None or contract.KINDS[table.kind].scope != "hospital" or "hospital_code" not in table.columns:
        return default
    i = table.columns.index("hospital_code")
    for _line, cells in table.rows:
        if i < len(cells) and not is_blank(cells[i]):
            return clean_text(cells[i])
    return default


def _hospital_column(f: _Frame, ctx: Context, tr: _Tr, out: Checked) -> None:
    """Each row's hospital (its 医院编码 cell, else the upload's) must be the upload's hospital, known
    to the store and one the uploader may write. Any such problem concerns the whole file: nothing is written, even
    with "skip invalid rows" (a row for a hospital one may not write is never half taken)."""
    known = set(ctx.hospitals) if ctx.hospitals else {""}
    col = f.name("hospital_code")
    bad = False
    for line, v in zip(f.lines, f.raw("hospital_code")):
        code = ctx.hospital if is_blank(v) else clean_text(v)
        if code not in known:
            tr.err(line, col, v, "hospital_missing" if code == "" else "hospital_unknown", code=code)
        elif code != ctx.hospital:
            tr.err(line, col, v, "hospital_mixed", code=code, first=ctx.hospital)
        elif ctx.writable is not None and code not in ctx.writable:
            tr.err(line, col, v, "hospital_not_readable" if ctx.preview_only else "hospital_not_granted", code=code)
        else:
            continue
        bad = True
    if bad:
        out.file_level = True


def _hospitals(f: _Frame, ctx: Context, tr: _Tr, out: Checked) -> None:
    """The hospital list (PRODUCT §9): code, Chinese name; English name and sort order optional."""
    codes = _text_col(f, "hospital_code", tr, required=True)
    names = _text_col(f, "name_zh", tr, required=True)
    en = _text_col(f, "name_en", tr)
    sort = _number_col(f, "sort", tr, lo=0, integer=True)
    _duplicates(f, [(c,) for c in codes], tr, f.name("hospital_code"), lambda k: k[0])
    rows = []
    for i, code in enumerate(codes):
        if code is None or names[i] is None:
            rows.append(None)
            continue
        r = {"hospital_code": code, "name_zh": names[i], "name_en": en[i], "sort": _int(sort[i])}
        rows.append({k: v for k, v in r.items() if v is not None})
    _emit(out, "hospitals", f, rows)


class _Tr:
    """Problem builder bound to the language and sheet."""

    def __init__(self, lang: str, sheet: str, out: Checked):
        self.lang, self.sheet, self.out = lang, sheet, out

    def t(self, code: str, /, **fmt) -> str:
        return i18n.t("upload.err." + code, self.lang, **fmt)

    def err(self, at: int, column: str, value, code: str, /, **fmt) -> None:
        self.out.problems.append(Problem(at, column, cell_text(value), self.t(code, **fmt), self.sheet))

    def warn(self, at: int, column: str, value, code: str, /, **fmt) -> None:
        self.out.warnings.append(
            Problem(at, column, cell_text(value), i18n.t("upload.warn." + code, self.lang, **fmt), self.sheet)
        )


def _check_header(table: RawTable, ctx: Context, tr: _Tr, out: Checked) -> bool:
    if table.kind is None or table.header_line == 0:
        out.file_level = True
        req = []
        for k in [contract.KINDS[ctx.forced_kind]] if ctx.forced_kind else contract.KINDS.values():
            names = (
                "、".join(c.zh for c in k.columns if c.required)
                if ctx.lang == "zh"
                else ", ".join(c.name for c in k.columns if c.required)
            )
            req.append(f"{i18n.t(k.label, ctx.lang)}: {names}")
        tr.err(0, "", "", "no_header", n=HEADER_SEARCH_ROWS, kinds="; ".join(req))
        return False
    kind = contract.KINDS[table.kind]
    known = display_names(table.kind, list(ctx.metric_defs))
    seen: dict[str, int] = {}
    ok = True
    for i, (h, c) in enumerate(zip(table.header, table.columns)):
        if not h.strip() or (c is None and norm_header(h) in report_headers()):
            continue
        if c is None:
            ok = False
            close = difflib.get_close_matches(h.strip(), known, n=1, cutoff=0.4) or difflib.get_close_matches(
                norm_header(h), [norm_header(k) for k in known], n=1, cutoff=0.4
            )
            if close:
                sugg = next((k for k in known if norm_header(k) == norm_header(close[0])), close[0])
                tr.err(table.header_line, h, h, "unknown_column", col=h.strip(), suggest=sugg)
            else:
                tr.err(table.header_line, h, h, "unknown_column_none", col=h.strip())
        elif c in seen:
            ok = False
            tr.err(table.header_line, h, h, "duplicate_column", col=h.strip(), other=table.header[seen[c]].strip())
        else:
            seen[c] = i
    if kind.extra_metric_columns and not any(c in {m.code for m in ctx.metric_defs} for c in seen):
        ok = False
        tr.err(table.header_line, "", "", "no_metric_column")
    if not ok:
        out.file_level = True
    return ok


def _data_rows(table: RawTable, pos: dict[str, int], tr: _Tr, out: Checked) -> list[tuple[int, tuple]]:
    """Data rows: blank rows dropped silently, summary rows dropped with a warning naming the line."""
    dept_cols = [pos[c] for c in ("dept_code", "dept_name") if c in pos]
    rows = []
    for line, cells in table.rows:
        if cells and not is_blank(cells[0]):
            first = cells[0]  # the common case: the row starts with its month or code
        elif all(is_blank(c) for c in cells):
            continue
        else:
            first = next((c for c in cells if not is_blank(c)), None)
        word = None
        for v in (*(cells[i] for i in dept_cols if i < len(cells)), first):  # the department cells, then the first
            if isinstance(v, str) and len(v) <= 12:
                word = _summary_text(v)
                if word:
                    break
        if word:
            out.skipped_lines.append(line)
            tr.warn(line, "", word, "summary", line=line, word=word)
            continue
        out.data_lines.append(line)
        rows.append((line, cells))
    return rows


def _column_label(kind: str, col: str, lang: str) -> str:
    """A column as the user knows it: the template's Chinese header (zh), its canonical name (en)."""
    c = next((c for c in (*contract.KINDS[kind].columns, contract.HOSPITAL_COLUMN) if c.name == col), None)
    return col if c is None or lang != "zh" else c.zh


def _long_cells(rows, table: RawTable, tr: _Tr) -> bool:
    """Every cell over limits.DEFAULT.cell_chars (Excel's 32,767) is an error naming its column and length, its
    value cut short: the one limit for every way in (a file's cells meet it in reading already)."""
    n = limits.DEFAULT.cell_chars
    found = False
    for line, cells in rows:
        for i, c in enumerate(cells):
            if type(c) is str and len(c) > n:
                col = table.header[i].strip() if i < len(table.header) else limits.col_letters(i + 1)
                canon = table.columns[i] if i < len(table.columns) else None
                if canon is not None and col == canon:  # rows from a page or a script: named as the template does
                    col = _column_label(table.kind, canon, tr.lang)
                shown = c[:20] + "…"
                tr.err(line, col, shown, "cell_too_long", column=col, chars=f"{len(c):,}", limit=f"{n:,}")
                found = True
    return found


_SUMMARY = frozenset(contract.SUMMARY_WORDS)


@lru_cache(maxsize=65536)
def _summary_text(v: str) -> str | None:
    """The summary word (合计, 平均 …) a short text cell holds, if it is one."""
    w = clean_text(v).replace(" ", "")
    return w if w in _SUMMARY else None


class _Frame:
    """Column access over the data rows: raw cells by canonical column, with the header as written."""

    def __init__(self, rows, pos, written):
        self.lines = [ln for ln, _ in rows]
        self.pos, self.written = pos, written
        self._rows = rows
        self._raw: dict[str, list] = {}
        # per number column: the row indexes that are not plain in-range numbers (blank, bad, or '5%', '1 000' …)
        self.unplain: dict[str, list[int]] = {}

    def has(self, col: str) -> bool:
        return col in self.pos

    def raw(self, col: str) -> list:
        """The column's cells as written (one list per column, built once; callers do not change it)."""
        got = self._raw.get(col)
        if got is None:
            i = self.pos.get(col)
            if i is None:
                got = [None] * len(self._rows)
            else:
                got = [cells[i] if i < len(cells) else None for _, cells in self._rows]
            self._raw[col] = got
        return got

    def name(self, col: str) -> str:
        return self.written.get(col, col).strip()


def _parsed_col(
    f: _Frame, col: str, tr: _Tr, parse, err: str = "", required: bool = False, default=None, **fmt
) -> list:
    """The column's cells through ``parse``, one value a row: a blank cell gives ``default`` (the error "required"
    when ``required``), a cell ``parse`` gives None for is the error ``err`` (with ``fmt``; none when ``err`` is "")."""
    out = []
    for line, v in zip(f.lines, f.raw(col)):
        if is_blank(v):
            if required:
                tr.err(line, f.name(col), v, "required")
            out.append(default)
            continue
        p = parse(v)
        if p is None and err:
            tr.err(line, f.name(col), v, err, **fmt)
        out.append(p)
    return out


def _text_col(f: _Frame, col: str, tr: _Tr, required: bool = False) -> list[str | None]:
    # Controls are removed here too (clean_text), silently: a file's cells were already cleaned, with a warning
    # naming each cell, when it was read (reading._strip_controls); an editor's rows never hold them visibly.
    return _parsed_col(f, col, tr, clean_text, required=required)


def _prose_col(f: _Frame, col: str, tr: _Tr, required: bool = False) -> list[str | None]:
    """A column of free text (``prose_text``): shown as written, where a code or a name column is folded."""
    return _parsed_col(f, col, tr, prose_text, required=required)


def _number_col(
    f: _Frame, col: str, tr: _Tr, lo=None, hi=None, integer=False, required=False, label: str | None = None
) -> list[float | None]:
    """Numbers of a column: coerced first (pd.to_numeric), then range-checked; None where blank or bad.

    Column-wise: one pd.to_numeric over the cells as written reads the plain numbers, and vectorised
    range checks find the bad ones. Only the other cells (blank, not a number, out of range, or written with
    %, spaces, commas, full-width digits) go cell by cell through number_text and the checks below, so their
    problems and values are exactly those of the cell-by-cell reading.
    """
    raw = f.raw(col)
    nums, unplain = _plain_numbers(raw)
    bad = ~np.isfinite(nums)
    if integer:
        bad |= nums != np.floor(nums)
    if lo is not None:
        bad |= nums < lo
    if hi is not None:
        bad |= nums > hi
    look = sorted(set(np.flatnonzero(bad).tolist()).union(unplain))
    f.unplain[col] = look
    out: list[float | None] = nums.tolist()
    if not look:
        return out
    cleaned = [number_text(raw[i]) for i in look]
    slow = pd.to_numeric(pd.Series(cleaned, dtype=object), errors="coerce")
    name = f.name(col) if label is None else label
    for i, c, n in zip(look, cleaned, slow):
        line, v = f.lines[i], raw[i]
        if c is None or c == "":
            if required:
                tr.err(line, name, v, "required")
            out[i] = None
            continue
        if pd.isna(n) or n in (float("inf"), float("-inf")):
            tr.err(line, name, v, "number")
            out[i] = None
            continue
        n = float(n)
        bad_cell = False
        if integer and not n.is_integer():
            tr.err(line, name, v, "integer")
            bad_cell = True
        if lo is not None and n < lo:
            tr.err(line, name, v, "below", lo=i18n.fmt_number(lo, tr.lang, 0 if float(lo).is_integer() else 1))
            bad_cell = True
        if hi is not None and n > hi:
            tr.err(line, name, v, "above", hi=i18n.fmt_number(hi, tr.lang, 0 if float(hi).is_integer() else 1))
            bad_cell = True
        out[i] = None if bad_cell else n
    return out


_PLAIN_TYPES = (str, float, int)  # exact types (bool is an int subclass and must not read as 1)


def _plain_numbers(raw: list) -> tuple[np.ndarray, list[int]]:
    """pd.to_numeric over the cells as written: floats (NaN where it cannot read a cell), and the indexes of
    cells of another type (bool, dates …), which only the cell-by-cell path may judge.

    Where this gives a finite number, number_text + pd.to_numeric gives the same one: it only removes spaces,
    commas and a trailing %, which pd.to_numeric never reads past (such cells come out NaN here).
    """
    odd = [i for i, v in enumerate(raw) if type(v) not in _PLAIN_TYPES and v is not None]
    read = pd.to_numeric(pd.Series(raw, dtype=object), errors="coerce")
    nums = read.to_numpy(dtype=float, na_value=np.nan, copy=True)
    if odd:
        nums[odd] = np.nan
    return nums, odd


def _enum_col(f: _Frame, col: str, tr: _Tr, table: dict[str, tuple], required=False, default=None) -> list:
    lookup = {norm_header(code): code for code in table}
    for code, labels in table.items():
        for lab in labels:
            lookup.setdefault(norm_header(lab), code)
    choices = "、".join(labels[0] for labels in table.values())
    return _parsed_col(f, col, tr, lambda v: lookup.get(norm_header(v)), "choice", required, default, choices=choices)


def _dept_codes(f: _Frame, ctx: Context, tr: _Tr, out: Checked, allow_hospital: bool) -> list[str | None]:
    """Department codes; an unknown code with a name creates the department, without a name is an error."""
    codes = _text_col(f, "dept_code", tr, required=True)
    names = _text_col(f, "dept_name", tr) if f.has("dept_name") else [None] * len(codes)
    new = {d["dept_code"] for d in out.new_departments}
    renamed: dict[tuple[str, str], list[int]] = {}  # (code, name in the file) → lines, where it differs from the list
    by_name = _codes_by_name(ctx.departments)
    result = []
    for line, code, name, raw in zip(f.lines, codes, names, f.raw("dept_code")):
        if code is None:
            result.append(None)
            continue
        if code in HOSPITAL_WORDS or code.upper() == contract.HOSPITAL_CODE:
            if allow_hospital:
                result.append(contract.HOSPITAL_CODE)
            else:
                tr.err(line, f.name("dept_code"), raw, "hospital_not_dept")
                result.append(None)
            continue
        if code not in ctx.departments and code not in new:
            if not name:
                tr.err(line, f.name("dept_code"), raw, "unknown_dept", code=code)
                result.append(None)
                continue
            existing = by_name.get(name)
            if existing is not None:  # a typo (KO8 for K08): never a second department (PRODUCT §3.2)
                tr.err(line, f.name("dept_code"), raw, "dept_code_typo", code=code, name=name, existing=existing)
                result.append(None)
                continue
            new.add(code)
            out.new_departments.append({"dept_code": code, "dept_name": name, "line": line})
        elif name and code in ctx.departments and name != ctx.departments[code]:
            renamed.setdefault((code, name), []).append(line)
        result.append(code)
    for (code, name), lines in renamed.items():
        more = i18n.t("upload.warn.dept_name_more", tr.lang, n=len(lines)) if len(lines) > 1 else ""
        stored = ctx.departments[code]
        tr.warn(
            lines[0],
            f.name("dept_name"),
            name,
            "dept_name",
            line=lines[0],
            code=code,
            stored=stored,
            name=name,
            more=more,
        )
    return result


def _codes_by_name(departments: dict[str, str]) -> dict[str, str]:
    """Department name (as compared: NFKC, no spaces) → its code, for names that belong to one department."""
    out: dict[str, str] = {}
    for code, name in departments.items():
        if isinstance(name, str) and name.strip():
            out.setdefault(clean_text(name), code)
    return out


def _duplicates(f: _Frame, keys: list, tr: _Tr, column: str, describe) -> None:
    first: dict = {}
    for line, k in zip(f.lines, keys):
        if k is None or any(x is None for x in k):
            continue
        if k in first:
            tr.err(line, column, describe(k), "duplicate_key", other=first[k], what=describe(k))
        else:
            first[k] = line


def _emit(out: Checked, table: str, f: _Frame, rows: list[dict | None]) -> None:
    bad = {p.line for p in out.problems}
    recs = out.records.setdefault(table, [])
    for line, r in zip(f.lines, rows):
        if r is not None and line not in bad:
            recs.append((line, r))


def _drop_bad_new_departments(out: Checked) -> None:
    """A department created by a rejected row is not created."""
    bad = {p.line for p in out.problems}
    out.new_departments[:] = [d for d in out.new_departments if d["line"] not in bad]


# ---------------------------------------------------------------------------------------------
# Kinds
# ---------------------------------------------------------------------------------------------


def _departments(f: _Frame, ctx: Context, tr: _Tr, out: Checked) -> None:
    codes = _text_col(f, "dept_code", tr, required=True)
    names = _text_col(f, "dept_name", tr, required=True)
    cats = _enum_col(f, "category", tr, {c: (c,) for c in contract.CATEGORIES})
    branch = _text_col(f, "party_branch", tr)
    staff = _number_col(f, "staff_count", tr, lo=0, integer=True)
    party = _number_col(f, "party_members", tr, lo=0, integer=True)
    active = _parsed_col(f, "active", tr, parse_bool, "bool")
    for line, code, s, p, raw_s, raw_p in zip(
        f.lines, codes, staff, party, f.raw("staff_count"), f.raw("party_members")
    ):
        if s is not None and p is not None:
            if p > s:
                tr.err(line, f.name("party_members"), raw_p, "party_gt_staff", party=int(p), staff=int(s))
            continue
        # Only one given (a blank cell keeps the stored value): check it against the stored other one.
        stored_s, stored_p = ctx.dept_counts.get(code, (None, None)) if code else (None, None)
        if p is not None and is_blank(raw_s) and stored_s is not None and p > stored_s:
            tr.err(line, f.name("party_members"), raw_p, "party_gt_stored_staff", party=int(p), staff=int(stored_s))
        elif s is not None and is_blank(raw_p) and stored_p is not None and s < stored_p:
            tr.err(line, f.name("staff_count"), raw_s, "staff_lt_stored_party", party=int(stored_p), staff=int(s))
    for line, c in zip(f.lines, codes):
        if c and (c in HOSPITAL_WORDS or c.upper() == contract.HOSPITAL_CODE):
            tr.err(line, f.name("dept_code"), c, "hospital_not_dept")
    _duplicates(f, [(c,) for c in codes], tr, f.name("dept_code"), lambda k: k[0])
    rows = []
    for vals in zip(codes, names, cats, branch, staff, party, active):
        code, name, cat, br, s, p, act = vals
        if code is None:
            rows.append(None)
            continue
        r = {"dept_code": code, "dept_name": name, "category": cat, "party_branch": br}
        r |= {"staff_count": _int(s), "party_members": _int(p), "active": act}
        rows.append({k: v for k, v in r.items() if v is not None})
    _emit(out, "departments", f, rows)


def _int(x):
    return None if x is None else int(x)


def _metrics(f: _Frame, ctx: Context, tr: _Tr, out: Checked) -> None:
    months = _parsed_col(f, "month", tr, parse_month, "month", required=True)
    _future_months(f, months, tr)
    depts = _dept_codes(f, ctx, tr, out, allow_hospital=True)
    defs = [m for m in ctx.metric_defs if f.has(m.code)]
    values = {
        m.code: _number_col(f, m.code, tr, lo=m.lo, hi=m.hi, integer=m.integer, label=f.name(m.code)) for m in defs
    }
    n = len(f.lines)
    filled = {m.code: _filled(f, m.code) for m in defs}
    # Rows to look at one by one: those with no metric filled, or a department metric on the 全院 row. Hospital
    # metrics (drug share, cost growth, consumables) are accepted on department rows too: hospitals watch 科室药占比
    # (PRODUCT §3.2); the hospital's figure stays its own 全院 row. Every other row has nothing to report here.
    any_filled = np.zeros(n, dtype=bool)
    for m in defs:
        any_filled |= filled[m.code]
    hosp_row = np.fromiter((d == contract.HOSPITAL_CODE for d in depts), dtype=bool, count=n)
    look = ~any_filled
    for m in defs:
        if m.scope != "hospital":
            look |= filled[m.code] & hosp_row
    for i in np.flatnonzero(look).tolist():
        line, dept = f.lines[i], depts[i]
        if not any_filled[i]:
            tr.err(line, "", "", "no_metric")
        if dept != contract.HOSPITAL_CODE:
            continue
        for m in defs:
            if filled[m.code][i] and m.scope != "hospital":
                tr.err(line, f.name(m.code), f.raw(m.code)[i], "dept_metric", metric=i18n.metric_name(m, tr.lang))
    out.reported.update((mo, d) for d, mo in zip(depts, months) if d is not None and mo is not None)
    _duplicates(
        f,
        [(d, mo) for d, mo in zip(depts, months)],
        tr,
        f.name("month"),
        lambda k: f"{k[0]} {k[1]}",
    )
    _drop_bad_new_departments(out)
    bad = {p.line for p in out.problems}
    recs = out.records.setdefault("metric_values", [])
    codes = [m.code for m in defs]
    for line, dept, month, *vals in zip(f.lines, depts, months, *(values[c] for c in codes)):
        if dept is None or month is None or line in bad:
            continue
        for code, v in zip(codes, vals):
            if v is not None:
                recs.append((line, {"dept_code": dept, "month": month, "metric": code, "value": v}))


def _filled(f: _Frame, col: str) -> np.ndarray:
    """Which cells of a number column are not blank: only the cells that were not plain numbers can be blank."""
    filled = np.ones(len(f.lines), dtype=bool)
    raw = f.raw(col)
    for i in f.unplain[col]:
        filled[i] = not is_blank(raw[i])
    return filled


def _indicator_lookup(ctx: Context) -> dict[str, dict]:
    look: dict[str, dict] = {}
    for ind in ctx.indicators:
        look[norm_header(ind["code"])] = ind
    for ind in ctx.indicators:
        for name in (ind["name_zh"], ind["name_en"]):
            look.setdefault(norm_header(name), ind)
    return look


def _events(f: _Frame, ctx: Context, tr: _Tr, out: Checked) -> None:
    dates = _parsed_col(f, "event_date", tr, parse_date, "date", required=True)
    depts = _dept_codes(f, ctx, tr, out, allow_hospital=False)
    kinds = _enum_col(f, "kind", tr, contract.EVENT_KINDS, required=True)
    statuses = _enum_col(f, "status", tr, contract.EVENT_STATUSES)
    texts = {c: _prose_col(f, c, tr) for c in ("description", "evidence", "office")}
    texts["event_id"] = _text_col(f, "event_id", tr)
    named = {c: _event_unit_col(f, c, ctx, tr) for c in ("person", "post")}
    look = _indicator_lookup(ctx)
    kind_label = {k: labels[0] for k, labels in contract.EVENT_KINDS.items()}
    indicators = []
    for line, raw, kind in zip(f.lines, f.raw("indicator"), kinds):
        if is_blank(raw):
            tr.err(line, f.name("indicator"), raw, "required")
            indicators.append(None)
            continue
        ind = look.get(norm_header(raw)) or _indicator_by_text(clean_text(raw), ctx)
        if ind is None:
            tr.err(line, f.name("indicator"), raw, "indicator")
        elif kind is not None and ind["kind"] != kind:
            tr.err(line, f.name("indicator"), raw, "indicator_kind", code=ind["code"], kind=kind_label[ind["kind"]])
            ind = None
        indicators.append(None if ind is None else ind["code"])
    ids = []
    for d, dept, ind, desc, eid in zip(dates, depts, indicators, texts["description"], texts["event_id"]):
        if eid:
            ids.append(eid)
        elif d and dept and ind:
            ids.append(event_id(d, dept, ind, desc))
        else:
            ids.append(None)
    _duplicates(f, [(i,) for i in ids], tr, f.name("event_id") if f.has("event_id") else "", lambda k: k[0])
    _drop_bad_new_departments(out)
    rows = []
    for i, eid in enumerate(ids):
        if eid is None:
            rows.append(None)
            continue
        r = {"event_id": eid, "event_date": dates[i], "dept_code": depts[i], "kind": kinds[i]}
        r |= {"indicator": indicators[i], "status": statuses[i]}
        r |= {c: texts[c][i] for c in ("description", "evidence", "office")}
        r |= {c: named[c][i] for c in ("person", "post")}
        rows.append({k: v for k, v in r.items() if v is not None})
    _emit(out, "events", f, rows)


def _event_unit_col(f: _Frame, col: str, ctx: Context, tr: _Tr) -> list[str | None]:
    """PRODUCT §10: the person (工号) or post an event names besides its department, one of the hospital's units of
    that type; a blank cell names none."""
    want, error = ("person", "event_person_unknown") if col == "person" else ("post", "event_post_unknown")
    found = []
    for line, code, raw in zip(f.lines, _text_col(f, col, tr), f.raw(col)):
        if code is not None and ctx.units.get(code) != want:
            tr.err(line, f.name(col), raw, error, code=code)
            code = None
        found.append(code)
    return found


def _indicator_by_text(text: str, ctx: Context) -> dict | None:
    """An indicator whose catalogue text contains the written text (or the reverse), when exactly one does."""
    n = norm_header(text)
    if len(n) < 4:
        return None
    hits = [i for i in ctx.indicators if n in norm_header(i["name_zh"]) or norm_header(i["name_zh"]) in n]
    return hits[0] if len(hits) == 1 else None


def event_id(event_date: str, dept_code: str, indicator: str, description: str | None) -> str:
    """A stable id for an event without one: the same date + department + indicator + description (PRODUCT §3.2)."""
    key = "|".join([event_date, dept_code, indicator, description or ""])
    return "E" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12].upper()


def _awards(f: _Frame, ctx: Context, tr: _Tr, out: Checked) -> None:
    depts = _dept_codes(f, ctx, tr, out, allow_hospital=False)
    keys, until, notes = _lifecycle(f, tr, depts)
    _drop_bad_new_departments(out)
    rows = []
    for (d, y, s, c), un, note in zip(keys, until, notes):
        if None in (d, y, s, c):
            rows.append(None)
            continue
        r = {"dept_code": d, "year": y, "status": s, "changed_on": c, "rectify_until": un, "note": note}
        rows.append({k: v for k, v in r.items() if v is not None})
    _emit(out, "award_changes", f, rows)


def _unit_awards(f: _Frame, ctx: Context, tr: _Tr, out: Checked) -> None:
    """PRODUCT §10: a person's or a post's award status, the department's §4.1 lifecycle and rules (_lifecycle);
    the unit one of the hospital's units (stored or in the same upload)."""
    units = []
    for line, code, raw in zip(f.lines, _text_col(f, "unit_code", tr, required=True), f.raw("unit_code")):
        if code is not None and code not in ctx.units:
            tr.err(line, f.name("unit_code"), raw, "unit_unknown", code=code)
            code = None
        units.append(code)
    keys, until, notes = _lifecycle(f, tr, units)
    rows = []
    for (u, y, s, c), un, note in zip(keys, until, notes):
        if None in (u, y, s, c):
            rows.append(None)
            continue
        r = {"unit_code": u, "year": y, "status": s, "changed_on": c, "rectify_until": un, "note": note}
        rows.append({k: v for k, v in r.items() if v is not None})
    _emit(out, "unit_award_changes", f, rows)


def _lifecycle(f: _Frame, tr: _Tr, units: list) -> tuple[list[tuple], list, list]:
    """The §4.1 award change of each row, for a department or another unit alike: year, status, date, the
    rectification's end (needed for 整改中, 3–6 months after the change), note; a unit's change once in the file.
    Returns (unit, year, status, changed_on) per row, rectify_until and note."""
    years = _parsed_col(f, "year", tr, parse_year, "year", required=True)
    statuses = _enum_col(f, "status", tr, contract.AWARD_STATUSES, required=True)
    changed = _parsed_col(f, "changed_on", tr, parse_date, "date", required=True)
    until = _parsed_col(f, "rectify_until", tr, parse_date, "date")
    notes = _prose_col(f, "note", tr)
    for line, st, ch, un, raw in zip(f.lines, statuses, changed, until, f.raw("rectify_until")):
        if st == "rectifying" and un is None and is_blank(raw):
            tr.err(line, f.name("rectify_until") if f.has("rectify_until") else "rectify_until", raw, "rectify_needed")
        if un is not None and ch is not None and un < ch:
            tr.err(line, f.name("rectify_until"), raw, "rectify_before")
        elif st == "rectifying" and un is not None and ch is not None:
            lo, hi = (d.isoformat() for d in awards.rectify_window(ch))  # 3–6 months (seed 004, PRODUCT §4.1)
            if not lo <= un <= hi:
                tr.err(line, f.name("rectify_until"), raw, "rectify_window", lo=lo, hi=hi, changed=ch)
    keys = list(zip(units, years, statuses, changed))
    _duplicates(f, keys, tr, f.name("status"), lambda k: " ".join(str(x) for x in k))
    return keys, until, notes


def _units(f: _Frame, ctx: Context, tr: _Tr, out: Checked) -> None:
    """PRODUCT §10 units: code (a person's 工号 or a post's code, unique in the file), type (清廉医护 / 清廉示范岗), name
    (personal data for a person), department (code or name, known), and a source of its own type."""
    codes = _text_col(f, "unit_code", tr, required=True)
    types = _enum_col(f, "unit_type", tr, contract.UNIT_TYPES, required=True)
    names = _text_col(f, "name", tr, required=True)
    depts = _dept_refs(f, "dept_code", ctx, tr)
    sources = _enum_col(f, "source", tr, contract.UNIT_SOURCES)
    for i, (line, ty, src) in enumerate(zip(f.lines, types, sources)):
        if ty is not None and src is not None and src not in contract.UNIT_TYPE_SOURCES[ty]:
            own = "、".join(contract.UNIT_SOURCES[s][0] for s in contract.UNIT_TYPE_SOURCES[ty])
            tr.err(
                line, f.name("source"), f.raw("source")[i], "unit_source_type", type=contract.UNIT_TYPES[ty][0], own=own
            )
            sources[i] = None
            types[i] = None
    _duplicates(f, [(c,) for c in codes], tr, f.name("unit_code"), lambda k: k[0])
    rows = []
    for i, code in enumerate(codes):
        if None in (code, types[i], names[i], depts[i]):
            rows.append(None)
            continue
        r = {"unit_code": code, "unit_type": types[i], "name": names[i], "dept_code": depts[i], "source": sources[i]}
        rows.append({k: v for k, v in r.items() if v is not None})
    _emit(out, "award_units", f, rows)


def _targets(f: _Frame, ctx: Context, tr: _Tr, out: Checked) -> None:
    look: dict[str, contract.Metric] = {}
    for m in ctx.metric_defs:
        for name in (m.code, m.name_zh, m.name_en, *m.aliases):
            look.setdefault(norm_header(name), m)
    metrics = []
    for line, raw in zip(f.lines, f.raw("metric")):
        if is_blank(raw):
            tr.err(line, f.name("metric"), raw, "required")
            metrics.append(None)
            continue
        m = look.get(norm_header(raw))
        if m is None:
            close = difflib.get_close_matches(clean_text(raw), [m.name_zh for m in ctx.metric_defs], n=1, cutoff=0.4)
            if close:
                tr.err(line, f.name("metric"), raw, "metric_unknown", suggest=close[0])
            else:
                tr.err(line, f.name("metric"), raw, "metric_unknown_none")
        metrics.append(m)
    depts = []
    for line, raw, m in zip(f.lines, f.raw("dept_code"), metrics):
        code = None if is_blank(raw) else clean_text(raw)
        if code is None or code in HOSPITAL_WORDS or code.upper() == contract.HOSPITAL_CODE:
            depts.append("")
            continue
        if code not in ctx.departments and code not in {d["dept_code"] for d in out.new_departments}:
            tr.err(line, f.name("dept_code"), raw, "unknown_dept_no_name", code=code)
            depts.append(None)
            continue
        if m is not None and m.scope == "hospital":
            tr.err(line, f.name("dept_code"), raw, "hospital_target", metric=i18n.metric_name(m, tr.lang))
        depts.append(code)
    directions = _enum_col(f, "direction", tr, contract.DIRECTION_ALIASES, required=True)
    eff = _parsed_col(f, "effective_from", tr, parse_month, "month")
    eff = [e or contract.EPOCH_MONTH for e in eff]
    target = [None] * len(f.lines)
    nums = _number_col(f, "target", tr, required=True)
    for i, (line, m, n) in enumerate(zip(f.lines, metrics, nums)):
        if m is None or n is None:
            continue
        if (m.lo is not None and n < m.lo) or (m.hi is not None and n > m.hi):
            lo = "−∞" if m.lo is None else i18n.fmt_number(m.lo, tr.lang, 0)
            hi = "∞" if m.hi is None else i18n.fmt_number(m.hi, tr.lang, 0)
            tr.err(line, f.name("target"), f.raw("target")[i], "range", lo=lo, hi=hi)
            continue
        target[i] = n
    keys = [(None if m is None else m.code, d, e) for m, d, e in zip(metrics, depts, eff)]
    _duplicates(f, keys, tr, f.name("metric"), lambda k: " ".join(x or "—" for x in k))
    _hospital_floor(f, ctx, tr, metrics, keys, target, directions)
    rows = []
    for (mc, d, e), n, di in zip(keys, target, directions):
        if None in (mc, d, e, n, di):
            rows.append(None)
            continue
        rows.append({"metric": mc, "dept_code": d, "effective_from": e, "target": n, "direction": di})
    _emit(out, "targets", f, rows)


def _hospital_floor(f: _Frame, ctx: Context, tr: _Tr, metrics, keys, target, directions) -> None:
    """PRODUCT §3.2, §4.2: a department's own target may be stricter than the hospital's, never looser (seed 000: a
    department proposing 85 was told it must reach 90). Checked against every hospital target in force while the
    department's target holds (from its month until its next own row), the file's own hospital rows included."""
    stored = {
        (r["metric"], r["dept_code"], r["effective_from"]): (float(r["target"]), r["direction"]) for r in ctx.targets
    }
    final = {} if ctx.targets_replaced else dict(stored)
    for k, n, di in zip(keys, target, directions):
        if None not in k and n is not None and di is not None:
            final[k] = (n, di)
    hosp: dict[str, list[tuple[str, float, str]]] = {}
    own: dict[tuple[str, str], list[str]] = {}
    for (mc, d, e), (n, di) in final.items():
        if d == "":
            hosp.setdefault(mc, []).append((e, n, di))
        else:
            own.setdefault((mc, d), []).append(e)
    for v in hosp.values():
        v.sort()
    names = {m.code: i18n.metric_name(m, tr.lang) for m in metrics if m is not None}
    for i, ((mc, d, e), n, di) in enumerate(zip(keys, target, directions)):
        if not d or None in (mc, d, e, n, di) or mc not in hosp:
            continue
        end = min((x for x in own.get((mc, d), []) if x > e), default="9999-12")
        rows = hosp[mc]
        start = max((j for j, h in enumerate(rows) if h[0] <= e), default=None)
        relevant = ([rows[start]] if start is not None else []) + [h for h in rows if e < h[0] < end]
        for since, h, hdi in relevant:
            sign = "≥" if hdi == ">=" else "≤"
            since_text = tr.t("floor_always") if since == contract.EPOCH_MONTH else since
            fmt = dict(metric=names.get(mc, mc), hospital=i18n.fmt_number(h, tr.lang), sign=sign, since=since_text)
            if di != hdi:
                tr.err(f.lines[i], f.name("direction"), f.raw("direction")[i], "floor_direction", **fmt)
                break
            if (n < h) if di == ">=" else (n > h):
                tr.err(
                    f.lines[i], f.name("target"), f.raw("target")[i], "floor", target=i18n.fmt_number(n, tr.lang), **fmt
                )
                break


def _indicators(f: _Frame, ctx: Context, tr: _Tr, out: Checked) -> None:
    """The veto/warning indicator catalogue (PRODUCT §4.4): code, kind 否决|警示, Chinese name; the rest optional."""
    codes = _text_col(f, "code", tr, required=True)
    kinds = _enum_col(f, "kind", tr, contract.EVENT_KINDS, required=True)
    names = _text_col(f, "name_zh", tr, required=True)
    texts = {c: _text_col(f, c, tr) for c in ("name_en", "evidence", "office")}
    active = _parsed_col(f, "active", tr, parse_bool, "bool")
    _duplicates(f, [(c,) for c in codes], tr, f.name("code"), lambda k: k[0])
    stored = {i["code"] for i in ctx.indicators}
    rows = []
    for i, code in enumerate(codes):
        if code is None:
            rows.append(None)
            continue
        r = {"code": code, "kind": kinds[i], "name_zh": names[i], "active": active[i]}
        r |= {c: texts[c][i] for c in texts}
        if r["name_en"] is None and code not in stored:
            r["name_en"] = names[i]  # a new indicator needs an English name: its Chinese one until given
        rows.append({k: v for k, v in r.items() if v is not None})
    _emit(out, "indicator_catalogue", f, rows)


_METRIC_CODE = re.compile(r"^[A-Za-z0-9_]+$")


def _metric_catalogue(f: _Frame, ctx: Context, tr: _Tr, out: Checked) -> None:
    """The metric catalogue (PRODUCT §3.2: a metric added here becomes a column of monthly files)."""
    codes = _text_col(f, "code", tr, required=True)
    for line, code, raw in zip(f.lines, codes, f.raw("code")):
        if code is not None and not _METRIC_CODE.match(code):
            tr.err(line, f.name("code"), raw, "metric_code")
    names = _text_col(f, "name_zh", tr, required=True)
    texts = {c: _text_col(f, c, tr) for c in ("name_en", "unit_zh", "unit_en")}
    directions = _enum_col(f, "direction", tr, contract.DIRECTION_ALIASES, required=True)
    nums = {c: _number_col(f, c, tr) for c in ("default_target", "lo", "hi")}
    scopes = _enum_col(f, "scope", tr, contract.METRIC_SCOPES)
    aggregates = _enum_col(f, "aggregate", tr, contract.METRIC_AGGREGATES)
    integer = _parsed_col(f, "integer", tr, parse_bool, "bool")
    for i, (line, lo, hi) in enumerate(zip(f.lines, nums["lo"], nums["hi"])):
        if lo is not None and hi is not None and lo > hi:
            tr.err(line, f.name("hi"), f.raw("hi")[i], "lo_above_hi")
    _duplicates(f, [(c,) for c in codes], tr, f.name("code"), lambda k: k[0])
    stored = {m.code for m in ctx.metric_defs}
    rows = []
    for i, code in enumerate(codes):
        if code is None:
            rows.append(None)
            continue
        r = {"code": code, "name_zh": names[i], "direction": directions[i], "scope": scopes[i]}
        r |= {"aggregate": aggregates[i], "integer": integer[i]}
        r |= {c: texts[c][i] for c in texts} | {c: nums[c][i] for c in nums}
        if r["name_en"] is None and code not in stored:
            r["name_en"] = code  # a new metric needs an English name: its code until given
        rows.append({k: v for k, v in r.items() if v is not None})
    _emit(out, "metric_catalogue", f, rows)


def _calendar(f: _Frame, ctx: Context, tr: _Tr, out: Checked) -> None:
    """PRODUCT §4.1 calendar: one row per date (休 holiday / 班 adjusted working day, a name); a date twice is an
    error naming the first line, a date that does not exist (2027-02-30) is an error."""
    dates = _parsed_col(f, "date", tr, parse_date, "date", required=True)
    kinds = _enum_col(f, "kind", tr, contract.CALENDAR_KINDS, required=True)
    names = _text_col(f, "name", tr)
    _duplicates(f, [(d,) for d in dates], tr, f.name("date"), lambda k: k[0])
    rows = []
    for d, k, n in zip(dates, kinds, names):
        if d is None or k is None:
            rows.append(None)
            continue
        rows.append({"date": d, "kind": k, "name": n} if n is not None else {"date": d, "kind": k})
    _emit(out, "calendar_days", f, rows)


# ---------------------------------------------------------------------------------------------
# months in the future
# ---------------------------------------------------------------------------------------------


def next_month(today: date | None = None) -> str:
    d = today or clock.today()
    return f"{d.year + 1:04d}-01" if d.month == 12 else f"{d.year:04d}-{d.month + 1:02d}"


def _future_months(f: _Frame, months: list, tr: _Tr) -> None:
    """A month after next month is an error (a typo'd 2099 made every overview open on an empty quarter)."""
    limit = next_month()
    raw = f.raw("month")
    for i, (line, mo) in enumerate(zip(f.lines, months)):
        if mo is not None and mo > limit:
            tr.err(line, f.name("month"), raw[i], "future_month", month=mo, limit=limit)
            months[i] = None


# ---------------------------------------------------------------------------------------------
# Programme kinds (PRODUCT §8)
# ---------------------------------------------------------------------------------------------


def _dept_frame(ctx: Context) -> pd.DataFrame:
    """The known departments as programme.responsible_codes wants them: dept_code, dept_name, category, active."""
    rows = [(code, name, *ctx.dept_categories.get(code, (None, 1))) for code, name in ctx.departments.items()]
    return pd.DataFrame(rows, columns=["dept_code", "dept_name", "category", "active"])


def _dept_refs(f: _Frame, col: str, ctx: Context, tr: _Tr, required: bool = True) -> list[str | None]:
    """One department per cell, by code or by name (PRODUCT §8); an unknown one is an error naming the closest
    known code or name. Programme files never create departments."""
    by_name = _codes_by_name(ctx.departments)
    known = [*ctx.departments, *by_name]
    out = []
    for line, text, raw in zip(f.lines, _text_col(f, col, tr, required=required), f.raw(col)):
        if text is None:
            out.append(None)
            continue
        code = text if text in ctx.departments else by_name.get(text)
        if code is None:
            close = difflib.get_close_matches(text, known, n=1, cutoff=0.5)
            if close:
                tr.err(line, f.name(col), raw, "dept_unknown_close", dept=text, close=close[0])
            else:
                tr.err(line, f.name(col), raw, "dept_unknown_none", dept=text)
        out.append(code)
    return out


def _due_after_issue(f: _Frame, tr: _Tr, first: list, due: list, due_col: str, code: str) -> None:
    """A due date before the issue (or update) date is an error (PRODUCT §8)."""
    for line, a, b, raw in zip(f.lines, first, due, f.raw(due_col)):
        if a is not None and b is not None and b < a:
            tr.err(line, f.name(due_col), raw, code, first=a)


def _tasks(f: _Frame, ctx: Context, tr: _Tr, out: Checked) -> None:
    """PRODUCT §8 tasks: code (unique in the file), title, lead department (code or name), responsible departments
    (codes or names separated by 、，;； — 全院各科室 = all, 全院临床科室 = every 临床 department), due date, status
    (zh or en; blank keeps the stored one), progress note, update date, optional catalogue metric."""
    codes = _text_col(f, "task_code", tr, required=True)
    titles = _prose_col(f, "title", tr, required=True)
    cats = _text_col(f, "category", tr)
    leads = _dept_refs(f, "lead_dept", ctx, tr)
    due = _parsed_col(f, "due_on", tr, parse_date, "date", required=True)
    statuses = _enum_col(f, "status", tr, contract.TASK_STATUSES)
    notes = _prose_col(f, "progress", tr)
    updated = _parsed_col(f, "updated_on", tr, parse_date, "date")
    metric_look = {norm_header(n): m.code for m in ctx.metric_defs for n in (m.code, m.name_zh, m.name_en, *m.aliases)}
    metrics = []
    for line, raw in zip(f.lines, f.raw("metric")):
        if is_blank(raw):
            metrics.append(None)
            continue
        code = metric_look.get(norm_header(raw))
        if code is None:
            close = difflib.get_close_matches(clean_text(raw), [m.name_zh for m in ctx.metric_defs], n=1, cutoff=0.4)
            if close:
                tr.err(line, f.name("metric"), raw, "metric_unknown", suggest=close[0])
            else:
                tr.err(line, f.name("metric"), raw, "metric_unknown_none")
        metrics.append(code)
    responsible = _dept_list_col(f, "responsible", ctx, tr)
    _duplicates(f, [(c,) for c in codes], tr, f.name("task_code"), lambda k: k[0])
    rows = []
    for i, code in enumerate(codes):
        if code is None or titles[i] is None or leads[i] is None or due[i] is None:
            rows.append(None)
            continue
        r = {"task_code": code, "title": titles[i], "category": cats[i], "lead_dept": leads[i]}
        r |= {"responsible": responsible[i], "due_on": due[i], "status": statuses[i], "progress": notes[i]}
        r |= {"updated_on": updated[i], "metric": metrics[i]}
        rows.append({k: v for k, v in r.items() if v is not None})
    _emit(out, "tasks", f, rows)


def _notices(f: _Frame, ctx: Context, tr: _Tr, out: Checked) -> None:
    """PRODUCT §8 notices: 文号 (unique in the file), type (整改通知书 by default), department (code or name), issue
    and due dates (due not before issue), the problem, a linked event, status (整改中 by default), closing date."""
    nos = _text_col(f, "notice_no", tr, required=True)
    types = _enum_col(f, "notice_type", tr, contract.NOTICE_TYPES)
    depts = _dept_refs(f, "dept_code", ctx, tr)
    issued = _parsed_col(f, "issued_on", tr, parse_date, "date", required=True)
    due = _parsed_col(f, "due_on", tr, parse_date, "date", required=True)
    issues = _prose_col(f, "issue", tr)
    events = _text_col(f, "event_id", tr)
    statuses = _enum_col(f, "status", tr, contract.NOTICE_STATUSES)
    closed = _parsed_col(f, "closed_on", tr, parse_date, "date")
    _due_after_issue(f, tr, issued, due, "due_on", "due_before_issue")
    for line, a, c, raw in zip(f.lines, issued, closed, f.raw("closed_on")):
        if a is not None and c is not None and c < a:
            tr.err(line, f.name("closed_on"), raw, "closed_before_issue", first=a)
    _duplicates(f, [(n,) for n in nos], tr, f.name("notice_no"), lambda k: k[0])
    rows = []
    for i, no in enumerate(nos):
        if None in (no, depts[i], issued[i], due[i]):
            rows.append(None)
            continue
        st = statuses[i] or ("closed" if closed[i] else None)
        r = {"notice_no": no, "notice_type": types[i], "dept_code": depts[i], "issued_on": issued[i]}
        r |= {"due_on": due[i], "issue": issues[i], "event_id": events[i], "status": st, "closed_on": closed[i]}
        rows.append({k: v for k, v in r.items() if v is not None})
    _emit(out, "notices", f, rows)


def _staff(f: _Frame, ctx: Context, tr: _Tr, out: Checked) -> None:
    """PRODUCT §8 staff (personal data): 工号 (unique in the file), 姓名, department (code or name), 入科日期, 在岗."""
    ids = _text_col(f, "staff_id", tr, required=True)
    names = _text_col(f, "name", tr, required=True)
    depts = _dept_refs(f, "dept_code", ctx, tr)
    since = _parsed_col(f, "in_dept_since", tr, parse_date, "date", required=True)
    active = _parsed_col(f, "active", tr, parse_bool, "bool")
    _duplicates(f, [(s,) for s in ids], tr, f.name("staff_id"), lambda k: k[0])
    rows = []
    for i, sid in enumerate(ids):
        if None in (sid, names[i], depts[i], since[i]):
            rows.append(None)
            continue
        r = {"staff_id": sid, "name": names[i], "dept_code": depts[i], "in_dept_since": since[i], "active": active[i]}
        rows.append({k: v for k, v in r.items() if v is not None})
    _emit(out, "staff", f, rows)


# ---------------------------------------------------------------------------------------------
# A kind checked by its columns alone
# ---------------------------------------------------------------------------------------------

# Column type → (the cell's reading, the error when it gives None).
_PARSERS = {
    "date": (parse_date, "date"),
    "month": (parse_month, "month"),
    "year": (parse_year, "year"),
    "bool": (parse_bool, "bool"),
}


def by_columns(f: _Frame, ctx: Context, tr: _Tr, out: Checked) -> None:
    """The validator of a kind with no rules beyond its registry entry: each column read by its type (text, number
    in its range, date, month, year, 是/否, one of its choices), required cells filled, the key once in the file; a
    row is written to the kind's table as read."""
    kind = contract.KINDS[out.kind]
    values: dict[str, list] = {}
    for c in kind.columns:
        if c.name == "hospital_code":  # the hospital column is checked before (_hospital_column)
            continue
        if c.type in ("int", "float"):
            nums = _number_col(f, c.name, tr, lo=c.lo, hi=c.hi, integer=c.type == "int", required=c.required)
            values[c.name] = [_int(n) for n in nums] if c.type == "int" else nums
        elif c.type == "enum":
            values[c.name] = _enum_col(f, c.name, tr, {code: (code,) for code in c.choices}, required=c.required)
        elif c.type in _PARSERS:
            parse, err = _PARSERS[c.type]
            values[c.name] = _parsed_col(f, c.name, tr, parse, err, required=c.required)
        else:
            values[c.name] = _text_col(f, c.name, tr, required=c.required)
    key = [c for c in kind.key if c != "hospital_code"]
    keys = list(zip(*(values[c] for c in key)))
    _duplicates(f, keys, tr, f.name(key[0]), lambda k: " ".join(str(x) for x in k))
    required = [c.name for c in kind.columns if c.name in values and (c.required or c.name in key)]
    rows = []
    for i in range(len(f.lines)):
        r = {name: v[i] for name, v in values.items()}
        rows.append(None if any(r[c] is None for c in required) else {k: v for k, v in r.items() if v is not None})
    _emit(out, kind.table, f, rows)


# Where a reminder may go (PRODUCT §11): an e-mail address (one @, no spaces, line breaks, commas or angle brackets: no
# second recipient or header can ride on it) and a robot webhook over http(s).
EMAIL_PATTERN = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")
WEBHOOK_PATTERN = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)


def _contacts(f: _Frame, ctx: Context, tr: _Tr, out: Checked) -> None:
    """PRODUCT §11 contacts (personal data): 联系人类型 (科室负责人 or 领导), department (code or name; required for a
    department's contact, none for the leadership), 姓名, 邮箱 and/or 机器人地址 (at least one, each checked)."""
    n = len(f.lines)
    types = _enum_col(f, "contact_type", tr, contract.CONTACT_TYPES, required=True)
    depts = _dept_refs(f, "dept_code", ctx, tr, required=False) if f.has("dept_code") else [None] * n
    names = _text_col(f, "name", tr, required=True)
    emails, raw_e = (_text_col(f, "email", tr), f.raw("email")) if f.has("email") else ([None] * n, [None] * n)
    hooks, raw_w = (_text_col(f, "webhook", tr), f.raw("webhook")) if f.has("webhook") else ([None] * n, [None] * n)
    raw_d = f.raw("dept_code") if f.has("dept_code") else [None] * n
    bad = set()
    for i, line in enumerate(f.lines):
        if emails[i] is not None and not EMAIL_PATTERN.match(emails[i]):
            tr.err(line, f.name("email"), raw_e[i], "contact_email")
            bad.add(i)
        if hooks[i] is not None and not WEBHOOK_PATTERN.match(hooks[i]):
            tr.err(line, f.name("webhook"), raw_w[i], "contact_webhook")
            bad.add(i)
        if emails[i] is None and hooks[i] is None and names[i] is not None:
            tr.err(line, f.name("email") if f.has("email") else f.name("name"), "", "contact_no_address")
            bad.add(i)
        if types[i] == "dept" and depts[i] is None and is_blank(raw_d[i]):
            tr.err(line, f.name("dept_code") if f.has("dept_code") else f.name("contact_type"), "", "contact_no_dept")
            bad.add(i)
    rows = []
    for i, name in enumerate(names):
        if name is None or types[i] is None or i in bad or (types[i] == "dept" and depts[i] is None):
            rows.append(None)
            continue
        dept = depts[i] if types[i] == "dept" else ""
        r = {"contact_type": types[i], "dept_code": dept, "name": name, "email": emails[i], "webhook": hooks[i]}
        rows.append({k: v for k, v in r.items() if v is not None})
    keys = [(types[i], (depts[i] or "") if types[i] == "dept" else "", names[i]) for i in range(n)]
    _duplicates(f, keys, tr, f.name("name"), lambda k: k[2])
    _emit(out, "contacts", f, rows)


def _dept_list_col(f: _Frame, col: str, ctx: Context, tr: _Tr) -> list[str | None]:
    """A column listing departments (tasks' 责任科室, activities' 涉及科室): each cell's codes joined by
    programme.RESPONSIBLE_JOIN (names, codes, 全院 as programme.responsible_codes reads them), every part not found
    refused with the closest names; None for an empty cell."""
    depts = programme.dept_lookup(_dept_frame(ctx))  # once a file: a lookup per row cost 134 s for 100 k tasks
    listed: list[str | None] = []
    for line, text, raw in zip(f.lines, _text_col(f, col, tr), f.raw(col)):
        if text is None:
            listed.append(None)
            continue
        found, unknown = programme.responsible_codes(text, depts)
        for part, close in unknown:
            if close:
                tr.err(line, f.name(col), raw, "dept_unknown_close", dept=part, close=close)
            else:
                tr.err(line, f.name(col), raw, "dept_unknown_none", dept=part)
        listed.append(programme.RESPONSIBLE_JOIN.join(found))
    return listed


def _activities(f: _Frame, ctx: Context, tr: _Tr, out: Checked) -> None:
    """PRODUCT §10 activities: number (unique in the file), brand (四清 and 清廉文化, zh or en), date, departments
    (codes or names as in tasks' 责任科室, every one known), theme, participants, and for a 清风行动 the 文号 of a
    notice of the same hospital it issued (another brand issues none)."""
    nos = _text_col(f, "activity_no", tr, required=True)
    brands = _enum_col(f, "brand", tr, contract.ACTIVITY_BRANDS, required=True)
    held = _parsed_col(f, "held_on", tr, parse_date, "date", required=True)
    titles = _prose_col(f, "title", tr)
    people = _number_col(f, "participants", tr, lo=0, integer=True)
    listed = _dept_list_col(f, "departments", ctx, tr)
    notices = []
    for line, text, raw, brand in zip(f.lines, _text_col(f, "notice_no", tr), f.raw("notice_no"), brands):
        if text is not None and brand is not None and brand != contract.NOTICE_BRAND:
            tr.err(line, f.name("notice_no"), raw, "activity_notice_brand")
        elif text is not None and text not in ctx.notice_nos:
            tr.err(line, f.name("notice_no"), raw, "activity_notice_unknown", notice=text)
        notices.append(text)
    _duplicates(f, [(n,) for n in nos], tr, f.name("activity_no"), lambda k: k[0])
    rows = []
    for i, no in enumerate(nos):
        if None in (no, brands[i], held[i]):
            rows.append(None)
            continue
        r = {"activity_no": no, "brand": brands[i], "held_on": held[i], "departments": listed[i]}
        r |= {"title": titles[i], "participants": _int(people[i]), "notice_no": notices[i]}
        rows.append({k: v for k, v in r.items() if v is not None})
    _emit(out, "activities", f, rows)


# ---------------------------------------------------------------------------------------------
# 一院一品 (PRODUCT §10 brands, seed 003)
# ---------------------------------------------------------------------------------------------

_BRAND_CONTENT = ("project_code", "category", "title", "plan", "phase")


def _brands(f: _Frame, ctx: Context, tr: _Tr, out: Checked) -> None:
    """PRODUCT §10 brands: one project a hospital and year (年度 once in the file), its code (the same code in
    several hospitals' rows is one shared project), one of the eight directions, the title, plan, phase (blank:
    read from the date) and 亮点项目 — which only the bureau marks; the commission role changes nothing else and
    marks only a project the hospital has declared."""
    years = _parsed_col(f, "year", tr, parse_year, "year", required=True)
    values = {
        "project_code": _text_col(f, "project_code", tr, required=True),
        "category": _enum_col(f, "category", tr, contract.BRAND_CATEGORIES, required=True),
        "title": _prose_col(f, "title", tr, required=True),
        "plan": _prose_col(f, "plan", tr),
        "phase": _enum_col(f, "phase", tr, contract.BRAND_PHASES),
    }
    marks = _parsed_col(f, "highlight", tr, parse_bool, "bool")
    _duplicates(f, [(y,) for y in years], tr, f.name("year"), lambda k: str(k[0]))
    raw_mark = f.raw("highlight")
    for i, (line, year) in enumerate(zip(f.lines, years)):
        stored = ctx.brand_projects.get(year, {}) if year is not None else {}
        if ctx.marks_only:
            if year is not None and not stored:
                tr.err(line, f.name("year"), year, "brand_mark_unknown", year=year)
            for col in _BRAND_CONTENT:
                v = values[col][i]
                if v is not None and stored and v != stored.get(col):
                    tr.err(line, f.name(col), f.raw(col)[i], "brand_mark_only")
        elif not ctx.may_mark and marks[i] is not None and marks[i] != int(stored.get("highlight") or 0):
            tr.err(line, f.name("highlight"), raw_mark[i], "brand_mark_bureau")
    rows = []
    for i, year in enumerate(years):
        r = {"year": year, **{c: v[i] for c, v in values.items()}, "highlight": marks[i]}
        if any(r[c] is None for c in ("year", "project_code", "category", "title")):
            rows.append(None)
            continue
        rows.append({k: v for k, v in r.items() if v is not None})
    _emit(out, "brand_projects", f, rows)


def _brand_notes(f: _Frame, ctx: Context, tr: _Tr, out: Checked) -> None:
    """PRODUCT §10 brands: a dated progress note (进展) or one of the bureau's checks (检查, with its result) on the
    hospital's project of that year — a project it has declared (stored, or in the same upload)."""
    years = _parsed_col(f, "year", tr, parse_year, "year", required=True)
    days = _parsed_col(f, "noted_on", tr, parse_date, "date", required=True)
    types = _enum_col(f, "entry_type", tr, contract.BRAND_NOTE_TYPES, required=True)
    notes = _prose_col(f, "note", tr, required=True)
    results = _enum_col(f, "result", tr, contract.BRAND_RESULTS)
    known = set(ctx.brand_projects) | set(ctx.brand_years_in_upload)
    raw_result = f.raw("result")
    for i, line in enumerate(f.lines):
        if years[i] is not None and years[i] not in known:
            tr.err(line, f.name("year"), f.raw("year")[i], "brand_no_project", year=years[i])
        if types[i] == "progress" and results[i] is not None:
            tr.err(line, f.name("result"), raw_result[i], "brand_result_on_progress")
    _duplicates(
        f, list(zip(years, days, types)), tr, f.name("noted_on"), lambda k: f"{k[1]} {_note_type_label(k[2], tr)}"
    )
    rows = []
    for i, year in enumerate(years):
        r = {"year": year, "noted_on": days[i], "entry_type": types[i], "note": notes[i], "result": results[i]}
        if any(r[c] is None for c in ("year", "noted_on", "entry_type", "note")):
            rows.append(None)
            continue
        rows.append({k: v for k, v in r.items() if v is not None})
    _emit(out, "brand_notes", f, rows)


def _note_type_label(code: str, tr: _Tr) -> str:
    return contract.BRAND_NOTE_TYPES[code][0] if tr.lang == "zh" else code


def _risks(f: _Frame, ctx: Context, tr: _Tr, out: Checked) -> None:
    """PRODUCT §10 risks: 风险点编号 (unique in the file), 单元 (a department by code or name, stored as its code; or a
    post or a procurement stage, kept as written), 招采环节 (one of the 清廉招采 chain; read from the unit when the unit
    names a stage), 风险点, 风险等级 (高/中/低), 防控措施, 责任人或科室 (a department's name becomes its code), 复核期限,
    状态 (在控 by default)."""
    n = len(f.lines)
    codes = _text_col(f, "risk_code", tr, required=True)
    units = _text_col(f, "unit", tr, required=True)
    stages = _enum_col(f, "stage", tr, contract.PROCUREMENT_STAGES) if f.has("stage") else [None] * n
    risks = _prose_col(f, "risk", tr, required=True)
    levels = _enum_col(f, "level", tr, contract.RISK_LEVELS, required=True)
    controls = _prose_col(f, "controls", tr) if f.has("controls") else [None] * n
    owners = _text_col(f, "owner", tr, required=True)
    due = _parsed_col(f, "review_due", tr, parse_date, "date") if f.has("review_due") else [None] * n
    statuses = _enum_col(f, "status", tr, contract.RISK_STATUSES) if f.has("status") else [None] * n
    by_name = _codes_by_name(ctx.departments)
    stage_of = {norm_header(lab): code for code, labels in contract.PROCUREMENT_STAGES.items() for lab in labels}

    def dept(text: str | None) -> str | None:
        # a department named by code or name is stored as its code, so its risk points follow it (eligibility)
        if text is None:
            return None
        return text if text in ctx.departments else by_name.get(text, text)

    _duplicates(f, [(c,) for c in codes], tr, f.name("risk_code"), lambda k: k[0])
    rows = []
    for i, code in enumerate(codes):
        if None in (code, units[i], risks[i], levels[i], owners[i]):
            rows.append(None)
            continue
        stage = stages[i] or stage_of.get(norm_header(units[i]))
        r = {"risk_code": code, "unit": dept(units[i]), "stage": stage, "risk": risks[i], "level": levels[i]}
        r |= {"controls": controls[i], "owner": dept(owners[i]), "review_due": due[i], "status": statuses[i]}
        rows.append({k: v for k, v in r.items() if v is not None})
    _emit(out, "risks", f, rows)


def _talks(f: _Frame, ctx: Context, tr: _Tr, out: Checked) -> None:
    """PRODUCT §10 talks (personal data): 谈话编号 (unique in the file), type (廉政谈话 / 提醒谈话 / 诫勉谈话, zh or en),
    department (code or name), the person and who held it, the date held, the follow-up deadline and the day it was
    closed (neither before the talk)."""
    nos = _text_col(f, "talk_no", tr, required=True)
    kinds = _enum_col(f, "kind", tr, contract.TALK_KINDS, required=True)
    depts = _dept_refs(f, "dept_code", ctx, tr)
    persons = _text_col(f, "person", tr)
    held = _parsed_col(f, "held_on", tr, parse_date, "date", required=True)
    by = _text_col(f, "by", tr)
    due = _parsed_col(f, "follow_up_due", tr, parse_date, "date")
    closed = _parsed_col(f, "closed_on", tr, parse_date, "date")
    _due_after_issue(f, tr, held, due, "follow_up_due", "talk_due_before_held")
    _due_after_issue(f, tr, held, closed, "closed_on", "talk_closed_before_held")
    _duplicates(f, [(n,) for n in nos], tr, f.name("talk_no"), lambda k: k[0])
    rows = []
    for i, no in enumerate(nos):
        if None in (no, kinds[i], depts[i], held[i]):
            rows.append(None)
            continue
        r = {"talk_no": no, "kind": kinds[i], "dept_code": depts[i], "person": persons[i], "held_on": held[i]}
        r |= {"by": by[i], "follow_up_due": due[i], "closed_on": closed[i]}
        rows.append({k: v for k, v in r.items() if v is not None})
    _emit(out, "talks", f, rows)


# ---------------------------------------------------------------------------------------------
# 申报表 (PRODUCT §10 applications, seed 004 附件 2)
# ---------------------------------------------------------------------------------------------

# The lifecycle's reviewing steps (PRODUCT §4.1) in order: the opinion's column and its date's.
APPLICATION_STEPS: tuple[tuple[str, str], ...] = (
    ("branch_opinion", "branch_on"),
    ("group_opinion", "group_on"),
    ("committee_opinion", "committee_on"),
)
# A given share may be rounded to a whole per cent on the paper form.
SHARE_TOLERANCE = 0.5


def party_share(staff: int | None, members: int | None) -> float | None:
    """党员占本部门职工总数比例, in per cent to one decimal; None without both counts (or no staff)."""
    if staff is None or members is None or staff <= 0:
        return None
    return round(members * 100.0 / staff, 1)


def _applications(f: _Frame, ctx: Context, tr: _Tr, out: Checked) -> None:
    """PRODUCT §10 applications (申报表): one a department and year (the department by code or name), 申报时间,
    职工人数 and 中共党员 (not more members than staff), 党员占比 (computed; a given one must agree with the two counts),
    the materials list, and each step's opinion and date — a step dated before the one it follows (or before the
    application), or dated while the step before it is not, is refused."""
    n = len(f.lines)
    years = _parsed_col(f, "year", tr, parse_year, "year", required=True)
    depts = _dept_refs(f, "dept_code", ctx, tr)
    applied = _parsed_col(f, "applied_on", tr, parse_date, "date", required=True)
    staff = [_int(x) for x in _number_col(f, "staff_count", tr, lo=1, integer=True, required=True)]
    members = [_int(x) for x in _number_col(f, "party_members", tr, lo=0, integer=True, required=True)]
    shares = _number_col(f, "party_share", tr, lo=0, hi=100) if f.has("party_share") else [None] * n
    materials = _prose_col(f, "materials", tr) if f.has("materials") else [None] * n
    steps = {}
    for op, on in APPLICATION_STEPS:
        steps[op] = _prose_col(f, op, tr) if f.has(op) else [None] * n
        steps[on] = _parsed_col(f, on, tr, parse_date, "date") if f.has(on) else [None] * n
    for i, line in enumerate(f.lines):
        if staff[i] is not None and members[i] is not None and members[i] > staff[i]:
            tr.err(line, f.name("party_members"), f.raw("party_members")[i], "app_members_over_staff", staff=staff[i])
        computed = party_share(staff[i], members[i])
        if shares[i] is not None and computed is not None and abs(shares[i] - computed) > SHARE_TOLERANCE:
            tr.err(line, f.name("party_share"), f.raw("party_share")[i], "app_share_mismatch", share=computed)
        before, before_col = applied[i], "applied_on"
        for _op, on in APPLICATION_STEPS:
            day = steps[on][i]
            if day is not None and before is None and before_col != "applied_on":
                tr.err(line, f.name(on), f.raw(on)[i], "app_step_skipped", step=_col_label(f, before_col))
            elif day is not None and before is not None and day < before:
                tr.err(line, f.name(on), f.raw(on)[i], "app_step_before", step=_col_label(f, before_col), first=before)
            before, before_col = day, on
    _duplicates(f, list(zip(years, depts)), tr, f.name("dept_code"), lambda k: f"{k[0]} {k[1]}")
    rows = []
    for i, year in enumerate(years):
        if None in (year, depts[i], applied[i], staff[i], members[i]):
            rows.append(None)
            continue
        r = {"year": year, "dept_code": depts[i], "applied_on": applied[i], "staff_count": staff[i]}
        r |= {"party_members": members[i], "party_share": party_share(staff[i], members[i]), "materials": materials[i]}
        r |= {c: v[i] for c, v in steps.items()}
        rows.append({k: v for k, v in r.items() if v is not None})
    _emit(out, "applications", f, rows)


def _col_label(f: _Frame, col: str) -> str:
    """The column as the file writes it, or its Chinese header when the file leaves it out."""
    if f.has(col):
        return f.name(col)
    return next(c.zh for c in contract.KINDS["applications"].columns if c.name == col)
