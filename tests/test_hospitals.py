"""Hospitals as a dimension (PRODUCT §9): a v5 store migrates keeping every row; a one-hospital store
never shows a hospital; in a group store a user of hospital A can neither read nor write hospital B — through the
store's reads, the view-models, the page's URL check, uploads (a 医院编码 column and rows), exports and the CLI."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import psycopg
import pytest
from streamlit.testing.v1 import AppTest

from metrics import clock, store
from metrics.access import grants, sessions
from metrics.access import users as accounts
from metrics.ingest import export, importer
from metrics.ops import cli
from metrics.store import engine
from metrics.views import ViewKey
from metrics.views import overview as overview_view
from metrics.views import tasks as tasks_view
from tests.conftest import DEMO_END_MONTH, ROOT

V5_STORE = Path(__file__).parent / "data" / "store_v5.db"  # made by the code at 121c68b (schema 5) from its templates
PW = "correct horse 9"
A, B = "H01", "H02"

pytestmark = pytest.mark.usefixtures("cheap_hashing")


# --- the migration -------------------------------------------------------------------------------------------


def _kept(table: str, column: str, value) -> bool:
    """A column compared across the migration: not the hospital, nor a later version's column left empty (events'
    person and post, version 9)."""
    return column != "hospital_code" and not (value is None and store.MIGRATED_COLUMNS.get((table, column), 0) > 6)


def _rows(path: Path, table: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        cur = conn.execute(f"SELECT * FROM {table}")
        cols = [d[0] for d in cur.description]
        return sorted(
            json.dumps({c: v for c, v in zip(cols, r) if _kept(table, c, v)}, sort_keys=True) for r in cur
        ), cols
    finally:
        conn.close()


# hospital tables a v5 store does not have: contacts came in version 7, the 一院一品 tables in version 8, the
# person and post units in version 9, the 申报表 in version 10
NEWER_TABLES = (
    *("contacts", "activities", "risks", "talks", "brand_projects", "brand_notes"),  # versions 7 and 8
    *("award_units", "unit_award_changes"),  # version 9
    "applications",  # version 10
)


def _assert_migrates_keeping_rows(target, read_rows) -> None:
    """Opening the v5 store ``target`` (twice: the second changes nothing) makes it the current schema with no
    hospital; every row is kept (``read_rows(target, table)`` → (rows without hospital_code, columns)), and each
    hospital table's key now starts with hospital_code."""
    v5_tables = [t for t in store.HOSPITAL_TABLES if t not in NEWER_TABLES]
    tables = [*v5_tables, "batches", "batch_changes", "audit", "users", "calendar_days"]
    before = {t: read_rows(target, t)[0] for t in tables}
    assert all(before[t] for t in ("departments", "metric_values", "events", "award_changes", "tasks", "staff"))
    for _ in range(2):  # opening again changes nothing
        with store.opened(target) as db:
            assert store.get_meta(db, "schema_version") == str(store.SCHEMA_VERSION)
            assert store.hospital_codes(db) == ()
    for t in tables:
        rows, cols = read_rows(target, t)
        assert rows == before[t], t
        if t in store.HOSPITAL_TABLES:
            assert cols[0] == "hospital_code"


# SQLite only (no store fixture, so conftest runs it once): it reads tests/data/store_v5.db, a SQLite file.
def test_a_version_5_store_migrates_keeping_every_row_under_the_one_hospital(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    shutil.copy(V5_STORE, path)
    monkeypatch.setenv(store.DB_ENV, str(path))
    assert store.restore_problems(V5_STORE) == []  # a v5 backup may still be restored
    _assert_migrates_keeping_rows(path, _rows)
    conn = sqlite3.connect(path)
    for t in store.HOSPITAL_TABLES:
        assert conn.execute(f"SELECT DISTINCT hospital_code FROM {t}").fetchall() in ([], [("",)])
    conn.close()
    # the latest batch was journalled by v5 (keys without a hospital): its rollback still restores the old value
    with store.opened(path) as db:
        latest = store.latest_committed_batch_id(db)
        old = json.loads(db.execute("SELECT old_json FROM batch_changes WHERE batch_id = ?", [latest]).fetchone()[0])
    importer.rollback(latest, user="t")
    with store.opened(path) as db:
        got = store.metric_values(db, dept_codes=[old["dept_code"]], metrics=[old["metric"]])
    assert got.set_index("month")["value"][old["month"]] == old["value"]
    # and the one hospital still shows no hospital
    assert grants.readable_hospitals(None) == ("",) and grants.writable_hospitals(None) == ()


def _pg_rows(url: str, table: str) -> tuple[list[str], list[str]]:
    with psycopg.connect(url) as conn:
        cur = conn.execute(f"SELECT * FROM {table}")
        cols = [d[0] for d in cur.description]
        rows = [{c: v for c, v in zip(cols, r) if _kept(table, c, v)} for r in cur]
    return sorted(json.dumps(r, sort_keys=True) for r in rows), cols


def _pg_columns(url: str) -> dict[tuple[str, str], tuple]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT table_name, column_name, data_type, collation_name, is_nullable, column_default"
            " FROM information_schema.columns WHERE table_schema = current_schema()"
        ).fetchall()
    return {(t, c): rest for t, c, *rest in rows}


