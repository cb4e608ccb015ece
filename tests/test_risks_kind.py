"""The risks kind (PRODUCT §10, 廉洁风险点清单): declared in the registry like every kind, one way in (upload, rows, CLI,
demo); bad input refused in Chinese by line and column with nothing written; each hospital's register its own."""

from __future__ import annotations

import json

from metrics import contract, store
from metrics.ingest import export, importer
from metrics.ops import cli

DEPTS = "科室编码,科室名称,科室类别\nK01,心内科,临床\nK02,普外科,临床\nK30,采购中心,职能\n"
HEAD = "风险点编号,单元,招采环节,风险点,风险等级,防控措施,责任人或科室,复核期限,状态\n"


def _risks(path, hospital=""):
    with store.opened(path) as db:
        return store.risks(db, hospital)


def test_risks_are_a_hospital_kind_of_the_registry_with_their_template():
    k = contract.KINDS["risks"]
    assert k.scope == "hospital" and k.table == "risks" and k.key == ("hospital_code", "risk_code")
    assert not k.personal
    csv = export.template_bytes("risks", "csv")
    assert csv.startswith(b"\xef\xbb\xbf")
    assert csv.decode("utf-8-sig").splitlines()[0] == HEAD.strip()
    for fmt in ("csv", "xlsx"):
        assert importer.preview(export.template_bytes("risks", fmt), f"t.{fmt}").kind == "risks"


def test_refused_by_line_and_column_in_chinese_and_nothing_written(db_file):
    assert importer.commit(DEPTS.encode(), "d.csv", db_path=db_file).committed
    bad = (
        HEAD + "FX-1,K01,,收受回扣,高,预约接待登记,K01,2027-06-30,在控\n"
        "FX-2,K02,,处方外流,极高,,K02,2027-06-30,在控\n"
        "FX-3,招标采购,报价,围标串标,中,,采购中心,2027-13-01,失控\n"
        "FX-1,K02,,重复编号,低,,K02,,\n"
        "FX-5,,,,低,,,,\n"
        "FX-6,K01,,状态不明,低,,K01,,失守\n"
    )
    r = importer.commit(bad.encode(), "r.csv", db_path=db_file)
    assert not r.committed
    got = sorted((p.line, p.column) for p in r.problems)
    assert got == [
        (3, "风险等级"),
        (4, "复核期限"),
        (4, "招采环节"),
        (5, "风险点编号"),
        (6, "单元"),
        (6, "责任人或科室"),
        (6, "风险点"),
        (7, "状态"),
    ]
    level = next(p for p in r.problems if p.column == "风险等级")
    assert (
        "高" in level.message and "中" in level.message and "低" in level.message and "不是允许的取值" in level.message
    )
    assert _risks(db_file).empty


def test_stored_with_departments_as_codes_stages_as_codes_and_rows_through_the_same_validator(db_file):
    assert importer.commit(DEPTS.encode(), "d.csv", db_path=db_file).committed
    good = (
        HEAD + "FX-1,心内科,,收受回扣,高,预约接待登记,心内科,2027-06-30,在控\n"
        "FX-2,招标采购,,围标串标,中风险,专家随机抽取,采购中心,2027-03-31,失控\n"
        "FX-3,药房窗口,,违规代开,低,,张某某,,\n"
    )
    r = importer.commit(good.encode(), "r.csv", db_path=db_file)
    assert r.committed, r.problems
    got = _risks(db_file)
    assert got[["risk_code", "unit", "stage", "level", "owner", "status"]].fillna("—").values.tolist() == [
        ["FX-1", "K01", "—", "high", "K01", "controlled"],
        ["FX-2", "招标采购", "tender", "medium", "K30", "uncontrolled"],
        ["FX-3", "药房窗口", "—", "low", "张某某", "controlled"],
    ]
    r = importer.commit_rows(
        "risks",
        [dict(risk_code="FX-9", unit="K01", risk="x", level="极高", owner="K01")],
        source="edit",
        db_path=db_file,
    )
    assert not r.committed and r.problems[0].message.startswith("不是允许的取值")
    assert len(_risks(db_file)) == 3


def test_cli_import_kind_risks(db_file, tmp_path, capsys):
    assert importer.commit(DEPTS.encode(), "d.csv", db_path=db_file).committed
    f = tmp_path / "r.csv"
    f.write_bytes((HEAD + "FX-1,K01,,收受回扣,高,预约接待登记,K01,2027-06-30,在控\n").encode("utf-8-sig"))
    code = cli.main(["import", str(f), "--kind", "risks", "--json", "--db", str(db_file)])
    rep = json.loads(capsys.readouterr().out)
    assert code == 0 and rep["kind"] == "risks" and rep["counts"]["new"] == 1
    assert _risks(db_file)["risk_code"].tolist() == ["FX-1"]


def test_each_hospital_keeps_its_own_register(db_file):
    hosp = "医院编码,医院名称\nH01,第一医院\nH02,第二医院\n"
    assert importer.commit(hosp.encode(), "h.csv", db_path=db_file).committed
    for h in ("H01", "H02"):
        assert importer.commit(DEPTS.encode(), "d.csv", db_path=db_file, hospital=h).committed
    row = "FX-1,K01,,收受回扣,高,预约接待登记,K01,2027-06-30,在控\n"
    assert importer.commit((HEAD + row).encode(), "r.csv", db_path=db_file, hospital="H01").committed
    assert _risks(db_file, "H01")["risk_code"].tolist() == ["FX-1"]
    assert _risks(db_file, "H02").empty
    # a row naming the other hospital in its own column goes there, never to the upload's
    other = HEAD.strip() + ",医院编码\n" + row.strip() + ",H02\n"
    assert importer.commit(other.encode(), "r2.csv", db_path=db_file, hospital="H01").committed
    assert _risks(db_file, "H02")["risk_code"].tolist() == ["FX-1"]
    assert len(_risks(db_file, "H01")) == 1
