"""一院一品 reads (PRODUCT §10 brands): each hospital's projects by year and their dated notes and checks."""

from __future__ import annotations

import pandas as pd
import sqlite_utils

from metrics.store.reads import Hospital, hospital_rows


def brand_projects(db: sqlite_utils.Database, hospital: Hospital = "", year: int | None = None) -> pd.DataFrame:
    """``hospital``'s projects (a tuple: several hospitals', hospital_code first): year, project_code, category,
    title, plan, phase (None: read from the date), highlight (1 / 0 / None); by year, then hospital."""
    columns = "year, project_code, category, title, plan, phase, highlight"
    return hospital_rows(db, "brand_projects", columns, "year, {h}project_code", hospital, ("year = ?", year))


def brand_notes(db: sqlite_utils.Database, hospital: Hospital = "", year: int | None = None) -> pd.DataFrame:
    """``hospital``'s progress notes and checks: year, noted_on, entry_type ('progress' | 'check'), note, result; by
    day."""
    columns = "year, noted_on, entry_type, note, result"
    return hospital_rows(db, "brand_notes", columns, "{h}noted_on, entry_type", hospital, ("year = ?", year))
