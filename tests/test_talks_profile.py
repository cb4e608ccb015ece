"""The department profile lists its talks (PRODUCT §10): number, kind, day held and follow-up state; the person only
for an editor or admin (personal data), never in a viewer's view."""

from __future__ import annotations

from datetime import date

from metrics import store
from metrics.ingest import importer
from metrics.views import ViewKey, department

DEPTS = "科室编码,科室名称,科室类别\nK01,心内科,临床\n"
METRICS = "月份,科室编码,患者满意度\n2026-10,K01,95\n"
TALKS = (
    "谈话编号,谈话类型,科室编码,谈话对象,谈话日期,整改回访期限,办结日期\n"
    "谈1,提醒谈话,K01,张某某,2026-10-09,2026-11-30,\n"
    "谈2,廉政谈话,K01,李某某,2026-10-12,,\n"
    "谈3,诫勉谈话,K01,王某某,2026-11-02,2026-12-31,2026-11-20\n"
)


def test_the_profile_lists_talks_and_names_the_person_to_editors_only(tmp_path):
    path = tmp_path / "s.db"
    for data, name in ((DEPTS, "d.csv"), (METRICS, "m.csv"), (TALKS, "t.csv")):
        assert importer.commit(data.encode(), name, db_path=path).committed
    with store.opened(path) as db:
        version = store.data_version(db)

    def view(personal: bool):
        key = ViewKey.of(str(path), version, "zh", dept="K01", grain="month", period="2026-10",
                         today=date(2026, 12, 7), personal=personal)  # fmt: skip
        return department.build(key)

    viewer = view(False)
    rows = viewer.talks.to_dict("records")
    assert [(r["talk_no"], r["kind"], r["state"]) for r in rows] == [
        ("谈3", "诫勉谈话", "● 已办结"),
        ("谈2", "廉政谈话", "— 无需回访"),
        ("谈1", "提醒谈话", "■ 逾期"),
    ]
    assert "person" not in viewer.talks.columns and "person" not in viewer.talk_headers
    assert "张某某" not in viewer.talks.to_string()
    editor = view(True)
    assert list(editor.talks["person"]) == ["王某某", "李某某", "张某某"]
    assert editor.talk_headers["person"] == "谈话对象"
