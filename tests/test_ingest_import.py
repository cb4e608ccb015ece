"""Import behaviour (PRODUCT §3.2, §3.3): every problem at once, all or nothing, batches, blank never erases, rollback."""

from __future__ import annotations

import json
import threading

import pandas as pd
import pytest

from metrics import contract, store
from metrics.ingest import export, importer, validate
from tests.conftest import file_rows

HEADER = "月份,科室编码,科室名称,患者满意度,职工满意度,投诉件数"


def dump(db_file) -> dict[str, list]:
    """Every data table, sorted, for exact before/after comparisons."""
    with store.opened(db_file) as db:
        out = {}
        for t in contract.table_keys():
            df = store.table_frame(db, t)
            out[t] = sorted(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in df.to_dict("records"))
        return out


def values(db_file) -> dict:
    with store.opened(db_file) as db:
        df = store.metric_values(db)
    return {(r.dept_code, r.month, r.metric): r.value for r in df.itertuples()}


def csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def test_bad_rows_report_every_problem_with_excel_lines(db_file):
    data = csv(
        "2023-04,K01,心血管内科,95,91,1",
        "2023-13,K01,心血管内科,101,abc,-1",  # line 3: month, range, not number, below 0
        "2023-05,K99,,90,,",  # line 4: unknown dept without a name
        "2023-06,K01,心血管内科,,,",  # line 5: no metric filled
        "2023-04,K01,心血管内科,96,,",  # line 6: duplicate of line 2
    )
    report = importer.preview(data, "bad.csv")
    got = {(p.line, p.column, p.value) for p in report.problems}
    assert got == {
        (3, "月份", "2023-13"),
        (3, "患者满意度", "101"),
        (3, "职工满意度", "abc"),
        (3, "投诉件数", "-1"),
        (4, "科室编码", "K99"),
        (5, "", ""),
        (6, "月份", "K01 2023-04"),
    }
    msgs = {(p.line, p.column): p.message for p in report.problems}
    assert "上限 100" in msgs[(3, "患者满意度")]
    assert "K99" in msgs[(4, "科室编码")] and "科室名称" in msgs[(4, "科室编码")]
    assert "第 2 行" in msgs[(6, "月份")]
    assert report.counts == {"new": 1, "changed": 0, "unchanged": 0, "rejected": 4, "skipped": 0}
    assert [p.line for p in report.problems] == sorted(p.line for p in report.problems)


def test_problems_in_english(db_file):
    report = importer.preview(csv("2023-04,K01,心血管内科,abc,,"), "x.csv", lang="en")
    assert report.problems[0].message == "Not a number."


def test_unknown_column_names_it_and_the_closest_known_name(db_file):
    report = importer.preview(
        csv("2023-04,K01,心血管内科,95,1", header="月份,科室编码,科室名称,患者满意渡,投诉件数"), "u.csv"
    )
    assert report.file_level and not report.can_commit(skip_invalid=True)
    (p,) = report.problems
    assert (p.line, p.column) == (1, "患者满意渡")
    assert "患者满意渡" in p.message and "患者满意度" in p.message


def test_a_file_with_errors_commits_nothing(db_file):
    before = dump(db_file)
    report = importer.commit(csv("2023-04,K01,心血管内科,95,91,1", "2023-05,K01,心血管内科,xx,91,1"), "a.csv")
    assert not report.committed and report.batch_id is None
    assert dump(db_file) == before
    with store.opened(db_file) as db:
        assert store.batches(db).empty