def test_a_version_5_postgresql_store_migrates_as_the_file_does(pg_cluster, monkeypatch):
    """A v5 store on PostgreSQL (as pgstore's code made one: the v5 schema through engine.pg_ddl, "user" quoted),
    holding the rows of tests/data/store_v5.db: opening it rebuilds every hospital table on the server too."""
    url = pg_cluster.new_database(bare=True)
    src = sqlite3.connect(V5_STORE)
    ddl = src.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite%'"
        " ORDER BY type = 'index'"
    ).fetchall()
    with psycopg.connect(url, autocommit=True) as pg:
        for kind, name, sql in ddl:
            pg.execute(engine.pg_ddl(re.sub(r"\buser TEXT", '"user" TEXT', sql)))
            if kind != "table":
                continue
            cur = src.execute(f"SELECT * FROM {name}")
            cols = ", ".join(f'"{d[0]}"' for d in cur.description)
            with pg.cursor() as c:
                c.executemany(f"INSERT INTO {name} ({cols}) VALUES ({', '.join(['%s'] * len(cur.description))})", cur)
        for table, col in (("batches", "batch_id"), ("audit", "id")):  # identities go on after the copied rows
            pg.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{col}'), (SELECT MAX({col}) FROM {table}))")
    src.close()
    monkeypatch.setenv(store.DB_ENV, url)
    _assert_migrates_keeping_rows(url, _pg_rows)
    # the rebuilt tables are what a new store has: DOUBLE PRECISION, not float4; TEXT compared byte by byte
    fresh = pg_cluster.new_database()
    assert _pg_columns(url) == _pg_columns(fresh)
    pg_cluster.drop(fresh)
    with store.opened(url) as db:
        for t in store.HOSPITAL_TABLES:
            assert [r[0] for r in db.execute(f"SELECT DISTINCT hospital_code FROM {t}")] in ([], [""]), t
        latest = store.latest_committed_batch_id(db)
        old = json.loads(db.execute("SELECT old_json FROM batch_changes WHERE batch_id = ?", [latest]).fetchone()[0])
    importer.rollback(latest, user="t")  # a v5 journal (keys without a hospital) rolls back on the server too
    with store.opened(url) as db:
        got = store.metric_values(db, dept_codes=[old["dept_code"]], metrics=[old["metric"]])
        assert store.batch(db, latest)["status"] != "committed"
    assert got.set_index("month")["value"][old["month"]] == old["value"]
    store.dispose(url)
    pg_cluster.drop(url)


# --- one hospital ---------------------------------------------------------------------------------------------


def test_a_one_hospital_store_has_no_hospital_list_and_never_asks_for_one(demo_db, tmp_path):
    assert grants.readable_hospitals(None) == ("",)
    accounts.add_user("ed", PW, "editor")
    assert grants.writable_hospitals("ed") == ("",)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.switch_page("pages/overview.py")
    at.run()
    assert not at.exception and not at.error
    assert cli.main(["export", "--hospital", A, "--out", str(tmp_path / "x")]) == 2


# --- a group store ---------------------------------------------------------------------------------------------


