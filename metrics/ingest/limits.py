"""What one uploaded file may cost: every limit declared here, and checked before parsing.

A file beyond a limit is refused with a message naming the limit and the file's own figure
(``upload.err.read_limit_<name>``), by the upload page and the CLI alike, before anything expensive runs:

- bytes: the file itself (the web server's ``server.maxUploadSize`` and ``MAX_UPLOAD_MB`` below are this figure);
- rows and columns: the lines of a CSV, the used range of each sheet of an XLSX;
- cells: rows × columns of a sheet's used range (what the Excel reader allocates, empty cells included), the
  sum over the sheets (it reads them all), the cell tags of a sheet and the strings of the shared-string table;
- cell length: characters in one cell, CSV or XLSX (Excel's own limit);
- unpacked bytes: an XLSX is a zip; the sum of its parts after decompression.

The Excel reader (python-calamine, Rust) allocates the whole rectangle from A1 to the farthest cell and aborts
the process when that fails — no ``except`` can catch it — so an XLSX is inspected here first: every part is
decompressed as a stream from its compressed bytes (never trusting the sizes the zip declares); every text part
is scanned for row and cell tags in every spelling the reader accepts (namespace prefixes, either quote, any
attribute order, rows and cells without a reference, which it places after the previous one), which gives each
sheet's real used range; the shared-string table is measured string by string. Only then is the reader asked.
The ``<dimension>`` a sheet declares is not used: the reader ignores it too.
"""

from __future__ import annotations

import html
import itertools
import re
import struct
import zlib
from dataclasses import dataclass, field
from xml.parsers import expat

from metrics import i18n

MAX_UPLOAD_MB = 20


@dataclass(frozen=True)
class Limits:
    bytes: int = MAX_UPLOAD_MB * 1024 * 1024
    rows: int = 200_000
    columns: int = 256
    cells: int = 2_000_000  # rows × columns of a sheet: ~250 MB in the reader at most (bench "limits")
    cell_chars: int = 32_767  # Excel's own limit for one cell
    unpacked_bytes: int = 256 * 1024 * 1024


DEFAULT = Limits()
MAX_BYTES = DEFAULT.bytes


class TooLarge(ValueError):
    """A file beyond a limit; ``name`` is the limit (i18n ``upload.err.read_limit_<name>``), ``fmt`` its figures."""

    def __init__(self, name: str, **fmt):
        super().__init__(name)
        self.name = name
        self.fmt = fmt


class NotXlsx(ValueError):
    """A workbook format that cannot be inspected before reading (xls, xlsb, ods, encrypted)."""


def check_bytes(n: int, lim: Limits = DEFAULT) -> None:
    if n > lim.bytes:
        raise TooLarge("bytes", size=f"{n / 1024 / 1024:.1f}", limit=f"{lim.bytes / 1024 / 1024:.0f}")


def check_lines(data: bytes, lim: Limits = DEFAULT) -> None:
    """A CSV's rows, counted as line breaks before decoding (a quoted line break counts too: an upper bound)."""
    n = data.count(b"\n")
    if n > lim.rows:
        raise TooLarge("rows", rows=f"{n:,}", limit=f"{lim.rows:,}", where="")


# ---------------------------------------------------------------------------------------------
# XLSX inspection
# ---------------------------------------------------------------------------------------------

_CHUNK = 1 << 20
# The fast path: rows and cells as every writer we know writes them, the reference first.
_ROW_FIRST = re.compile(rb'<row r="(\d+)"')
_CELL_COL_FIRST = re.compile(rb'<c r="([A-Z]+)\d')
_CELL_ROW_FIRST = re.compile(rb'<c r="[A-Z]+(\d+)"')
# The general path: any row or cell tag (namespace prefix, attributes in any order and quoting).
_PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]*:(?:row|c)[\s/>]")
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*/?>")
_PREFIXED_CELL = re.compile(rb"<[A-Za-z_][\w.-]*:c[\s/>]")
_OPENING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:row|c)[\s/>]")
_R_VALUE = re.compile(rb"(?:^|\s)r\s*=\s*([\"'])(.*?)\1", re.S)
_REF = re.compile(rb"\s*([A-Za-z]{1,7})(\d{1,12})\s*")


# A formula cell without a cached value: <c r="B2"><f>…</f></c> (or an empty <v/>), which Excel writes when it
# did not calculate and other programs write always; the reader sees a blank.
_FORMULA_NO_VALUE = re.compile(
    rb"<c\s([^>]*?)>\s*<f\b[^>]*?(?:/>|>([^<]*)</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*(?:<is\s*/>)?\s*</c>"
)
_R_ATTR = re.compile(rb'\br="([A-Za-z]+)(\d+)"')


