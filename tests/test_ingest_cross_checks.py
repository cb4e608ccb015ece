"""The rules that were found bent, each as the user meets it in an upload (PRODUCT §3.2, §3.3)."""

from __future__ import annotations

from metrics import contract, store
from metrics.ingest import importer

HEADER = "月份,科室编码,科室名称,患者满意度"


def csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def _departments(db_file) -> dict:
    with store.opened(db_file) as db:
        d = store.departments(db)
    return dict(zip(d["dept_code"], d["dept_name"]))


def _seed(db_file, *rows: str) -> None:
    data = csv(*rows, header="科室编码,科室名称")
    assert importer.commit(data, "depts.csv", user="ed", db_path=db_file).committed


# --- 11.1 a typo'd code never creates a second department ---------------------------------------------------


def test_typod_code_with_an_existing_name_is_refused_naming_the_existing_code(db_file):
    _seed(db_file, "K08,普外科", "K01,心血管内科")
    data = csv("2026-01,K01,心血管内科,93", "2026-01,KO8,普外科,91")
    r = importer.preview(data, "m.csv", db_path=db_file)
    assert not r.new_departments
    (p,) = r.problems
    assert (p.line, p.column, p.value) == (3, "科室编码", "KO8")
    assert "K08" in p.message and "普外科" in p.message
    en = importer.preview(data, "m.csv", lang="en", db_path=db_file).problems[0].message
    assert "K08" in en and "KO8" in en
    done = importer.commit(data, "m.csv", user="ed", db_path=db_file)
    assert not done.committed
    assert _departments(db_file) == {"K08": "普外科", "K01": "心血管内科"}


def test_a_new_code_with_a_new_name_still_creates_the_department(db_file):
    _seed(db_file, "K08,普外科")
    r = importer.commit(csv("2026-01,K09,骨科,91"), "m.csv", user="ed", db_path=db_file)
    assert r.committed and [d["dept_code"] for d in r.new_departments] == ["K09"]


# --- 11.2 a monthly file that omits departments which reported the month before warns --------------------


def test_departments_missing_from_last_month_warn_listing_them_and_still_commit(db_file):
    _seed(db_file, "K01,心血管内科", "K02,呼吸内科", "K03,消化内科")
    jan = csv("2026-01,K01,心血管内科,93", "2026-01,K02,呼吸内科,92", "2026-01,K03,消化内科,91")
    assert importer.commit(jan, "jan.csv", user="ed", db_path=db_file).committed
    feb = csv("2026-02,K01,心血管内科,94")
    r = importer.preview(feb, "feb.csv", db_path=db_file)
    assert r.ok and r.can_commit()
    (w,) = [w for w in r.warnings if "K02" in w.message]
    assert "K03" in w.message and "呼吸内科" in w.message and "2026-01" in w.message and "K01" not in w.message
    assert any("K02" in w["message"] for w in r.to_json()["warnings"])
    en = importer.preview(feb, "feb.csv", lang="en", db_path=db_file).warnings
    assert any("K02" in w.message and "K03" in w.message for w in en)
    done = importer.commit(feb, "feb.csv", user="ed", db_path=db_file)
    assert done.committed and any("K03" in w.message for w in done.warnings)


def test_no_missing_warning_when_every_department_of_last_month_is_there(db_file):
    _seed(db_file, "K01,心血管内科", "K02,呼吸内科")
    assert importer.commit(csv("2026-01,K01,心血管内科,93"), "jan.csv", user="ed", db_path=db_file).committed
    # A history file: each month compared with the one before it, in the file or the store.
    r = importer.preview(
        csv("2026-02,K01,心血管内科,94", "2026-03,K01,心血管内科,95", "2026-03,K02,呼吸内科,90"),
        "q1.csv",
        db_path=db_file,
    )
    assert r.ok and not r.warnings


