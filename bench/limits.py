"""`make bench` section "limits": what a hostile or oversized file costs before it is refused.

Each case is a file written once here, then committed by a fresh process (``python -m bench.limits worker``)
into an empty store; the worker reports the seconds of ``importer.commit`` and its own peak RSS (ru_maxrss),
next to the RSS of the same process before the commit (imports only).

- all_bad_100k: 100,000 metrics rows, every one with a bad value (validation linear in problems, 12.3);
- rows_1m_20mb: 1,000,000 rows just under the 20 MB size limit (refused by the row limit before decoding);
- far_cell_xlsx: one cell at XFD1048576 (12.1: aborted the process);
- shared_string_629mb: a 629 MB department name as one shared string in a ~600 KB XLSX (12.2: 4.3 GB RSS);
- xlsx_at_cell_limit: the largest sheet the limits let the Excel reader see, 200,000 rows × 10 columns
  (2,000,000 cells; its columns are unknown, so it is refused after reading): what reading alone may cost.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from bench.procs import peak_rss_mb

ROOT = Path(__file__).resolve().parent.parent
HEAD = "月份,科室编码,科室名称,患者满意度\n"

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WB_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
_WB = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_NS}" xmlns:r="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)


def _xlsx(path: Path, sheet_rows: str, strings: list[str], big: int = 0) -> None:
    """A workbook from raw sheet rows XML and shared strings; ``big`` characters appended as one more string,
    streamed so the 629 MB case never sits in memory here."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        z.writestr(
            "xl/worksheets/sheet1.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_NS}"><sheetData>{sheet_rows}</sheetData>'
            "</worksheet>",
        )
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            f.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_NS}">'.encode())
            for s in strings:
                f.write(f"<si><t>{s}</t></si>".encode())
            if big:
                f.write(b"<si><t>")
                block = b"a" * (1 << 20)
                for _ in range(big >> 20):
                    f.write(block)
                f.write(b"a" * (big & ((1 << 20) - 1)))
                f.write(b"</t></si>")
            f.write(b"</sst>")


def build(case: str, workdir: Path) -> Path:
    if case == "all_bad_100k":
        p = workdir / "all_bad_100k.csv"
        p.write_text(HEAD + "".join(f"2023-04,D{i:06d},科室{i},abc\n" for i in range(100_000)), encoding="utf-8")
    elif case == "rows_1m_20mb":
        p = workdir / "rows_1m_20mb.csv"
        limit = 20 * 1024 * 1024
        row = b"2023-04,K0001,95.55\n"  # 20 bytes: a million rows is 20,000,000 bytes, just under 20 MiB
        n = min(1_000_000, (limit - 64) // len(row))
        p.write_bytes(
            b"\xe6\x9c\x88\xe4\xbb\xbd,\xe7\xa7\x91\xe5\xae\xa4\xe7\xbc\x96\xe7\xa0\x81,patient_satisfaction\n"
            + row * n
        )
    elif case == "far_cell_xlsx":
        p = workdir / "far_cell.xlsx"
        rows = (
            '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
            '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>'
            '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
        )
        _xlsx(p, rows, ["科室编码", "科室名称", "K01", "内科"])
    elif case == "shared_string_629mb":
        p = workdir / "shared_string_629mb.xlsx"
        rows = (
            '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
            '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>'
        )
        _xlsx(p, rows, ["科室编码", "科室名称", "K01"], big=629 * 1024 * 1024)
    elif case == "xlsx_at_cell_limit":
        p = workdir / "xlsx_at_cell_limit.xlsx"
        letters = [chr(65 + i) for i in range(10)]
        head = "".join(f'<c r="{c}1" t="s"><v>0</v></c>' for c in letters)
        body = [f'<row r="1">{head}</row>']
        for r in range(2, 200_001):
            body.append(f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>{r % 97}</v></c>' for c in letters) + "</row>")
        _xlsx(p, "".join(body), ["列"])
    else:
        raise ValueError(case)
    return p


CASES = ("all_bad_100k", "rows_1m_20mb", "far_cell_xlsx", "shared_string_629mb", "xlsx_at_cell_limit")


def run_case(case: str, workdir: Path, timeout: int = 1800) -> dict:
    path = build(case, workdir)
    out = {"case": case, "file_bytes": path.stat().st_size}
    cmd = [sys.executable, "-m", "bench.limits", "worker", str(path), str(workdir / f"{case}.db")]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return out | {"error": f"timed out after {timeout} s"}
    out["process_s"] = time.perf_counter() - t0
    line = next((x for x in reversed(p.stdout.splitlines()) if x.startswith("{")), None)
    if line is None:
        return out | {"error": f"worker died (exit {p.returncode}): {p.stderr[-300:]}"}
    path.unlink(missing_ok=True)
    return out | json.loads(line)


def measure(workdir: Path, cases=CASES) -> dict:
    res = {}
    for case in cases:
        print(f"    {case} ...", flush=True)
        res[case] = run_case(case, workdir)
        print("      " + fmt(res[case]), flush=True)
    return res


def fmt(r: dict) -> str:
    if r.get("error"):
        return f"ERROR {r['error'][:160]}"
    verdict = "committed" if r.get("committed") else "refused"
    return (
        f"{r['file_bytes'] / 1024 / 1024:7.2f} MB file: {verdict} in {r['commit_s']:.2f}s"
        f"  peak RSS {r['rss_mb']:.0f} MB (imports alone {r['rss_before_mb']:.0f} MB)"
        f"  {r.get('first_error', '')[:90]}"
    )


def worker(path: str, db: str) -> None:
    from metrics.ingest import importer

    before = peak_rss_mb()
    data = Path(path).read_bytes()
    t0 = time.perf_counter()
    r = importer.commit(data, Path(path).name, db_path=db, lang="en")
    dt = time.perf_counter() - t0
    first = r.problems[0].message if r.problems else ""
    print(
        json.dumps(
            {
                "commit_s": dt,
                "rss_mb": peak_rss_mb(),
                "rss_before_mb": before,
                "committed": r.committed,
                "problems": len(r.problems),
                "first_error": first[:200],
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker(sys.argv[2], sys.argv[3])
    else:
        with tempfile.TemporaryDirectory(prefix="bench-limits-") as tmp:
            cases = sys.argv[1].split(",") if len(sys.argv) > 1 else CASES
            print(json.dumps(measure(Path(tmp), cases), ensure_ascii=False, indent=1))
