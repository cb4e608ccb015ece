"""The activities kind (PRODUCT §10, 四清活动): declared in the registry like every kind, one way in (upload, rows, CLI,
demo); bad input refused in Chinese by line and column with nothing written; a 清风行动 names a notice of its own
hospital; the departments with no 清廉查房 yet in a year."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd

from metrics import contract, store
from metrics.ingest import export, importer
from metrics.ops import cli
from metrics.rules import activities as rule

DEPTS = "科室编码,科室名称,科室类别\nK01,心内科,临床\nK02,普外科,临床\nZ01,纪检监察室,职能\n"
NOTICE = "文号,科室编码,下达日期,整改期限\n纪检整改〔2026〕1号,K02,2026-03-01,2026-04-30\n"
HEAD = "活动编号,品牌,活动日期,涉及科室,活动主题,参加人数,整改通知书文号\n"


def _stored(path) -> list[tuple]:
    with store.opened(path) as db:
        got = store.activities(db)
    return [
        (r.activity_no, r.brand, r.held_on, r.departments if isinstance(r.departments, str) else "", r.notice_no)
        for r in got.fillna({"notice_no": ""}).itertuples()
    ]


def test_activities_are_a_hospital_kind_of_the_registry_with_chinese_brands():
    k = contract.KINDS["activities"]
    assert k.scope == "hospital" and k.table == "activities" and not k.personal
    assert k.key == ("hospital_code", "activity_no")
    brands = {labels[0] for labels in contract.ACTIVITY_BRANDS.values()}
    assert brands == {"清廉之声", "清廉查房", "清风讲堂", "清风行动", "一廊一墙一角一阵地", "节点话廉"}


def test_bad_rows_are_refused_by_line_and_column_in_chinese_and_nothing_is_written(db_file):
    assert importer.commit(DEPTS.encode(), "d.csv", db_path=db_file).committed
    assert importer.commit(NOTICE.encode(), "n.csv", db_path=db_file).committed
    bad = (
        HEAD + "A1,清廉查房,2026-03-02,K01、普外科,三个一,12,\n"
        "A2,清风讲堂,2026-03-03,K09,,,纪检整改〔2026〕1号\n"
        "A3,清风行动,2026-13-03,K01,,很多,纪检整改〔2026〕9号\n"
        "A1,查岗,,,,,\n"
    )
    r = importer.commit(bad.encode(), "a.csv", db_path=db_file)
    assert not r.committed and r.kind == "activities"
    got = [(p.line, p.column, p.message.split("：")[0].split("（")[0]) for p in r.problems]
    assert got == [
        (3, "涉及科室", "科室「K09」不在科室名录中"),
        (3, "整改通知书文号", "只有“清风行动”会下发整改通知书"),
        (4, "活动日期", "无法识别的日期"),
        (4, "参加人数", "不是数字。"),
        (4, "整改通知书文号", "本院没有文号为「纪检整改〔2026〕9号」的整改通知书"),
        (5, "品牌", "不是允许的取值"),
        (5, "活动日期", "必填项为空。"),
        (5, "活动编号", "与第 2 行重复"),
    ]
    assert _stored(db_file) == []


def test_good_rows_are_stored_with_their_departments_read_like_tasks(db_file):
    assert importer.commit(DEPTS.encode(), "d.csv", db_path=db_file).committed
    assert importer.commit(NOTICE.encode(), "n.csv", db_path=db_file).committed
    good = (
        HEAD + "A1,清廉查房,2026-03-02,K01、普外科,三个一,12,\n"
        "A2,Clean-wind action,2026-03-05,普外科,耗材招采突击抽查,,纪检整改〔2026〕1号\n"
        "A3,节点话廉,2026-02-08,全院临床科室,春节廉洁提醒,,\n"
        "A4,一廊一墙一角一阵地,2026-05-01,,清廉文化长廊,,\n"
    )
    r = importer.commit(good.encode(), "a.csv", db_path=db_file)
    assert r.committed, r.problems
    assert _stored(db_file) == [
        ("A3", "festival_talk", "2026-02-08", "K01,K02", ""),
        ("A1", "rounds", "2026-03-02", "K01,K02", ""),
        ("A2", "action", "2026-03-05", "K02", "纪检整改〔2026〕1号"),
        ("A4", "culture_sites", "2026-05-01", "", ""),
    ]
    # rows from a script or an editor go through the same validator
    r = importer.commit_rows(
        "activities", [dict(activity_no="A9", brand="清风讲堂", held_on="2026-06-01", departments="K77")], source="edit"
    )
    assert not r.committed and "K77" in r.problems[0].message


def test_a_notice_in_the_same_upload_may_be_named(db_file, tmp_path):
    assert importer.commit(DEPTS.encode(), "d.csv", db_path=db_file).committed
    book = tmp_path / "two.xlsx"
    with pd.ExcelWriter(book) as w:
        pd.read_csv(__import__("io").StringIO(NOTICE)).to_excel(w, sheet_name="通知书", index=False)
        pd.DataFrame(
            [["A1", "清风行动", "2026-03-05", "K02", "纪检整改〔2026〕1号"]],
            columns=["活动编号", "品牌", "活动日期", "涉及科室", "整改通知书文号"],
        ).to_excel(w, sheet_name="活动", index=False)
    r = importer.commit(book.read_bytes(), "two.xlsx", db_path=db_file)
    assert r.committed, r.problems
    assert _stored(db_file) == [("A1", "action", "2026-03-05", "K02", "纪检整改〔2026〕1号")]


def test_templates_read_back_and_the_cli_imports(db_file, tmp_path, capsys):
    csv = export.template_bytes("activities", "csv")
    assert csv.startswith(b"\xef\xbb\xbf")
    assert csv.decode("utf-8-sig").splitlines()[0] == "活动编号,品牌,活动日期,涉及科室,活动主题,参加人数,整改通知书文号"
    assert importer.commit(export.template_bytes("departments", "csv"), "d.csv", db_path=db_file).committed
    for fmt in ("csv", "xlsx"):
        report = importer.preview(export.template_bytes("activities", fmt), f"t.{fmt}")
        assert report.kind == "activities" and report.ok, (fmt, report.problems)
    f = tmp_path / "a.csv"
    f.write_bytes(csv)
    code = cli.main(["import", str(f), "--kind", "activities", "--json", "--db", str(db_file)])
    rep = json.loads(capsys.readouterr().out)
    assert code == 0 and rep["kind"] == "activities" and rep["counts"]["new"] == 1
    assert _stored(db_file) == [("2027-HF-01", "rounds", "2027-03-12", "K01,Z01", "")]


def test_a_notice_of_another_hospital_is_refused_and_rows_stay_in_their_hospital(group_store):
    only_a = dict(notice_no="甲院〔2026〕1号", dept_code="K01", issued_on="2026-03-01", due_on="2026-04-30")
    assert importer.commit_rows("notices", [only_a], source="edit", hospital="H01").committed
    with store.opened(group_store) as db:
        before = {h: len(store.activities(db, hospital=h)) for h in ("H01", "H02")}
    row = dict(activity_no="X1", brand="清风行动", held_on="2026-06-01", departments="K01", notice_no="甲院〔2026〕1号")
    r = importer.commit_rows("activities", [row], source="edit", hospital="H02")
    assert not r.committed and r.problems[0].message.startswith("本院没有文号为「甲院〔2026〕1号」")
    assert importer.commit_rows("activities", [row], source="edit", hospital="H01").committed
    with store.opened(group_store) as db:
        assert len(store.activities(db, hospital="H02")) == before["H02"]
        got = store.activities(db, hospital="H01")
    assert len(got) == before["H01"] + 1 and "X1" in set(got["activity_no"])


def test_the_departments_with_no_rounds_yet_this_year():
    acts = pd.DataFrame(
        [
            ("R1", "rounds", "2026-02-10", "K01,K02"),
            ("R2", "rounds", "2025-11-10", "K03"),  # last year: no cover this year
            ("R3", "rounds", "2026-12-20", "K04"),  # after today: not held yet
            ("L1", "lecture", "2026-03-01", "K05"),  # another brand covers nothing
        ],
        columns=["activity_no", "brand", "held_on", "departments"],
    ).assign(title=None, participants=None, notice_no=None)
    depts = pd.DataFrame(
        [("K01", "心内科", 1), ("K02", "普外科", 1), ("K03", "消化内科", 1), ("K04", "骨科", 1), ("K05", "儿科", 1)]
        + [("K06", "停用科", 0), (contract.HOSPITAL_CODE, "全院", 1)],
        columns=["dept_code", "dept_name", "active"],
    )
    today = date(2026, 12, 7)
    assert rule.without_rounds(acts, depts, 2026, today)["dept_code"].tolist() == ["K03", "K04", "K05"]
    assert rule.without_rounds(acts, depts, 2026, date(2026, 12, 31))["dept_code"].tolist() == ["K03", "K05"]
    assert rule.without_rounds(acts, depts, 2025, today)["dept_code"].tolist() == ["K01", "K02", "K04", "K05"]
    assert rule.dept_counts(acts, "K01", 2026, today) == {"rounds": 1}
    assert rule.dept_counts(acts, "K05", 2026, today) == {"lecture": 1}


def _key(path, lang="zh", **choices):
    from metrics.views import ViewKey

    with store.opened(path) as db:
        version = store.data_version(db)
    return ViewKey.of(str(path), version, lang, **choices)


def test_the_page_view_counts_by_brand_names_departments_and_links_the_notice_both_ways(demo_db):
    from metrics.ops import demo
    from metrics.views import activities as view
    from metrics.views import tasks

    today = date(2026, 12, 7)
    v = view.build(_key(demo_db, today=today))
    assert v.year == 2026 and dict(v.counts.itertuples(index=False)) == {
        "清廉之声": 4,
        "清廉查房": 16,
        "清风讲堂": 4,
        "清风行动": 3,
        "一廊一墙一角一阵地": 2,
        "节点话廉": 3,
    }
    assert [d.split()[0] for d in v.no_rounds] == sorted(demo.NO_ROUNDS)
    assert v.no_rounds_title == "2026 年尚未开展清廉查房的科室（8 个）" and "K11 胸外科" in v.no_rounds
    first = v.rows.iloc[0]
    assert (first["brand"], first["departments"]) == ("清廉查房", "心血管内科、呼吸与危重症医学科")
    assert "全院" in set(v.rows["departments"])
    linked = v.rows[v.rows["notice"] != ""]
    assert linked["notice"].tolist() == ["纪检整改〔2026〕8号（■ 逾期）"]
    reg = tasks.notices(_key(demo_db, today=today))
    row = reg.rows[reg.rows["notice_no"] == "纪检整改〔2026〕8号"].iloc[0]
    assert row["activity"].startswith("HD2026-") and "清风行动" in row["activity"] and "急诊" in row["activity"]
    en = view.build(_key(demo_db, "en", today=today))
    assert en.no_rounds_title.startswith("Departments with no integrity rounds yet in 2026")


def test_the_page_shows_the_counts_the_coverage_and_hostile_text_as_written(db_file):
    from tests.test_pages_browse import app, frame_with, metric_value, run_page

    hostile = "<b>x</b> **粗** [链接](http://evil.example)"
    assert importer.commit(f"科室编码,科室名称\nK01,{hostile}\nK02,普外科\n".encode(), "d.csv").committed
    rows = [dict(activity_no="A1", brand="清风讲堂", held_on="2026-03-01", departments="K02", title=hostile)]
    assert importer.commit_rows("activities", rows, source="edit").committed
    at = app()
    at.switch_page("pages/activities.py")
    run_page(at)
    assert metric_value(at, "清风讲堂") == "1" and metric_value(at, "清廉查房") == "0"
    assert frame_with(at, "title")["title"].tolist() == [hostile]
    coverage = [m.value for m in at.markdown if "K02" in m.value]
    assert coverage and "\\<b\\>" in coverage[0] and "\\[链接\\]" in coverage[0]
    assert any(s.value == "2026 年尚未开展清廉查房的科室（2 个）" for s in at.subheader)


def test_the_attention_slide_lists_the_departments_without_rounds_on_screen_html_and_pptx(demo_db):
    """PRODUCT §6 slide 6 and §10: the year's departments with no 清廉查房, one last row always on the slide."""
    import io

    from pptx import Presentation

    from metrics import briefing

    with store.opened(demo_db) as db:
        q = briefing.available_quarters(db)[0]
        zh = briefing.build(db, q, "zh", today=date(2026, 12, 7))
        en = briefing.build(db, q, "en", today=date(2026, 12, 7))
        before = briefing.build(db, "2025-Q4", "zh", today=date(2026, 12, 7))
    row = briefing.attention_table(zh).rows[-1]
    assert row == ("○", "清廉查房", "2026 年尚未开展清廉查房的科室（8 个）：" + "、".join(zh.no_rounds))
    assert "胸外科" in zh.no_rounds and "心血管内科" not in zh.no_rounds
    assert briefing.attention_table(en).rows[-1][2].startswith("No integrity rounds yet in 2026 (8 departments): ")
    for limit in (1, 2, 8):  # however few rows fit, the coverage row is the last one and the rest is named
        t = briefing.attention_table(zh, limit)
        assert len(t.rows) <= max(limit, 1) and t.rows[-1] == row and t.rest.startswith("另有")
    assert before.no_rounds == ()  # no activity recorded by then: judged as before
    assert "2026 年尚未开展清廉查房的科室（8 个）" in briefing.to_html(zh)
    texts = [
        sh.text_frame.text if sh.has_text_frame else " ".join(c.text for r in sh.table.rows for c in r.cells)
        for sh in Presentation(io.BytesIO(briefing.to_pptx(zh))).slides[-1].shapes
        if sh.has_text_frame or sh.has_table
    ]
    assert any("2026 年尚未开展清廉查房的科室（8 个）" in x for x in texts)


