"""The six slides of PRODUCT §6 on the demo store — what the back row reads, checked
against the stored rows — the PPTX a secretary can edit, and `python -m metrics briefing`."""

from __future__ import annotations

import io
import re
import zipfile
from collections import defaultdict

import pytest

from metrics import briefing, i18n, store, theme
from metrics.ops import cli
from metrics.rules import periods


def _months(q: str) -> list[str]:
    y, n = int(q[:4]), int(q[-1])
    return [f"{y}-{m:02d}" for m in range(3 * n - 2, 3 * n + 1)]


@pytest.fixture
def full(demo_db):
    """The default (complete) quarter's briefing in Chinese."""
    with store.opened(demo_db) as db:
        return briefing.build(db, briefing.default_quarter(db), "zh")


@pytest.fixture
def newest(demo_db):
    with store.opened(demo_db) as db:
        return briefing.build(db, briefing.available_quarters(db)[0], "zh")


def test_six_slides_in_the_order_of_the_spec():
    assert briefing.SLIDES == ("kpis", "ranking", "events", "awards", "tasks", "attention")


def test_ranking_is_the_15_furthest_below_their_own_target_worst_first(full, demo_db):
    """Slide 2: only departments below target, the biggest gap first, at most 15; the rest counted in the subtitle."""
    means = defaultdict(list)
    with store.opened(demo_db) as db:
        for r in store.metric_values(db, ["patient_satisfaction"]).to_dict("records"):
            if r["month"] in _months(full.quarter) and r["dept_code"] != "HOSP":
                means[r["dept_code"]].append(r["value"])
    gaps = {d: (92 if d == "K03" else 90) - sum(v) / len(v) for d, v in means.items()}  # demo: K03 holds itself to 92
    below = sorted((-round(g, 9), d) for d, g in gaps.items() if g > 1e-9)  # biggest gap first, ties by code
    assert len(below) > 15  # the demo quarter has more than a slide's worth
    assert list(full.ranking["dept_code"]) == [d for _, d in below[:15]]
    assert full.ranking_more == len(below) - 15 and full.below == len(below) and full.ranked == len(gaps)
    assert f"{len(below)} / {len(gaps)} 个科室未达目标" in full.ranking_sub()
    assert f"另有 {len(below) - 15} 个" in full.ranking_sub()


def test_ranking_figure_is_horizontal_bars_with_values_and_level_names(full):
    fig = briefing.ranking_figure(full)
    bars = fig.data[0]
    assert bars.orientation == "h" and len(bars.y) == len(full.ranking) <= 15
    assert list(bars.y)[::-1] == list(full.ranking["dept_name"])  # worst at the top
    assert list(bars.text)[::-1] == [f"{v:.1f}" for v in full.ranking["value"]]
    assert fig.layout.yaxis.tickangle in (None, 0)  # names never rotated
    assert bars.marker.color == theme.AMBER  # target missed is amber; red is kept for vetoes
    assert min(fig.layout.font.size, bars.textfont.size, fig.layout.yaxis.tickfont.size) >= 24


def test_events_table_names_the_indicator_in_full_with_department_and_date(full, demo_db):
    """Slide 3: one row per confirmed event of the quarter — the indicator's full catalogue text, not 'V07'."""
    with store.opened(demo_db) as db:
        names = dict(zip(*store.departments(db)[["dept_code", "dept_name"]].T.values, strict=True))
        cat = store.indicator_catalogue(db).set_index("code")["name_zh"]
        mine = [e for e in store.events(db).to_dict("records")
                if e["event_date"][:7] in _months(full.quarter) and e["status"] == "confirmed"]  # fmt: skip
        # a 提醒谈话 or 诫勉谈话 held in the quarter is its department's W02 warning (PRODUCT §10)
        mine += [dict(dept_code=t["dept_code"], indicator="W02", event_date=t["held_on"])
                 for t in store.talks(db).to_dict("records")
                 if t["held_on"][:7] in _months(full.quarter) and t["kind"] in ("reminder", "admonition")]  # fmt: skip
    t = briefing.events_table(full)
    assert t.columns == ("类别", "科室", "指标", "日期")
    assert len(t.rows) == len(mine) >= 2
    expected = {(names[e["dept_code"]], f"{e['indicator']} {cat[e['indicator']]}", i18n.fmt_date(e["event_date"]))
                for e in mine}  # fmt: skip
    assert {row[1:] for row in t.rows} == expected
    veto = next(r for r in t.rows if r[0].startswith(theme.MARK_VETO))
    assert veto[0] == "✕ 否决" and veto[2] == "V07 违规操作引起事故、严重医疗缺陷或医疗质量安全事件负主要责任"
    assert [tone for tone in t.tones] == sorted(t.tones, key=["veto", "warning"].index)


