"""`make bench REGION=1` / `python -m bench --region` (PRODUCT §9): a region store on SQLite and on PostgreSQL.

    python -m bench --region [--region-size 100x50x60] [--region-sample 3] [--region-stores sqlite,postgresql]

A region of H hospitals × D departments × M months (default 100 × 50 × 60) in the demo's shape (bench/synth.py per
hospital, another seed each: three department metrics and the three hospital-wide ones per month, events, award
changes, own targets, key tasks, rectification notices). For each store, in fresh processes:

1. build (``python -m bench.region build``): the hospital list through ``importer.commit_rows``; the first
   ``--region-sample`` hospitals written as files (a departments CSV, the whole history as one wide metrics CSV with
   全院 rows) and imported through ``importer.commit`` (events, award changes, targets, tasks, notices through
   ``importer.commit_rows``, the one write path for rows); the other hospitals through ``store.bulk_load`` (SQLite:
   executemany; PostgreSQL: COPY — the importer would take about a second per hospital per store and prove nothing
   more); then one month's file (D + 1 rows) for the first hospital through ``importer.commit`` into the full store.
   Floors, on the same kind of store (a fresh SQLite file / a fresh database on the same server):
   ``pandas.read_csv`` of the same bytes, melted to long values, plus one plain ``executemany`` of those rows into
   ``metric_values`` in one transaction (sqlite3's executemany; psycopg 3's ``cursor.executemany``, which pipelines).
2. pages (``python -m bench.region pages``): every page's view-model (``metrics/views/<page>.build``) for the first
   hospital with the keys a first visit builds (as ui/warm.py), and the region overview
   (``metrics.views.region``) when the module is there: cold = the first build after the view memos were emptied
   (``views.loaded.clear()``: what the first build after a data version moved does), warm = the median of
   ``--repeat`` builds with the memos filled (the page's own ``ui.view`` cache would answer a warm rerun without any
   build). With both stores the builds alternate in one process (SQLite, PostgreSQL, SQLite, …: a busy machine's
   bursts fall on both alike); then each cold and warm build once more under cProfile: seconds inside the database
   driver (psycopg / sqlite3), SQLAlchemy and pandas, the statements sent (round trips), the functions of most own
   time. Each store's pages also run alone in a process of their own, for its peak RSS.
Each worker reports its own peak RSS. The parent starts a throwaway PostgreSQL cluster (tests/pgcluster.py; or the
server ``$INTEGRITY_PG_URL`` names), prints the side-by-side table and one line per row where PostgreSQL is slower,
naming what the profile says took the time; results go to bench/results/region-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_SIZE = "100x50x60"
DEFAULT_SAMPLE = 3
STORES = ("sqlite", "postgresql")
COLD_RUNS = 3  # cold builds per page (the median is reported)
BROWSER_SKIP = {"upload"}  # the upload page is an editor's: the commission user the browser signs in as has none
WORKER_TIMEOUT_S = int(os.environ.get("BENCH_REGION_TIMEOUT", "3600"))


def parse_size(text: str) -> tuple[int, int, int]:
    """'100x50x60' → (hospitals, departments, months)."""
    parts = [int(x) for x in text.lower().replace("×", "x").split("x")]
    if len(parts) != 3 or min(parts) < 1:
        raise ValueError(f"--region-size wants HxDxM (e.g. 100x50x60), got {text!r}")
    return parts[0], parts[1], parts[2]


def hospital_codes(n: int) -> list[str]:
    return [f"H{i:03d}" for i in range(1, n + 1)]


# ------------------------------------------------------------------------------------------------
# Data: one hospital's rows and files
# ------------------------------------------------------------------------------------------------


def _scale(depts: int, months: int):
    from bench import synth

    return synth.Scale(f"{depts}x{months}", depts, months)


def hospital_tables(index: int, depts: int, months: int, end_month: str) -> dict[str, list[tuple]]:
    from bench import synth

    return synth.hospital_tables(_scale(depts, months), end_month, seed=synth.SEED + 11 * index)


def _metric_headers() -> dict[str, str]:
    from metrics import contract

    return {m.code: m.name_zh for m in contract.METRICS}


def departments_csv(tables: dict) -> bytes:
    import pandas as pd

    from metrics.ingest import export

    df = pd.DataFrame(
        [r[:6] for r in tables["departments"]],
        columns=["科室编码", "科室名称", "科室类别", "党支部", "职工人数", "党员人数"],
    )
    return export.csv_bytes(df)


def metrics_csv(values: list[tuple], names: dict[str, str]) -> bytes:
    """Long (dept_code, month, metric, value) rows as one wide metrics file: a row per department-month, a column per
    metric (Chinese names), hospital-wide values on 全院 rows — what an office exports from its HIS."""
    import pandas as pd

    from metrics import contract
    from metrics.ingest import export

    long = pd.DataFrame(values, columns=["dept_code", "month", "metric", "value"])
    wide = long.pivot_table(index=["month", "dept_code"], columns="metric", values="value", aggfunc="first")
    wide = wide.reset_index()
    wide["dept_code"] = wide["dept_code"].replace({contract.HOSPITAL_CODE: "全院"})
    wide = wide.rename(columns={"month": "月份", "dept_code": "科室编码", **_metric_headers()})
    return export.csv_bytes(wide)


def month_values(tables: dict, month: str) -> list[tuple]:
    """The hospital's last month moved to ``month`` (the month after its history), satisfaction 0.1 lower."""
    last = max(r[1] for r in tables["metric_values"])
    out = []
    for code, m, metric, value in tables["metric_values"]:
        if m == last:
            v = round(value - 0.1, 1) if metric.endswith("satisfaction") else value
            out.append((code, month, metric, v))
    return out


