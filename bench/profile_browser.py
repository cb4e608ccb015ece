"""Where a filter change and a slide change spend their time, measured, not guessed.

    python -m bench.profile_browser --scale M --repeat 3

On one scale's store, the same interactions (each page's filter: a new value and back; two slide changes in
presentation mode) run against four servers, served at once and measured in turn:

- ``product``: the product as shipped;
- ``floor``: the same-content floor (bench/served.py, $BENCH_FLOOR=1: view-models and loaders from a dict);
- ``floor-no-charts``: the floor with ``st.plotly_chart`` drawing nothing;
- ``floor-no-tables``: the floor with ``st.dataframe`` drawing nothing;
- ``floor-static-charts``: the floor with every plotly chart static (``staticPlot``: no hover or zoom layers);
- ``product-slide-fragment``: the product with presentation mode's slide and ◀ ▶ inside one ``st.fragment``
  (a rewritten copy of pages/briefing.py; the real page is not touched);
- ``base``: the product at ``--base COMMIT`` (a git archive of it), served beside this checkout: a lever's
  before and after in one run (``--variants base,product --base main``).

A page named ``after:<page>`` (e.g. ``after:overview``) measures the first visitor after an upload: each round
commits the next month's file into that variant's own store, opens the sign-in page once (the committing editor's
next run: a script run that reads the new data version), then times the page's first visit and, on a page with a
filter, the first change back to the value it opened on (reported as ``after:<page>:back``). A page named
``visit:<page>`` times two warm visits of it.

product − floor is what computing costs (server); floor − floor-no-charts what the charts cost (bytes, plotly in
the browser); floor − floor-no-tables the same for tables. Per variant it prints the medians of: ms until drawn,
the server's script ms, the browser's long tasks (ms of main-thread work over 50 ms, Performance API), websocket
bytes. Timings come from bench/browser.py's "drawn" condition.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import browser as b
from bench import synth

VARIANTS = {
    "product": {"floor": False, "drop": ""},
    "floor": {"floor": True, "drop": ""},
    "floor-no-charts": {"floor": True, "drop": "plotly_chart"},
    "floor-no-tables": {"floor": True, "drop": "dataframe"},
    "floor-static-charts": {"floor": True, "static": True},
    "product-slide-fragment": {"fragment": True},
    "product-slide-fixed": {"fixed": True},  # presentation mode's charts at a fixed height, not "stretch"
    "base": {"base": True},
    "trivial": {
        "target": "bench/trivial_page.py"
    },  # the floor of a click: one selectbox, one number (once a round)  # the product at --base COMMIT (a git archive of it), served next to this checkout's
}
AFTER = "after:"  # a pseudo page "after:<page>": a month committed, then that page's first visit and filter change


def fixed_height_pages(folder: Path) -> Path | None:
    """A copy of pages/ whose presentation mode draws its charts 640 px high instead of stretching them to the slide
    (a stretched chart is laid out, then laid out again at the container's height: the lever tried by
    ``product-slide-fixed``); None when the briefing page no longer has the line this rewrites."""
    dest = folder / "pages"
    shutil.copytree(b.ROOT / "pages", dest, ignore=shutil.ignore_patterns("__pycache__"))
    page = dest / "briefing.py"
    text = page.read_text(encoding="utf-8")
    old = 'height="stretch" if presenting else "content"'
    if old not in text:
        return None
    page.write_text(text.replace(old, 'height=640 if presenting else "content"'), encoding="utf-8")
    return dest


def fragment_pages(folder: Path) -> Path | None:
    """A copy of pages/ whose presentation mode draws the slide and its ◀ ▶ buttons inside one ``st.fragment``, so
    a slide change reruns that block only (the lever tried by ``product-slide-fragment``); None when the briefing
    page no longer has the block this rewrites."""
    dest = folder / "pages"
    shutil.copytree(b.ROOT / "pages", dest, ignore=shutil.ignore_patterns("__pycache__"))
    page = dest / "briefing.py"
    text = page.read_text(encoding="utf-8")
    start, end = "    n = st.session_state[SLIDE_KEY]\n", "\n    auto = _int_param("
    if start not in text or end not in text:
        return None
    i, j = text.index(start), text.index(end)
    block = "".join("    " + line if line.strip() else line for line in text[i:j].splitlines(keepends=True))
    text = text[:i] + "    @st.fragment\n    def _present() -> None:\n" + block + "\n    _present()\n" + text[j:]
    page.write_text(text, encoding="utf-8")
    return dest


def base_root(commit: str, folder: Path) -> Path:
    """A checkout of ``commit`` (git archive: its tracked files) in ``folder``, to serve as the 'base' variant."""
    folder.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "-C", str(b.ROOT), "archive", commit], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


async def profile(
    db: Path,
    pages: list[str],
    repeat: int,
    variants: list[str],
    base: str = "HEAD",
    scale: str = "M",
    cdp: bool = False,
) -> dict:
    """All variants served at once and measured in turn (product, floor, ... then again), so that a busy machine's
    drift falls on every variant alike. Each variant serves its own copy of the store (the "after:" pages commit)."""
    from playwright.async_api import async_playwright

    if cdp:
        cdp_instrument()

    names = [*pages, *(f"{p}:back" for p in pages if p.startswith(AFTER))]
    out: dict = {v: {p: [] for p in names} for v in variants}
    servers, dbs, months = {}, {}, {}
    for v in variants:
        kw = dict(VARIANTS[v])
        dbs[v] = db.parent / f"{v}.db"
        shutil.copy(db, dbs[v])
        months[v] = 0  # the revision of the month's file committed last
        if kw.pop("base", False):
            kw["root"] = base_root(base, db.parent / "base-checkout")
        if kw.pop("fixed", False):
            kw["pages_dir"] = fixed_height_pages(db.parent / v)
            if kw["pages_dir"] is None:
                print(f"  {v}: n/a (pages/briefing.py has changed)", flush=True)
                continue
        if kw.pop("fragment", False):
            kw["pages_dir"] = fragment_pages(db.parent / v)
            if kw["pages_dir"] is None:
                print(f"  {v}: n/a (pages/briefing.py has changed)", flush=True)
                continue
        servers[v] = b.serve(f"profile-{v}", dbs[v], **kw)
    variants = list(servers)
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=str(b.CHROMIUM), args=b.CHROMIUM_ARGS)
            tabs = {}
            for v, srv in servers.items():
                ctx, tab = await b.new_tab(browser)
                tabs[v] = tab
                if cdp:
                    await cdp_attach(tab)
                await b.warm_up(tab, srv)
                for p in pages:  # every view computed once, every figure's bundle loaded: only warm changes count
                    if not p.startswith(AFTER) and v != "trivial":
                        await _one(tab, srv, p)
            for r in range(repeat):
                for p in pages:
                    for v in variants:
                        if v == "trivial" and p != pages[0]:
                            continue  # one page, whatever the page: its own selectbox changed
                        try:
                            if p.startswith(AFTER):
                                months[v] += 1
                                done = b.commit_month(dbs[v], synth.SCALES[scale], months[v])
                                if not done["committed"]:
                                    raise RuntimeError("the month's file was not committed")
                                first, back = await _after(tabs[v], servers[v], p[len(AFTER) :])
                                out[v][p].append(first)
                                out[v][p + ":back"] += [back] if back else []
                                ts = [t for t in (first, back) if t]
                            else:
                                ts = await _one(tabs[v], servers[v], p)
                                out[v][p] += ts
                            print(f"  {r + 1}/{repeat} {v:<16} {p:<9} {_row(b._summary(ts))}", flush=True)
                        except Exception as e:
                            print(f"  {v:<16} {p:<9} ERROR {type(e).__name__}: {e}"[:300], flush=True)
            await browser.close()
    finally:
        for srv in servers.values():
            srv.stop()
    return {v: {p: {**b._summary(ts), **_cdp_summary(ts)} for p, ts in res.items()} for v, res in out.items()}


async def _after(tab, srv, p: str):
    """Right after a commit: the committing editor's next run (untimed; a script run reads the new data version),
    then the first visit of ``p`` and, on a page with a filter, the first change back to the value it opened on (the
    first click: it builds the key the widgets hold)."""
    await b.visit(tab, srv, "/login")
    first = await b.visit(tab, srv, b.url_of(p))
    back = None
    if b.PAGES.get(p):
        _, back = await b.filter_change(tab, srv, b.PAGES[p])
    return first, back


async def _one(tab, srv, p: str) -> list:
    """One measured interaction of ``p`` (a filter change, new value and back; or 'slide': a visit, then two →)."""
    if srv.name.endswith("-trivial"):
        await b.visit(tab, srv, "/")
        return list(await b.filter_change(tab, srv, "trivial_choice"))
    if p.startswith("visit:"):  # a warm visit (a new session of an open tab), twice
        return [await b.visit(tab, srv, b.url_of(p[6:])) for _ in range(2)]
    if p == "slide":
        await b.visit(tab, srv, "/briefing?present=1")
        return [await b.slide_change(tab, srv), await b.slide_change(tab, srv)]
    await b.visit(tab, srv, b.url_of(p))
    return list(await b.filter_change(tab, srv, b.PAGES[p]))


# --- --cdp: what the browser did in each timed window (Chrome DevTools Protocol Performance.getMetrics) ----------
CDP_FIELDS = ("script", "layout", "style", "task", "nodes", "dom", "traces", "points")
PAGE_JS = """() => {
  const gds = [...document.querySelectorAll('.js-plotly-plot')];
  let traces = 0, points = 0;
  const size = a => {  // an array, a typed array, an array of rows, or plotly's {dtype, bdata, shape}
    if (!a || typeof a !== 'object') return 0;
    if (a.shape) return String(a.shape).split(',').reduce((m, x) => m * (parseInt(x) || 1), 1);
    if (!(Array.isArray(a) || ArrayBuffer.isView(a))) return 0;
    return Array.isArray(a[0]) || ArrayBuffer.isView(a[0]) ? Array.from(a).reduce((m, r) => m + size(r), 0) : a.length;
  };
  for (const gd of gds) for (const t of (gd.data || [])) {
    traces += 1;
    points += Math.max(size(t.x), size(t.y), size(t.z), size(t.values));
  }
  return {dom: document.getElementsByTagName('*').length, traces, points};
}"""
_CDP: dict = {}  # tab → (CDP session, the metrics at the window's start)


async def _metrics(tab) -> dict:
    sess = _CDP[id(tab)][0]
    got = await sess.send("Performance.getMetrics")
    return {m["name"]: m["value"] for m in got["metrics"]}


def cdp_instrument() -> None:
    """Wrap bench.browser's ``_arm`` (the window opens: a click) and ``_drawn`` (it closes) so every Timing also
    holds the browser's main-thread seconds in the window, split as Chrome counts them (script, layout, style
    recalculation, all tasks), the DOM's size (Chrome's live nodes; elements), and the plotly traces and points
    drawn. A visit opens its window at navigation (Chrome's counters restart with the document)."""
    arm, drawn = b._arm, b._drawn

    async def _arm(page) -> None:
        if id(page) in _CDP:
            _CDP[id(page)] = (_CDP[id(page)][0], await _metrics(page))
        await arm(page)

    async def _drawn(page, server, w0):
        t = await drawn(page, server, w0)
        if id(page) in _CDP:
            m0, m1 = _CDP[id(page)][1] or {}, await _metrics(page)
            for f, name in (
                ("script", "ScriptDuration"),
                ("layout", "LayoutDuration"),
                ("style", "RecalcStyleDuration"),
                ("task", "TaskDuration"),
            ):
                t[f] = round((m1.get(name, 0) - m0.get(name, 0)) * 1000, 1)
            t["nodes"] = m1.get("Nodes")
            t.update(await page.evaluate(PAGE_JS))
            _CDP[id(page)] = (_CDP[id(page)][0], None)
        return t

    b._arm, b._drawn = _arm, _drawn


async def cdp_attach(tab) -> None:
    sess = await tab.context.new_cdp_session(tab)
    await sess.send("Performance.enable")
    _CDP[id(tab)] = (sess, None)


def _cdp_summary(ts: list) -> dict:
    return {f: b.med([t.get(f) for t in ts]) for f in CDP_FIELDS if any(f in t for t in ts)}


def _row(s: dict) -> str:
    return (
        f"drawn {b._ms(s.get('drawn'))} ms  server {b._ms(s.get('server_ms'))} ms  long tasks {b._ms(s.get('busy'))} ms"
        f"  {(s.get('bytes') or 0) / 1024:.0f} KB  (n={s.get('n')})"
        + (
            "  | cdp ms: script {script} layout {layout} style {style} task {task}; nodes {nodes} dom {dom}"
            " traces {traces} points {points}".format(**{f: _num(s.get(f)) for f in CDP_FIELDS})
            if "task" in s
            else ""
        )
    )


def _num(v) -> str:
    return "–" if v is None else f"{v:.0f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.profile_browser", description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", default="M")
    ap.add_argument("--pages", default="overview,briefing,slide", help="pages whose filter to change; slide: →")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--store", help="an existing store to copy (else bench/synth.py builds the scale's)")
    ap.add_argument("--base", default="HEAD", help="the commit the 'base' variant serves (git archive)")
    ap.add_argument("--keep", metavar="DIR", help="build the store in DIR and keep (and reuse) it")
    ap.add_argument("--out", metavar="FILE")
    ap.add_argument("--cdp", action="store_true", help="also the browser's script/layout/style ms, DOM, plotly points")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    scale = args.scale.upper()
    try:
        db = work / "store.db"
        kept = Path(args.keep) / f"store_{scale}.db" if args.keep else None
        if args.store:
            shutil.copy(args.store, db)
        elif kept and kept.exists():
            shutil.copy(kept, db)
        else:
            synth.build_store(db, synth.SCALES[scale])
            if kept:
                kept.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(db, kept)
        pages = [p.strip() for p in args.pages.split(",") if p.strip()]
        variants = [v.strip() for v in args.variants.split(",") if v.strip()]
        res = asyncio.run(profile(db, pages, args.repeat, variants, args.base, scale, args.cdp))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n=== where the time goes at {args.scale.upper()} (medians) ===")
    for p in [*pages, *(f"{p}:back" for p in pages if p.startswith(AFTER))]:
        for v in variants:
            if p in res.get(v, {}):
                print(f"{p:<9} {v:<16} {_row(res[v][p])}")
    if args.out:
        Path(args.out).write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
