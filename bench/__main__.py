"""`make bench`: how fast the product is at three store sizes, against floors measured in the same run.

    python -m bench [--scales S,M,L] [--repeat 5] [--import-scales S,M] [--pages overview,trends]

For each scale it builds a synthetic store (bench/synth.py) and measures
- importing the whole history as one metrics file into an empty store (metrics.ingest.importer preview and
  commit), against a floor: pandas.read_csv of the same bytes plus a plain sqlite3 executemany of the
  same long values into one keyed table in a fresh file;
- at M and L, one month's file (200 rows) previewed and committed into the scale's store;
- every page listed in dashboard.py, each in a fresh process (bench/page_worker.py): first run, cold run
  (Streamlit caches cleared), warm runs (median of --repeat), peak RSS — against the floor of a trivial
  page (bench/trivial_page.py) measured the same way;
- the icon matrix and the overview's pipelines computed alone (n/a when the module is not there yet);
- once, not per scale (section "limits", bench/limits.py): the seconds and peak RSS of refusing a
  100,000-row all-bad file, a 1,000,000-row file at the 20 MB size limit, a far cell and a 629 MB shared string;
- once (section "programme", bench/programme_cost.py): a 责任科室 cell of 5,400 × 全院各科室 against 5,400 × one code,
  and previewing 100,000 tasks against 100,000 notices.

Prints one table per scale and a verdict per target; writes bench/results/<timestamp>.json and latest.json.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import importlib
import inspect
import io
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench import synth

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TRIVIAL = "bench/trivial_page.py"

# targets: what `make bench` calls met.
IMPORT_FLOOR_RATIO = 3.0  # M history commit within 3× the floor
MONTH_FILE_SECONDS = 1.0  # a month's file previews and commits "well under a second"
PAGE_FLOOR_RATIO = 5.0  # every page warm within 5× the trivial page at M
L_OVER_M_RATIO = 2.0  # at L every page within 2× its own time at M
RSS_LIMIT_MB = 400.0  # at L no page process above 400 MB
FLOOR_REPEAT = 25  # warm runs of the trivial page (cheap; its median steadies the ratios)
PAGE_TIMEOUT_S = int(os.environ.get("BENCH_PAGE_TIMEOUT", "1200"))  # one page's process, all its runs


def pages_from_dashboard() -> list[str]:
    """The page files dashboard.py declares (every string literal 'pages/<name>.py'), in order."""
    tree = ast.parse((ROOT / "dashboard.py").read_text(encoding="utf-8"))
    out: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            v = node.value
            if v.startswith("pages/") and v.endswith(".py") and (ROOT / v).is_file() and v not in out:
                out.append(v)
    return out


# ------------------------------------------------------------------------------------------------
# Import
# ------------------------------------------------------------------------------------------------


def _importer():
    try:
        return importlib.import_module("metrics.ingest.importer")
    except ImportError:
        return None


def _counts(report) -> dict:
    """The interesting numbers of an ImportReport, whatever its exact shape."""
    out = {}
    for name in ("kind", "committed", "batch_id", "ok", "duplicate_of"):
        v = getattr(report, name, None)
        if v is not None and not callable(v):
            out[name] = v if isinstance(v, int | float | str | bool) else str(v)
    for name in ("counts",):
        v = getattr(report, name, None)
        if isinstance(v, dict):
            out.update({k: x for k, x in v.items() if isinstance(x, int | float | str)})
    errs = getattr(report, "problems", None)
    if errs is not None:
        try:
            out["errors"] = len(errs)
            if errs:
                out["first_error"] = str(errs[0])[:200]
        except TypeError:
            pass
    return out


def import_floor(data: bytes, workdir: Path) -> float:
    """Seconds for pandas.read_csv of the bytes plus a plain executemany of the long values into a keyed table."""
    import pandas as pd

    path = workdir / "floor.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    t0 = time.perf_counter()
    df = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype={"科室编码": str, "月份": str})
    long = df.drop(columns=["科室名称"]).melt(id_vars=["科室编码", "月份"], var_name="metric").dropna()
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(
        "CREATE TABLE v (dept_code TEXT, month TEXT, metric TEXT, value REAL, PRIMARY KEY (dept_code, month, metric))"
    )
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO v VALUES (?,?,?,?)", long.itertuples(index=False, name=None))
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - t0


def _call(fn, data: bytes, file_name: str, db_path: Path, **kw):
    params = inspect.signature(fn).parameters
    kw = {k: v for k, v in kw.items() if k in params}
    return fn(data, file_name, kind="metrics", db_path=str(db_path), **kw)


def measure_import(data: bytes, file_name: str, db_path: Path) -> dict:
    """Preview and commit seconds of one metrics file into the store at ``db_path``."""
    imp = _importer()
    if imp is None or not hasattr(imp, "preview") or not hasattr(imp, "commit"):
        return {"status": "n/a (metrics.ingest.importer.preview/commit not present)"}
    out: dict = {"rows": data.count(b"\n") - 1, "bytes": len(data)}
    try:
        t0 = time.perf_counter()
        rep = _call(imp.preview, data, file_name, db_path, lang="zh")
        out["preview_s"] = time.perf_counter() - t0
        out["preview"] = _counts(rep)
        t0 = time.perf_counter()
        rep = _call(imp.commit, data, file_name, db_path, user="bench", lang="zh")
        out["commit_s"] = time.perf_counter() - t0
        out["commit"] = _counts(rep)
        out["status"] = "ok"
    except Exception as e:  # a failing importer is a finding, not a crash of the bench
        out["status"] = f"error: {type(e).__name__}: {e}"[:300]
    return out


def import_section(scale: synth.Scale, workdir: Path) -> dict:
    data = synth.history_csv(scale)
    floor = import_floor(data, workdir)
    empty = workdir / f"import_{scale.name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{empty}{suffix}").unlink(missing_ok=True)
    res = measure_import(data, f"history_{scale.name}.csv", empty)
    res["floor_s"] = floor
    if "commit_s" in res:
        res["commit_ratio"] = res["commit_s"] / floor
        res["preview_ratio"] = res["preview_s"] / floor
    return res


def month_file_section(scale: synth.Scale, store_path: Path, workdir: Path) -> dict:
    """One month's file (200 rows) previewed and committed into a copy of the scale's store."""
    copy = workdir / f"month_{scale.name}.db"
    shutil.copy(store_path, copy)
    data = synth.month_csv(scale, n_rows=min(200, scale.depts))
    return measure_import(data, "month.csv", copy)


# ------------------------------------------------------------------------------------------------
# Pages
# ------------------------------------------------------------------------------------------------


def admin_token(db_path: Path) -> str | None:
    """A signed-in administrator's session token in the store (None before sign-in exists)."""
    try:
        from metrics.access import sessions, users
    except ImportError:
        return None
    if not hasattr(sessions, "start_session"):
        return None
    with contextlib.suppress(Exception):  # already there from an earlier run
        users.add_user("bench", "bench-password-1", role="admin", db_path=str(db_path))
    return sessions.start_session("bench", db_path=str(db_path))


