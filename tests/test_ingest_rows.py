"""One write path: rows given by a page, the demo or the CLI go through the same validation and the
same batch write as an uploaded file — journalled, audited, data version bumped, all in one transaction."""

from __future__ import annotations

import json

from metrics import store
from metrics.ingest import importer

EDIT = "页面编辑 page edit"


def _targets(db_file) -> dict:
    with store.opened(db_file) as db:
        t = store.targets(db)
    return {(r.metric, r.dept_code, r.effective_from): (r.target, r.direction) for r in t.itertuples()}


def _audit(db_file) -> list:
    with store.opened(db_file) as db:
        return db.execute('SELECT "user", action, target, detail, before, after FROM audit ORDER BY id').fetchall()


def test_rows_commit_as_one_journalled_audited_batch_and_roll_back(db_file):
    dept = [{"dept_code": "K01", "dept_name": "心内科"}]
    assert importer.commit_rows("departments", dept, source=EDIT, user="ed", db_path=db_file).committed
    with store.opened(db_file) as db:
        v0 = store.data_version(db)
    before = _targets(db_file)
    rows = [
        {"metric": "患者满意度", "dept_code": "K01", "target": "92", "direction": "≥", "effective_from": "2026-01"},
        {"metric": "drug_share", "dept_code": "", "target": 19, "direction": "<=", "effective_from": "2026-01"},
    ]
    r = importer.commit_rows("targets", rows, source=EDIT, user="ed", action="target_edit", db_path=db_file)
    assert r.committed and r.batch_id and r.counts["new"] == 2
    after = _targets(db_file)
    assert after[("patient_satisfaction", "K01", "2026-01")] == (92.0, ">=")
    assert after[("drug_share", "", "2026-01")] == (19.0, "<=")
    with store.opened(db_file) as db:
        assert store.data_version(db) == v0 + 1
        b = store.batch(db, r.batch_id)
    assert (b["file_name"], b["kind"], b["user"], b["rows_new"]) == (EDIT, "targets", "ed", 2)
    user, action, target, _detail, _before, after_json = _audit(db_file)[-1]
    assert (user, action, target) == ("ed", "target_edit", EDIT)
    assert {x["target"] for x in json.loads(after_json)["rows"]} == {92.0, 19.0}
    # The same rows again: nothing changes, no batch, no version bump.
    again = importer.commit_rows("targets", rows, source=EDIT, user="ed", db_path=db_file)
    assert not again.committed and again.batch_id is None and again.counts["unchanged"] == 2
    with store.opened(db_file) as db:
        assert store.data_version(db) == v0 + 1
    importer.rollback(r.batch_id, user="ed", db_path=db_file)
    assert _targets(db_file) == before


def test_rows_with_a_problem_write_nothing_and_name_line_column_value(db_file):
    before = _targets(db_file)
    rows = [
        {"metric": "patient_satisfaction", "dept_code": "", "target": 95, "direction": ">="},
        {
            "metric": "patient_satisfaction",
            "dept_code": "",
            "target": "abc",
            "direction": ">=",
            "effective_from": "2027-01",
        },
    ]
    r = importer.commit_rows("targets", rows, source=EDIT, user="ed", db_path=db_file)
    assert not r.committed and r.batch_id is None
    (p,) = r.problems
    assert (p.line, p.column, p.value) == (3, "target", "abc")
    assert _targets(db_file) == before


def test_replace_deletes_stored_rows_not_given_journalled(db_file):
    before = _targets(db_file)
    kept = [
        {"metric": m, "dept_code": d, "effective_from": e, "target": t, "direction": di}
        for (m, d, e), (t, di) in before.items()
        if m != "drug_share"
    ]
    r = importer.commit_rows("targets", kept, source=EDIT, user="ed", replace=True, db_path=db_file)
    assert r.committed and r.deleted == 1
    assert ("drug_share", "", "2000-01") not in _targets(db_file)
    importer.rollback(r.batch_id, user="ed", db_path=db_file)
    assert _targets(db_file) == before


def test_dry_run_reports_without_writing(db_file):
    rows = [{"month": "2026-01", "dept_code": "K01", "dept_name": "心内科", "patient_satisfaction": 93}]
    r = importer.commit_rows("metrics", rows, source="cli", dry_run=True, db_path=db_file)
    assert r.ok and not r.committed and r.counts["new"] == 1 and r.new_departments
    with store.opened(db_file) as db:
        assert store.metric_values(db).empty and store.departments(db).empty


def test_replace_is_only_for_the_targets_table(db_file):
    import pytest

    rows = [{"month": "2026-01", "dept_code": "K01", "dept_name": "心内科", "patient_satisfaction": 93}]
    with pytest.raises(ValueError):
        importer.commit_rows("metrics", rows, source="x", replace=True, db_path=db_file)
