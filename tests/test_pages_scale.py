"""Pages at a region's scale: with more departments than a projector can show, charts draw 40 at a time
(furthest below target / needing attention first) and long tables show 50 rows a page with a download of the whole.
A synthetic store of 120 departments (bench.synth, fixed seed) stands in for the 5,000 of a region."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from bench import synth
from metrics import store
from metrics.rules import periods
from tests.figures import figures

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")
DEPTS = 120


@pytest.fixture
def big_db(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "big.db"
    synth.build_store(path, synth.Scale("T", DEPTS, 14))
    monkeypatch.setenv(store.DB_ENV, str(path))
    return path


def run(page: str, lang: str = "zh", **state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page(f"pages/{page}.py")
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_overview_charts_draw_forty_departments_worst_first(big_db):
    at = run("overview")
    ranking, heat = figures(at)
    bars = ranking["data"][0]
    assert len(bars["y"]) == 40
    captions = " ".join(c.value for c in at.caption)
    assert f"另有 {DEPTS - 40} 个科室" in captions
    # Furthest below target first: every bar drawn misses its target by at least as much as any department left out
    # (the default metric is patient satisfaction, ≥ target; the default period the last full quarter).
    with store.opened(big_db) as db:
        mv = store.metric_values(db, metrics=["patient_satisfaction"])
        names = store.departments(db).set_index("dept_name")["dept_code"].to_dict()
        own = store.targets(db).query("metric == 'patient_satisfaction'")
    months = periods.months_of(periods.default_period(mv["month"].unique(), "quarter"))
    means = mv[mv["month"].isin(months)].groupby("dept_code")["value"].mean()
    target = {r.dept_code or "*": r.target for r in own.itertuples()}
    gap = {d: v - target.get(d, target["*"]) for d, v in means.items()}
    drawn = {names[label] for label in bars["y"]}
    assert max(gap[d] for d in drawn) <= min(g for d, g in gap.items() if d not in drawn)
    assert len(heat["data"][0]["y"]) == 40
    pages = [s for s in at.selectbox if s.key == "_w_overview_rank_page.zh"][0]
    assert len(pages.options) == 3
    pages.set_value(2).run()
    assert len(figures(at)[0]["data"][0]["y"]) == DEPTS - 80


def test_overview_table_pages_fifty_rows_with_a_download(big_db):
    at = run("overview", "en")
    table = [d.value for d in at.dataframe if "trend" in d.value.columns][0]
    assert len(table) == 50
    assert [b.proto.label for b in at.get("download_button")] == [f"Download the full table (CSV, {DEPTS} rows)"]
    [s for s in at.selectbox if s.key == "_w_overview_table_page.en"][0].set_value(2).run()
    table = [d.value for d in at.dataframe if "trend" in d.value.columns][0]
    assert len(table) == DEPTS - 100 and table["trend"].str.endswith("&lang=en").all()


@pytest.mark.parametrize(
    "page,key", [("events", "events_lights_page"), ("awards", "awards_status_page"), ("matrix", "matrix_page")]
)
def test_long_department_tables_page_fifty_rows(big_db, page, key):
    at = run(page)
    assert max(len(d.value) for d in at.dataframe) == 50
    assert any(b.proto.label == f"下载完整表格（CSV，{DEPTS} 行）" for b in at.get("download_button"))
    seen = set()
    for i in range(3):
        [s for s in at.selectbox if s.key == f"_w_{key}.zh"][0].set_value(i).run()
        frame = max((d.value for d in at.dataframe), key=len)
        seen |= set(frame["dept_code"]) if "dept_code" in frame.columns else set()
    assert len(seen) == DEPTS  # every department is on one of the pages


@pytest.mark.parametrize("page", ["overview", "events", "awards", "matrix"])
def test_demo_scale_pages_have_no_pager(demo_db, page):
    at = run(page)
    assert not [s for s in at.selectbox if s.key.endswith("_page.zh")]
    # no table's "download the full table" (a filled 申报表's own downloads are not a pager's)
    assert not [b for b in at.get("download_button") if not b.proto.id.count("applications_form")]


def test_briefing_ranking_shows_fifteen_furthest_below_target_and_says_how_many_more(big_db):
    from metrics import briefing

    with store.opened(big_db) as db:
        b = briefing.build(db, briefing.default_quarter(db), "zh")
    assert len(b.ranking) == 15 and b.ranking_more == b.below - 15  # at most 15 bars
    assert list(b.ranking["gap"]) == sorted(b.ranking["gap"], reverse=True)  # furthest below first
    assert f"另有 {b.ranking_more} 个" in b.ranking_sub()
    assert len(briefing.ranking_figure(b).data[0].y) == 15
    # the departments shown miss their target by at least as much as any department left out
    with store.opened(big_db) as db:
        mv = store.metric_values(db, metrics=["patient_satisfaction"])
        own = store.targets(db).query("metric == 'patient_satisfaction'")
    y, q = int(b.quarter[:4]), int(b.quarter[-1])
    months = [f"{y}-{3 * (q - 1) + i:02d}" for i in (1, 2, 3)]
    means = mv[mv["month"].isin(months)].groupby("dept_code")["value"].mean()
    target = {r.dept_code or "*": r.target for r in own.itertuples()}
    gap = {d: v - target.get(d, target["*"]) for d, v in means.items()}
    shown = set(b.ranking["dept_code"])
    assert max(gap[d] for d in shown) <= min(g for d, g in gap.items() if d not in shown)
