"""A file naming another hospital is refused before its rows are read: no message, suggestion or warning names
what that hospital holds (its departments, their codes, what reported last month). Every hint looks only at what
the user may read. Both stores."""

from __future__ import annotations

import csv
import io

import pytest

from metrics.ingest import importer
from metrics.ops import cli
from tests import test_hospitals
from tests.test_hospitals import A, B

group_db = test_hospitals.group_db  # three hospitals; a_ed edits A, a_vi views A, adm is admin (fixture)

STORES = ("sqlite", "postgresql")
pytestmark = pytest.mark.usefixtures("cheap_hashing")

SECRET_NAME, SECRET_CODE = "绝密X9科室", "A03"


def _csv(rows: list[list]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode("utf-8")


@pytest.fixture
def secret_b(group_db):
    """Hospital B holds a department only B's readers may know of."""
    dep = _csv([["医院编码", "科室编码", "科室名称"], [B, SECRET_CODE, SECRET_NAME]])
    assert importer.commit(dep, "d.csv", "departments", user="adm", hospital=B).committed
    return group_db


def _tasks_file(hospital: str) -> bytes:
    head = ["医院编码", "任务编号", "任务名称", "牵头科室", "责任科室", "完成时限"]
    return _csv([head, [hospital, "T1", "整改", "绝密X9", "A0", "2026-12-31"]])


def _metrics_file(hospital: str) -> bytes:
    return _csv([["医院编码", "月份", "科室编码", "患者满意度"], [hospital, "2026-11", "A0", 91]])


def _said(report) -> str:
    return "\n".join(p.message for p in (*report.problems, *report.warnings))


@pytest.mark.parametrize("make", [_tasks_file, _metrics_file])
def test_an_editors_preview_of_another_hospitals_file_names_nothing_that_hospital_holds(secret_b, make):
    report = importer.preview(make(B), "f.csv", lang="zh", hospital=A, user="a_ed")
    said = _said(report)
    assert "“H02”的写入权限" in said and not report.can_commit()
    assert SECRET_NAME not in said and SECRET_CODE not in said and "K01" not in said
    assert all(p.column == "医院编码" for p in report.problems), said  # the hospital only: the rows were not read
    assert report.changes.empty


def test_a_viewers_dry_run_of_another_hospitals_file_is_refused_naming_nothing_of_it(secret_b, tmp_path, capsys):
    f = tmp_path / "t.csv"
    f.write_bytes(_tasks_file(B))
    code = cli.main(["import", str(f), "--dry-run", "--hospital", A, "--user", "a_vi"])
    out = capsys.readouterr()
    said = out.out + out.err
    assert code != 0 and "H02" in said
    assert SECRET_NAME not in said and SECRET_CODE not in said


def test_a_viewers_dry_run_of_its_own_hospitals_file_previews_it(secret_b, tmp_path, capsys):
    """A preview writes nothing: a viewer may preview a file of a hospital it reads (it is told what it holds)."""
    f = tmp_path / "m.csv"
    f.write_bytes(_csv([["医院编码", "月份", "科室编码", "患者满意度"], [A, "2026-11", "K01", 91]]))
    assert cli.main(["import", str(f), "--dry-run", "--hospital", A, "--user", "a_vi"]) == 0
    assert "写入权限" not in capsys.readouterr().out


def test_an_unknown_or_missing_hospital_is_refused_before_the_rows_too(secret_b):
    for cell in ("H09", ""):
        report = importer.preview(_tasks_file(cell), "f.csv", lang="zh", hospital="", user="adm")
        said = _said(report)
        assert not report.can_commit() and SECRET_NAME not in said and SECRET_CODE not in said, said
        assert all(p.column == "医院编码" for p in report.problems), said
