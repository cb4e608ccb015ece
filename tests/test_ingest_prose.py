"""Free text is kept as written (PRODUCT §3.3: nothing already stored is lost). A Chinese title, note or
description keeps its full-width punctuation — ，（）：； — which folding (NFKC) would turn into , ( ) : ; — while a
code typed in full-width characters (ＲＷ２０２６－０１) is still read as the same code."""

from __future__ import annotations

from metrics import store
from metrics.ingest import importer

DEPTS = "科室编码,科室名称,科室类别\nK01,心内科,临床\n"
PROSE = "正在推进，已完成第一阶段（共三阶段）：见附件；下一步：整改回头看"


def test_a_tasks_title_and_progress_keep_their_full_width_punctuation_and_codes_are_folded(db_file):
    assert importer.commit(DEPTS.encode(), "d.csv", db_path=db_file).committed
    tasks = f"任务编号,任务名称,牵头科室,完成时限,进展说明\nＲＷ２０２６－０１,廉洁风险排查（第一批）,Ｋ０１,2026-12-31,{PROSE}\n"
    assert importer.commit(tasks.encode(), "t.csv", db_path=db_file).committed
    with store.opened(db_file) as db:
        row = store.tasks(db).iloc[0]
    assert row["task_code"] == "RW2026-01" and row["lead_dept"] == "K01"  # codes folded: one code however typed
    assert row["title"] == "廉洁风险排查（第一批）" and row["progress"] == PROSE  # text as written
    # the same file again changes nothing
    report = importer.preview(tasks.encode(), "t2.csv", db_path=db_file)
    assert report.counts["unchanged"] == 1 and report.counts["changed"] == 0


def test_a_notices_issue_and_an_events_description_keep_their_punctuation(db_file):
    assert importer.commit(DEPTS.encode(), "d.csv", db_path=db_file).committed
    notices = (
        f"文号,科室编码,下达日期,整改期限,状态,问题\n纪检整改〔2026〕1号,K01,2026-11-02,2026-12-10,整改中,{PROSE}\n"
    )
    assert importer.commit(notices.encode(), "n.csv", db_path=db_file).committed
    events = f"发生日期,科室编码,类型,指标,事件描述,状态\n2026-11-03,K01,警示,W01,{PROSE},已认定\n"
    assert importer.commit(events.encode(), "e.csv", db_path=db_file).committed
    with store.opened(db_file) as db:
        assert store.notices(db).iloc[0]["issue"] == PROSE
        assert store.events(db).iloc[0]["description"] == PROSE