def _next_month(m: str) -> str:
    y, mo = int(m[:4]), int(m[5:7]) + 1
    return f"{y + (mo > 12):04d}-{(mo - 1) % 12 + 1:02d}"


# The tables written through importer.commit_rows (the rows' keys are the table's columns).
_ROW_TABLES = ("targets", "events", "award_changes", "tasks", "notices")


def _rows_as_dicts(table: str, rows: list[tuple]) -> list[dict]:
    from metrics import store

    cols = store._BULK_COLUMNS[table]
    return [dict(zip(cols, r, strict=True)) for r in rows]


# ------------------------------------------------------------------------------------------------
# Worker: build a store (importer sample + bulk rest), the import ratios
# ------------------------------------------------------------------------------------------------


def _store_target(kind: str, arg: str) -> str:
    return arg


def _commit(data: bytes, name: str, target: str, hospital: str) -> tuple[float, object]:
    from metrics.ingest import importer

    t0 = time.perf_counter()
    rep = importer.commit(data, name, db_path=target, hospital=hospital, user=None, lang="zh")
    dt = time.perf_counter() - t0
    if not rep.committed:
        raise RuntimeError(f"{name} ({hospital}) refused: {[(p.line, p.column, p.message) for p in rep.problems[:5]]}")
    return dt, rep


def floor_seconds(data: bytes, target: str, hospital: str) -> float:
    """pandas.read_csv of ``data`` melted to long values, plus one plain executemany of them into ``metric_values``
    of the (empty) store at ``target`` in one transaction: sqlite3 or psycopg 3 directly, no store code in between."""
    import pandas as pd

    from metrics import store

    with store.opened(target):
        pass  # the schema, made outside the timing
    store.dispose(target)
    t0 = time.perf_counter()
    df = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype={"科室编码": str, "月份": str})
    long = df.melt(id_vars=["月份", "科室编码"], var_name="metric").dropna()
    rows = [(hospital, d, m, k, float(v)) for m, d, k, v in long.itertuples(index=False, name=None)]
    sql = "INSERT INTO metric_values (hospital_code, dept_code, month, metric, value) VALUES "
    if store.is_server(target):
        import psycopg

        with psycopg.connect(target) as conn, conn.cursor() as cur:  # one transaction, committed on exit
            cur.executemany(sql + "(%s, %s, %s, %s, %s)", rows)
    else:
        import sqlite3

        conn = sqlite3.connect(str(target), isolation_level=None)
        conn.execute("BEGIN")
        conn.executemany(sql + "(?, ?, ?, ?, ?)", rows)
        conn.execute("COMMIT")
        conn.close()
    return time.perf_counter() - t0


def _empty_metric_values(target: str) -> None:
    from metrics import store

    with store.opened(target) as db:
        db.execute("DELETE FROM metric_values")


