"""Hand-built XLSX files: the structures openpyxl never writes — a shared string longer than Excel
allows, a formula without a cached value, a sheet that is a few cells far apart — made from their XML parts."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

from metrics.ingest.limits import col_letters

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WB_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)


col = col_letters  # column number → letters (1 → A, 27 → AA)


def workbook(cells: dict[tuple[int, int], object], sheet: str = "Sheet1", shared_chunks: int = 1) -> bytes:
    """An XLSX from {(row, col): value}: str → shared string (split into ``shared_chunks`` rich-text runs),
    int/float → number, ("=", formula) → a formula cell with no cached value."""
    strings: list[str] = []
    rows: dict[int, list[str]] = {}
    for (r, c), v in sorted(cells.items()):
        ref = f"{col(c)}{r}"
        if isinstance(v, tuple) and v[0] == "=":
            xml = f'<c r="{ref}"><f>{escape(v[1])}</f></c>'
        elif isinstance(v, str):
            strings.append(v)
            xml = f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>'
        else:
            xml = f'<c r="{ref}"><v>{v}</v></c>'
        rows.setdefault(r, []).append(xml)
    sheet_xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}"><sheetData>'
        + "".join(f'<row r="{r}">{"".join(cs)}</row>' for r, cs in sorted(rows.items()))
        + "</sheetData></worksheet>"
    )

    def si(s: str) -> str:
        if shared_chunks <= 1 or len(s) < shared_chunks:
            return f"<si><t>{escape(s)}</t></si>"
        k = len(s) // shared_chunks + 1
        return "<si>" + "".join(f"<r><t>{escape(s[i : i + k])}</t></r>" for i in range(0, len(s), k)) + "</si>"

    shared = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" count="{len(strings)}" '
        f'uniqueCount="{len(strings)}">' + "".join(si(s) for s in strings) + "</sst>"
    )
    wb = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" xmlns:r="{RNS}"><sheets>'
        f'<sheet name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels", WB_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        z.writestr("xl/sharedStrings.xml", shared)
    return out.getvalue()


def table(rows: list[list], start_row: int = 1) -> dict[tuple[int, int], object]:
    return {(start_row + i, j + 1): v for i, r in enumerate(rows) for j, v in enumerate(r) if v is not None}
