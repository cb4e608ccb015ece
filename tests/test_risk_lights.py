"""The lights of the risk register (PRODUCT §10, seed 001's 亮灯), judged on a day passed in."""

from __future__ import annotations

from datetime import date

import pandas as pd

from metrics.rules import risks as risk_rules

TODAY = date(2027, 5, 10)


def _frame(*rows) -> pd.DataFrame:
    cols = ["risk_code", "unit", "stage", "level", "status", "review_due"]
    return pd.DataFrame([dict(zip(cols, r, strict=True)) for r in rows])


def test_each_risk_point_gets_its_light_and_the_reasons_for_it():
    got = risk_rules.risk_lights(
        _frame(
            ("R1", "K01", None, "high", "uncontrolled", "2027-12-31"),  # high out of control
            ("R2", "K01", None, "high", "controlled", "2027-05-09"),  # high, review a day overdue
            ("R3", "K02", None, "medium", "uncontrolled", None),  # medium out of control
            ("R4", "K02", None, "low", "controlled", "2027-01-31"),  # any overdue review
            ("R5", "K03", None, "high", "controlled", "2027-05-10"),  # due today: not yet overdue
            ("R6", "K03", None, "high", "eliminated", "2026-01-31"),  # eliminated: no review owed
            ("R7", "K03", None, "low", "uncontrolled", None),
        ),
        TODAY,
    ).set_index("risk_code")
    assert got["light"].to_dict() == {
        "R1": "red",
        "R2": "red",
        "R3": "amber",
        "R4": "amber",
        "R5": "green",
        "R6": "green",
        "R7": "green",
    }
    assert got.at["R1", "reasons"] == ("high_uncontrolled",)
    assert got.at["R2", "reasons"] == ("high_overdue",) and got.at["R2", "days_overdue"] == 1
    assert got.at["R4", "reasons"] == ("overdue",) and got.at["R4", "days_overdue"] == 99
    assert got.at["R5", "reasons"] == () and not got.at["R6", "overdue"]


def test_the_same_register_is_green_before_its_review_dates_and_red_after():
    f = _frame(("R1", "K01", None, "high", "controlled", "2027-06-30"))
    assert risk_rules.risk_lights(f, date(2027, 6, 30))["light"].tolist() == ["green"]
    assert risk_rules.risk_lights(f, date(2027, 7, 1))["light"].tolist() == ["red"]


def test_a_units_light_is_its_worst_risk_point_and_names_the_points_behind_it():
    lights = risk_rules.risk_lights(
        _frame(
            ("R1", "K01", None, "high", "uncontrolled", None),
            ("R2", "K01", None, "medium", "uncontrolled", None),
            ("R3", "K01", None, "high", "uncontrolled", None),
            ("R4", "K02", None, "medium", "uncontrolled", None),
            ("R5", "K02", None, "low", "controlled", None),
            ("R6", "K03", None, "low", "controlled", None),
        ),
        TODAY,
    )
    got = risk_rules.worst(lights, ["unit"]).set_index("unit")
    assert got["light"].to_dict() == {"K01": "red", "K02": "amber", "K03": "green"}
    assert got.at["K01", "names"] == ("R1", "R3") and got.at["K02", "names"] == ("R4",)
    assert got.at["K03", "names"] == () and got["risks"].to_dict() == {"K01": 3, "K02": 2, "K03": 1}


def test_an_empty_register_has_no_lights():
    empty = risk_rules.risk_lights(_frame(), TODAY)
    assert empty.empty and risk_rules.worst(empty, ["unit"]).empty
