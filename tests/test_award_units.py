"""Award units beyond departments (PRODUCT §10): people (清廉医护) and posts (清廉示范岗) are a kind like every other
(template, upload, CLI, both stores, bad rows refused in Chinese by line and column, names exported to editors only);
their award changes follow the department's §4.1 lifecycle through the same rules; a confirmed veto naming a person
voids that person's title."""

from __future__ import annotations

from datetime import date

import pandas as pd

from metrics import contract, store
from metrics.ingest import export, importer
from metrics.ops import cli
from metrics.rules import awards

DEPTS = "科室编码,科室名称,科室类别\nK01,心内科,临床\nK02,普外科,临床\n"
UNITS = "单元编码,单元类型,名称,科室编码,推荐来源\n"
CHANGES = "单元编码,年度,状态,变更日期,整改截止,备注\n"


def _units(path, hospital=""):
    with store.opened(path) as db:
        return store.award_units(db, hospital), store.unit_award_changes(db, hospital)


def test_units_and_their_awards_are_kinds_of_the_registry():
    u, a = contract.KINDS["units"], contract.KINDS["unit_awards"]
    assert u.personal and u.scope == "hospital" and u.key == ("hospital_code", "unit_code")
    assert a.key == ("hospital_code", "unit_code", "year", "status", "changed_on") and not a.personal
    assert u.write < a.write  # a unit is written before the changes that name it


def test_written_through_file_rows_and_cli_and_the_lifecycle_of_a_department(db_file, tmp_path):
    assert importer.commit(DEPTS.encode(), "d.csv", db_path=db_file).committed
    good = (
        UNITS + "000123,清廉医护,张某某,K01,十佳医生\nG01,清廉示范岗,门诊收费窗口,普外科,窗口\nG02,post,导医台,K02,\n"
    )
    assert importer.commit(good.encode(), "u.csv", db_path=db_file).committed
    f = tmp_path / "ua.csv"
    f.write_text(CHANGES + "000123,2026,已申报,2026-03-01,,\nG01,2026,已授牌,2026-06-01,,\n", encoding="utf-8-sig")
    assert cli.main(["import", str(f), "--kind", "unit_awards", "--db", str(db_file)]) == 0
    rows = [dict(unit_code="G02", year=2026, status="整改中", changed_on="2026-05-01", rectify_until="2026-09-01")]
    assert importer.commit_rows("unit_awards", rows, source="edit", db_path=db_file).committed
    units, changes = _units(db_file)
    assert set(zip(units["unit_code"], units["unit_type"], units["dept_code"], units["source"].fillna(""))) == {
        ("000123", "person", "K01", "top_doctor"),
        ("G01", "post", "K02", "window"),
        ("G02", "post", "K02", ""),
    }
    st = awards.unit_status(units, changes, pd.DataFrame(columns=["status", "kind"]), date(2026, 7, 1))
    assert dict(zip(st["unit_code"], st["status"])) == {"000123": "applied", "G01": "awarded", "G02": "rectifying"}


def test_refused_by_line_and_column_in_chinese_and_nothing_written(db_file):
    assert importer.commit(DEPTS.encode(), "d.csv", db_path=db_file).committed
    bad = UNITS + (
        "000123,清廉医护,张某某,K01,十佳医生\n"
        "000124,清廉医护,李某某,K01,窗口\n"
        "000125,清廉科室,王某某,K01,\n"
        "G01,清廉示范岗,,K99,技术尖兵\n"
        "000123,清廉医护,赵某某,K02,医护之星\n"
    )
    r = importer.commit(bad.encode(), "u.csv", db_path=db_file)
    assert not r.committed
    assert sorted((p.line, p.column) for p in r.problems) == [
        (3, "推荐来源"),
        (4, "单元类型"),
        (5, "名称"),
        (5, "科室编码"),
        (6, "单元编码"),
    ]
    messages = {p.line: p.message for p in r.problems}
    assert messages[3] == "清廉医护的推荐来源只能是：十佳医生、十佳护士、医护之星。"
    assert "清廉医护、清廉示范岗" in messages[4]
    assert _units(db_file)[0].empty
    assert importer.commit(
        (UNITS + "000123,清廉医护,张某某,K01,十佳医生\n").encode(), "u.csv", db_path=db_file
    ).committed
    wrong = CHANGES + "000123,2026,已申报,2026-03-01,,\nX9,2026,已申报,2026-03-01,,\n000123,2026,整改中,2026-04-01,,\n"
    r = importer.commit(wrong.encode(), "ua.csv", db_path=db_file)
    assert not r.committed
    assert sorted((p.line, p.column) for p in r.problems) == [(3, "单元编码"), (4, "整改截止")]
    assert "本院没有编码为「X9」的清廉医护或示范岗" in {p.line: p.message for p in r.problems}[3]
    assert _units(db_file)[1].empty


