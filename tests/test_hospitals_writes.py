"""Writes in a group store (PRODUCT §9): a rollback is per hospital (an editor of A is not blocked because
B committed, and B's rows stay byte for byte); demo --clear of one hospital; reports naming the hospital; the CLI's
writes checked against an account's grant; a visitor who is not signed in told to sign in."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics import i18n, store
from metrics.access import sessions
from metrics.ingest import importer
from metrics.ops import cli, demo
from metrics.views import ViewKey
from metrics.views import upload as upload_view
from tests import test_hospitals
from tests.conftest import ROOT
from tests.test_hospitals import A, B, _metrics_csv

group_db = test_hospitals.group_db  # the three-hospital demo store and its accounts (fixture)

pytestmark = pytest.mark.usefixtures("cheap_hashing")


def _hospital_rows(path: Path, hospital: str) -> dict[str, list[str]]:
    """Every stored row of ``hospital``, table by table, exactly as SQLite holds it: repr keeps 92 apart from 92.0."""
    conn = sqlite3.connect(path)
    try:
        return {
            t: sorted(map(repr, conn.execute(f"SELECT * FROM {t} WHERE hospital_code = ?", [hospital])))
            for t in store.HOSPITAL_TABLES
        }
    finally:
        conn.close()


def _value(path: Path, hospital: str, month: str) -> float | None:
    with store.opened(path) as db:
        got = store.metric_values(db, hospital=hospital, dept_codes=["K01"], metrics=["patient_satisfaction"])
    return got.set_index("month")["value"].get(month)


# --- 1. rollback per hospital ------------------------------------------------------------------------------------


def test_an_editor_of_a_rolls_back_as_batch_after_b_committed_and_bs_rows_stay_byte_identical(group_db):
    before_a = _hospital_rows(group_db, A)
    a = importer.commit(_metrics_csv([("2026-11", "K01", 91)], False), "a.csv", "metrics", user="a_ed", hospital=A)
    b = importer.commit(_metrics_csv([("2026-11", "K01", 92)], False), "b.csv", "metrics", user="adm", hospital=B)
    assert a.committed and b.committed
    after_b = _hospital_rows(group_db, B)
    with store.opened(group_db) as db:
        version = store.data_version(db)
    # the upload page of A offers A's batch, though B committed later
    assert upload_view.build(ViewKey.of(str(group_db), version, "zh", hospital=A)).latest == a.batch_id
    assert importer.rollback(a.batch_id, user="a_ed") == 1
    assert _hospital_rows(group_db, A) == before_a
    assert _hospital_rows(group_db, B) == after_b and _value(group_db, B, "2026-11") == 92
    with store.opened(group_db) as db:
        assert store.batch(db, b.batch_id)["status"] == "committed"
    assert importer.rollback(b.batch_id, user="adm") == 1  # B's own batch: still the latest of B


def test_a_later_batch_of_the_same_hospital_or_a_shared_one_blocks_a_rollback_and_is_named(group_db):
    first = importer.commit(_metrics_csv([("2026-11", "K01", 91)], False), "a1.csv", "metrics", user="a_ed", hospital=A)
    second = importer.commit(
        _metrics_csv([("2026-11", "K01", 90)], False), "a2.csv", "metrics", user="a_ed", hospital=A
    )
    with pytest.raises(importer.RollbackRefused) as refused:
        importer.rollback(first.batch_id, user="a_ed")
    assert refused.value.code == "blocked" and refused.value.later == second.batch_id
    text = refused.value.message("zh")
    assert str(second.batch_id) in text and "a2.csv" in text and A in text
    assert importer.rollback(second.batch_id, user="a_ed") == 1
    shared = importer.commit_rows(
        "calendar", [dict(date="2027-01-01", kind="休", name="元旦")], source="edit", user="adm"
    )
    assert shared.committed
    with pytest.raises(importer.RollbackRefused) as refused:
        importer.rollback(first.batch_id, user="a_ed")
    assert refused.value.later == shared.batch_id and "各医院共用" in refused.value.message("zh")
    assert "shared by every hospital" in refused.value.message("en")
    with store.opened(group_db) as db:
        version = store.data_version(db)
    # A's page offers nothing: its latest batch is held by the shared one (an admin's to undo)
    assert upload_view.build(ViewKey.of(str(group_db), version, "zh", hospital=A)).latest is None
    assert _value(group_db, A, "2026-11") == 91
    # a shared batch is blocked by any later batch, of any hospital
    b = importer.commit(_metrics_csv([("2026-12", "K01", 92)], False), "b.csv", "metrics", user="adm", hospital=B)
    with pytest.raises(importer.RollbackRefused) as refused:
        importer.rollback(shared.batch_id, user="adm")
    assert refused.value.later == b.batch_id
    with store.opened(group_db) as db:
        version = store.data_version(db)
    held = upload_view.build(ViewKey.of(str(group_db), version, "zh", hospital=A, admin=True))
    assert held.latest is None and str(b.batch_id) in held.held and "H02" in held.held


def test_an_editor_rolls_back_only_a_hospital_they_may_write(group_db):
    b = importer.commit(_metrics_csv([("2026-11", "K01", 92)], False), "b.csv", "metrics", user="adm", hospital=B)
    for user in ("a_ed", "a_vi", "comm"):
        with pytest.raises(importer.RollbackRefused) as refused:
            importer.rollback(b.batch_id, user=user)
        assert refused.value.code == "not_granted"
    assert _value(group_db, B, "2026-11") == 92


def test_the_cli_rolls_back_the_latest_batch_of_the_hospital_named(group_db, capsys):
    a = importer.commit(_metrics_csv([("2026-11", "K01", 91)], False), "a.csv", "metrics", user="a_ed", hospital=A)
    b = importer.commit(_metrics_csv([("2026-11", "K01", 92)], False), "b.csv", "metrics", user="adm", hospital=B)
    assert cli.main(["rollback", "--hospital", A, "--user", "a_ed"]) == 0  # no batch id: A's latest
    assert str(a.batch_id) in capsys.readouterr().out
    assert _value(group_db, A, "2026-11") != 91 and _value(group_db, B, "2026-11") == 92
    assert cli.main(["rollback", str(b.batch_id), "--hospital", A, "--user", "a_ed"]) == 1  # B's batch is not A's
    assert "H02" in capsys.readouterr().err
    assert cli.main(["rollback", "--hospital", B, "--user", "a_ed"]) == 2  # not a_ed's hospital
    assert "a_ed" in capsys.readouterr().err
    assert _value(group_db, B, "2026-11") == 92


def test_the_upload_page_of_a_rolls_back_as_batch_though_b_committed_later(group_db):
    a = importer.commit(_metrics_csv([("2026-11", "K01", 91)], False), "a.csv", "metrics", user="a_ed", hospital=A)
    b = importer.commit(_metrics_csv([("2026-11", "K01", 92)], False), "b.csv", "metrics", user="adm", hospital=B)
    after_b = _hospital_rows(group_db, B)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["_auth_token"] = sessions.start_session("a_ed")
    at.switch_page("pages/upload.py")
    at.run()
    history = at.dataframe[-1].value
    assert history["医院"].tolist()[0] == A and "b.csv" not in history.to_csv()
    at.checkbox(key=f"_rb_sure_{a.batch_id}").check()
    at.run()
    at.button(key="_rb_go").click()
    at.run()
    assert not at.exception and any(f"已撤销批次 {a.batch_id}" in s.value for s in at.success)
    assert _value(group_db, A, "2026-11") != 91
    assert _hospital_rows(group_db, B) == after_b
    with store.opened(group_db) as db:
        assert store.batch(db, b.batch_id)["status"] == "committed"


# --- 2. demo --clear of one hospital ---------------------------------------------------------------------------


def _audit(path: Path) -> list[tuple]:
    with store.opened(path) as db:
        return db.execute("SELECT user, action, hospital_code FROM audit ORDER BY id").fetchall()


def test_demo_clear_of_one_hospital_clears_that_hospital_only_and_is_audited(group_db, capsys):
    others = {h: _hospital_rows(group_db, h) for h in (A, "H03")}
    assert all(_hospital_rows(group_db, B).values())
    with store.opened(group_db) as db:
        shared = {t: store.table_frame(db, t).to_csv() for t in ("hospitals", "metric_catalogue", "calendar_days")}
        version = store.data_version(db)
    assert cli.main(["demo", "--clear", "--hospital", B, "--user", "adm"]) == 0
    assert B in capsys.readouterr().out
    assert not any(_hospital_rows(group_db, B).values())
    assert {h: _hospital_rows(group_db, h) for h in (A, "H03")} == others
    with store.opened(group_db) as db:
        assert {t: store.table_frame(db, t).to_csv() for t in shared} == shared
        assert store.data_version(db) == version + 1
        assert store.batches(db, hospital=B).empty  # B's history goes with its rows: nothing left to roll back
        assert not store.batches(db, hospital=A).empty
    assert _audit(group_db)[-1] == ("adm", "clear_demo", B)


def test_demo_clear_of_one_hospital_and_its_audit_record_commit_together(group_db):
    before = _hospital_rows(group_db, B)
    with store.opened(group_db) as db:
        db.execute("CREATE TRIGGER no_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'audit full'); END")
    with pytest.raises(sqlite3.DatabaseError):
        demo.clear(group_db, user="adm", hospital=B)
    assert _hospital_rows(group_db, B) == before


def test_demo_clear_in_a_group_store_says_what_it_would_clear_and_checks_the_grant(group_db, capsys):
    before = {h: _hospital_rows(group_db, h) for h in (A, B, "H03")}
    assert cli.main(["demo", "--clear", "--user", "adm"]) == 2  # every hospital? it says so and clears nothing
    err = capsys.readouterr().err
    assert all(h in err for h in (A, B, "H03")) and "--hospital" in err and "--all-hospitals" in err
    assert cli.main(["demo", "--clear", "--hospital", B, "--user", "a_ed"]) == 2  # not a_ed's hospital
    assert "a_ed" in capsys.readouterr().err
    assert cli.main(["demo", "--clear", "--hospital", B]) == 2  # who? a group store's write needs an account
    assert "--user" in capsys.readouterr().err
    assert cli.main(["demo", "--clear", "--all-hospitals", "--user", "a_ed"]) == 2  # every hospital: admins only
    assert {h: _hospital_rows(group_db, h) for h in (A, B, "H03")} == before
    assert cli.main(["demo", "--clear", "--all-hospitals", "--user", "adm"]) == 0
    with store.opened(group_db) as db:
        assert store.is_empty(db)


def test_start_empty_on_the_upload_page_of_a_group_store_clears_the_hospital_on_screen_only(group_db):
    others = {h: _hospital_rows(group_db, h) for h in (B, "H03")}
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["_auth_token"] = sessions.start_session("a_ed")
    at.switch_page("pages/upload.py")
    at.run()
    assert any(A in c.value for c in at.caption)  # it says which hospital it clears
    at.checkbox(key="_start_empty_sure").check()
    at.run()
    at.button(key="_start_empty").click()
    at.run()
    assert not at.exception and any(A in s.value for s in at.success)
    assert not any(_hospital_rows(group_db, A).values())
    assert {h: _hospital_rows(group_db, h) for h in (B, "H03")} == others
    assert _audit(group_db)[-1] == ("a_ed", "clear_demo", A)


# --- 5. the CLI's writes in a group store name an account, whose grant is checked ------------------------------


def test_a_cli_write_to_a_group_store_needs_an_account_and_its_grant(group_db, tmp_path, capsys):
    f = tmp_path / "a.csv"
    f.write_bytes(_metrics_csv([("2026-11", "K01", 91)], False))
    before = {h: _hospital_rows(group_db, h) for h in (A, B)}
    for argv in (
        ["import", str(f), "--kind", "metrics", "--hospital", A],  # the operating-system user: no account
        ["import", str(f), "--kind", "metrics", "--hospital", A, "--user", "nobody"],
        ["rollback", "--hospital", A],
    ):
        capsys.readouterr()
        assert cli.main(argv) == 2, argv
        assert "--user" in capsys.readouterr().err
    assert {h: _hospital_rows(group_db, h) for h in (A, B)} == before
    # a preview writes nothing, but it shows what the store holds (changed rows, last month's departments): it needs
    # an account that may read the hospital (tests/test_hospitals.py: test_cli_reads_of_a_group_store_…)
    assert cli.main(["import", str(f), "--kind", "metrics", "--hospital", A, "--dry-run"]) == 2
    assert cli.main(["import", str(f), "--kind", "metrics", "--hospital", A, "--dry-run", "--user", "a_ed"]) == 0
    assert cli.main(["import", str(f), "--kind", "metrics", "--hospital", A, "--user", "a_ed"]) == 0
    assert _value(group_db, A, "2026-11") == 91
    assert cli.main(["rollback", "--hospital", A, "--user", "a_vi"]) == 2  # a viewer writes nothing
    assert cli.main(["rollback", "--hospital", A, "--user", "a_ed"]) == 0
    assert _value(group_db, A, "2026-11") != 91


def test_the_cli_help_says_a_group_stores_writes_need_an_account(capsys):
    for command in ("import", "rollback", "demo"):
        with pytest.raises(SystemExit):
            cli._parser().parse_args([command, "--help"])
        out = "".join(capsys.readouterr().out.split())  # Chinese by default (--lang en: English)
        assert "多院库中必填" in out and "获授该医院的本库账户" in out, command
        with cli._argparse_in("en"), pytest.raises(SystemExit):
            cli._parser().parse_args([command, "--help"])
        out = " ".join(capsys.readouterr().out.split())
        assert "required in a group store" in out and "account granted the hospital" in out, command


def test_the_cli_rolls_back_a_batch_by_id_checking_its_hospital_against_the_account(group_db, capsys):
    a = importer.commit(_metrics_csv([("2026-11", "K01", 91)], False), "a.csv", "metrics", user="a_ed", hospital=A)
    b = importer.commit(_metrics_csv([("2026-11", "K01", 92)], False), "b.csv", "metrics", user="adm", hospital=B)
    assert cli.main(["rollback", str(b.batch_id), "--user", "a_ed"]) == 1
    assert "H02" in capsys.readouterr().err
    assert cli.main(["rollback", str(a.batch_id), "--user", "a_ed"]) == 0
    assert cli.main(["rollback", "--user", "a_ed"]) == 2  # no id: which hospital's latest?
    assert "--hospital" in capsys.readouterr().err
    assert _value(group_db, A, "2026-11") != 91 and _value(group_db, B, "2026-11") == 92


# --- 3. what reports a batch names its hospital in a group store -----------------------------------------------


def test_reports_of_a_batch_name_its_hospital_in_a_group_store(group_db, tmp_path, capsys):
    from metrics.views import audit

    f = tmp_path / "a.csv"
    f.write_bytes(_metrics_csv([("2026-11", "K01", 91)], False))
    assert cli.main(["import", str(f), "--kind", "metrics", "--hospital", A, "--user", "a_ed", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["hospital"] == A and got["committed"]
    assert cli.main(["import", str(f), "--kind", "metrics", "--hospital", A, "--user", "a_ed"]) == 0  # text
    assert A in capsys.readouterr().out
    shared = importer.commit_rows("calendar", [dict(date="2027-01-01", kind="休", name="元旦")], source="e", user="adm")
    assert shared.to_json()["hospital"] == ""  # what every hospital shares
    with store.opened(group_db) as db:
        version = store.data_version(db)
    view = upload_view.build(ViewKey.of(str(group_db), version, "zh", hospital=A))
    assert list(view.history["hospital_code"].iloc[:2]) == ["各院共用", A]  # the calendar, then a.csv (column 医院)
    importer.rollback(shared.batch_id, user="adm")
    importer.rollback(got["batch_id"], user="a_ed")
    with store.opened(group_db) as db:
        entries = store.audit_entries(db, limit=4)
    said = [audit.sentence(r, "zh") for r in entries.to_dict("records")]
    assert f"医院“{A}”" in said[0] and "回滚" in said[0]  # the rollback of a.csv
    assert f"医院“{A}”" in said[3] and "上传" in said[3]  # its upload
    assert "医院“" not in said[1]  # the shared calendar's rollback names no hospital
    en = audit.sentence(entries.to_dict("records")[0], "en")
    assert f"hospital “{A}”" in en


def test_reports_in_a_one_hospital_store_never_name_a_hospital(demo_db, tmp_path, capsys):
    from metrics.views import audit

    f = tmp_path / "a.csv"
    f.write_bytes(_metrics_csv([("2026-11", "K01", 91)], False))
    assert cli.main(["import", str(f), "--kind", "metrics", "--json"]) == 0
    assert "hospital" not in json.loads(capsys.readouterr().out)
    with store.opened(demo_db) as db:
        version = store.data_version(db)
        entries = store.audit_entries(db, limit=1)
    assert "hospital_code" not in upload_view.build(ViewKey.of(str(demo_db), version, "zh")).history.columns
    assert "医院“" not in audit.sentence(entries.to_dict("records")[0], "zh")


# --- 4. a visitor not signed in is told to sign in -------------------------------------------------------------

MANAGING_PAGES = ("upload", "audit", "users")  # refused before any hospital is read (ui.require_role)
# every page but the sign-in page and the not-found notice (no data; registered only at an address that matches no
# page, tests/e2e/test_typed_urls_browser.py): a new page that shows a group store's data to nobody-signed-in fails here
BROWSE_PAGES = tuple(
    sorted(
        p.stem
        for p in (ROOT / "pages").glob("*.py")
        if not p.stem.startswith("_") and p.stem not in ("login", "notfound", *MANAGING_PAGES)
    )
)


def _anonymous(page: str, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.switch_page(f"pages/{page}.py")
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, (page, at.exception)
    return at


def _drawn(at: AppTest) -> int:
    """Data a page drew: metrics, tables, charts."""
    charts = [e for e in at.main if type(e).__name__ in ("PlotlyChart", "ArrowVegaLiteChart", "UnknownElement")]
    return len(at.metric) + len(at.dataframe) + len(at.table) + len(charts)


@pytest.mark.parametrize("page", BROWSE_PAGES)
def test_a_visitor_not_signed_in_is_asked_to_sign_in_on_every_page_of_a_group_store(group_db, page):
    for params in ({}, {"hospital": B}):  # a URL naming a hospital changes nothing: sign in first
        at = _anonymous(page, **params)
        assert not at.error, (page, params, [e.value for e in at.error])
        assert [i.value for i in at.info] == [
            "本库有多家医院，各医院的数据只对有权限的账户显示：请先登录（左侧“登录”页），即可查看您有权查看的医院。"
        ]
        assert _drawn(at) == 0, page
    at = _anonymous(page, lang="en")  # in English too
    assert [i.value for i in at.info] == [i18n.t("hospital.sign_in", "en")] and "sign in" in at.info[0].value


@pytest.mark.parametrize("page", MANAGING_PAGES)
def test_the_managing_pages_refuse_a_visitor_not_signed_in_and_say_sign_in(group_db, page):
    at = _anonymous(page)
    assert any("登录" in e.value for e in at.error) and _drawn(at) == 0


def test_a_deactivated_admin_neither_clears_every_hospital_nor_rolls_back_a_shared_batch(group_db, capsys):
    shared = importer.commit_rows("calendar", [dict(date="2027-01-01", kind="休", name="元旦")], source="e", user="adm")
    with store.opened(group_db) as db:
        store.update_user(db, "adm", active=0)
    with pytest.raises(importer.RollbackRefused) as refused:
        importer.rollback(shared.batch_id, user="adm")
    assert refused.value.code == "not_granted"
    before = {h: _hospital_rows(group_db, h) for h in (A, B)}
    assert cli.main(["demo", "--clear", "--all-hospitals", "--user", "adm"]) == 2
    assert {h: _hospital_rows(group_db, h) for h in (A, B)} == before


def test_the_upload_page_names_the_batch_that_holds_a_rollback_with_its_file_name_shown_literally(group_db):
    import ui

    first = importer.commit(_metrics_csv([("2026-11", "K01", 91)], False), "a1.csv", "metrics", user="a_ed", hospital=A)
    importer.commit_rows("calendar", [dict(date="2027-01-01", kind="休", name="元旦")], source="edit", user="adm")
    importer.commit(_metrics_csv([("2026-12", "K01", 92)], False), "*粗*.csv", "metrics", user="adm", hospital=B)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["_auth_token"] = sessions.start_session("adm")
    at.switch_page("pages/upload.py")
    at.query_params["hospital"] = A
    at.run()
    held = [c.value for c in at.caption if "不能回滚" in c.value]
    assert len(held) == 1 and ui.md_escape("*粗*.csv") in held[0] and "H02" in held[0], held
    assert not any(c.key == f"_rb_sure_{first.batch_id}" for c in at.checkbox)