def test_awards_table_shows_conflicts_in_red_and_running_notices_with_their_end(full):
    t = briefing.awards_table(full)
    conflict = t.rows[t.tones.index("veto")]
    assert conflict[0] == "放射科" and conflict[1].startswith("✕ 冲突") and "V07" in conflict[1]
    notice = next(r for r in t.rows if r[1] == "公示中")
    end = full.notices_running.iloc[0]["notice_end"]
    assert notice == (full.notices_running.iloc[0]["dept_name"], "公示中", f"截止 {i18n.fmt_date(end)}")


def test_rectifications_with_end_dates_overdue_first(demo_db):
    """整改中 departments appear with their end date; one past its deadline is first and marked ▲ 整改逾期."""
    with store.opened(demo_db) as db:
        q = briefing.default_quarter(db)
        end = periods.last_month(q)
        db["award_changes"].insert_all([
            {"dept_code": "K05", "year": int(q[:4]), "status": "rectifying", "changed_on": f"{end[:4]}-01-15",
             "rectify_until": f"{end[:4]}-04-15", "note": None},
            {"dept_code": "K06", "year": int(q[:4]), "status": "rectifying", "changed_on": f"{end}-01",
             "rectify_until": f"{int(end[:4]) + 1}-02-01", "note": None},
        ])  # fmt: skip
        b = briefing.build(db, q, "zh")
    rows = [r for r in briefing.awards_table(b).rows if "整改" in r[1]]
    assert [r[1] for r in rows] == ["▲ 整改逾期", "整改中"]
    assert rows[0][2] == f"截止 {end[:4]}年4月15日" and rows[1][2] == f"截止 {int(end[:4]) + 1}年2月1日"
    # and the overdue rectification outranks a special cause or a missed target on the attention slide
    sev = dict(zip(b.attention["dept_code"], b.attention["severity"], strict=True))
    assert sev["K05"] == briefing.build.__globals__["SEVERITY"]["overdue"]
    order = list(b.attention["dept_code"])
    assert all(order.index("K05") < order.index(d) for d, s in sev.items() if s < sev["K05"])


def test_attention_is_ranked_by_severity_and_the_rest_named_in_one_line(newest):
    sev = list(newest.attention["severity"])
    assert sev == sorted(sev, reverse=True)
    assert newest.attention.iloc[0]["severity"] == 4  # a veto or a conflict leads
    t = briefing.attention_table(newest, 6)
    assert len(t.rows) == 5  # four departments, then the year's 清廉查房 coverage (PRODUCT §10), always shown
    left_out = list(newest.attention["dept_name"][4:])
    assert t.rest == f"另有 {len(left_out)} 个科室：" + "、".join(left_out)
    marks = {4: "✕", 3: "▲", 2: "◆", 1: "▼"}
    assert [r[0] for r in t.rows[:4]] == [marks[s] for s in sev[:4]]
    assert t.rows[4][:2] == ("○", "清廉查房") and t.rows[4][2].startswith("2026 年尚未开展清廉查房的科室（8 个）：")


