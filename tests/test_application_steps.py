"""The 申报表's steps against the award lifecycle (PRODUCT §10, §4.1): a step dated after the status change that
records it, or undated once the status has passed it, is flagged."""

from __future__ import annotations

import pandas as pd

from metrics.rules import applications as rule

APP = {"branch_on": "2027-03-08", "group_on": "2027-03-20", "committee_on": None}


def test_steps_in_time_are_not_flagged():
    changed = {"applied": "2027-03-01", "branch_reviewed": "2027-03-10", "group_reviewed": "2027-03-20"}
    assert rule.step_flags(APP, changed, "group_reviewed") == ()


def test_a_step_dated_after_its_status_change_is_late():
    changed = {"branch_reviewed": "2027-03-05", "group_reviewed": "2027-03-25"}
    assert rule.step_flags(APP, changed, "group_reviewed") == (("branch", "late", "2027-03-05"),)


def test_a_step_missing_once_the_status_has_passed_it():
    changed = {"branch_reviewed": "2027-03-10", "group_reviewed": "2027-03-20", "committee_approved": "2027-04-01"}
    assert rule.step_flags(APP, changed, "public_notice") == (("committee", "missing", "2027-04-01"),)
    # not yet there: the committee's box may stay empty
    assert rule.step_flags(APP, changed, "group_reviewed") == ()
    # a status outside the process passes no step
    assert rule.step_flags({}, changed, "rectifying") == ()


def test_application_steps_reads_each_department_s_latest_change():
    apps = pd.DataFrame([dict(dept_code="K01", **APP), dict(dept_code="K02", branch_on=None)])
    changes = pd.DataFrame(
        [
            ("K01", "branch_reviewed", "2027-03-01"),
            ("K01", "branch_reviewed", "2027-03-09"),  # the latest one counts
            ("K02", "branch_reviewed", "2027-03-02"),
        ],
        columns=["dept_code", "status", "changed_on"],
    )
    status = pd.DataFrame({"dept_code": ["K01", "K02"], "status": ["branch_reviewed", "branch_reviewed"]})
    got = rule.application_steps(apps, changes, status).set_index("dept_code")["flags"]
    assert got["K01"] == () and got["K02"] == (("branch", "missing", "2027-03-02"),)
