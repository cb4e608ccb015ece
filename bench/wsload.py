"""Load without a browser: N concurrent Streamlit websocket clients against `streamlit run serve.py`.

    python -m bench.wsload [--sessions 1,5,10,20,40] [--seconds 10] [--scale M] [--replicas 1,2]

Each session is what a browser tab is to the server, without drawing anything: it GETs the page (the sign-in cookie
from serve.py's middleware, nginx's st_replica cookie behind the proxy), opens /_stcore/stream with those cookies and
the subprotocol "streamlit", and sends `BackMsg.rerun_script` with a `ClientState` as the frontend does (query
string, page script hash, widget states, the hashes of the messages it holds — the server then sends a reference,
not the message again — and the browser's context). It reads `ForwardMsg`s until the run's `script_finished`.

- open: the first run of a new session (the overview, the home page), from send to script_finished;
- view: a warm rerun of the page (the page's script hash, its widgets unchanged), send to script_finished;
- filter: every third view changes the overview's period grain (统计周期: to 月 and, the next time, back).

A view counts only when its run finished successfully, its messages held the overview's content (the heading of its
hospital indicators, ov.hospital_title, inside a delta) and no exception element; anything else is an error. The
server's CPU seconds (utime + stime in /proc/<pid>/stat, all replicas) and RSS are read around the warm phase. Levels
run in order on the same server(s), each after the previous one's sessions closed; a first session opens the overview
once before the first level (the cold caches are not what this measures).

`--replicas 2` serves two `streamlit run serve.py` behind nginx with deploy/nginx.conf (bench/procs.start_nginx): a
session without the st_replica cookie gets a random key, so nginx spreads the sessions; the access log says how.
JSON: bench/results/wsload-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bench import procs, synth

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TIMEOUT_S = 60.0  # one run, send to script_finished
FILTER_EVERY = 3  # every third warm view is a filter change


def _marker() -> bytes:
    from metrics import i18n

    return i18n.t("ov.hospital_title", "zh").encode()


def _grain_label() -> str:
    from metrics import i18n

    return i18n.t("period.grain", "zh")


# ------------------------------------------------------------------------------------------------
# One session: a websocket client speaking Streamlit's protocol
# ------------------------------------------------------------------------------------------------


@dataclass
class View:
    kind: str  # open | view | filter
    ms: float
    ok: bool
    messages: int = 0
    deltas: int = 0
    bytes: int = 0
    refs: int = 0  # messages the server sent as a reference to one this client holds
    content: bool = False
    error: str = ""


@dataclass
class Session:
    base: str
    marker: bytes
    grain_label: str
    ws: object = None
    cookies: str = ""
    page_hash: str = ""
    cache: dict = field(default_factory=dict)  # hash -> serialized ForwardMsg (what the browser's cache holds)
    widget_states: dict = field(default_factory=dict)  # widget id -> WidgetState set by this client
    grain: tuple[str, list[str]] | None = None  # the period-grain radio: (id, options)
    views: list[View] = field(default_factory=list)

    def _get_cookies(self) -> str:
        """GET / as a browser does first: the cookies the responses set (sign-in secret, st_replica)."""
        req = urllib.request.Request(self.base + "/", headers={"Accept": "text/html"})
        with urllib.request.urlopen(req, timeout=TIMEOUT_S) as r:
            r.read()
            set_cookies = r.headers.get_all("Set-Cookie") or []
        return "; ".join(c.split(";", 1)[0] for c in set_cookies)

    async def connect(self) -> None:
        from websockets.asyncio.client import connect

        self.cookies = await asyncio.to_thread(self._get_cookies)
        url = "ws" + self.base.removeprefix("http") + "/_stcore/stream"
        headers = {"Cookie": self.cookies} if self.cookies else {}
        self.ws = await connect(url, subprotocols=["streamlit"], additional_headers=headers, max_size=None,
                                compression=None, open_timeout=TIMEOUT_S)  # fmt: skip

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    def _client_state(self):
        from streamlit.proto.ClientState_pb2 import ClientState

        cs = ClientState(query_string="", page_script_hash=self.page_hash, page_name="")
        cs.widget_states.widgets.extend(self.widget_states.values())
        cs.cached_message_hashes.extend(self.cache)
        cs.context_info.timezone = "Asia/Shanghai"
        cs.context_info.timezone_offset = -480
        cs.context_info.locale = "zh-CN"
        cs.context_info.url = self.base + "/"
        return cs

    def set_grain(self, label: str) -> None:
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        wid, _ = self.grain
        self.widget_states[wid] = WidgetState(id=wid, string_value=label)

    async def run(self, kind: str) -> View:
        """Send one rerun_script and read until its script_finished."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        back = BackMsg()
        back.rerun_script.CopyFrom(self._client_state())
        v = View(kind, 0.0, False)
        t0 = time.perf_counter()
        try:
            await self.ws.send(back.SerializeToString())
            while True:
                data = await asyncio.wait_for(self.ws.recv(), TIMEOUT_S)
                v.messages += 1
                v.bytes += len(data)
                msg = ForwardMsg()
                msg.ParseFromString(data)
                kind_ = msg.WhichOneof("type")
                if kind_ == "ref_hash":
                    v.refs += 1
                    data = self.cache.get(msg.ref_hash)
                    if data is None:
                        v.error = f"reference to a message this client never got ({msg.ref_hash})"
                        break
                    msg = ForwardMsg()
                    msg.ParseFromString(data)
                    kind_ = msg.WhichOneof("type")
                elif msg.metadata.cacheable and msg.hash:
                    self.cache[msg.hash] = data
                if kind_ == "new_session":
                    self.page_hash = msg.new_session.page_script_hash
                elif kind_ == "delta":
                    v.deltas += 1
                    if self.marker in data:
                        v.content = True
                    el = msg.delta.new_element if msg.delta.WhichOneof("type") == "new_element" else None
                    if el is not None:
                        etype = el.WhichOneof("type")
                        if etype == "exception":
                            v.error = f"exception: {el.exception.type}: {el.exception.message}"[:200]
                        elif etype == "radio" and el.radio.label == self.grain_label:
                            self.grain = (el.radio.id, list(el.radio.options))
                elif kind_ == "script_finished":
                    status = msg.script_finished
                    if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                        continue  # the script asked for a rerun of its own: the view goes on
                    if status not in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY):
                        v.error = v.error or f"script_finished status {status}"
                    break
        except Exception as e:  # a dropped or refused connection is an error of the view, never a fast one
            v.error = f"{type(e).__name__}: {e}"[:200]
        v.ms = (time.perf_counter() - t0) * 1000
        if not v.error and not v.content:
            v.error = "the run finished without the overview's content"
        v.ok = not v.error
        self.views.append(v)
        return v


