"""The region bench's pages through a real server in Chromium (`python -m bench --region --region-browser`).

For each store: `streamlit run` of the product on it (bench/browser.py's ``serve``), a commission user signed in through
the sign-in page, then every page opened from the sidebar in one session (a page load would start a new, signed-out
session): the first round is each page's first visit (after the server's own background warm of the first hospital's
default views, ui/warm.py — what a leader opening the dashboard after an upload meets), the next rounds warm visits
(median). Times as bench/browser.py takes them: from the click to drawn (bench/drawn.js), never a fixed sleep.
"""

from __future__ import annotations

import asyncio
import statistics
import time

from bench import browser as bb

USER, PASSWORD = "bench_region", "bench-region-pw-1"
# Sidebar links by page (the overview is the default page: its link is the site's root)
HREF = {"overview": None}


async def _sign_in(tab, server) -> None:
    await bb.visit(tab, server, "/login")
    await tab.locator('[data-testid="stTextInput"] input').nth(0).fill(USER)
    await tab.locator('input[type="password"]').fill(PASSWORD)
    await bb._arm(tab)
    w0 = time.time()
    await tab.locator('[data-testid="stFormSubmitButton"] button').click()
    await bb._drawn(tab, server, w0)


async def _open(tab, server, page: str) -> bb.Timing:
    links = tab.locator('[data-testid="stSidebarNav"] a')
    if page == "overview":
        link = links.first
    else:
        link = tab.locator(f'[data-testid="stSidebarNav"] a[href$="/{page}"]').first
    await bb._arm(tab)
    w0 = time.time()
    await link.click()
    return await bb._drawn(tab, server, w0)


async def _one_store(browser, kind: str, target: str, pages: list[str], repeat: int) -> dict:
    from metrics.access import users

    users.add_user(USER, PASSWORD, "commission", db_path=target)
    server = bb.serve(f"region-{kind}", target)
    out: dict = {"pages": {}}
    try:
        ctx, tab = await bb.new_tab(browser)
        try:
            await bb.warm_up(tab, server)
            await _sign_in(tab, server)
            for rnd in range(1 + repeat):
                for p in pages:
                    r = out["pages"].setdefault(p, {"warm_all": []})
                    try:
                        t = await _open(tab, server, p)
                        if t.get("exceptions"):
                            r["error"] = "exception on page"
                        if rnd == 0:
                            r["first"] = t["drawn"] / 1000
                            r["first_server_s"] = t.get("server_ms", 0) / 1000
                        else:
                            r["warm_all"].append(t["drawn"] / 1000)
                    except Exception as e:  # a page that does not draw is a finding, not a crash of the bench
                        r["error"] = f"{type(e).__name__}: {e}"[:300]
            for r in out["pages"].values():
                if r["warm_all"]:
                    r["warm"] = statistics.median(r["warm_all"])
            out["server_rss_mb"] = bb.proc_sample(server.proc.pid)[0]
        finally:
            await ctx.close()
    finally:
        server.stop()
    return out


async def _run(targets: dict[str, str], pages: list[str], repeat: int) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(bb.CHROMIUM), args=bb.CHROMIUM_ARGS)
        try:
            out = {}
            for kind, target in targets.items():
                print(f"\n--- {kind}: pages in Chromium through streamlit run ...", flush=True)
                try:
                    out[kind] = await _one_store(browser, kind, target, pages, repeat)
                except Exception as e:
                    out[kind] = {"error": f"{type(e).__name__}: {e}"[:300]}
                for p, r in (out[kind].get("pages") or {}).items():
                    print(f"    [{kind}] {p:<9} first {r.get('first', float('nan')):.3f}s "
                          f"warm {r.get('warm', float('nan')):.3f}s {r.get('error', '')}", flush=True)  # fmt: skip
            return out
        finally:
            await browser.close()


def measure(targets: dict[str, str], pages: list[str], repeat: int) -> dict:
    """{store kind: {"pages": {page: {first, warm, …}}, "server_rss_mb"}} for every store in ``targets``."""
    return asyncio.run(_run(targets, pages, repeat))
