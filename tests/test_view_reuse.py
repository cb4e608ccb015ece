"""A click after a first visit reads the view the visit built: the first visit's key leaves the page's
defaults open (None), the next run's key names them; both must find one view, not work it out twice (1.9–2.4 s at
a region's scale). The store is the demo's; every page runs in AppTest, whose script runs share the server's
caches (``ui.BUILDS`` counts the views worked out from the store)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, page_as

PAGES = ["overview", "awards", "briefing", "matrix", "trends", "events", "tasks"]


@pytest.mark.parametrize("page", PAGES)
def test_a_rerun_after_the_first_visit_builds_no_view(demo_db, page):
    import ui

    at = page_as(f"pages/{page}.py")
    before = dict(ui.BUILDS)
    at.run()  # what any click that changes no choice does: the script runs again with the widgets' values
    assert not at.exception, at.exception
    assert dict(ui.BUILDS) == before, f"{page}: a view was worked out again for the same choices"


@pytest.mark.parametrize("page", ["overview", "awards", "trends"])
def test_a_rerun_in_a_group_store_builds_no_view(tmp_path, monkeypatch, cheap_hashing, page):
    """The same for a commission user on hospital H02 of a group store (PRODUCT §9): the view the first visit built is
    filed under the key the next run makes, hospital included."""
    import ui
    from metrics import store
    from metrics.access import sessions, users
    from metrics.ops import demo

    path = tmp_path / "group.db"
    demo.fill(path, hospitals=2)
    monkeypatch.setenv(store.DB_ENV, str(path))
    users.add_user("comm", "correct horse 9", "commission")
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["_auth_token"] = sessions.start_session("comm")
    at.switch_page(f"pages/{page}.py")
    at.query_params["hospital"] = "H02"
    at.run()  # the first visit, straight to H02
    assert not at.exception, at.exception
    before = dict(ui.BUILDS)
    at.run()
    assert not at.exception, at.exception
    assert dict(ui.BUILDS) == before, f"{page}: a view of H02 was worked out again for the same choices"
