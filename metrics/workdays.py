"""Chinese working days: public holidays and adjusted working days (调休) from chinesecalendar.

chinesecalendar 1.11 covers 2004–2026 only. For a date outside that range we fall back to Monday–Friday
and say so (``fallback=True``) so that pages can show a visible note: the answer may be off by the
holidays the State Council has not yet announced.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar


def _as_date(d: date | str) -> date:
    return date.fromisoformat(d[:10]) if isinstance(d, str) else d


def is_working_day(d: date | str) -> tuple[bool, bool]:
    """(working day?, fallback used?) — fallback = Monday–Friday for a year the calendar does not cover."""
    d = _as_date(d)
    try:
        return bool(chinese_calendar.is_workday(d)), False
    except NotImplementedError:
        return d.weekday() < 5, True


def calendar_covers(year: int) -> bool:
    """Whether chinesecalendar knows the holidays of ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
        return True
    except NotImplementedError:
        return False


def nth_working_day(start: date | str, n: int) -> tuple[date, bool]:
    """(the n-th working day counting ``start`` itself when it is a working day, fallback used?).

    This is how a 公示 of "5 working days" from its first day is counted (n ≥ 1).
    """
    if n < 1:
        raise ValueError("n must be ≥ 1")
    d, fallback, seen = _as_date(start), False, 0
    while True:
        ok, fb = is_working_day(d)
        fallback |= fb
        if ok:
            seen += 1
            if seen == n:
                return d, fallback
        d += timedelta(days=1)


def add_working_days(start: date | str, n: int) -> tuple[date, bool]:
    """(the date n working days after ``start``, not counting ``start`` itself; fallback used?)."""
    if n < 1:
        return _as_date(start), False
    return nth_working_day(_as_date(start) + timedelta(days=1), n)