def test_skip_invalid_keeps_valid_rows_and_the_error_report(db_file):
    report = importer.commit(
        csv("2023-04,K01,心血管内科,95,91,1", "2023-05,K01,心血管内科,xx,91,1"), "a.csv", skip_invalid=True, user="li"
    )
    assert report.committed and report.counts["new"] == 1 and report.counts["rejected"] == 1
    assert ("K01", "2023-05", "staff_satisfaction") not in values(db_file)  # the whole bad row is left out
    assert values(db_file)[("K01", "2023-04", "patient_satisfaction")] == 95
    with store.opened(db_file) as db:
        rejects = store.batch_rejects(db, report.batch_id)
        b = store.batch(db, report.batch_id)
    assert rejects[["line", "column", "value"]].values.tolist() == [[3, "患者满意度", "xx"]]
    assert (b["file_name"], b["user"], b["kind"], b["rows_new"], b["rows_rejected"]) == ("a.csv", "li", "metrics", 1, 1)
    assert b["sha256"] == importer.sha256(csv("2023-04,K01,心血管内科,95,91,1", "2023-05,K01,心血管内科,xx,91,1"))
    report_csv = export.csv_bytes(rejects)
    assert report_csv.startswith(b"\xef\xbb\xbf") and "患者满意度" in report_csv.decode("utf-8-sig")


def test_blank_cell_never_erases_a_stored_value(db_file):
    importer.commit(csv("2023-04,K01,心血管内科,95,91,1"), "first.csv")
    report = importer.commit(csv("2023-04,K01,心血管内科,96,,"), "second.csv")
    assert report.counts["changed"] == 1
    assert report.changes[["key", "column", "old", "new"]].values.tolist() == [
        ["K01 2023-04", "患者满意度", "95", "96"]
    ]
    v = values(db_file)
    assert v[("K01", "2023-04", "staff_satisfaction")] == 91 and v[("K01", "2023-04", "complaints")] == 1
    assert v[("K01", "2023-04", "patient_satisfaction")] == 96


def test_blank_department_fields_never_erase(db_file):
    importer.commit("科室编码,科室名称,科室类别,党支部,职工人数\nK01,心血管内科,临床,内科支部,40\n".encode(), "d1.csv")
    importer.commit("科室编码,科室名称,科室类别,党支部,职工人数\nK01,心血管内科,,,42\n".encode(), "d2.csv")
    with store.opened(db_file) as db:
        row = store.departments(db).set_index("dept_code").loc["K01"]
    assert (row["category"], row["party_branch"], row["staff_count"]) == ("临床", "内科支部", 42)


def test_same_file_twice_changes_nothing_and_names_the_batch(db_file):
    data = csv("2023-04,K01,心血管内科,95,91,1")
    first = importer.commit(data, "a.csv")
    before = dump(db_file)
    again = importer.commit(data, "a-copy.csv")
    assert not again.committed and again.duplicate_of == first.batch_id
    assert importer.preview(data, "a.csv").duplicate_of == first.batch_id
    assert dump(db_file) == before
    with store.opened(db_file) as db:
        assert len(store.batches(db)) == 1


def test_unchanged_rows_are_counted_and_not_journaled(db_file):
    importer.commit(csv("2023-04,K01,心血管内科,95,91,1"), "a.csv")
    report = importer.commit(csv("2023-04,K01,心血管内科,95,91,1", "2023-05,K01,心血管内科,93,,"), "b.csv")
    assert report.counts == {"new": 1, "changed": 0, "unchanged": 1, "rejected": 0, "skipped": 0}
    with store.opened(db_file) as db:
        journal = store.table_frame(db, "batch_changes")
    assert (journal["batch_id"] == report.batch_id).sum() == 1


def test_rollback_restores_exactly_the_state_before(demo_db):
    before = dump(demo_db)
    data = csv(
        "2024-01,K01,心血管内科,80,70,5",  # changes demo values
        "2015-01,K01,心血管内科,90,,",  # new month
        "2015-01,N01,新科室,88,,",  # creates a department
    )
    report = importer.commit(data, "x.csv", user="li")
    assert report.committed and report.counts["changed"] == 1 and report.counts["new"] == 2
    assert dump(demo_db) != before
    importer.rollback(report.batch_id, user="li")
    assert dump(demo_db) == before
    with store.opened(demo_db) as db:
        assert store.batch(db, report.batch_id)["status"] == "rolled_back"
        audit = store.table_frame(db, "audit")
    assert list(audit["action"].iloc[-2:]) == ["upload", "rollback"]


