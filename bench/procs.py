"""What the bench and the browser tests share about processes: a `streamlit run` on a free local port that is
healthy before anyone talks to it, and a process's peak memory. Standard library only (a worker measuring its own
memory must not import more than it measures)."""

from __future__ import annotations

import resource
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

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
    script: str, cwd: Path, env: dict, log: Path, timeout_s: float = 90
) -> tuple[subprocess.Popen, str]:
    """(process, url) of `streamlit run script` on 127.0.0.1 at a free port, returned once /_stcore/health says ok;
    RuntimeError (with the log's end) if it exits or is not healthy within ``timeout_s``."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
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
