"""Target resolution: the stricter of own and hospital target, effective_from, mid-year change (worked by hand)."""

import pandas as pd

from metrics.rules.targets import passes, resolve_targets

TARGETS = pd.DataFrame(
    [
        ("patient_satisfaction", "", "2000-01", 90.0, ">="),
        ("patient_satisfaction", "D2", "2000-01", 85.0, ">="),  # a department's own 85 next to the 90 default
        ("patient_satisfaction", "D3", "2000-01", 95.0, ">="),  # a department's own 95: stricter
        ("drug_share", "D3", "2000-01", 25.0, "<="),  # a looser ceiling than the hospital's 20
        ("patient_satisfaction", "", "2024-07", 92.0, ">="),  # hospital target raised mid-year
        ("drug_share", "", "2000-01", 20.0, "<="),
    ],
    columns=["metric", "dept_code", "effective_from", "target", "direction"],
)


def test_the_stricter_of_own_and_hospital_target_holds_and_mid_year_change_applies():
    keys = pd.DataFrame(
        [
            ("D1", "2024-06", "patient_satisfaction"),
            ("D1", "2024-07", "patient_satisfaction"),
            ("D2", "2024-08", "patient_satisfaction"),
            ("HOSP", "2024-08", "drug_share"),
            ("D1", "2024-08", "complaints"),
            ("D3", "2024-08", "patient_satisfaction"),
            ("D3", "2024-08", "drug_share"),
        ],
        columns=["dept_code", "month", "metric"],
    )
    got = resolve_targets(TARGETS, keys)
    # PRODUCT §4.2: the hospital's target is the floor — D2's own 85 gives way to the hospital's 92 (from July),
    # D3's own 95 holds, and its looser 25 % ceiling gives way to the hospital's 20 %.
    assert got["target"].tolist()[:4] == [90.0, 92.0, 92.0, 20.0]
    assert pd.isna(got["target"].iloc[4])  # no target for complaints
    assert got["target"].tolist()[5:] == [95.0, 20.0]
    assert got["direction"].tolist()[:4] == [">=", ">=", ">=", "<="]
    assert got["dept_code"].tolist() == keys["dept_code"].tolist()  # input order kept


def test_passes_respects_direction():
    assert passes(90, 90, ">=") is True
    assert passes(89.9, 90, ">=") is False
    assert passes(21, 20, "<=") is False
    assert passes(19.5, 20, "<=") is True
    assert passes(None, 90, ">=") is None
