"""Working days beyond chinesecalendar's years (finding 11.6, PRODUCT §4.1): the office's entered schedule, else
chinesecalendar, else the statutory holidays from the lunar calendar — never plain Monday–Friday.
Every expected date below is worked out by hand from a wall calendar."""

from datetime import date

import pandas as pd

from metrics.ingest import importer
from metrics.rules import awards as R
from metrics.rules import workdays


def test_notice_from_2026_12_28_does_not_end_on_new_year_2027():
    # 公示 from Mon 2026-12-28, 5 working days counting the first day:
    #   Mon 12-28 (1), Tue 12-29 (2), Wed 12-30 (3), Thu 12-31 (4) — 2026, chinesecalendar knows them;
    #   Fri 2027-01-01 is 元旦 (statutory holiday), Sat 01-02 and Sun 01-03 are the weekend;
    #   Mon 2027-01-04 (5) → the notice ends on 2027-01-04, not on 元旦.
    end, unadjusted = R.public_notice_end("2026-12-28")
    assert end == date(2027, 1, 4)
    assert unadjusted is True  # 2027's adjusted working days (调休) are not entered: the page must say so


def test_notice_across_spring_festival_2027_counts_the_statutory_holidays():
    # Lunar new year 2027 = Sat 2027-02-06, so 除夕 = Fri 02-05 and 初三 = Mon 02-08 (statutory 春节: 除夕 to 初三).
    # 公示 from Mon 2027-02-01: Mon 01 (1), Tue 02 (2), Wed 03 (3), Thu 04 (4); Fri 05 除夕 off; Sat 06 / Sun 07
    # weekend (and 初一, 初二); Mon 08 初三 off; Tue 02-09 (5). Mon–Fri would have said Fri 02-05, 除夕.
    end, unadjusted = R.public_notice_end(date(2027, 2, 1))
    assert end == date(2027, 2, 9)
    assert unadjusted is True


def test_notice_across_qingming_2027():
    # 清明 2027 is the solar term's day, Mon 2027-04-05. 公示 from Thu 04-01: Thu 01 (1), Fri 02 (2), weekend,
    # Mon 05 清明 off, Tue 06 (3), Wed 07 (4), Thu 04-08 (5). Mon–Fri would have said Wed 04-07.
    assert R.public_notice_end("2027-04-01") == (date(2027, 4, 8), True)


def test_statutory_holidays_2027_and_a_29_day_twelfth_month():
    got = workdays.statutory_holidays(2027)
    assert [d.isoformat() for d in got] == [
        "2027-01-01",  # 元旦
        "2027-02-05",  # 除夕
        "2027-02-06",  # 初一 (lunar new year)
        "2027-02-07",
        "2027-02-08",  # 初三
        "2027-04-05",  # 清明
        "2027-05-01",
        "2027-05-02",  # 劳动节
        "2027-06-09",  # 端午 = lunar 5/5
        "2027-09-15",  # 中秋 = lunar 8/15
        "2027-10-01",
        "2027-10-02",
        "2027-10-03",  # 国庆
    ]
    assert got[date(2027, 2, 5)] == "春节" and got[date(2027, 9, 15)] == "中秋节"
    # Lunar new year 2025 = 2025-01-29 after a twelfth month of 29 days: 除夕 is 腊月廿九, Tue 2025-01-28.
    assert min(d for d, n in workdays.statutory_holidays(2025).items() if n == "春节") == date(2025, 1, 28)
    # 2028: 中秋 (lunar 8/15) falls on 10-03, inside 国庆 — one day off, not two.
    h2028 = workdays.statutory_holidays(2028)
    assert date(2028, 10, 3) in h2028 and date(2028, 1, 25) in h2028  # 除夕 2028 = 01-25 (new year 01-26)
    assert len(h2028) == 12


def _calendar(rows):
    return workdays.Calendar.from_frame(pd.DataFrame(rows, columns=["date", "kind", "name"]))


