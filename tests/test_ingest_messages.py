"""Messages say what the user knows: a column missing from the file by the name it has in the template (医院编码,
not hospital_code); an unknown metric with nothing close says so, never 「—」."""

from __future__ import annotations

import pytest

from metrics.ingest import importer
from tests import test_hospitals

group_db = test_hospitals.group_db  # three hospitals and their accounts (fixture)

pytestmark = pytest.mark.usefixtures("cheap_hashing")


def test_a_group_stores_file_without_a_hospital_column_names_it_as_the_user_knows_it(group_db):
    f = "月份,科室编码,患者满意度\n2026-11,K01,91\n".encode()
    zh = importer.preview(f, "f.csv", "metrics", lang="zh", hospital="", user="adm")
    assert [p.column for p in zh.problems] == ["医院编码"]
    assert all("hospital_code" not in p.message for p in zh.problems)


@pytest.mark.parametrize(
    "kind,head,row",
    [
        ("tasks", "任务编号,任务名称,牵头科室,完成时限,关联指标", "T1,整改,K01,2026-12-31,zzzzqqq"),
        ("targets", "指标,科室编码,目标值,方向,生效月份", "zzzzqqq,K01,90,>=,2026-01"),
    ],
    ids=["tasks", "targets"],
)
def test_an_unknown_metric_with_nothing_close_says_there_is_none(group_db, kind, head, row):
    f = f"{head}\n{row}\n".encode()
    for lang in ("zh", "en"):
        report = importer.preview(f, "f.csv", kind, lang=lang, hospital="H01", user="adm")
        said = [p.message for p in report.problems if p.value == "zzzzqqq"]
        assert said and not any("—" in m for m in said), said
