"""The period's grain survives switching pages: a quarter chosen on the overview came
back as "month" on every other page switch (overview → events → region …), because Streamlit 1.67 drops a widget's
state when the same key is drawn by another page and ``ui.keep`` only re-seeded a widget whose value differed."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def _grain(at: AppTest) -> str:
    return next(r for r in at.radio if r.label == "统计周期").value


def test_the_grain_stays_as_chosen_across_page_switches(demo_db):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.switch_page("pages/overview.py").run()
    assert _grain(at) == "quarter"  # the default
    for page in ("pages/events.py", "pages/overview.py", "pages/events.py", "pages/overview.py"):
        at.switch_page(page).run()
        assert not at.exception
        assert _grain(at) == "quarter", page
    next(r for r in at.radio if r.label == "统计周期").set_value("year").run()
    for page in ("pages/events.py", "pages/overview.py"):
        at.switch_page(page).run()
        assert _grain(at) == "year", page
