"""The 申报表's SQL (PRODUCT §10 applications): a hospital's departments' applications of a year."""

from __future__ import annotations

import pandas as pd
import sqlite_utils

from metrics.store.reads import Hospital, _hosp_col, hospital_tuple
from metrics.store.tx import _frame, _where

APPLICATION_COLUMNS = (
    "year",
    "dept_code",
    "applied_on",
    "staff_count",
    "party_members",
    "party_share",
    "materials",
    "branch_opinion",
    "branch_on",
    "group_opinion",
    "group_on",
    "committee_opinion",
    "committee_on",
)


def applications(db: sqlite_utils.Database, hospital: Hospital = "", year: int | None = None) -> pd.DataFrame:
    """The applications of ``hospital`` (of ``year`` when given): APPLICATION_COLUMNS, the dates 'YYYY-MM-DD' or
    None, party_share in per cent; by year and department."""
    where, params = _where(("hospital_code IN", hospital_tuple(hospital)), ("year = ?", year))
    h = _hosp_col(hospital)
    cols = ", ".join(APPLICATION_COLUMNS)
    return _frame(db, f"SELECT {h}{cols} FROM applications{where} ORDER BY {h}year, dept_code", params)
