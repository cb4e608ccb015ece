"""An export re-imports as it is: every file `export` writes for a kind goes back through `import FILE` (no --kind,
no editing) into a fresh store, and the fresh store then holds the same data."""

from __future__ import annotations

import unicodedata

import pandas as pd

from metrics import contract, store
from metrics.ops import cli

# the file of each table, in the order a fresh store takes them (departments before the rows that name them)
FILES = list(contract.table_keys())


def _table(db_path, table: str) -> pd.DataFrame:
    with store.opened(db_path) as db:
        frame = store.table_frame(db, table)
    frame = frame.drop(columns=[c for c in ("is_demo",) if c in frame.columns])  # the demo's own flag, not data
    key = list(contract.table_keys()[table])
    frame = frame.astype(object).where(frame.notna(), None)
    # text enters a store in NFKC (the one validator's rule), so a full-width bracket of the shipped catalogue reads
    # back half-width: compared as the validator stores it
    frame = frame.map(
        lambda v: (
            None
            if v in ("", None)
            else str(float(v))
            if isinstance(v, int | float)
            else unicodedata.normalize("NFKC", v)
            if isinstance(v, str)
            else v
        )
    )
    return frame.sort_values(key).reset_index(drop=True)[sorted(frame.columns)]


def test_every_kind_exported_re_imports_into_a_fresh_store_as_the_same_data(demo_db, tmp_path, capsys):
    out = tmp_path / "export"
    assert cli.main(["export", "--out", str(out), "--db", str(demo_db)]) == 0
    fresh = tmp_path / "fresh.db"
    for table in FILES:
        code = cli.main(["import", str(out / f"{table}.csv"), "--db", str(fresh), "--user", "li"])
        assert code == 0, (table, capsys.readouterr().out[-800:])
    capsys.readouterr()
    for table in FILES:
        pd.testing.assert_frame_equal(_table(fresh, table), _table(demo_db, table), obj=table)


def test_one_hospital_of_a_group_store_round_trips(group_store, tmp_path, cheap_hashing, capsys):
    from metrics.access import users

    users.add_user("adm", "correct horse battery", "admin")
    out = tmp_path / "export"
    assert cli.main(["export", "--out", str(out), "--hospital", "H01", "--user", "adm", "--db", str(group_store)]) == 0
    fresh = tmp_path / "fresh.db"
    users.add_user("adm", "correct horse battery", "admin", db_path=fresh)
    for table in FILES:
        code = cli.main(["import", str(out / f"{table}.csv"), "--db", str(fresh), "--user", "adm"])
        assert code == 0, (table, capsys.readouterr().out[-800:])
    for table in FILES:
        if table in store.HOSPITAL_TABLES:
            with store.opened(group_store) as db:
                want = store.table_frame(db, table, hospital="H01")
            with store.opened(fresh) as db:
                got = store.table_frame(db, table, hospital="H01")
            key = list(contract.table_keys()[table])
            assert len(got) == len(want), table
            assert got.sort_values(key)[key].values.tolist() == want.sort_values(key)[key].values.tolist(), table
