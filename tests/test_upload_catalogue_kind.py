"""A catalogue edit is a batch of kind "indicators" or "metric_catalogue" (kind "catalogue" in stores
older than the one write path for page edits); the upload page (history, rollback, error reports) and the command line
must name that kind instead of breaking on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from metrics import i18n, store
from tests.conftest import edit_catalogue, page_as

ROOT = Path(__file__).resolve().parent.parent


pytestmark = pytest.mark.usefixtures("cheap_hashing")


def _save_catalogue_edit(db_file) -> int:
    with store.opened(db_file) as db:
        code = store.indicator_catalogue(db).iloc[0]["code"]
    edit_catalogue(db_file, "indicators", code, name_zh="改过的指标名称")
    with store.opened(db_file) as db:
        return store.latest_committed_batch_id(db)


@pytest.mark.parametrize("lang, label", [("zh", "否决警示指标目录"), ("en", "Veto/warning indicator catalogue")])
def test_upload_page_shows_history_and_rollback_after_a_catalogue_save(db_file, lang, label):
    bid = _save_catalogue_edit(db_file)
    assert bid is not None
    at = page_as("pages/upload.py", "ed", "editor", lang, first_run=True)
    assert not at.error, [e.value for e in at.error]
    history = at.dataframe[-1].value
    assert label in history.iloc[:, 2].tolist()  # the kind column names the catalogue edit
    assert any(b.key == "_rb_go" for b in at.button)  # the rollback is offered


def test_every_batch_kind_the_store_writes_has_a_label_in_both_languages():
    kinds = {"catalogue"}  # page edits in stores older than the one write path; every other batch is a contract kind
    from metrics import contract

    kinds |= set(contract.KINDS)
    for lang in i18n.LANGS:
        for k in kinds:
            assert f"upload.kind.{k}" in i18n.TABLES[lang], (lang, k)