def test_only_the_latest_batch_can_be_rolled_back(db_file):
    a = importer.commit(csv("2023-04,K01,心血管内科,95,,"), "a.csv")
    b = importer.commit(csv("2023-05,K01,心血管内科,95,,"), "b.csv")
    with pytest.raises(importer.RollbackRefused) as e:
        importer.rollback(a.batch_id)
    assert e.value.code == "not_latest"
    importer.rollback(b.batch_id)
    with pytest.raises(importer.RollbackRefused) as e:
        importer.rollback(b.batch_id)
    assert e.value.code == "already"
    importer.rollback(a.batch_id)  # now a is the latest committed
    assert values(db_file) == {}


def test_same_file_may_come_back_after_its_batch_was_rolled_back(db_file):
    data = csv("2023-04,K01,心血管内科,95,,")
    first = importer.commit(data, "a.csv")
    importer.rollback(first.batch_id)
    again = importer.commit(data, "a.csv")
    assert again.committed and again.duplicate_of is None


def test_new_department_via_name_is_shown_and_created(db_file):
    report = importer.preview(csv("2023-04,N07,老年医学科,92,,"), "n.csv")
    assert [(d["dept_code"], d["dept_name"]) for d in report.new_departments] == [("N07", "老年医学科")]
    importer.commit(csv("2023-04,N07,老年医学科,92,,"), "n.csv")
    with store.opened(db_file) as db:
        assert store.departments(db).set_index("dept_code").loc["N07", "dept_name"] == "老年医学科"


def test_hospital_scope_metrics_go_on_the_hospital_row_and_department_rows(db_file):
    # PRODUCT §3.2: drug share is accepted per department too; department metrics stay off 全院.
    header = "月份,科室编码,科室名称,患者满意度,药占比"
    report = importer.preview(csv("2023-04,K01,心血管内科,95,23", "2023-04,全院,,90,21", header=header), "h.csv")
    assert [(p.line, p.column) for p in report.problems] == [(3, "患者满意度")]
    ok = importer.commit(csv("2023-04,HOSP,,,21", "2023-04,K01,心血管内科,95,23", header=header), "h.csv")
    assert ok.committed and values(db_file) == {
        ("HOSP", "2023-04", "drug_share"): 21,
        ("K01", "2023-04", "drug_share"): 23,
        ("K01", "2023-04", "patient_satisfaction"): 95,
    }


def test_a_metric_added_to_the_catalogue_is_a_valid_column(fresh_db, db_file):
    with fresh_db.atomic():
        fresh_db.execute(
            "INSERT INTO metric_catalogue (code, name_zh, name_en, lo, hi, integer, direction, scope, aggregate, sort)"
            " VALUES ('handwash', '手卫生依从率', 'Hand hygiene', 0, 100, 0, '>=', 'dept', 'mean', 9)"
        )
    report = importer.commit(csv("2023-04,K01,心血管内科,97", header="月份,科室编码,科室名称,手卫生依从率"), "h.csv")
    assert report.committed, report.problems
    assert values(db_file) == {("K01", "2023-04", "handwash"): 97}
    bad = importer.preview(csv("2023-04,K01,心血管内科,170", header="月份,科室编码,科室名称,手卫生依从率"), "h.csv")
    assert "上限 100" in bad.problems[0].message


def test_departments_rules(db_file):
    text = "科室编码,科室名称,科室类别,职工人数,党员人数,是否在用\nK01,心血管内科,临床,10,12,是\nK02,呼吸科,外科,10,3,否\nK03,,临床,5,1,x\nK01,重复,临床,,,\n"
    report = importer.preview(text.encode(), "d.csv")
    got = {(p.line, p.column) for p in report.problems}
    assert got == {(2, "党员人数"), (3, "科室类别"), (4, "科室名称"), (4, "是否在用"), (5, "科室编码")}
    ok = importer.commit("科室编码,科室名称,是否在用\nK05,肾内科,否\n".encode(), "d.csv")
    with store.opened(db_file) as db:
        assert ok.committed and store.departments(db).set_index("dept_code").loc["K05", "active"] == 0


