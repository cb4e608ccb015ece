"""The browser bench's harness runs end to end: a tiny run writes a JSON holding every part it reports.

No timing is asserted (timings depend on the machine); what must hold is that every measurement was taken — the
trivial floor, the same-content floor, the page's visits, its filter change, concurrent viewers, the first visit
after an upload — drawn without an exception on the page, and that every target of the browser bench gets a verdict.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_browser_bench_runs_end_to_end(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--browser", "--scales", "S", "--pages", "overview", "--repeat", "1",
         "--viewer-scales", "S", "--viewers", "1,2", "--viewer-visits", "1", "--keep", str(tmp_path / "stores"),
         "--results", str(tmp_path), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "=== targets ===" in proc.stdout
    res = json.loads(out.read_text(encoding="utf-8"))
    assert (tmp_path / "browser-latest.json").exists()

    drawn = {"drawn", "first_msg", "last_msg", "bytes", "msgs", "server_ms", "charts", "exceptions"}
    assert drawn <= set(res["trivial"]["warm"])
    s = res["scales"]["S"]
    for part in (s["pages"]["overview"], s["floor"]["overview"]):
        assert "error" not in part, part.get("error")
        assert drawn <= set(part["first"]) and drawn <= set(part["warm"])
        for change in ("filter_new", "filter_back", "filter"):
            assert drawn <= set(part[change])
            assert part[change]["exceptions"] == 0
        # the overview draws its ranking and heat map: "drawn" waited for both charts
        assert part["warm"]["charts"] >= 2
        assert part["warm"]["server_ms"] > 0  # the server's own log of its script runs was read
    assert s["pages"]["overview"]["filter_new"]["n"] == 1
    # the warm visits the floor target compares were taken again interleaved with the floor's (≥ 5 each, whatever
    # --repeat), the sequential medians kept beside them
    for part in (s["pages"]["overview"], s["floor"]["overview"]):
        assert part["warm"]["n"] >= 5 and part["warm_sequential"]["n"] == 1
    for n in ("1", "2"):
        c = s["concurrency"][n]
        assert {"p50", "p95", "errors", "peak_rss_mb", "cpu_cores", "visits", "server_p95_ms"} <= set(c)
        assert c["errors"] == 0 and c["visits"] == int(n)
        assert c["peak_rss_mb"] > 0
    assert s["upload"]["committed"]
    assert drawn <= set(s["after_upload"]["overview"])
    targets = {v["target"] for v in res["verdicts"]}
    assert len(targets) == 8
    assert all(v["verdict"] in ("met", "NOT met", "not measured") for v in res["verdicts"])
