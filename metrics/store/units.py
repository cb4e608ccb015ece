"""The award units' SQL (PRODUCT §10): a hospital's person and post units and their award changes."""

from __future__ import annotations

import pandas as pd
import sqlite_utils

from metrics.store.reads import Hospital, hospital_rows


def award_units(db: sqlite_utils.Database, hospital: Hospital = "") -> pd.DataFrame:
    """The units of ``hospital``: unit_code, unit_type ('person'|'post'), name (a person's is personal data),
    dept_code, source; by type, department, code."""
    return hospital_rows(
        db,
        "award_units",
        "unit_code, unit_type, name, dept_code, source",
        "{h}unit_type, dept_code, unit_code",
        hospital,
    )


def unit_award_changes(db: sqlite_utils.Database, hospital: Hospital = "") -> pd.DataFrame:
    """The award changes of ``hospital``'s units: unit_code, year, status, changed_on, rectify_until, note; oldest
    first."""
    return hospital_rows(
        db,
        "unit_award_changes",
        "unit_code, year, status, changed_on, rectify_until, note",
        "{h}changed_on, unit_code, year",
        hospital,
    )
