"""Seed 004's first criterion (查找廉政风险点，制定防控措施) as an eligibility reason (PRODUCT §10, §4.2): once a hospital
keeps a risk register, a department with no risk point and its controls recorded is not eligible, with the reason
"未登记廉洁风险点及防控措施"; a hospital that keeps none is judged as before."""

from __future__ import annotations

from datetime import date

import pandas as pd

from metrics import contract
from metrics.rules import awards as R
from metrics.rules import periods as P

DEPTS = ["K01", "K02", "K03", "K04"]
RULES = R.EligibilityRules(targets_met=False)  # only the veto, rectification and risk rules here


def _eligibility(risks: pd.DataFrame | None, rules: R.EligibilityRules = RULES) -> pd.DataFrame:
    events = pd.DataFrame(columns=["event_id", "event_date", "dept_code", "kind", "indicator", "status"])
    status = R.award_status(pd.DataFrame(columns=["dept_code", "year", "status", "changed_on"]), date(2027, 5, 1))
    values = P.period_values(
        pd.DataFrame(columns=["dept_code", "month", "metric", "value"]),
        pd.DataFrame(columns=["metric", "dept_code", "effective_from", "target", "direction"]),
        contract.METRICS,
        "year",
        "2027",
    )
    got = R.eligibility(DEPTS, events, status, values, 2027, rules, metric_defs=contract.METRICS, risks=risks)
    return got.set_index("dept_code")


def _register(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["risk_code", "unit", "owner", "controls"])


def test_once_the_hospital_keeps_a_register_a_department_without_controlled_risk_points_is_not_eligible():
    register = _register(
        ("R1", "K01", "K01", "预约接待登记"),
        ("R2", "K02", "K02", None),  # a risk point found but no controls yet
        ("R3", "招标采购", "K03", "专家随机抽取"),  # K03 owns a procurement stage's risk and its controls
        ("R4", "K04", "K04", "  "),
    )
    got = _eligibility(register)
    assert got["eligible"].to_dict() == {"K01": True, "K02": False, "K03": True, "K04": False}
    assert got.at["K02", "reasons"] == (dict(code="no_risk_controls"),)
    assert R.reason_text(got.at["K02", "reasons"][0], "zh") == "未登记廉洁风险点及防控措施"
    assert "controls" in R.reason_text(got.at["K02", "reasons"][0], "en")
    # configurable like the other rules of §4.2
    off = _eligibility(register, R.EligibilityRules(targets_met=False, risk_controls=False))
    assert off["eligible"].all()


def test_a_hospital_that_keeps_no_register_is_judged_as_before():
    for none in (None, _register()):
        got = _eligibility(none)
        assert got["eligible"].all() and all(r == () for r in got["reasons"])


def test_the_awards_page_gives_the_reason_for_the_demos_department_without_controls(demo_db):
    from metrics import store
    from metrics.ingest import importer
    from metrics.ops import demo
    from metrics.views import ViewKey, awards
    from tests.conftest import TODAY

    def reasons(lang="zh"):
        with store.opened(demo_db) as db:
            version = store.data_version(db)
            codes = "\n".join(store.departments(db)["dept_code"])
        view = awards.build(ViewKey.of(str(demo_db), version, lang, year=TODAY.year, depts=codes, today=TODAY))
        return view.status.rows.set_index("dept_code")["reasons"]

    got = reasons()
    assert "未登记廉洁风险点及防控措施" in got[demo.NO_CONTROLS]
    assert not any("未登记廉洁风险点" in r for c, r in got.items() if c != demo.NO_CONTROLS)
    # once K19 records its controls the reason is gone
    row = dict(risk_code=f"FX-{demo.NO_CONTROLS}", unit=demo.NO_CONTROLS, risk="收受回扣", level="low")
    row |= dict(owner=demo.NO_CONTROLS, controls="预约接待登记")
    assert importer.commit_rows("risks", [row], source="edit", db_path=demo_db).committed
    assert "未登记廉洁风险点" not in reasons()[demo.NO_CONTROLS]
