"""The briefing page's view-model (metrics.views.briefing.build) on the demo store, without Streamlit: what each
slide shows, in the order shown, checked against the store and the briefing's own parts."""

from __future__ import annotations

import pytest

from metrics import briefing, store
from metrics.rules import periods
from metrics.views import ViewKey
from metrics.views import briefing as briefing_view


def _key(path, lang="zh", **choices) -> ViewKey:
    with store.opened(path) as db:
        version = store.data_version(db)
    return ViewKey.of(str(path), version, lang, **choices)


def test_quarters_newest_first_and_the_default_is_the_newest_complete_one(demo_db):
    view = briefing_view.build(_key(demo_db))
    with store.opened(demo_db) as db:
        months = set(store.months_with_data(db))
    assert list(view.quarters) == sorted(view.quarters, reverse=True)
    y, n = int(view.quarter[:4]), int(view.quarter[-1])
    assert all(f"{y}-{3 * n - i:02d}" in months for i in range(3))
    assert view.label_of(view.quarter) == f"{y}年第{n}季度"
    assert briefing_view.build(_key(demo_db, quarter="1999-Q1")).quarter == view.quarter  # unknown: the default


def test_six_slides_in_order_with_their_titles_and_texts(demo_db):
    q = briefing_view.build(_key(demo_db)).quarters[0]
    view = briefing_view.build(_key(demo_db, quarter=q))
    assert view.quarter == q
    names = [s.name for s in view.slides]  # a table that does not fit continues on the next slide (PRODUCT §6)
    assert list(dict.fromkeys(names)) == list(briefing.SLIDES) and names == sorted(names, key=briefing.SLIDES.index)
    kpis, ranking, events, awards, tasks, attention = (
        next(s for s in view.slides if s.name == n) for n in briefing.SLIDES
    )
    y, n = q[:4], q[-1]
    with store.opened(demo_db) as db:
        months = store.months_with_data(db)
    # the newest quarter may still be running: the title then says so, with the months it holds
    suffix = "" if len(periods.held_months(q, months)) == 3 else "（进行中，含"
    assert kpis.title.startswith(f"清廉医院建设季度推进会 · {y}年第{n}季度{suffix}")
    assert ranking.title == "患者满意度距目标最远的科室" and attention.title == "需要关注的科室"
    # slide 1: each headline KPI, then vetoes, warnings and departments awarded
    labels = [c.label for c in kpis.cards]
    assert labels[-3:] == ["否决事件", "警示事件", "已授牌科室"]
    sat = next(c for c in kpis.cards if c.label == "患者满意度")
    assert sat.value.endswith("分") and sat.lines[0][0].startswith("目标 ≥ 90")
    assert sat.lines[0][1] in ("good", "warn")
    # slide 2: at most 15 departments, worst at the top, both sizes of the same chart
    values = list(ranking.figure.data[0].x)[::-1]
    assert values == sorted(values) and 0 < len(values) <= 15
    assert ranking.figure.layout.height == 560 and ranking.present_figure.layout.height is None
    # slide 3: vetoes before warnings, indicators named in full; both fits of the table
    (table,) = events.tables
    assert table.tall.rows[0] == ("✕ 否决", "泌尿外科", "V05 受到党纪、政纪处分", table.tall.rows[0][3])
    # K20's rectification notice, overdue since 1 October, an automatic W03 (PRODUCT §8); a 提醒谈话's W02 (§10)
    warnings = [r[:3] for r in table.tall.rows if r[0] == "▲ 警示"]
    assert ("▲ 警示", "急诊科", "W03 整改逾期") in warnings and ("▲ 警示", "皮肤科", "W02 提醒谈话") in warnings
    assert len(table.short.rows) <= briefing.FIT_ROWS["events"][0]
    assert events.sub.startswith(f"已认定否决 {view.briefing.vetoes} 件、警示 {view.briefing.warnings} 件")
    # slide 4: each unit type's counts, then the conflict first, in red; slide 5: the demo's tasks and notices;
    # slide 6: the worst first
    units, conflicts = awards.tables[0], awards.tables[1]
    assert [r[0] for r in units.tall.rows] == ["清廉科室", "清廉医护", "清廉示范岗"]
    assert conflicts.tall.rows[0][0] == "放射科" and conflicts.tall.tones[0] == "veto"
    five = [t for s in view.slides if s.name == "tasks" for t in s.tables]  # slide 5 and its continuations
    assert tasks.empty == "" and list(dict.fromkeys(t.tall.columns[0] for t in five)) == ["牵头科室", "文号"]
    assert attention.lines[0].startswith("✕ · ")


def test_english_view(demo_db):
    view = briefing_view.build(_key(demo_db, lang="en"))
    assert view.label_of(view.quarter) == f"Q{view.quarter[-1]} {view.quarter[:4]}"
    assert view.slides[0].cards[-1].label == "Awarded departments"
    assert view.slides[1].figure.data[1].name == "Target"
    five = [t for s in view.slides if s.name == "tasks" for t in s.tables]
    assert list(dict.fromkeys(t.tall.columns[0] for t in five)) == ["Lead department", "Notice no."]


def test_empty_store_has_no_quarter_and_no_slides(db_file):
    view = briefing_view.build(_key(db_file))
    assert view.quarters == () and view.quarter is None and view.slides == ()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_downloads_are_written_from_the_views_briefing(demo_db, lang):
    view = briefing_view.build(_key(demo_db, lang=lang))
    assert view.slides[0].title in briefing.to_html(view.briefing)
