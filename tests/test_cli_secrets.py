"""A store's password never shows: not in a message, not in the server log, not on a tool's command line (ps)."""

from __future__ import annotations

import subprocess

import pytest

from metrics import store
from metrics.ops import backup, cli

SECRET = "s3cret-Pw"
FORMS = [
    f"postgresql://ops:{SECRET}@127.0.0.1:1/integrity?connect_timeout=2",
    f"postgresql://ops@127.0.0.1:1/integrity?password={SECRET}&connect_timeout=2",
    f"postgresql://ops@127.0.0.1:1/integrity?sslmode=disable&password={SECRET}",
    f"postgres:///integrity?host=127.0.0.1&port=1&user=ops&password={SECRET}",
    f"host=127.0.0.1 port=1 dbname=integrity user=ops password={SECRET}",
    f"host=127.0.0.1 port=1 dbname=integrity user=ops password='{SECRET} x'",
]


@pytest.mark.parametrize("url", FORMS)
def test_masked_hides_every_form_of_password(url):
    shown = store.masked(url)
    assert SECRET not in shown and "***" in shown
    assert "127.0.0.1" in shown  # still says which server


@pytest.mark.parametrize("url", FORMS[:4])
def test_a_cli_error_does_not_print_the_password(url, capsys):
    assert cli.main(["--db", url, "users", "list"]) == 1
    out = capsys.readouterr()
    assert SECRET not in out.out + out.err
    assert "127.0.0.1" in out.err


@pytest.mark.parametrize("url", FORMS[:4])
def test_pg_dump_gets_the_password_by_environment_never_argv(url, monkeypatch):
    seen = {}

    def fake_run(args, **kw):
        seen["args"], seen["env"] = args, kw.get("env") or {}
        return subprocess.CompletedProcess(args, 0, "", "")

    monkeypatch.setattr(backup.subprocess, "run", fake_run)
    backup._run(["pg_dump", "-Fc"], url)
    assert not any(SECRET in a for a in seen["args"])
    assert seen["env"].get("PGPASSWORD") == SECRET
