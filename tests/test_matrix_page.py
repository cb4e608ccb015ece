"""AppTest of 信号矩阵 on the demo data: the icons a meeting sees for the departments metrics/ops/demo.py shaped."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from metrics.views import spc_charts

ROOT = Path(__file__).resolve().parent.parent


def open_matrix() -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.switch_page("pages/matrix.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_matrix_shows_the_shaped_departments_and_links_to_their_trends(demo_db):
    at = open_matrix()
    table = at.dataframe[0].value
    rows = table.set_index("dept_code")
    assert len(table) == 40  # every demo department

    def cell(dept, metric="patient_satisfaction"):
        return spc_charts.cell_text(rows.at[dept, metric])

    assert cell("K01") == "— 常规波动  ✔ 稳定达标"  # reliably above 90
    assert cell("K20") == "— 常规波动  ✘ 稳定未达标"  # reliably below
    assert cell("K07").startswith("▲ 改善")  # the shift up after 18 months
    assert cell("K01", "complaints").endswith("○ 无目标")
    assert rows.at["K01", "dept_name"] == "心血管内科"
    assert rows.at["K20", "link"] == "trends?dept=K20"
    assert "dept=K07&metric=patient_satisfaction" in rows.at["K07", "patient_satisfaction"]
    # Attention first: the top row needs at least as much attention as any other, and K20 counts its failure.
    assert table["attention"].iloc[0] == table["attention"].max() >= 1
    assert rows.at["K20", "attention"] >= 1 and rows.at["K01", "attention"] == 0

    kpis = {m.label: m.value for m in at.metric}
    assert int(kpis["有指标稳定未达标的科室"]) >= 1  # K20
    assert int(kpis["出现改善信号的科室"]) >= 1  # K07

    hospital = at.dataframe[1].value
    assert set(hospital.columns) >= {"drug_share", "cost_growth", "consumables_per_100"}
    assert "dept=HOSP" in hospital.loc[0, "drug_share"]


def test_category_filter_and_sort_by_code(demo_db):
    at = open_matrix()
    at.selectbox(key="_w_matrix_category.zh").select("医技").run()
    at.radio(key="_w_matrix_sort.zh").set_value("code").run()
    table = at.dataframe[0].value
    assert table["dept_code"].tolist() == ["T01", "T02", "T03", "T04", "T05"]


def test_empty_store_says_so(fresh_db):
    at = open_matrix()
    assert [i.value for i in at.info] == ["没有符合条件的数据。"]
    assert not at.dataframe
    at.switch_page("pages/trends.py").run()
    assert not at.exception
    assert "该科室暂无指标数据。" in [i.value for i in at.info]


def test_the_legend_says_what_an_arrow_means_for_complaints(demo_db):
    """For complaints (lower is better) ▲ is 需关注; the legend said ▲ = 改善 for every metric."""
    at = open_matrix()
    (legend,) = [m.value for m in at.markdown if "越低越好" in m.value]
    assert "投诉件数" in legend and "▲ 需关注" in legend.split("越低越好", 1)[1]
    assert "▲ 改善" in legend.split("越低越好", 1)[0]
