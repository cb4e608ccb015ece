"""An administrator ends a user's sign-ins in every browser: on the users page and from the command line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from metrics.access import sessions
from metrics.views import audit
from tests.conftest import ROOT
from tests.test_auth_pages import PW, _app, _errors, accounts  # noqa: F401  (the fixture)


def test_the_users_page_ends_every_sign_in_of_a_user_and_audits_it(accounts):  # noqa: F811
    office, home = sessions.start_session("ed"), sessions.start_session("ed")
    kept = sessions.start_session("vi")
    at = _app(sessions.start_session("admin"))
    at.switch_page("pages/users.py").run()
    form = next(f for f in at.get("form") if any(s.key == "end_sessions_user" for s in f.selectbox))
    form.selectbox(key="end_sessions_user").set_value("ed")
    form.button[0].click()
    at.run()
    assert not _errors(at), _errors(at)
    assert "已结束 ed 的 2 个登录" in at.success[0].value
    assert sessions.session_user(office) is None and sessions.session_user(home) is None
    assert sessions.session_user(kept).username == "vi"  # nobody else is signed out
    ended = audit.audit_frame(actions=["user.sessions_ended"])
    assert ended.iloc[0]["target"] == "ed" and ended.iloc[0]["user"] == "admin"


@pytest.mark.process
def test_users_signout_on_the_command_line_ends_the_users_sign_ins(accounts):  # noqa: F811
    token = sessions.start_session("vi")
    out = subprocess.run(
        [sys.executable, "-m", "metrics", "--db", str(accounts), "users", "signout", "vi"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "已结束 vi 的 1 个登录" in out.stdout
    assert sessions.session_user(token) is None
