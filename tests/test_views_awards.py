"""The awards page's view-model (metrics.views.awards.build) on the demo store, without Streamlit: the year on offer,
KPIs, conflicts, 公示, rectification and every department's status in the order shown, with their labels."""

from __future__ import annotations

import pytest

from metrics import clock, store
from metrics.views import ViewKey, awards, charts


def _key(path, lang="zh", codes=None, **choices) -> ViewKey:
    with store.opened(path) as db:
        version = store.data_version(db)
        all_codes = store.departments(db)["dept_code"].tolist()
    depts = "\n".join(all_codes if codes is None else codes)
    return ViewKey.of(str(path), version, lang, depts=depts, today=choices.pop("today", clock.today()), **choices)


def _latest_status(path, year: int) -> dict[str, str]:
    """Each department's latest change (by date) for award ``year``, worked out here from the stored rows."""
    with store.opened(path) as db:
        changes = store.award_changes(db).to_dict("records")
    latest = {}
    for r in sorted(changes, key=lambda r: r["changed_on"]):
        if int(r["year"]) == year:
            latest[r["dept_code"]] = r["status"]
    return latest


def test_years_on_offer_and_the_default_year(demo_db):
    view = awards.build(_key(demo_db))
    with store.opened(demo_db) as db:
        on_record = set(store.award_changes(db)["year"].astype(int))
    assert list(view.years) == sorted({clock.today().year, *on_record}, reverse=True)
    assert view.year in on_record  # the demo's cycle: this year, or the latest on record early in a year
    other = min(view.years)
    assert awards.build(_key(demo_db, year=other)).year == other
    assert awards.build(_key(demo_db, year=1990)).year == view.year  # not offered: the default


@pytest.mark.parametrize(
    "lang, kpi_labels, awarded, notice_state",
    [
        ("zh", ["已授牌", "审核流程中", "冲突", "整改中"], "已授牌", "公示期已满，待登记结果"),
        ("en", ["Awarded", "In review", "Conflicts", "In rectification"], "Awarded", None),
    ],
)
def test_kpis_conflicts_and_status_rows_as_shown(demo_db, lang, kpi_labels, awarded, notice_state):
    view = awards.build(_key(demo_db, lang=lang))
    latest = _latest_status(demo_db, view.year)
    kpis = dict(view.kpis)
    assert list(kpis) == kpi_labels
    assert kpis[kpi_labels[0]] == sum(s == "awarded" for s in latest.values())
    assert kpis[kpi_labels[2]] == 1 and kpis[kpi_labels[3]] == sum(s == "rectifying" for s in latest.values())
    assert view.conflicts.rows["dept_code"].tolist() == ["T02"]  # awarded, then a confirmed V07 veto
    assert view.conflicts.rows["indicator"].tolist() == ["V07"]
    rows = view.status.rows
    assert len(rows) == 40 and rows.iloc[0]["dept_code"] == "T02"  # the conflict leads
    assert rows["marker"].fillna("").tolist() == [charts.light_marker("red"), *[""] * 39]
    assert rows.iloc[0]["dept_name"] == "放射科"  # names as stored, in both languages
    # then furthest along the process: every awarded department before any other
    shown = rows["status"].tolist()[1:]
    assert shown.count(awarded) > 0 and shown[: shown.count(awarded)] == [awarded] * shown.count(awarded)
    assert list(view.status.headers) == ["dept_code", "dept_name", "status", "changed_on", "eligible", "reasons"]
    assert view.notice.rows["dept_code"].tolist() == ["K16"]
    if notice_state:
        assert view.notice.rows["state"].tolist() == [notice_state]
        assert (
            view.status.headers["reasons"] == "原因" and view.eligibility_title == f"{view.year}年度申报资格（含原因）"
        )
    assert rows["trend"].iloc[0] == ("trends?dept=T02" if lang == "zh" else "trends?dept=T02&lang=en")


def test_the_chosen_departments_only(demo_db):
    view = awards.build(_key(demo_db, codes=["K16", "K01"]))
    assert sorted(view.status.rows["dept_code"]) == ["K01", "K16"]
    assert view.conflicts.rows.empty and dict(view.kpis)["冲突"] == 0  # T02 not chosen
    assert awards.build(_key(demo_db, codes=[])).status.rows.empty


def test_empty_store(db_file):
    view = awards.build(_key(db_file, lang="en"))
    assert view.year == clock.today().year and view.years == (clock.today().year,)
    assert dict(view.kpis)["Awarded"] == 0 and view.status.rows.empty