@pytest.fixture
def group_db(group_store, cheap_hashing) -> Path | str:
    """A private copy of a three-hospital demo store with accounts: a_ed (editor of A), a_vi (viewer of A), comm
    (commission), adm (admin). A file on SQLite, a database URL on PostgreSQL."""
    path = group_store
    for name, role in (("a_ed", "editor"), ("a_vi", "viewer"), ("comm", "commission"), ("adm", "admin")):
        accounts.add_user(name, PW, role)
    grants.grant_hospitals("a_ed", [A])
    grants.grant_hospitals("a_vi", [A])
    return path


def test_grants_say_who_reads_and_writes_which_hospital(group_db):
    every = (A, B, "H03")
    assert grants.readable_hospitals("a_ed") == (A,) and grants.writable_hospitals("a_ed") == (A,)
    assert grants.readable_hospitals("a_vi") == (A,) and grants.writable_hospitals("a_vi") == ()
    assert grants.readable_hospitals("comm") == every and grants.writable_hospitals("comm") == ()
    assert grants.readable_hospitals("adm") == every and grants.writable_hospitals("adm") == every
    assert grants.readable_hospitals(None) == () and grants.writable_hospitals(None) == ()
    with pytest.raises(accounts.AuthError):
        grants.grant_hospitals("a_vi", ["H09"])  # not in the hospital list
    assert cli.main(["users", "grant", "a_vi", B]) == 0
    assert grants.readable_hospitals("a_vi") == (A, B)


def test_store_reads_return_one_hospitals_rows_only(group_db):
    with store.opened(group_db) as db:
        for read in (store.departments, store.metric_values, store.events, store.award_changes, store.tasks):
            a, b = read(db, hospital=A), read(db, hospital=B)
            both = read(db, hospital=(A, B))
            assert len(a) and len(b) and len(both) == len(a) + len(b)
            assert set(both["hospital_code"]) == {A, B} and "hospital_code" not in a.columns
            assert read(db, hospital=()).empty  # no hospital chosen: nothing (SQLite's "IN ()" is no PostgreSQL)
        assert store.metric_values(db, hospital=A, dept_codes=[]).empty and store.is_empty(db, hospital=())
        assert store.batches(db, hospital=()).empty and store.table_frame(db, "metric_values", hospital=()).empty
        mv = {h: store.metric_values(db, hospital=h) for h in (A, B)}
        key = ["dept_code", "month", "metric"]
        joined = mv[A].merge(mv[B], on=key, suffixes=("_a", "_b"))
        assert (joined["value_a"] != joined["value_b"]).any()  # the same department codes, other values
        assert store.metric_values(db, hospital="").empty and store.departments(db).empty


def test_a_view_for_hospital_b_shows_b_and_is_keyed_by_it(group_db):
    with store.opened(group_db) as db:
        version = store.data_version(db)
    with store.opened(group_db) as db:
        depts = {h: "\n".join(store.departments(db, hospital=h)["dept_code"]) for h in (A, B)}
    views = {
        h: overview_view.build(
            ViewKey.of(
                str(group_db), version, "zh", hospital=h, grain="year", period=DEMO_END_MONTH[:4], depts=depts[h],
                today=clock.today(),
            )
        )
        for h in (A, B)
    }  # fmt: skip
    assert ViewKey.of("s", 1, "zh", hospital=A) != ViewKey.of("s", 1, "zh", hospital=B)
    assert views[A].caption == views[B].caption  # the same period
    assert not views[A].table.equals(views[B].table)
    t = tasks_view.build(ViewKey.of(str(group_db), version, "zh", hospital=B))
    with store.opened(group_db) as db:
        assert len(t.tasks) == len(store.tasks(db, hospital=B)) > 0


