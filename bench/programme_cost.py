"""`make bench` section "programme": what a 责任科室 cell and a large tasks file cost (linear, not quadratic).

- cell_whole_x5400: one 责任科室 cell of 5,400 × 全院各科室 against 340 departments (programme.responsible_codes),
  next to cell_one_code_x5400: 5,400 × one code — the same length, the same answer size per part;
- tasks_N / notices_N: previewing a file of N tasks (each naming three responsible departments) or N notices
  (importer.preview into a store of 340 departments): the tasks file should cost about what the notices file does.

    python -m bench.programme_cost [--rows 100000]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import tempfile
import time
from pathlib import Path

import pandas as pd

N_DEPTS = 340


def _departments() -> pd.DataFrame:
    codes = [f"D{i:03d}" for i in range(N_DEPTS)]
    return pd.DataFrame(
        {
            "dept_code": codes,
            "dept_name": [f"科室{i:03d}" for i in range(N_DEPTS)],
            "category": ["临床" if i % 2 else "医技" for i in range(N_DEPTS)],
            "active": [1] * N_DEPTS,
        }
    )


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _csv(rows: list[list]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode("utf-8")


def measure(workdir: Path, rows: int = 100_000) -> dict:
    from metrics import store
    from metrics.ingest import importer
    from metrics.rules import programme

    depts = _departments()
    out = {
        "cell_whole_x5400_s": _timed(lambda: programme.responsible_codes("、".join(["全院各科室"] * 5400), depts)),
        "cell_one_code_x5400_s": _timed(lambda: programme.responsible_codes("、".join(["D001"] * 5400), depts)),
    }
    db = workdir / "programme.db"
    with store.opened(db) as conn:
        conn["departments"].insert_all(depts.assign(hospital_code="").to_dict("records"))
    tasks = [["任务编号", "任务名称", "牵头科室", "责任科室", "完成时限"]]
    tasks += [[f"T{i}", "任务", "D001", f"D{i % N_DEPTS:03d}、D002、科室003", "2026-12-31"] for i in range(rows)]
    notices = [["文号", "科室编码", "下达日期", "整改期限"]]
    notices += [[f"N{i}", f"D{i % N_DEPTS:03d}", "2026-01-05", "2026-12-31"] for i in range(rows)]
    for name, kind, data in (("tasks", "tasks", _csv(tasks)), ("notices", "notices", _csv(notices))):
        out[f"{name}_{rows}_preview_s"] = _timed(lambda k=kind, d=data: importer.preview(d, "f.csv", k, db_path=db))
    return out


def print_results(res: dict) -> None:
    print("\n=== programme: 责任科室 cells and large programme files ===")
    for k, v in res.items():
        print(f"{k:<32} {v:8.2f} s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-programme-") as tmp:
        res = measure(Path(tmp), args.rows)
    print_results(res)
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
