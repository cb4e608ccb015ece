"""Programme rules (PRODUCT §8, seed 004), each expectation worked out by hand on literal frames."""

from __future__ import annotations

from datetime import date

import pandas as pd

from metrics.rules import programme

DEPTS = pd.DataFrame(
    {
        "dept_code": ["K01", "K02", "K03", "T01", "X01"],
        "dept_name": ["心内科", "普外科", "儿科", "检验科", "院办"],
        "category": ["临床", "临床", "临床", "医技", "行政"],
        "active": [1, 1, 0, 1, 1],
    }
)


def test_responsible_accepts_codes_names_and_every_separator():
    codes, unknown = programme.responsible_codes("K01、普外科；检验科,X01", DEPTS)
    assert codes == ["K01", "K02", "T01", "X01"]
    assert unknown == []


def test_whole_hospital_is_every_active_department():
    codes, _ = programme.responsible_codes("全院各科室", DEPTS)
    assert codes == ["K01", "K02", "T01", "X01"]  # K03 is not in use


def test_a_category_expands_to_its_active_departments():
    codes, _ = programme.responsible_codes("全院临床科室、院办", DEPTS)
    assert codes == ["K01", "K02", "X01"]


def test_an_unknown_department_is_named_with_the_closest_known_one():
    codes, unknown = programme.responsible_codes("心内科、普外 科室", DEPTS)
    assert codes == ["K01"]
    assert [u[0] for u in unknown] == ["普外", "科室"]
    assert unknown[0][1] == "普外科"


def test_a_typo_in_a_code_suggests_the_code():
    _, unknown = programme.responsible_codes("KO1", DEPTS)
    assert unknown == [("KO1", "K01")]


TASKS = pd.DataFrame(
    {
        "task_code": ["T1", "T2", "T3", "T4", "T5"],
        "due_on": ["2026-11-30", "2026-11-29", "2026-12-31", "2027-03-31", "2026-06-30"],
        "status": ["in_progress", "not_started", "in_progress", "not_started", "done"],
    }
)


def test_a_task_due_today_is_not_overdue_the_day_after_it_is():
    today = programme.task_states(TASKS, date(2026, 11, 30)).set_index("task_code")
    assert today.loc["T1", "state"] == "due_quarter"
    assert today.loc["T2", "state"] == "overdue" and today.loc["T2", "days_overdue"] == 1
    tomorrow = programme.task_states(TASKS, date(2026, 12, 1)).set_index("task_code")
    assert tomorrow.loc["T1", "state"] == "overdue" and tomorrow.loc["T1", "days_overdue"] == 1


def test_due_this_quarter_open_later_and_done_are_told_apart():
    s = programme.task_states(TASKS, date(2026, 11, 30)).set_index("task_code")["state"].to_dict()
    assert s == {"T1": "due_quarter", "T2": "overdue", "T3": "due_quarter", "T4": "open", "T5": "done"}


def test_a_cancelled_task_is_never_overdue():
    t = TASKS.assign(status=["cancelled"] * 5)
    assert set(programme.task_states(t, date(2027, 6, 1))["state"]) == {"cancelled"}


NOTICES = pd.DataFrame(
    {
        "notice_no": ["院纪〔2026〕1号", "院纪〔2026〕2号", "院纪〔2026〕3号", "院纪〔2026〕4号"],
        "dept_code": ["K01", "K02", "K03", "T01"],
        "due_on": ["2026-10-31", "2026-11-30", "2026-09-30", "2026-10-15"],
        "status": ["rectifying", "rectifying", "closed", "rectified"],
    }
)


def test_notices_open_overdue_closed():
    s = programme.notice_states(NOTICES, date(2026, 11, 30)).set_index("notice_no")
    assert s["state"].tolist() == ["overdue", "open", "closed", "overdue"]
    assert s.loc["院纪〔2026〕1号", "days_overdue"] == 30  # 1 Nov … 30 Nov


def test_an_overdue_notice_is_a_w03_warning_from_its_first_overdue_day():
    w = programme.overdue_notice_warnings(NOTICES, date(2026, 11, 30))
    assert w["dept_code"].tolist() == ["K01", "T01"]
    assert set(w["indicator"]) == {"W03"} and set(w["kind"]) == {"warning"} and set(w["status"]) == {"confirmed"}
    assert w["event_date"].tolist() == ["2026-11-01", "2026-10-16"]


AWARDS = pd.DataFrame(
    {
        "dept_code": ["K01", "K01", "K02", "K02", "T01"],
        "year": [2026, 2026, 2026, 2026, 2025],
        "status": ["public_notice", "awarded", "awarded", "revoked", "awarded"],
        "changed_on": ["2026-03-03", "2026-03-10", "2026-03-10", "2026-07-01", "2025-12-01"],
    }
)
STAFF = pd.DataFrame(
    {
        "staff_id": ["0001", "0002", "0003", "0004", "0005", "0006"],
        "name": ["甲", "乙", "丙", "丁", "戊", "己"],
        "dept_code": ["K01", "K01", "K01", "K02", "T01", "K01"],
        "in_dept_since": ["2025-03-10", "2025-03-11", "2019-01-01", "2020-01-01", "2020-01-01", "2018-05-01"],
        "active": [1, 1, 1, 1, 1, 0],
    }
)


def test_points_count_the_award_date_itself_and_skip_a_revoked_award():
    pts = programme.appraisal_points(2026, AWARDS, STAFF, date(2026, 11, 30))
    # K01 awarded 2026-03-10: 0001 in since 2025-03-10 is exactly one year (counts), 0002 one day short,
    # 0003 long since, 0006 no longer active; K02's award was revoked; T01 was awarded for 2025, not 2026.
    assert pts["staff_id"].tolist() == ["0001", "0003"]
    assert set(pts["points"]) == {2}
    assert set(pts["award_date"]) == {"2026-03-10"}


def test_an_award_revoked_after_the_list_date_still_counts_on_that_date():
    pts = programme.appraisal_points(2026, AWARDS, STAFF, date(2026, 6, 30))
    assert pts["staff_id"].tolist() == ["0001", "0003", "0004"]


def test_a_29_february_award_reaches_back_to_28_february():
    awards = pd.DataFrame({"dept_code": ["K01"], "year": [2028], "status": ["awarded"], "changed_on": ["2028-02-29"]})
    staff = STAFF.assign(in_dept_since=["2027-02-28", "2027-03-01", "2027-02-27", "2020-01-01", "2020-01-01", "x"])
    pts = programme.appraisal_points(2028, awards, staff.iloc[:3], date(2028, 12, 31))
    assert pts["staff_id"].tolist() == ["0001", "0003"]
