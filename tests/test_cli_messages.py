"""What the command line says, as a user in a terminal reads it: the terminal's own words (no page checkbox), a
closed pipe is no database error, a rollback says what it will undo, a group store names the missing --user, and
a zh console reads Chinese."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from metrics import store
from metrics.ops import cli

ROOT = Path(__file__).resolve().parent.parent
GOOD = "月份,科室编码,科室名称,患者满意度\n2023-04,K01,心血管内科,95\n".encode("gbk")
BAD = "月份,科室编码,科室名称,患者满意度\n2023-04,K01,心血管内科,95\n2023-05,K01,心血管内科,abc\n".encode("gbk")


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_rejected_import_names_the_option_of_the_terminal(db_file, tmp_path, capsys):
    f = tmp_path / "bad.csv"
    f.write_bytes(BAD)
    code, out, _ = run(capsys, "import", str(f), "--db", str(db_file))
    assert code == 1
    assert "--skip-invalid" in out and "勾选" not in out
    f.write_bytes("科室编码,科室名称,无此列\nK01,心内科,x\n".encode())  # a file-level problem: import again, not upload
    code, out, _ = run(capsys, "import", str(f), "--db", str(db_file))
    assert code == 1 and "重新导入" in out and "上传" not in out.split("\n\n")[-1]


@pytest.mark.process
def test_a_closed_pipe_is_not_a_database_error(demo_db):
    """`points 2025 | head -0`: the reader is gone before the first line; exit quietly, as Unix tools do."""
    p = subprocess.Popen(
        [sys.executable, "-m", "metrics", "--db", str(demo_db), "points", "2025"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    p.stdout.close()  # before the child writes anything
    err = p.stderr.read().decode()
    p.wait(timeout=120)
    assert err == ""
    assert p.returncode != 1  # 1 means "the store failed"


def test_rollback_twice_says_what_it_would_undo_and_needs_yes(demo_db, tmp_path, capsys):
    f = tmp_path / "good.csv"
    f.write_bytes(GOOD)
    assert run(capsys, "import", str(f), "--user", "li", "--db", str(demo_db))[0] == 0
    code, out, _ = run(capsys, "rollback", "--user", "li", "--db", str(demo_db))  # li's own last batch: at once
    assert code == 0 and "已回滚批次 18" in out
    # the demo's last batch: the units' award steps
    code, out, err = run(capsys, "rollback", "--user", "li", "--db", str(demo_db))
    assert code == 1
    assert "17" in err and "清廉医护及示范岗创建进度" in err and "演示数据" in err and "--yes" in err
    with store.opened(demo_db) as db:
        assert store.batch(db, 17)["status"] == "committed"  # nothing undone
    code, out, _ = run(capsys, "rollback", "--user", "li", "--yes", "--db", str(demo_db))
    assert code == 0 and "已回滚批次 17" in out


def test_rollback_of_the_demo_without_user_needs_yes(demo_db, capsys):
    code, _, err = run(capsys, "rollback", "--db", str(demo_db))
    assert code == 1 and "--yes" in err


def test_a_group_store_without_user_says_user_is_needed(group_store, tmp_path, capsys):
    f = tmp_path / "good.csv"
    f.write_bytes(GOOD)
    for argv in (["import", str(f)], ["points", "2026", "--hospital", "H01"], ["export", "--out", str(tmp_path)]):
        code, _, err = run(capsys, *argv, "--db", str(group_store))
        assert code == 2, argv
        assert "--user" in err and "“—”" not in err and "不是本库的账户" not in err, err


def test_the_demo_counts_its_rows_in_chinese(tmp_path, capsys):
    code, out, _ = run(capsys, "demo", "--end-month", "2026-10", "--db", str(tmp_path / "d.db"))
    assert code == 0
    assert "科室名录 40 行" in out
    assert re.findall(r"[a-z_]{4,}", out) == []  # no table names (departments, metric_values…)


def test_the_first_admin_notice_in_the_server_console_is_chinese(db_file, caplog):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_resource.clear()  # the notice is said once per server process: this test's "process" starts now
    with caplog.at_level("WARNING", logger="integrity"):
        AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    said = [r.getMessage() for r in caplog.records if r.name == "integrity"]
    assert any("尚未创建管理员" in m and ".venv/bin/python -m metrics users add admin" in m for m in said), said
    assert not any("No administrator" in m for m in said)
