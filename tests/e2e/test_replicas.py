"""Replicas that agree (PRODUCT §9): two `streamlit run` servers on one PostgreSQL database, behind nginx with the
shipped config (deploy/nginx.conf, rendered onto free ports), driven by a real browser.

- Through the proxy an editor signs in, moves between pages and uploads a month: the upload POST, the websocket and
  every page change reach one replica (nginx's own access log names the replica of every request).
- A second browser on the OTHER replica, opened directly, sees the new month at once (the data version lives in the
  database; nothing restarts).
- A replica SIGKILLed in the middle of a large import loses nothing: the store holds none of the batch (or all of it),
  the other replica keeps serving, the proxy moves the browser to it, and a retry there commits.

PostgreSQL (tests/pgcluster.py) and nginx that cannot start fail the test; they never skip it. Timings are printed
(run with -s) and written to artifacts/replicas_timings.json.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from bench import procs
from metrics import i18n
from metrics.ingest import validate
from tests.conftest import DEMO_END_MONTH, file_rows
from tests.e2e.conftest import (
    EDITOR,
    EDITOR_PASSWORD,
    ROOT,
    app_env,
    exceptions,
    sign_in,
    wait_idle,
)

NEW_MONTH = validate.next_month()
MONTH_ROWS = [
    ("月份", "科室编码", "科室名称", "患者满意度", "职工满意度"),
    (NEW_MONTH, "K01", "心血管内科", "97.5", "93.0"),
    (NEW_MONTH, "K20", "急诊科", "91.0", "90.5"),
    (NEW_MONTH, "K07", "骨科", "95.0", "92.0"),
]
SIGNED_IN = f"已登录：{EDITOR}（编辑者）"
COMMITTED = i18n.t("upload.committed").split("{")[0]  # "已提交：批次 " (the batch history's status reads 已提交 alone)
TIMINGS = ROOT / "artifacts" / "replicas_timings.json"


def cli(url: str, *args: str, stdin: str | None = None) -> None:
    subprocess.run([sys.executable, "-m", "metrics", "--db", url, *args], cwd=ROOT, check=True, capture_output=True,
                   input=stdin, text=True, env=app_env(url))  # fmt: skip


def access_log(folder: Path) -> list[dict]:
    """nginx's access log (the shipped log_format): request, status, replica and affinity key of every line."""
    pat = re.compile(r'"(?P<request>[^"]*)" (?P<status>\d+) \d+ replica=(?P<replica>\S+) key=(?P<key>\S+)')
    return [m.groupdict() for m in map(pat.search, (folder / "access.log").read_text().splitlines()) if m]


def open_page(page, title: str, settle: float = 0.4) -> None:
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first.click()
    wait_idle(page, settle)


def newest_month_option(page, settle: float = 0.4) -> str:
    """The first option of the overview's period picker by month: the newest month holding data."""
    page.locator('[data-testid="stRadio"]').get_by_text(i18n.t("period.month"), exact=True).first.click()
    wait_idle(page, settle)
    page.locator('[data-testid="stSelectbox"]').filter(has_text=i18n.t("period.pick")).first.click()
    text = page.get_by_role("option").first.inner_text()
    page.keyboard.press("Escape")
    return text


def upload(page, path: Path, timeout_ms: int = 120_000) -> None:
    """Choose ``path`` on the upload page and wait for the commit button of its preview."""
    open_page(page, i18n.t("nav.upload"))
    page.locator('input[type="file"]').set_input_files(str(path))
    wait_idle(page)
    try:
        page.get_by_role("button", name=i18n.t("upload.commit"), exact=True).wait_for(timeout=timeout_ms)
    except Exception as e:
        page.screenshot(path=str(ROOT / "artifacts" / "screenshots" / "replicas_no_commit.png"), full_page=True)
        raise AssertionError(f"no commit button for {path.name}: {page.inner_text('.stMain')[:1500]}") from e


def commit_button(page):
    return page.get_by_role("button", name=i18n.t("upload.commit"), exact=True)


def state(url: str) -> dict:
    """What a commit changes, read by a connection of its own: values, batches, journal rows, the data version."""
    return {
        "values": file_rows(url),
        "batches": file_rows(url, "SELECT batch_id, status, rows_new, rows_changed FROM batches ORDER BY batch_id"),
        "journal": file_rows(url, "SELECT COUNT(*) FROM batch_changes")[0][0],
        "version": file_rows(url, "SELECT value FROM meta WHERE key = 'data_version'")[0][0],
    }


