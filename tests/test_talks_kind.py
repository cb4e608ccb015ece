"""The talks kind (PRODUCT §10): declared in the registry like every kind, one way in (upload, CLI, rows); bad input
refused in Chinese by line and column with nothing written; personal data (the person's name): exported to editors
only, every export audited; each hospital sees its own."""

from __future__ import annotations

import json

from metrics import contract, store
from metrics.ingest import export, importer
from metrics.ops import cli

DEPTS = "科室编码,科室名称,科室类别\nK01,心内科,临床\nK02,普外科,临床\n"
HEAD = "谈话编号,谈话类型,科室编码,谈话对象,谈话日期,谈话人,整改回访期限,办结日期\n"


def _stored(path, hospital=""):
    with store.opened(path) as db:
        return store.talks(db, hospital)


def test_talks_are_a_personal_kind_of_the_registry():
    k = contract.KINDS["talks"]
    assert k.personal and k.scope == "hospital" and k.table == "talks"
    assert k.key == ("hospital_code", "talk_no")
    assert [c.name for c in k.columns if c.required] == ["talk_no", "kind", "dept_code", "held_on"]


def test_refused_by_line_and_column_in_chinese_and_nothing_written(db_file):
    assert importer.commit(DEPTS.encode(), "d.csv", db_path=db_file).committed
    bad = HEAD + (
        "谈〔2026〕1号,提醒谈话,K01,张某某,2026-03-10,纪委书记,2026-04-10,\n"
        "谈〔2026〕2号,批评谈话,K01,李某某,2026-03-11,,,\n"
        "谈〔2026〕3号,廉政谈话,K99,,2026-03-12,,,\n"
        "谈〔2026〕4号,诫勉谈话,K02,王某某,2026-13-40,,,\n"
        "谈〔2026〕5号,诫勉谈话,K02,王某某,2026-05-10,,2026-05-01,\n"
        "谈〔2026〕6号,提醒谈话,K02,,2026-05-10,,2026-06-01,2026-05-09\n"
        "谈〔2026〕1号,廉政谈话,K02,,2026-05-10,,,\n"
        ",廉政谈话,K02,,,,,\n"
    )
    r = importer.commit(bad.encode(), "t.csv", db_path=db_file)
    assert not r.committed
    got = [(p.line, p.column) for p in r.problems]
    assert sorted(got) == [
        (3, "谈话类型"),
        (4, "科室编码"),
        (5, "谈话日期"),
        (6, "整改回访期限"),
        (7, "办结日期"),
        (8, "谈话编号"),
        (9, "谈话日期"),
        (9, "谈话编号"),
    ]
    messages = {p.line: p.message for p in r.problems}
    assert "廉政谈话、提醒谈话、诫勉谈话" in messages[3]
    assert "不在科室名录中" in messages[4]
    assert messages[6] == "整改回访期限早于谈话日期 2026-05-10。"
    assert messages[7] == "办结日期早于谈话日期 2026-05-10。"
    assert _stored(db_file).empty  # the good first row is not written either


def test_written_with_chinese_and_english_kinds_through_file_rows_and_cli(db_file, tmp_path):
    assert importer.commit(DEPTS.encode(), "d.csv", db_path=db_file).committed
    good = HEAD + (
        "谈〔2026〕1号,提醒谈话,K01,张某某,2026-03-10,纪委书记,2026-04-10,\n"
        "谈〔2026〕2号,admonition,普外科,李某某,2026/3/11,,,\n"
        "谈〔2026〕3号,廉政谈话,K02,,2026-03-12,,,\n"
    )
    assert importer.commit(good.encode(), "t.csv", db_path=db_file).committed
    rows = importer.commit_rows(
        "talks",
        [dict(talk_no="谈〔2026〕4号", kind="诫勉", dept_code="K01", held_on="2026-04-01")],
        source="edit",
        db_path=db_file,
    )
    assert rows.committed
    f = tmp_path / "talks.csv"
    f.write_text(HEAD + "谈〔2026〕5号,约谈提醒,K02,赵某某,2026-05-06,,2026-06-06,2026-06-01\n", encoding="utf-8-sig")
    assert cli.main(["import", str(f), "--kind", "talks", "--db", str(db_file)]) == 0
    got = _stored(db_file)
    assert list(zip(got["talk_no"], got["kind"], got["dept_code"], got["held_on"], strict=True)) == [
        ("谈〔2026〕1号", "reminder", "K01", "2026-03-10"),
        ("谈〔2026〕2号", "admonition", "K02", "2026-03-11"),
        ("谈〔2026〕3号", "routine", "K02", "2026-03-12"),
        ("谈〔2026〕4号", "admonition", "K01", "2026-04-01"),
        ("谈〔2026〕5号", "reminder", "K02", "2026-05-06"),
    ]
    assert got.loc[0, "by"] == "纪委书记" and got.loc[4, "closed_on"] == "2026-06-01"


def test_the_template_and_the_export_to_editors_only_audited(db_file, tmp_path):
    template = export.template_bytes("talks", "csv").decode("utf-8-sig")
    assert template.splitlines()[0] == HEAD.strip()
    assert export.template_bytes("talks", "xlsx")[:2] == b"PK"
    assert importer.commit(DEPTS.encode(), "d.csv").committed
    assert importer.commit(template.encode(), "t.csv", user="ed").committed
    hidden = {p.name for p in export.export_all(tmp_path / "viewer", user="vi", personal=False)}
    assert "talks.csv" not in hidden
    audit = (tmp_path / "viewer" / "audit.csv").read_text("utf-8-sig")
    assert "张某某" not in audit  # the upload's record keeps only a count
    shown = {p.name for p in export.export_all(tmp_path / "editor", user="ed")}
    assert "talks.csv" in shown and "张某某" in (tmp_path / "editor" / "talks.csv").read_text("utf-8-sig")
    with store.opened(db_file) as db:
        entries = store.audit_entries(db)
    exported = entries[entries["action"] == "talks_export"]
    assert len(exported) == 1 and json.loads(exported.iloc[0]["detail"])["rows"] == 1


def test_an_edited_talk_keeps_its_person_out_of_a_viewers_audit_export(db_file, tmp_path):
    assert importer.commit(DEPTS.encode(), "d.csv").committed
    row = dict(talk_no="谈1", kind="reminder", dept_code="K01", person="钱某某", held_on="2026-03-10")
    assert importer.commit_rows("talks", [row], source="edit", user="ed", action="edit").committed
    export.export_all(tmp_path / "viewer", user="vi", personal=False)
    audit = (tmp_path / "viewer" / "audit.csv").read_text("utf-8-sig")
    assert "钱某某" not in audit and "talk_rows" in audit
    export.export_all(tmp_path / "editor", user="ed")
    assert "钱某某" in (tmp_path / "editor" / "audit.csv").read_text("utf-8-sig")


def test_each_hospital_sees_its_own_talks(db_file):
    hospitals = "医院编码,医院名称\nH01,第一医院\nH02,第二医院\n"
    assert importer.commit(hospitals.encode(), "h.csv", db_path=db_file).committed
    for h in ("H01", "H02"):
        assert importer.commit(DEPTS.encode(), f"d{h}.csv", db_path=db_file, hospital=h).committed
    talk = HEAD + "谈〔2026〕1号,提醒谈话,K01,张某某,2026-03-10,,,\n"
    assert importer.commit(talk.encode(), "t.csv", db_path=db_file, hospital="H01").committed
    assert list(_stored(db_file, "H01")["talk_no"]) == ["谈〔2026〕1号"]
    assert _stored(db_file, "H02").empty
