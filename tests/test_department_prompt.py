"""科室档案 opened from the sidebar (no ?dept=): the page says what it is and asks which department to show, rather
than showing some department nobody chose; choosing one shows its profile and puts it in the address."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.figures import figures


def _open(**params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page("pages/department.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_without_a_department_the_profile_shows_its_title_and_asks_for_one(demo_db):
    at = _open()
    assert [t.value for t in at.title] == ["科室档案"]
    picker = [s for s in at.selectbox if s.label == "科室"]
    assert picker and picker[0].value is None  # nothing chosen for the user
    assert any("请选择一个科室" in i.value for i in at.info), [i.value for i in at.info]
    assert not at.metric and not figures(at)  # no department's numbers under the prompt

    picker[0].select("K20").run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["K20 急诊科"]
    assert at.query_params["dept"] == "K20"  # the address names it: shared, bookmarked, back


def test_the_prompt_speaks_english(demo_db):
    at = _open(lang="en")
    assert [t.value for t in at.title] == ["Department profile"]
    assert any("Choose a department" in i.value for i in at.info), [i.value for i in at.info]


def test_each_metric_shows_its_spc_verdict_beside_its_target_above_the_charts(demo_db):
    at = _open(dept="K20", **{"from": "overview"})
    texts = [m.value for m in at.markdown]
    charts_at = texts.index("#### 各指标控制图（目标线与控制限）")
    # K20's patient satisfaction: stable and not meeting its target (the matrix says the same), on the first screen
    chips = [t for t in texts[:charts_at] if "-background[" in t]
    assert len(chips) == len(at.metric) and "稳定未达标" in chips[0], chips
