"""The day the app judges "today" by: the machine's date, or ``$INTEGRITY_TODAY`` (YYYY-MM-DD) when set.

Every rule takes its day as an argument (``as_of`` / ``today``); the pages ask here once per run. The variable
lets a browser test (or a rehearsal of next quarter's meeting) run the whole app on a fixed day, so what it
checks does not change with the wall clock's month.
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