async def _session_loop(s: Session, opened: asyncio.Barrier, go: asyncio.Event, stop_at: list[float]) -> None:
    try:
        await s.connect()
        await s.run("open")
    except Exception as e:
        s.views.append(View("open", 0.0, False, error=f"{type(e).__name__}: {e}"[:200]))
    await opened.wait()
    await go.wait()
    if s.ws is None:
        return
    n = 0
    while time.perf_counter() < stop_at[0]:
        n += 1
        if n % FILTER_EVERY == 0 and s.grain and len(s.grain[1]) > 1:
            _, options = s.grain
            current = s.widget_states.get(s.grain[0])
            # 月 (the first grain) and back to the default: the page opens on 季度
            s.set_grain(options[0] if current is None or current.string_value != options[0] else options[1])
            v = await s.run("filter")
        else:
            v = await s.run("view")
        if not v.ok and s.ws.state.name != "OPEN":
            break


# ------------------------------------------------------------------------------------------------
# The server's processes
# ------------------------------------------------------------------------------------------------


def proc_cpu_rss(pid: int) -> tuple[float, float, float]:
    """(CPU seconds so far, RSS MB, peak RSS MB) of a process, from /proc."""
    rss = hwm = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) / 1024
        elif line.startswith("VmHWM:"):
            hwm = int(line.split()[1]) / 1024
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return cpu, rss, hwm


