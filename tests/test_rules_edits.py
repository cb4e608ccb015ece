"""Editing targets and catalogues: validation, the hospital-floor warning (PRODUCT §1), and the audited,
journalled write (one transaction, data version bumped, rollback restores the state before)."""

import json

import pandas as pd

from metrics import rules, store

COLS = ["metric", "dept_code", "effective_from", "target", "direction"]


def frame(rows):
    return pd.DataFrame(rows, columns=COLS)


BEFORE = frame(
    [
        ("patient_satisfaction", "", "2000-01", 90.0, ">="),
        ("patient_satisfaction", "K03", "2025-01", 92.0, ">="),
    ]
)


def test_own_target_below_hospital_is_warned_but_kept():
    after = frame(
        [
            ("patient_satisfaction", "", "2000-01", 90.0, ">="),
            ("patient_satisfaction", "K03", "2025-01", 92.0, ">="),
            ("patient_satisfaction", "K20", "2025-01", 85.0, "≥"),  # the department that proposed 85
        ]
    )
    edit = rules.target_edit(BEFORE, after, ["K03", "K20"], ["patient_satisfaction"])
    assert edit.errors == ()
    assert edit.warnings == (dict(dept_code="K20", metric="patient_satisfaction", target=85.0, hospital=90.0),)
    assert {u["dept_code"] for u in edit.upserts} == {"", "K03", "K20"}
    assert edit.upserts[2]["direction"] == ">="  # ≥ normalised


def test_errors_name_the_row_and_save_nothing():
    after = frame(
        [
            ("patient_satisfaction", "", "2000-01", "九十", ">="),  # not a number
            ("no_such_metric", "K99", "2025-13", 90.0, "?"),
        ]
    )
    edit = rules.target_edit(BEFORE, after, ["K03"], ["patient_satisfaction"])
    assert (1, "tg.err.target", {}) in edit.errors
    assert {k for n, k, _ in edit.errors if n == 2} == {
        "tg.err.metric",
        "tg.err.dept",
        "tg.err.month",
        "tg.err.direction",
    }
    assert edit.deletes == ()  # with errors, nothing is planned for deletion either


def test_removed_row_is_a_delete():
    edit = rules.target_edit(BEFORE, BEFORE.iloc[:1], ["K03"], ["patient_satisfaction"])
    assert edit.deletes == (("patient_satisfaction", "K03", "2025-01"),)


def test_write_edits_audited_versioned_and_rolled_back(fresh_db):
    db = fresh_db
    store.write_edits(
        db,
        "targets",
        "ed",
        [dict(metric="patient_satisfaction", dept_code="", effective_from="2026-01", target=92.0, direction=">=")],
    )
    v0 = store.data_version(db)
    bid = store.write_edits(
        db,
        "targets",
        "ed",
        [dict(metric="patient_satisfaction", dept_code="", effective_from="2026-01", target=93.0, direction=">=")],
        [("drug_share", "", "2000-01")],
    )
    assert store.data_version(db) == v0 + 1
    t = store.targets(db).set_index(["metric", "dept_code", "effective_from"])
    assert t.at[("patient_satisfaction", "", "2026-01"), "target"] == 93.0
    assert ("drug_share", "", "2000-01") not in t.index
    audit = db.execute("SELECT user, action, before, after FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    assert audit[0] == "ed" and audit[1] == "target_edit"
    assert json.loads(audit[2])["rows"][0]["target"] == 92.0 and json.loads(audit[3])["rows"][0]["target"] == 93.0
    # Saving the same values again changes nothing: no batch, no version bump.
    same = [dict(metric="patient_satisfaction", dept_code="", effective_from="2026-01", target=93.0, direction=">=")]
    assert store.write_edits(db, "targets", "ed", same) is None and store.data_version(db) == v0 + 1
    with db.atomic():
        store.revert_batch(db, bid, "ed")
    t = store.targets(db).set_index(["metric", "dept_code", "effective_from"])
    assert t.at[("patient_satisfaction", "", "2026-01"), "target"] == 92.0
    assert t.at[("drug_share", "", "2000-01"), "target"] == 20.0


def test_indicator_and_metric_catalogue_edits():
    ind = pd.DataFrame(
        [("W04", "警示", "约谈", "Interview", "", "", True), ("", "veto", "", "", "", "", True)],
        columns=list(rules.INDICATOR_FIELDS),
    )
    edit = rules.indicator_edit(ind)
    assert edit.upserts[0]["kind"] == "warning" and edit.upserts[0]["active"] == 1
    assert {k for _, k, _ in edit.errors} == {"tg.err.code", "tg.err.name"}
    met = pd.DataFrame(
        [("wait_days", "平均候诊天数", "", "天", "days", "≤", 3, "dept", "mean")], columns=list(rules.METRIC_FIELDS)
    )
    m = rules.metric_edit(met).upserts[0]
    assert (m["code"], m["direction"], m["default_target"], m["name_en"]) == ("wait_days", "<=", 3.0, "wait_days")
