"""Mangled files (PRODUCT §3.3): 500 damaged uploads never crash the importer and never write when rejected.

Each example takes a small valid file of one kind (CSV in UTF-8 or GBK, with a title row, tab-separated, or an
XLSX), damages it (bytes flipped, cut, inserted; lines duplicated, dropped or swapped; cells replaced with
odd text; delimiters changed; re-encoded), or is plain random bytes, and commits it through
``importer.commit``. A rejected file leaves the store exactly as it was and says why.
"""

from __future__ import annotations

import io
import sqlite3

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.ingest import importer
from tests import xlsx_parts

pytestmark = pytest.mark.slow

DEPTS = "2023年科室名录\n科室编码,科室名称,科室类别,职工人数,党员人数,是否在用\nK01,内科,临床,40,12,是\nK02,外科,临床,35,10,是\nK03,检验科,医技,20,5,否\n"
METRICS = "月份,科室编码,患者满意度,职工满意度,投诉件数\n2023-04,K01,91.5,88,1\n2023/5,K02,89 %,90,0\n2023年6月,K01,95,92,2\n合计,,92,90,3\n"
EVENTS = "发生日期,科室编码,类型,指标,事件描述,状态\n2023-04-03,K01,否决,V04,收受红包,已认定\n2023-05-09,K02,警示,W01,有效投诉,核查中\n"
TARGETS = "指标,科室编码,目标值,方向,生效月份\n患者满意度,,90,≥,2023-01\n药占比,,20,<=,2023-01\n患者满意度,K01,92,不低于,2023-04\n"
AWARDS = (
    "科室编码,年度,状态,变更日期,整改截止,备注\nK01,2023,已申报,2023-03-01,,\nK02,2023,整改中,2023-04-01,2023-10-01,\n"
)


def _xlsx(text: str) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for line in text.splitlines():
        ws.append(line.split(","))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


SEEDS: list[tuple[str, bytes]] = [
    ("depts.csv", DEPTS.encode("utf-8-sig")),
    ("metrics.csv", METRICS.encode("gb18030")),
    ("metrics_tab.csv", METRICS.replace(",", "\t").encode("utf-8")),
    ("events.csv", EVENTS.encode("utf-8")),
    ("targets.csv", TARGETS.encode("gb18030")),
    ("awards.csv", AWARDS.encode("utf-8")),
    ("metrics.xlsx", _xlsx(METRICS)),
    ("depts.xlsx", _xlsx(DEPTS)),
    # hand-built parts (shared strings, a formula without a cached value), damaged like the others
    ("shared.xlsx", xlsx_parts.workbook(xlsx_parts.table([r.split(",") for r in DEPTS.splitlines()]))),
    (
        "formula.xlsx",
        xlsx_parts.workbook(
            {**xlsx_parts.table([r.split(",") for r in METRICS.splitlines()]), (3, 3): ("=", "SUM(C2:C2)")}
        ),
    ),
]
ODD_CELLS = [
    "",
    " ",
    "合计",
    "NaN",
    "-1",
    "1e309",
    "9" * 40,
    "=1+1",
    "<script>alert(1)</script>",
    "**科室**",
    "2023-13",
    "\x00",
    "全院",
    "；",
    '"',
    "'",
]


def _mutate(data: bytes, draw) -> bytes:
    op = draw(st.sampled_from(["flip", "cut", "insert", "lines", "cell", "delimiter", "encoding", "truncate_head"]))
    n = len(data)
    if op == "flip" and n:
        i = draw(st.integers(0, n - 1))
        return data[:i] + bytes([data[i] ^ draw(st.integers(1, 255))]) + data[i + 1 :]
    if op == "cut" and n:
        i = draw(st.integers(0, n - 1))
        j = draw(st.integers(i, min(n, i + 64)))
        return data[:i] + data[j:]
    if op == "insert":
        i = draw(st.integers(0, n))
        return data[:i] + draw(st.binary(max_size=24)) + data[i:]
    if op == "truncate_head":
        return data[draw(st.integers(0, max(0, n - 1))) :]
    text = data.decode("utf-8-sig", errors="replace")
    lines = text.splitlines()
    if op == "lines" and lines:
        i = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["dup", "drop", "swap", "blank"]))
        if how == "dup":
            lines.insert(i, lines[i])
        elif how == "drop":
            lines.pop(i)
        elif how == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            lines.insert(i, ",,,")
    elif op == "cell" and lines:
        i = draw(st.integers(0, len(lines) - 1))
        cells = lines[i].split(",")
        k = draw(st.integers(0, len(cells) - 1))
        cells[k] = draw(st.one_of(st.sampled_from(ODD_CELLS), st.text(max_size=12)))
        lines[i] = ",".join(cells)
    elif op == "delimiter":
        lines = [ln.replace(",", draw(st.sampled_from([";", "|", "\t", "，", " "]))) for ln in lines]
    elif op == "encoding":
        enc = draw(st.sampled_from(["utf-16", "gb18030", "big5", "latin-1", "utf-8"]))
        return "\n".join(lines).encode(enc, errors="replace")
    return "\n".join(lines).encode("utf-8")


@st.composite
def mangled_files(draw) -> tuple[str, bytes]:
    if draw(st.integers(0, 9)) == 0:
        name = draw(st.sampled_from(["x.csv", "x.xlsx", "x.txt", "x"]))
        return name, draw(st.binary(max_size=512))
    name, data = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 3))):
        data = _mutate(data, draw)
    if draw(st.booleans()):
        name = draw(st.sampled_from(["upload.csv", "upload.xlsx", "upload.CSV", "上传.csv", "noext"]))
    return name, data


def _fingerprint(path) -> tuple:
    """Everything a write would change: row counts of every table, the sum of values, the data version."""
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute(
            "SELECT (SELECT COUNT(*) FROM metric_values), (SELECT TOTAL(value) FROM metric_values),"
            " (SELECT COUNT(*) FROM departments), (SELECT group_concat(dept_name || category, '|') FROM departments),"
            " (SELECT COUNT(*) FROM events), (SELECT COUNT(*) FROM award_changes), (SELECT COUNT(*) FROM targets),"
            " (SELECT TOTAL(target) FROM targets), (SELECT COUNT(*) FROM batches), (SELECT COUNT(*) FROM batch_changes),"
            " (SELECT COUNT(*) FROM batch_rejects), (SELECT COUNT(*) FROM audit),"
            " (SELECT value FROM meta WHERE key = 'data_version')"
        ).fetchone()
    finally:
        conn.close()


def test_500_mangled_files_never_crash_and_never_write_when_rejected(tmp_path):
    path = tmp_path / "store.db"
    for name, data in SEEDS[:2]:  # departments and some metrics, so a damaged file has something to change
        assert importer.commit(data, name, db_path=path).committed
    stats = {"committed": 0, "rejected": 0}

    @settings(max_examples=500, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(mangled_files())
    def check(example):
        name, data = example
        before = _fingerprint(path)
        report = importer.commit(data, name, user="fuzz", db_path=path)
        if report.committed:
            stats["committed"] += 1
            assert report.batch_id is not None
        else:
            stats["rejected"] += 1
            assert report.problems or report.duplicate_of is not None  # a rejection always says why
            assert all(p.message for p in report.problems)
            assert _fingerprint(path) == before

    check()
    print(f"\nmangled files: {stats}")
    assert stats["rejected"] > 100  # the damage really was damage, most of the time
    assert sum(stats.values()) >= 500
