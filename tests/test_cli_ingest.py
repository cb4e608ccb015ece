"""`python -m metrics import | export | rollback` (PRODUCT §3.4): exit codes, --json shape, export files."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from metrics import safe, store
from metrics.ops import cli

ROOT = Path(__file__).resolve().parent.parent

GOOD = "月份,科室编码,科室名称,患者满意度\n2023-04,K01,心血管内科,95\n".encode("gbk")
BAD = "月份,科室编码,科室名称,患者满意度\n2023-04,K01,心血管内科,95\n2023-05,K01,心血管内科,abc\n".encode("gbk")


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_import_commits_and_reports_json(db_file, tmp_path, capsys):
    f = tmp_path / "good.csv"
    f.write_bytes(GOOD)
    code, out, _ = run(capsys, "import", str(f), "--json", "--db", str(db_file), "--user", "li")
    assert code == 0
    rep = json.loads(out)
    assert set(rep) >= {"kind", "encoding", "counts", "errors", "batch_id", "committed", "duplicate_of"}
    assert (rep["kind"], rep["encoding"], rep["committed"]) == ("metrics", "gb18030", True)
    assert rep["counts"] == {"new": 1, "changed": 0, "unchanged": 0, "rejected": 0, "skipped": 0}
    with store.opened(db_file) as db:
        b = store.batch(db, rep["batch_id"])
    assert (b["file_name"], b["user"]) == ("good.csv", "li")
    # the same file again: exit 0, nothing written, names the batch
    code, out, _ = run(capsys, "--db", str(db_file), "import", str(f), "--json")
    assert code == 0 and json.loads(out)["duplicate_of"] == rep["batch_id"]


def test_import_rejected_exits_1_with_errors_and_writes_nothing(db_file, tmp_path, capsys):
    f = tmp_path / "bad.csv"
    f.write_bytes(BAD)
    code, out, _ = run(capsys, "import", str(f), "--json", "--db", str(db_file))
    assert code == 1
    rep = json.loads(out)
    assert rep["errors"] == [{"line": 3, "column": "患者满意度", "value": "abc", "message": "不是数字。", "sheet": ""}]
    assert rep["batch_id"] is None and rep["committed"] is False
    with store.opened(db_file) as db:
        assert store.batches(db).empty and store.metric_values(db).empty
    # dry run: the same verdict, also nothing written
    code, out, _ = run(capsys, "import", str(f), "--dry-run", "--db", str(db_file))
    assert code == 1 and "abc" in out and "不会写入任何数据" in out
    # skip invalid: the valid row goes in, exit 0
    code, out, _ = run(capsys, "import", str(f), "--skip-invalid", "--json", "--db", str(db_file))
    rep = json.loads(out)
    assert code == 0 and rep["committed"] and rep["counts"]["rejected"] == 1


def test_import_text_output_in_english(db_file, tmp_path, capsys):
    f = tmp_path / "bad.csv"
    f.write_bytes(BAD)
    code, out, _ = run(capsys, "import", str(f), "--lang", "en", "--db", str(db_file))
    assert code == 1 and "Not a number." in out and "nothing will be written" in out


def test_usage_errors_exit_2(db_file, tmp_path, capsys):
    assert run(capsys, "import", str(tmp_path / "missing.csv"), "--db", str(db_file))[0] == 2
    f = tmp_path / "good.csv"
    f.write_bytes(GOOD)
    assert run(capsys, "import", str(f), "--kind", "nonsense")[0] == 2
    assert run(capsys, "rollback", "abc")[0] == 2
    assert run(capsys)[0] == 2


def test_rollback_command(db_file, tmp_path, capsys):
    f = tmp_path / "good.csv"
    f.write_bytes(GOOD)
    code, out, _ = run(capsys, "import", str(f), "--json", "--db", str(db_file))
    bid = json.loads(out)["batch_id"]
    assert run(capsys, "rollback", str(bid + 5), "--db", str(db_file))[0] == 1
    code, out, _ = run(capsys, "rollback", str(bid), "--db", str(db_file))
    assert code == 0 and str(bid) in out
    with store.opened(db_file) as db:
        assert store.metric_values(db).empty
    code, _, err = run(capsys, "rollback", str(bid), "--db", str(db_file))
    assert code == 1 and "已经回滚" in err


def test_export_writes_every_table_with_bom_and_neutralised_formulas(db_file, tmp_path, capsys):
    f = tmp_path / "evil.csv"
    f.write_bytes('科室编码,科室名称,党支部\nK01,=HYPERLINK("x"),@SUM(A1)\nK02,-2+3,+cmd\n'.encode())
    assert run(capsys, "import", str(f), "--db", str(db_file))[0] == 0
    out = tmp_path / "out"
    code, printed, _ = run(capsys, "export", "--out", str(out), "--db", str(db_file))
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t}.csv" for t in store.export_tables())
    raw = (out / "departments.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    by = {r["dept_code"]: r for r in rows}
    assert by["K01"]["dept_name"] == '\'=HYPERLINK("x")' and by["K01"]["party_branch"] == "'@SUM(A1)"
    assert by["K02"]["dept_name"] == "'-2+3" and by["K02"]["party_branch"] == "'+cmd"


def test_neutralise_leaves_numbers_and_plain_text_alone():
    assert safe.sheet_cell(-3.5) == -3.5
    assert safe.sheet_cell("心血管内科") == "心血管内科"
    assert safe.sheet_cell("=1+1") == "'=1+1"


@pytest.mark.process
def test_python_dash_m_metrics_runs_as_a_process(db_file, tmp_path):
    f = tmp_path / "good.csv"
    f.write_bytes(GOOD)
    p = subprocess.run(
        [sys.executable, "-m", "metrics", "import", str(f), "--dry-run", "--json", "--db", str(db_file)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["counts"]["new"] == 1
