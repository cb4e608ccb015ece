"""The "viewers must sign in" toggle on 用户管理 writes only when the admin flips it, compared with the
value the page showed (compare-and-set); a stale page never undoes what the command line set, nor credits the
admin with it."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from metrics.access import sessions, users
from metrics.views import audit
from tests.conftest import page_as

PW = "correct horse 9"


pytestmark = pytest.mark.usefixtures("cheap_hashing")


@pytest.fixture(autouse=True)
def login_not_required_by_env(monkeypatch):
    monkeypatch.delenv(sessions.REQUIRE_LOGIN_ENV, raising=False)


def _users_page(db_file) -> AppTest:
    users.add_user("admin", PW, "admin")
    return page_as("pages/users.py", "admin", first_run=True)


def _toggle(at):
    return at.toggle(key="require_login")


def _by_admin(db_file):
    log = audit.audit_frame(actions=["config.require_login"], db_path=db_file)
    return log[log["user"] == "admin"]


def test_a_stale_page_does_not_turn_off_what_the_command_line_turned_on(db_file):
    at = _users_page(db_file)
    assert _toggle(at).value is False
    sessions.set_login_required(True, actor="cli:root")  # the operator, meanwhile
    at.run()  # the admin does anything on the open page: a rerun
    assert sessions.login_required() is True
    assert _by_admin(db_file).empty
    assert _toggle(at).value is True  # the page shows the store's value again


def test_flipping_a_toggle_that_shows_a_stale_value_changes_nothing_and_says_so(db_file):
    at = _users_page(db_file)
    assert _toggle(at).value is False
    sessions.set_login_required(True, actor="cli:root")
    _toggle(at).set_value(True).run()  # the admin wanted it on: it already is
    assert sessions.login_required() is True and _by_admin(db_file).empty
    # shown on (now fresh), the CLI turns it off, the admin flips the stale "on" to off: refused, said so
    sessions.set_login_required(False, actor="cli:root")
    _toggle(at).set_value(False).run()
    assert sessions.login_required() is False and _by_admin(db_file).empty
    assert any("已被其他人修改" in w.value for w in at.warning)


def test_the_admin_turning_it_on_is_written_and_audited_once(db_file):
    at = _users_page(db_file)
    _toggle(at).set_value(True).run()
    assert not at.exception, at.exception
    assert sessions.login_required() is True
    assert len(_by_admin(db_file)) == 1
    at.run()
    at.run()
    assert len(_by_admin(db_file)) == 1 and sessions.login_required() is True


def test_an_admin_demoted_meanwhile_cannot_flip_it(db_file):
    at = _users_page(db_file)
    users.add_user("root", PW, "admin")
    users.set_role("admin", "viewer", actor="root")
    _toggle(at).set_value(True).run()
    assert sessions.login_required() is False and _by_admin(db_file).empty
