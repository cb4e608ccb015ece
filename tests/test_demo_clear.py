"""Clearing the demo data is one transaction — the clear, its audit record and the data version —
and the command line is audited as cli:<os user> like every other CLI action."""

from __future__ import annotations

import getpass
import re

import pytest

from metrics import store
from metrics.ops import cli, demo


def _audit(path) -> list[tuple]:
    with store.opened(path) as db:
        return db.execute('SELECT "user", action FROM audit ORDER BY id').fetchall()


def test_cli_demo_fill_is_audited_as_the_os_user(db_file, capsys):
    assert cli.main(["demo", "--db", str(db_file)]) == 0
    assert set(_audit(db_file)) == {(f"cli:{getpass.getuser()}", "demo")}


def test_cli_clear_is_audited_as_the_os_user(demo_db, capsys):
    assert cli.main(["demo", "--clear", "--db", str(demo_db)]) == 0
    with store.opened(demo_db) as db:
        assert store.is_empty(db)
        # the demo's tasks, notices and fictitious staff go too
        assert store.tasks(db).empty and store.notices(db).empty and store.staff(db).empty
    assert _audit(demo_db)[-1] == (f"cli:{getpass.getuser()}", "clear_demo")


def test_clear_and_its_audit_record_commit_together(demo_db):
    with store.opened(demo_db) as db:
        v0 = store.data_version(db)
        n0 = len(store.departments(db))
        # The audit table refuses the record: the clear must not happen without it.
        if store.is_server(demo_db):
            db.execute(
                "CREATE FUNCTION audit_full() RETURNS trigger AS $$ BEGIN RAISE 'audit full'; END $$ LANGUAGE plpgsql"
            )
            db.execute("CREATE TRIGGER no_audit BEFORE INSERT ON audit EXECUTE FUNCTION audit_full()")
        else:
            db.execute("CREATE TRIGGER no_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'audit full'); END")
    with pytest.raises(store.ERRORS):
        demo.clear(demo_db, user="ed")
    with store.opened(demo_db) as db:
        assert len(store.departments(db)) == n0 and store.data_version(db) == v0
        db.execute("DROP TRIGGER no_audit" + (" ON audit" if store.is_server(demo_db) else ""))
    demo.clear(demo_db, user="ed")
    with store.opened(demo_db) as db:
        assert store.is_empty(db) and store.data_version(db) == v0 + 1
    assert _audit(demo_db)[-1] == ("ed", "clear_demo")


def test_demo_fills_through_the_one_write_path(db_file):
    """The demo's rows pass the upload's validator and come in as audited, journalled batches."""
    from metrics.ingest import importer

    counts = demo.fill(db_file)
    with store.opened(db_file) as db:
        batches = store.batches(db)
        assert store.get_meta(db, "demo") == "1"
        assert len(store.metric_values(db)) == counts["metric_values"]
    kinds = {"departments", "metrics", "events", "awards", "targets", "tasks", "notices", "staff", "contacts", "risks"}
    kinds |= {"activities", "brands", "brand_notes", "talks", "units", "unit_awards", "applications"}
    assert set(batches["file_name"]) == {importer.DEMO_SOURCE} and len(batches) == 17
    assert set(batches["kind"]) == kinds
    assert [a for a in _audit(db_file) if a[1] == "demo"] == [("demo", "demo")] * 17
    # The latest batches (the units' steps and the units, brand notes and projects, the 申报表, talks, activities,
    # risks, contacts, staff, notices, tasks, then the targets) roll back like any upload.
    for batch_id in sorted(batches["batch_id"], reverse=True)[:13]:
        importer.rollback(int(batch_id), user="ed", db_path=db_file)
    with store.opened(db_file) as db:
        assert store.staff(db).empty and store.notices(db).empty and store.tasks(db).empty
        assert store.contacts(db).empty and store.activities(db).empty and store.risks(db).empty
        assert store.brand_projects(db).empty and store.brand_notes(db).empty and store.talks(db).empty
    with store.opened(db_file) as db:
        assert store.targets(db)["dept_code"].eq("").all()


def test_the_demo_command_speaks_the_language_asked_for(db_file, capsys):
    """polish: `demo`, `demo --clear` and the refusal of a store holding data say what happened in Chinese by
    default and in English with --lang en (no hard-coded Chinese in the command line)."""
    cjk = re.compile(r"[\u3400-\u9fff]")
    assert cli.main(["demo", "--db", str(db_file), "--lang", "en"]) == 0
    filled = capsys.readouterr().out
    assert "Demo data loaded" in filled and not cjk.search(filled), filled
    assert cli.main(["demo", "--db", str(db_file), "--lang", "en"]) == 1
    refused = capsys.readouterr().err
    assert "demo --clear" in refused and not cjk.search(refused), refused
    assert cli.main(["demo", "--clear", "--db", str(db_file), "--lang", "en"]) == 0
    cleared = capsys.readouterr().out
    assert "Cleared" in cleared and not cjk.search(cleared), cleared
    assert cli.main(["demo", "--db", str(db_file)]) == 0
    assert "已载入演示数据" in capsys.readouterr().out  # Chinese by default
    assert cli.main(["demo", "--clear", "--db", str(db_file)]) == 0
    assert "已清空数据" in capsys.readouterr().out


def test_the_command_line_holds_no_chinese_literal():
    """Every user-visible sentence of metrics/ops/cli.py comes from metrics/i18n.py (ZH and EN): no string literal
    outside docstrings, comments and the English --help texts (which quote a file's Chinese column names) holds a
    Chinese character."""
    import ast
    from pathlib import Path

    tree = ast.parse(Path(cli.__file__).read_text(encoding="utf-8"))
    docstrings = {
        id(n.body[0].value)
        for n in ast.walk(tree)
        if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef))
        and n.body
        and isinstance(n.body[0], ast.Expr)
        and isinstance(n.body[0].value, ast.Constant)
    }
    helps = {id(k.value) for n in ast.walk(tree) if isinstance(n, ast.keyword) and n.arg == "help" for k in [n]}
    chinese = [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant)
        and isinstance(n.value, str)
        and id(n) not in docstrings | helps
        and re.search(r"[\u3400-\u9fff]", n.value)
    ]
    assert chinese == []
