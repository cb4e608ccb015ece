"""The targets page's editors through AppTest: what the upload refuses, the page refuses, with the
upload's reason, and saves nothing; a good edit is saved as one batch."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics import store
from tests.conftest import page_as

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")


pytestmark = pytest.mark.usefixtures("cheap_hashing")


def _editor_page(lang: str = "zh") -> AppTest:
    return page_as("pages/targets.py", "ed", "editor", lang)


def _save_with(at: AppTest, *added: dict) -> AppTest:
    at.session_state["targets_editor"] = {"edited_rows": {}, "added_rows": list(added), "deleted_rows": []}
    next(b for b in at.button if b.key == "targets_save").click()
    at.run()
    assert not at.exception, at.exception
    return at


def _targets(path) -> dict:
    with store.opened(path) as db:
        t = store.targets(db)
    return {(r.metric, r.dept_code, r.effective_from): r.target for r in t.itertuples()}


def test_editor_refuses_a_department_target_below_the_hospitals_naming_90(demo_db):
    before = _targets(demo_db)
    row = dict(metric="patient_satisfaction", dept_code="K20", effective_from="2026-01", target=85.0, direction=">=")
    at = _save_with(_editor_page(), row)
    assert any("未保存" in e.value for e in at.error)
    shown = " ".join(x.value for x in at.text)
    assert "全院「患者满意度」目标为 ≥ 90" in shown and "85" in shown
    assert _targets(demo_db) == before


def test_editor_refuses_a_satisfaction_target_of_150(demo_db):
    before = _targets(demo_db)
    row = dict(metric="staff_satisfaction", dept_code="", effective_from="2026-01", target=150.0, direction=">=")
    at = _save_with(_editor_page("en"), row)
    assert any("100" in x.value for x in at.text)
    assert _targets(demo_db) == before


def test_editor_saves_a_stricter_department_target(demo_db):
    row = dict(metric="patient_satisfaction", dept_code="K20", effective_from="2026-01", target=93.0, direction=">=")
    at = _save_with(_editor_page(), row)
    assert any("已保存" in s.value for s in at.success), [s.value for s in at.success]
    assert _targets(demo_db)[("patient_satisfaction", "K20", "2026-01")] == 93.0


def test_editor_names_the_row_and_column_of_each_problem(demo_db):
    at = _editor_page()
    n = len(next(d for d in at.data_editor if d.key == "targets_editor").value)
    row = dict(metric="patient_satisfaction", dept_code="K20", effective_from="2026-13", target=95.0, direction=">=")
    at = _save_with(at, row)
    assert any(x.value.startswith(f"第 {n + 1} 行「生效月份」：") for x in at.text), [x.value for x in at.text]
