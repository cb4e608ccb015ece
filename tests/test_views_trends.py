"""The trends page's view-model (metrics.views.trends) on the demo store, without Streamlit: the pickers' options
in order, one chart per metric in catalogue order with the verdict a user reads, the comparison, the history.

K01 心血管内科 is reliably above 90, K20 急诊科 reliably below, K07 骨科 shifts from ≈87 to ≈94 after 18 months,
K13 产科 had a V04 veto and its title revoked (metrics/ops/demo.py)."""

from __future__ import annotations

from pathlib import Path

from metrics import contract, store
from metrics.views import ViewKey, trends
from tests.conftest import edit_catalogue


def _key(path: Path, lang: str = "zh", **choices) -> ViewKey:
    with store.opened(path) as db:
        return ViewKey.of(str(path), store.data_version(db), lang, **choices)


def test_trends_view_of_k01_charts_in_catalogue_order_with_the_verdict(demo_db):
    view = trends.build(_key(demo_db, dept="K01"))
    assert view.dept == "K01" and view.category == ""
    assert [c.metric for c in view.charts] == ["patient_satisfaction", "staff_satisfaction", "complaints"]
    first = view.charts[0]
    assert first.heading.startswith("#### 患者满意度  :") and "常规波动" in first.heading
    assert first.sentence.startswith("患者满意度：近期只有常规波动") and "目标稳定达成" in first.sentence
    assert view.heading == "心血管内科：3 项指标"
    assert view.no_data is None and view.comparison is None
    # the department picker: the hospital first, then clinical departments by code, then the other categories
    codes = list(view.dept_labels)
    assert codes[0] == contract.HOSPITAL_CODE and view.dept_labels[codes[0]] == "全院"
    assert view.dept_labels["K01"] == "K01  心血管内科"
    with store.opened(demo_db) as db:
        depts = store.departments(db)
    order = {c: i for i, c in enumerate(contract.CATEGORIES)}
    cat = depts.set_index("dept_code")["category"]
    assert codes[1:] == sorted(codes[1:], key=lambda c: (order[cat[c]], c))
    # the rebase picker: "do not recalculate", then every month of the window but the first
    rebase = list(view.rebase_labels)
    assert (
        rebase[0] == "" and view.rebase_labels[""] == "不重新计算" and len(rebase) == 36
    )  # "": None reads as no choice


def test_trends_view_rebase_k07_after_its_shift_passes_consistently(demo_db):
    months = [m for m in trends.build(_key(demo_db, dept="K07")).rebase_labels if m]
    view = trends.build(_key(demo_db, dept="K07", rebase=months[17]))
    assert view.rebase == months[17]
    assert "目标稳定达成" in view.charts[0].sentence and "近期只有常规波动" in view.charts[0].sentence
    # a rebase month chosen for another department is not applied to the one shown instead
    fallback = trends.build(_key(demo_db, category="医技", dept="K07", rebase=months[17]))
    assert fallback.dept != "K07" and fallback.rebase is None and fallback.category == "医技"


def test_trends_view_hospital_compare_and_history(demo_db):
    hosp = trends.build(_key(demo_db, "en", dept=contract.HOSPITAL_CODE))
    assert hosp.heading == "Hospital-wide indicators"
    assert [c.metric for c in hosp.charts] == ["drug_share", "cost_growth", "consumables_per_100"]
    assert hosp.compare_labels == {}  # the hospital is not compared with departments
    view = trends.build(_key(demo_db, dept="K01", compare_metric="complaints", compare_depts=("K20", "K07", "NOPE")))
    assert view.compare_depts == ("K20", "K07") and view.compare_metric == "complaints"
    assert [t.name for t in view.comparison.data if t.name][:3] == ["K01 心血管内科", "K20 急诊科", "K07 骨科"]
    k13 = trends.build(_key(demo_db, dept="K13"))
    assert "V04" in k13.events["indicator"].tolist() and "否决" in k13.events["kind"].tolist()
    assert {"已取消", "整改中", "已授牌"} <= set(k13.awards["status"])


def test_trends_view_names_metrics_as_the_catalogue_was_edited_and_escapes_markdown(demo_db):
    edit_catalogue(demo_db, "metric_catalogue", "complaints", name_zh="有效投诉*件*")
    view = trends.build(_key(demo_db, dept="K01"))
    assert view.charts[2].heading.startswith(r"#### 有效投诉\*件\*  :")
    assert view.compare_labels["complaints"] == "有效投诉*件*"  # a widget label, not markdown