def build_worker(args) -> dict:
    from bench.procs import peak_rss_mb
    from metrics import contract, store
    from metrics.ingest import importer

    h, d, m = parse_size(args.size)
    codes = hospital_codes(h)
    sample = min(args.sample, h)
    end = args.end_month
    target, floor = args.store, args.floor
    names = _metric_headers()
    out: dict = {"hospitals": h, "departments": d, "months": m, "sample": sample}
    t_all = time.perf_counter()
    with store.opened(target):
        pass
    rows = [
        dict(hospital_code=c, name_zh=f"第{i}医院", name_en=f"Hospital {i}", sort=i) for i, c in enumerate(codes, 1)
    ]
    t0 = time.perf_counter()
    rep = importer.commit_rows("hospitals", rows, source="bench", user=None, action="bench", db_path=target)
    if not rep.committed:
        raise RuntimeError(f"hospitals refused: {[(p.line, p.message) for p in rep.problems[:5]]}")
    out["hospital_list_s"] = time.perf_counter() - t0

    def import_hospital(i: int, code: str, prof: dict | None = None) -> tuple[float, float, float, dict, bytes]:
        """Departments file, history file, then the other kinds as rows, through the importer; with ``prof`` the
        history commit and the other kinds run under cProfile (their profiles go there, no timings)."""
        tables = hospital_tables(i, d, m, end)
        t_dep, _ = _commit(departments_csv(tables), f"departments_{code}.csv", target, code)
        data = metrics_csv(tables["metric_values"], names)

        def history():
            return _commit(data, f"history_{code}.csv", target, code)[0]

        def others():
            for table in _ROW_TABLES:
                if not tables[table]:
                    continue  # a tiny region may have no events: an empty file is refused, not committed
                kind = contract.kind_of_table(table).name
                r = importer.commit_rows(
                    kind,
                    _rows_as_dicts(table, tables[table]),
                    source=f"bench {code}",
                    user=None,
                    action="bench",
                    db_path=target,
                    hospital=code,
                )
                if not r.committed:
                    raise RuntimeError(
                        f"{kind} ({code}) refused: {[(p.line, p.column, p.message) for p in r.problems[:5]]}"
                    )

        if prof is not None:
            prof["history"] = _profiled(history)
            prof["other_kinds"] = _profiled(others)
            return t_dep, 0.0, 0.0, tables, data
        t_hist = history()
        t0 = time.perf_counter()
        others()
        return t_dep, t_hist, time.perf_counter() - t0, tables, data

    profiles: dict = {}
    history, depts_s, others_s = [], [], []
    first_tables = None
    for i, code in enumerate(codes[:sample]):
        t_dep, t_hist, t_oth, tables, data = import_hospital(i, code)
        depts_s.append(t_dep)
        history.append(t_hist)
        others_s.append(t_oth)
        if i == 0:
            first_tables = tables
            out["history_rows"] = data.count(b"\n") - 1
            out["history_bytes"] = len(data)
            out["history_floor_s"] = floor_seconds(data, floor, code)
    out["departments_commit_s"] = depts_s
    out["history_commit_s"] = history
    out["history_commit_median_s"] = statistics.median(history)
    out["history_ratio"] = out["history_commit_median_s"] / out["history_floor_s"]
    out["other_kinds_commit_s"] = others_s
    print(
        f"    [{args.label}] importer: {sample} hospitals, history {out['history_commit_median_s']:.2f}s "
        f"(floor {out['history_floor_s']:.2f}s)",
        flush=True,
    )
    rest = sample
    if sample < h:  # one more hospital through the importer under cProfile (not in the timings)
        import_hospital(sample, codes[sample], profiles)
        rest += 1

    n_bulk, bulk_s = 0, 0.0  # the loads only: generating the rows is the bench's, the same for both stores
    for i, code in enumerate(codes[rest:], rest):
        tables = hospital_tables(i, d, m, end)

        def load(tables=tables, code=code):
            return store.bulk_load(target, tables, note=f"bench region {code}", hospital=code, analyze=False)

        if i == rest:  # the first under cProfile, not in the timings
            box: dict = {}
            profiles["bulk"] = _profiled(lambda load=load, box=box: box.setdefault("n", load()))
            n_bulk += box["n"]
        else:
            t0 = time.perf_counter()
            n_bulk += load()
            bulk_s += time.perf_counter() - t0
        if i % 10 == 0:
            print(f"    [{args.label}] bulk {i + 1}/{h} hospitals ...", flush=True)
    t0 = time.perf_counter()
    with store.opened(target) as db:
        # PostgreSQL: VACUUM too, as autovacuum would have by the time anyone reads (the visibility map lets the
        # hospital-first indexes answer index-only; an autovacuum during the page timings would be noise)
        db.execute("VACUUM ANALYZE" if store.is_server(target) else "ANALYZE")
    out["analyze_s"] = time.perf_counter() - t0
    timed = max(h - rest - 1, 0)
    out["bulk_s"] = bulk_s
    out["bulk_hospitals"] = h - rest
    out["bulk_per_hospital_s"] = bulk_s / timed if timed else None
    out["bulk_rows"] = n_bulk
    out["bulk_path"] = "COPY FROM STDIN" if store.is_server(target) else "sqlite3 executemany"

    # one month's file for the first hospital, into the full store; then the month after, under cProfile
    nxt = _next_month(max(r[1] for r in first_tables["metric_values"]))
    month = metrics_csv(month_values(first_tables, nxt), names)
    out["month_rows"] = month.count(b"\n") - 1
    dt, _ = _commit(month, f"month_{codes[0]}.csv", target, codes[0])
    out["month_commit_s"] = dt
    month2 = metrics_csv(month_values(first_tables, _next_month(nxt)), names)
    profiles["month"] = _profiled(lambda: _commit(month2, f"month2_{codes[0]}.csv", target, codes[0]))
    _empty_metric_values(floor)
    out["month_floor_s"] = floor_seconds(month, floor, codes[0])
    out["month_ratio"] = out["month_commit_s"] / out["month_floor_s"]
    out["profiles"] = profiles

    with store.opened(target) as db:
        out["store_rows"] = {
            t: int(db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in ("hospitals", *store.HOSPITAL_TABLES)
        }
        out["data_version"] = store.data_version(db)
    out["build_s"] = time.perf_counter() - t_all
    out["rss_mb"] = peak_rss_mb()
    return out


# ------------------------------------------------------------------------------------------------
# Worker: pages (view-model builds), cold / warm, profile
# ------------------------------------------------------------------------------------------------


class _Views:
    """Every view a page's first visit builds (the events page: its months, its view, its notices register), built
    in order by one call."""

    def __init__(self, parts):
        self.parts = tuple(parts)

    def __call__(self, _key=None):
        return [build(key) for build, key in self.parts]


PAGES = ("overview", "trends", "matrix", "events", "awards", "tasks", "targets", "briefing", "upload")


def _region_module():
    """metrics.views.region (the region overview) when this checkout has it, else None."""
    import importlib

    try:
        mod = importlib.import_module("metrics.views.region")
    except ImportError:
        return None
    return mod if hasattr(mod, "build") else None


def page_names() -> list[str]:
    """The pages the region bench times, in order: every page's view for one hospital, then the region overview."""
    return [*PAGES, *(["region"] if _region_module() is not None else [])]


def page_jobs(
    target: str, hospital: str, lang: str = "zh", today: date | None = None
) -> list[tuple[str, object, object]]:
    """(page, builder, key) of every page's first-visit views for ``hospital`` (the keys ui/warm.py builds; a
    page of several views gets a ``_Views`` building them all, key None), and the region overview over every
    hospital when metrics/views/region.py is there."""
    from metrics import clock, store
    from metrics.rules import periods
    from metrics.views import ViewKey, awards, briefing, events, matrix, overview, targets, tasks, trends, upload

    today = today or clock.today()  # the day ui/warm.py keys by
    with store.opened(target) as db:
        version = store.data_version(db)
        months = store.months_with_data(db, hospital=hospital)
        depts = "\n".join(store.departments(db, hospital=hospital)["dept_code"].tolist())
        codes = store.hospital_codes(db)
    period = periods.default_period(months, "quarter")

    def key(**choices):
        return ViewKey.of(target, version, lang, hospital=hospital, **choices)

    def views(*parts):
        return _Views(parts), None

    base = ViewKey.of(target, version, lang, hospital=hospital)

    def first_visit(view):  # the page's own default keys (metrics/views/<page>.default_keys), as ui/warm.py builds
        return views(*((b, k) for b, k, _ in view.default_keys(base, period=period, depts=depts, today=today)))

    jobs = [
        ("overview", *first_visit(overview)),
        ("trends", *first_visit(trends)),
        ("matrix", *first_visit(matrix)),
        ("events", *first_visit(events)),
        ("awards", *first_visit(awards)),
        ("tasks", *first_visit(tasks)),
        ("targets", *views((targets.build, key()), (targets.calendar_year, key(year=None, today=today)))),
        ("briefing", *first_visit(briefing)),
        ("upload", *views((upload.build, key(admin=True)))),
    ]  # fmt: skip
    region = _region_module()
    if region is not None:
        rkey = ViewKey.of(target, version, lang, period=period, hospitals=tuple(codes), today=today)
        jobs.append(("region", region.build, rkey))
    return jobs


def _profiled(fn) -> dict:
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    return _profile_split(prof)


def _profile_split(prof: cProfile.Profile) -> dict:
    """What a profile says: seconds inside the database driver (psycopg's Python and C, sqlite3's C methods),
    SQLAlchemy, pandas' SQL reading and pandas overall (own time of their functions), the statements executed
    (round trips: execute/executemany on a cursor or connection), and the 40 functions of most own time."""
    st = pstats.Stats(prof)
    driver = sqla = pandas_sql = pandas_all = 0.0
    statements = 0
    funcs = {}
    for (file, line, func), (_cc, nc, tt, _ct, _callers) in st.stats.items():
        f = file.replace("\\", "/")
        builtin_sqlite = file == "~" and "sqlite3." in func
        if "/psycopg/" in f or "/psycopg_binary/" in f or "psycopg" in func or builtin_sqlite:
            driver += tt
        elif "/sqlalchemy/" in f:
            sqla += tt
        if "/pandas/io/sql" in f:
            pandas_sql += tt
        if "/pandas/" in f:
            pandas_all += tt
        if builtin_sqlite and ("'execute' of" in func or "'executemany' of" in func):
            statements += nc
        elif "/psycopg/cursor.py" in f and func in ("execute", "executemany"):
            statements += nc
        name = func if file == "~" else f"{'/'.join(Path(f).parts[-2:])}:{line}({func})"
        funcs[name] = funcs.get(name, 0.0) + tt
    top = dict(sorted(funcs.items(), key=lambda kv: kv[1], reverse=True)[:40])
    return {
        "total_s": st.total_tt,
        "driver_s": driver,
        "sqlalchemy_s": sqla,
        "pandas_sql_s": pandas_sql,
        "pandas_s": pandas_all,
        "statements": statements,
        "funcs": top,
    }


def pages_worker(args) -> dict:
    """Every page's builds on each store of ``args.target`` (kind=url). With two stores the runs alternate, one store
    then the other, so a busy machine's bursts fall on both alike."""
    from bench.procs import peak_rss_mb
    from metrics.views import loaded

    targets = dict(t.split("=", 1) for t in args.target)
    hospital = args.hospital
    jobs = {kind: page_jobs(url, hospital) for kind, url in targets.items()}
    out: dict = {"hospital": hospital, "interleaved": len(targets) > 1, "pages": {k: {} for k in targets}}
    for kind_jobs in jobs.values():  # once, untimed: the modules' first imports (plotly, …) are no page's cost
        for _name, build, key in kind_jobs:
            try:
                build(key)
            except Exception:
                pass  # reported below
    names = [name for name, _b, _k in next(iter(jobs.values()))]
    for i, name in enumerate(names):
        runs = {kind: (kind_jobs[i][1], kind_jobs[i][2]) for kind, kind_jobs in jobs.items()}
        res: dict = {kind: {"cold_runs": [], "warm": []} for kind in runs}
        try:
            for _ in range(COLD_RUNS):
                for kind, (build, key) in runs.items():
                    loaded.clear()  # what a moved data version does: every memo misses (the pool stays, as a server's)
                    t0 = time.perf_counter()
                    build(key)
                    res[kind]["cold_runs"].append(time.perf_counter() - t0)
            for build, key in runs.values():
                build(key)  # the memos of every store filled again
            for _ in range(args.repeat):
                for kind, (build, key) in runs.items():
                    t0 = time.perf_counter()
                    build(key)
                    res[kind]["warm"].append(time.perf_counter() - t0)
            for kind, (build, key) in runs.items():
                r = res[kind]
                r["cold"], r["warm_median"] = statistics.median(r["cold_runs"]), statistics.median(r["warm"])
                if args.profile:
                    loaded.clear()
                    r["profile"] = _profiled(lambda b=build, k=key: b(k))
                    r["profile_warm"] = _profiled(lambda b=build, k=key: b(k))
        except Exception as e:  # a failing page is a finding, not a crash of the bench
            for r in res.values():
                r["error"] = f"{type(e).__name__}: {e}"[:300]
        for kind, r in res.items():
            out["pages"][kind][name] = r
            print(
                f"    [{kind}] {name:<9} cold {r.get('cold', float('nan')):.3f}s "
                f"warm {r.get('warm_median', float('nan')):.3f}s {r.get('error', '')}",
                flush=True,
            )
    out["rss_mb"] = peak_rss_mb()
    return out


# ------------------------------------------------------------------------------------------------
# Parent: stores, workers, the side-by-side table
# ------------------------------------------------------------------------------------------------


def _run(cmd: list[str], label: str) -> dict:
    """A worker's JSON (its last stdout line starting with '{'); its other lines echoed; its stderr kept in a file
    (a pipe nobody reads could fill and stall it)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with tempfile.TemporaryFile("w+", encoding="utf-8") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=err, text=True)
        lines = []
        try:
            for line in proc.stdout:
                if line.startswith("{"):
                    lines.append(line)
                else:
                    print(line, end="", flush=True)
            proc.wait(timeout=WORKER_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            return {"error": f"{label}: timed out after {WORKER_TIMEOUT_S} s"}
        if not lines:
            err.seek(0)
            return {"error": f"{label} failed (exit {proc.returncode}): {err.read()[-600:]}"}
    return json.loads(lines[-1])


def build_store(kind: str, target: str, floor: str, args) -> dict:
    t0 = time.perf_counter()
    res = _run(
        [sys.executable, "-m", "bench.region", "build", "--store", target, "--floor", floor, "--sample",
         str(args.sample), "--size", args.size, "--end-month", args.end_month, "--label", kind],
        f"{kind} build",
    )  # fmt: skip
    res["wall_s"] = time.perf_counter() - t0
    return res


def run_pages(targets: dict[str, str], args, profile: bool, repeat: int) -> dict:
    cmd = [sys.executable, "-m", "bench.region", "pages", "--hospital", hospital_codes(1)[0], "--repeat", str(repeat)]
    for kind, url in targets.items():
        cmd += ["--target", f"{kind}={url}"]
    if profile:
        cmd.append("--profile")
    return _run(cmd, "pages " + "+".join(targets))


def rows_of(results: dict) -> list[tuple[str, str, dict]]:
    """(row label, unit, {store: value}) for the side-by-side table, in order."""
    stores = [s for s in STORES if s in results["stores"]]

    def get(path):
        vals = {}
        for s in stores:
            v = results["stores"][s]
            for k in path:
                v = v.get(k) if isinstance(v, dict) else None
            vals[s] = v
        return vals

    out = [
        ("import: one hospital's history (importer.commit)", "s", get(("build", "history_commit_median_s"))),
        ("import: that history's floor", "s", get(("build", "history_floor_s"))),
        ("import: history ÷ floor", "×", get(("build", "history_ratio"))),
        ("import: one month, one hospital (importer.commit)", "s", get(("build", "month_commit_s"))),
        ("import: that month's floor", "s", get(("build", "month_floor_s"))),
        ("import: month ÷ floor", "×", get(("build", "month_ratio"))),
        ("import: other kinds of one hospital (commit_rows)", "s", _median_of(get(("build", "other_kinds_commit_s")))),
        ("bulk load: one hospital (mean of the timed ones)", "s", get(("build", "bulk_per_hospital_s"))),
        ("ANALYZE after the loads (PostgreSQL: VACUUM ANALYZE)", "s", get(("build", "analyze_s"))),
    ]
    pages = []
    for s in stores:
        for p in (results["stores"][s].get("pages") or {}).get("pages", {}):
            if p not in pages:
                pages.append(p)
    for p in pages:
        out.append((f"page {p}: cold", "s", get(("pages", "pages", p, "cold"))))
        out.append((f"page {p}: warm", "s", get(("pages", "pages", p, "warm_median"))))
    shown = []
    for s in stores:
        for p in (results["stores"][s].get("browser") or {}).get("pages", {}):
            if p not in shown:
                shown.append(p)
    for p in shown:
        out.append((f"browser {p}: first visit", "s", get(("browser", "pages", p, "first"))))
        out.append((f"browser {p}: warm visit", "s", get(("browser", "pages", p, "warm"))))
    out.append(("peak RSS: build process", "MB", get(("build", "rss_mb"))))
    out.append(("peak RSS: pages process (one store alone)", "MB", get(("pages_alone", "rss_mb"))))
    if shown:
        out.append(("RSS: streamlit server after the visits", "MB", get(("browser", "server_rss_mb"))))
    return out


def _median_of(vals: dict) -> dict:
    return {k: (statistics.median(v) if v else None) for k, v in vals.items()}


def _fmt(v, unit: str) -> str:
    if v is None:
        return "n/a"
    if unit == "MB":
        return f"{v:.0f} MB"
    if unit == "×":
        return f"{v:.1f}×"
    return f"{v:.3f} s"


def why_slower(a: dict | None, b: dict | None, measured: float) -> str:
    """What two profiles of the same work (a: SQLite, b: PostgreSQL) say about a measured difference: the split by
    layer, the statements sent, the functions whose own time grew most, and how much of it the store explains."""
    if not a or not b:
        return "no profile"
    d_total = b["total_s"] - a["total_s"]
    store_d = (b["driver_s"] - a["driver_s"]) + (b["sqlalchemy_s"] - a["sqlalchemy_s"])
    parts = [
        ("database driver (psycopg vs sqlite3)", b["driver_s"] - a["driver_s"]),
        ("SQLAlchemy", b["sqlalchemy_s"] - a["sqlalchemy_s"]),
        ("pandas", b["pandas_s"] - a["pandas_s"]),
    ]
    parts.append(("the rest (project code, numpy, plotly, …)", d_total - sum(x for _, x in parts)))
    parts.sort(key=lambda kv: kv[1], reverse=True)
    said = ", ".join(f"{n} {x:+.3f}s" for n, x in parts if abs(x) >= 0.001)
    grew = sorted(((n, t - a["funcs"].get(n, 0.0)) for n, t in b["funcs"].items()), key=lambda kv: kv[1], reverse=True)[
        :3
    ]
    if store_d >= 0.5 * measured:
        verdict = (
            f"PostgreSQL's own cost: the driver and SQLAlchemy take {store_d:+.3f}s more under the profiler "
            f"({b['statements']} statements; sqlite3 {a['statements']}; where, in the functions below)"
        )
    elif store_d >= 0.01:
        verdict = (
            f"partly PostgreSQL: the driver and SQLAlchemy take {store_d:+.3f}s more under the profiler, over "
            f"{b['statements']} statements (sqlite3: {a['statements']}); the other {measured - store_d:+.3f}s lies in "
            "code that does not touch the store — run-to-run noise on a shared machine"
        )
    else:
        verdict = (
            f"the store explains {store_d:+.3f}s of the {measured:+.3f}s measured; the rest lies in code that "
            "does not touch the store — run-to-run noise on a shared machine, not PostgreSQL"
        )
    return f"{verdict}. Profiled {a['total_s']:.3f}s → {b['total_s']:.3f}s: {said}; most grown: " + "; ".join(
        f"{n} {x:+.3f}s" for n, x in grew
    )


def _profile_of(results: dict, store_kind: str, label: str) -> dict | None:
    """The profile behind a row of the table (a page's cold or warm build, an import), if any."""
    r = results["stores"][store_kind]
    if label.startswith("page "):
        page, what = label[5:].split(": ")
        p = ((r.get("pages") or {}).get("pages") or {}).get(page) or {}
        return p.get("profile" if what == "cold" else "profile_warm")
    return ((r.get("build") or {}).get("profiles") or {}).get(_IMPORT_PROFILE.get(label, ""))


_IMPORT_PROFILE = {
    "import: one hospital's history (importer.commit)": "history",
    "import: one month, one hospital (importer.commit)": "month",
    "import: other kinds of one hospital (commit_rows)": "other_kinds",
    "bulk load: one hospital (mean of the timed ones)": "bulk",
}


def print_table(results: dict) -> None:
    stores = [s for s in STORES if s in results["stores"]]
    h, d, m = parse_size(results["size"])
    print(
        f"\n=== region: {h} hospitals × {d} departments × {m} months "
        f"({min(results['sample'], h)} hospitals through the importer, the rest bulk-loaded) ==="
    )
    sq = results["stores"].get("sqlite", {}).get("build", {}).get("store_rows")
    if sq:
        print("rows: " + ", ".join(f"{k} {v:,}" for k, v in sq.items()))
    head = f"{'':<52}" + "".join(f"{s:>14}" for s in stores) + ("  PG ÷ SQLite" if len(stores) == 2 else "")
    print(head)
    slower = []
    for label, unit, vals in rows_of(results):
        line = f"{label:<52}" + "".join(f"{_fmt(vals.get(s), unit):>14}" for s in stores)
        if len(stores) == 2 and unit != "×":
            a, b = vals.get("sqlite"), vals.get("postgresql")
            if a and b:
                line += f"  {b / a:>9.2f}×"
                if b > a * 1.1 and b - a >= 0.01 and unit == "s":
                    slower.append((label, a, b))
        print(line)
    if len(stores) == 2 and slower:
        print("\nwhere PostgreSQL is slower (> 1.1× and ≥ 10 ms), and why (from one profiled run of each):")
        for label, a, b in slower:
            if "floor" in label:
                why = "the floor itself: the same rows through psycopg's executemany instead of sqlite3's"
            elif label.startswith("ANALYZE"):
                why = (
                    "not the same work: PostgreSQL also VACUUMs (writes the visibility map of every page of the tables)"
                )
            elif label.startswith("browser "):
                page = label[8:].split(":")[0]
                srv = [
                    ((results["stores"][st].get("browser") or {}).get("pages") or {})
                    .get(page, {})
                    .get("first_server_s")
                    for st in ("sqlite", "postgresql")
                ]
                why = (
                    f"the server's script runs of the first visit took {_fmt(srv[0], 's')} → {_fmt(srv[1], 's')};"
                    " the view-model rows of the page above say where the store's share goes"
                )
            else:
                why = why_slower(*(_profile_of(results, st, label) for st in ("sqlite", "postgresql")), b - a)
            print(f"- {label}: {a:.3f}s → {b:.3f}s ({b / a:.1f}×). {why}")
    errs = [
        f"{s} {part}: {v['error']}"
        for s in stores
        for part, v in results["stores"][s].items()
        if isinstance(v, dict) and v.get("error")
    ]
    for s in stores:
        for p, r in ((results["stores"][s].get("pages") or {}).get("pages") or {}).items():
            if r.get("error"):
                errs.append(f"{s} page {p}: {r['error']}")
    for e in errs:
        print(f"ERROR {e}")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench --region", description=__doc__.split("\n\n")[0])
    ap.add_argument("--region", action="store_true")
    ap.add_argument("--region-size", dest="size", default=DEFAULT_SIZE, help="HxDxM (default 100x50x60)")
    ap.add_argument("--region-sample", dest="sample", type=int, default=DEFAULT_SAMPLE,
                    help="hospitals imported through the importer (the rest bulk-loaded)")  # fmt: skip
    ap.add_argument("--region-stores", dest="stores", default=",".join(STORES))
    ap.add_argument("--repeat", type=int, default=5, help="warm builds per page (the median is reported)")
    ap.add_argument("--region-browser", dest="browser", action="store_true",
                    help="also every page through streamlit run in Chromium, signed in as a commission user")  # fmt: skip
    ap.add_argument("--keep", metavar="DIR", help="build the SQLite stores in DIR and keep them")
    ap.add_argument("--out", help="write the JSON here instead of bench/results/region-<timestamp>.json")
    args, _ = ap.parse_known_args(argv)
    parse_size(args.size)
    from metrics.ops import demo

    # the history ends the month before last: the month file (last month) and the profiled one after it (this month)
    # are then never in the future
    args.end_month = demo.months_ending(demo.default_end_month(), 2)[0]
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    started = datetime.now()
    t0 = time.perf_counter()
    results: dict = {"started": started.isoformat(timespec="seconds"), "size": args.size, "sample": args.sample,
                     "repeat": args.repeat, "cpus": os.cpu_count(), "stores": {}}  # fmt: skip
    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-region-"))
    workdir.mkdir(parents=True, exist_ok=True)
    cluster = None
    built: dict[str, str] = {}
    try:
        for kind in stores:
            if kind == "sqlite":
                target, floor = str(workdir / "region.db"), str(workdir / "floor.db")
                for p in (target, floor):
                    for suffix in ("", "-wal", "-shm"):
                        Path(f"{p}{suffix}").unlink(missing_ok=True)
            elif kind == "postgresql":
                sys.path.insert(0, str(ROOT))
                from tests.pgcluster import Cluster

                cluster = Cluster.start()
                target, floor = cluster.new_database(), cluster.new_database()
                from metrics import store

                with store.opened(target) as db:
                    results["postgresql_server"] = db.execute("SHOW server_version").fetchone()[0]
                results["postgresql_settings"] = (
                    "throwaway cluster: fsync=off, synchronous_commit=off, full_page_writes=off"
                    if not os.environ.get("INTEGRITY_PG_URL")
                    else "server of $INTEGRITY_PG_URL"
                )
                store.dispose(target)
                store.dispose(floor)
            else:
                ap.error(f"unknown store {kind!r}; choose from {', '.join(STORES)}")
            print(f"\n--- region on {kind} ({args.size}): building ...", flush=True)
            results["stores"][kind] = {"store": kind, "build": build_store(kind, target, floor, args)}
            if "error" not in results["stores"][kind]["build"]:
                built[kind] = target
        for kind, target in built.items():  # each store alone in a process: its peak RSS
            print(f"\n--- pages on {kind} alone (peak RSS) ...", flush=True)
            results["stores"][kind]["pages_alone"] = run_pages({kind: target}, args, profile=len(built) == 1,
                                                              repeat=args.repeat if len(built) == 1 else 1)  # fmt: skip
        if len(built) > 1:
            print("\n--- pages on both stores, runs alternating ...", flush=True)
            both = run_pages(built, args, profile=True, repeat=args.repeat)
            for kind in built:
                results["stores"][kind]["pages"] = (
                    both if "error" in both else {"pages": both["pages"][kind], "interleaved": True}
                )
        if args.browser and built:
            from bench import region_browser

            pages = [p for p in page_names() if p not in BROWSER_SKIP]
            shown = region_browser.measure(built, pages, repeat=min(args.repeat, 3))
            for kind, r in shown.items():
                results["stores"][kind]["browser"] = r
        if len(built) == 1:
            for kind in built:
                alone = results["stores"][kind]["pages_alone"]
                results["stores"][kind]["pages"] = alone if "error" in alone else {"pages": alone["pages"][kind]}
    finally:
        if cluster is not None:
            cluster.stop()
        if not args.keep:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)
    results["seconds"] = time.perf_counter() - t0
    results["rows"] = [{"row": label, "unit": u, **v} for label, u, v in rows_of(results)]
    print_table(results)
    print(f"\nwall time {results['seconds']:.0f} s")
    out = Path(args.out) if args.out else RESULTS / f"region-{started.strftime('%Y%m%dT%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    print(f"results: {out}")
    return 0


def worker_main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.region")
    ap.add_argument("mode", choices=("build", "pages"))
    ap.add_argument("--store", help="build: the store to build (a file or a postgresql:// URL)")
    ap.add_argument("--target", action="append", default=[], help="pages: kind=store, once per store")
    ap.add_argument("--profile", action="store_true", help="pages: profile one cold and one warm build per page")
    ap.add_argument("--floor")
    ap.add_argument("--size", default=DEFAULT_SIZE)
    ap.add_argument("--sample", type=int, default=DEFAULT_SAMPLE)
    ap.add_argument("--end-month")
    ap.add_argument("--hospital", default="H001")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--label", default="")
    args = ap.parse_args(argv)
    res = build_worker(args) if args.mode == "build" else pages_worker(args)
    print(json.dumps(res, ensure_ascii=False, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:]))