def test_the_department_profile_says_its_activities_this_year(demo_db):
    from metrics.views import department

    today = date(2026, 12, 7)
    k11 = department.build(_key(demo_db, dept="K11", grain="quarter", period="2026-Q4", today=today))
    assert k11.activities == "2026 年四清活动：清廉之声 4 次 · 清风讲堂 4 次 · 节点话廉 3 次 · 尚未开展清廉查房"
    k20 = department.build(_key(demo_db, "en", dept="K20", grain="quarter", period="2026-Q4", today=today))
    assert "Integrity rounds 1" in k20.activities and "Clean-wind actions 1" in k20.activities
    nothing = department.build(_key(demo_db, dept="K01", grain="quarter", period="2026-Q4", today=date(2027, 1, 5)))
    assert nothing.activities == "2027 年尚无四清活动（未开展清廉查房）"


def test_a_formula_in_a_title_is_exported_as_text_and_the_html_briefing_escapes_names(db_file, tmp_path):
    from metrics import briefing

    hostile = '=HYPERLINK("http://evil.example","点我")'
    depts = "科室编码,科室名称\nK01,<img src=x onerror=alert(1)>\nK02,普外科\n"
    assert importer.commit(depts.encode(), "d.csv").committed
    rows = [dict(activity_no="A1", brand="清风讲堂", held_on="2026-03-01", departments="K02", title=hostile)]
    assert importer.commit_rows("activities", rows, source="edit").committed
    export.export_all(tmp_path / "out", user="ed")
    text = (tmp_path / "out" / "activities.csv").read_text("utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    with store.opened(db_file) as db:
        b = briefing.build(db, "2026-Q4", "zh", today=date(2026, 12, 7))
    assert b.no_rounds == ("<img src=x onerror=alert(1)>", "普外科")
    page = briefing.to_html(b)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
