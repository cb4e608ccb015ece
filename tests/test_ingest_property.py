"""Property: random and mangled files never crash the importer, and a rejected commit never writes."""

from __future__ import annotations

import random
import sqlite3

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics import contract
from metrics.ingest import importer
from tests import xlsx_parts

VALID = (
    "2023年科室满意度统计表\n"
    "月份,科室编码,科室名称,患者满意度,职工满意度,投诉件数,药占比\n"
    "2023-04,K01,心血管内科,95.5,91,1,\n"
    "2023/5,K01,心血管内科,96%,92,0,\n"
    "2023年6月,K02,呼吸科, 88 ,90,2,\n"
    "202304,全院,全院,,,,21.3\n"
    "合计,,,90,,,\n"
)

CELLS = st.one_of(
    st.sampled_from(
        ["", " ", "合计", "全院", "K01", "2023-04", "2023年13月", "95%", "-1", "1e400", "nan", "=1+1", "是"]
    ),
    st.text(max_size=8),
    st.integers(-(10**12), 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


def _dump(path) -> dict[str, list]:
    con = sqlite3.connect(path)
    try:
        return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in contract.table_keys()}
    finally:
        con.close()


@st.composite
def mangled_files(draw) -> bytes:
    how = draw(st.sampled_from(["bytes", "truncate", "shuffle", "cells", "gbk_cells"]))
    if how == "bytes":
        return draw(st.binary(max_size=400))
    lines = VALID.splitlines()
    if how == "truncate":
        data = VALID.encode(draw(st.sampled_from(["utf-8", "gb18030", "utf-8-sig"])))
        return data[: draw(st.integers(0, len(data)))]
    if how == "shuffle":
        rnd = random.Random(draw(st.integers(0, 10**6)))
        rows = [ln.split(",") for ln in lines]
        for r in rows:
            rnd.shuffle(r)
        rnd.shuffle(rows)
        return "\n".join(",".join(r) for r in rows).encode("utf-8")
    header = lines[1]
    n = draw(st.integers(1, 6))
    rows = [",".join(draw(st.lists(CELLS, min_size=0, max_size=9))).replace("\n", " ") for _ in range(n)]
    text = "\n".join([header, *rows])
    return text.encode("gb18030" if how == "gbk_cells" else "utf-8", errors="replace")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=mangled_files(), skip=st.booleans())
def test_mangled_files_never_crash_and_never_write_on_rejection(db_file, data, skip):
    before = _dump(db_file)
    report = importer.preview(data, "random.csv")
    assert isinstance(report, importer.ImportReport)
    assert all(isinstance(p.line, int) and isinstance(p.message, str) and p.message for p in report.problems)
    result = importer.commit(data, "random.csv", skip_invalid=skip)
    if not result.committed:
        assert _dump(db_file) == before
    else:
        assert result.problems == () or skip
        importer.rollback(result.batch_id)  # a committed example is undone exactly, for the next example
        assert _dump(db_file) == before


# --- XLSX structures openpyxl never writes: a hostile file ---------------------------------------------------

XLSX_HEAD = ["月份", "科室编码", "科室名称", "患者满意度", "职工满意度", "投诉件数"]
XLSX_ROWS = [["2023-04", "K01", "心血管内科", 95.5, 91, 1], ["2023-05", "K02", "呼吸科", 88, 90, 2]]


@st.composite
def xlsx_files(draw) -> bytes:
    """A small metrics workbook with sparse far cells, huge shared strings and formula cells without values."""
    cells = xlsx_parts.table([XLSX_HEAD, *XLSX_ROWS])
    for _ in range(draw(st.integers(0, 2))):  # sparse far cells: beyond a limit, or far but within them
        row = draw(st.sampled_from([1_048_576, 200_001, 150_000, 5_000, 40, 3]))
        col = draw(st.sampled_from([16_384, 257, 40, 7, 2]))
        cells[(row, col)] = draw(st.one_of(st.integers(0, 9), st.sampled_from(["x", "合计", "=1+1"])))
    for _ in range(draw(st.integers(0, 2))):  # a huge shared string in a text or number cell
        where = (draw(st.integers(2, 3)), draw(st.integers(1, 6)))
        cells[where] = draw(st.sampled_from(["内", "a", "&", "\u202e"])) * draw(
            st.sampled_from([32_767, 32_768, 70_000])
        )
    for _ in range(draw(st.integers(0, 3))):  # formula cells without a cached value
        where = (draw(st.integers(1, 4)), draw(st.integers(1, 6)))
        cells[where] = ("=", draw(st.sampled_from(["SUM(D2:D3)", "A1&B1", "1/0", 'HYPERLINK("x")'])))
    return xlsx_parts.workbook(cells, shared_chunks=draw(st.sampled_from([1, 3])))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=xlsx_files(), skip=st.booleans())
def test_xlsx_structures_never_crash_say_why_and_never_write_on_rejection(db_file, data, skip):
    before = _dump(db_file)
    report = importer.preview(data, "random.xlsx")  # a process abort here would end the whole test run
    assert all(isinstance(p.line, int) and p.message for p in report.problems)
    result = importer.commit(data, "random.xlsx", skip_invalid=skip)
    if not result.committed:
        assert result.problems or result.duplicate_of is not None
        assert _dump(db_file) == before
    else:
        assert result.problems == () or skip
        stored = _dump(db_file)
        assert max((len(r) for rows in stored.values() for r in rows), default=0) < 40_000  # no huge cell stored
        importer.rollback(result.batch_id)
        assert _dump(db_file) == before
