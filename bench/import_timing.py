"""Import timings: `python -m bench.import_timing`.

1. The 36-month demo imported as files: the department list, then one wide metrics file (a row per
   department-month, hospital-wide indicators on 全院 rows), into an empty store.
2. A 24,000-row monthly file (200 departments × 120 months, names given so departments are created):
   preview, commit into an empty store, then preview of a second file changing every 10th value.
Prints seconds; no asserts (speed targets live in the benchmark, never in tests).
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

import pandas as pd

from metrics.ingest import export, importer
from metrics.ops import demo


def _timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def demo_files() -> tuple[bytes, bytes]:
    """The demo data as a departments CSV and a wide metrics CSV (Chinese headers, UTF-8 with BOM)."""
    data = demo.build()
    depts = pd.DataFrame(data["departments"])[["dept_code", "dept_name", "category", "party_branch", "staff_count"]]
    depts.columns = ["科室编码", "科室名称", "科室类别", "党支部", "职工人数"]
    wide = pd.DataFrame(data["metric_values"]).pivot_table(
        index=["month", "dept_code"], columns="metric", values="value", aggfunc="first"
    )
    wide = wide.reset_index().replace({"dept_code": {"HOSP": "全院"}})
    return export.csv_bytes(depts), export.csv_bytes(wide)


def big_file(n_depts: int = 200, n_months: int = 120, seed: int = 1) -> bytes:
    rnd = random.Random(seed)
    months = demo.months_ending("2025-12", n_months)
    rows = [
        (
            m,
            f"D{d:03d}",
            f"科室{d:03d}",
            min(100.0, round(rnd.gauss(90, 3), 1)),
            min(100.0, round(rnd.gauss(90, 2), 1)),
            rnd.randint(0, 5),
        )
        for d in range(n_depts)
        for m in months
    ]
    df = pd.DataFrame(rows, columns=["月份", "科室编码", "科室名称", "患者满意度", "职工满意度", "投诉件数"])
    return export.csv_bytes(df)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.db"
        depts, metrics = demo_files()
        r1, t1 = _timed(lambda: importer.commit(depts, "departments.csv", db_path=db))
        r2, t2 = _timed(lambda: importer.commit(metrics, "metrics.csv", db_path=db))
        assert r1.committed and r2.committed, (r1.problems[:3], r2.problems[:3])
        print(
            f"demo 36 months as files: departments {t1:.2f}s + metrics {t2:.2f}s "
            f"({r2.counts['new']} rows, {len(metrics) / 1e6:.2f} MB) = {t1 + t2:.2f}s"
        )

        db = Path(tmp) / "big.db"
        data = big_file()
        p, tp = _timed(lambda: importer.preview(data, "big.csv", db_path=db))
        c, tc = _timed(lambda: importer.commit(data, "big.csv", db_path=db))
        assert c.committed, c.problems[:3]
        print(
            f"24,000-row file ({len(data) / 1e6:.2f} MB, {c.counts['new']} rows new): "
            f"preview {tp:.2f}s, commit {tc:.2f}s"
        )
        changed = data.replace(b",0\r\n", b",1\r\n")
        p2, tp2 = _timed(lambda: importer.preview(changed, "big2.csv", db_path=db))
        c2, tc2 = _timed(lambda: importer.commit(changed, "big2.csv", db_path=db))
        print(
            f"same file with {p2.counts['changed']} rows changed against the stored values: "
            f"preview {tp2:.2f}s, commit {tc2:.2f}s"
        )
        _, tr = _timed(lambda: importer.rollback(c2.batch_id, db_path=db))
        print(f"rollback of that batch: {tr:.2f}s")


if __name__ == "__main__":
    main()