def run_worker(page: str, db_path: Path, repeat: int, direct: bool = False, token: str | None = None) -> dict:
    """One page in a fresh process: its timings and peak RSS."""
    cmd = [sys.executable, "-m", "bench.page_worker", page, "--repeat", str(repeat)]
    if direct:
        cmd.append("--direct")
    env = dict(os.environ, INTEGRITY_DB=str(db_path), PYTHONPATH=str(ROOT))
    if token:
        env["BENCH_TOKEN"] = token
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=PAGE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return {"page": page, "error": f"timed out after {PAGE_TIMEOUT_S} s (first + cold + warm runs)"}
    wall = time.perf_counter() - t0
    line = next((x for x in reversed(proc.stdout.splitlines()) if x.startswith("{")), None)
    if line is None:
        return {"page": page, "error": f"worker failed (exit {proc.returncode}): {proc.stderr[-300:]}"}
    res = json.loads(line)
    res["process_s"] = wall
    if res.get("warm"):
        res["warm_median"] = statistics.median(res["warm"])
    return res


def pages_section(db_path: Path, repeat: int, only: list[str] | None) -> dict:
    token = admin_token(db_path)
    # The floor is a few milliseconds, where one scheduler hiccup moves a median of 5 by half: it gets more runs.
    floor = run_worker(TRIVIAL, db_path, max(FLOOR_REPEAT, repeat), direct=True)
    out = {"floor": floor, "pages": {}}
    for page in pages_from_dashboard():
        name = Path(page).stem
        if only and name not in only:
            continue
        res = run_worker(page, db_path, repeat, token=token)
        if res.get("warm_median") is not None and floor.get("warm_median"):
            res["warm_ratio"] = res["warm_median"] / floor["warm_median"]
        out["pages"][name] = res
        print(f"    {name:<10} {_fmt_page(res)}", flush=True)
    return out