def machine_busy_s() -> float:
    """CPU seconds every core of the machine spent busy so far (/proc/stat: all but idle and iowait)."""
    v = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(v[:8]) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")


def sample(pids: list[int]) -> dict:
    rows = [proc_cpu_rss(p) for p in pids]
    return {"cpu_s": sum(r[0] for r in rows), "rss_mb": sum(r[1] for r in rows), "peak_mb": sum(r[2] for r in rows),
            "client_cpu_s": time.process_time(), "machine_busy_s": machine_busy_s(),
            "per_process": [{"cpu_s": r[0], "rss_mb": r[1], "peak_mb": r[2]} for r in rows]}  # fmt: skip


class Servers:
    """`replicas` × `streamlit run serve.py` on the store, and nginx in front of two."""

    def __init__(
        self,
        replicas: int,
        db: Path,
        folder: Path,
        launcher: list[str] | None = None,
        root: Path = ROOT,
        name: str = "",
    ):
        if replicas not in (1, 2):
            raise ValueError("--replicas: 1 or 2 (deploy/nginx.conf names two replicas)")
        self.replicas, self.folder = replicas, folder
        self.procs: list = []
        self.nginx = None
        self.nginx_folder: Path | None = None
        self._log_offset = 0
        env = dict(os.environ, INTEGRITY_DB=str(db), PYTHONPATH=str(root))
        try:
            for i in range(replicas):
                proc, url = procs.start_streamlit(
                    "serve.py", root, env, folder / f"streamlit_{name}{i}.log", launcher=launcher
                )
                self.procs.append((proc, url))
            self.url = self.procs[0][1]
            if replicas == 2:
                listen = procs.free_port()
                ports = [int(u.rsplit(":", 1)[1]) for _, u in self.procs]
                # nginx's workers run as nobody when the master is root: a folder they can reach
                self.nginx_folder = Path(tempfile.mkdtemp(prefix=f"wsload-nginx-{name}"))
                self.nginx_folder.chmod(0o755)
                self.nginx = procs.start_nginx(self.nginx_folder, listen, *ports)
                self.url = f"http://127.0.0.1:{listen}"
        except BaseException:
            self.stop()
            raise

    @property
    def pids(self) -> list[int]:
        return [p.pid for p, _ in self.procs]

    def streams_by_replica(self) -> dict[str, int]:
        """Websockets nginx logged (at their close) since the last call, by replica."""
        if self.nginx_folder is None:
            return {}
        path = self.nginx_folder / "access.log"
        if not path.exists():
            return {}
        text = path.read_text()
        new, self._log_offset = text[self._log_offset :], len(text)
        out: dict[str, int] = {}
        for line in new.splitlines():
            if "/_stcore/stream" in line and "replica=" in line:
                r = line.split("replica=", 1)[1].split()[0].rstrip(",")
                out[r] = out.get(r, 0) + 1
        return out

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.terminate()
            self.nginx.wait(10)
        if self.nginx_folder is not None:
            shutil.rmtree(self.nginx_folder, ignore_errors=True)
        for proc, _ in self.procs:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(15)
                except Exception:
                    proc.kill()


# ------------------------------------------------------------------------------------------------
# A level: N sessions
# ------------------------------------------------------------------------------------------------


def _pct(xs: list[float], q: float) -> float | None:
    if not xs:
        return None
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(q * (len(xs) - 1))))]


