"""Hardening (PRODUCT §7): production settings, the upload size limit, friendly errors logged in full."""

from __future__ import annotations

import logging
import tomllib

from streamlit.testing.v1 import AppTest

from metrics import store
from metrics.ingest import importer, limits
from metrics.ops import cli
from tests.conftest import ROOT


def test_production_settings_in_streamlit_config():
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert cfg["server"]["maxUploadSize"] == limits.MAX_UPLOAD_MB == 20
    assert cfg["server"]["enableXsrfProtection"] is True
    assert cfg["client"]["toolbarMode"] == "viewer"
    assert cfg["client"]["showErrorDetails"] is False
    assert cfg["browser"]["gatherUsageStats"] is False


def _too_big() -> bytes:
    row = b"2023-04,K01,91\n"
    return "月份,科室编码,患者满意度\n".encode() + row * (limits.MAX_UPLOAD_BYTES // len(row) + 1)


def test_a_file_over_20_mb_is_refused_with_a_clear_message_and_nothing_written(demo_db):
    data = _too_big()
    with store.opened(demo_db) as db:
        before = (store.data_version(db), len(store.batches(db)), len(store.metric_values(db)))
    report = importer.commit(data, "big.csv", user="ed", db_path=demo_db)
    assert not report.committed
    assert [p.message for p in report.problems] == [
        f"文件过大：{len(data) / 1024 / 1024:.1f} MB，上限为 20 MB。请拆分文件后再上传。"
    ]
    en = importer.preview(data, "big.csv", lang="en", db_path=demo_db)
    assert "the limit is 20 MB" in en.problems[0].message
    with store.opened(demo_db) as db:
        assert (store.data_version(db), len(store.batches(db)), len(store.metric_values(db))) == before


def test_the_command_line_refuses_a_file_over_20_mb_too(demo_db, tmp_path, capsys):
    path = tmp_path / "big.csv"
    path.write_bytes(_too_big())
    assert cli.main(["--db", str(demo_db), "import", str(path)]) == 1
    out = capsys.readouterr()
    assert "上限为 20 MB" in out.out + out.err


def test_a_failing_page_shows_a_friendly_message_and_logs_the_traceback(demo_db, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("internal detail: table xyz")

    monkeypatch.setattr(store, "months_with_data", broken)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    with caplog.at_level(logging.ERROR, logger="integrity"):
        at.run()
    assert not at.exception  # no traceback reaches the user
    assert [e.value for e in at.error] == ["页面出错了，已记录到服务器日志。请刷新重试或联系管理员。"]
    assert "internal detail" not in str(at.main)
    logged = [r for r in caplog.records if r.name == "integrity" and r.exc_info]
    assert logged and "internal detail: table xyz" in caplog.text and "Traceback" in caplog.text
