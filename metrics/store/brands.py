"""一院一品 reads (PRODUCT §10 brands): each hospital's projects by year and their dated notes and checks."""

from __future__ import annotations

import pandas as pd
import sqlite_utils

from metrics.store.reads import Hospital, _hosp_col, hospital_tuple
from metrics.store.tx import _frame, _where


def brand_projects(db: sqlite_utils.Database, hospital: Hospital = "", year: int | None = None) -> pd.DataFrame:
    """``hospital``'s projects (a tuple: several hospitals', hospital_code first): year, project_code, category,
    title, plan, phase (None: read from the date), highlight (1 / 0 / None); by year, then hospital."""
    where, params = _where(("hospital_code IN", hospital_tuple(hospital)), ("year = ?", year))
    return _frame(
        db,
        f"SELECT {_hosp_col(hospital)}year, project_code, category, title, plan, phase, highlight"
        f" FROM brand_projects{where} ORDER BY year, {_hosp_col(hospital)}project_code",
        params,
    )


def brand_notes(db: sqlite_utils.Database, hospital: Hospital = "", year: int | None = None) -> pd.DataFrame:
    """``hospital``'s progress notes and checks: year, noted_on, entry_type ('progress' | 'check'), note, result; by
    day."""
    where, params = _where(("hospital_code IN", hospital_tuple(hospital)), ("year = ?", year))
    return _frame(
        db,
        f"SELECT {_hosp_col(hospital)}year, noted_on, entry_type, note, result FROM brand_notes{where}"
        f" ORDER BY {_hosp_col(hospital)}noted_on, entry_type",
        params,
    )
