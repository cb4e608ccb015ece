"""What the bench and the browser tests share about processes: a `streamlit run` on a free local port that is
healthy before anyone talks to it, nginx in front of two of them with the shipped config (deploy/nginx.conf) rendered
onto free ports, and a process's peak memory. Standard library only (a worker measuring its own
memory must not import more than it measures)."""

from __future__ import annotations

import resource
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX_CONF = ROOT / "deploy" / "nginx.conf"

# Debian's chromium driven by PyPI playwright (`playwright install` cannot download browsers here), quiet and local.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_streamlit(
    script: str, cwd: Path, env: dict, log: Path, timeout_s: float = 90, launcher: list[str] | None = None
) -> tuple[subprocess.Popen, str]:
    """(process, url) of `streamlit run script` on 127.0.0.1 at a free port, returned once /_stcore/health says ok;
    RuntimeError (with the log's end) if it exits or is not healthy within ``timeout_s``. ``launcher``: the python
    arguments before `run` (default ``["-m", "streamlit"]``; bench/profiled_server.py's to profile it)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, *(launcher or ["-m", "streamlit"]), "run", script, "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=cwd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log.read_text()[-2000:]}")
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(f"streamlit did not become healthy:\n{log.read_text()[-2000:]}")


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        raise RuntimeError("nginx is missing: install Debian's nginx (apt-get install -y nginx); .ci/run does")
    return found


def render_conf(listen: int, a: int, b: int) -> str:
    """The shipped config with its three documented port numbers replaced (each must occur exactly once)."""
    text = NGINX_CONF.read_text()
    for old, new in (("listen 8080;", f"listen 127.0.0.1:{listen};"), ("127.0.0.1:8501;", f"127.0.0.1:{a};"),
                     ("127.0.0.1:8502;", f"127.0.0.1:{b};")):  # fmt: skip
        if text.count(old) != 1:
            raise RuntimeError(f"deploy/nginx.conf no longer has exactly one {old!r}")
        text = text.replace(old, new)
    return text


def start_nginx(folder: Path, listen: int, a: int, b: int) -> subprocess.Popen:
    """nginx in the foreground with the rendered config, every file inside ``folder`` (the -p prefix), returned once
    it answers /_stcore/health. nginx's workers run as nobody when the master is root: ``folder`` must be reachable
    by them (a 0700 temporary folder is not)."""
    folder.mkdir(parents=True, exist_ok=True)
    conf = folder / "nginx.conf"
    conf.write_text(render_conf(listen, a, b))
    nginx = nginx_binary()
    check = subprocess.run([nginx, "-t", "-p", f"{folder}/", "-c", str(conf)], capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx -t failed: {check.stderr}")
    proc = subprocess.Popen([nginx, "-p", f"{folder}/", "-c", str(conf), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=(folder / "stderr.log").open("w"))  # fmt: skip
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"nginx exited: {(folder / 'stderr.log').read_text()}")
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{listen}/_stcore/health", timeout=2).read() == b"ok":
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"nginx did not answer: {(folder / 'stderr.log').read_text()}")


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB. VmHWM, not ru_maxrss: on Linux ru_maxrss survives exec, so a
    worker started by a large parent would report the parent's peak (ru_maxrss only where /proc is absent)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
