"""Staff names through the command line (PRODUCT §8): editors' and admins' only, on every path — the points list,
the export's staff.csv, and the audit rows of staff uploads in audit.csv."""

from __future__ import annotations

import pytest

from metrics import store
from metrics.access import grants, users
from metrics.ops import cli

PW = "correct horse battery"


@pytest.fixture
def group(group_store, cheap_hashing):
    for name, role in (("vi1", "viewer"), ("com", "commission"), ("ed1", "editor")):
        users.add_user(name, PW, role)
    grants.grant_hospitals("vi1", ["H01"])
    grants.grant_hospitals("ed1", ["H01"])
    with store.opened(group_store) as db:
        names = set(store.staff(db, "H01")["name"]) | set(store.staff(db, ("H01", "H02", "H03"))["name"])
    assert len(names) > 20
    return group_store, names


def _named(text: str, names: set[str]) -> list[str]:
    return sorted(n for n in names if n in text)


@pytest.mark.parametrize("user", ["vi1", "com"])
def test_points_list_refused_to_a_viewer_and_the_commission(group, user, capsys):
    db, names = group
    code = cli.main(["points", "2026", "--hospital", "H01", "--user", user, "--json", "--db", str(db)])
    out = capsys.readouterr()
    assert code == 2
    assert _named(out.out + out.err, names) == []
    assert "编辑" in out.err  # says who may produce it
    with store.opened(db) as d:
        assert store.audit_entries(d, actions=["points_export"]).empty  # nothing was produced


def test_points_list_for_an_editor_names_the_staff(group, capsys):
    db, names = group
    assert cli.main(["points", "2026", "--hospital", "H01", "--user", "ed1", "--json", "--db", str(db)]) == 0
    assert len(_named(capsys.readouterr().out, names)) >= 10


@pytest.mark.parametrize(("user", "hospital"), [("vi1", "H01"), ("com", None)])
def test_export_to_a_non_editor_carries_no_names(group, user, hospital, tmp_path, capsys):
    db, names = group
    out = tmp_path / "export"
    argv = ["export", "--out", str(out), "--user", user, "--db", str(db)] + (
        ["--hospital", hospital] if hospital else []
    )
    assert cli.main(argv) == 0
    assert not (out / "staff.csv").exists()
    for f in out.glob("*.csv"):
        assert _named(f.read_text(encoding="utf-8-sig"), names) == [], f.name  # audit.csv's demo rows included
    assert "staff.csv" in capsys.readouterr().err  # says what was left out and why


def test_export_by_an_editor_keeps_the_roster_and_audits_who_and_how_many(group, tmp_path):
    db, names = group
    out = tmp_path / "export"
    assert cli.main(["export", "--out", str(out), "--user", "ed1", "--hospital", "H01", "--db", str(db)]) == 0
    assert len(_named((out / "staff.csv").read_text(encoding="utf-8-sig"), names)) >= 20
    with store.opened(db) as d:
        entry = store.audit_entries(d, actions=["staff_export"]).to_dict("records")[-1]
    assert entry["user"] == "ed1"
    assert _named(str(entry), names) == []


def test_one_hospital_store_a_viewer_account_gets_no_names_the_operator_does(demo_db, cheap_hashing, capsys):
    users.add_user("vi", PW, "viewer")
    with store.opened(demo_db) as d:
        names = set(store.staff(d)["name"])
    assert cli.main(["points", "2026", "--user", "vi", "--json", "--db", str(demo_db)]) == 2
    assert _named(capsys.readouterr().out, names) == []
    assert cli.main(["points", "2026", "--json", "--db", str(demo_db)]) == 0  # the CLI operator, trusted as before
    assert _named(capsys.readouterr().out, names)


STAFF = "工号,姓名,科室编码,入科日期,在岗\nD0001,改名者,K01,2016-01-13,是\nX9,无效日期,K01,2016-13-40,是\n"


def test_a_staff_preview_and_error_report_are_for_editors_only(group, tmp_path, capsys):
    """A viewer's dry run of a roster file would show the stored names it changes; a batch's error report of a
    roster holds the rejected rows' names."""
    db, names = group
    f = tmp_path / "staff.csv"
    f.write_text(STAFF, encoding="utf-8")
    code = cli.main(["import", str(f), "--dry-run", "--hospital", "H01", "--user", "vi1", "--json", "--db", str(db)])
    out = capsys.readouterr()
    assert code != 0 and _named(out.out + out.err, names) == [] and "改名者" not in out.out  # refused whole
    code = cli.main(["import", str(f), "--skip-invalid", "--hospital", "H01", "--user", "ed1", "--db", str(db)])
    assert code == 0
    with store.opened(db) as d:
        batch = store.latest_committed_batch_id(d, "H01")
    capsys.readouterr()
    report = tmp_path / "errors.csv"
    code = cli.main(["errors", str(batch), "--out", str(report), "--user", "vi1", "--db", str(db)])
    assert code == 2 and not report.exists()
    assert cli.main(["errors", str(batch), "--out", str(report), "--user", "ed1", "--db", str(db)]) == 0
    assert "无效日期" in report.read_text(encoding="utf-8-sig")
