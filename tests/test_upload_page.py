"""The upload page through AppTest: upload a GBK file, see the preview, commit, see it in history, roll it back."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ui
from metrics import store
from metrics.access import sessions, users
from metrics.ops import demo
from tests.conftest import page_as

ROOT = Path(__file__).resolve().parent.parent
GBK = (
    "2024年4月科室满意度统计表\n月份,科室编码,科室名称,患者满意度,投诉件数\n"
    "2024-04,K01,心血管内科,95.5,1\n2024-04,K02,呼吸科,*粗体*,0\n合计,,,95,1\n"
).encode("gbk")


pytestmark = pytest.mark.usefixtures("cheap_hashing")


def _editor_app(lang: str = "zh") -> AppTest:
    return page_as("pages/upload.py", "ed", "editor", lang, first_run=True)


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _frames(at: AppTest):
    return [d.value for d in at.dataframe]


def test_upload_preview_commit_history_rollback(db_file):
    at = _editor_app()
    assert at.title[0].value == "数据上传"
    at.file_uploader[0].set_value(("满意度.csv", GBK, "text/csv"))
    at.run()
    assert not at.exception, at.exception
    counts = {m.label: m.value for m in at.metric}
    assert counts == {"新增": "1", "修改": "0", "未变": "0", "有错误": "1", "汇总行跳过": "1"}
    problems = _frames(at)[0]
    assert problems.values.tolist() == [["4", "患者满意度", "*粗体*", "不是数字。"]]  # shown literally, Excel line 4
    assert any("第 5 行是汇总行" in str(v) for v in _frames(at)[1]["原因"])
    assert _button(at, "提交").disabled  # all or nothing: errors block the commit
    at.checkbox(key="_upload_skip").check()
    at.run()
    assert not _button(at, "提交").disabled
    _button(at, "提交").click()
    at.run()
    assert not at.exception, at.exception
    assert any("已提交：批次 1" in s.value for s in at.success)
    history = _frames(at)[-1]
    assert history["文件名"].tolist() == ["满意度.csv"] and history["状态"].tolist() == ["已提交"]
    with store.opened(db_file) as db:
        assert len(store.metric_values(db)) == 2  # K01's satisfaction and complaints
    assert len(at.file_uploader) == 1 and not any(m.label == "新增" for m in at.metric)  # the upload was cleared

    # roll it back, only after confirming
    assert _button(at, "回滚").disabled
    at.checkbox(key="_rb_sure_1").check()
    at.run()
    _button(at, "回滚").click()
    at.run()
    assert not at.exception, at.exception
    assert any("已撤销批次 1" in s.value for s in at.success)
    assert _frames(at)[-1]["状态"].tolist() == ["已回滚"]
    with store.opened(db_file) as db:
        assert store.metric_values(db).empty and store.departments(db).empty


def test_cancel_writes_nothing_and_english_labels(db_file):
    at = _editor_app("en")
    at.file_uploader[0].set_value(
        ("a.csv", "月份,科室编码,科室名称,患者满意度\n2024-04,K01,心血管内科,95\n".encode("gbk"), "text/csv")
    )
    at.run()
    assert {m.label for m in at.metric} >= {"New", "Changed", "Unchanged", "With errors"}
    assert any("ready to commit" in s.value for s in at.success)
    _button(at, "Cancel").click()
    at.run()
    assert any("Cancelled" in i.value for i in at.info)
    with store.opened(db_file) as db:
        assert store.batches(db).empty


def test_unknown_column_is_shown_with_suggestion_and_blocks_commit(db_file):
    at = _editor_app()
    at.file_uploader[0].set_value(
        ("a.csv", "月份,科室编码,科室名称,患着满意度\n2024-04,K01,心血管内科,95\n".encode(), "text/csv")
    )
    at.run()
    (problems,) = _frames(at)[:1]
    assert problems["原因"].iloc[0] == "未知列「患着满意度」，最接近的已知列名是「患者满意度」。"
    assert _button(at, "提交").disabled and not any(c.key == "_upload_skip" for c in at.checkbox)


def test_start_empty_clears_demo_data_after_confirmation(demo_db):
    at = _editor_app()
    assert ui.is_demo_store()
    assert _button(at, "清空").disabled  # not before confirming
    at.checkbox(key="_start_empty_sure").check()
    at.run()
    _button(at, "清空").click()
    at.run()
    assert any("已清空演示数据" in s.value for s in at.success)
    with store.opened(demo_db) as db:
        assert store.is_empty(db) and store.get_meta(db, "demo") is None
    assert len(demo.DEPARTMENTS) > 0


def test_viewer_is_refused(db_file):
    users.add_user("vi", "correct horse 9", "viewer")
    at = AppTest.from_file(str(ROOT / "pages/upload.py"), default_timeout=60)
    at.session_state[ui.TOKEN_KEY] = sessions.start_session("vi")
    at.run()
    assert len(at.file_uploader) == 0 and at.error


def test_upload_page_warns_of_departments_that_reported_last_month_and_still_commits(db_file):
    """PRODUCT §3.3 point 7: the forgotten sheet is named before the commit, which stays allowed."""
    from metrics.ingest import importer

    jan = "月份,科室编码,科室名称,患者满意度\n2024-03,K01,心血管内科,95\n2024-03,K02,呼吸科,93\n".encode()
    assert importer.commit(jan, "三月.csv", user="ed", db_path=db_file).committed
    at = _editor_app()
    feb = "月份,科室编码,科室名称,患者满意度\n2024-04,K01,心血管内科,95.5\n".encode()
    at.file_uploader[0].set_value(("四月.csv", feb, "text/csv"))
    at.run()
    assert not at.exception, at.exception
    assert any("K02 呼吸科" in str(v) for f in _frames(at) for v in f.get("原因", []))
    assert not _button(at, "提交").disabled
