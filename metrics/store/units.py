"""The award units' SQL (PRODUCT §10): a hospital's person and post units and their award changes."""

from __future__ import annotations

import pandas as pd
import sqlite_utils

from metrics.store.reads import Hospital, _hosp_col, hospital_tuple
from metrics.store.tx import _frame, _where


def award_units(db: sqlite_utils.Database, hospital: Hospital = "") -> pd.DataFrame:
    """The units of ``hospital``: unit_code, unit_type ('person'|'post'), name (a person's is personal data),
    dept_code, source; by type, department, code."""
    where, params = _where(("hospital_code IN", hospital_tuple(hospital)))
    return _frame(
        db,
        f"SELECT {_hosp_col(hospital)}unit_code, unit_type, name, dept_code, source"
        f" FROM award_units{where} ORDER BY {_hosp_col(hospital)}unit_type, dept_code, unit_code",
        params,
    )


def unit_award_changes(db: sqlite_utils.Database, hospital: Hospital = "") -> pd.DataFrame:
    """The award changes of ``hospital``'s units: unit_code, year, status, changed_on, rectify_until, note; oldest
    first."""
    where, params = _where(("hospital_code IN", hospital_tuple(hospital)))
    return _frame(
        db,
        f"SELECT {_hosp_col(hospital)}unit_code, year, status, changed_on, rectify_until, note"
        f" FROM unit_award_changes{where} ORDER BY {_hosp_col(hospital)}changed_on, unit_code, year",
        params,
    )
