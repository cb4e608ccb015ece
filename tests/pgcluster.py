"""A throwaway PostgreSQL cluster owned by the test run (PRODUCT §9): Debian's server binaries, a data directory in a
temporary folder, a free local port, fsync off, stopped at the end. ``$INTEGRITY_PG_URL`` points at an existing
server instead (a URL of a role that may CREATE DATABASE). A run where PostgreSQL cannot start fails: ``start``
raises, it never skips.

Reuse (the bench, e2e tests): ``with Cluster.start() as c: url = c.new_database()`` — every ``new_database`` is a
fresh, empty store database copied from a template that already holds the schema.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

PG_URL_ENV = "INTEGRITY_PG_URL"
RUNNING: list[Cluster] = []  # the test session's cluster, while it runs (tests/conftest.py)


def bin_dir() -> Path:
    """The newest installed server's bin directory (/usr/lib/postgresql/<v>/bin), or PATH's initdb's."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise RuntimeError("PostgreSQL server binaries not found: apt-get install -y postgresql")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A server the tests may create databases on: ``admin_url`` (the postgres database) and ``new_database()``."""

    def __init__(self, admin_url: str, data_dir: Path | None = None, as_postgres: bool = False):
        self.admin_url = admin_url
        self.data_dir = data_dir
        self.as_postgres = as_postgres
        self.template: str | None = None
        self.made: set[str] = set()  # databases made and not dropped yet (dropped at stop on a server not ours)

    @classmethod
    def start(cls) -> Cluster:
        """The server $INTEGRITY_PG_URL names, else a new cluster started now (RuntimeError when it cannot be)."""
        if os.environ.get(PG_URL_ENV):
            return cls(os.environ[PG_URL_ENV])
        bindir = bin_dir()
        root = Path(tempfile.mkdtemp(prefix="integrity-pg-"))
        data, sock = root / "data", root / "sock"
        data.mkdir()
        sock.mkdir()
        as_postgres = os.geteuid() == 0  # initdb refuses root: the cluster belongs to the postgres user then
        if as_postgres:
            shutil.chown(root, "postgres")
            shutil.chown(data, "postgres")
            shutil.chown(sock, "postgres")
            os.chmod(root, 0o755)
        port = _free_port()
        run = ["runuser", "-u", "postgres", "--"] if as_postgres else []
        subprocess.run(
            [*run, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
            + ["--encoding", "UTF8", "--locale", "C.UTF-8", "--no-sync"],
            check=True,
            capture_output=True,
        )
        opts = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
        opts += " -c full_page_writes=off -c max_connections=300"
        proc = subprocess.run(
            [*run, str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(root / "log"), "-w", "start"],
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            log = (root / "log").read_text(errors="replace") if (root / "log").exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {proc.stdout}{proc.stderr}{log}")
        return cls(f"postgresql://postgres@127.0.0.1:{port}/postgres", data, as_postgres)

    def _admin(self):
        import psycopg

        return psycopg.connect(self.admin_url, autocommit=True)

    def url_for(self, name: str) -> str:
        from sqlalchemy.engine import make_url

        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def new_database(self, template: str | None = None, bare: bool = False) -> str:
        """A fresh database holding an empty store (schema ensured), or a copy of the database at the URL
        ``template`` (which must have no open connection), or (``bare``) an empty database, no schema; its URL."""
        from sqlalchemy.engine import make_url

        from metrics import store

        if bare:
            name = f"integrity_{uuid.uuid4().hex[:12]}"
            with self._admin() as c:
                c.execute(f"CREATE DATABASE {name}")
            self.made.add(name)
            return self.url_for(name)
        if self.template is None:
            name = f"integrity_tpl_{uuid.uuid4().hex[:8]}"
            with self._admin() as c:
                c.execute(f"CREATE DATABASE {name}")
            url = self.url_for(name)
            with store.opened(url):
                pass
            store.dispose(url)  # a template may have no open connection
            self.template = name
        name = f"integrity_{uuid.uuid4().hex[:12]}"
        source = make_url(template).database if template else self.template
        with self._admin() as c:
            # FILE_COPY (PostgreSQL 15+): a copy of the files, ten times faster than the WAL-logged default here
            fast = " STRATEGY FILE_COPY" if c.info.server_version >= 150000 else ""
            c.execute(f"CREATE DATABASE {name} TEMPLATE {source}{fast}")
        self.made.add(name)
        return self.url_for(name)

    def drop(self, url: str) -> None:
        """Drop a database made by ``new_database`` (its pooled connections closed first)."""
        from sqlalchemy.engine import make_url

        from metrics import store

        store.dispose(url)
        name = make_url(url).database
        self.made.discard(name)
        with contextlib.suppress(Exception), self._admin() as c:
            c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        """Stop and remove our cluster; on a server not ours, drop every database made here (left as found)."""
        if self.data_dir is None:
            for name in list(self.made):
                self.drop(self.url_for(name))
            if self.template:
                with contextlib.suppress(Exception), self._admin() as c:
                    c.execute(f"DROP DATABASE IF EXISTS {self.template} WITH (FORCE)")
            return
        run = ["runuser", "-u", "postgres", "--"] if self.as_postgres else []
        subprocess.run(
            [*run, str(bin_dir() / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "-w", "stop"],
            capture_output=True,
        )
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
