"""The icon matrix's view-model (metrics.views.matrix) on the demo store, without Streamlit: rows in the order
chosen, counts that agree with the cells shown, metric names from the store's catalogue."""

from __future__ import annotations

from pathlib import Path

from metrics import store
from metrics.views import ViewKey, matrix
from tests.conftest import edit_catalogue


def _key(path: Path, lang: str = "zh", **choices) -> ViewKey:
    with store.opened(path) as db:
        return ViewKey.of(str(path), store.data_version(db), lang, **choices)


def _rows_with(view, word: str) -> set[str]:
    text = view.download()
    return {r["dept_code"] for r in text.to_dict("records") if any(word in r[m] for m in view.metric_columns)}


def test_matrix_view_counts_agree_with_the_cells_shown(demo_db):
    view = matrix.build(_key(demo_db))
    kpis = {k["label"]: k["value"] for k in view.kpis}
    assert list(kpis) == ["出现需关注信号的科室", "有指标稳定未达标的科室", "出现改善信号的科室"]
    assert kpis["出现需关注信号的科室"] == len(_rows_with(view, "需关注"))
    assert kpis["有指标稳定未达标的科室"] == len(_rows_with(view, "稳定未达标"))
    assert kpis["出现改善信号的科室"] == len(_rows_with(view, "改善"))
    assert len(view.table) == 40 and view.empty is None
    assert view.period.startswith("依据 ")


def test_matrix_view_orders_rows_by_attention_or_code_and_filters_a_category(demo_db):
    by_attention = matrix.build(_key(demo_db))
    attention = by_attention.table["attention"].tolist()
    assert attention == sorted(attention, reverse=True) and attention[0] > 0
    by_code = matrix.build(_key(demo_db, sort="code"))
    assert by_code.table["dept_code"].tolist() == sorted(by_code.table["dept_code"])
    assert by_code.sort_labels == {"attention": "需关注的科室在前", "code": "按科室编码"}
    clinical = matrix.build(_key(demo_db, category="临床"))
    assert set(clinical.table["category"]) == {"临床"} and clinical.category == "临床"
    assert list(clinical.category_labels)[0] == "" and clinical.category_labels[""] == "全部"
    unknown = matrix.build(_key(demo_db, category="不存在的类别"))
    assert unknown.category == "" and len(unknown.table) == 40
    # each row links to its department's trends; each cell to the department and metric
    k01 = by_code.table.set_index("dept_code").loc["K01"]
    assert k01["link"] == "trends?dept=K01"
    assert "dept=K01&metric=patient_satisfaction" in k01["patient_satisfaction"]


def test_matrix_view_names_metrics_as_the_catalogue_was_edited(demo_db):
    edit_catalogue(demo_db, "metric_catalogue", "complaints", name_zh="有效投诉 件数", name_en="Valid complaints")
    edit_catalogue(demo_db, "metric_catalogue", "drug_share", name_en="Drug ratio")
    assert matrix.build(_key(demo_db)).headers["complaints"] == "有效投诉 件数"
    english = matrix.build(_key(demo_db, "en"))
    assert english.headers["complaints"] == "Valid complaints"
    assert english.hospital_names["drug_share"] == "Drug ratio"
    assert english.hospital["dept_name"].tolist() == ["Whole hospital"]