def _page(user: str | None, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if user:
        at.session_state["_auth_token"] = sessions.start_session(user)
    at.switch_page("pages/overview.py")
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def _shown_text(at: AppTest) -> str:
    parts = [*(m.value for m in at.markdown), *(m.label for m in at.metric), *(str(m.value) for m in at.metric)]
    return "\n".join(parts + [df.value.to_csv() for df in at.dataframe])


def test_a_url_naming_hospital_b_shows_an_error_to_a_user_of_a_not_bs_data(group_db):
    at = _page("a_vi", hospital=B)
    assert [e.value for e in at.error] == ["您无权查看医院“H02”的数据。"]
    assert not at.metric and not at.dataframe
    own = _page("a_vi", hospital=A)
    assert not own.error and own.metric
    default = _page("a_vi")  # no URL: the user's first hospital
    assert not default.error and _shown_text(default) == _shown_text(own)
    assert _page("comm", hospital=B).metric  # the commission reads every hospital
    anonymous = _page(None)  # told to sign in (tests/test_hospitals_writes.py: every page)
    assert [i.value for i in anonymous.info] and not anonymous.error and not anonymous.metric


def _metrics_csv(rows: list[tuple], hospital_col: bool = True) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["医院编码", "月份", "科室编码", "患者满意度"] if hospital_col else ["月份", "科室编码", "患者满意度"])
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _state(path: Path | str) -> tuple:
    with store.opened(path) as db:
        return store.data_version(db), store.metric_values(db, hospital=(A, B, "H03")).to_csv()


def test_an_upload_for_hospital_b_by_a_user_of_a_is_refused_and_nothing_is_written(group_db):
    before = _state(group_db)
    for skip in (False, True):
        r = importer.commit(
            _metrics_csv([(B, "2026-10", "K01", 99)]), "b.csv", "metrics", user="a_ed", skip_invalid=skip
        )
        assert not r.committed and any("H02" in p.message and "权限" in p.message for p in r.problems)
    # without the column, the upload is for the hospital chosen: B is refused the same way
    r = importer.commit(_metrics_csv([("2026-10", "K01", 99)], False), "b2.csv", "metrics", user="a_ed", hospital=B)
    assert not r.committed and "H02" in r.problems[0].message
    # rows (the page editors' way) too
    r = importer.commit_rows("tasks", [dict(task_code="X1", title="t", lead_dept="K01", due_on="2026-12-31")],
                             source="edit", user="a_ed", hospital=B)  # fmt: skip
    assert not r.committed and "H02" in r.problems[0].message
    # an unknown code, a row of another hospital in A's file, and no hospital at all in a group store
    for rows, hosp, word in (
        ([("H09", "2026-10", "K01", 99)], "", "H09"),
        ([(A, "2026-10", "K01", 99), (B, "2026-10", "K02", 98)], "", "一家医院"),
    ):
        r = importer.commit(_metrics_csv(rows), "x.csv", "metrics", user="adm", hospital=hosp)
        assert not r.committed and any(word in p.message for p in r.problems), r.problems
    r = importer.commit(_metrics_csv([("2026-10", "K01", 99)], False), "none.csv", "metrics", user="adm")
    assert not r.committed and "多家医院" in r.problems[0].message
    assert _state(group_db) == before
    # the same file for A is written under A only
    ok = importer.commit(_metrics_csv([(A, "2026-10", "K01", 99)]), "a.csv", "metrics", user="a_ed")
    assert ok.committed and ok.hospital == A
    with store.opened(group_db) as db:
        a = store.metric_values(db, hospital=A, dept_codes=["K01"], metrics=["patient_satisfaction"])
        b = store.metric_values(db, hospital=B, dept_codes=["K01"], metrics=["patient_satisfaction"])
        assert store.batch(db, ok.batch_id)["hospital_code"] == A
    assert a.set_index("month")["value"]["2026-10"] == 99 and b.set_index("month")["value"]["2026-10"] != 99


def test_only_admins_change_the_hospital_list(group_db):
    row = [dict(hospital_code="H04", name_zh="新医院")]
    r = importer.commit_rows("hospitals", row, source="edit", user="a_ed")
    assert not r.committed and "管理员" in r.problems[0].message
    assert importer.commit_rows("hospitals", row, source="edit", user="adm").committed
    with store.opened(group_db) as db:
        assert store.hospital_codes(db) == (A, B, "H03", "H04")


def test_an_export_for_a_hospital_holds_its_rows_only(group_db, tmp_path):
    export.export_all(tmp_path / "a", hospital=A)
    for table in ("metric_values", "departments", "staff", "batches"):
        frame = pd.read_csv(tmp_path / "a" / f"{table}.csv", dtype=str, keep_default_na=False)
        assert len(frame) and set(frame["hospital_code"]) == {A}, table


