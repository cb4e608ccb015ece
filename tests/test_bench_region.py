"""The region bench (PRODUCT §9) runs end to end on both stores at a tiny size and its table has every row: the import
ratios, every page's cold and warm build, the region overview when it is there, peak RSS. No timing is asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import region

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.bench
def test_region_bench_tiny_on_both_stores(tmp_path, pg_cluster):
    out = tmp_path / "region.json"
    env = dict(os.environ, PYTHONPATH=str(ROOT), INTEGRITY_PG_URL=pg_cluster.admin_url)
    env.pop("INTEGRITY_DB", None)
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--region", "--region-size", "4x3x3", "--region-sample", "1"]
        + ["--repeat", "1", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "ERROR" not in proc.stdout, proc.stdout[-3000:]
    res = json.loads(out.read_text(encoding="utf-8"))
    assert set(res["stores"]) == {"sqlite", "postgresql"}
    for kind in ("sqlite", "postgresql"):
        rows = res["stores"][kind]["build"]["store_rows"]
        assert rows["hospitals"] == 4 and rows["departments"] == 4 * 3, rows
        # H001 through the importer, H002 through it under the profiler, H003 bulk-loaded under the profiler, H004
        # bulk-loaded (3 department metrics and 3 hospital-wide ones a month each), then two months' files for H001
        assert rows["metric_values"] == 4 * (3 * 3 * 3 + 3 * 3) + 2 * (3 * 3 + 3), rows

    labels = [r["row"] for r in res["rows"]]
    pages = region.page_names()
    assert pages[0] == "overview"
    expected = [
        "import: one hospital's history (importer.commit)",
        "import: history ÷ floor",
        "import: one month, one hospital (importer.commit)",
        "import: month ÷ floor",
        "bulk load: one hospital (mean of the timed ones)",
        "peak RSS: build process",
        "peak RSS: pages process (one store alone)",
    ]
    expected += [f"page {p}: {w}" for p in pages for w in ("cold", "warm")]
    for label in expected:
        assert label in labels, (label, labels)
        assert label in proc.stdout
    for r in res["rows"]:
        assert r["sqlite"] is not None and r["postgresql"] is not None, r
