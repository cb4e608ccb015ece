"""The talks' SQL (PRODUCT §10): 谈话记录 of a hospital, personal data (the person's name)."""

from __future__ import annotations

import pandas as pd
import sqlite_utils

from metrics.store.reads import Hospital, _hosp_col, hospital_tuple
from metrics.store.tx import _frame, _where


def talks(db: sqlite_utils.Database, hospital: Hospital = "") -> pd.DataFrame:
    """The talks of ``hospital``: talk_no, kind ('routine'|'reminder'|'admonition'), dept_code, person, held_on, by,
    follow_up_due, closed_on; by the day held, then number."""
    where, params = _where(("hospital_code IN", hospital_tuple(hospital)))
    return _frame(
        db,
        f"SELECT {_hosp_col(hospital)}talk_no, kind, dept_code, person, held_on, by, follow_up_due, closed_on"
        f" FROM talks{where} ORDER BY {_hosp_col(hospital)}held_on, talk_no",
        params,
    )
