"""The lights of the risk register (PRODUCT §10, seed 001's 亮灯), as pure pandas.

``risk_lights(risks, today)`` → one row per risk point: its columns, plus light ('red'|'amber'|'green'), overdue
(bool: the review date passed and the risk is not eliminated), days_overdue (int, 0 when not) and reasons (a tuple of
reason codes, see REASONS). ``worst(lights, by)`` → one row per group: the worst light and the risk points that made
it. The day is always passed in: nothing here reads the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

# Worst first: a group's light is the first of these any of its risk points has.
ORDER = ("red", "amber", "green")

# Why a risk point is red or amber (i18n "risk.reason.<code>"), in the order a reader is told them.
REASONS = ("high_uncontrolled", "high_overdue", "medium_uncontrolled", "overdue")
RED_REASONS = frozenset({"high_uncontrolled", "high_overdue"})


def risk_lights(risks: pd.DataFrame, today: date) -> pd.DataFrame:
    """Each risk point's light on ``today``: red for a high risk out of control or a high one whose review is overdue;
    amber for a medium one out of control or any overdue review; green otherwise. An eliminated risk needs no
    review, so it is never overdue."""
    r = risks.copy()
    if r.empty:
        return r.assign(light=pd.Series(dtype=object), overdue=pd.Series(dtype=bool), days_overdue=0, reasons=None)
    due = pd.to_datetime(r["review_due"], errors="coerce")
    live = r["status"].fillna("controlled") != "eliminated"
    r["overdue"] = (live & (due < pd.Timestamp(today))).astype(bool)  # NaT (no review date) is never overdue
    r["days_overdue"] = ((pd.Timestamp(today) - due).dt.days.where(r["overdue"], 0)).fillna(0).astype(int)
    out = r["status"] == "uncontrolled"
    high, medium = r["level"] == "high", r["level"] == "medium"
    flags = {
        "high_uncontrolled": high & out,
        "high_overdue": high & r["overdue"],
        "medium_uncontrolled": medium & out,
        "overdue": ~high & r["overdue"],
    }
    r["reasons"] = [tuple(c for c in REASONS if bool(flags[c].iloc[i])) for i in range(len(r))]
    r["light"] = ["red" if RED_REASONS & set(rs) else "amber" if rs else "green" for rs in r["reasons"]]
    return r


def worst(lights: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Per group of ``by``: light (the worst of its risk points), risks (how many), and names (the risk codes whose
    own light is that worst one, when it is red or amber: the records behind the light; () when green)."""
    cols = [*by, "light", "risks", "names"]
    if lights.empty:
        return pd.DataFrame(columns=cols)
    rank = {c: i for i, c in enumerate(ORDER)}
    rows = []
    for key, g in lights.groupby(list(by), sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        light = min(g["light"], key=rank.__getitem__)
        names = () if light == "green" else tuple(g.loc[g["light"] == light, "risk_code"])
        rows.append((*key, light, len(g), names))
    return pd.DataFrame(rows, columns=cols)
