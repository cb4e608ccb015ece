"""The websocket load bench (bench/wsload.py) runs 2 sessions for 2 s against a tiny store on one process: views are
counted, none failed, and every counted view's messages held the overview's content. No timing is asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import synth

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.bench
def test_wsload_two_sessions_on_a_tiny_store(tmp_path):
    store, out = tmp_path / "tiny.db", tmp_path / "wsload.json"
    synth.build_store(store, synth.Scale("tiny", 6, 14))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("INTEGRITY_DB", None)
    proc = subprocess.run(
        [sys.executable, "-m", "bench.wsload", "--store", str(store), "--sessions", "2", "--seconds", "2"]
        + ["--replicas", "1", "--out", str(out), "--keep", str(tmp_path / "work")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    res = json.loads(out.read_text(encoding="utf-8"))
    (level,) = res["runs"]["1"]["levels"]
    assert level["sessions"] == 2
    assert level["views"] >= 2, level
    assert level["errors"] == 0, level["first_errors"]
    assert level["content_in_every_view"], level
    assert level["deltas_per_view"] > 5, level  # a real page, not an empty run
    if max(level["warm_views_per_session"]) >= 3:  # every third view of a session changes the period grain
        assert level["filter_views"] >= 1, level
    assert level["cpu_ms_per_view"] > 0 and level["peak_rss_mb"] > 0, level
    assert all(not w["errors"] for w in res["runs"]["1"]["warm_up"]), res["runs"]["1"]["warm_up"]
