"""The 四清 activities (PRODUCT §10, seed 001) — pure pandas, no Streamlit.

``of_year(activities, year, today)`` → the activities held in ``year`` up to ``today`` (a future date is no activity
    yet), by date then number.
``by_department(activities)`` → one row per activity and department it names: activity_no, brand, held_on, dept_code.
``without_rounds(activities, departments, year, today)`` → the active departments with no 清廉查房 held in ``year`` up
    to ``today`` (dept_code, dept_name), by code: the coverage the meeting is told about.
``dept_counts(activities, dept_code, year, today)`` → {brand: number of activities} naming the department that year.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from metrics import contract
from metrics.rules import programme


def of_year(activities: pd.DataFrame, year: int, today: date) -> pd.DataFrame:
    """The activities held in ``year`` on or before ``today``: a past year whole, the running year so far."""
    if activities.empty:
        return activities.copy()
    end = min(date(year, 12, 31), today).isoformat()
    held = activities["held_on"].astype(str)
    got = activities[(held >= f"{year}-01-01") & (held <= end)]
    return got.sort_values(["held_on", "activity_no"]).reset_index(drop=True)


def by_department(activities: pd.DataFrame) -> pd.DataFrame:
    """One row per activity and each department it names (an activity naming none gives no row)."""
    cols = ["activity_no", "brand", "held_on", "dept_code"]
    if activities.empty:
        return pd.DataFrame(columns=cols)
    codes = activities["departments"].fillna("").astype(str).str.split(programme.RESPONSIBLE_JOIN)
    out = activities.assign(dept_code=codes).explode("dept_code")
    return out[out["dept_code"].fillna("") != ""][cols].reset_index(drop=True)


def without_rounds(activities: pd.DataFrame, departments: pd.DataFrame, year: int, today: date) -> pd.DataFrame:
    """The active departments (the hospital-wide row is none) that no 清廉查房 of ``year`` up to ``today`` named."""
    year_rows = of_year(activities, year, today)
    if not year_rows.empty:
        year_rows = year_rows[year_rows["brand"] == contract.ROUNDS_BRAND]
    covered = set(by_department(year_rows)["dept_code"])
    d = departments
    if "active" in d.columns:
        d = d[d["active"].fillna(1).astype(int) == 1]
    d = d[(d["dept_code"] != contract.HOSPITAL_CODE) & ~d["dept_code"].isin(covered)]
    return d[["dept_code", "dept_name"]].sort_values("dept_code").reset_index(drop=True)


def dept_counts(activities: pd.DataFrame, dept_code: str, year: int, today: date) -> dict[str, int]:
    """How many activities of each brand named ``dept_code`` in ``year`` up to ``today``, in the brands' order."""
    rows = by_department(of_year(activities, year, today))
    n = rows[rows["dept_code"] == dept_code]["brand"].value_counts()
    return {b: int(n[b]) for b in contract.ACTIVITY_BRANDS if b in n.index}
