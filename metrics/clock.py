"""The day the app judges "today" by: the machine's date, or ``$INTEGRITY_TODAY`` (YYYY-MM-DD) when set.

Every rule takes its day as an argument (``as_of`` / ``today``); the pages ask here once per run, and a rule called
without one (the command line) asks here too: nothing in the product reads the machine's date for "today" elsewhere.
The variable lets a browser test (or a rehearsal of next quarter's meeting) run the whole app and its commands on a
fixed day, so what it checks does not change with the wall clock's month.

What stays on the wall clock, on purpose: the time stamps of records (audit log, upload batches, backups: when it
happened) and sign-in sessions' expiry (a rehearsal day must not lengthen or end a session), and the audit page's
window over those stamps.
"""

from __future__ import annotations

import os
from datetime import date

TODAY_ENV = "INTEGRITY_TODAY"


def today() -> date:
    """``$INTEGRITY_TODAY`` when it holds a date, else the machine's date."""
    fixed = os.environ.get(TODAY_ENV, "").strip()
    if fixed:
        try:
            return date.fromisoformat(fixed)
        except ValueError:
            pass  # a malformed value must not take the app down: the machine's date
    return date.today()
