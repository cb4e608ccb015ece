"""Users, hashing, lockout, sessions and the `users` command (PRODUCT §7): store-level, no Streamlit."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher

from metrics import store
from metrics.access import lockout, sessions
from metrics.access import users as accounts
from metrics.ingest import limits
from metrics.ops import cli
from metrics.views import audit
from tests.conftest import ROOT, store_text

PW = "correct horse 9"
PRODUCTION_HASHER = accounts._hasher


pytestmark = pytest.mark.usefixtures("cheap_hashing")


def test_production_hasher_is_argon2id_with_the_rfc9106_profile():
    h = PRODUCTION_HASHER
    assert (h.time_cost, h.memory_cost, h.parallelism) == (3, 65536, 4)
    assert h.hash("x").startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def _audit(db_file, action=None):
    return audit.audit_frame(actions=[action] if action else None, db_path=db_file)


def test_password_is_stored_only_as_an_argon2id_hash(db_file):
    accounts.add_user("alice", PW, "editor")
    with store.opened(db_file) as db:
        row = store.user_row(db, "alice")
        dump = store_text(db)
    assert row["password_hash"].startswith("$argon2id$")
    assert PW not in dump  # nowhere in the file: not in users, not in the audit log
    assert PasswordHasher().verify(row["password_hash"], PW)
    assert "password_hash" not in accounts.list_users().columns


def test_two_users_with_the_same_password_get_different_hashes(db_file):
    accounts.add_user("a1", PW)
    accounts.add_user("a2", PW)
    with store.opened(db_file) as db:
        assert store.user_row(db, "a1")["password_hash"] != store.user_row(db, "a2")["password_hash"]


def test_sign_in_checks_the_password(db_file):
    accounts.add_user("alice", PW, "editor")
    assert lockout.authenticate("alice", PW).ok
    assert lockout.authenticate("alice", PW).role == "editor"
    wrong = lockout.authenticate("alice", PW + "x")
    assert not wrong.ok and wrong.reason == "invalid"
    nobody = lockout.authenticate("mallory", PW)
    assert not nobody.ok and nobody.reason == "invalid"
    # same answer for an unknown user and a wrong password: the message does not reveal which
    assert wrong.message("zh") == nobody.message("zh") == "用户名或密码不正确。"


def test_five_failures_lock_the_account_for_fifteen_minutes(db_file):
    accounts.add_user("alice", PW, "editor")
    t0 = datetime(2026, 11, 22, 9, 0, 0)
    for i in range(4):
        assert lockout.authenticate("alice", "wrong", now=t0 + timedelta(seconds=i)).reason == "invalid"
    fifth = lockout.authenticate("alice", "wrong", now=t0 + timedelta(seconds=5))
    assert fifth.reason == "locked"
    assert fifth.locked_until == "2026-11-22T09:15:05"
    assert "15 分钟" in fifth.message("zh") and "09:15" in fifth.message("zh")
    # the right password does not get in while locked
    during = lockout.authenticate("alice", PW, now=t0 + timedelta(minutes=14))
    assert not during.ok and during.reason == "locked"
    users = accounts.list_users().set_index("username")
    assert users.loc["alice", "locked_until"] == "2026-11-22T09:15:05"
    assert users.loc["alice", "failed_count"] == 5
    # after 15 minutes the right password works and the count starts afresh
    after = lockout.authenticate("alice", PW, now=t0 + timedelta(minutes=16))
    assert after.ok
    assert accounts.list_users().set_index("username").loc["alice", "failed_count"] == 0
    locks = _audit(db_file, "user.locked")
    assert len(locks) == 1 and locks.iloc[0]["user"] == "alice"


def test_a_success_resets_the_consecutive_failure_count(db_file):
    accounts.add_user("alice", PW)
    for _ in range(4):
        lockout.authenticate("alice", "wrong")
    assert lockout.authenticate("alice", PW).ok
    for _ in range(4):
        assert lockout.authenticate("alice", "wrong").reason == "invalid"
    assert lockout.authenticate("alice", PW).ok


def test_every_sign_in_is_audited_success_and_failure(db_file):
    accounts.add_user("alice", PW)
    lockout.authenticate("alice", PW)
    lockout.authenticate("alice", "nope")
    lockout.authenticate("ghost", "nope")
    log = _audit(db_file)
    assert list(log["action"][:3]) == ["signin.fail", "signin.fail", "signin.ok"]
    assert '"unknown_user"' in log.iloc[0]["detail"]
    assert "ghost" not in log.to_csv()  # a name that is no user is never written (it may be a password)
    assert '"bad_password"' in log.iloc[1]["detail"]
    assert "nope" not in log.to_csv() and PW not in log.to_csv()


def test_user_changes_are_audited_with_before_and_after(db_file):
    accounts.add_user("bob", PW, "viewer", actor="root")
    accounts.set_role("bob", "editor", actor="root")
    accounts.set_password("bob", PW + "2", actor="root")
    accounts.remove_user("bob", actor="root")
    log = _audit(db_file).iloc[::-1]
    assert list(log["action"]) == ["user.add", "user.role", "user.passwd", "user.remove"]
    assert set(log["user"]) == {"root"}
    role = log[log["action"] == "user.role"].iloc[0]
    assert role["before"] == '{"role": "viewer"}' and role["after"] == '{"role": "editor"}'


def test_refusals_name_the_problem(db_file):
    accounts.add_user("admin", PW, "admin")
    with pytest.raises(accounts.AuthError) as e:
        accounts.add_user("admin", PW)
    assert e.value.message("zh") == "用户「admin」已存在。"
    with pytest.raises(accounts.AuthError) as e:
        accounts.add_user("carol", "short")
    assert "至少需要 8 个字符" in e.value.message("zh")
    with pytest.raises(accounts.AuthError):
        accounts.add_user("carol", PW, "superuser")
    with pytest.raises(accounts.AuthError):
        accounts.add_user("bad name;", PW)
    with pytest.raises(accounts.AuthError) as e:
        accounts.set_role("admin", "viewer")
    assert e.value.key == "auth.err.last_admin"
    with pytest.raises(accounts.AuthError):
        accounts.remove_user("admin")
    assert accounts.list_users()["username"].tolist() == ["admin"]


def test_sessions_map_a_random_token_to_the_current_role(db_file):
    accounts.add_user("ed", PW, "editor")
    token = sessions.start_session("ed")
    assert len(token) >= 40
    assert sessions.session_user(token) == accounts.User("ed", "editor")
    with store.opened(db_file) as db:
        assert token not in store_text(db)  # only its hash is kept
    accounts.add_user("admin", PW, "admin")
    accounts.set_role("ed", "viewer")
    assert sessions.session_user(token) is None  # a role change ends the sessions: the next sign-in holds the new role
    token = sessions.start_session("ed")
    assert sessions.session_user(token).role == "viewer"  # read from users on every call
    assert sessions.session_user("forged-token") is None
    assert sessions.session_user(token, now=datetime.now() + timedelta(hours=sessions.SESSION_HOURS + 1)) is None
    sessions.end_session(token)
    assert sessions.session_user(token) is None


def test_a_removed_user_or_a_new_password_ends_the_sessions(db_file):
    accounts.add_user("admin", PW, "admin")
    accounts.add_user("ed", PW, "editor")
    t1 = sessions.start_session("ed")
    accounts.set_password("ed", PW + "new")
    assert sessions.session_user(t1) is None
    t2 = sessions.start_session("ed")
    accounts.remove_user("ed")
    assert sessions.session_user(t2) is None


def test_login_required_setting(db_file, monkeypatch):
    monkeypatch.delenv(sessions.REQUIRE_LOGIN_ENV, raising=False)
    assert sessions.login_required() is False
    sessions.set_login_required(True, actor="admin")
    assert sessions.login_required() is True
    monkeypatch.setenv(sessions.REQUIRE_LOGIN_ENV, "0")
    assert sessions.login_required() is False


def test_upload_size_limit_message(db_file):
    assert limits.upload_size_error(limits.MAX_UPLOAD_BYTES) is None
    msg = limits.upload_size_error(limits.MAX_UPLOAD_BYTES + 1, "zh")
    assert "上限为 20 MB" in msg
    assert "limit is 20 MB" in limits.upload_size_error(25 * 1024 * 1024, "en")


# --- the CLI -----------------------------------------------------------------------------------


def _cli(args, stdin="", db=None):
    """Run the command in a real process, as an operator would."""
    return subprocess.run(
        [sys.executable, "-m", "metrics", "--db", str(db), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def _run(args, db, monkeypatch, capsys, stdin=""):
    """Run the command in this process (same code path as _cli, cheaper): (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = cli.main(["--db", str(db), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.process
def test_cli_adds_the_first_admin_in_a_real_process_without_echoing_the_password(db_file):
    r = _cli(["users", "list"], db=db_file)
    assert r.returncode == 0 and "python -m metrics users add admin --role admin" in r.stderr
    r = _cli(["users", "add", "admin", "--role", "admin", "--password-stdin"], stdin=PW + "\n", db=db_file)
    assert r.returncode == 0, r.stderr
    assert PW not in r.stdout + r.stderr
    assert lockout.authenticate("admin", PW).role == "admin"


def test_cli_users_add_list_role_passwd_remove(db_file, monkeypatch, capsys):
    def run(*args, stdin=""):
        return _run(list(args), db_file, monkeypatch, capsys, stdin)

    assert run("users", "add", "admin", "--role", "admin", "--password-stdin", stdin=PW + "\n")[0] == 0
    assert run("users", "add", "ed", "--role", "editor", "--password-stdin", stdin=PW + "\n")[0] == 0
    code, out, err = run("users", "list")
    assert code == 0 and "admin" in out and "编辑者" in out and "$argon2" not in out and err == ""
    assert run("users", "role", "ed", "viewer")[0] == 0
    assert accounts.list_users().set_index("username").loc["ed", "role"] == "viewer"
    assert run("users", "passwd", "ed", "--password-stdin", stdin="another pass 1\n")[0] == 0
    assert lockout.authenticate("ed", "another pass 1").ok
    assert run("users", "remove", "ed")[0] == 0
    assert accounts.list_users()["username"].tolist() == ["admin"]
    actors = set(_audit(db_file)["user"].dropna())
    assert any(a.startswith("cli:") for a in actors)


def test_cli_refuses_acting_as_a_non_admin_and_changes_nothing(db_file, monkeypatch, capsys):
    accounts.add_user("admin", PW, "admin")
    accounts.add_user("viewer1", PW, "viewer")
    code, _, err = _run(["users", "--as", "viewer1", "role", "viewer1", "admin"], db_file, monkeypatch, capsys)
    assert code == 1 and "不是有效的管理员账号" in err
    assert accounts.list_users().set_index("username").loc["viewer1", "role"] == "viewer"
    assert _run(["users", "--as", "admin", "role", "viewer1", "editor"], db_file, monkeypatch, capsys)[0] == 0
    log = _audit(db_file, "user.role")
    assert log.iloc[0]["user"].startswith("admin (cli:")


def test_cli_refuses_a_short_password_and_demoting_the_last_admin(db_file, monkeypatch, capsys):
    code, _, err = _run(
        ["users", "add", "admin", "--role", "admin", "--password-stdin"], db_file, monkeypatch, capsys, "abc\n"
    )
    assert code == 1 and "至少需要 8 个字符" in err
    assert accounts.list_users().empty
    accounts.add_user("admin", PW, "admin")
    code, _, err = _run(["users", "role", "admin", "editor"], db_file, monkeypatch, capsys)
    assert code == 1 and "最后一个管理员" in err


def test_cli_usage_error_exits_2(db_file):
    assert cli.main(["--db", str(db_file), "users", "add"]) == 2
