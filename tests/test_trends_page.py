"""AppTest of 科室趋势 on the demo data: the verdicts a user reads for the departments metrics/ops/demo.py shaped.

K01 心血管内科 is reliably above 90, K20 急诊科 reliably below, K07 骨科 shifts from ≈87 to ≈94 after 18 months.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.figures import figures

ROOT = Path(__file__).resolve().parent.parent


def store_one_department(db, name: str, months: list[str], values: list[float]) -> None:
    """K01 with the given name and patient-satisfaction values, written through a batch as an upload would."""
    from metrics import store

    rows = [dict(dept_code="K01", month=m, metric="patient_satisfaction", value=v) for m, v in zip(months, values)]
    with db.atomic():
        bid = store.insert_batch(db, file_name="t", sha256=None, kind="metrics", user="t", encoding=None)
        store.apply_changes(db, bid, "departments", [(None, dict(dept_code="K01", dept_name=name, active=1))])
        store.apply_changes(db, bid, "metric_values", [(None, r) for r in rows])
        store.bump_data_version(db)


def open_trends(dept: str | None = None, lang: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if dept:
        at.query_params["dept"] = dept
    if lang:
        at.query_params["lang"] = lang
    at.switch_page("pages/trends.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sentence(at: AppTest, metric_name: str) -> str:
    found = [m.value for m in at.markdown if m.value.startswith(metric_name)]
    assert found, [m.value for m in at.markdown]
    return found[0]


def heading(at: AppTest, metric_name: str) -> str:
    found = [m.value for m in at.markdown if m.value.startswith("#### " + metric_name)]
    assert found, [m.value for m in at.markdown]
    return found[0]


@pytest.mark.parametrize(
    ("dept", "expected_sentence", "expected_icons"),
    [
        ("K01", "患者满意度：近期只有常规波动，没有特殊原因变异；目标稳定达成。", ("— 常规波动", "✔ 稳定达标")),
        (
            "K20",
            "患者满意度：近期只有常规波动，没有特殊原因变异；已连续36个月未达标，按目前的过程将持续达不到目标",
            ("✘ 稳定未达标",),
        ),
        ("K07", "患者满意度：近期出现改善的特殊原因变异；", ("▲ 改善",)),
    ],
)
def test_verdicts_of_the_shaped_demo_departments(demo_db, dept, expected_sentence, expected_icons):
    at = open_trends(dept)
    assert at.selectbox(key="_w_trends_dept.zh").value == dept  # preselected from ?dept=
    assert sentence(at, "患者满意度").startswith(expected_sentence)
    for icon in expected_icons:
        assert icon in heading(at, "患者满意度")
    # Every department metric is drawn: patient and staff satisfaction, complaints.
    assert len(figures(at)) == 3
    assert sentence(at, "投诉件数").endswith("未设目标，不判断达标。")


def test_rebase_after_the_shift_gives_k07_fresh_limits(demo_db):
    """From month 19 K07 runs at ≈94: rebased there, its new limits sit above 90 → consistently passing, and the
    new segment (18 points) shows no special cause any more."""
    at = open_trends("K07")
    months = [m for m in at.selectbox(key="_w_trends_rebase_K07.zh").options]
    assert len(months) == 36  # 'do not recalculate' + 35 months
    box = at.selectbox(key="_w_trends_rebase_K07.zh")
    box.select_index(18).run()
    assert not at.exception
    text = sentence(at, "患者满意度")
    assert "目标稳定达成" in text
    assert "近期只有常规波动" in text


def test_hospital_wide_indicators_and_english(demo_db):
    at = open_trends("HOSP", lang="en")
    assert at.selectbox(key="_w_trends_dept.en").value == "HOSP"
    assert len(figures(at)) == 3  # drug share, cost growth, consumables
    assert any(m.value.startswith("Drug share") and "hit and miss" in m.value for m in at.markdown)
    assert any("Hospital-wide indicators" in s.value for s in at.subheader)


def test_unknown_department_in_the_link_is_reported(demo_db):
    at = open_trends("NOPE")
    assert at.warning and "科室编码不存在" in at.warning[0].value
    assert at.selectbox(key="_w_trends_dept.zh").value == "K01"  # the first clinical department instead


def test_category_filter_limits_the_department_list(demo_db):
    at = open_trends()
    at.selectbox(key="_w_trends_category.zh").select("医技").run()
    options = at.selectbox(key="_w_trends_dept.zh").options
    assert options[0] == "全院" and all(o.startswith("T0") for o in options[1:])


def test_a_later_link_in_the_same_session_switches_the_department(demo_db):
    """Other pages link with st.page_link(query_params={'dept': …}); a second link in the session must win."""
    at = open_trends("K01")
    at.query_params["dept"] = "K20"
    at.run()
    assert at.selectbox(key="_w_trends_dept.zh").value == "K20"
    assert "按目前的过程将持续达不到目标" in sentence(at, "患者满意度")


def test_charts_and_matrix_use_the_same_36_month_window(fresh_db):
    """40 months stored; the first 4 at 50 would drag the mean down and flag every later month as a run above
    it. In the 36-month window all are 95 ± 1 and common cause, in the chart and in the matrix alike."""
    from metrics.ops import demo

    months = demo.months_ending("2026-10", 40)
    store_one_department(fresh_db, "心血管内科", months, [50.0] * 4 + [95.0, 96.0, 94.0] * 12)

    at = open_trends("K01")
    assert len(at.selectbox(key="_w_trends_rebase_K01.zh").options) == 36  # 'do not recalculate' + 35 months
    assert sentence(at, "患者满意度").startswith("患者满意度：近期只有常规波动")
    at.switch_page("pages/matrix.py").run()
    cell = at.dataframe[0].value.set_index("dept_code").at["K01", "patient_satisfaction"]
    assert cell.endswith("— 常规波动  ✔ 稳定达标")


def test_event_and_award_history_of_the_revoked_department(demo_db):
    """K13 产科: veto V04 confirmed, title revoked, rectification, re-applied (metrics/ops/demo.py)."""
    at = open_trends("K13")
    tables = {tuple(d.value.columns): d.value for d in at.dataframe}
    events = tables[("event_date", "kind", "indicator", "description", "status")]
    assert "V04" in events["indicator"].tolist() and "否决" in events["kind"].tolist()
    awards = tables[("year", "status", "changed_on", "rectify_until", "note")]
    assert {"已取消", "整改中", "已授牌"} <= set(awards["status"])


def test_an_uploaded_department_name_is_never_markdown(fresh_db):
    """A name with markdown and HTML from an upload shows literally (escaped), and a short series is trial."""
    from metrics.ops import demo

    name = "**急诊**[点我](http://evil.example)<b>x</b>"
    store_one_department(fresh_db, name, demo.months_ending("2026-10", 5), [88.0, 90.0, 89.0, 91.0, 90.0])
    at = open_trends("K01")
    (sub,) = [s.value for s in at.subheader]
    assert r"\*\*急诊\*\*\[点我\]\(http" in sub and r"\<b\>" in sub
    assert sentence(at, "患者满意度").endswith("（控制限仅基于5个点，为试算值）")


def test_compare_k01_with_other_departments(demo_db):
    at = open_trends("K01")
    assert len(figures(at)) == 3
    at.multiselect(key="_w_trends_cmp_depts.zh").select("K20").select("K07").run()
    assert not at.exception
    assert len(figures(at)) == 4  # the comparison chart joins the three XmR charts


def test_a_fixed_12_month_baseline_is_not_trial_and_a_shorter_one_names_its_points(demo_db):
    """PRODUCT §5: limits fixed on the first 12 of K01's 36 months are not trial limits; fixed on the
    first 8 they are, and the sentence says the limits rest on 8 points (not the 36 months shown)."""
    at = open_trends("K01")
    at.number_input[0].set_value(12).run()
    assert not at.exception
    assert not any("试算" in m.value for m in at.markdown), [m.value for m in at.markdown]
    at.number_input[0].set_value(8).run()
    text = sentence(at, "患者满意度")
    assert "试算" in text and "8个点" in text and "36" not in text


def _lower_limits(chart) -> list[float]:
    """The lower process limit values drawn in a chart (its plotly JSON, from ``tests.figures``)."""
    import base64

    import numpy as np

    def values(y) -> list[float]:  # plotly sends numeric arrays base64-encoded ({"dtype", "bdata"})
        if isinstance(y, dict):
            return np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]).astype(float).tolist()
        return [float(v) for v in y]

    return [v for t in chart["data"] if (t.get("meta") or {}).get("role") == "lpl" for v in values(t["y"])]


def test_complaints_never_show_a_lower_limit_below_zero(demo_db):
    """PRODUCT §5: K01's complaints (a rare count, mostly 0 with the odd 1 or 2) have a computed lower
    limit of about −0.69 (the −0.7 of the finding); the chart draws it at 0."""
    at = open_trends("K01")
    charts = figures(at)
    assert len(charts) == 3  # patient satisfaction, staff satisfaction, complaints (catalogue order)
    complaints = _lower_limits(charts[2])
    assert complaints and min(complaints) == 0


def test_a_target_missed_eleven_months_in_a_row_is_said_so(fresh_db):
    """口腔科 at 95 93 then 11 months under the hospital's 90 (limits 78.4 / 97.5 straddle 90, so
    SPC alone says hit and miss — tests/test_spc.py::test_months_in_a_row_below_target_up_to_the_latest): the
    heading and the sentence say it was missed 11 months in a row, in Chinese and in English."""
    from metrics.ops import demo

    values = [95.0, 93, 89, 85, 88, 84, 89, 86, 88, 85, 89, 84, 88]
    store_one_department(fresh_db, "口腔科", demo.months_ending("2026-10", 13), values)
    at = open_trends("K01")
    assert "◐ 连续11个月未达标" in heading(at, "患者满意度")
    assert "已连续11个月未达标，目标时达时不达" in sentence(at, "患者满意度")
    at = open_trends("K01", lang="en")
    assert "Missed 11 months in a row" in heading(at, "Patient satisfaction")
    assert "missed 11 months in a row" in sentence(at, "Patient satisfaction")
