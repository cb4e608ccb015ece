"""ui/charts.py leans on two of Streamlit's internals: the file name of its plotly chunk and the ``window.Plotly``
that chunk sets. An upgrade that changes either must fail here, loudly, not leave empty boxes; and the plain
fallback must draw the same figures as the component."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.figures import chart_elements, figures
from ui import charts


def test_streamlits_plotly_chunk_is_found_and_sets_window_plotly():
    name = charts._plotly_chunk()
    assert name is not None, "no single PlotlyChart.*.js in this Streamlit: ui/charts.py must find its plotly.js anew"
    text = (Path(st.__file__).parent / "static" / "static" / "js" / name).read_text(encoding="utf-8")
    assert "window.Plotly=" in text, f"{name} no longer sets window.Plotly: the component would draw nothing"
    assert charts.live()


def _overview(monkeypatch, plain: bool) -> AppTest:
    if plain:
        monkeypatch.setenv(charts.PLAIN_ENV, "1")
    else:
        monkeypatch.delenv(charts.PLAIN_ENV, raising=False)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.switch_page("pages/overview.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_plain_charts_draw_the_same_figures_as_the_component(demo_db, monkeypatch):
    live = _overview(monkeypatch, plain=False)
    plain = _overview(monkeypatch, plain=True)
    assert [e.type for e in chart_elements(live)] == ["bidi_component"] * 2
    assert [e.type for e in chart_elements(plain)] == ["plotly_chart"] * 2
    (rank_live, heat_live), (rank_plain, heat_plain) = figures(live), figures(plain)
    for a, b in ((rank_live, rank_plain), (heat_live, heat_plain)):
        assert a["data"] == b["data"] and a["layout"]["title"] == b["layout"]["title"]
    assert rank_live["data"][0]["customdata"]  # the department codes a click opens, in both


def test_no_page_draws_a_chart_but_through_ui_chart():
    """A page calling st.plotly_chart itself would remount that chart on every change again."""
    calls = [p.name for p in (ROOT / "pages").glob("*.py") if "plotly_chart(" in p.read_text(encoding="utf-8")]
    assert calls == []
