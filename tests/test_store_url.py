"""The store chosen by URL (PRODUCT §9): a path, sqlite:///path or postgresql://…; values, order and the data version
read back the same on both stores."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from metrics import store
from metrics.ingest import importer
from tests.conftest import ROOT, file_rows

STORES = ("sqlite", "postgresql")


@pytest.mark.process
def test_a_sqlite_url_is_the_same_store_as_its_path(tmp_path, monkeypatch):
    path = tmp_path / "s.db"
    assert store.db_path(f"sqlite:///{path}") == path
    rows = [{"dept_code": "K01", "dept_name": "心内科"}]
    assert importer.commit_rows("departments", rows, source="t", db_path=f"sqlite:///{path}").committed
    assert file_rows(path, "SELECT dept_code FROM departments") == [("K01",)]
    monkeypatch.setenv(store.DB_ENV, f"sqlite:///{path}")
    r = subprocess.run(
        [sys.executable, "-m", "metrics", "export", "--out", str(tmp_path / "out")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert "K01" in (tmp_path / "out" / "departments.csv").read_text(encoding="utf-8-sig")


def test_a_password_is_hidden_wherever_a_store_is_named():
    url = "postgresql://ops:s3cret@db.example:5432/integrity?sslmode=require"
    assert store.db_path(url) == url and store.is_server(url)
    assert store.masked(url) == "postgresql://ops:***@db.example:5432/integrity?sslmode=require"
    assert store.masked(Path("/srv/integrity.db")) == "/srv/integrity.db"


def test_values_keep_every_digit_on_both_stores(db_file):
    values = [92.35, 0.1 + 0.2, 1234567.891011, 1e-9, 98.76543210123]
    rows = [
        {"month": f"2026-{i + 1:02d}", "dept_code": "K01", "dept_name": "心内科", "投诉件数": 1, "患者满意度": v}
        for i, v in enumerate(values)
        if v <= 100
    ]
    assert importer.commit_rows("metrics", rows, source="t", db_path=db_file).committed
    with store.opened(db_file) as db:
        got = store.metric_values(db, metrics=["patient_satisfaction"])["value"].tolist()
    assert got == [v for v in values if v <= 100]  # float8 on PostgreSQL: not one digit lost


def test_codes_sort_byte_by_byte_on_both_stores(db_file):
    codes = ["a01", "B02", "Z9", "b1", "科01", "K10", "K2"]
    rows = [{"dept_code": c, "dept_name": f"科室{c}"} for c in codes]
    assert importer.commit_rows("departments", rows, source="t", db_path=db_file).committed
    with store.opened(db_file) as db:
        assert store.departments(db)["dept_code"].tolist() == sorted(codes, key=lambda c: c.encode())


@pytest.mark.process
def test_a_commit_in_another_process_moves_the_data_version_this_one_reads(db_file):
    with store.opened(db_file) as db:
        v0 = store.data_version(db)
    code = (
        "from metrics.ingest import importer; import sys;"
        f"r = importer.commit_rows('departments', [{{'dept_code': 'K09', 'dept_name': '眼科'}}], source='t', db_path={str(db_file)!r});"
        "sys.exit(0 if r.committed else 1)"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=120).returncode == 0
    with store.opened(db_file) as db:
        assert store.data_version(db) == v0 + 1
        assert "K09" in store.departments(db)["dept_code"].tolist()
