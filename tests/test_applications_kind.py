"""The applications kind (PRODUCT §10, seed 004 附件 2 申报表): declared in the registry like every kind, one way in
(upload, rows, CLI); the party members' share computed and a given one checked against the counts; the reviewing
steps in order; bad input refused in Chinese by line and column with nothing written; each hospital's its own."""

from __future__ import annotations

import json

from metrics import contract, store
from metrics.ingest import export, importer
from metrics.ops import cli

DEPTS = "科室编码,科室名称,科室类别\nK01,心内科,临床\nK02,普外科,临床\n"
HEAD = (
    "年度,申报科室,申报时间,职工人数,中共党员,党员占比,科室资料目录,党支部意见,党支部意见日期,"
    "工作小组审核意见,工作小组审核日期,医院党委意见,医院党委意见日期\n"
)
GOOD = "2027,K01,2027-03-01,40,18,45%,风险点清单；活动记录,同意申报,2027-03-08,同意,2027-03-20,,\n"


def _apps(path, hospital="", year=None):
    with store.opened(path) as db:
        return store.applications(db, hospital, year)


def test_applications_are_a_hospital_kind_of_the_registry_with_their_template():
    k = contract.KINDS["applications"]
    assert k.scope == "hospital" and k.table == "applications" and k.key == ("hospital_code", "year", "dept_code")
    assert not k.personal  # the signatures stay on paper
    csv = export.template_bytes("applications", "csv")
    assert csv.startswith(b"\xef\xbb\xbf") and csv.decode("utf-8-sig").splitlines()[0] == HEAD.strip()
    for fmt in ("csv", "xlsx"):
        assert importer.preview(export.template_bytes("applications", fmt), f"t.{fmt}").kind == "applications"


def test_stored_with_the_share_computed_and_the_department_by_name(db_file):
    assert importer.commit(DEPTS.encode(), "d.csv", db_path=db_file).committed
    rows = HEAD + GOOD.replace("45%", "") + "2027,普外科,2027-03-02,30,10,33,,,,,,,\n"
    r = importer.commit(rows.encode(), "a.csv", db_path=db_file)
    assert r.committed, r.problems
    got = _apps(db_file, year=2027)
    assert got[["dept_code", "staff_count", "party_members", "party_share"]].values.tolist() == [
        ["K01", 40, 18, 45.0],
        ["K02", 30, 10, 33.3],
    ]
    k01 = got.iloc[0]
    assert (k01["branch_on"], k01["group_on"], k01["committee_on"]) == ("2027-03-08", "2027-03-20", None)
    assert k01["materials"] == "风险点清单；活动记录"  # free text kept as written (full-width punctuation too)


def test_refused_by_line_and_column_in_chinese_and_nothing_written(db_file):
    assert importer.commit(DEPTS.encode(), "d.csv", db_path=db_file).committed
    bad = (
        HEAD
        + GOOD
        + "2027,K02,2027-03-01,10,12,,,,,,,,\n"  # more members than staff
        + "2026,K02,2026-03-01,40,18,60,,,,,,,\n"  # the share does not match 45.0
        + "2025,K02,2025-03-01,40,18,,,同意,2025-02-20,,,,\n"  # the branch before the application
        + "2024,K02,2024-03-01,40,18,,,,,同意,2024-03-10,,\n"  # the group without the branch
        + "2023,K09,2023-03-01,,18,,,,,,,,\n"  # unknown department, no staff count
        + "2027,K01,2027-03-02,40,18,,,,,,,,\n"  # K01 of 2027 twice
    )
    r = importer.commit(bad.encode(), "a.csv", db_path=db_file)
    assert not r.committed
    got = sorted((p.line, p.column) for p in r.problems)
    assert got == sorted(
        [
            (3, "中共党员"),
            (4, "党员占比"),
            (5, "党支部意见日期"),
            (6, "工作小组审核日期"),
            (7, "申报科室"),
            (7, "职工人数"),
            (8, "申报科室"),
        ]
    )
    msg = {p.line: p.message for p in r.problems}
    assert "超过职工人数" in msg[3] and "45.0%" in msg[4] and "申报时间" in msg[5] and "党支部意见日期" in msg[6]
    assert _apps(db_file).empty


def test_rows_go_through_the_same_validator(db_file):
    assert importer.commit(DEPTS.encode(), "d.csv", db_path=db_file).committed
    row = dict(year=2027, dept_code="K01", applied_on="2027-03-01", staff_count=10, party_members=11)
    r = importer.commit_rows("applications", [row], source="edit", db_path=db_file)
    assert not r.committed and "超过职工人数" in r.problems[0].message
    assert _apps(db_file).empty


def test_cli_import_kind_applications(db_file, tmp_path, capsys):
    assert importer.commit(DEPTS.encode(), "d.csv", db_path=db_file).committed
    f = tmp_path / "a.csv"
    f.write_bytes((HEAD + GOOD).encode("utf-8-sig"))
    code = cli.main(["import", str(f), "--kind", "applications", "--json", "--db", str(db_file)])
    rep = json.loads(capsys.readouterr().out)
    assert code == 0 and rep["kind"] == "applications" and rep["counts"]["new"] == 1
    assert _apps(db_file)["dept_code"].tolist() == ["K01"]


def test_each_hospital_keeps_its_own_applications(db_file):
    hosp = "医院编码,医院名称\nH01,第一医院\nH02,第二医院\n"
    assert importer.commit(hosp.encode(), "h.csv", db_path=db_file).committed
    for h in ("H01", "H02"):
        assert importer.commit(DEPTS.encode(), "d.csv", db_path=db_file, hospital=h).committed
    assert importer.commit((HEAD + GOOD).encode(), "a.csv", db_path=db_file, hospital="H01").committed
    assert _apps(db_file, "H01")["dept_code"].tolist() == ["K01"]
    assert _apps(db_file, "H02").empty