async def run_level(url: str, n: int, seconds: float, pids: list[int], profile: Path | None = None) -> dict:
    marker, grain = _marker(), _grain_label()
    sessions = [Session(url, marker, grain) for _ in range(n)]
    before_open = sample(pids)
    opened, go, stop_at = asyncio.Barrier(n + 1), asyncio.Event(), [0.0]
    tasks = [asyncio.create_task(_session_loop(s, opened, go, stop_at)) for s in sessions]
    await opened.wait()
    if profile is not None:  # bench/profiled_server.py: what was collected so far is dropped
        for pid in pids:
            os.kill(pid, signal.SIGUSR1)
    start = sample(pids)
    t0 = time.perf_counter()
    stop_at[0] = t0 + seconds
    go.set()
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - t0
    end = sample(pids)
    if profile is not None:  # ... and the warm phase's stats written
        profile.unlink(missing_ok=True)
        for pid in pids:
            os.kill(pid, signal.SIGUSR2)
        deadline = time.monotonic() + 60
        while not profile.exists() and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)  # written by now
    for s in sessions:
        await s.close()
    opens = [v for s in sessions for v in s.views if v.kind == "open"]
    warm = [v for s in sessions for v in s.views if v.kind != "open"]
    ok = [v for v in warm if v.ok]
    errors = [v.error for s in sessions for v in s.views if not v.ok]
    ms = [v.ms for v in ok]
    fms = [v.ms for v in ok if v.kind == "filter"]
    cpu = end["cpu_s"] - start["cpu_s"]
    return {
        "sessions": n,
        "seconds": wall,
        "views": len(ok),
        "views_per_s": len(ok) / wall if wall else 0.0,
        "view_p50_ms": _pct([v.ms for v in ok if v.kind == "view"], 0.5),
        "view_p95_ms": _pct([v.ms for v in ok if v.kind == "view"], 0.95),
        "all_p50_ms": _pct(ms, 0.5),
        "all_p95_ms": _pct(ms, 0.95),
        "filter_views": len(fms),
        "filter_p50_ms": _pct(fms, 0.5),
        "filter_p95_ms": _pct(fms, 0.95),
        "open_p50_ms": _pct([v.ms for v in opens if v.ok], 0.5),
        "open_max_ms": max((v.ms for v in opens if v.ok), default=None),
        "errors": len(errors),
        "first_errors": sorted(set(errors))[:5],
        "server_cpu_s": cpu,
        "cpu_ms_per_view": cpu / len(ok) * 1000 if ok else None,
        "server_cpu_share": cpu / wall if wall else None,  # 1.0 = one core busy
        # this client (all sessions, one process) and the whole machine (another user's work included), in cores
        "client_cpu_share": (end["client_cpu_s"] - start["client_cpu_s"]) / wall if wall else None,
        "machine_busy_share": (end["machine_busy_s"] - start["machine_busy_s"]) / wall if wall else None,
        "rss_before_mb": before_open["rss_mb"],
        "rss_after_mb": end["rss_mb"],
        "rss_per_session_mb": (end["rss_mb"] - before_open["rss_mb"]) / n,
        "peak_rss_mb": end["peak_mb"],
        "per_process": end["per_process"],
        "deltas_per_view": statistics.mean(v.deltas for v in ok) if ok else None,
        "bytes_per_view": statistics.mean(v.bytes for v in ok) if ok else None,
        "refs_per_view": statistics.mean(v.refs for v in ok) if ok else None,
        "content_in_every_view": all(v.content for v in ok) and bool(ok),
        "warm_views_per_session": [sum(1 for v in s.views if v.kind != "open") for s in sessions],
    }


def warm_up(url: str) -> dict:
    """One session opens the overview once (a fresh server's first run, the caches filled) and views it once."""

    async def go():
        s = Session(url, _marker(), _grain_label())
        await s.connect()
        a = await s.run("open")
        b = await s.run("view")
        await s.close()
        return {"open_ms": a.ms, "view_ms": b.ms, "errors": [v.error for v in (a, b) if v.error]}

    return asyncio.run(go())


def _f(v, spec: str = ".0f") -> str:
    return "n/a" if v is None else format(v, spec)


def print_header() -> None:
    print(f"{'repl':>5} {'N':>4} {'views/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'filt p50':>8} {'open p50':>8}"
          f" {'err':>4} {'CPU ms/view':>11} {'srv cores':>9} {'cli':>5} {'all':>5} {'RSS/sess MB':>11} {'peak MB':>8}"
          "  spread")  # fmt: skip


