"""Reading uploaded files (PRODUCT §3.1): bytes + file name → raw tables with Excel line numbers.

CSV: UTF-8 (with or without BOM), else GB18030 (a superset of GBK, which Excel on Chinese Windows
writes); comma or tab. XLSX through python-calamine: the first sheet, or one sheet per kind.
The header is the first row that holds the required columns of some kind; title and blank rows
above it are tolerated. Nothing here judges values; ``metrics.ingest.validate`` does.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass

from metrics import contract, safe
from metrics.ingest import limits
from metrics.ingest import limits as _limits

# How far down a sheet the header may stand (title rows, notes, blank rows above it).
HEADER_SEARCH_ROWS = 30


class ReadError(ValueError):
    """The file cannot be read as a table at all; ``code`` is an i18n key suffix, ``detail`` its argument."""

    def __init__(self, code: str, detail: str = "", **fmt):
        super().__init__(code)
        self.code = code
        self.detail = detail
        self.fmt = fmt  # further figures of the message (a limit's: the file's figure and the limit)


@dataclass(frozen=True)
class RawTable:
    """One table of an uploaded file: header as written, data rows with their Excel line numbers (1-based)."""

    kind: str | None  # recognised (or given) kind; None when no header was found
    encoding: str  # "utf-8", "utf-8-sig", "gb18030" or "xlsx"
    sheet: str  # sheet name for XLSX, "" for CSV
    header_line: int  # the Excel line the header stands on; 0 when no header was found
    header: tuple[str, ...]  # header cells exactly as written (str)
    columns: tuple[str | None, ...]  # canonical column (or metric code) per header cell; None = unknown/blank
    rows: tuple[tuple[int, tuple], ...]  # (Excel line, cells) for every row below the header
    # what reading noticed and the user should see as a warning: Note(code, line, column index …)
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True)
class Note:
    """A warning found while reading: i18n ``upload.warn.<code>``, the Excel line, the column (index into the
    header, None when unknown), the value as written, and the message's figures."""

    code: str
    line: int
    col: int | None
    value: str
    fmt: dict


def norm_header(s) -> str:
    """A header cell reduced for matching: NFKC (full-width → half-width), no spaces, '_' or '-', lower case."""
    s = unicodedata.normalize("NFKC", str(s or ""))
    return re.sub(r"[\s_\-]+", "", s).lower()


def header_names(kind: str, metric_defs: list[contract.Metric]) -> dict[str, str]:
    """Every accepted spelling of a kind's columns → canonical column name (metric code for metric columns)."""
    k = contract.KINDS[kind]
    out: dict[str, str] = {}
    for col in k.columns:
        for name in (col.name, col.zh, *col.aliases):
            out.setdefault(norm_header(name), col.name)
    if k.extra_metric_columns:
        for m in metric_defs:
            for name in (m.code, m.name_zh, m.name_en, *m.aliases):
                out.setdefault(norm_header(name), m.code)
    return out


def display_names(kind: str, metric_defs: list[contract.Metric]) -> list[str]:
    """The names a user would write for a kind's columns (Chinese header and English name), for suggestions."""
    k = contract.KINDS[kind]
    names = [n for col in k.columns for n in (col.zh, col.name, *col.aliases)]
    if k.extra_metric_columns:
        names += [n for m in metric_defs for n in (m.name_zh, m.code, *m.aliases)]
    return names


def read(
    data: bytes,
    file_name: str,
    metric_defs: list[contract.Metric],
    kind: str | None = None,
    limits: limits.Limits = limits.DEFAULT,
) -> list[RawTable]:
    """The tables in an uploaded file. CSV gives one table; XLSX gives one per sheet holding a kind.

    Every limit of ``metrics.ingest.limits`` is checked before the expensive part: the bytes and (CSV) the lines
    before decoding, (XLSX) the used range, the unpacked size and the shared strings before the Excel reader.
    """
    if kind is not None and kind not in contract.KINDS:
        raise ReadError("bad_kind", kind)
    lim = limits
    try:
        _limits.check_bytes(len(data), lim)
        if _is_xlsx(data, file_name):
            return _read_xlsx(data, metric_defs, kind, lim)
        if data[:2] not in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16: a 0x0A byte is not always a line break
            _limits.check_lines(data, lim)
    except _limits.TooLarge as e:
        raise ReadError("limit_" + e.name, **e.fmt) from None
    text, encoding = decode(data)
    grid, notes = _csv_grid(text, lim)
    if _CONTROLS.search(text):
        notes += _strip_controls(grid)
    return [_table(grid, encoding, "", metric_defs, kind, unquote="'" in text, notes=notes)]


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV and the encoding that read it: utf-8-sig (BOM), utf-8, then gb18030.

    Excel's "Unicode text" export (UTF-16 with a BOM, tab-separated) is read too.
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as e:
            raise ReadError("encoding") from e
    if b"\x00" in data[:4096]:
        raise ReadError("binary")
    try:
        text = data.decode("utf-8-sig")
        return text, "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        pass
    mixed = _mixed_encoding(data)
    if mixed:
        raise ReadError("mixed_encoding", utf8_line=mixed[0], gbk_line=mixed[1])
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as e:
        raise ReadError("encoding") from e