def write_in_progress(url: str) -> bool:
    """True while a transaction holds the store's write lock and is writing a batch (pg_locks, pg_stat_activity)."""
    rows = file_rows(
        url,
        "SELECT a.query FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory'"
        " AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        " AND a.pid <> pg_backend_pid()",
    )
    return any(re.search(r"metric_values|batch_changes|batches", q or "") for (q,) in rows)


@pytest.fixture
def replicas(pg_cluster, tmp_path):
    """(database URL, replica A, replica B, proxy URL, nginx folder): a demo store with an editor in a fresh database,
    two Streamlit servers on it, nginx in front."""
    url = pg_cluster.new_database()
    cli(url, "demo", "--end-month", DEMO_END_MONTH)
    cli(url, "users", "add", EDITOR, "--role", "editor", "--password-stdin", stdin=EDITOR_PASSWORD + "\n")
    env = app_env(url)
    started = []
    try:
        for name in ("a", "b"):
            proc, base = procs.start_streamlit("serve.py", ROOT, env, tmp_path / f"streamlit_{name}.log", 90)
            started.append((proc, base))
        listen = procs.free_port()
        ports = [int(base.rsplit(":", 1)[1]) for _, base in started]
        # nginx's workers run as nobody (the master is root here) and keep large uploads in the prefix's temp_body:
        # the prefix must be reachable by them, which pytest's tmp_path (0700) is not
        folder = Path(tempfile.mkdtemp(prefix="integrity-nginx-"))
        folder.chmod(0o755)
        nginx = procs.start_nginx(folder, listen, *ports)
        try:
            yield url, started[0], started[1], f"http://127.0.0.1:{listen}", folder
        finally:
            nginx.terminate()
            nginx.wait(10)
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        for proc, _ in started:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(10)
        pg_cluster.drop(url)


