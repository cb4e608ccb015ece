"""After an upload the first visitor reads results: ui/warm.py works out every browsing page's
default view for the new data version, and a new session opening any page then works out none — the keys the warm
spells are the keys the pages build. The store is the demo's, with a month's file committed through the one write
path; the pages run in AppTest, whose runs share the process's caches with the warm."""

from __future__ import annotations

import pytest

from tests.conftest import page_as

PAGES = ["overview", "trends", "matrix", "events", "awards", "tasks", "briefing"]


def _commit_a_month(path) -> int:
    from metrics import store
    from metrics.ingest import importer

    with store.opened(path) as db:
        codes = store.departments(db)["dept_code"].tolist()[:5]
    text = "月份,科室编码,患者满意度\n" + "".join(f"2026-11,{c},93.5\n" for c in codes)
    report = importer.commit(text.encode("utf-8"), "month.csv", kind="metrics", user="editor1", lang="zh",
                             db_path=str(path))  # fmt: skip
    assert report.committed, report.problems
    with store.opened(path) as db:
        return store.data_version(db)


@pytest.mark.parametrize("page", PAGES)
def test_a_first_visit_after_the_warm_works_out_no_view(demo_db, page):
    import ui
    from ui import warm

    version = _commit_a_month(demo_db)
    assert warm.warm(str(demo_db), version) >= len(PAGES)
    before = dict(ui.BUILDS)
    at = page_as(f"pages/{page}.py")  # a new session, as the first visitor's
    assert dict(ui.BUILDS) == before, f"{page}: the first visit after the warm worked out its view again"
    at.run()  # and its first click
    assert dict(ui.BUILDS) == before, f"{page}: the first click after the warm worked out its view again"


def test_only_a_new_version_of_a_store_seen_before_is_warmed(tmp_path):
    from ui import warm

    path = str(tmp_path / "never-opened.db")
    assert warm.seen(path, 3) is None  # the first version a server sees: its first visitor works it out
    assert warm.seen(path, 3) is None  # the same version again: nothing to do
    # a new version: warmed only under a running server (AppTest and the CLI have none)
    assert warm.seen(path, 4) is None and not warm.enabled()


@pytest.mark.parametrize("page", ["overview", "events", "briefing"])
def test_in_a_group_store_the_hospital_on_screen_is_warmed_not_another(group_store, cheap_hashing, page):
    """A group store (PRODUCT §9): the warm works out the views of the hospital this server last showed, for that
    hospital — a visitor of H02 after an H02 commit works out nothing, and no view is filed under another hospital."""
    import ui
    from metrics import store
    from metrics.access import grants, users
    from metrics.ingest import importer
    from ui import warm

    path = group_store
    users.add_user("h02_editor", "correct horse 9", "editor", db_path=path)
    grants.grant_hospitals("h02_editor", ["H02"], db_path=path)
    with store.opened(path) as db:
        codes = store.departments(db, hospital="H02")["dept_code"].tolist()[:5]
    text = "月份,科室编码,患者满意度\n" + "".join(f"2026-11,{c},93.5\n" for c in codes)
    report = importer.commit(text.encode("utf-8"), "month.csv", kind="metrics", user="h02_editor", lang="zh",
                             db_path=str(path), hospital="H02")  # fmt: skip
    assert report.committed, report.problems
    with store.opened(path) as db:
        version = store.data_version(db)
    warm.shown(str(path), "H01")
    warm.shown(str(path), "H02")
    assert warm.hospitals(str(path)) == ["H02", "H01"]
    assert warm.warm(str(path), version, "H02") >= 7
    before = dict(ui.BUILDS)
    at = page_as(f"pages/{page}.py", user="h02_editor")
    name = grants.hospital_names("zh", path)["H02"]
    assert any(name in m.value for m in at.markdown), f"{page}: not H02's page"
    assert dict(ui.BUILDS) == before, f"{page}: H02's first visit after the warm worked out its view again"
    at.run()
    assert dict(ui.BUILDS) == before, f"{page}: H02's first click after the warm worked out its view again"