def test_a_confirmed_veto_naming_a_person_voids_their_title_only():
    units = pd.DataFrame(
        [
            dict(unit_code="000123", unit_type="person", name="张某某", dept_code="K01", source="top_doctor"),
            dict(unit_code="000124", unit_type="person", name="李某某", dept_code="K01", source="top_nurse"),
            dict(unit_code="G01", unit_type="post", name="窗口", dept_code="K01", source="window"),
        ]
    )
    changes = pd.DataFrame(
        [
            dict(unit_code=c, year=2026, status="awarded", changed_on="2026-03-01", rectify_until=None, note=None)
            for c in ("000123", "000124", "G01")
        ]
    )
    veto = dict(event_id="E1", event_date="2026-05-10", dept_code="K01", kind="veto", indicator="V04")
    events = pd.DataFrame(
        [
            veto | dict(person="000123", status="confirmed"),
            veto | dict(event_id="E0", event_date="2026-02-01", person="000124", status="confirmed"),  # before
            veto | dict(event_id="E2", person="000124", status="pending"),  # not confirmed
        ]
    )
    before = awards.unit_status(units, changes, events, date(2026, 5, 1))
    assert set(before["status"]) == {"awarded"}
    st = awards.unit_status(units, changes, events, date(2026, 6, 1)).set_index("unit_code")
    assert st.loc["000123", "status"] == "revoked" and st.loc["000123", "voided_by"] == "E1"
    assert st.loc["000124", "status"] == "awarded" and st.loc["G01", "status"] == "awarded"


def test_the_template_and_the_export_to_editors_only_audited(db_file, tmp_path):
    template = export.template_bytes("units", "csv").decode("utf-8-sig")
    assert template.splitlines()[0] == UNITS.strip()
    assert export.template_bytes("unit_awards", "xlsx")[:2] == b"PK"
    assert importer.commit(DEPTS.encode(), "d.csv").committed
    assert importer.commit(template.encode(), "u.csv", user="ed").committed
    hidden = {p.name for p in export.export_all(tmp_path / "viewer", user="vi", personal=False)}
    assert "award_units.csv" not in hidden
    assert "张某某" not in (tmp_path / "viewer" / "audit.csv").read_text("utf-8-sig")
    shown = {p.name for p in export.export_all(tmp_path / "editor", user="ed")}
    assert "award_units.csv" in shown and "张某某" in (tmp_path / "editor" / "award_units.csv").read_text("utf-8-sig")


EVENTS = "发生日期,科室编码,类型,指标,状态,事件编号,涉及人员工号,涉及岗位\n"


def test_an_event_names_a_person_or_a_post_of_the_hospital_and_a_veto_voids_the_title(db_file):
    assert importer.commit(DEPTS.encode(), "d.csv", db_path=db_file).committed
    good = UNITS + "000123,清廉医护,张某某,K01,十佳医生\nG01,清廉示范岗,门诊收费窗口,K02,窗口\n"
    assert importer.commit(good.encode(), "u.csv", db_path=db_file).committed
    awarded = CHANGES + "000123,2026,已授牌,2026-03-01,,\nG01,2026,已授牌,2026-03-01,,\n"
    assert importer.commit(awarded.encode(), "ua.csv", db_path=db_file).committed
    bad = EVENTS + "2026-05-10,K01,否决,V04,已认定,E1,G01,\n2026-05-11,K02,否决,V04,已认定,E2,,000123\n"
    r = importer.commit(bad.encode(), "e.csv", db_path=db_file)
    assert not r.committed
    assert sorted((p.line, p.column) for p in r.problems) == [(2, "涉及人员工号"), (3, "涉及岗位")]
    assert "本院清廉医护中没有工号为「G01」的人员" in r.problems[0].message
    good = EVENTS + "2026-05-10,K01,否决,V04,已认定,E1,000123,\n2026-05-11,K02,警示,W01,已认定,E2,,G01\n"
    assert importer.commit(good.encode(), "e.csv", db_path=db_file).committed
    with store.opened(db_file) as db:
        events = store.events(db)
        units, changes = store.award_units(db), store.unit_award_changes(db)
    assert dict(zip(events["event_id"], events["person"].fillna(""))) == {"E1": "000123", "E2": ""}
    assert events.set_index("event_id").loc["E2", "post"] == "G01"
    st = awards.unit_status(units, changes, events, date(2026, 6, 1)).set_index("unit_code")
    assert st.loc["000123", "status"] == "revoked" and st.loc["000123", "voided_by"] == "E1"
    assert st.loc["G01", "status"] == "awarded"  # a warning voids nothing