@dataclass
class SheetFacts:
    part: str
    name: str
    rows: int = 0  # farthest row referenced (1-based)
    columns: int = 0  # farthest column referenced (1-based)
    cells: int = 0  # cell tags (the reader keeps each one before it builds the sheet)
    formulas_without_value: list[tuple[int, int, str]] = field(default_factory=list)  # (row, col, formula)
    formulas_without_value_count: int = 0


@dataclass
class XlsxFacts:
    sheets: dict[str, SheetFacts]  # by sheet name
    unpacked: int


def col_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode("ascii").upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def col_letters(n: int) -> str:
    s = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _parts(data: bytes, lim: Limits):
    """(name, iterator of decompressed chunks) for each part of the zip, from the compressed bytes themselves."""
    import io
    import zipfile

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as e:
        raise NotXlsx("damaged") from e
    return [(i, _stream(data, i)) for i in infos if not i.is_dir()]


def _stream(data: bytes, info):
    def gen():
        off = info.header_offset
        head = data[off : off + 30]
        if len(head) < 30 or head[:4] != b"PK\x03\x04":
            raise NotXlsx("damaged")
        n, m = struct.unpack("<HH", head[26:30])
        start = off + 30 + n + m
        raw = data[start : start + info.compress_size]
        if info.flag_bits & 0x1:
            raise NotXlsx("encrypted")
        if info.compress_type == 0:
            for i in range(0, len(raw), _CHUNK):
                yield raw[i : i + _CHUNK]
            return
        if info.compress_type != 8:
            raise NotXlsx("compression")
        d = zlib.decompressobj(-15)
        buf = raw
        while buf:
            try:
                out = d.decompress(buf, _CHUNK)
            except zlib.error as e:
                raise NotXlsx("damaged") from e
            if out:
                yield out
            buf = d.unconsumed_tail
            if d.eof:
                break
        while True:  # what the decompressor still holds
            try:
                out = d.flush(_CHUNK) if not d.eof else b""
            except zlib.error:
                out = b""
            if not out:
                break
            yield out

    return gen()


def _sheet_names(workbook: bytes, rels: bytes) -> dict[str, str]:
    """Part name (xl/worksheets/sheet1.xml) → sheet name, from workbook.xml and its rels (best effort)."""
    targets = {}
    for m in re.finditer(rb"<Relationship\b[^>]*>", rels):
        tag = m.group(0)
        i, t = re.search(rb'\bId="([^"]*)"', tag), re.search(rb'\bTarget="([^"]*)"', tag)
        if i and t:
            target = t.group(1).decode("utf-8", "replace")
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            targets[i.group(1)] = re.sub(r"[^/]+/\.\./", "", target)
    out = {}
    for m in re.finditer(rb"<sheet\b[^>]*>", workbook):
        tag = m.group(0)
        nm, rid = re.search(rb'\bname="([^"]*)"', tag), re.search(rb'\br:id="([^"]*)"', tag)
        if nm and rid and rid.group(1) in targets:
            out[targets[rid.group(1)]] = html.unescape(nm.group(1).decode("utf-8", "replace"))
    return out


def inspect_xlsx(data: bytes, lim: Limits = DEFAULT) -> XlsxFacts:
    """The used range of every sheet, checked against the limits before the Excel reader sees the file.

    Raises TooLarge (a limit, with the figures) or NotXlsx (not a zip of XML parts: xls, xlsb, ods, damaged).
    """
    if data[:4] == b"\xd0\xcf\x11\xe0":  # an OLE file: .xls, or an xlsx protected with a password
        raise NotXlsx("xls")
    parts = _parts(data, lim)
    names = {i.filename for i, _ in parts}
    if "xl/workbook.xml" not in names:
        raise NotXlsx("xlsb" if "xl/workbook.bin" in names else "not_xlsx")
    total = 0
    small: dict[str, bytes] = {}
    facts: dict[str, SheetFacts] = {}

    def count(chunk: bytes) -> None:
        nonlocal total
        total += len(chunk)
        if total > lim.unpacked_bytes:
            raise TooLarge(
                "unpacked",
                size=f"{total / 1024 / 1024:.0f}",
                limit=f"{lim.unpacked_bytes / 1024 / 1024:.0f}",
            )

    # workbook.xml and its rels first (small), to name the sheets in messages
    for info, chunks in parts:
        if info.filename in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
            buf = bytearray()
            for c in chunks:
                count(c)
                buf += c
            small[info.filename] = bytes(buf)
    sheet_names = _sheet_names(small.get("xl/workbook.xml", b""), small.get("xl/_rels/workbook.xml.rels", b""))
    sheet_parts = set(sheet_names) | {n for n in names if re.fullmatch(r"xl/worksheets/[^/]+\.xml", n)}
    for info, chunks in parts:
        if info.filename in small:
            continue
        fn = info.filename
        if fn.endswith("sharedStrings.xml") and fn not in sheet_parts:
            _scan_shared_strings(chunks, lim, count)
            continue
        # Every other XML part is scanned as a sheet could be: a workbook may point a sheet at any part name, and
        # a part without cells costs only the scan. Binary parts (images: NUL bytes; never in XML) are only counted.
        first = next(chunks, b"")
        chunks = itertools.chain([first], chunks)
        if fn not in sheet_parts and b"\x00" in first[:4096]:
            for c in chunks:
                count(c)
            continue
        f = SheetFacts(fn, sheet_names.get(fn, fn.rsplit("/", 1)[-1].removesuffix(".xml")))
        _scan_sheet(chunks, f, lim, count)
        if fn in sheet_parts:
            facts[f.name] = f
            area = sum(x.rows * x.columns for x in facts.values())
            if area > lim.cells:  # the reader reads every sheet: their areas add up
                where = f" [{len(facts)} sheets]"
                raise TooLarge("cells", cells=f"{area:,}", limit=f"{lim.cells:,}", where=where)
    return XlsxFacts(facts, total)


