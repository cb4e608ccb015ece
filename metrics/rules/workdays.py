"""Chinese working days: public holidays and adjusted working days (调休), PRODUCT §4.1.

Where a day's answer comes from, in order:

1. **The office's schedule** (``Calendar``, the ``calendar`` kind: 休 = holiday, 班 = adjusted working day): an
   entered day is what the office says it is.
2. **chinesecalendar** for the years it covers (1.11: 2004–2026).
3. **The statutory holidays** (全国年节及纪念日放假办法) computed with the lunar calendar (lunar-python): 元旦
   1 Jan, 春节 除夕 to 初三, 清明 (the solar term's day), 劳动节 1–2 May, 端午 (lunar 5/5), 中秋 (lunar 8/15),
   国庆 1–3 Oct — plus weekends. The adjusted working days of such a year are unknown until the State Council
   announces them and the office enters them, so every answer that rests on this in a year the office has not
   entered carries a flag (``unadjusted``) and pages say so. Never plain Monday–Friday.

A day the office did not enter falls through to 2, else 3, even in a year it entered: the State Council's
schedule always keeps the statutory holidays off, so an office that enters only the extra days off and the 班
days (or forgets 清明) still gets the statutory holidays right. A year with any entered day counts as entered
(no flag).

Pure functions: the stored schedule is passed in (``Calendar.from_frame(store.calendar_days(db))``), never read
here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property, lru_cache

import chinese_calendar
import pandas as pd
from lunar_python import Lunar, Solar

OFF, WORK = "off", "work"  # stored codes of the calendar kind (休 / 班)


def _as_date(d: date | str) -> date:
    return date.fromisoformat(d[:10]) if isinstance(d, str) else d


@dataclass(frozen=True)
class Calendar:
    """The schedule the office entered: ``days`` = ((date 'YYYY-MM-DD', 'off'|'work', name), …), sorted by date.

    A year with at least one entered day is an *entered* year (its adjusted working days count as known).
    """

    days: tuple[tuple[str, str, str], ...] = ()

    @classmethod
    def from_frame(cls, frame: pd.DataFrame | None) -> Calendar:
        """From ``store.calendar_days``' frame (date, kind, name)."""
        if frame is None or frame.empty:
            return EMPTY
        rows = (
            (str(d)[:10], str(k), "" if n is None or (isinstance(n, float) and n != n) else str(n))
            for d, k, n in frame[["date", "kind", "name"]].itertuples(index=False, name=None)
        )
        return cls(tuple(sorted(rows)))

    @cached_property
    def _by_date(self) -> dict[date, tuple[str, str]]:
        return {date.fromisoformat(d): (k, n) for d, k, n in self.days}

    @cached_property
    def years(self) -> frozenset[int]:
        """The years the office entered."""
        return frozenset(int(d[:4]) for d, _, _ in self.days)

    def entered(self, year: int) -> list[tuple[str, str, str]]:
        """The entered days of ``year``: [(date, kind, name)] in date order."""
        y = f"{year:04d}-"
        return [r for r in self.days if r[0].startswith(y)]


EMPTY = Calendar()


def calendar_covers(year: int) -> bool:
    """Whether chinesecalendar knows the holidays and adjusted working days of ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
        return True
    except NotImplementedError:
        return False


def adjusted_known(year: int, cal: Calendar = EMPTY) -> bool:
    """Whether ``year``'s adjusted working days are known: entered by the office, or chinesecalendar covers it."""
    return year in cal.years or calendar_covers(year)


@lru_cache(maxsize=256)
def statutory_holidays(year: int) -> dict[date, str]:
    """The statutory public holidays of ``year`` (date → Chinese name), computed; weekends not included.

    春节 is 除夕 (the day before lunar 1/1, whether the twelfth month has 29 or 30 days) to 初三; 除夕 of the
    lunar year starting in ``year``. 清明 is the day of the solar term.
    """
    out: dict[date, str] = {}

    def add(d: date, name: str) -> None:
        out.setdefault(d, name)

    add(date(year, 1, 1), "元旦")
    new_year = _solar(Lunar.fromYmd(year, 1, 1).getSolar())
    for i in range(-1, 3):  # 除夕, 初一, 初二, 初三
        add(new_year + timedelta(days=i), "春节")
    add(_qingming(year), "清明节")
    add(date(year, 5, 1), "劳动节")
    add(date(year, 5, 2), "劳动节")
    add(_solar(Lunar.fromYmd(year, 5, 5).getSolar()), "端午节")
    add(_solar(Lunar.fromYmd(year, 8, 15).getSolar()), "中秋节")
    for day in (1, 2, 3):
        add(date(year, 10, day), "国庆节")
    return {d: out[d] for d in sorted(out) if d.year == year}


def _solar(s: Solar) -> date:
    return date(s.getYear(), s.getMonth(), s.getDay())


def _qingming(year: int) -> date:
    # Mid-April lies in the lunar year that began in ``year``; its table holds that spring's solar terms.
    return _solar(Solar.fromYmd(year, 4, 15).getLunar().getJieQiTable()["清明"])