def test_events_by_code_or_text_with_stable_ids(db_file):
    importer.commit("科室编码,科室名称\nK13,产科\n".encode(), "d.csv")
    text = (
        "发生日期,科室编码,类型,指标,事件描述,状态\n"
        "2025/3/15,K13,否决,V04,收受红包,\n"
        "2025年4月2日,K13,警示,有效投诉,,核查中\n"
        "2025-05-01,K13,否决,W01,,\n"  # a warning indicator written as a veto
        "2025-05-02,K13,否决,不存在的指标,,\n"
    )
    report = importer.preview(text.encode(), "e.csv")
    assert {(p.line, p.column) for p in report.problems} == {(4, "指标"), (5, "指标")}
    importer.commit(text.encode(), "e.csv", skip_invalid=True)
    with store.opened(db_file) as db:
        ev = store.events(db)
    assert ev[["event_date", "kind", "indicator", "status"]].values.tolist() == [
        ["2025-03-15", "veto", "V04", "confirmed"],
        ["2025-04-02", "warning", "W01", "review"],
    ]
    assert ev["event_id"].iloc[0] == validate.event_id("2025-03-15", "K13", "V04", "收受红包")
    # the same event again (no id) is recognised, not duplicated; a new status is a change
    again = importer.commit(
        "发生日期,科室编码,类型,指标,事件描述,状态\n2025-03-15,K13,否决,V04,收受红包,已撤销\n".encode(), "e2.csv"
    )
    assert again.counts["changed"] == 1
    with store.opened(db_file) as db:
        assert store.events(db).set_index("event_id").loc[ev["event_id"].iloc[0], "status"] == "withdrawn"


def test_awards_status_labels_and_rectification(db_file):
    importer.commit("科室编码,科室名称\nK13,产科\n".encode(), "d.csv")
    text = (
        "科室编码,年度,状态,变更日期,整改截止\n"
        "K13,2025,已取消,2025-05-01,\n"
        "K13,2025,整改中,2025-05-02,2025-10-31\n"
        "K13,2025,整改中,2025-05-03,\n"
        "K13,2025年,rectifying,2025-06-01,2025-01-01\n"
        "K13,2025,审核中,2025-06-02,\n"
    )
    report = importer.preview(text.encode(), "a.csv")
    assert {(p.line, p.column) for p in report.problems} == {(4, "整改截止"), (5, "整改截止"), (6, "状态")}
    importer.commit(text.encode(), "a.csv", skip_invalid=True)
    with store.opened(db_file) as db:
        aw = store.award_changes(db)
    assert aw["status"].tolist() == ["revoked", "rectifying"]
    assert pd.isna(aw["rectify_until"].iloc[0]) and aw["rectify_until"].iloc[1] == "2025-10-31"


def test_targets_aliases_defaults_and_hospital_wide(db_file):
    importer.commit("科室编码,科室名称\nK03,消化内科\n".encode(), "d.csv")
    text = "指标,科室编码,目标值,方向,生效月份\n患者满意度,K03,92,不低于,2025-01\nstaff_satisfaction,,88,>=,\n药占比,K03,20,≤,\n患者满意度,K03,92,大约,\n"
    report = importer.preview(text.encode(), "t.csv")
    assert {(p.line, p.column) for p in report.problems} == {(4, "科室编码"), (5, "方向")}
    importer.commit(text.encode(), "t.csv", skip_invalid=True)
    with store.opened(db_file) as db:
        t = store.targets(db).set_index(["metric", "dept_code", "effective_from"])
    assert t.loc[("patient_satisfaction", "K03", "2025-01"), "direction"] == ">="
    assert t.loc[("staff_satisfaction", "", contract.EPOCH_MONTH), "target"] == 88  # replaced the default 90