_CJK = re.compile("[\u4e00-\u9fff]")


def _mixed_encoding(data: bytes) -> tuple[int, int] | None:
    """(a UTF-8 line, a GBK line) when a file that is not UTF-8 as a whole has lines of Chinese in UTF-8 too.

    Two files pasted together, one saved by Excel (GBK) and one by another program (UTF-8): read as GB18030,
    the UTF-8 names become mojibake that no check would notice. GBK text is almost never valid
    UTF-8 holding Chinese characters, so such a line is taken as UTF-8.
    """
    utf8 = gbk = 0
    for i, ln in enumerate(data.split(b"\n"), start=1):
        if ln.isascii():
            continue
        try:
            if _CJK.search(ln.decode("utf-8")) and not utf8:
                utf8 = i
        except UnicodeDecodeError:
            gbk = gbk or i
        if utf8 and gbk:
            return utf8, gbk
    return None


def _is_xlsx(data: bytes, file_name: str) -> bool:
    return data[:2] == b"PK" or file_name.lower().endswith((".xlsx", ".xlsm", ".xls"))


def _csv_grid(text: str, lim: limits.Limits = limits.DEFAULT) -> list[list]:
    """Rows of cells; row i is Excel line i+1 (csv keeps blank lines as empty rows).

    A cell longer than the cell-length limit, a row wider than the column limit, or more cells in all than
    the cell limit is refused naming the line (csv's own field limit is set to the cell-length limit).
    """
    lines = [ln for ln in text.splitlines()[:HEADER_SEARCH_ROWS] if ln.strip()]
    # The header is the widest line near the top: pick the separator it uses most.
    sample = max(lines, key=lambda ln: max(ln.count(","), ln.count("\t")), default="")
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    csv.field_size_limit(lim.cell_chars)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    grid: list[list] = []
    notes: list[Note] = []
    cells = 0
    last = 0
    try:
        for r in reader:
            if reader.line_num - last > 1:  # a quoted cell with line breaks: a stray quote swallows lines
                notes += _multiline(r, len(grid) + 1, reader.line_num - last, delimiter)
            last = reader.line_num
            n = len(r)
            if n > lim.columns:
                raise ReadError(
                    "limit_columns", columns=f"{n:,}", limit=f"{lim.columns:,}", where=f" [{len(grid) + 1}]"
                )
            cells += n
            if len(grid) >= lim.rows:
                raise ReadError("limit_rows", rows=f"> {lim.rows:,}", limit=f"{lim.rows:,}", where="")
            if cells > lim.cells:
                raise ReadError("limit_cells", cells=f"> {lim.cells:,}", limit=f"{lim.cells:,}", where="")
            grid.append(r)
    except csv.Error as e:
        if "field larger than field limit" in str(e):
            raise ReadError("limit_cell_chars_line", line=len(grid) + 1, limit=f"{lim.cell_chars:,}") from e
        raise ReadError("csv", str(e)) from e
    return grid, notes


def _multiline(row: list, line: int, span: int, delimiter: str) -> list[Note]:
    """A warning for a cell whose line breaks hold separators: rows swallowed by a missing quote.
    A note typed with Alt+Enter in Excel (line breaks, no separators) is left alone."""
    for j, c in enumerate(row):
        if "\n" in c and delimiter in c.split("\n", 1)[1]:
            return [Note("multiline", line, j, c[:40], {"line": line, "n": span})]
    return []


# Bidi controls (U+202A–U+202E, U+2066–U+2069, U+200E/F, U+061C) and zero-width characters (U+200B–U+200D,
# U+2060, U+FEFF): invisible, they reorder what a name shows ("61.5 未达" read backwards) or make two equal
# codes differ. Removed from every text cell on import, with a warning naming the line and column.
_CONTROLS = safe.CONTROLS_RE


def _strip_controls(grid: list[list], max_chars: int | None = None, sheet: str = "") -> list[Note]:
    """Controls removed from every text cell, a note per cell; with ``max_chars``, a longer cell is refused."""
    notes = []
    for i, row in enumerate(grid):
        strs = [c for c in row if type(c) is str]
        if not strs:
            continue
        joined = "".join(strs)
        if max_chars is not None and len(joined) > max_chars and max(map(len, strs)) > max_chars:
            n = max(map(len, strs))
            raise ReadError("limit_cell_chars", chars=f"{n:,}", limit=f"{max_chars:,}", where=f" [{sheet}]")
        if not _CONTROLS.search(joined):
            continue
        for j, c in enumerate(row):
            if type(c) is str:
                clean, n = _CONTROLS.subn("", c)
                if n:
                    row[j] = clean
                    notes.append(Note("controls", i + 1, j, clean[:40], {"line": i + 1, "n": n}))
    return notes