def test_cli_json_lists_the_missing_departments_warning(db_file, tmp_path, capsys):
    import json

    from metrics.ops import cli

    _seed(db_file, "K01,心血管内科", "K02,呼吸内科")
    jan = csv("2026-01,K01,心血管内科,93", "2026-01,K02,呼吸内科,92")
    assert importer.commit(jan, "jan.csv", user="ed", db_path=db_file).committed
    f = tmp_path / "feb.csv"
    f.write_bytes(csv("2026-02,K01,心血管内科,94"))
    assert cli.main(["import", str(f), "--json", "--db", str(db_file)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["committed"] and any("K02 呼吸内科" in w["message"] for w in out["warnings"])


# --- 11.3 drug share, cost growth, consumables on department rows and on the 全院 row ------------------------


def test_hospital_metrics_are_accepted_on_department_rows_and_the_hospital_row(db_file):
    from metrics.rules import awards, periods

    _seed(db_file, "K01,心血管内科", "K02,呼吸内科")
    header = "月份,科室编码,科室名称,患者满意度,药占比,医疗费用增幅,百元医疗收入卫生材料消耗"
    data = csv(
        "2026-01,K01,心血管内科,93,35,4,18",
        "2026-01,K02,呼吸内科,92,25,,",
        "2026-01,全院,,,19,8,21",
        header=header,
    )
    r = importer.commit(data, "m.csv", user="ed", db_path=db_file)
    assert r.committed and not r.problems, r.problems
    with store.opened(db_file) as db:
        mv = store.metric_values(db)
        targets, defs = store.targets(db), store.metric_defs(db)
    got = {(x.dept_code, x.metric): x.value for x in mv.itertuples()}
    assert got[("K01", "drug_share")] == 35 and got[("K02", "drug_share")] == 25 and got[("HOSP", "drug_share")] == 19
    assert got[("K01", "consumables_per_100")] == 18 and ("K02", "cost_growth") not in got
    # The hospital's figure is its own 全院 row (19), never the departments' average (30).
    values = periods.period_values(mv, targets, defs, "month")
    hosp = periods.hospital_values(values, targets, defs)
    assert hosp.loc[hosp["metric"] == "drug_share", "value"].tolist() == [19.0]
    # The hospital's targets for these are the hospital's: a department's 35 % turns no light amber.
    lights = awards.traffic_lights(values, store_events(db_file), "month", "2026-01", ["K01", "K02"])
    assert lights.set_index("dept_code")["light"].to_dict() == {"K01": "green", "K02": "green"}


def store_events(db_file):
    with store.opened(db_file) as db:
        return store.events(db)


# --- 11.5 a rectification lasts 3 to 6 months (seed 004) ---------------------------------------------------

AWARDS = "科室编码,年度,状态,变更日期,整改截止"


def test_rectify_until_outside_three_to_six_months_is_refused_naming_the_allowed_dates(db_file):
    _seed(db_file, "K01,心血管内科")
    data = csv(
        "K01,2026,整改中,2026-01-15,2026-02-15",  # one month
        "K01,2025,整改中,2025-01-15,2026-01-15",  # twelve months
        "K01,2024,整改中,2024-01-15,2024-04-15",  # three months: allowed
        "K01,2023,整改中,2023-01-15,2023-07-15",  # six months: allowed
        header=AWARDS,
    )
    r = importer.preview(data, "a.csv", db_path=db_file)
    assert [(p.line, p.column, p.value) for p in r.problems] == [
        (2, "整改截止", "2026-02-15"),
        (3, "整改截止", "2026-01-15"),
    ]
    assert "2026-04-15" in r.problems[0].message and "2026-07-15" in r.problems[0].message
    en = importer.preview(data, "a.csv", lang="en", db_path=db_file).problems[1].message
    assert "2025-04-15" in en and "2025-07-15" in en
    assert not importer.commit(data, "a.csv", user="ed", db_path=db_file).committed


# --- 11.4 the hospital target is the floor, everywhere ---------------------------------------------------

TARGETS = "指标,科室编码,目标值,方向,生效月份"


def test_a_department_target_looser_than_the_hospitals_is_refused_naming_the_hospitals(db_file):
    _seed(db_file, "K01,心血管内科", "K02,呼吸内科")
    data = csv(
        "患者满意度,K01,85,≥,2026-01",  # hospital 90: looser
        "患者满意度,K02,92,≥,2026-01",  # stricter: fine
        header=TARGETS,
    )
    r = importer.preview(data, "t.csv", db_path=db_file)
    (p,) = r.problems
    assert (p.line, p.column, p.value) == (2, "目标值", "85") and "90" in p.message
    assert "90" in importer.preview(data, "t.csv", lang="en", db_path=db_file).problems[0].message
    assert not importer.commit(data, "t.csv", user="ed", db_path=db_file).committed
    # A hospital target raised in the same file is the floor for the department rows of that file.
    raised = csv("患者满意度,,93,≥,2026-01", "患者满意度,K02,92,≥,2026-01", header=TARGETS)
    (p,) = importer.preview(raised, "t.csv", db_path=db_file).problems
    assert p.line == 3 and "93" in p.message
    # Lower-is-better: a department's ceiling may not be above the hospital's.
    (p,) = importer.preview(
        csv("投诉件数,,5,≤,", "投诉件数,K01,8,≤,", header=TARGETS), "t.csv", db_path=db_file
    ).problems
    assert p.line == 3 and "5" in p.message
    # The range of the metric holds for targets too.
    (p,) = importer.preview(csv("患者满意度,K01,150,≥,", header=TARGETS), "t.csv", db_path=db_file).problems
    assert (p.line, p.value) == (2, "150")


def test_a_department_below_the_hospital_target_is_held_to_the_hospitals_in_lights_and_eligibility():
    import pandas as pd

    from metrics.rules import awards, periods
    from metrics.rules.targets import resolve_targets

    targets = pd.DataFrame(
        [
            ("patient_satisfaction", "", "2000-01", 90.0, ">="),
            ("patient_satisfaction", "K01", "2000-01", 85.0, ">="),  # stored before the rule: looser
            ("patient_satisfaction", "K02", "2000-01", 92.0, ">="),  # stricter: holds
            ("complaints", "", "2000-01", 5.0, "<="),
            ("complaints", "K01", "2000-01", 8.0, "<="),  # looser ceiling
        ],
        columns=["metric", "dept_code", "effective_from", "target", "direction"],
    )
    keys = pd.DataFrame(
        [
            ("K01", "2026-01", "patient_satisfaction"),
            ("K02", "2026-01", "patient_satisfaction"),
            ("K01", "2026-01", "complaints"),
        ],
        columns=["dept_code", "month", "metric"],
    )
    assert resolve_targets(targets, keys)["target"].tolist() == [90.0, 92.0, 5.0]
    mv = pd.DataFrame(
        [("K01", f"2026-{m:02d}", "patient_satisfaction", 87.0) for m in range(1, 13)],
        columns=["dept_code", "month", "metric", "value"],
    )
    year = periods.period_values(mv, targets, contract.METRICS, "year")
    empty_events = pd.DataFrame(columns=["event_id", "event_date", "dept_code", "kind", "indicator", "status"])
    status = pd.DataFrame(columns=["dept_code", "in_rectification", "rectify_until"])
    el = awards.eligibility(["K01"], empty_events, status, year, 2026, metric_defs=contract.METRICS)
    (reason,) = [r for r in el.iloc[0]["reasons"] if r["metric"] == "patient_satisfaction"]
    assert reason["code"] == "target_missed" and reason["target"] == 90.0
    lights = awards.traffic_lights(
        periods.period_values(mv, targets, contract.METRICS, "month"), empty_events, "month", "2026-01"
    )
    assert lights["light"].tolist() == ["amber"]
