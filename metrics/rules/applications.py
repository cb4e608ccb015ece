"""The 申报表's steps against the award lifecycle (PRODUCT §10 applications, §4.1): each reviewing step's opinion
and date (branch → working group → committee) belongs to the status change that records it. A step dated after
that change (the status moved before the opinion was given), or undated while the status has passed the step, is
flagged. Pure: frames and mappings in, rows out."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from metrics.contract import AWARD_STEPS

# step → (its date's column, its opinion's column, the award status that records it)
STEPS: dict[str, tuple[str, str, str]] = {
    "branch": ("branch_on", "branch_opinion", "branch_reviewed"),
    "group": ("group_on", "group_opinion", "group_reviewed"),
    "committee": ("committee_on", "committee_opinion", "committee_approved"),
}


def step_flags(app: Mapping, changed: Mapping[str, str], status: str) -> tuple[tuple[str, str, str | None], ...]:
    """The flagged steps of one application as (step, "late" | "missing", the status change's date or None).

    ``changed``: award status → the date ('YYYY-MM-DD') of its latest change in the award year; ``status``: the
    department's current status. A status outside the process (rejected, revoked, rectifying) passes no step."""
    reached = AWARD_STEPS.index(status) if status in AWARD_STEPS else -1
    flags = []
    for step, (on, _opinion, st) in STEPS.items():
        day = _text(app.get(on))
        change = changed.get(st)
        if day and change and day > change:
            flags.append((step, "late", change))
        elif not day and reached >= AWARD_STEPS.index(st):
            flags.append((step, "missing", change))
    return tuple(flags)


def application_steps(apps: pd.DataFrame, changes: pd.DataFrame, status: pd.DataFrame) -> pd.DataFrame:
    """Per department with an application: dept_code, each step's date (None when not given) and the flags
    (step_flags). ``changes``: store.award_changes of the year; ``status``: award_status (dept_code, status)."""
    now = dict(zip(status["dept_code"], status["status"], strict=True))
    latest: dict[str, dict[str, str]] = {}
    for r in changes[["dept_code", "status", "changed_on"]].itertuples(index=False):
        mine = latest.setdefault(r.dept_code, {})
        if str(r.changed_on) > mine.get(r.status, ""):
            mine[r.status] = str(r.changed_on)
    rows = []
    for app in apps.to_dict("records"):
        code = app["dept_code"]
        flags = step_flags(app, latest.get(code, {}), now.get(code, "not_applied"))
        rows.append({"dept_code": code, **{on: _text(app.get(on)) for on, _o, _s in STEPS.values()}, "flags": flags})
    return pd.DataFrame(rows, columns=["dept_code", *(on for on, _o, _s in STEPS.values()), "flags"])


def _text(v) -> str | None:
    return v if isinstance(v, str) and v else None
