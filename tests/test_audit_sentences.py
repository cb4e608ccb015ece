"""Audit entries as sentences in the reader's language instead of raw JSON. The records are
written by the real code paths on a real store; the sentences expected are written out by hand."""

from __future__ import annotations

import pytest

from metrics import store
from metrics.access import lockout, users
from metrics.ingest import importer
from metrics.views import audit

NAMES = {"patient_satisfaction": "患者满意度"}
NAMES_EN = {"patient_satisfaction": "Patient satisfaction"}


pytestmark = pytest.mark.usefixtures("cheap_hashing")


def _rows(db_path, action: str) -> list[dict]:
    frame = audit.audit_frame(actions=[action], db_path=db_path)
    return frame.to_dict("records")


def _target(metric="patient_satisfaction", dept="K01", target=92.0) -> dict:
    return dict(metric=metric, dept_code=dept, effective_from="2025-01", target=target, direction=">=")


def _edit_targets(path, user: str, rows: list[dict] | None = None, remove: tuple | None = None) -> None:
    """A save of the targets page's editor (importer.commit_rows, the one write path): rows added or changed, or
    the whole table less the row with key ``remove``."""
    if remove is None:
        report = importer.commit_rows("targets", rows, source=store.EDIT_FILE_NAME, user=user, action="target_edit",
                                      db_path=path)  # fmt: skip
    else:
        with store.opened(path) as db:
            table = store.targets(db).to_dict("records")
        kept = [r for r in table if (r["metric"], r["dept_code"], r["effective_from"]) != remove]
        report = importer.commit_rows("targets", kept, source=store.EDIT_FILE_NAME, user=user, action="target_edit",
                                      db_path=path, replace=True)  # fmt: skip
    assert report.committed, report.problems


def test_target_edits_read_as_who_changed_whose_target_from_what_to_what(demo_db):
    with store.opened(demo_db) as db:
        depts = dict(zip(store.departments(db)["dept_code"], store.departments(db)["dept_name"], strict=True))
    _edit_targets(demo_db, "李四", [_target(target=92.0)])
    _edit_targets(demo_db, "李四", [_target(target=93.0)])
    _edit_targets(demo_db, "王五", remove=("patient_satisfaction", "K01", "2025-01"))
    assert depts["K01"] == "心血管内科"
    removed, changed, added = _rows(demo_db, "target_edit")[:3]  # newest first
    assert audit.sentence(added, "zh", depts, NAMES) == "李四 新增 心血管内科 的患者满意度目标 92"
    assert audit.sentence(changed, "zh", depts, NAMES) == "李四 将 心血管内科 的患者满意度目标从 92 改为 93"
    assert audit.sentence(removed, "zh", depts, NAMES) == "王五 删除了 心血管内科 的患者满意度目标（原为 93）"
    assert (
        audit.sentence(changed, "en", depts, NAMES_EN)
        == "李四 changed 心血管内科's Patient satisfaction target from 92 to 93"
    )


def test_hospital_wide_target_is_named_so(demo_db):
    _edit_targets(demo_db, "李四", [_target(dept="", target=91.0)])
    row = _rows(demo_db, "target_edit")[0]
    assert audit.sentence(row, "zh", {}, NAMES) == "李四 新增 全院 的患者满意度目标 91"


def test_accounts_and_sign_in(db_file):
    users.add_user("boss", "a-long-enough-password-1", "admin")
    users.add_user("ed", "a-long-enough-password-2", "editor", actor="boss")
    users.set_role("ed", "admin", actor="boss")
    lockout.authenticate("ed", "wrong-password-wrong")
    assert audit.sentence(_rows(db_file, "user.add")[0], "zh") == "boss 新增用户 ed（编辑者）"
    assert audit.sentence(_rows(db_file, "user.role")[0], "zh") == "boss 将 ed 的角色从编辑者改为管理员"
    assert audit.sentence(_rows(db_file, "user.role")[0], "en") == "boss changed ed's role from Editor to Administrator"
    assert audit.sentence(_rows(db_file, "signin.fail")[0], "zh") == "ed 登录失败：密码错误（连续第 1 次）"


def test_demo_rollback_names_the_batch_in_the_reader_language(demo_db):
    with store.opened(demo_db) as db:
        latest = store.latest_committed_batch_id(db)
    n = importer.rollback(latest, user="admin")
    row = _rows(demo_db, "rollback")[0]
    assert audit.sentence(row, "zh") == f"admin 回滚了批次 {latest}（演示数据），恢复 {n} 行"
    assert audit.sentence(row, "en") == f"admin rolled back batch {latest} (Demo data), restoring {n} rows"


def test_the_audit_table_shows_no_json(demo_db):
    _edit_targets(demo_db, "李四", [_target(target=92.0)])
    shown = audit.shown(audit.audit_frame(db_path=demo_db), "zh", {"K01": "心血管内科"}, NAMES)
    assert list(shown.columns) == ["at", "user", "action", "sentence"]
    assert not shown["sentence"].str.contains(r"[{}\[\]\"]").any()
    assert shown.iloc[0]["at"].startswith(f"{shown.iloc[0]['at'][:4]}年")


def test_command_line_actions_say_so():
    assert audit.who_text("cli:root", "zh") == "命令行（系统用户 root）"
    assert audit.who_text("boss (cli:root)", "zh") == "boss（命令行）"
    assert audit.who_text("boss (cli:root)", "en") == "boss (command line)"
    assert audit.who_text(None, "zh") == "系统"
    row = {"user": "cli:root", "action": "user.add", "target": "boss", "after": '{"role": "admin"}'}
    assert audit.sentence(row, "zh") == "命令行（系统用户 root） 新增用户 boss（管理员）"