def test_the_cli_refuses_a_hospital_the_user_may_not_use(group_db, tmp_path, capsys):
    out = str(tmp_path / "out")
    f = tmp_path / "b.csv"
    f.write_bytes(_metrics_csv([("2026-10", "K01", 99)], False))
    before = _state(group_db)
    refused = [
        (["export", "--hospital", B, "--user", "a_vi", "--out", out], "a_vi"),
        (["briefing", "--hospital", B, "--user", "a_vi", "--html", str(tmp_path / "b.html")], "a_vi"),
        (["import", str(f), "--kind", "metrics", "--hospital", B, "--user", "a_ed"], "a_ed"),
        (["import", str(f), "--kind", "metrics", "--hospital", A, "--user", "a_vi"], "a_vi"),  # a viewer writes not
        (["points", "2026", "--hospital", B, "--user", "a_vi"], "a_vi"),
    ]
    for argv, user in refused:
        capsys.readouterr()
        assert cli.main(argv) == 2, argv
        assert f"用户 {user} 无权访问医院" in capsys.readouterr().err
    assert cli.main(["export", "--hospital", "H09", "--out", out]) == 2
    assert "H09" in capsys.readouterr().err
    assert cli.main(["briefing", "--html", str(tmp_path / "b.html")]) == 2  # which hospital?
    assert "--hospital" in capsys.readouterr().err
    assert _state(group_db) == before and not (tmp_path / "b.html").exists() and not Path(out).exists()
    assert cli.main(["briefing", "--hospital", A, "--user", "a_vi", "--html", str(tmp_path / "a.html")]) == 0
    assert cli.main(["import", str(f), "--kind", "metrics", "--hospital", A, "--user", "a_ed"]) == 0


def test_a_user_of_a_neither_sees_nor_rolls_back_bs_batches(group_db):
    from metrics.views import upload as upload_view

    b = importer.commit(_metrics_csv([(B, "2026-10", "K01", 97)]), "b.csv", "metrics", user="adm")
    assert b.committed
    with store.opened(group_db) as db:
        version = store.data_version(db)
    seen = {h: upload_view.build(ViewKey.of(str(group_db), version, "zh", hospital=h)) for h in (A, B)}
    assert "b.csv" in seen[B].history.to_csv() and seen[B].latest == b.batch_id
    assert "b.csv" not in seen[A].history.to_csv() and seen[A].latest != b.batch_id  # A's own latest batch
    with pytest.raises(importer.RollbackRefused) as refused:
        importer.rollback(b.batch_id, user="a_ed")
    assert refused.value.code == "not_granted"
    assert importer.rollback(b.batch_id, user="adm") == 1


def test_in_a_group_store_only_admins_change_what_every_hospital_shares(group_db):
    day = [dict(date="2027-01-01", kind="休", name="元旦")]
    r = importer.commit_rows("calendar", day, source="edit", user="a_ed")
    assert not r.committed and "管理员" in r.problems[0].message
    assert importer.commit_rows("calendar", day, source="edit", user="adm").committed


def test_the_same_file_for_two_hospitals_is_no_duplicate_and_writes_each_once(group_db):
    data = _metrics_csv([("2026-10", "K01", 96)], False)
    first = importer.commit(data, "m.csv", "metrics", user="adm", hospital=A)
    second = importer.commit(data, "m.csv", "metrics", user="adm", hospital=B)
    again = importer.commit(data, "m.csv", "metrics", user="adm", hospital=B)
    assert first.committed and second.committed and again.duplicate_of == second.batch_id
    with store.opened(group_db) as db:
        got = store.metric_values(db, hospital=(A, B), dept_codes=["K01"], metrics=["patient_satisfaction"])
    assert got[got["month"] == "2026-10"].set_index("hospital_code")["value"].to_dict() == {A: 96.0, B: 96.0}


def test_the_upload_page_offers_the_hospital_list_to_admins_only(group_db):
    from metrics.views import upload as upload_view

    with store.opened(group_db) as db:
        version = store.data_version(db)
    for admin in (False, True):
        view = upload_view.build(ViewKey.of(str(group_db), version, "zh", hospital=A, admin=admin))
        assert ("hospitals" in view.kinds) is admin
        assert any(t.kind == "hospitals" for t in view.templates) is admin