def test_a_running_quarter_is_labelled_partial_with_its_months(demo_db):
    with store.opened(demo_db) as db:
        q = briefing.available_quarters(db)[0]
        held = [m for m in _months(q) if m in set(store.months_with_data(db))]
        b = briefing.build(db, q, "zh")
        en = briefing.build(db, q, "en")
        done = briefing.build(db, briefing.default_quarter(db), "zh")
    assert 0 < len(held) < 3 and b.partial and not done.partial
    # the one period label every page uses (pipelines.period_label), e.g. 2026年第4季度（进行中，含10月）
    assert b.title.endswith(periods.period_label(q, held, "zh"))
    assert f"{briefing.quarter_label(q)}（进行中，含{int(held[0][5:])}" in b.title
    assert "(partial:" in en.title
    assert "进行中" not in done.title


def test_tasks_slide_has_an_honest_empty_state_without_programme_work(demo_db):
    with store.opened(demo_db) as db:
        db.execute("DELETE FROM tasks")
        db.execute("DELETE FROM notices")
        tasks, notices = briefing.programme_frames(db)
        empty = briefing.build(db, briefing.default_quarter(db), "zh")
    assert tasks.empty and notices.empty
    assert {"task_code", "lead_dept", "due_on", "status"} <= set(tasks.columns)
    assert {"notice_no", "dept_code", "due_on", "status"} <= set(notices.columns)
    assert briefing.tasks_table(empty).rows == () and briefing.notices_table(empty).rows == ()
    assert "重点任务与整改通知书尚未录入" in briefing.to_html(empty)


def test_tasks_slide_shows_overdue_and_due_tasks_by_lead_and_open_notices_without_staff_names(newest, demo_db):
    """PRODUCT §6 slide 5 on the demo: tasks overdue or due this quarter grouped by lead department,
    overdue first within it; open notices overdue first; the roster's names never reach the briefing."""
    from pptx import Presentation

    tasks = briefing.tasks_table(newest)
    assert tasks.rows, "the demo has overdue and due tasks"
    leads = [r[0] for r in tasks.rows]
    assert leads == sorted(leads, key=leads.index)  # grouped: a lead department's tasks stand together
    notices = briefing.notices_table(newest)
    assert any("急诊科" == r[1] for r in notices.rows)  # the demo's overdue K20 notice
    late = [t == "warning" for t in notices.tones]
    assert late == sorted(late, reverse=True)  # overdue first
    with store.opened(demo_db) as db:
        names = set(store.staff(db)["name"])
    html = briefing.to_html(newest)
    text = " ".join(
        sh.text_frame.text
        for s in Presentation(io.BytesIO(briefing.to_pptx(newest))).slides
        for sh in s.shapes
        if sh.has_text_frame
    )
    assert "重点任务与整改通知书尚未录入" not in html
    assert names and not [n for n in names if n in html or n in text]


def test_demo_watermark_on_html_and_every_pptx_slide_only_for_demo_data(full, demo_db):
    from pptx import Presentation

    assert full.demo
    assert 'class="watermark">演示数据<' in briefing.to_html(full)
    prs = Presentation(io.BytesIO(briefing.to_pptx(full)))
    assert all(any(sh.has_text_frame and sh.text_frame.text == "演示数据" for sh in s.shapes) for s in prs.slides)
    with store.opened(demo_db) as db:
        store.set_meta(db, "demo", None)
        real = briefing.build(db, full.quarter, "zh")
    assert not real.demo and "演示数据" not in briefing.to_html(real)
    assert "演示数据" not in "".join(
        sh.text_frame.text
        for s in Presentation(io.BytesIO(briefing.to_pptx(real))).slides
        for sh in s.shapes
        if sh.has_text_frame
    )


# --- the PPTX a secretary can edit -------------------------------------------------------------------------------


