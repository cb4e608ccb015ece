"""A department in 公示 that is not eligible for the year (PRODUCT §4.2) is flagged on the awards
page — a red marker and the reason in the notice table, and a line above it saying how many."""

from __future__ import annotations

from datetime import date

from metrics import store
from metrics.ingest import importer
from metrics.views import ViewKey, awards

TODAY = date(2026, 11, 30)


def _notice_with_a_veto(db_path) -> tuple[str, int]:
    """Put K05 in 公示 this year and give it a confirmed veto this year, through the upload path: not eligible (§4.2:
    no confirmed veto in the year)."""
    awards_csv = "科室编码,年度,状态,变更日期\nK05,2026,公示中,2026-11-26\n".encode()
    events_csv = (
        "发生日期,科室编码,类型,指标,事件描述,状态,事件编号\n2026-03-02,K05,否决,V03,通报批评,已认定,T-1\n".encode()
    )
    for data, kind in ((awards_csv, "awards"), (events_csv, "events")):
        assert importer.commit(data, f"{kind}.csv", kind=kind, user="t", db_path=db_path).committed
    with store.opened(db_path) as db:
        return "K05", store.data_version(db)


def _view(db_path, version: int, lang: str):
    with store.opened(db_path) as db:
        codes = "\n".join(store.departments(db)["dept_code"])
    return awards.build(ViewKey.of(str(db_path), version, lang, year=2026, depts=codes, today=TODAY))


def test_a_department_in_notice_that_is_not_eligible_is_flagged_red_with_its_reason(demo_db):
    dept, version = _notice_with_a_veto(demo_db)
    view = _view(demo_db, version, "zh")
    rows = view.notice.rows.set_index("dept_code")
    assert rows.at[dept, "marker"] == awards.CONFLICT_MARKER  # the red marker
    assert "V03" in rows.at[dept, "eligibility"] and rows.at[dept, "eligibility"].startswith("不符合")
    eligible = [c for c in rows.index if c != dept]
    assert all(rows.at[c, "marker"] == "" for c in eligible if rows.at[c, "eligibility"] == "符合")
    assert view.notice_flag is not None and "不符合" in view.notice_flag
    en = _view(demo_db, version, "en")
    assert en.notice.rows.set_index("dept_code").at[dept, "eligibility"].startswith("Not eligible")
    assert "not eligible" in en.notice_flag


def test_no_flag_when_every_department_in_notice_is_eligible(demo_db):
    with store.opened(demo_db) as db:
        version = store.data_version(db)
    view = _view(demo_db, version, "zh")
    flagged = view.notice.rows[view.notice.rows["marker"] != ""] if "marker" in view.notice.rows else []
    assert (view.notice_flag is None) == (len(flagged) == 0)
