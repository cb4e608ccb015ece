"""What the briefing page shows, built once per quarter, language and data version and kept (st.cache_resource), so
changing slides or rerunning only draws (issue 7). Functions defined here, not in the page script, are decorated once
per process.
"""

from __future__ import annotations

import streamlit as st

from metrics import briefing, store

FIGURES = {"ranking": briefing.ranking_figure, "events": briefing.events_figure, "awards": briefing.awards_figure}
LINES = {"events": briefing.event_lines, "conflicts": briefing.conflict_lines, "attention": briefing.attention_lines}


@st.cache_resource(show_spinner=False, max_entries=8)
def quarters(version: int, path: str) -> tuple[list[str], str | None]:
    with store.opened(path) as db:
        return briefing.available_quarters(db), briefing.default_quarter(db)


@st.cache_resource(show_spinner=False, max_entries=8)
def briefing_of(quarter: str, lang: str, version: int, path: str) -> briefing.Briefing:
    with store.opened(path) as db:
        return briefing.build(db, quarter, lang)


@st.cache_resource(show_spinner=False, max_entries=4)
def html(quarter: str, lang: str, version: int, path: str) -> bytes:
    return briefing.to_html(briefing_of(quarter, lang, version, path)).encode("utf-8")


@st.cache_resource(show_spinner=False, max_entries=4)
def pptx(quarter: str, lang: str, version: int, path: str) -> bytes:
    return briefing.to_pptx(briefing_of(quarter, lang, version, path))


@st.cache_resource(show_spinner=False, max_entries=48)
def figure(quarter: str, lang: str, version: int, path: str, which: str, presenting: bool):
    """A slide's chart; presenting, it fills the slide area (whose height CSS ties to the screen)."""
    fig = FIGURES[which](briefing_of(quarter, lang, version, path))
    if presenting:
        fig.update_layout(height=None, autosize=True)
    return fig


@st.cache_resource(show_spinner=False, max_entries=48)
def lines(quarter: str, lang: str, version: int, path: str, which: str) -> list[str]:
    """A slide's data lines (events, conflicts, departments needing attention)."""
    return LINES[which](briefing_of(quarter, lang, version, path))
