"""Every choice survives a language switch (the period, filters and pickers were kept as labels, so
after a switch the period radio showed empty and the choices stayed in the old language)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")


def _switch(at: AppTest, to: str) -> AppTest:
    # what the sidebar's language radio does (dashboard.py): set the language, rerun (AppTest drops the sidebar's
    # elements after a rerun, so the radio itself cannot be clicked twice here)
    at.session_state["lang"] = to
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _radio(at: AppTest, label: str):
    return next(r for r in at.radio if r.label == label)


def _box(at: AppTest, label: str):
    return next(s for s in at.selectbox if s.label == label)


def test_overview_choices_survive_switching_to_english_and_back(demo_db):
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = "zh"
    at.switch_page("pages/overview.py").run()
    _radio(at, "统计周期").set_value("year").run()
    years = _box(at, "选择期间")
    years.set_value("2025").run()
    next(m for m in at.multiselect if m.label == "科室类别").select("医技").run()
    _box(at, "指标").set_value("staff_satisfaction").run()
    assert not at.exception, [e.message for e in at.exception]
    caption = at.caption[0].value
    assert "2025年" in caption

    _switch(at, "en")
    grain = _radio(at, "Period")
    assert grain.value == "year" and grain.options == ["Month", "Quarter", "Year"]
    period = _box(at, "Choose period")
    assert period.value == "2025" and period.options[period.index] == "2025"
    cats = next(m for m in at.multiselect if m.label == "Category")
    assert cats.value == ["医技"]  # a category is data, shown as stored
    metric = _box(at, "Metric")
    assert metric.value == "staff_satisfaction" and metric.options[metric.index] == "Staff satisfaction"
    assert "2025" in at.caption[0].value and "年" not in at.caption[0].value

    _switch(at, "zh")
    assert _radio(at, "统计周期").value == "year"
    assert _box(at, "选择期间").value == "2025"
    assert _box(at, "指标").value == "staff_satisfaction"
