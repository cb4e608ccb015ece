"""The command line in the user's language: every table's headers and cells, and --help (argparse's own words
too) — Chinese by default, English with --lang en."""

from __future__ import annotations

import re

import pytest

from metrics.access import users
from metrics.ops import cli

BAD = "月份,科室编码,科室名称,患者满意度\n2023-04,K01,心血管内科,95\n2023-05,K01,心血管内科,abc\n".encode("gbk")
ENGLISH_HEADERS = re.compile(
    r"\b(line|column|value|message|username|role|created_at|failed_count|locked_until|active)\b"
)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_import_report_table_has_chinese_headers(db_file, tmp_path, capsys):
    f = tmp_path / "bad.csv"
    f.write_bytes(BAD)
    _, out, _ = run(capsys, "import", str(f), "--dry-run", "--db", str(db_file))
    assert ENGLISH_HEADERS.findall(out) == []
    assert re.search(r"行号\s+列\s+值\s+原因", out)
    _, out, _ = run(capsys, "import", str(f), "--dry-run", "--lang", "en", "--db", str(db_file))
    assert re.search(r"Line\s+Column\s+Value\s+Reason", out)


def test_users_list_in_chinese_without_raw_none_or_false(db_file, cheap_hashing, capsys):
    users.add_user("li", "correct horse battery", "editor")
    users.add_user("wang", "correct horse battery", "viewer")
    users.set_role("wang", "viewer")
    _, out, _ = run(capsys, "--db", str(db_file), "users", "list")
    assert ENGLISH_HEADERS.findall(out) == []
    assert "用户名" in out and "角色" in out and "编辑者" in out
    assert not re.search(r"\b(None|False|True|NaN|nan)\b", out)


def test_points_on_the_terminal_has_a_header_row(demo_db, capsys):
    _, out, _ = run(capsys, "points", "2025", "--db", str(demo_db))
    lines = out.splitlines()
    assert lines[1].split("\t") == ["工号", "姓名", "科室编码", "科室名称", "入科日期", "授牌日期", "加分"]
    _, out, _ = run(capsys, "points", "2025", "--lang", "en", "--db", str(demo_db))
    assert out.splitlines()[1].split("\t")[:2] == ["Staff ID", "Name"]


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["import", "--help"], ["users", "--help"], ["users", "add", "--help"], ["rollback", "--help"]],
)
def test_help_is_chinese_by_default(argv, capsys):
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert out.startswith("用法: ")
    for english in ("usage:", "options:", "show this help message", "positional arguments"):
        assert english not in out
    assert len(re.findall(r"[\u4e00-\u9fff]", out)) > 20
    # every option's explanation is Chinese (no English sentence of three words or more)
    assert (
        re.findall(
            r"\b[a-z]{3,} [a-z]{2,} [a-z]{2,}\b",
            re.sub(r"--?[\w-]+|\{[^}]*\}|[A-Z_]{2,}", "", out.replace(cli.PROG, "")),
        )
        == []
    )


def test_help_in_english_with_lang_en(capsys):
    code, out, _ = run(capsys, "import", "--help", "--lang", "en")
    assert code == 0 and out.startswith("usage: ") and "show this help message" in out
    assert not re.findall(r"[\u4e00-\u9fff]{4,}", out.replace("行号", "").replace("错误说明", ""))


def test_a_usage_error_in_chinese(capsys):
    code, _, err = run(capsys, "rollback", "--no-such-option")
    assert code == 2
    assert "error:" not in err and "unrecognized arguments" not in err
    assert "错误" in err and "--no-such-option" in err