def test_a_view_key_for_hospital_b_is_refused_by_the_page_layer_whoever_built_it(group_db):
    script = f"""
from metrics.views import ViewKey, overview
import ui
key = ViewKey.of({str(group_db)!r}, ui.data_version(), "zh", hospital={B!r}, grain="year", period="2026")
ui.view(overview.build, key)
import streamlit as st
st.write("built")
"""
    at = AppTest.from_string(script, default_timeout=60)
    at.session_state["_auth_token"] = sessions.start_session("a_vi")
    at.run()
    assert [e.value for e in at.error] == ["您无权查看医院“H02”的数据。"]
    assert not any("built" in m.value for m in at.markdown)


def test_the_users_page_shows_grants_and_the_commission_role_in_a_group_store(group_db):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["_auth_token"] = sessions.start_session("adm")
    at.switch_page("pages/users.py")
    at.run()
    assert not at.exception and not at.error
    users = at.dataframe[0].value.set_index("用户名")
    assert users.loc["a_ed", "授权医院"] == A and users.loc["comm", "角色"] == "委员会 · 查看全部医院"


def test_cli_reads_of_a_group_store_need_an_account_granted_the_hospital(group_db, tmp_path, capsys):
    """`errors BATCH`, `export`, `briefing` and `points` read one hospital's data (or every hospital's): in a group
    store each takes --user naming an account and reads only what that account may read."""
    bad = "月份,科室编码,患者满意度\n2026-10,K01,abc\n2026-10,K20,98\n".encode()
    rb = importer.commit(bad, "b.csv", "metrics", user="adm", hospital=B, skip_invalid=True)
    assert rb.committed and rb.batch_id
    out = tmp_path / "errs.csv"
    refused = [  # (argv, what stderr names)
        (["errors", str(rb.batch_id), "--out", str(out)], "--user"),  # nobody: no rows of B
        (["errors", str(rb.batch_id), "--out", str(out), "--user", "nobody"], "--user"),
        (["errors", str(rb.batch_id), "--out", str(out), "--user", "a_vi"], "用户 a_vi 无权访问医院"),
        (["export", "--out", str(tmp_path / "all")], "--user"),  # every hospital's tables, to nobody
        (["export", "--hospital", B, "--out", str(tmp_path / "b")], "--user"),
        (["export", "--out", str(tmp_path / "all"), "--user", "a_vi"], "用户 a_vi 无权访问医院"),
        (["briefing", "--hospital", B, "--html", str(tmp_path / "b.html")], "--user"),
        (["points", "2026", "--hospital", B], "--user"),
        # a preview shows what the store holds (changed rows, the departments that reported last month)
        (["import", str(tmp_path / "m.csv"), "--kind", "metrics", "--hospital", B, "--dry-run"], "--user"),
        (
            ["import", str(tmp_path / "m.csv"), "--kind", "metrics", "--hospital", B, "--dry-run", "--user", "a_vi"],
            "用户 a_vi 无权访问医院",
        ),
    ]
    (tmp_path / "m.csv").write_bytes(_metrics_csv([("2026-10", "K01", 99)], False))
    for argv, said in refused:
        capsys.readouterr()
        assert cli.main(argv) == 2, argv
        err = capsys.readouterr().err
        assert said in err and re.search(r"[\u4e00-\u9fff]", err), (argv, err)
    assert not out.exists() and not (tmp_path / "all").exists() and not (tmp_path / "b").exists()
    assert not (tmp_path / "b.html").exists()
    for user in ("comm", "adm"):  # the commission and admins read every hospital
        assert cli.main(["errors", str(rb.batch_id), "--out", str(out), "--user", user]) == 0
        assert "abc" in out.read_text(encoding="utf-8-sig")
        out.unlink()
    ra = importer.commit(bad, "a.csv", "metrics", user="a_ed", hospital=A, skip_invalid=True)
    assert cli.main(["errors", str(ra.batch_id), "--out", str(out), "--user", "a_vi"]) == 0
    assert cli.main(["export", "--hospital", A, "--out", str(tmp_path / "a"), "--user", "a_vi"]) == 0
    dry = ["import", str(tmp_path / "m.csv"), "--kind", "metrics", "--hospital", A, "--dry-run", "--json"]
    assert cli.main([*dry, "--user", "a_ed"]) == 0  # an editor of A previews a file for A (writes nothing)