def print_level(replicas: int, r: dict, variant: str = "") -> None:
    spread = ", ".join(f"{k.rsplit(':', 1)[-1]}:{v}" for k, v in sorted(r.get("streams_by_replica", {}).items()))
    print(
        f"{replicas:>4}{variant[:1]:1} {r['sessions']:>4} {r['views_per_s']:>8.1f} {_f(r['view_p50_ms']):>7} {_f(r['view_p95_ms']):>7}"
        f" {_f(r['filter_p50_ms']):>8} {_f(r['open_p50_ms']):>8} {r['errors']:>4} {_f(r['cpu_ms_per_view']):>11}"
        f" {_f(r['server_cpu_share'], '.2f'):>9} {_f(r['client_cpu_share'], '.2f'):>5}"
        f" {_f(r['machine_busy_share'], '.2f'):>5} {r['rss_per_session_mb']:>11.1f} {r['peak_rss_mb']:>8.0f}  {spread}",
        flush=True,
    )
    for e in r["first_errors"]:
        print(f"       error: {e}")


CPU_TARGET = 0.5  # CPU seconds per warm view ≤ 0.5× the base's, at every level


def print_verdicts(results: dict) -> None:
    """CPU per warm view, this checkout ÷ the base, per replica count and level (the rows marked b are the base's)."""
    print(f"\nverdicts (CPU ms per warm view vs {results['base']}, target ≤ {CPU_TARGET}×):")
    for rep, run in results["runs"].items():
        for mine, theirs in zip(run["levels"], results["base_runs"][rep]["levels"], strict=True):
            a, b = mine["cpu_ms_per_view"], theirs["cpu_ms_per_view"]
            if not a or not b:
                print(f"  {rep} replica(s), N={mine['sessions']:>3}: n/a")
                continue
            ratio = a / b
            verdict = "PASS" if ratio <= CPU_TARGET else "FAIL"
            print(f"  {rep} replica(s), N={mine['sessions']:>3}: {a:.0f} ms vs {b:.0f} ms = {ratio:.2f}×  {verdict}")
            mine["cpu_vs_base"] = ratio


