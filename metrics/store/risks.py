"""The risk register's SQL (PRODUCT §10): the 廉洁风险点清单 of a hospital."""

from __future__ import annotations

import pandas as pd
import sqlite_utils

from metrics.store.reads import Hospital, hospital_rows

RISK_COLUMNS = ("risk_code", "unit", "stage", "risk", "level", "controls", "owner", "review_due", "status")


def risks(db: sqlite_utils.Database, hospital: Hospital = "") -> pd.DataFrame:
    """The risk points of ``hospital``: risk_code, unit (a department code, a post or a stage as written), stage
    (contract.PROCUREMENT_STAGES code or None), risk, level (high|medium|low), controls, owner, review_due
    ('YYYY-MM-DD' or None), status (controlled|uncontrolled|eliminated); by risk code."""
    return hospital_rows(db, "risks", ", ".join(RISK_COLUMNS), "{h}risk_code", hospital)
