"""`make test-busy`: the browser suite on a busy server — two CPU burners spin for the whole run.

A hospital's server is shared with other work; what a visitor sees must not depend on the machine being idle
(a first visitor seeing Streamlit's file listing for navigation, a click lost while a run is slow). The burners
are processes of their own, stopped however pytest ends (failure, Ctrl-C, SIGTERM from CI).

    python tests/busy.py [pytest arguments]   (default: -q tests/e2e)
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

BURNERS = 2
_SPIN = "while True: pass"


def _stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            p.kill()
    for p in procs:
        p.wait()


def main(argv: list[str]) -> int:
    args = argv or ["-q", "tests/e2e"]
    burners = [subprocess.Popen([sys.executable, "-c", _SPIN]) for _ in range(BURNERS)]
    # SIGTERM (CI cancelling the job) ends the run through the same `finally` as a failure
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    try:
        rc = subprocess.call([sys.executable, "-m", "pytest", *args])
    finally:
        _stop(burners)
    print(f"busy run ({BURNERS} CPU burners): {time.monotonic() - started:.0f} s, pytest exit {rc}", flush=True)
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
