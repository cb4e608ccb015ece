"""A click after a first visit reads the view the visit built (issue 15): the first visit's key leaves the page's
defaults open (None), the next run's key names them; both must find one view, not work it out twice (1.9–2.4 s at
a region's scale). The store is the demo's; every page runs in AppTest, whose script runs share the server's
caches (``pages._common.BUILDS`` counts the views worked out from the store)."""

from __future__ import annotations

import pytest

from tests.conftest import page_as

PAGES = ["overview", "awards", "briefing", "matrix", "trends", "events", "tasks"]


@pytest.mark.parametrize("page", PAGES)
def test_a_rerun_after_the_first_visit_builds_no_view(demo_db, page):
    from pages import _common as ui

    at = page_as(f"pages/{page}.py")
    before = dict(ui.BUILDS)
    at.run()  # what any click that changes no choice does: the script runs again with the widgets' values
    assert not at.exception, at.exception
    assert dict(ui.BUILDS) == before, f"{page}: a view was worked out again for the same choices"