def _read_xlsx(data: bytes, metric_defs, kind: str | None, lim: limits.Limits = limits.DEFAULT) -> list[RawTable]:
    from python_calamine import CalamineWorkbook

    # Before the Rust reader, which allocates A1 to the farthest cell and aborts the process when it cannot.
    try:
        facts = _limits.inspect_xlsx(data, lim)
    except _limits.NotXlsx as e:
        if str(e) == "damaged" and data[:2] != b"PK":
            raise ReadError("xlsx", "BadZipFile") from e
        raise ReadError("not_xlsx" if str(e) != "damaged" else "xlsx", str(e)) from e
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [(name, wb.get_sheet_by_name(name).to_python(skip_empty_area=False)) for name in wb.sheet_names]
    except Exception as e:  # calamine raises its own error types for damaged workbooks
        raise ReadError("xlsx", type(e).__name__) from e
    if not sheets:
        raise ReadError("empty")
    grids, notes = {}, {}
    for name, grid in sheets:
        grid = [list(r) for r in grid]
        grids[name] = grid
        # also a long text the inspection could not see whole (rich-text runs of an inline string)
        notes[name] = _strip_controls(grid, lim.cell_chars, name) + _formula_notes(facts.sheets.get(name))
    tables = []
    for name, grid in grids.items():
        sheet_kind = kind or _kind_from_sheet_name(name)
        t = _table(grid, "xlsx", name, metric_defs, sheet_kind, notes=notes[name])
        if t.kind is not None:
            tables.append(t)
            if kind is not None:
                break  # an explicit kind reads the first sheet whose header holds that kind's columns
    if not tables:
        name = sheets[0][0]
        return [_table(grids[name], "xlsx", name, metric_defs, kind, notes=notes[name])]
    return tables


def _formula_notes(f: _limits.SheetFacts | None) -> list[Note]:
    """Formula cells without a cached value read as blank: one warning naming the first such cell."""
    if f is None or not f.formulas_without_value:
        return []
    row, col, formula = f.formulas_without_value[0]
    cell = f"{_limits.col_letters(col)}{row}"
    more = f.formulas_without_value_count
    return [Note("formula_no_value", row, col - 1, "=" + formula, {"sheet": f.name, "cell": cell, "more_n": more})]


def _kind_from_sheet_name(name: str) -> str | None:
    n = norm_header(name)
    for k in contract.KINDS.values():
        if n in (norm_header(k.name), norm_header(k.zh), norm_header(k.zh.replace("/", "、"))):
            return k.name
    return None


def _table(
    grid: list[list], encoding: str, sheet: str, metric_defs, kind: str | None, unquote=True, notes=()
) -> RawTable:
    kinds = [kind] if kind else list(contract.KINDS)
    lookups = {k: header_names(k, metric_defs) for k in kinds}
    clean = _unquoted if unquote else tuple
    for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        row = clean(row)  # a header our templates wrote through safe.sheet_cell ('=名称 → =名称)
        found = _match_header(row, lookups)
        if found:
            k = found
            header = tuple(_cell_text(c) for c in row)
            columns = tuple(lookups[k].get(norm_header(h)) if h.strip() else None for h in header)
            rows = tuple((j + 1, clean(r)) for j, r in enumerate(grid) if j > i)
            return RawTable(k, encoding, sheet, i + 1, header, columns, rows, tuple(notes))
    rows = tuple((j + 1, tuple(r)) for j, r in enumerate(grid))
    return RawTable(None, encoding, sheet, 0, (), (), rows, tuple(notes))


def _match_header(row: list, lookups: dict[str, dict[str, str]]) -> str | None:
    """The kind whose required columns all appear in ``row`` (most recognised columns wins), else None."""
    cells = {norm_header(_cell_text(c)) for c in row if _cell_text(c).strip()}
    best, best_score = None, 0
    for k, lookup in lookups.items():
        canon = {lookup[c] for c in cells if c in lookup}
        required = {c.name for c in contract.KINDS[k].columns if c.required}
        if required <= canon and len(canon) > best_score:
            best, best_score = k, len(canon)
    return best


# A cell our own downloads neutralised (``safe.sheet_cell``: a leading ' before = + - @ tab CR), so an
# error report corrected in Excel and uploaded again gives back the value as first written.
_NEUTRALISED = frozenset(safe.FORMULA_START)


def _unquoted(row) -> tuple:
    if not any(isinstance(c, str) and c[:1] == "'" for c in row):
        return tuple(row)
    return tuple(c[1:] if isinstance(c, str) and c[:1] == "'" and c[1:2] in _NEUTRALISED else c for c in row)


def _cell_text(c) -> str:
    return "" if c is None else str(c)