def print_profile(path: Path, top: int = 25) -> None:
    """The profiled warm phase: functions by own time and by cumulative time, as shares of the profile's total."""
    import pstats

    if not path.exists():
        print(f"\nprofile: {path} was not written (see the server log)")
        return
    st = pstats.Stats(str(path))
    total = st.total_tt or 1.0
    rows = [(func, cc, nc, tt, ct) for func, (cc, nc, tt, ct, _) in st.stats.items()]

    def name(func) -> str:
        file, line, fn = func
        short = file.split("site-packages/", 1)[-1].replace(str(ROOT) + "/", "")
        return f"{short}:{line}({fn})"

    for title, key in (("own time", 3), ("cumulative", 4)):
        print(f"\nprofile ({path.name}), top {top} by {title}; total {total:.1f} s profiled (all threads)")
        for r in sorted(rows, key=lambda r: -r[key])[:top]:
            print(f"{r[key] / total:>7.1%} {r[key]:>8.2f}s {r[2]:>9} calls  {name(r[0])[:110]}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.wsload", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", default="1,5,10,20,40", help="concurrent sessions per level (comma-separated)")
    ap.add_argument("--seconds", type=float, default=10.0, help="warm views per level for this many seconds")
    ap.add_argument("--scale", default="M", help="synthetic store scale (S, M, L) when no --store is given")
    ap.add_argument("--store", metavar="PATH", help="reuse this store (a copy is served; the file is not changed)")
    ap.add_argument("--keep", metavar="DIR", help="build the store and keep the logs in DIR")
    ap.add_argument("--replicas", default="1,2", help="1: one process; 2: two behind nginx (comma-separated)")
    ap.add_argument("--profile", metavar="OUT.prof", help="serve under cProfile (bench/profiled_server.py, every thread)"
                    " and write each level's warm phase there (pstats; one replica and one level)")  # fmt: skip
    ap.add_argument("--out", metavar="FILE", help="JSON here instead of bench/results/wsload-<timestamp>.json")
    ap.add_argument("--base", metavar="COMMIT", help="also serve COMMIT (a git archive of it) on its own copy of the"
                    " store, each level measured on both in turn, and judge CPU per warm view against it")  # fmt: skip
    args = ap.parse_args(argv)
    levels = [int(x) for x in args.sessions.split(",") if x.strip()]
    replicas = [int(x) for x in args.replicas.split(",") if x.strip()]
    scale = args.scale.upper()
    profile = Path(args.profile).resolve() if args.profile else None
    if profile and args.base:
        ap.error("--profile profiles this checkout alone: leave out --base")
    if profile and (replicas != [1] or len(levels) != 1):
        ap.error("--profile: one replica (--replicas 1) and one level (--sessions N)")
    launcher = ["-m", "bench.profiled_server", str(profile)] if profile else None
    if not args.store and scale not in synth.SCALES:
        ap.error(f"unknown scale {scale!r}; choose from {', '.join(synth.SCALES)}")

    started = datetime.now()
    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="wsload-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results: dict = {"started": started.isoformat(timespec="seconds"), "cpus": os.cpu_count(), "seconds": args.seconds,
                     "levels": levels, "profile": str(profile) if profile else None, "runs": {},
                     # Streamlit settings given to the served processes through the environment (e.g. runner.postScriptGC)
                     "streamlit_env": {k: v for k, v in os.environ.items() if k.startswith("STREAMLIT_")}}  # fmt: skip
    try:
        if args.store:
            source = Path(args.store)
            results["store"] = str(source)
        else:
            source = workdir / f"store_{scale}.db"
            if not source.exists():
                print(f"--- building store {scale} ...", flush=True)
                results["store_rows"] = synth.build_store(source, synth.SCALES[scale])
            results["scale"] = scale
        variants = [("", ROOT)]
        if args.base:
            from bench.profile_browser import base_root

            variants.append(("base", base_root(args.base, workdir / "base")))
            results["base"] = args.base
        for rep in replicas:
            print(f"\n--- {rep} replica{'s behind nginx' if rep > 1 else ''}: starting ...", flush=True)
            served: list[tuple[str, Servers]] = []
            try:
                for name, root in variants:
                    db = workdir / f"served_{name}{rep}.db"
                    for suffix in ("", "-wal", "-shm"):
                        Path(f"{db}{suffix}").unlink(missing_ok=True)
                    shutil.copy(source, db)
                    served.append((name, Servers(rep, db, workdir, launcher, root=root, name=name)))
                runs = {name: {"warm_up": [], "levels": []} for name, _ in served}
                for name, servers in served:
                    for _, url in servers.procs:  # each replica directly: its first run, caches filled
                        runs[name]["warm_up"].append(warm_up(url))
                    servers.streams_by_replica()
                print_header()
                for n in levels:
                    for name, servers in served:  # the variants in turn at each level: the same load on both
                        r = asyncio.run(run_level(servers.url, n, args.seconds, servers.pids, profile))
                        time.sleep(0.3)  # nginx logs a websocket when it closes
                        r["streams_by_replica"] = servers.streams_by_replica()
                        runs[name]["levels"].append(r)
                        print_level(rep, r, name)
                results["runs"][str(rep)] = runs[""]
                if args.base:
                    results.setdefault("base_runs", {})[str(rep)] = runs["base"]
            finally:
                for _, servers in served:
                    servers.stop()
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(
        "\nviews/s: successful warm views (reruns and filter changes) per second, all sessions; p50/p95: a warm"
        " rerun, send to script_finished; filt: a filter change; open: a session's first run; CPU: the server"
        " processes' utime+stime over the warm phase (srv cores: CPU seconds per second; cli: this client's, all"
        " sessions in one process; all: the whole machine's busy cores, anyone's work); RSS/sess: server RSS growth"
        " from before the level's sessions connected ÷ N; peak: VmHWM (summed over replicas); spread: websockets"
        " per replica port (nginx's log)."
    )
    if args.base:
        print_verdicts(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = Path(args.out) if args.out else RESULTS / f"wsload-{started.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    print(f"results: {out}")
    if profile:
        print_profile(profile)
    total_errors = sum(r["errors"] for run in results["runs"].values() for r in run["levels"])
    return 1 if total_errors else 0


if __name__ == "__main__":
    sys.exit(main())
