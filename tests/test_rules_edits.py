"""Editing targets and catalogues (pages/targets.py) through the one validator and the one write path
(importer.commit_rows): what the upload refuses the editor refuses, with the same reasons; a save is
one transaction (journal, audit before/after, data version) and a rollback restores the state before."""

import json

from metrics import store
from metrics.ingest import importer
from metrics.views import ViewKey
from metrics.views import targets as vm

EDIT = store.EDIT_FILE_NAME


def _seed_departments(db_file):
    rows = [{"dept_code": "K03", "dept_name": "消化内科"}, {"dept_code": "K20", "dept_name": "急诊科"}]
    assert importer.commit_rows("departments", rows, source="seed", user="ed", db_path=db_file).committed


def _table(db_file) -> list[dict]:
    """The targets table as the editor shows it (its columns only)."""
    view = vm.build(ViewKey.of(str(db_file), 0, "zh"))
    return view.targets[list(vm.TARGET_COLUMNS)].to_dict("records")


def _save_targets(db_file, rows, lang="zh"):
    return importer.commit_rows(
        "targets", rows, source=EDIT, user="ed", lang=lang, replace=True, action="target_edit", db_path=db_file
    )


def _stored(db_file) -> dict:
    with store.opened(db_file) as db:
        t = store.targets(db)
    return {(r.metric, r.dept_code, r.effective_from): r.target for r in t.itertuples()}


def test_editor_refuses_an_own_target_looser_than_the_hospitals_as_the_upload_does(db_file):
    _seed_departments(db_file)
    before = _stored(db_file)
    row = dict(metric="patient_satisfaction", dept_code="K20", effective_from="2025-01", target=85.0, direction=">=")
    rows = _table(db_file) + [row]
    r = _save_targets(db_file, rows)
    assert not r.committed and _stored(db_file) == before
    (p,) = r.problems
    assert p.line - 1 == len(rows) and p.column == "target" and "90" in p.message
    # The same row uploaded as a file gets the same reason.
    upload = "指标,科室编码,目标值,方向,生效月份\npatient_satisfaction,K20,85,>=,2025-01\n".encode()
    assert importer.preview(upload, "t.csv", db_path=db_file).problems[0].message == p.message


def test_editor_refuses_out_of_range_targets_and_hospital_metrics_per_department(db_file):
    _seed_departments(db_file)
    rows = _table(db_file) + [
        dict(metric="staff_satisfaction", dept_code="", effective_from="2026-01", target=150.0, direction=">="),
        dict(metric="drug_share", dept_code="K03", effective_from="2026-01", target=15.0, direction="<="),
    ]
    r = _save_targets(db_file, rows, lang="en")
    n = len(rows)
    assert [(p.line - 1, p.column) for p in r.problems] == [(n - 1, "target"), (n, "dept_code")]
    assert "100" in r.problems[0].message and "Drug share" in r.problems[1].message
    assert not r.committed


def test_editor_errors_name_the_row_and_save_nothing(db_file):
    before = _stored(db_file)
    rows = _table(db_file) + [
        dict(metric="no_such_metric", dept_code="K99", effective_from="2025-13", target="九十", direction="?")
    ]
    r = _save_targets(db_file, rows)
    n = len(rows)
    assert {p.column for p in r.problems if p.line - 1 == n} == {
        "metric",
        "dept_code",
        "effective_from",
        "target",
        "direction",
    }
    assert not r.committed and r.deleted == 0 and _stored(db_file) == before


