"""Which target holds for a department, metric and month (PRODUCT §3.2 targets, §4.2).

A department is held to the stricter of its own target and the hospital-wide one (dept_code ''): the hospital's
is the floor (PRODUCT §4.2). Each applies from its ``effective_from`` month until a later row for the same
(metric, dept_code) replaces it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def resolve_targets(targets: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """``keys`` (dept_code, month, metric) with ``target`` and ``direction`` added (NaN/None where none applies).

    ``targets``: metric, dept_code ('' = hospital-wide), effective_from 'YYYY-MM', target, direction. When both
    carry ``hospital_code`` (a region's rows side by side) each row is held to its own hospital's targets.
    """
    h = ["hospital_code"] if "hospital_code" in keys.columns and "hospital_code" in targets.columns else []
    out = keys[[*h, "dept_code", "month", "metric"]].copy()
    if out.empty:
        return out.assign(target=pd.Series(dtype=float), direction=pd.Series(dtype=object))
    out["_order"] = range(len(out))
    own = _as_of(out, targets[targets["dept_code"] != ""], by=[*h, "metric", "dept_code"])
    hosp = _as_of(out, targets[targets["dept_code"] == ""].drop(columns="dept_code"), by=[*h, "metric"])
    res = out.merge(own, on="_order", how="left").merge(hosp, on="_order", how="left", suffixes=("", "_h"))
    # The hospital's target is the floor (PRODUCT §4.2, seed 000): a department is held to the stricter of its own
    # and the hospital's; an own target in the other direction than the hospital's gives way to the hospital's.
    own_t, hosp_t = res["target"].astype(float), res["target_h"].astype(float)
    same = res["direction"] == res["direction_h"]
    stricter = own_t.where(
        ~same, np.where(res["direction"] == ">=", np.fmax(own_t, hosp_t), np.fmin(own_t, hosp_t))
    ).where(same | hosp_t.isna(), hosp_t)
    use_own = own_t.notna()
    res["target"] = stricter.where(use_own, hosp_t).astype(float)
    res["direction"] = res["direction"].where(use_own & (same | hosp_t.isna()), res["direction_h"])
    return res.sort_values("_order")[[*h, "dept_code", "month", "metric", "target", "direction"]].reset_index(drop=True)


def _as_of(keys: pd.DataFrame, targets: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """For each key row, the latest target row with effective_from <= month (by ``by``): _order, target, direction."""
    if targets.empty:
        return pd.DataFrame(
            {"_order": pd.Series(dtype=int), "target": pd.Series(dtype=float), "direction": pd.Series(dtype=object)}
        )
    left = keys.assign(_m=_month_indexes(keys["month"])).sort_values("_m")
    right = targets.assign(_m=_month_indexes(targets["effective_from"])).sort_values("_m")
    merged = pd.merge_asof(left, right[[*by, "_m", "target", "direction"]], on="_m", by=by, direction="backward")
    return merged[["_order", "target", "direction"]]


def _month_index(m: str) -> int:
    return int(m[:4]) * 12 + int(m[5:7]) - 1


def _month_indexes(months: pd.Series) -> pd.Series:
    """``_month_index`` of each month, parsed once per distinct month (a store holds few months, many rows)."""
    return months.map({m: _month_index(m) for m in months.unique()}).astype("int64")


def passes(value, target, direction) -> bool | None:
    """Whether ``value`` meets ``target`` in ``direction`` ('>=' or '<='); None when either is missing."""
    if value is None or target is None or pd.isna(value) or pd.isna(target) or direction not in (">=", "<="):
        return None
    return bool(value >= target) if direction == ">=" else bool(value <= target)