def _runs(prs):
    """(slide number, text, size in pt or None) for every text run: text boxes, shapes and table cells."""
    out = []
    for n, s in enumerate(prs.slides, start=1):
        for sh in s.shapes:
            frames = [sh.text_frame] if sh.has_text_frame else []
            if sh.has_table:
                frames += [c.text_frame for row in sh.table.rows for c in row.cells]
            for tf in frames:
                for p in tf.paragraphs:
                    out += [(n, r.text, r.font.size.pt if r.font.size else None) for r in p.runs if r.text.strip()]
    return out


def _unpaged(title: str) -> str:
    """A slide's title without its '（2/3）'."""
    return re.sub(r"[（(]\d+/\d+[）)]$", "", title).rstrip()


def _slide_name(slide) -> str:
    """Which of briefing.SLIDES a deck slide is, from its title (its first text box)."""
    title = _unpaged(next(sh.text_frame.paragraphs[0].text for sh in slide.shapes if sh.has_text_frame))
    names = {i18n.t(f"brief.s.{s}", lang): s for s in briefing.SLIDES[1:] for lang in ("zh", "en")}
    return names.get(title, "kpis")


@pytest.mark.parametrize("which", ["full", "newest"])
def test_pptx_has_native_cards_charts_and_tables_with_large_type(which, request):
    from pptx import Presentation
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.enum.shapes import MSO_SHAPE, MSO_SHAPE_TYPE

    b = request.getfixturevalue(which)
    data = briefing.to_pptx(b)
    prs = Presentation(io.BytesIO(data))
    assert len(prs.slides) >= 6  # a table that does not fit continues on the next slide (PRODUCT §6)
    names = [_slide_name(s) for s in prs.slides]
    assert list(dict.fromkeys(names)) == list(briefing.SLIDES)
    # slide 1: one native rounded rectangle per KPI card, holding its label and value — not a bulleted text box
    cards = [sh for sh in prs.slides[0].shapes if sh.shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE
             and sh.auto_shape_type == MSO_SHAPE.ROUNDED_RECTANGLE]  # fmt: skip
    assert len(cards) == len(b.kpis) + 1
    for k in b.kpis:
        assert any(c.text_frame.paragraphs[0].text == k.label and briefing.kpi_value_text(k, "zh") in c.text_frame.text
                   for c in cards), k.label  # fmt: skip
    # slide 2: a native horizontal bar chart of the ranking; slide 4: the pipeline
    charts = {}
    for name, s in zip(names, prs.slides, strict=True):
        charts.setdefault(name, []).extend(sh.chart for sh in s.shapes if sh.has_chart)
    ranking = charts["ranking"]
    assert ranking and {c.chart_type for c in ranking} == {XL_CHART_TYPE.BAR_CLUSTERED}
    # each chart's data bottom up (a bar chart draws its first category at the bottom): worst at the top
    assert [x for c in ranking for x in list(c.plots[0].categories)[::-1]] == list(b.ranking["dept_name"])
    assert [x for c in ranking for x in list(c.plots[0].series[0].values)[::-1]] == [
        round(float(v), 1) for v in b.ranking["value"]
    ]
    assert charts["awards"][0].chart_type == XL_CHART_TYPE.BAR_CLUSTERED
    assert sum(charts["awards"][0].plots[0].series[0].values) == b.pipeline["count"].sum()
    # slides 3, 4 and 6: native tables; the events table carries the indicators' full text
    tables = {}
    for name, s in zip(names, prs.slides, strict=True):
        tables.setdefault(name, []).extend(sh.table for sh in s.shapes if sh.has_table)
    assert all(tables[n] for n in ("events", "awards", "attention"))
    cells = [c.text for t in tables["events"] for row in t.rows for c in row.cells]
    assert set(b.events["indicator_label"]) <= set(cells)
    # type: titles ≥ 36 pt, body ≥ 24 pt, nothing under 18 pt, every run sized explicitly, one typeface
    runs = _runs(prs)
    assert not [r for r in runs if r[2] is None], "a run inherits the template's size"
    assert not [r for r in runs if r[2] < theme.PPTX_MIN_PT]
    titles = [r for r in runs if _unpaged(r[1]) in {b.title, *(i18n.t(f"brief.s.{s}") for s in briefing.SLIDES)}]
    assert len(titles) == len(prs.slides) and min(r[2] for r in titles) >= 36
    table_runs = [(c.text, r.font.size.pt) for ts in tables.values() for t in ts for row in list(t.rows)[1:]
                  for c in row.cells
                  for p in c.text_frame.paragraphs for r in p.runs]  # fmt: skip
    assert table_runs and min(size for _, size in table_runs) >= 24
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml") and "chart" in n)
        fonts = {m for n in z.namelist() if n.startswith("ppt/slides/slide") for m in
                 re.findall(r'typeface="([^"]+)"', z.read(n).decode("utf-8"))}  # fmt: skip
    sizes = [int(x) for x in re.findall(r'\bsz="(\d+)"', xml)]
    assert sizes and min(sizes) >= 1800, "a chart label under 18 pt"
    assert fonts == {theme.PPTX_FONT}


