"""The talks' SQL (PRODUCT §10): 谈话记录 of a hospital, personal data (the person's name)."""

from __future__ import annotations

import pandas as pd
import sqlite_utils

from metrics.store.reads import Hospital, hospital_rows


def talks(db: sqlite_utils.Database, hospital: Hospital = "") -> pd.DataFrame:
    """The talks of ``hospital``: talk_no, kind ('routine'|'reminder'|'admonition'), dept_code, person, held_on, by,
    follow_up_due, closed_on; by the day held, then number."""
    return hospital_rows(
        db,
        "talks",
        "talk_no, kind, dept_code, person, held_on, by, follow_up_due, closed_on",
        "{h}held_on, talk_no",
        hospital,
    )