def _chinese_calendar_holidays(year: int) -> list[tuple[str, str, str]]:
    """chinesecalendar's holidays and adjusted working days of a year it covers, as calendar rows."""
    names = {
        "New Year's Day": "元旦",
        "Spring Festival": "春节",
        "Tomb-sweeping Day": "清明节",
        "Labour Day": "劳动节",
        "Dragon Boat Festival": "端午节",
        "National Day": "国庆节",
        "Mid-autumn Festival": "中秋节",
        "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
    }
    rows = []
    d = date(year, 1, 1)
    while d.year == year:
        on_holiday, name = chinese_calendar.get_holiday_detail(d)
        if d.weekday() < 5 and on_holiday and name:
            rows.append((d.isoformat(), OFF, names.get(str(name), str(name))))
        elif d.weekday() >= 5 and not on_holiday:
            rows.append((d.isoformat(), WORK, names.get(str(name), "") if name else ""))
        d += timedelta(days=1)
    return rows


def suggested_days(year: int) -> list[tuple[str, str, str]]:
    """What to offer for a year the office has not entered: chinesecalendar's schedule where it covers the year,
    else the statutory holidays (no adjusted working days: the State Council announces those year by year)."""
    if calendar_covers(year):
        return _chinese_calendar_holidays(year)
    return [(d.isoformat(), OFF, name) for d, name in statutory_holidays(year).items()]


def is_working_day(d: date | str, cal: Calendar = EMPTY) -> tuple[bool, bool]:
    """(working day?, unadjusted?) — unadjusted: the answer rests on the statutory holidays only, because the
    year's adjusted working days are neither entered nor known to chinesecalendar."""
    d = _as_date(d)
    entered = cal._by_date.get(d) if cal.days else None
    if entered is not None:
        return entered[0] == WORK, False
    try:
        return bool(chinese_calendar.is_workday(d)), False
    except NotImplementedError:
        return d.weekday() < 5 and d not in statutory_holidays(d.year), d.year not in cal.years


def nth_working_day(start: date | str, n: int, cal: Calendar = EMPTY) -> tuple[date, bool]:
    """(the n-th working day counting ``start`` itself when it is a working day, unadjusted?).

    This is how a 公示 of "5 working days" from its first day is counted (n ≥ 1). ``unadjusted`` is True when
    any day counted lies in a year whose adjusted working days are not known (see ``is_working_day``).
    """
    if n < 1:
        raise ValueError("n must be ≥ 1")
    d, unadjusted, seen = _as_date(start), False, 0
    while True:
        ok, un = is_working_day(d, cal)
        unadjusted |= un
        if ok:
            seen += 1
            if seen == n:
                return d, unadjusted
        d += timedelta(days=1)


def add_working_days(start: date | str, n: int, cal: Calendar = EMPTY) -> tuple[date, bool]:
    """(the date n working days after ``start``, not counting ``start`` itself; unadjusted?)."""
    if n < 1:
        return _as_date(start), False
    return nth_working_day(_as_date(start) + timedelta(days=1), n, cal)


def unadjusted_years(spans: Iterable[tuple[date | str, date | str]], cal: Calendar = EMPTY) -> list[int]:
    """The years, touched by any (first, last) span, whose adjusted working days are not known — what a page
    names when it shows a date computed from the statutory holidays alone."""
    years = set()
    for a, b in spans:
        if a is None or b is None or (isinstance(a, float) and a != a) or (isinstance(b, float) and b != b):
            continue
        years.update(range(_as_date(a).year, _as_date(b).year + 1))
    return sorted(y for y in years if not adjusted_known(y, cal))


# ---------------------------------------------------------------------------------------------
# One year's schedule as the targets page shows and edits it (PRODUCT §4.1: "or on the targets page")
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearSchedule:
    """One year as the editor shows it: the entered days, or (none entered) a suggestion to start from.

    ``source``: 'entered' | 'chinesecalendar' (suggested from chinesecalendar) | 'statutory' (suggested: the
    statutory holidays; the year's adjusted working days are unknown). ``rows``: (date, 'off'|'work', name).
    """

    year: int
    source: str
    rows: tuple[tuple[str, str, str], ...]

    @property
    def off(self) -> int:
        return sum(k == OFF for _, k, _ in self.rows)

    @property
    def work(self) -> int:
        return sum(k == WORK for _, k, _ in self.rows)


def year_schedule(cal: Calendar, year: int) -> YearSchedule:
    entered = cal.entered(year)
    if entered:
        return YearSchedule(year, "entered", tuple(entered))
    return YearSchedule(year, "chinesecalendar" if calendar_covers(year) else "statutory", tuple(suggested_days(year)))


def default_year(cal: Calendar, today: date) -> int:
    """The year the editor opens on: the first from this year on whose adjusted working days are not known (the
    next one the office has to enter), else this year."""
    for y in range(today.year, today.year + 4):  # the years editor_years offers from this one on
        if not adjusted_known(y, cal):
            return y
    return today.year


def editor_years(cal: Calendar, today: date) -> list[int]:
    """The years the editor offers: two back, three ahead, and every entered year."""
    return sorted({*range(today.year - 2, today.year + 4), *cal.years})
