"""Every command the product prints (the app's hints, the CLI's own messages and --help, the READMEs, docs/) works
exactly as printed from the repository root of a fresh clone: the system python has none of the packages, so the
command names the project's .venv."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from metrics import i18n
from metrics.access import users

ROOT = Path(__file__).resolve().parent.parent
PRINTED = ".venv/bin/python -m "
# `python -m X` (or python3) not preceded by the .venv path: what fails on a fresh clone
BARE = re.compile(r"(?<![/\w])python3? -m (metrics|bench)\b")


def _texts() -> dict[str, str]:
    texts = {f"i18n:{lang}:{k}": v for lang, table in i18n.TABLES.items() for k, v in table.items()}
    texts["auth.FIRST_ADMIN_CMD"] = users.FIRST_ADMIN_CMD
    for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "bench" / "README.md"]:
        texts[str(p.relative_to(ROOT))] = p.read_text(encoding="utf-8")
    return texts


def test_no_printed_command_needs_an_activated_environment():
    bad = {name: BARE.findall(text) for name, text in _texts().items() if BARE.search(text)}
    assert bad == {}


@pytest.mark.process
def test_the_first_admin_command_works_as_printed_from_the_repo_root(tmp_path):
    """Run the printed form itself, with an environment that has no virtualenv on its PATH."""
    assert users.FIRST_ADMIN_CMD.startswith(PRINTED)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "INTEGRITY_DB": str(tmp_path / "s.db"), "LANG": "C.UTF-8"}
    cmd = users.FIRST_ADMIN_CMD + " --password-stdin"
    r = subprocess.run(
        cmd, shell=True, cwd=ROOT, env=env, input="a-long-admin-password-2026\n", capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    assert "admin" in r.stdout
    r = subprocess.run(PRINTED + "metrics users list", shell=True, cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.returncode == 0 and "admin" in r.stdout, r.stderr


def test_help_names_the_command_as_printed(capsys):
    from metrics.ops import cli

    assert cli.main(["--help"]) == 0
    assert capsys.readouterr().out.split()[1:2] == [".venv/bin/python"]
    assert os.access(ROOT / ".venv/bin/python", os.X_OK)
