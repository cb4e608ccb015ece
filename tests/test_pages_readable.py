"""What a user walking the pages noticed (screenshots at 1920×1080 and 1280×720, zh and en): no raw ``None`` in a
table, every quarter on the events axis, the upload's reasons readable and its messages where the user looks, the
matrix's metric columns inside 1280 px, names instead of internal codes, bars that start at zero."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from metrics import clock, i18n, store
from metrics.ingest import importer
from metrics.views import ViewKey, events, tasks
from metrics.views import upload as upload_view
from tests.conftest import page_as

pytestmark = pytest.mark.usefixtures("cheap_hashing")

TODAY = date(2026, 11, 30)  # the demo store ends 2026-10 (tests.conftest.DEMO_END_MONTH)


def _key(path, lang="zh", **choices) -> ViewKey:
    with store.opened(path) as db:
        version = store.data_version(db)
    return ViewKey.of(str(path), version, lang, **choices)


def _cells(frame) -> list:
    return [v for col in frame.columns for v in frame[col].tolist()]


def _is_none(v) -> bool:
    return v is None or (isinstance(v, float) and v != v)


# --- raw None ------------------------------------------------------------------------------------------------------


def test_notices_days_overdue_shows_a_dash_where_a_notice_is_not_overdue(demo_db):
    rows = tasks.notices(_key(demo_db, today=TODAY)).rows
    days = rows["days_overdue"].tolist()
    assert not any(_is_none(d) for d in days), days
    late = rows["state"].str.contains("逾期")
    assert rows.loc[~late, "days_overdue"].eq("—").all() and rows.loc[late, "days_overdue"].str.isdigit().all()


def test_tasks_page_notices_register_has_no_raw_none(demo_db):
    at = page_as("pages/tasks.py", lang="zh")
    notices = at.dataframe[-1].value
    assert "days_overdue" in notices.columns
    assert not any(_is_none(v) for v in notices["days_overdue"]), notices["days_overdue"].tolist()


def test_catalogue_default_target_shows_a_dash_not_none(demo_db):
    at = page_as("pages/targets.py", lang="zh")
    catalogue = next(d.value for d in at.dataframe if "default_target" in d.value.columns)
    shown = catalogue["default_target"].tolist()
    assert not any(_is_none(v) for v in shown) and "—" in shown, shown  # the demo's complaints have no default


# --- names, not internal codes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_targets_page_shows_metric_names_not_internal_codes_to_a_viewer(demo_db, lang):
    at = page_as("pages/targets.py", lang=lang)
    with store.opened(demo_db) as db:
        codes = {m.code for m in store.metric_defs(db)}
    shown = {str(v) for d in at.dataframe for v in _cells(d.value)}
    assert not codes & shown, codes & shown
    name = "患者满意度" if lang == "zh" else "Patient satisfaction"
    assert any(name in v for v in shown)


def test_targets_editor_puts_the_metric_name_before_its_code(demo_db):
    at = page_as("pages/targets.py", "ed", "editor", "zh")
    grid = next(d for d in at.data_editor if d.key == "metric_editor")
    order = list(grid.proto.column_order)
    assert order.index("name_zh") < order.index("code"), order


# --- the sidebar's role label ----------------------------------------------------------------------------------------


def _balanced(label: str) -> bool:
    for opening, closing in ("（）", "()"):
        depth = 0
        for ch in label:
            depth += (ch == opening) - (ch == closing)
            if depth < 0 or depth > 1:  # a bracket closed twice, or a bracket inside a bracket
                return False
        if depth:
            return False
    return True


def test_sidebar_role_label_has_balanced_brackets(group_store):
    from metrics.access import sessions, users

    users.add_user("comm", "correct horse 9", "commission")
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "dashboard.py"), default_timeout=60)
    at.session_state["_auth_token"] = sessions.start_session("comm")
    at.run()  # the app as a browser opens it
    captions = [c.value for c in at.sidebar.caption]
    label = next((c for c in captions if c.startswith("已登录")), None)
    assert label and "委员会" in label and _balanced(label), captions
    # the same caption in English (AppTest: one language per process run of the dashboard here)
    en = i18n.t("auth.signed_in_as", "en", user="comm", role=i18n.t("role.commission", "en"))
    assert _balanced(en), en


# --- the events chart ------------------------------------------------------------------------------------------------


def _events_key(path, lang="zh") -> ViewKey:
    with store.opened(path) as db:
        depts = store.departments(db)["dept_code"].tolist()
    return _key(path, lang, grain="quarter", period="2026-Q3", depts="\n".join(depts), today=TODAY)


def test_events_chart_axis_holds_every_quarter_even_one_without_events(demo_db):
    view = events.build(_events_key(demo_db))
    axis = list(view.by_quarter.layout.xaxis.categoryarray)
    assert "2025年第1季度" in axis  # the demo has no confirmed event in 2025Q1
    quarters = [(int(q[:4]), int(q[6])) for q in axis]  # "2025年第1季度"
    assert quarters == sorted(quarters)
    steps = [(b[0] - a[0]) * 4 + b[1] - a[1] for a, b in zip(quarters, quarters[1:])]
    assert set(steps) == {1}, axis  # no quarter left out
    with store.opened(demo_db) as db:
        first, last = store.month_range(db)
    assert quarters[0] == (int(first[:4]), (int(first[5:7]) - 1) // 3 + 1)
    assert quarters[-1] == (int(last[:4]), (int(last[5:7]) - 1) // 3 + 1)


def test_events_chart_axis_title_keeps_clear_of_the_first_bar(demo_db):
    y = events.build(_events_key(demo_db)).by_quarter.layout.yaxis
    assert y.title.text and y.automargin is True and (y.title.standoff or 0) >= 10


# --- the region chart: bars from zero ---------------------------------------------------------------------------


def test_region_satisfaction_bars_start_at_zero(group_store):
    from metrics.views import region

    with store.opened(group_store) as db:
        version = store.data_version(db)
    key = ViewKey.of(str(group_store), version, "zh", hospital="H01", grain="quarter", period="2026-Q3",
                     hospitals=("H01", "H02", "H03"), today=TODAY)  # fmt: skip
    view = region.build(key)
    assert view.satisfaction.layout.xaxis.range[0] == 0, view.satisfaction.layout.xaxis.range


def test_ranking_values_print_clear_of_the_target_line():
    import pandas as pd

    from metrics.views import charts

    rows = pd.DataFrame(
        {"label": ["甲", "乙"], "value": [90.8, 90.4], "target": [90.0, 90.0], "direction": ">=", "passed": True}
    )
    bars = charts.ranking(rows, "t", "zh", hospital_target=90.0).data[0]
    # at the bar's base, beside the name: far from the target line at 90, which struck through a label at the end
    assert bars.textposition == "inside" and bars.insidetextanchor == "start"


# --- the upload page ---------------------------------------------------------------------------------------------


MONTH = "月份,科室编码,科室名称,患者满意度,投诉件数\n"


def _upload(at, name: str, text: str):
    at.file_uploader[0].set_value((name, text.encode(), "text/csv"))
    at.run()
    assert not at.exception, at.exception
    return at


def _frame_with(at, header: str):
    return [d for d in at.dataframe if header in d.value.columns]


def test_upload_preview_names_file_level_notes_and_gives_the_reason_its_room(db_file):
    oct_ = MONTH + "2026-10,K01,心血管内科,95,0\n2026-10,K02,呼吸科,93,0\n"
    assert importer.commit(oct_.encode(), "十月.csv", user="ed", db_path=db_file).committed
    at = page_as("pages/upload.py", "ed", "editor", "zh", first_run=True)
    _upload(at, "十一月.csv", MONTH + "2026-11,K01,心血管内科,粗体,0\n")
    problems, warnings = (d for d in _frame_with(at, "原因"))
    for grid in (problems, warnings):
        config = json.loads(grid.proto.columns)
        assert config["原因"]["width"] >= 600, config  # the room a reason needs at 1920 px
        before = list(grid.value.columns)[: list(grid.value.columns).index("原因")]
        named = {"small": 75, "medium": 200, "large": 400}
        # the columns before it leave the reason's start in view at 1280 px (~820 px for the table)
        assert sum(named.get(w, w) for w in (config.get(c, {}).get("width", 10_000) for c in before)) <= 400
    lines = warnings.value["行号"].tolist()
    assert "0" not in [str(x) for x in lines] and "文件" in lines, lines  # the missing-department note: the file


def test_upload_success_is_shown_where_the_user_looks_and_rollback_says_what_was_removed(db_file):
    at = page_as("pages/upload.py", "ed", "editor", "zh", first_run=True)
    rows = "".join(f"2026-10,K{i:02d},科室{i},95,{i % 3}\n" for i in range(1, 4))
    _upload(at, "十月.csv", MONTH + rows)
    next(b for b in at.button if b.key == "_upload_commit").click()
    at.run()
    toasts = [t.value for t in at.toast]
    assert any("已提交：批次 1" in t for t in toasts), toasts  # a toast: in view wherever the page was scrolled
    assert any("已提交：批次 1" in s.value for s in at.success)  # and at the top of the page
    at.checkbox(key="_rb_sure_1").check()
    at.run()
    next(b for b in at.button if b.key == "_rb_go").click()
    at.run()
    said = " ".join([s.value for s in at.success] + [t.value for t in at.toast])
    # the file's rows: 3 new rows (6 stored values); the message counts rows as the commit did
    assert "删除了它新增的 3 行" in said and "6" not in said.split("批次 1")[-1], said


def test_upload_warns_of_a_month_that_has_not_ended_and_still_allows_the_commit(db_file):
    text = MONTH + "2026-11,K01,心血管内科,95,0\n2026-10,K02,呼吸科,93,0\n"
    report = importer.preview(text.encode(), "a.csv", db_path=db_file)
    said = upload_view.running_month_notice(report, TODAY, "zh")
    assert said and "2026年11月" in said and "尚未结束" in said
    assert upload_view.running_month_notice(report, date(2026, 12, 1), "zh") is None  # November has ended
    assert "has not ended" in upload_view.running_month_notice(report, TODAY, "en")


def test_upload_page_warns_of_the_running_month(db_file):
    today = clock.today()  # the page judges on today's date: the file is built for it
    month = f"{today:%Y-%m}"
    at = page_as("pages/upload.py", "ed", "editor", "zh", first_run=True)
    _upload(at, "本月.csv", MONTH + f"{month},K01,心血管内科,95,0\n")
    assert any("尚未结束" in w.value for w in at.warning), [w.value for w in at.warning]
    assert not next(b for b in at.button if b.key == "_upload_commit").disabled


# --- the matrix at 1280 px -------------------------------------------------------------------------------------


def test_matrix_metric_columns_fit_at_1280(demo_db):
    at = page_as("pages/matrix.py", lang="zh")
    grid = next(d for d in at.dataframe if d.proto.column_order and "dept_code" in d.proto.column_order)
    order, config = list(grid.proto.column_order), json.loads(grid.proto.columns)
    metrics = [c for c in order if c in ("patient_satisfaction", "staff_satisfaction", "complaints")]
    assert len(metrics) == 3, order
    named = {"small": 75, "medium": 200, "large": 400}

    def width(c):
        w = config.get(c, {}).get("width")
        return named.get(w, w) if w is not None else 10_000  # unset: the grid's own guess, unknown here

    upto = order[: order.index(metrics[-1]) + 1]
    # 1280 px less the sidebar and the page's margins leaves ~820 px for the table
    assert sum(width(c) for c in upto) <= 800, {c: width(c) for c in upto}


def test_targets_editor_shows_a_dash_for_a_missing_default_target(demo_db):
    at = page_as("pages/targets.py", "ed", "editor", "zh")
    grid = next(d for d in at.data_editor if d.key == "metric_editor")
    assert grid.value["default_target"].isna().any()  # the demo's complaints: no default target
    assert grid.proto.placeholder == "—"  # drawn as — (Streamlit's own default draws a grey "None")


def test_tasks_list_gives_a_task_title_room_to_read(demo_db):
    at = page_as("pages/tasks.py", lang="zh")
    listed = next(d for d in at.dataframe if "title" in d.value.columns)
    longest = max(len(t) for t in listed.value["title"])
    width = json.loads(listed.proto.columns)["title"].get("width")
    assert isinstance(width, int) and width >= 15 * min(longest, 16), (width, longest)  # ~15 px a CJK character


def test_award_pipeline_status_names_stand_clear_of_the_axis():
    import pandas as pd

    from metrics.views import charts

    counts = pd.DataFrame({"status": ["not_applied", "awarded"], "count": [29, 6]})
    y = charts.award_pipeline(counts, "t", "zh").layout.yaxis
    assert (y.ticklabelstandoff or 0) >= 8  # "未申报" touched the first bar's edge