def test_commit_and_rollback_bump_the_data_version_and_audit(db_file):
    with store.opened(db_file) as db:
        v0 = store.data_version(db)
    r = importer.commit(csv("2023-04,K01,心血管内科,95,,"), "a.csv", user="li")
    importer.preview(csv("2023-05,K01,心血管内科,95,,"), "b.csv")
    with store.opened(db_file) as db:
        v1 = store.data_version(db)
        audit = store.table_frame(db, "audit")
    assert v1 == v0 + 1
    assert (audit["user"].iloc[-1], audit["action"].iloc[-1], audit["target"].iloc[-1]) == ("li", "upload", "a.csv")
    assert json.loads(audit["detail"].iloc[-1])["batch_id"] == r.batch_id
    importer.rollback(r.batch_id, user="li")
    with store.opened(db_file) as db:
        assert store.data_version(db) == v1 + 1


def test_concurrent_commits_never_interleave(db_file):
    """Two uploads at once: both end as whole batches, and the journal of each holds only its own rows."""
    files = [csv(*[f"2023-{m:02d},K{i:02d},科室{i},90,," for m in range(1, 13)]) for i in (1, 2)]
    results = []
    threads = [
        threading.Thread(target=lambda d=d, n=n: results.append(importer.commit(d, f"{n}.csv")))
        for n, d in enumerate(files)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert all(r.committed for r in results) and len(values(db_file)) == 24
    per_batch = file_rows(db_file, "SELECT batch_id, COUNT(*) FROM batch_changes GROUP BY batch_id")
    assert sorted(n for _, n in per_batch) == [13, 13]  # 12 values + 1 new department each


def test_failure_in_the_middle_leaves_no_half_written_batch(db_file, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "audit_log", boom)  # the last write of a commit fails
    before = dump(db_file)
    with pytest.raises(RuntimeError):
        importer.commit(csv("2023-04,K01,心血管内科,95,,"), "a.csv")
    assert dump(db_file) == before
    with store.opened(db_file) as db:
        assert store.batches(db).empty


def test_shipped_templates_match_the_generator_and_import_cleanly(db_file):
    # the department list first, as an office starts: the other templates name its departments
    departments = (export.TEMPLATE_DIR / export.template_file_name("departments", "csv")).read_bytes()
    assert importer.commit(departments, "科室名录.csv", user="li").committed
    # and the 一院一品 project its notes template records progress on
    brands = (export.TEMPLATE_DIR / export.template_file_name("brands", "csv")).read_bytes()
    assert importer.commit(brands, "一院一品项目.csv", user="li").committed
    # and the person and post units whose award progress its template records
    units = (export.TEMPLATE_DIR / export.template_file_name("units", "csv")).read_bytes()
    assert importer.commit(units, "创建单元名录.csv", user="li").committed
    for kind in contract.KINDS:
        for fmt in ("csv", "xlsx"):
            shipped = (export.TEMPLATE_DIR / export.template_file_name(kind, fmt)).read_bytes()
            if fmt == "csv":
                assert shipped == export.template_bytes(kind, fmt)
                assert shipped.startswith(b"\xef\xbb\xbf")
            report = importer.preview(shipped, f"t.{fmt}")
            if (kind, fmt) in (("departments", "csv"), ("brands", "csv"), ("units", "csv")):
                assert report.duplicate_of is not None  # committed above: the same file is recognised
                continue
            assert report.kind == kind and report.ok, (kind, fmt, report.problems)
            assert report.counts["new"] + report.counts["changed"] + report.counts["unchanged"] >= 1


def test_problem_frame_keeps_uploaded_text_literally(db_file):
    report = importer.preview(csv("2023-04,K01,心血管内科,**<b>x</b>**,,"), "x.csv")
    df = report.problems_frame()
    assert isinstance(df, pd.DataFrame) and df["value"].tolist() == ["**<b>x</b>**"]


def test_skip_invalid_with_no_valid_row_commits_nothing(db_file):
    report = importer.commit(csv("2023-04,K01,心血管内科,abc,,"), "all-bad.csv", skip_invalid=True)
    assert not report.committed and not report.can_commit(skip_invalid=True)
    with store.opened(db_file) as db:
        assert store.batches(db).empty
