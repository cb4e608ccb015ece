"""Risk reviews have deadlines too (PRODUCT §11, §10): a review past its 复核期限 is overdue, one past half its working
days (from 1 January of its deadline's year, as the year's plan) is due soon; `remind` sends a department's contact
its own risk reviews, never another department's nor an eliminated risk's."""

from __future__ import annotations

from datetime import date

import pandas as pd

from metrics import store
from metrics.ingest import importer
from metrics.ops import remind
from metrics.rules import due

AS_OF = date(2026, 12, 7)  # a Monday
DEPTS = "科室编码,科室名称,科室类别\nK01,心内科,临床\nK02,普外科,临床\n"
CONTACTS = "联系人类型,科室编码,姓名,邮箱\n科室负责人,K01,李四,k01@example.org\n科室负责人,K02,赵六,k02@example.org\n"
RISKS = (
    "风险点编号,单元,风险点,风险等级,防控措施,责任人或科室,复核期限,状态\n"
    "R-LATE,K01,收受回扣,高,预约接待登记,K01,2026-11-30,在控\n"
    "R-SOON,招标采购,围标串标,中,专家随机抽取,心内科,2026-12-31,在控\n"
    "R-LATER,K01,处方外流,低,处方点评,K01,2027-10-31,在控\n"
    "R-GONE,K01,已整改事项,低,,K01,2026-01-31,已消除\n"
    "R-K02,K02,耗材回扣,中,耗材排名,K02,2026-11-01,失控\n"
)


def test_risk_reviews_are_items_with_deadlines():
    risks = pd.DataFrame(
        [
            ("R-LATE", "K01", "收受回扣", "K01", "2026-11-30", "controlled"),
            ("R-SOON", "招标采购", "围标串标", "K01", "2026-12-31", "controlled"),
            ("R-LATER", "K01", "处方外流", "K01", "2027-10-31", "controlled"),
            ("R-GONE", "K01", "已整改事项", "K01", "2026-01-31", "eliminated"),
            ("R-NONE", "K01", "未定复核期限", "K01", None, "controlled"),
        ],
        columns=["risk_code", "unit", "risk", "owner", "review_due", "status"],
    )
    got = due.items(pd.DataFrame(), pd.DataFrame(), AS_OF, risks=risks).set_index("key")
    assert got["state"].to_dict() == {"R-LATE": "overdue", "R-SOON": "due_soon", "R-LATER": "open"}
    assert got.at["R-LATE", "days_overdue"] == 7 and set(got["kind"]) == {"risk"}
    assert got.at["R-SOON", "dept_code"] == "K01" and got.at["R-SOON", "title"] == "围标串标"
    assert due.items(pd.DataFrame(), pd.DataFrame(), AS_OF).empty  # no register: nothing


def test_remind_sends_each_department_its_own_risk_reviews(db_file):
    for data, name in ((DEPTS, "d.csv"), (CONTACTS, "c.csv"), (RISKS, "r.csv")):
        r = importer.commit(data.encode(), name, db_path=db_file)
        assert r.committed, r.problems
    with store.opened(db_file) as db:
        planned = remind.plan(db, AS_OF)
    k01 = next(m for m in planned if m.address == "k01@example.org")
    k02 = next(m for m in planned if m.address == "k02@example.org")
    assert "廉洁风险点 R-LATE" in k01.text and "复核期限 2026年11月30日" in k01.text
    assert "廉洁风险点 R-SOON" in k01.text  # a stage's risk goes to its owner (心内科 → K01)
    assert "R-LATER" not in k01.text and "R-GONE" not in k01.text and "R-K02" not in k01.text
    assert "R-K02" in k02.text and "R-LATE" not in k02.text
    assert ("risk", "R-LATE", "overdue") in k01.journal and ("risk", "R-SOON", "due_soon") in k01.journal