def test_save_is_journalled_audited_versioned_and_rolled_back(fresh_db, db_file):
    _seed_departments(db_file)
    rows = _table(db_file)
    stricter = dict(
        metric="patient_satisfaction", dept_code="K03", effective_from="2025-01", target=92.0, direction="≥"
    )
    r = _save_targets(db_file, rows + [stricter])
    assert r.committed and r.counts["new"] == 1
    v0 = store.data_version(fresh_db)
    # Raise it to 93 and delete drug share's default: one batch.
    rows = [x for x in _table(db_file) if x["metric"] != "drug_share"]
    for x in rows:
        if x["dept_code"] == "K03":
            x["target"] = 93.0
    r = _save_targets(db_file, rows)
    assert r.committed and r.deleted == 1 and store.data_version(fresh_db) == v0 + 1
    t = _stored(db_file)
    assert t[("patient_satisfaction", "K03", "2025-01")] == 93.0 and ("drug_share", "", "2000-01") not in t
    audit = fresh_db.execute('SELECT "user", action, before, after FROM audit ORDER BY id DESC LIMIT 1').fetchone()
    assert audit[0] == "ed" and audit[1] == "target_edit"
    assert {x["target"] for x in json.loads(audit[2])["rows"]} == {92.0, 20.0}
    assert json.loads(audit[3])["rows"][0]["target"] == 93.0
    # Saving the same table again changes nothing: no batch, no version bump.
    again = _save_targets(db_file, _table(db_file))
    assert not again.committed and again.batch_id is None and store.data_version(fresh_db) == v0 + 1
    importer.rollback(r.batch_id, user="ed", db_path=db_file)
    t = _stored(db_file)
    assert t[("patient_satisfaction", "K03", "2025-01")] == 92.0 and t[("drug_share", "", "2000-01")] == 20.0


def test_indicator_and_metric_catalogue_edits(db_file):
    ind = vm.build(ViewKey.of(str(db_file), 0, "zh")).indicators.to_dict("records")
    ind += [
        dict(code="W04", kind="警示", name_zh="约谈", name_en="", evidence="", office="", active=True),
        dict(code="", kind="veto", name_zh="", name_en="", evidence="", office="", active=True),
    ]
    r = importer.commit_rows("indicators", ind, source=EDIT, user="ed", action="catalogue_edit", db_path=db_file)
    assert {p.column for p in r.problems} == {"code", "name_zh"} and not r.committed
    r = importer.commit_rows("indicators", ind[:-1], source=EDIT, user="ed", action="catalogue_edit", db_path=db_file)
    assert r.committed and r.counts["new"] == 1
    with store.opened(db_file) as db:
        w04 = store.indicator_catalogue(db).set_index("code").loc["W04"]
    assert (w04["kind"], w04["active"], w04["name_en"]) == ("warning", 1, "约谈")
    met = [dict(code="wait_days", name_zh="平均候诊天数", name_en="", unit_zh="天", unit_en="days", direction="≤")]
    met[0] |= dict(default_target=3, scope="dept", aggregate="mean")
    r = importer.commit_rows("metric_catalogue", met, source=EDIT, user="ed", db_path=db_file)
    assert r.committed
    with store.opened(db_file) as db:
        m = {d.code: d for d in store.metric_defs(db)}["wait_days"]
    assert (m.direction, m.default_target, m.name_en) == ("<=", 3.0, "wait_days")
    bad = importer.commit_rows("metric_catalogue", [{**met[0], "code": "等候"}], source=EDIT, db_path=db_file)
    assert [p.column for p in bad.problems] == ["code"]
    # The new metric is a column of monthly files at once: the stored catalogue is the runtime catalogue.
    rows = [{"month": "2026-01", "dept_code": "K01", "dept_name": "心内科", "平均候诊天数": 2}]
    assert importer.commit_rows("metrics", rows, source="t", db_path=db_file).committed


def test_view_lists_stored_own_targets_looser_than_the_hospitals(fresh_db, db_file):
    _seed_departments(db_file)
    # A store saved before the floor rule: the looser row is in it (written as that old code did).
    fresh_db.execute(
        "INSERT INTO targets (metric, dept_code, effective_from, target, direction)"
        " VALUES ('patient_satisfaction', 'K20', '2025-01', 85.0, '>=')"
    )
    fresh_db.conn.commit()
    view = vm.build(ViewKey.of(str(db_file), 0, "zh"))
    ((row, dept, msg),) = view.refused
    k20 = view.targets.index[view.targets["dept_code"] == "K20"][0] + 1
    assert (row, dept) == (k20, "K20 急诊科") and "90" in msg
