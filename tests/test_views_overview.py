"""The overview's view-model (metrics.views.overview): what the page shows, built without Streamlit on the demo
store; and the page itself keeps two stores at the same data version apart (finding 11.8)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from metrics import clock, store
from tests.conftest import copy_of, edit_catalogue

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")


def _copy_store(src: Path, dst: Path) -> Path:
    return copy_of(src, dst)


def _two_stores_same_version(demo_db: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The demo store and a copy where every patient satisfaction is 40 points lower, both at one data version."""
    other = _copy_store(demo_db, tmp_path / "other.db")
    with store.opened(other) as db:
        db.execute("UPDATE metric_values SET value = value - 40 WHERE metric = 'patient_satisfaction'")
        store.bump_data_version(db)
    with store.opened(demo_db) as db:
        store.bump_data_version(db)
    with store.opened(demo_db) as a, store.opened(other) as b:
        assert store.data_version(a) == store.data_version(b)
    return demo_db, other


def _overview_kpis(path: Path, monkeypatch) -> list[tuple[str, str]]:
    monkeypatch.setenv(store.DB_ENV, str(path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/overview.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return [(m.label, m.value) for m in at.metric]


def test_two_stores_at_one_data_version_show_their_own_headline_kpis(demo_db, tmp_path, monkeypatch):
    """The headline KPIs were cached without the store's path, so a second store at the same data version
    showed the first store's satisfaction figures."""
    a, b = _two_stores_same_version(demo_db, tmp_path)
    kpis_a = dict(_overview_kpis(a, monkeypatch))
    kpis_b = dict(_overview_kpis(b, monkeypatch))
    label = next(k for k in kpis_a if "患者满意度" in k and "全院" in k)
    assert kpis_a[label] != kpis_b[label]
    value_a, value_b = (float(v.split()[0].replace(",", "")) for v in (kpis_a[label], kpis_b[label]))
    assert round(value_a - value_b) == 40


# --- the builder, without Streamlit -------------------------------------------------------------------------------


from metrics.views import ViewKey, overview  # noqa: E402
from tests.test_pages_browse import awarded_in, last_month, latest_quarter_pass_count  # noqa: E402


def _key(path: Path, lang: str = "zh", **choices) -> ViewKey:
    with store.opened(path) as db:
        version = store.data_version(db)
        depts = store.departments(db)["dept_code"].tolist()
    last = last_month(path)
    choices = {
        "grain": "quarter",
        "period": f"{last[:4]}-Q{(int(last[5:7]) - 1) // 3 + 1}",
        "depts": "\n".join(depts),
        "today": clock.today(),
        **choices,
    }
    return ViewKey.of(str(path), version, lang, **choices)


def test_overview_view_headline_kpis_and_table_in_order(demo_db):
    view = overview.build(_key(demo_db))
    kpis = {k["label"]: k["value"] for k in view.first}
    met, total = latest_quarter_pass_count(demo_db)
    assert kpis["患者满意度达标科室"] == f"{met} / {total}"
    assert kpis["已授牌清廉科室"] == awarded_in(demo_db, int(last_month(demo_db)[:4]))
    # the first row: departments meeting each target, then vetoes, warnings, awards — in that order
    assert [k["label"] for k in view.first][-3:] == ["已认定否决事件", "已认定警示事件", "已授牌清廉科室"]
    assert view.filtered_note is None and view.no_data is None
    # the metric shown by default is the catalogue's first department metric, and labels are the catalogue's names
    assert view.metric == "patient_satisfaction" and view.metric_labels["patient_satisfaction"] == "患者满意度"
    assert view.table_headers["value"] == "患者满意度"
    # the table lists every department in the department list's order, K10 with its veto of the last month
    with store.opened(demo_db) as db:
        assert view.table["dept_code"].tolist() == store.departments(db)["dept_code"].tolist()
    k10 = view.table.set_index("dept_code").loc["K10"]
    assert k10["vetoes"] == 1 and k10["trend"] == "trends?dept=K10"
    assert view.ranking.figure is not None and view.ranking.page_labels == ()  # 40 departments: one page


def test_overview_view_filtered_departments_and_english(demo_db):
    view = overview.build(_key(demo_db, "en", depts="K10\nK20", metric="complaints"))
    assert view.filtered_note.startswith("Filtered to 2 of 40 departments")
    assert view.table["dept_code"].tolist() == ["K10", "K20"]
    assert view.table["trend"].tolist() == ["trends?dept=K10&lang=en", "trends?dept=K20&lang=en"]
    assert view.metric == "complaints" and view.table_headers["value"] == view.metric_labels["complaints"]
    assert view.ranking.n == 2 and view.ranking.more is None


def test_overview_view_chart_pages_of_forty(demo_db):
    """More departments than a chart draws: the page picker's labels and the chosen page's rows."""
    # 41 chosen codes, one of them unknown: the heat map lists it with no data, so it has two pages of rows
    view = overview.build(_key(demo_db, heat_page=1, depts="\n".join([*_all_codes(demo_db), "X99"])))
    assert view.heatmap.page_labels == ("第 1–40 个", "第 41–41 个")
    assert view.heatmap.page == 1 and "另有 1 个科室" in view.heatmap.more
    assert view.table["dept_code"].tolist() == _all_codes(demo_db)  # the unknown code is not a department


def _all_codes(path: Path) -> list[str]:
    with store.opened(path) as db:
        return store.departments(db)["dept_code"].tolist()


def test_overview_view_names_metrics_as_the_catalogue_was_edited(demo_db):
    edit_catalogue(demo_db, "metric_catalogue", "patient_satisfaction", name_zh="门诊满意度")
    view = overview.build(_key(demo_db))
    assert view.metric_labels["patient_satisfaction"] == "门诊满意度"
    assert "门诊满意度达标科室" in [k["label"] for k in view.first]
    assert view.ranking.figure.layout.title.text.startswith("科室门诊满意度排名")
