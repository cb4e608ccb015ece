"""The overview's view-model (metrics.views.overview): what the page shows, built without Streamlit on the demo
store; and the page itself keeps two stores at the same data version apart (finding 11.8)."""

from __future__ import annotations

import shutil
from pathlib import Path

from streamlit.testing.v1 import AppTest

from metrics import store

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")


def _copy_store(src: Path, dst: Path) -> Path:
    with store.opened(src) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(src, dst)
    return dst


def _two_stores_same_version(demo_db: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The demo store and a copy where every patient satisfaction is 40 points lower, both at one data version."""
    other = _copy_store(demo_db, tmp_path / "other.db")
    with store.opened(other) as db:
        db.execute("UPDATE metric_values SET value = value - 40 WHERE metric = 'patient_satisfaction'")
        store.bump_data_version(db)
    with store.opened(demo_db) as db:
        store.bump_data_version(db)
    with store.opened(demo_db) as a, store.opened(other) as b:
        assert store.data_version(a) == store.data_version(b)
    return demo_db, other


def _overview_kpis(path: Path, monkeypatch) -> list[tuple[str, str]]:
    monkeypatch.setenv(store.DB_ENV, str(path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/overview.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return [(m.label, m.value) for m in at.metric]


def test_two_stores_at_one_data_version_show_their_own_headline_kpis(demo_db, tmp_path, monkeypatch):
    """11.8: the headline KPIs were cached without the store's path, so a second store at the same data version
    showed the first store's satisfaction figures."""
    a, b = _two_stores_same_version(demo_db, tmp_path)
    kpis_a = dict(_overview_kpis(a, monkeypatch))
    kpis_b = dict(_overview_kpis(b, monkeypatch))
    label = next(k for k in kpis_a if "患者满意度" in k and "全院" in k)
    assert kpis_a[label] != kpis_b[label]
    value_a, value_b = (float(v.split()[0].replace(",", "")) for v in (kpis_a[label], kpis_b[label]))
    assert round(value_a - value_b) == 40