def test_two_replicas_behind_nginx_agree_and_lose_nothing_when_one_is_killed(replicas, new_page, shots, tmp_path):
    url, a, b, proxy, folder = replicas
    timings: dict[str, object] = {}

    # --- through the proxy: sign in, move between pages, upload a month ---------------------------------------------
    page = new_page(1600, 1000)
    sign_in(page, proxy)
    assert SIGNED_IN in page.inner_text('[data-testid="stSidebar"]')
    for key in ("nav.trends", "nav.events", "nav.awards", "nav.overview", "nav.upload", "nav.trends", "nav.overview"):
        open_page(page, i18n.t(key))
        assert not exceptions(page), (key, exceptions(page))
        assert SIGNED_IN in page.inner_text('[data-testid="stSidebar"]'), f"signed out after opening {key}"
    month_file = tmp_path / f"{NEW_MONTH[:4]}年{int(NEW_MONTH[5:])}月科室满意度.csv"
    month_file.write_bytes("\r\n".join(",".join(r) for r in MONTH_ROWS).encode("gb18030") + b"\r\n")
    version_before = state(url)["version"]
    upload(page, month_file)
    # meanwhile a second browser reads the OTHER replica directly (which one: below, from nginx's log)
    seconds = {}
    for name, base in (("a", a[1]), ("b", b[1])):
        seconds[name] = new_page(1600, 1000)
        seconds[name].goto(base + "/")
        wait_idle(seconds[name])
        assert newest_month_option(seconds[name]) != i18n.fmt_month(NEW_MONTH)
    commit_button(page).click()
    page.wait_for_function("t => document.body.innerText.includes(t)", arg=COMMITTED, timeout=60_000)
    committed_at = time.monotonic()
    assert SIGNED_IN in page.inner_text('[data-testid="stSidebar"]')
    assert int(state(url)["version"]) > int(version_before)

    # every request of this browser reached one replica: nginx's log, by the browser's own cookie
    key = {c["name"]: c["value"] for c in page.context.cookies()}["st_replica"]
    lines = [r for r in access_log(folder) if r["key"] == key]
    served = {r["replica"] for r in lines}
    assert len(served) == 1, f"one browser reached several replicas: {served}"
    assert any("/_stcore/upload_file" in r["request"] and r["status"].startswith("2") for r in lines), lines[-20:]
    (mine,) = served
    ours, other = (a, b) if mine.endswith(":" + a[1].rsplit(":", 1)[1]) else (b, a)
    assert mine.endswith(":" + ours[1].rsplit(":", 1)[1]), (mine, a[1], b[1])
    second = seconds["b" if ours is a else "a"]

    # --- the other replica, opened directly before the commit, shows the month on its next run ------------------------
    open_page(second, i18n.t("nav.overview"), 0)  # the next script run of that session: no reload, no restart
    first = newest_month_option(second, 0)
    timings["commit_on_one_replica_to_visible_on_the_other_s"] = round(time.monotonic() - committed_at, 2)
    assert first == i18n.fmt_month(NEW_MONTH), first
    second.screenshot(path=str(shots / "replicas_other_sees_the_month.png"))

    # page load through the proxy and directly (a new browser session each time: the overview's first paint)
    loads: dict[str, list[float]] = {"proxy": [], "direct": []}
    probe = new_page(1600, 1000)
    for _ in range(3):
        for where, base in (("proxy", proxy), ("direct", other[1])):
            start = time.monotonic()
            probe.goto(base + "/")
            wait_idle(probe, settle=0)
            loads[where].append(time.monotonic() - start)
            assert not exceptions(probe)
    timings["overview_load_median_s"] = {k: round(statistics.median(v), 2) for k, v in loads.items()}

    # --- a replica killed in the middle of a large import: nothing half-written ---------------------------------------
    depts = [c for (c,) in file_rows(url, "SELECT dept_code FROM departments ORDER BY dept_code")]
    big = tmp_path / "big.csv"
    lines_big = ["月份,科室编码,患者满意度,职工满意度,投诉件数"]
    for m in range(180):  # 2000-01 … 2014-12: months the demo does not hold, all rows new
        month = f"{2000 + m // 12}-{m % 12 + 1:02d}"
        lines_big += [f"{month},{d},{80 + (i * m) % 20},{85 + (i + m) % 10},{(i + m) % 5}" for i, d in enumerate(depts)]
    big.write_bytes(("\n".join(lines_big) + "\n").encode("utf-8-sig"))
    before = state(url)
    upload(page, big)  # through the proxy, on the replica this browser is on
    commit_button(page).click()
    start = time.monotonic()
    while not write_in_progress(url):
        assert time.monotonic() - start < 120, "the commit never started writing"
        time.sleep(0.01)
    time.sleep(0.2)  # well inside the write
    ours[0].send_signal(signal.SIGKILL)
    ours[0].wait(10)
    killed_after = round(time.monotonic() - start, 2)
    while write_in_progress(url):  # the server sees the connection drop and rolls the transaction back
        assert time.monotonic() - start < 60, "the killed replica's transaction still holds the write lock"
        time.sleep(0.05)
    after_kill = state(url)

    # the other replica keeps serving; the proxy sends this browser's next page to it, still signed in: the sign-in
    # lives in the store under the browser's cookie, not in the killed replica's memory
    second.goto(other[1] + "/")
    wait_idle(second)
    assert not exceptions(second)
    page.goto(proxy + "/")
    wait_idle(page)
    assert not exceptions(page)
    assert SIGNED_IN in page.inner_text('[data-testid="stSidebar"]'), "signed out when its replica stopped"
    upload(page, big)
    commit_button(page).click()
    page.wait_for_function("t => document.body.innerText.includes(t)", arg=COMMITTED, timeout=180_000)
    after_retry = state(url)
    # nginx logs a websocket when it closes: close this browser's page, then read every request it made, in order —
    # all on one replica (websockets included) until the kill, then all on the other
    page.close()
    time.sleep(1)
    path = [r["replica"].split(", ")[-1] for r in access_log(folder) if r["key"] == key]  # "A, B": A failed, B served
    streams = [r for r in access_log(folder) if r["key"] == key and "/_stcore/stream" in r["request"]]
    assert len(streams) >= 2, streams
    switches = [i for i in range(1, len(path)) if path[i] != path[i - 1]]
    assert len(switches) == 1 and path[0] == mine and path[-1] != mine, path
    timings["requests_of_the_browser_before_and_after_the_kill"] = [switches[0], len(path) - switches[0]]

    added = len(after_retry["values"]) - len(before["values"])
    assert added == len(depts) * 180 * 3
    whole = after_kill["values"] == after_retry["values"]
    assert after_kill["values"] == before["values"] or whole, "a killed import left part of its batch"
    if not whole:  # none of it: no batch, no journal row, no new data version
        assert after_kill["batches"] == before["batches"]
        assert after_kill["journal"] == before["journal"]
        assert after_kill["version"] == before["version"]
    assert (
        len(after_retry["batches"]) == len(after_kill["batches"]) + 1 and after_retry["batches"][-1][1] == "committed"
    )
    timings["killed_import"] = {"kill_after_commit_click_s": killed_after, "store_after_kill": "whole" if whole else
                                "none", "metric_values_in_batch": added}  # fmt: skip
    TIMINGS.parent.mkdir(exist_ok=True)
    TIMINGS.write_text(json.dumps(timings, indent=2, ensure_ascii=False))
    print("\nreplicas timings:", json.dumps(timings, ensure_ascii=False))