def _scan_sheet(chunks, f: SheetFacts, lim: Limits, count) -> None:
    carry = b""
    pos = [0, 0]  # the reader's position (row, column) for rows and cells written without a reference
    for chunk in chunks:
        count(chunk)
        buf = carry + chunk
        cut = buf.rfind(b"<")  # never inside a tag: "<" cannot stand in an attribute value
        if cut < 0:
            cut = 0
        body, carry = buf[:cut], buf[cut:]
        if len(carry) > 8 * lim.cell_chars + _CHUNK:  # text without any tag for longer than a cell may be
            _too_long(f.name, len(carry), lim)
        _scan_body(body, f, lim, pos)
    _scan_body(carry, f, lim, pos)
    _check_area(f, lim)


def _plain_count(body: bytes, tag: bytes) -> int:
    return sum(body.count(b"<" + tag + end) for end in (b" ", b">", b"/", b"\n", b"\t", b"\r"))


def _scan_body(body: bytes, f: SheetFacts, lim: Limits, pos: list[int]) -> None:
    """Scan whole tags of a sheet: the farthest row and column, long texts, formulas without values.

    The fast path: every row and cell written as Excel, openpyxl and the others write them (``<row r="5"``,
    ``<c r="B5"``). Anything else — a namespace prefix, r not first, single quotes, rows or cells without r,
    which the reader places after the previous one — goes through the general path, tag by tag.
    """
    if not body:
        return
    rows = _ROW_FIRST.findall(body)
    cols = _CELL_COL_FIRST.findall(body)
    cell_rows = _CELL_ROW_FIRST.findall(body)
    n_cells, n_rows = _plain_count(body, b"c"), _plain_count(body, b"row")
    prefixed = _PREFIXED.search(body)
    f.cells += n_cells + (len(_PREFIXED_CELL.findall(body)) if prefixed else 0)
    if f.cells > lim.cells:  # more cells than a sheet may hold, whatever their places: stop reading here
        raise TooLarge("cells", cells=f"> {lim.cells:,}", limit=f"{lim.cells:,}", where=f" [{f.name}]")
    if len(cols) == len(cell_rows) == n_cells and len(rows) == n_rows and not prefixed:
        if rows:
            last = int(rows[-1])
            f.rows = max(f.rows, last, int(max(set(rows), key=lambda b: (len(b), b))))
            pos[0], pos[1] = last, 0
        if cell_rows:
            f.rows = max(f.rows, int(max(set(cell_rows), key=lambda b: (len(b), b))))
            f.columns = max(f.columns, max(col_number(c) for c in set(cols)))
    else:
        _scan_tags(body, f, pos)
    if f.rows > lim.rows or f.columns > lim.columns:
        _check_area(f, lim)  # fail early: no need to read the rest of a sheet already too large
    n = lim.cell_chars
    if len(body) > n:
        for m in re.finditer(rb">([^<]{%d,})" % (n + 1), body):
            _check_text(f.name, m.group(1), lim)
    if b"<f" in body:
        for m in _FORMULA_NO_VALUE.finditer(body):
            r = _R_ATTR.search(m.group(1))
            if not r:
                continue
            f.formulas_without_value_count += 1
            if len(f.formulas_without_value) < 20:
                formula = html.unescape((m.group(2) or b"").decode("utf-8", "replace"))[:60]
                f.formulas_without_value.append((int(r.group(2)), col_number(r.group(1)), formula))


