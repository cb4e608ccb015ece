"""A broken store never shows a traceback. A corrupt store gets a friendly page (zh/en, details only in
the server log); a read-only store can still be read, and writes say it is read-only; a full disk gets a clear
message and leaves no partial backup; the store, its -wal/-shm and every backup are owner-only (0600)."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics import store
from metrics.access import users
from metrics.ops import backup
from tests.conftest import ROOT


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _page_text(at: AppTest) -> str:
    return str(at.main) + str(at.sidebar)


# --- a corrupt store ------------------------------------------------------------------------------------------


def _scribble(path: Path, everything: bool) -> None:
    if store.is_server(path):  # a server's damage: tables or columns of ours gone
        with store.opened(path) as db:
            if everything:
                db.execute("DROP TABLE metric_values, departments, events CASCADE")
            else:
                db.execute("ALTER TABLE metric_values DROP COLUMN value")
        return
    raw = bytearray(path.read_bytes())
    if everything:
        raw[:] = b"this is not a database at all " * (len(raw) // 30)
    else:
        for offset in range(8192, len(raw) - 4096, 4096):  # the middle of many pages; the header survives
            raw[offset + 40 : offset + 400] = b"\xff" * 360
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize("everything", [True, False], ids=["not-a-database", "damaged-pages"])
@pytest.mark.parametrize("lang, words", [("zh", "数据库文件已损坏"), ("en", "The store is damaged")], ids=["zh", "en"])
def test_a_corrupt_store_shows_a_friendly_page_and_logs_the_details(demo_db, caplog, everything, lang, words):
    _scribble(demo_db, everything)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["lang"] = lang
    with caplog.at_level(logging.ERROR, logger="integrity"):
        at.run()
    assert not at.exception, at.exception  # no traceback reaches the user
    errors = [e.value for e in at.error]
    assert errors and words in errors[0], errors
    text = _page_text(at)
    where = demo_db if store.is_server(demo_db) else demo_db.parent
    assert str(where) not in text and "Traceback" not in text and "sqlite3" not in text and "psycopg" not in text
    assert "restore" in errors[0]  # what the administrator can do
    assert str(demo_db) in caplog.text  # the server log says which file and why


# --- a full disk (RLIMIT_FSIZE in a child process: writes past the limit fail with EFBIG) ----------------------


def _limited(limit_bytes: int):
    def pre():
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing the process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return pre


def _cli(args, limit=None, lang_env=None):
    return subprocess.run(
        [sys.executable, "-m", "metrics", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limited(limit) if limit else None,
    )


@pytest.mark.process
def test_a_full_disk_during_backup_says_so_and_leaves_no_partial_file(demo_db, tmp_path):
    out = tmp_path / "nightly" / "b.db"
    limit = 16 * 1024 if store.is_server(demo_db) else 256 * 1024  # a PostgreSQL dump is compressed
    r = _cli(["--db", str(demo_db), "backup", "--out", str(out)], limit=limit)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr and "磁盘空间不足" in r.stderr, r.stderr
    assert not out.exists() and list(out.parent.iterdir()) == []  # no b.db, no 0-byte b.db.partial
    r = _cli(["--db", str(demo_db), "backup", "--out", str(out), "--lang", "en"], limit=limit)
    assert "disk is full" in r.stderr


@pytest.mark.process
def test_a_really_full_disk_during_backup_says_so_and_leaves_nothing(demo_db, tmp_path):
    """The same on a small tmpfs (ENOSPC, as on a real full disk), in a private mount namespace."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare not available")
    small = tmp_path / "small"
    small.mkdir()
    code = f"import sys; from metrics.ops import cli; sys.exit(cli.main(['--db', '{demo_db}', 'backup', '--out', '{small}/b.db']))"
    r = subprocess.run(
        [
            "unshare",
            "-m",
            "sh",
            "-c",
            f"mount -t tmpfs -o size={16 if store.is_server(demo_db) else 256}k tmpfs {small}"
            f' && {sys.executable} -c "$CODE"; rc=$?; ls -A {small}; exit $rc',
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CODE": code},
    )
    if "mount:" in r.stderr:
        pytest.skip("cannot mount a tmpfs here: " + r.stderr[-200:])
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Traceback" not in r.stderr and "磁盘空间不足" in r.stderr, r.stderr
    assert r.stdout.strip() == ""  # the tmpfs holds nothing: no b.db, no b.db.partial


@pytest.mark.process
def test_a_full_disk_while_writing_the_store_says_so_without_a_traceback(tmp_path):
    r = _cli(["--db", str(tmp_path / "new.db"), "demo"], limit=200 * 1024)
    assert r.returncode == 1, r.stdout
    assert "Traceback" not in r.stderr and "磁盘空间不足" in r.stderr, r.stderr


# --- a read-only store (a read-only bind mount in a private mount namespace) -----------------------------------


def _read_only_run(store_dir: Path, code: str) -> subprocess.CompletedProcess:
    script = (
        f'mount --bind {store_dir} {store_dir} && mount -o remount,ro,bind {store_dir} && {sys.executable} -c "$CODE"'
    )
    return subprocess.run(
        ["unshare", "-m", "sh", "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CODE": code},
    )


@pytest.fixture
def read_only_store(demo_template, tmp_path):
    if shutil.which("unshare") is None:
        pytest.skip("unshare not available")
    d = tmp_path / "ro"
    d.mkdir()
    path = d / "integrity.db"
    shutil.copy(demo_template, path)
    with store.opened(path):
        pass
    users.add_user("admin", "correct horse 9", "admin", db_path=path)
    probe = _read_only_run(d, "open('" + str(d / "x") + "', 'w')")
    if "Read-only file system" not in probe.stderr:
        pytest.skip("cannot make a read-only bind mount here: " + probe.stderr[-200:])
    return path


def _cli_code(args: list[str]) -> str:
    return f"import sys; from metrics.ops import cli; sys.exit(cli.main({args!r}))"


@pytest.mark.process
def test_a_read_only_store_can_still_be_read(read_only_store):
    r = _read_only_run(read_only_store.parent, _cli_code(["--db", str(read_only_store), "users", "list"]))
    assert r.returncode == 0, r.stderr
    assert "admin" in r.stdout and "Traceback" not in r.stderr


@pytest.mark.process
def test_a_write_to_a_read_only_store_says_the_store_is_read_only(read_only_store):
    code = _cli_code(["--db", str(read_only_store), "users", "unlock", "admin"])
    r = _read_only_run(read_only_store.parent, code)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr and "只读" in r.stderr, r.stderr


@pytest.mark.process
def test_a_read_only_store_can_be_backed_up_elsewhere(read_only_store, tmp_path):
    out = tmp_path / "b.db"
    r = _read_only_run(read_only_store.parent, _cli_code(["--db", str(read_only_store), "backup", "--out", str(out)]))
    assert r.returncode == 0, r.stderr
    assert store.integrity_problems(out) == []


# --- permissions ---------------------------------------------------------------------------------------------


def test_a_new_store_its_wal_and_shm_are_owner_only(tmp_path):
    path = tmp_path / "new.db"
    db = store.connect(path)
    try:
        db.execute("INSERT INTO meta (key, value) VALUES ('x', 'y')")
        for p in (path, Path(str(path) + "-wal"), Path(str(path) + "-shm")):
            assert p.exists() and _mode(p) == 0o600, (p, oct(_mode(p)))
    finally:
        db.conn.close()


def test_an_existing_world_readable_store_is_made_owner_only(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(str(path))
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    os.chmod(path, 0o644)
    with store.opened(path):
        pass
    assert _mode(path) == 0o600


def test_backups_and_the_kept_pre_restore_copy_are_owner_only(demo_db, tmp_path):
    if not store.is_server(demo_db):
        os.chmod(demo_db, 0o644)
    made = backup.backup(tmp_path / "b.db")
    default = backup.backup()
    kept = backup.restore(made)
    for p in (made, default, kept):
        assert _mode(p) == 0o600, (p, oct(_mode(p)))
    assert _mode(backup.backup_dir(demo_db)) == 0o700


_BROWSE = """
import os
from streamlit.testing.v1 import AppTest
os.environ["INTEGRITY_DB"] = {db!r}
at = AppTest.from_file("dashboard.py", default_timeout=60)
at.run()
assert not at.exception, at.exception
print("TITLE", at.title[0].value if at.title else "")
print("ERRORS", [e.value for e in at.error])
at.switch_page("pages/login.py").run()
at.text_input(key="login_username").input("admin")
at.text_input(key="login_password").input("correct horse 9")
at.button[-1].click().run()
assert not at.exception, at.exception
print("SIGNIN", [e.value for e in at.error])
"""


@pytest.mark.process
def test_a_read_only_store_can_be_browsed_and_a_sign_in_says_it_is_read_only(read_only_store):
    r = _read_only_run(read_only_store.parent, _BROWSE.format(db=str(read_only_store)))
    assert r.returncode == 0, r.stderr[-2000:]
    assert "TITLE 总览" in r.stdout and "ERRORS []" in r.stdout, r.stdout
    assert "数据库为只读" in r.stdout.split("SIGNIN", 1)[1], r.stdout


def test_a_read_only_postgresql_store_can_be_read_and_a_write_says_so(pg_url, cheap_hashing, tmp_path):
    """A database in read-only mode (a hot standby, or default_transaction_read_only): reads work, a write says the
    store is read-only, without a traceback."""
    users.add_user("admin", "correct horse 9", "admin", db_path=pg_url)
    name = pg_url.rsplit("/", 1)[1]
    with store.opened(pg_url) as db:
        db.execute(f"ALTER DATABASE {name} SET default_transaction_read_only = on")
    store.dispose(pg_url)  # new sessions start read-only
    r = _cli(["--db", pg_url, "users", "list"])
    assert r.returncode == 0 and "admin" in r.stdout, r.stderr
    r = _cli(["--db", pg_url, "users", "unlock", "admin"])
    assert r.returncode == 1
    assert "Traceback" not in r.stderr and "只读" in r.stderr, r.stderr
    r = _cli(["--db", pg_url, "backup", "--out", str(tmp_path / "standby.dump")])  # a standby can be backed up
    assert r.returncode == 0 and (tmp_path / "standby.dump").exists(), r.stderr