def test_a_year_the_office_entered_follows_its_schedule_and_a_ban_saturday_works():
    # The office enters 2027's schedule as a State Council notice would give it: 春节 Fri 02-05 to Thu 02-11 off,
    # Sat 02-20 an adjusted working day (班).
    cal = _calendar(
        [(f"2027-02-{d:02d}", "off", "春节") for d in range(5, 12)] + [("2027-02-20", "work", "春节调休上班")]
    )
    # 公示 from Tue 02-16: Tue 16 (1), Wed 17 (2), Thu 18 (3), Fri 19 (4), Sat 20 班 (5) → ends Sat 2027-02-20
    # (without the 班 day it would be Mon 02-22). Entered: nothing is flagged.
    assert R.public_notice_end("2027-02-16", cal) == (date(2027, 2, 20), False)
    # Tue 02-09 and Wed 02-10 are off because the office said so (statutory 春节 ends 02-08): 公示 from Mon 02-08:
    # Fri 02-12 (1), Mon 15 (2), Tue 16 (3), Wed 17 (4), Thu 18 (5).
    assert R.public_notice_end("2027-02-08", cal) == (date(2027, 2, 18), False)
    # A statutory holiday the office did not enter stays off (清明, Mon 2027-04-05), unflagged: 2027 is entered.
    assert workdays.is_working_day("2027-04-05", cal) == (False, False)
    assert workdays.is_working_day("2027-04-06", cal) == (True, False)
    # An entered 班 wins even over a statutory holiday (the office's word is the schedule).
    assert workdays.is_working_day("2027-05-02", _calendar([("2027-05-02", "work", "")])) == (True, False)
    # Entered days of a year chinesecalendar covers overlay it: Sat 2026-02-14 is a 春节 working day there.
    assert workdays.is_working_day("2026-02-14", _calendar([("2026-02-14", "off", "")])) == (False, False)
    assert workdays.is_working_day("2026-02-14", _calendar([("2026-05-01", "off", "")])) == (True, False)
    # Years the office did not enter keep the statutory count and the flag.
    assert R.public_notice_end("2028-09-29", cal)[1] is True


def test_award_status_counts_the_notice_on_the_calendar_it_is_given():
    changes = pd.DataFrame(
        [("K01", 2027, "public_notice", "2027-02-16", None, "")],
        columns=["dept_code", "year", "status", "changed_on", "rectify_until", "note"],
    )
    plain = R.award_status(changes, "2027-02-17", 2027).iloc[0]
    assert (plain["notice_end"], bool(plain["notice_fallback"])) == ("2027-02-22", True)
    cal = _calendar([("2027-02-20", "work", "春节调休上班")])
    entered = R.award_status(changes, "2027-02-17", 2027, calendar=cal).iloc[0]
    assert (entered["notice_end"], bool(entered["notice_fallback"])) == ("2027-02-20", False)


def test_unadjusted_years_and_suggestions():
    cal = _calendar([("2028-01-01", "off", "元旦")])
    assert workdays.unadjusted_years([("2026-12-28", "2027-01-04"), ("2027-12-30", "2029-01-02")], cal) == [
        2027,
        2029,
    ]
    # For a year chinesecalendar covers the suggestion is its schedule, adjusted working days included
    # (2026: Sat 02-14 and Sat 02-28 were 春节 working days).
    sugg = {d: k for d, k, _ in workdays.suggested_days(2026)}
    assert sugg["2026-02-14"] == "work" and sugg["2026-02-16"] == "off" and "2026-03-02" not in sugg
    # Beyond it: the statutory holidays, no working days.
    assert {k for _, k, _ in workdays.suggested_days(2027)} == {"off"}


def test_editor_year_rows_keep_other_years_and_open_on_the_next_year_to_enter():
    cal = _calendar([("2027-01-01", "off", "元旦"), ("2027-02-20", "work", "调休"), ("2028-01-01", "off", "元旦")])
    assert workdays.year_schedule(cal, 2027).source == "entered"
    assert (workdays.year_schedule(cal, 2027).off, workdays.year_schedule(cal, 2027).work) == (1, 1)
    assert workdays.year_schedule(cal, 2026).source == "chinesecalendar"
    assert workdays.year_schedule(cal, 2029).source == "statutory"
    # Saving 2027 as edited (02-20 removed, 2028-01-01 renamed from this year's grid): 2028's other days stay.
    edited = [
        {"date": "2027-01-01", "kind": "休", "name": "元旦"},
        {"date": "2028/1/1", "kind": "休", "name": "新年"},
    ]
    got = importer.calendar_rows_to_save(2027, edited, cal)
    assert [(r["date"], r["name"]) for r in got] == [("2027-01-01", "元旦"), ("2028/1/1", "新年")]
    assert workdays.default_year(cal, date(2026, 11, 30)) == 2029  # 2026 chinesecalendar, 2027–28 entered
    assert workdays.default_year(workdays.EMPTY, date(2026, 11, 30)) == 2027