def _scan_tags(body: bytes, f: SheetFacts, pos: list[int]) -> None:
    """Rows and cells one by one, as the reader places them: a row without r follows the previous row, a cell
    without r follows the previous cell of its row."""
    tags = _TAG.findall(body)
    if len(tags) != len(_OPENING.findall(body)):  # a row or cell tag we cannot read: the reader's guess is unknown
        raise NotXlsx("damaged")
    for tag, attrs in tags:
        r = _R_VALUE.search(attrs)
        ref = r.group(2) if r else None
        if tag == b"row":
            pos[0] = int(ref) if ref and ref.isdigit() else pos[0] + 1
            pos[1] = 0
            f.rows = max(f.rows, pos[0])
            continue
        cell = _REF.fullmatch(ref) if ref else None
        if cell:
            pos[1] = col_number(cell.group(1))
            f.rows = max(f.rows, int(cell.group(2)))
        else:
            pos[1] += 1
            f.rows = max(f.rows, pos[0])
        f.columns = max(f.columns, pos[1])


def _check_text(sheet: str, raw: bytes, lim: Limits) -> None:
    """A text node longer than a cell may be (in bytes); decoded and counted in characters to be sure."""
    if len(raw) > 8 * lim.cell_chars:  # no character takes more than 8 bytes (&#x10FFFF; aside), so certainly over
        _too_long(sheet, len(raw), lim)
    text = html.unescape(raw.decode("utf-8", "replace"))
    if len(text) > lim.cell_chars:
        _too_long(sheet, len(text), lim)


def _too_long(sheet: str, n: int, lim: Limits) -> None:
    raise TooLarge("cell_chars", chars=f"{n:,}", limit=f"{lim.cell_chars:,}", where=f" [{sheet}]")


def _check_area(f: SheetFacts, lim: Limits) -> None:
    where = f" [{f.name}!A1:{col_letters(max(f.columns, 1))}{max(f.rows, 1)}]"
    if f.rows > lim.rows:
        raise TooLarge("rows", rows=f"{f.rows:,}", limit=f"{lim.rows:,}", where=where)
    if f.columns > lim.columns:
        raise TooLarge("columns", columns=f"{f.columns:,}", limit=f"{lim.columns:,}", where=where)
    if f.rows * f.columns > lim.cells:
        raise TooLarge("cells", cells=f"{f.rows * f.columns:,}", limit=f"{lim.cells:,}", where=where)


class _StringTooLong(Exception):
    pass


def _scan_shared_strings(chunks, lim: Limits, count) -> None:
    """Each shared string's length in characters (its runs added up), streamed: a huge one is refused at once."""
    p = expat.ParserCreate()
    state = {"in_si": 0, "in_t": 0, "n": 0, "i": 0}

    def start(name, attrs):
        name = name.rpartition(":")[2]  # x:si with a namespace prefix is the same element to the reader
        if name == "si":
            state["in_si"], state["n"] = 1, 0
        elif name == "t" and state["in_si"]:
            state["in_t"] += 1

    def end(name):
        name = name.rpartition(":")[2]
        if name == "si":
            state["in_si"] = 0
            state["i"] += 1
            if state["i"] > lim.cells:  # more strings than a sheet may have cells: the reader would hold them all
                raise TooLarge("cells", cells=f"> {lim.cells:,}", limit=f"{lim.cells:,}", where=" [sharedStrings.xml]")
        elif name == "t" and state["in_t"]:
            state["in_t"] -= 1

    def chars(text):
        if state["in_t"]:
            state["n"] += len(text)
            if state["n"] > lim.cell_chars:
                raise _StringTooLong

    def doctype(*_a):
        raise NotXlsx("damaged")  # an XLSX part never declares a DTD (entity expansion)

    p.StartElementHandler = start
    p.EndElementHandler = end
    p.CharacterDataHandler = chars
    p.StartDoctypeDeclHandler = doctype
    p.buffer_text = False
    try:
        for chunk in chunks:
            count(chunk)
            p.Parse(chunk, False)
        p.Parse(b"", True)
    except _StringTooLong:
        raise TooLarge(
            "cell_chars", chars=f"> {lim.cell_chars:,}", limit=f"{lim.cell_chars:,}", where=" [sharedStrings.xml]"
        ) from None
    except expat.ExpatError as e:
        raise NotXlsx("damaged") from e


MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024


def upload_size_error(n_bytes: int, lang: str = i18n.DEFAULT_LANG) -> str | None:
    """The message refusing an upload larger than MAX_UPLOAD_MB, or None when the size is fine."""
    if n_bytes > MAX_UPLOAD_BYTES:
        return i18n.t("auth.upload_too_large", lang, mb=MAX_UPLOAD_MB, size=f"{n_bytes / 1024 / 1024:.1f}")
    return None
