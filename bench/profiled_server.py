"""`python -m bench.profiled_server OUT.prof run serve.py …`: Streamlit in this process with every thread under
cProfile (the script runs happen in ScriptRunner threads, which `python -m cProfile` would not see).

SIGUSR1 clears what was collected so far; SIGUSR2 writes every thread's stats, merged, to OUT.prof (pstats format).
bench/wsload.py `--profile` sends them around a level's warm phase. Times are each thread's CPU time
(time.thread_time_ns), so waiting for the GIL, a lock or a socket is not counted. cProfile slows many small calls (a profiled
server is slower than a plain one): read shares of its time, not its times.
"""

from __future__ import annotations

import cProfile
import pstats
import signal
import sys
import threading
import time

_lock = threading.Lock()
_live: dict[int, cProfile.Profile] = {}  # thread ident -> its profiler, while the thread runs
_done: list[pstats.Stats] = []  # threads that ended since the last clear
_out = sys.argv[1]
_orig_run = threading.Thread.run


def _profile() -> cProfile.Profile:
    # each thread's own CPU time, not the wall clock: a thread waiting for the GIL, a lock or a sleep costs nothing
    return cProfile.Profile(time.thread_time_ns, 1e-9)


def _stats(prof: cProfile.Profile) -> pstats.Stats | None:
    try:
        return pstats.Stats(prof)
    except TypeError:  # it recorded nothing (cleared, or a thread that only waited)
        return None


def _run(self) -> None:
    prof = _profile()
    with _lock:
        _live[threading.get_ident()] = prof
    prof.enable()
    try:
        _orig_run(self)
    finally:
        prof.disable()
        with _lock:
            _live.pop(threading.get_ident(), None)
            if (st := _stats(prof)) is not None:
                _done.append(st)


def _clear(*_) -> None:
    with _lock:
        _done.clear()
        for prof in _live.values():
            prof.clear()  # another thread's profiler, read while the server is idle between levels


def _dump(*_) -> None:
    me = threading.get_ident()
    with _lock:
        stats = list(_done)
        prof = _live.get(me)
        # Only this thread's own profiler among those still running: another thread's call in flight would be timed
        # with this thread's CPU clock (create_stats closes open calls here). Left out so: long-lived workers such as
        # Streamlit's file-polling executor, which mostly sleep; every script run's thread has ended by then.
        if prof is not None:
            if (st := _stats(prof)) is not None:
                stats.append(st)
            prof.enable()
    if not stats:
        return
    merged = stats[0]
    for s in stats[1:]:
        merged.add(s)
    merged.dump_stats(_out)


def main() -> None:
    threading.Thread.run = _run
    signal.signal(signal.SIGUSR1, _clear)
    signal.signal(signal.SIGUSR2, _dump)
    main_prof = _profile()
    _live[threading.get_ident()] = main_prof
    main_prof.enable()
    from streamlit.web import cli

    sys.argv = ["streamlit", *sys.argv[2:]]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
