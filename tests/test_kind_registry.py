"""A kind is declared once (contract.KINDS): a throwaway kind registered here — no other file touched — is read,
validated, committed, rolled back, exported, cleared and given a template like every shipped kind, on both stores."""

from __future__ import annotations

import csv
import io

import pytest

from metrics import contract, i18n, store
from metrics.contract import Column
from metrics.ingest import export, importer, validate

STORES = ("sqlite", "postgresql")

GADGETS = contract.hospital_kind(
    name="gadgets",
    zh="器具登记",
    columns=(
        Column("gadget_code", "器具编号", "str", True, ("器具代码",)),
        Column("title", "器具名称", "str", True),
        Column("weight", "重量", "float", lo=0),
        Column("bought_on", "购置日期", "date"),
        Column("state", "状态", "enum", choices=("in_use", "retired")),
    ),
    key=("gadget_code",),
    table="gadgets",
    write=max(k.write for k in contract.KINDS.values()) + 10,
    validator="metrics.ingest.validate:by_columns",
    examples=(dict(gadget_code="G1", title="血压计", weight=1.5, bought_on="2027-01-05", state="in_use"),),
)


@pytest.fixture
def gadgets(monkeypatch):
    """The registry with the throwaway kind (and its label in both languages) for this test only."""
    monkeypatch.setitem(contract.KINDS, GADGETS.name, GADGETS)
    monkeypatch.setitem(i18n.ZH, GADGETS.label, "器具登记")
    monkeypatch.setitem(i18n.EN, GADGETS.label, "Gadgets")
    return GADGETS


def _csv(rows: list[list]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode("utf-8")


def _stored(path) -> list[dict]:
    with store.opened(path) as db:
        frame = store.table_frame(db, "gadgets")
    return frame.sort_values("gadget_code").to_dict("records")


def test_a_kind_added_to_the_registry_flows_through_every_step(gadgets, new_store, tmp_path):
    path = new_store("gadgets", bare=True)  # the store made after the kind is known: its table too

    # template: the registry's Chinese headers and example row
    template = export.template_bytes("gadgets", "csv")
    header = template.decode("utf-8-sig").splitlines()[0]
    assert header == "器具编号,器具名称,重量,购置日期,状态"
    assert "血压计" in template.decode("utf-8-sig")

    # validate: recognised from its headers, each cell checked by its column's type
    bad = _csv(
        [
            ["器具编号", "器具名称", "重量", "购置日期", "状态"],
            ["G1", "血压计", "-1", "2027-01-05", "in_use"],
            ["G2", "", "2", "not a date", "lost"],
            ["G3", "听诊器", "0.2", "2027-02-01", ""],
            ["G3", "听诊器", "0.3", "", ""],
        ]
    )
    report = importer.preview(bad, "gadgets.csv", db_path=path)
    assert report.kind == "gadgets"
    problems = {(p.line, p.column) for p in report.problems}
    assert problems == {(2, "重量"), (3, "器具名称"), (3, "购置日期"), (3, "状态"), (5, "器具编号")}
    assert report.counts["new"] == 1 and report.counts["rejected"] == 3

    # commit: the template's own example row, under the one hospital
    first = importer.commit(template, "gadgets_template.csv", db_path=path)
    assert first.committed and first.counts["new"] == 1
    assert _stored(path) == [
        dict(hospital_code="", gadget_code="G1", title="血压计", weight=1.5, bought_on="2027-01-05", state="in_use")
    ]
    edit = importer.commit_rows(
        "gadgets", [dict(gadget_code="G1", title="血压计", weight=2.0)], source="edit", db_path=path
    )
    assert edit.committed and edit.counts["changed"] == 1
    assert _stored(path)[0]["weight"] == 2.0

    # rollback: the edit undone exactly, then the first batch
    assert importer.rollback(edit.batch_id, db_path=path) == 1
    assert _stored(path)[0]["weight"] == 1.5
    assert importer.rollback(first.batch_id, db_path=path) == 1
    assert _stored(path) == []

    # export: the kind's file, which imports again as it is
    importer.commit(template, "gadgets_template.csv", db_path=path)
    out = tmp_path / "export"
    paths = {p.name: p for p in export.export_all(out, db_path=path)}
    assert "gadgets.csv" in paths
    exported = paths["gadgets.csv"].read_bytes()
    assert exported.decode("utf-8-sig").splitlines()[0] == "hospital_code,gadget_code,title,weight,bought_on,state"
    again = importer.preview(exported, "gadgets.csv", db_path=path)
    assert again.kind == "gadgets" and again.ok and again.counts["unchanged"] == 1

    # clear: a hospital's rows go with the others
    with store.opened(path) as db:
        store.clear_data(db)
    assert _stored(path) == []


def test_a_registered_kind_table_is_made_from_its_columns(gadgets):
    ddl = store.schema.kind_ddl(gadgets)
    assert ddl.startswith("CREATE TABLE IF NOT EXISTS gadgets (hospital_code TEXT NOT NULL DEFAULT '', ")
    assert "weight REAL" in ddl and ddl.endswith("PRIMARY KEY (hospital_code, gadget_code))")


@pytest.mark.parametrize("kind", list(contract.KINDS))
def test_every_kind_names_a_validator_its_table_and_its_label(kind):
    k = contract.KINDS[kind]
    assert callable(validate._validator(k.validator))
    assert k.table in store.schema._SPELLED
    assert i18n.t(k.label, "zh") and i18n.t(k.label, "en")
    assert k.examples, "a template needs an example row"
    assert k.key[0] == "hospital_code" if k.scope == "hospital" else k.scope == "region"


@pytest.mark.parametrize("kind", list(contract.KINDS))
def test_every_kind_key_is_its_table_primary_key_and_its_columns_are_stored(kind):
    k = contract.KINDS[kind]
    columns = store.expected_schema()[k.table]
    primary = [c for c, (_nn, pk) in sorted(columns.items(), key=lambda item: item[1][1]) if pk]
    assert tuple(primary) == k.key
    # a department's name in a metrics, events or awards file names it in passing (or creates it): not stored there
    assert {c.name for c in k.columns} - set(columns) <= {"dept_name"}
