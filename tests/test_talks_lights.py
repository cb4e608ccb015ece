"""A 提醒谈话 or 诫勉谈话 is the department's W02 warning in the period it was held (PRODUCT §10, §4.3): its light turns
amber, the profile and the events page list it as a talk (kind and number, never the person); a routine 廉政谈话
changes nothing."""

from __future__ import annotations

from datetime import date

from metrics import store
from metrics.ingest import importer
from metrics.views import ViewKey, department, events

DEPTS = "科室编码,科室名称,科室类别\nK01,心内科,临床\nK02,普外科,临床\n"
METRICS = "月份,科室编码,患者满意度\n" + "".join(f"2026-{m:02d},{d},95\n" for m in (4, 5, 6) for d in ("K01", "K02"))
HEAD = "谈话编号,谈话类型,科室编码,谈话对象,谈话日期,谈话人,整改回访期限,办结日期\n"
TODAY = date(2026, 7, 15)


def _key(path, **choices):
    with store.opened(path) as db:
        version = store.data_version(db)
    return ViewKey.of(str(path), version, "zh", grain="quarter", period="2026-Q2", today=TODAY, **choices)


def _store(path, talks: str):
    for data, name in ((DEPTS, "d.csv"), (METRICS, "m.csv"), (HEAD + talks, "t.csv")):
        assert importer.commit(data.encode(), name, db_path=path).committed


def test_a_reminder_talk_turns_a_green_department_amber_in_its_quarter(tmp_path, monkeypatch):
    path = tmp_path / "s.db"
    monkeypatch.setattr("metrics.clock.today", lambda: TODAY)
    _store(
        path,
        "谈〔2026〕7号,提醒谈话,K01,张某某,2026-05-12,纪委书记,,\n谈〔2026〕8号,廉政谈话,K02,李某某,2026-05-12,,,\n",
    )
    k01 = department.build(_key(path, dept="K01"))
    assert k01.light == "amber"
    listed = " ".join(k01.events["description"]) + " ".join(k01.records.astype(str).stack())
    assert "谈〔2026〕7号" in listed and "张某某" not in listed
    assert department.build(_key(path, dept="K02")).light == "green"  # a routine talk is no warning
    page = events.build(_key(path, depts="K01\nK02"))
    lights = dict(zip(page.lights["dept_code"], page.lights["light_label"], strict=True))
    assert lights["K01"] != lights["K02"] and lights["K02"] == department.build(_key(path, dept="K02")).light_text[4]
    assert "谈〔2026〕7号" in " ".join(page.events["description"].astype(str))
    assert "张某某" not in page.events.astype(str).to_string()


def test_an_admonishment_talk_is_a_warning_too(tmp_path, monkeypatch):
    path = tmp_path / "s.db"
    monkeypatch.setattr("metrics.clock.today", lambda: TODAY)
    _store(path, "谈〔2026〕9号,诫勉谈话,K02,王某某,2026-06-30,,,\n")
    assert department.build(_key(path, dept="K02")).light == "amber"
    assert department.build(_key(path, dept="K01")).light == "green"
