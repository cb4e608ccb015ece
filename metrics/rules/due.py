"""Due soon (预警) and overdue (PRODUCT §11): every open item with a deadline — rectification notices and key tasks
and talks' follow-ups (risk reviews join when that kind exists) — is *due soon* from the day half the working days
between its issue and its deadline have passed, and *overdue* the day after its deadline. Pure functions: the
office's holiday schedule (``workdays.Calendar``) and the day judged on are passed in.

Working days (PRODUCT §4.1) are counted by ``metrics.rules.workdays``: chinesecalendar, the office's calendar, the
statutory holidays — never plain Monday–Friday. ``n`` = the working days after the issue date up to and including
the deadline; the item is due soon from the ⌈n/2⌉-th of them (half the span has passed on that day). A deadline with
no working day after the issue (issued on its deadline, or across one long holiday) is due soon from its issue.

Where an item's span starts:

* a notice: its 下达日期 ``issued_on``;
* a talk's follow-up: the day the talk was held ``held_on``; it is open while ``follow_up_due`` is set and
  ``closed_on`` empty (a talk with no follow-up deadline has nothing to remind of);
* a task: tasks carry no issue date. A key task belongs to the year's plan (责任清单), issued at the start of the
  year, so its span starts on 1 January of its deadline's year. ``updated_on`` is deliberately not used: every
  progress update would move the warning later, and an office that updates diligently would never be warned.
* a risk review (PRODUCT §10): the register records only the review's deadline (复核期限); reviews follow the year's
  plan like tasks, so the span starts on 1 January of the deadline's year. An eliminated risk owes no review.

Which department an item belongs to (who is reminded): a notice's and a talk's ``dept_code``; a task's 牵头科室
``lead_dept`` (the responsible departments can be the whole hospital; the lead department answers for the task); a
risk review's 责任人或科室 ``owner`` (stored as the department's code when it names one: a stage's risk is reviewed by
its owner).

``items(tasks, notices, as_of, cal, risks=, talks=)`` → one row per open item: kind ('notice'|'task'|'risk'|'talk'),
key, dept_code, title (a talk's: its kind code, 'reminder' …, never the person),
issued_on, due_on, warn_from, state ('overdue'|'due_soon'|'open'), days_overdue (Int64).
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from metrics.rules import programme, workdays
from metrics.rules.workdays import Calendar

STATES = ("overdue", "due_soon", "open")
ITEM_KINDS = ("notice", "task", "risk", "talk")  # what carries a deadline today (PRODUCT §11)
ITEM_COLUMNS = ("kind", "key", "dept_code", "title", "issued_on", "due_on", "warn_from", "state", "days_overdue")


def working_days_between(start: date, end: date, cal: Calendar = workdays.EMPTY) -> int:
    """The working days after ``start`` up to and including ``end`` (0 when ``end`` ≤ ``start``)."""
    n, d = 0, start + timedelta(days=1)
    while d <= end:
        n += workdays.is_working_day(d, cal)[0]
        d += timedelta(days=1)
    return n


def due_soon_from(issued: date, due: date, cal: Calendar = workdays.EMPTY) -> date:
    """The first day an item issued on ``issued`` with deadline ``due`` is due soon: the ⌈n/2⌉-th working day after
    ``issued`` (n = ``working_days_between(issued, due)``), or ``issued`` itself when n is 0."""
    n = working_days_between(issued, due, cal)
    if n == 0:
        return min(issued, due)
    return workdays.add_working_days(issued, (n + 1) // 2, cal)[0]


def state_on(issued: date, due: date, as_of: date, cal: Calendar = workdays.EMPTY) -> str:
    """'overdue' (after ``due``), 'due_soon' (from ``due_soon_from`` to ``due``) or 'open', for an open item."""
    if as_of > due:
        return "overdue"
    return "due_soon" if as_of >= due_soon_from(issued, due, cal) else "open"


def task_start(due_on: date) -> date:
    """Where a task's span starts: 1 January of its deadline's year (see the module doc)."""
    return date(due_on.year, 1, 1)


def items(
    tasks: pd.DataFrame,
    notices: pd.DataFrame,
    as_of: date,
    cal: Calendar = workdays.EMPTY,
    risks: pd.DataFrame | None = None,
    talks: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every open notice, task, risk review (``risks``: store.risks; None = none) and talk follow-up (``talks``:
    store.talks) with its state on ``as_of`` (columns ``ITEM_COLUMNS``), overdue first, then due soon, then open;
    within a state by deadline."""
    rows: list[dict] = []
    memo: dict[tuple[date, date], date] = {}

    def add(kind, key, dept, title, issued, due):
        if due is None:
            return
        w = memo.get((issued, due)) or memo.setdefault((issued, due), due_soon_from(issued, due, cal))
        state = "overdue" if as_of > due else ("due_soon" if as_of >= w else "open")
        late = (as_of - due).days if state == "overdue" else None
        rows.append(dict(kind=kind, key=key, dept_code=dept, title=title, issued_on=issued.isoformat(),
                         due_on=due.isoformat(), warn_from=w.isoformat(), state=state, days_overdue=late))  # fmt: skip

    if not notices.empty:
        for r in notices[~notices["status"].isin(programme.NOTICE_CLOSED)].to_dict("records"):
            due, issued = _day(r["due_on"]), _day(r["issued_on"])
            title = r.get("issue") if isinstance(r.get("issue"), str) and r.get("issue") else ""
            add("notice", str(r["notice_no"]), str(r["dept_code"]), title, issued or due, due)
    if not tasks.empty:
        for r in tasks[~tasks["status"].isin(programme.TASK_CLOSED)].to_dict("records"):
            due = _day(r["due_on"])
            if due is not None:
                add("task", str(r["task_code"]), str(r["lead_dept"]), str(r["title"]), task_start(due), due)
    if risks is not None and not risks.empty:
        for r in risks[risks["status"].fillna("controlled") != "eliminated"].to_dict("records"):
            due = _day(r["review_due"])
            if due is not None:
                add("risk", str(r["risk_code"]), str(r["owner"]), str(r["risk"]), task_start(due), due)
    if talks is not None and not talks.empty:
        for r in talks[talks["closed_on"].map(_day).isna()].to_dict("records"):
            due, held = _day(r["follow_up_due"]), _day(r["held_on"])
            if due is not None and held is not None and held <= as_of:
                add("talk", str(r["talk_no"]), str(r["dept_code"]), str(r["kind"]), held, due)
    out = pd.DataFrame(rows, columns=list(ITEM_COLUMNS))
    if out.empty:
        return out.astype({"days_overdue": "Int64"})
    out["days_overdue"] = out["days_overdue"].astype("Int64")
    rank = out["state"].map({s: i for i, s in enumerate(STATES)})
    return (
        out.assign(_o=rank)
        .sort_values(["_o", "due_on", "kind", "key"], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )


def due_soon_keys(tasks: pd.DataFrame, notices: pd.DataFrame, as_of: date, cal: Calendar = workdays.EMPTY):
    """(task codes, notice numbers) due soon on ``as_of`` — what a page or the briefing's slide 5 marks 预警."""
    it = items(tasks, notices, as_of, cal)
    soon = it[it["state"] == "due_soon"]
    return frozenset(soon.loc[soon["kind"] == "task", "key"]), frozenset(soon.loc[soon["kind"] == "notice", "key"])


def _day(v) -> date | None:
    if v is None or (isinstance(v, float) and v != v) or not str(v).strip():
        return None
    return date.fromisoformat(str(v)[:10])
