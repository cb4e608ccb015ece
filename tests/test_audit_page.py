"""The audit page's time filter (one language at a time): the last N days in the page's language, not a
date-range picker whose calendar speaks English; a record older than the window is hidden until 全部 is chosen."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest

import ui
from metrics import store
from metrics.access import sessions, users

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def admin(db_file, monkeypatch):
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    users.add_user("boss", "a-long-enough-password-1", "admin")
    with store.opened(db_file) as db:  # one record from 200 days ago, stamped as the audit log stamps its rows
        old = (date.today() - timedelta(days=200)).isoformat() + "T09:00:00"
        db.execute("INSERT INTO audit (at, user, action, target) VALUES (?, 'li', 'backup', 'old.db')", [old])
    return sessions.start_session("boss")


@pytest.mark.parametrize("lang, last90, everything", [("zh", "最近 90 天", "全部"), ("en", "Last 90 days", "All")])
def test_the_audit_log_shows_the_last_90_days_until_all_is_chosen(admin, lang, last90, everything):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state[ui.TOKEN_KEY] = admin
    at.session_state[ui.LANG_KEY] = lang
    at.switch_page("pages/audit.py").run()
    assert not at.exception, [e.message for e in at.exception]
    (days,) = [b for b in at.selectbox if b.label in ("日期范围", "Dates")]
    assert days.value == 90 and days.options[2] == last90 and days.options[-1] == everything
    assert "li" not in set(at.dataframe[0].value["user"])  # the 200-day-old record is outside the window
    at.session_state["audit_days"] = (
        0  # 全部 / All: the choice as ui.keep holds it (AppTest cannot format a number choice)
    )
    at.run()
    assert at.selectbox(key=days.key).value == 0
    assert "li" in set(at.dataframe[0].value["user"])