# --- python -m metrics briefing -----------------------------------------------------------------------------------


def test_cli_writes_the_pages_briefing_and_says_where(demo_db, tmp_path, capsys):
    from pptx import Presentation

    with store.opened(demo_db) as db:
        q = briefing.default_quarter(db)
        expected = briefing.build(db, q, "zh")
    html, pptx = tmp_path / "b.html", tmp_path / "b.pptx"
    code = cli.main(["--db", str(demo_db), "briefing", "--quarter", q.replace("-", ""), "--html", str(html),
                     "--pptx", str(pptx)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0 and f"已写入 {html}" in out and f"已写入 {pptx}" in out
    assert html.read_text("utf-8").count(expected.title) >= 2  # <title> and slide 1
    assert len(Presentation(str(pptx)).slides) >= 6
    # the spec's spelling 2026-Q3 works too, in English, and writes only what is asked
    code = cli.main(["briefing", "--db", str(demo_db), "--quarter", q, "--pptx", str(tmp_path / "en.pptx"),
                     "--lang", "en"])  # fmt: skip
    assert code == 0 and "wrote " in capsys.readouterr().out and not (tmp_path / "en.html").exists()


def test_cli_without_files_writes_both_named_by_quarter(demo_db, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with store.opened(demo_db) as db:
        q = briefing.default_quarter(db).replace("-", "")
    assert cli.main(["--db", str(demo_db), "briefing"]) == 0
    assert (tmp_path / f"briefing_{q}.html").is_file() and (tmp_path / f"briefing_{q}.pptx").is_file()


@pytest.mark.parametrize("quarter", ["2026Q5", "Q3-2026", "2026-07"])
def test_cli_refuses_a_quarter_written_wrongly(demo_db, tmp_path, capsys, quarter):
    assert cli.main(["--db", str(demo_db), "briefing", "--quarter", quarter, "--html", str(tmp_path / "x.html")]) == 2
    assert "2026Q3 或 2026-Q3" in capsys.readouterr().err and not (tmp_path / "x.html").exists()


def test_cli_refuses_a_quarter_without_data_and_an_empty_store(demo_db, db_file, tmp_path, capsys):
    assert cli.main(["--db", str(demo_db), "briefing", "--quarter", "1999Q1", "--html", str(tmp_path / "x.html")]) == 2
    assert "1999Q1 没有指标数据" in capsys.readouterr().err
    assert cli.main(["--db", str(db_file), "briefing", "--html", str(tmp_path / "x.html")]) == 1
    assert "尚无指标数据" in capsys.readouterr().err and not (tmp_path / "x.html").exists()
    assert cli.main(["--db", str(demo_db), "briefing", "--html", str(tmp_path / "no" / "x.html")]) == 2
    assert "无法写入" in capsys.readouterr().err
