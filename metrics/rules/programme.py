"""Programme work (PRODUCT §8): key tasks, rectification notices and the 医德考评加分 list — pure pandas, no Streamlit.

Frames produced here (names are stable: the kinds, the pages and the briefing slide are built on them):

``responsible_codes(text, departments)`` → (dept codes in file order, unknown parts with their closest known name).
``task_states(tasks, as_of)`` → the tasks with ``state`` ('done'|'cancelled'|'overdue'|'due_quarter'|'open')
    and ``days_overdue`` (Int64).
``notice_states(notices, as_of)`` → the notices with ``state`` ('closed'|'overdue'|'open') and ``days_overdue``.
``overdue_notice_warnings(notices, as_of)`` → the automatic W03 整改逾期 warnings, shaped like stored events, each
    with the last day it was overdue (``until``): W03 is a state over the days a notice was late.
``appraisal_points(year, award_changes, staff, as_of)`` → the +2 points list (seed 004), one row per staff member.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from metrics import contract

# ---------------------------------------------------------------------------------------------
# Rules as data
# ---------------------------------------------------------------------------------------------

# PRODUCT §8 tasks.status; overdue is computed, never typed.
TASK_CLOSED = ("done", "cancelled")
# PRODUCT §8 notices.status: 整改中 (default), 已整改 (awaiting the check), 已销号 (closed).
NOTICE_CLOSED = ("closed",)
# PRODUCT §8 and §4.3: an overdue notice is an automatic warning of this indicator.
OVERDUE_NOTICE_INDICATOR = "W03"
# PRODUCT §10 and §4.4: a 提醒谈话 or 诫勉谈话 is an automatic warning of this indicator (W02 提醒谈话).
TALK_WARNING_INDICATOR = "W02"
# Seed 004 (创建办法): "在医德考评中对'清廉示范科室'每位员工（须一年以上时间在该科室）加2分".
APPRAISAL_POINTS = 2
APPRAISAL_MIN_YEARS = 1  # 一年以上 includes exactly one year: in the department since award date − 1 year or earlier

# PRODUCT §8 tasks.responsible: separators between departments, the whole hospital, and a category's departments.
RESPONSIBLE_SEPARATORS = r"[、，,;；/\s]+"
RESPONSIBLE_JOIN = ","  # how the stored tasks.responsible lists its department codes
WHOLE_HOSPITAL = ("全院各科室", "全院", "全院科室", "all departments")
CATEGORY_PATTERN = re.compile(r"^全院(?P<category>.+?)科室$")


# ---------------------------------------------------------------------------------------------
# Responsible departments
# ---------------------------------------------------------------------------------------------


@dataclass
class DeptLookup:
    """The departments as a 责任科室 cell is read against, built once per file (not once a row): code and name →
    code, the active codes in order, those of each category, and the closest known name of an unknown part."""

    by_code: dict[str, str]
    by_name: dict[str, str]
    active: tuple[str, ...]
    by_category: dict[str, tuple[str, ...]]
    close: dict[str, str | None] = field(default_factory=dict)

    def closest(self, part: str) -> str | None:
        if part not in self.close:  # difflib is the one costly step: once per distinct unknown part
            got = difflib.get_close_matches(part, [*self.by_code, *self.by_name], n=1, cutoff=0.5)
            self.close[part] = got[0] if got else None
        return self.close[part]


def dept_lookup(departments: pd.DataFrame) -> DeptLookup:
    """``departments`` (dept_code, dept_name, category, active) as a DeptLookup."""
    active = departments[departments["active"].fillna(1).astype(int) == 1]
    by_category: dict[str, list[str]] = {}
    for code, cat in active[["dept_code", "category"]].itertuples(index=False, name=None):
        if isinstance(cat, str):
            by_category.setdefault(cat, []).append(code)
    return DeptLookup(
        by_code=dict(zip(departments["dept_code"], departments["dept_code"], strict=True)),
        by_name=dict(zip(departments["dept_name"], departments["dept_code"], strict=True)),
        active=tuple(active["dept_code"]),
        by_category={k: tuple(v) for k, v in by_category.items()},
    )


def responsible_codes(
    text: str | None, departments: pd.DataFrame | DeptLookup
) -> tuple[list[str], list[tuple[str, str | None]]]:
    """(codes, unknown) for a 责任科室 cell: codes or names separated by 、，,;；; 全院各科室 = every active
    department; 全院<类别>科室 (e.g. 全院临床科室) = every active department of that category. ``unknown`` lists
    each part that names no department, with the closest known code or name (None when nothing is close).
    Linear in the cell and the answer: each distinct part is expanded once, codes kept once by a set."""
    if text is None or not str(text).strip():
        return [], []
    look = departments if isinstance(departments, DeptLookup) else dept_lookup(departments)
    codes: list[str] = []
    seen: set[str] = set()
    done: set[str] = set()
    unknown: list[tuple[str, str | None]] = []
    for part in (p for p in re.split(RESPONSIBLE_SEPARATORS, str(text).strip()) if p):
        if part in done:  # 5,400 × 全院各科室 adds nothing after the first
            continue
        done.add(part)
        if part in WHOLE_HOSPITAL:
            found = look.active
        elif (m := CATEGORY_PATTERN.match(part)) and m["category"] in look.by_category:
            found = look.by_category[m["category"]]
        elif part in look.by_code or part in look.by_name:
            found = (look.by_code.get(part) or look.by_name[part],)
        else:
            unknown.append((part, look.closest(part)))
            continue
        for c in found:
            if c not in seen:
                seen.add(c)
                codes.append(c)
    return codes, unknown


# ---------------------------------------------------------------------------------------------
# Tasks and notices
# ---------------------------------------------------------------------------------------------


def quarter_bounds(as_of: date) -> tuple[date, date]:
    """(first day, last day) of the calendar quarter holding ``as_of``."""
    first_month = 3 * ((as_of.month - 1) // 3) + 1
    start = date(as_of.year, first_month, 1)
    end = (pd.Timestamp(start) + pd.offsets.QuarterEnd(0)).date()
    return start, end


def task_states(tasks: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """``tasks`` with ``state`` and ``days_overdue``. Overdue = past ``due_on`` and neither done nor cancelled:
    a task due today is not overdue yet, the day after it is (PRODUCT §8). 'due_quarter' = due in as_of's
    quarter and not yet overdue."""
    due = pd.to_datetime(tasks["due_on"], errors="coerce")
    today = pd.Timestamp(as_of)
    q_start, q_end = quarter_bounds(as_of)
    closed = tasks["status"].isin(TASK_CLOSED)
    overdue = ~closed & due.notna() & (due < today)
    due_quarter = ~closed & ~overdue & due.between(pd.Timestamp(q_start), pd.Timestamp(q_end))
    state = pd.Series("open", index=tasks.index)
    state = state.mask(due_quarter, "due_quarter").mask(overdue, "overdue")
    state = state.mask(tasks["status"] == "done", "done").mask(tasks["status"] == "cancelled", "cancelled")
    days = (today - due).dt.days.where(overdue)
    return tasks.assign(state=state, days_overdue=days.astype("Int64"))


def notice_states(notices: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """``notices`` with ``state`` ('closed' | 'overdue' | 'open') and ``days_overdue``: a notice is overdue the
    day after its 整改期限 while not 销号 (PRODUCT §8); 已整改 awaiting the check is still open."""
    due = pd.to_datetime(notices["due_on"], errors="coerce")
    today = pd.Timestamp(as_of)
    closed = notices["status"].isin(NOTICE_CLOSED)
    overdue = ~closed & due.notna() & (due < today)
    state = pd.Series("open", index=notices.index).mask(overdue, "overdue").mask(closed, "closed")
    return notices.assign(state=state, days_overdue=(today - due).dt.days.where(overdue).astype("Int64"))


def notices_as_of(notices: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """``notices`` as they stood on ``as_of``: only those issued by then, and one closed (销号) after it still open
    then (PRODUCT §6: a past quarter is judged at its last day)."""
    day = pd.Timestamp(as_of)
    issued = pd.to_datetime(notices["issued_on"], errors="coerce")
    kept = notices[issued.isna() | (issued <= day)]
    closed_on = pd.to_datetime(kept["closed_on"], errors="coerce")
    later = kept["status"].isin(NOTICE_CLOSED) & closed_on.notna() & (closed_on > day)
    return kept.assign(
        status=kept["status"].mask(later, "rectifying"), closed_on=kept["closed_on"].mask(later, None)
    ).reset_index(drop=True)


def tasks_as_of(tasks: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """``tasks`` as they stood on ``as_of``: a task reported done or cancelled after it (its ``updated_on``, the day
    of its last report) was still in progress then."""
    updated = pd.to_datetime(tasks["updated_on"], errors="coerce")
    later = tasks["status"].isin(TASK_CLOSED) & updated.notna() & (updated > pd.Timestamp(as_of))
    return tasks.assign(status=tasks["status"].mask(later, "in_progress"))


def overdue_notice_warnings(notices: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """The automatic W03 整改逾期 warnings (PRODUCT §4.3, §8), one per notice that was open past its deadline on some
    day up to ``as_of``, in the columns of stored events (event_id, event_date, dept_code, kind, indicator,
    description, evidence, office, status) plus ``until``. W03 is a state, not a dated event: ``event_date`` is its
    first overdue day, ``until`` its last — the day before it was closed (销号), or ``as_of`` while it is still open
    (a notice closed after ``as_of`` was still open then) — and the warning counts in every period between
    (``pipelines.event_periods``). A notice closed late still warns for the days it was late; one closed in time
    never does. ``hospital_code`` is kept when the notices carry it."""
    due = pd.to_datetime(notices["due_on"], errors="coerce")
    closed_on = pd.to_datetime(notices.get("closed_on", pd.Series(None, index=notices.index)), errors="coerce")
    today = pd.Timestamp(as_of)
    closed = notices["status"].isin(NOTICE_CLOSED) & closed_on.notna() & (closed_on <= today)
    # a closed notice without its 销号 date: nothing says it was ever late
    unknown = notices["status"].isin(NOTICE_CLOSED) & closed_on.isna()
    last_late = (closed_on - pd.Timedelta(days=1)).where(closed, today)
    first_late = due + pd.Timedelta(days=1)
    late = due.notna() & ~unknown & (first_late <= last_late)
    rows = notices[late]
    keep = ["hospital_code"] if "hospital_code" in notices.columns else []
    return pd.DataFrame(
        {
            **{c: rows[c] for c in keep},
            "event_id": "notice:" + rows["notice_no"].astype(str),
            "event_date": first_late[late].dt.strftime("%Y-%m-%d"),
            "dept_code": rows["dept_code"],
            "kind": "warning",
            "indicator": OVERDUE_NOTICE_INDICATOR,
            "description": rows["notice_no"].astype(str),
            "evidence": None,
            "office": None,
            "status": "confirmed",
            "until": last_late[late].dt.strftime("%Y-%m-%d"),
        }
    ).reset_index(drop=True)


def talk_warnings(talks: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """The automatic W02 warnings of the talks (PRODUCT §10): one per 提醒谈话 or 诫勉谈话 held by ``as_of``, dated the
    day it was held (it counts in that day's month, quarter and year), in the columns of stored events; a routine
    廉政谈话 is none. The description is the talk's number, as a W03's is its notice's (a code shown as written in
    both languages; the indicator names the warning), never the person (viewers read events).
    ``hospital_code`` is kept when the talks carry it."""
    held = pd.to_datetime(talks["held_on"], errors="coerce")
    rows = talks[talks["kind"].isin(contract.TALK_WARNING_KINDS) & held.notna() & (held <= pd.Timestamp(as_of))]
    keep = ["hospital_code"] if "hospital_code" in talks.columns else []
    return pd.DataFrame(
        {
            **{c: rows[c] for c in keep},
            "event_id": "talk:" + rows["talk_no"].astype(str),
            "event_date": held[rows.index].dt.strftime("%Y-%m-%d"),
            "dept_code": rows["dept_code"],
            "kind": "warning",
            "indicator": TALK_WARNING_INDICATOR,
            "description": rows["talk_no"].astype(str),
            "evidence": None,
            "office": None,
            "status": "confirmed",
        }
    ).reset_index(drop=True)


def events_with_notices(
    events: pd.DataFrame, notices: pd.DataFrame, as_of: date, talks: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Stored events plus the automatic W03 整改逾期 warnings of the notices overdue on some day up to ``as_of``
    (PRODUCT §4.3, §8) and the automatic W02 of the talks held by then (§10), in the columns and order of
    store.events plus ``until`` (the last overdue day of a W03; empty for a stored event or a talk, which lasts its
    day): what the lights, the attention list and the trends page read."""
    parts = [events]
    if not notices.empty:
        parts.append(overdue_notice_warnings(notices, as_of))
    if talks is not None and not talks.empty:
        parts.append(talk_warnings(talks, as_of))
    parts = [parts[0], *(p for p in parts[1:] if not p.empty)]
    if len(parts) == 1:
        return events
    cols = [*events.columns, "until"]
    both = pd.concat([parts[0], *(p.reindex(columns=cols) for p in parts[1:])], ignore_index=True)
    return both.sort_values(["event_date", "event_id"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# 医德考评加分 (seed 004)
# ---------------------------------------------------------------------------------------------


def award_dates(year: int, award_changes: pd.DataFrame, as_of: date) -> dict[str, str]:
    """{dept_code: award date} for departments awarded for ``year`` whose award stands on ``as_of``: a later
    已取消 (revoked) or 整改中 change of the same department undoes it (a revoked award gives no points)."""
    known = award_changes[award_changes["changed_on"] <= as_of.isoformat()]
    out: dict[str, str] = {}
    for dept, rows in known.sort_values("changed_on", kind="stable").groupby("dept_code"):
        awarded = rows[(rows["year"].astype(int) == year) & (rows["status"] == "awarded")]
        if awarded.empty:
            continue
        on = awarded["changed_on"].max()
        later = rows[(rows["changed_on"] >= on) & rows["status"].isin(("revoked", "rectifying"))]
        if later.empty:
            out[dept] = on
    return out


def appraisal_points(year: int, award_changes: pd.DataFrame, staff: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """The +2 points list for ``year``: every active staff member of each department awarded that year (award not
    revoked by ``as_of``) who had been in it at least one year on the award date — the award date itself counts
    (in since 2025-03-10, awarded 2026-03-10: one year, points). Columns: staff_id, name, dept_code,
    in_dept_since, award_date, points; ordered by department, then staff id."""
    awarded = award_dates(year, award_changes, as_of)
    cols = ["staff_id", "name", "dept_code", "in_dept_since", "award_date", "points"]
    if not awarded or staff.empty:
        return pd.DataFrame(columns=cols)
    s = staff[staff["dept_code"].isin(awarded) & (staff["active"].fillna(1).astype(int) == 1)]
    s = s.assign(award_date=s["dept_code"].map(awarded))
    latest_start = s["award_date"].map(lambda d: _years_before(date.fromisoformat(d), APPRAISAL_MIN_YEARS))
    held = pd.to_datetime(s["in_dept_since"]) <= pd.to_datetime(latest_start)
    out = s[held].assign(points=APPRAISAL_POINTS)
    return out[cols].sort_values(["dept_code", "staff_id"], kind="stable").reset_index(drop=True)


def _years_before(d: date, years: int) -> date:
    """The same day ``years`` years earlier (29 Feb → 28 Feb)."""
    try:
        return d.replace(year=d.year - years)
    except ValueError:
        return d.replace(year=d.year - years, day=28)