# ------------------------------------------------------------------------------------------------
# Computations alone: icon matrix, overview pipelines
# ------------------------------------------------------------------------------------------------


def compute_section(db_path: Path) -> dict:
    """Seconds to compute the icon matrix and the overview's pipelines without Streamlit ("n/a" if absent)."""
    from bench import compute

    return compute.measure(db_path)


# ------------------------------------------------------------------------------------------------
# Report
# ------------------------------------------------------------------------------------------------


def _s(v) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def _r(v) -> str:
    return "n/a" if v is None else f"{v:.1f}×"


def _fmt_page(r: dict) -> str:
    if r.get("error") and r.get("warm_median") is None:
        return f"ERROR {r['error'][:120]}"
    err = f"  (page error: {r['error'][:80]})" if r.get("error") else ""
    return (
        f"first {_s(r.get('first'))}s  cold {_s(r.get('cold'))}s  warm {_s(r.get('warm_median'))}s"
        f"  ({_r(r.get('warm_ratio'))} floor)  RSS {r.get('rss_mb', 0):.0f} MB{err}"
    )


def _pct(v) -> str:
    return "" if v is None else f"{v:.0%}"


def print_scale(name: str, res: dict) -> None:
    sc = synth.SCALES[name]
    rows = ", ".join(f"{k} {v:,}" for k, v in res["store_rows"].items())
    print(f"\n=== {name}: {sc.depts} departments × {sc.months} months ({rows}) ===")
    imp = res.get("import")
    if imp:
        if imp.get("status") == "ok":
            print(
                f"import history ({imp['rows']} rows): preview {_s(imp['preview_s'])}s ({_r(imp['preview_ratio'])})"
                f"  commit {_s(imp['commit_s'])}s ({_r(imp['commit_ratio'])})  floor {_s(imp['floor_s'])}s"
            )
        else:
            print(f"import history: {imp.get('status')}  floor {_s(imp.get('floor_s'))}s")
    mf = res.get("month_file")
    if mf:
        if mf.get("status") == "ok":
            print(f"month file ({mf['rows']} rows): preview {_s(mf['preview_s'])}s  commit {_s(mf['commit_s'])}s")
        else:
            print(f"month file: {mf.get('status')}")
    comp = res.get("compute", {})
    for k, v in comp.items():
        print(f"compute {k}: {_s(v['seconds']) + 's' if 'seconds' in v else v.get('status')}")
    pg = res.get("pages")
    if pg:
        f = pg["floor"]
        print(
            f"{'page':<10} {'first s':>8} {'cold s':>8} {'warm s':>8} {'÷floor':>7} {'RSS MB':>7}"
            f" {'st.* calls':>10} {'in st.*':>8}  note"
        )
        for p, r in [("(floor)", f), *pg["pages"].items()]:
            note = "trivial page" if p == "(floor)" else (r.get("error") or "")[:60]
            ratio = "" if p == "(floor)" else _r(r.get("warm_ratio"))
            print(
                f"{p:<10} {_s(r.get('first')):>8} {_s(r.get('cold')):>8} {_s(r.get('warm_median')):>8}"
                f" {ratio:>7} {r.get('rss_mb', 0):>7.0f} {r.get('st_calls', ''):>10} {_pct(r.get('st_share')):>8}  {note}"
            )
        print(
            "  st.* calls: Streamlit API calls in one warm run; in st.*: the share of that run (profiled) spent inside"
            " them — Streamlit's own cost of drawing what the page shows."
        )


