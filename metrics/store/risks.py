"""The risk register's SQL (PRODUCT §10): the 廉洁风险点清单 of a hospital."""

from __future__ import annotations

import pandas as pd
import sqlite_utils

from metrics.store.reads import Hospital, _hosp_col, hospital_tuple
from metrics.store.tx import _frame, _where

RISK_COLUMNS = ("risk_code", "unit", "stage", "risk", "level", "controls", "owner", "review_due", "status")


def risks(db: sqlite_utils.Database, hospital: Hospital = "") -> pd.DataFrame:
    """The risk points of ``hospital``: risk_code, unit (a department code, a post or a stage as written), stage
    (contract.PROCUREMENT_STAGES code or None), risk, level (high|medium|low), controls, owner, review_due
    ('YYYY-MM-DD' or None), status (controlled|uncontrolled|eliminated); by risk code."""
    where, params = _where(("hospital_code IN", hospital_tuple(hospital)))
    h = _hosp_col(hospital)
    return _frame(db, f"SELECT {h}{', '.join(RISK_COLUMNS)} FROM risks{where} ORDER BY {h}risk_code", params)