def print_limits(res: dict) -> None:
    print("\n=== limits: one process per file, importer.commit into an empty store ===")
    print(f"{'case':<22} {'file MB':>8} {'result':>9} {'commit s':>9} {'peak RSS MB':>12} {'imports MB':>11}  message")
    for case, r in res.items():
        if r.get("error"):
            print(f"{case:<22} {r.get('file_bytes', 0) / 1048576:>8.2f} {'ERROR':>9}  {r['error'][:100]}")
            continue
        verdict = "committed" if r.get("committed") else "refused"
        print(
            f"{case:<22} {r['file_bytes'] / 1048576:>8.2f} {verdict:>9} {r['commit_s']:>9.3f} {r['rss_mb']:>12.0f}"
            f" {r['rss_before_mb']:>11.0f}  {r.get('first_error', '')[:70]}"
        )


def verdicts(results: dict) -> list[tuple[str, str, str]]:
    """(target, 'met' | 'NOT met' | 'not measured', detail) for each target of the bench."""
    out = []
    m = results.get("M", {})
    imp = m.get("import", {})
    if "commit_ratio" in imp:
        ok = imp["commit_ratio"] <= IMPORT_FLOOR_RATIO
        out.append(("M history commit ≤ 3× floor", "met" if ok else "NOT met", f"{imp['commit_ratio']:.1f}×"))
    else:
        out.append(("M history commit ≤ 3× floor", "not measured", str(imp.get("status", "M not run"))))
    mf = m.get("month_file", {})
    if "commit_s" in mf:
        worst = max(mf["preview_s"], mf["commit_s"])
        out.append(
            (
                "month file (200 rows) preview and commit < 1 s",
                "met" if worst < MONTH_FILE_SECONDS else "NOT met",
                f"preview {mf['preview_s']:.3f}s, commit {mf['commit_s']:.3f}s",
            )
        )
    else:
        out.append(("month file (200 rows) < 1 s", "not measured", str(mf.get("status", "M not run"))))
    mp = m.get("pages", {}).get("pages", {})
    if mp:
        bad = [f"{p} {r['warm_ratio']:.1f}×" for p, r in mp.items() if r.get("warm_ratio", 1e9) > PAGE_FLOOR_RATIO]
        out.append(("every page warm ≤ 5× trivial page at M", "NOT met" if bad else "met", ", ".join(bad) or "all"))
    else:
        out.append(("every page warm ≤ 5× trivial page at M", "not measured", "M pages not run"))
    lp = results.get("L", {}).get("pages", {}).get("pages", {})
    if lp and mp:
        bad, rows = [], []
        for p, r in lp.items():
            a, b = r.get("warm_median"), mp.get(p, {}).get("warm_median")
            if a is None or b is None:
                bad.append(f"{p} n/a")
                continue
            rows.append(f"{p} {a / b:.1f}×")
            if a / b > L_OVER_M_RATIO:
                bad.append(f"{p} {a / b:.1f}×")
        out.append(("every page at L ≤ 2× its time at M", "NOT met" if bad else "met", ", ".join(bad or rows)))
    else:
        out.append(("every page at L ≤ 2× its time at M", "not measured", "needs M and L"))
    if lp:
        bad = [f"{p} {r.get('rss_mb', 0):.0f} MB" for p, r in lp.items() if r.get("rss_mb", 0) > RSS_LIMIT_MB]
        peak = max((r.get("rss_mb", 0) for r in lp.values()), default=0)
        out.append(
            ("no page process > 400 MB RSS at L", "NOT met" if bad else "met", ", ".join(bad) or f"peak {peak:.0f} MB")
        )
    else:
        out.append(("no page process > 400 MB RSS at L", "not measured", "L not run"))
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--browser" in argv:  # the real-browser bench (bench/browser.py)
        from bench import browser

        return browser.main(argv)
    if "--region" in argv:  # the region store on SQLite and on PostgreSQL (bench/region.py)
        from bench import region

        return region.main(argv)
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--scales", default="S,M,L", help="comma-separated scales (S,M,L)")
    ap.add_argument("--repeat", type=int, default=5, help="warm runs per page (the median is reported)")
    ap.add_argument("--import-scales", default="S,M", help="scales at which to time the history import (L is slow)")
    ap.add_argument("--pages", default="", help="only these pages (stems, comma-separated); default all")
    ap.add_argument("--skip", default="", help="sections to skip: import,month,compute,pages,limits,programme")
    ap.add_argument("--keep", metavar="DIR", help="build the stores in DIR and keep them")
    args = ap.parse_args(argv)
    scales = [s.strip().upper() for s in args.scales.split(",") if s.strip()]
    import_scales = {s.strip().upper() for s in args.import_scales.split(",") if s.strip()}
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    only = [p.strip() for p in args.pages.split(",") if p.strip()] or None
    for s in scales:
        if s not in synth.SCALES:
            ap.error(f"unknown scale {s!r}; choose from {', '.join(synth.SCALES)}")

    started = datetime.now()
    results: dict = {"started": started.isoformat(timespec="seconds"), "repeat": args.repeat, "cpus": os.cpu_count()}
    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        for name in scales:
            sc = synth.SCALES[name]
            print(f"\n--- {name}: building store ({sc.depts} × {sc.months}) ...", flush=True)
            db_path = workdir / f"store_{name}.db"
            t0 = time.perf_counter()
            rows = synth.build_store(db_path, sc)
            res: dict = {"store_rows": rows, "build_s": time.perf_counter() - t0}
            results[name] = res
            if "import" not in skip and name in import_scales:
                print("    import of the whole history ...", flush=True)
                res["import"] = import_section(sc, workdir)
            if "month" not in skip and name in ("M", "L"):
                print("    month file ...", flush=True)
                res["month_file"] = month_file_section(sc, db_path, workdir)
            if "compute" not in skip:
                print("    icon matrix and pipelines ...", flush=True)
                res["compute"] = compute_section(db_path)
            if "pages" not in skip:
                print("    pages ...", flush=True)
                res["pages"] = pages_section(db_path, args.repeat, only)
            print_scale(name, res)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    if "limits" not in skip:
        from bench import limits as limits_bench

        print("\n--- limits: files refused before they cost the server ...", flush=True)
        with tempfile.TemporaryDirectory(prefix="bench-limits-") as tmp:
            results["limits"] = limits_bench.measure(Path(tmp))
        print_limits(results["limits"])

    if "programme" not in skip:
        from bench import programme_cost

        print("\n--- programme: 责任科室 cells and a large tasks file ...", flush=True)
        with tempfile.TemporaryDirectory(prefix="bench-programme-") as tmp:
            results["programme"] = programme_cost.measure(Path(tmp))
        programme_cost.print_results(results["programme"])

    results["verdicts"] = [{"target": t, "verdict": v, "detail": d} for t, v, d in verdicts(results)]
    results["seconds"] = (datetime.now() - started).total_seconds()
    print("\n=== targets ===")
    for t, v, d in verdicts(results):
        print(f"{v:<13} {t}: {d}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{started.strftime('%Y%m%dT%H%M%S')}.json"
    text = json.dumps(results, ensure_ascii=False, indent=1, default=str)
    out.write_text(text, encoding="utf-8")
    (RESULTS / "latest.json").write_text(text, encoding="utf-8")
    print(f"\nresults: {out.relative_to(ROOT)} (and bench/results/latest.json)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
