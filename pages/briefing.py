"""季度汇报 Quarterly briefing: choose the quarter → one view-model (metrics.views.briefing, cached per store, data
version, language and quarter) → present one slide per screen, or download.

Presentation mode is the URL parameter ``?present=1`` (also ``&quarter=2026-Q3&slide=2&auto=20``): no sidebar,
toolbar or header, large type, one slide per screen; → / ← / PageDown / PageUp / Space change slides.
"""

from __future__ import annotations

import time

import streamlit as st

from metrics import briefing
from metrics.views import briefing as briefing_view
from pages import _common as ui

SLIDE_KEY, AUTO_KEY, QUARTER_KEY = "_brief_slide", "_brief_auto", "_brief_quarter"
N_SLIDES = len(briefing.SLIDES)

# A fixed stylesheet (never any data in it): hides Streamlit's chrome and sets projector type sizes. The slide
# area is sized to the viewport so every slide fits one screen at 1920×1080 and 1280×720 without scrolling.
PRESENT_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
[data-testid="stMainMenu"], header, footer { display: none !important; }
.stMainBlockContainer, [data-testid="stMainBlockContainer"] { padding: 12px 36px 0 36px !important; max-width: 100% !important; }
html, body, [data-testid="stAppViewContainer"], .stMain { overflow: hidden !important; }
html { font-size: 26px !important; }
.stMain h1 { font-size: 44px !important; padding: 0 !important; line-height: 1.2 !important; }
.st-key-brief_slide { height: calc(100vh - 200px) !important; flex: 0 0 auto !important; overflow: hidden; }
.stMain [data-testid="stAlert"] > div { padding: 4px 16px !important; }
.stMain [data-testid="stAlert"] p { font-size: 24px !important; }
.stMain [data-testid="stElementContainer"]:has([data-testid="stAlert"]) {
  position: fixed !important; bottom: 8px; right: 36px; z-index: 10; width: auto !important; max-width: 46vw; }
.st-key-brief_slide [data-testid="stElementContainer"]:has([data-testid="stPlotlyChart"]) {
  flex: 0 0 auto !important; height: calc(100vh - 300px) !important; }
.st-key-brief_slide [data-testid="stPlotlyChart"] { height: 100% !important; }
.st-key-brief_slide [data-testid="stText"], .st-key-brief_slide [data-testid="stText"] * {
  font-size: 28px !important; line-height: 1.35 !important; white-space: normal !important; font-family: inherit !important; }
.st-key-brief_slide h2 { font-size: 56px !important; font-weight: 700; line-height: 1.15 !important; padding: 0 !important; }
.st-key-brief_slide [data-testid="stMarkdownContainer"] { margin-bottom: 0 !important; }
.st-key-brief_slide [data-testid="stMarkdownContainer"] p { font-size: 26px !important; margin-bottom: 0 !important; }
.st-key-brief_nav button { min-height: 56px; padding: 4px 28px; }
.st-key-brief_nav button p, .st-key-brief_nav button span, .st-key-brief_nav button kbd { font-size: 26px !important; }
.st-key-brief_keys { display: none !important; }
.st-key-brief_short_tail { display: none !important; }
.st-key-brief_slide.st-key-brief_slide, .st-key-brief_slide .st-key-brief_short_tail, .st-key-brief_slide .st-key-brief_tall_tail {
  gap: 8px !important; }
.st-key-brief_slide div.st-key-brief_short_tail.st-key-brief_short_tail, .st-key-brief_slide div.st-key-brief_tall_tail.st-key-brief_tall_tail { padding: 0 !important; }
.st-key-brief_slide [data-testid="stVerticalBlock"] { gap: 8px !important; }
.st-key-brief_slide * { flex-shrink: 0 !important; }
.st-key-brief_slide [data-testid="stVerticalBlockBorderWrapper"], .st-key-brief_slide [data-testid="stLayoutWrapper"] > div { padding: 12px 18px !important; }
@media (min-height: 900px) {
  .st-key-brief_slide h2 { font-size: 68px !important; }
  .st-key-brief_slide [data-testid="stMarkdownContainer"] p { font-size: 30px !important; }
}
@media (max-height: 800px) {
  .st-key-brief_slide h2 { font-size: 36px !important; }
  .st-key-brief_slide [data-testid="stMarkdownContainer"] p { line-height: 1.3 !important; }
  .st-key-brief_slide [data-testid="stVerticalBlockBorderWrapper"], .st-key-brief_slide [data-testid="stLayoutWrapper"] > div { padding: 6px 12px !important; }
  .st-key-brief_slide [data-testid="stVerticalBlock"] { gap: 4px !important; }
  .stMain h1 { font-size: 36px !important; }
  .st-key-brief_short_tail { display: flex !important; }
  .st-key-brief_tall_tail { display: none !important; }
}
</style>"""


# --- navigation state ----------------------------------------------------------------------------------------


def _int_param(name: str, default: int, lo: int, hi: int) -> int:
    try:
        return min(hi, max(lo, int(st.query_params.get(name, default))))
    except (TypeError, ValueError):
        return default


def _go(step: int) -> None:
    st.session_state[SLIDE_KEY] = (st.session_state.get(SLIDE_KEY, 1) - 1 + step) % N_SLIDES + 1
    st.session_state["_brief_changed_at"] = time.monotonic()
    st.query_params["slide"] = str(st.session_state[SLIDE_KEY])


def _start_presenting(quarter: str) -> None:
    st.session_state[SLIDE_KEY] = 1
    st.query_params.update(present="1", quarter=quarter, slide="1")
    auto = int(st.session_state.get(AUTO_KEY) or 0)
    if auto > 0:
        st.query_params["auto"] = str(auto)


def _stop_presenting() -> None:
    for k in ("present", "slide", "auto", "quarter"):  # the quarter stays chosen (session state), not pinned
        st.query_params.pop(k, None)


# --- drawing one slide ---------------------------------------------------------------------------------------


_md = ui.md_escape  # catalogue labels go into metric labels, which accept Markdown
TONES = {"good": "green", "bad": "red", "warn": "orange", "muted": "gray", None: None}


def _lines(lines: tuple[str, ...], limit: int, limit_tall: int | None = None, presenting: bool = False) -> None:
    """Data lines as plain text (never Markdown or HTML). Presenting, a tall screen (> 800 px) shows up to
    ``limit_tall`` lines and a 720-line screen ``limit``; CSS picks one of the two tails, so nothing is cut."""
    lines = list(lines)
    if not presenting or not limit_tall or len(lines) <= limit:
        for line in briefing.clip(lines, limit_tall if not presenting and limit_tall else limit, ui.lang()) or [
            ui.t("brief.none")
        ]:
            st.text(line)
        return
    for line in lines[: limit - 1]:
        st.text(line)
    with st.container(key="brief_short_tail"):
        st.text(briefing.clip(lines, limit, ui.lang())[-1])
    with st.container(key="brief_tall_tail"):
        for line in briefing.clip(lines, limit_tall, ui.lang())[limit - 1 :]:
            st.text(line)


def _chart(slide: briefing_view.Slide, presenting: bool) -> None:
    st.plotly_chart(
        slide.present_figure if presenting else slide.figure,
        theme=None,
        key=f"chart_{slide.name}",
        height="stretch" if presenting else "content",
        config={"displayModeBar": False},
    )


def _card(card: briefing_view.Card) -> None:
    """One KPI card: a bold label, a big number, then short coloured lines (all text ours, labels escaped)."""
    with st.container(border=True):
        st.markdown(f"**{_md(card.label)}**")
        st.markdown("## " + _md(card.value))
        for text, tone in card.lines:
            st.markdown(f":{TONES[tone]}[{text}]" if TONES[tone] else text)


def _draw_slide(slide: briefing_view.Slide, presenting: bool) -> None:
    if slide.name == "kpis":
        st.markdown(f"**{slide.sub}**")
        cols = st.columns(4)
        for i, card in enumerate(slide.cards):
            with cols[i % 4]:
                _card(card)
    elif slide.name == "ranking":
        st.markdown(slide.sub)
        _chart(slide, presenting)
    elif slide.name == "events":
        st.markdown(slide.sub)
        left, right = st.columns([3, 2])
        with left:
            _chart(slide, presenting)
        with right:
            _lines(slide.lines, briefing.LIST_LIMIT)
    elif slide.name == "awards":
        left, right = st.columns([3, 2])
        with left:
            _chart(slide, presenting)
        with right:
            st.markdown(f":red[**{slide.heading}**]")
            _lines(slide.lines, briefing.LIST_LIMIT - 2)
    else:
        _lines(slide.lines, briefing.LIST_LIMIT - 1, limit_tall=18, presenting=presenting)


# --- the page: filters → the view → show -----------------------------------------------------------------------

presenting = st.query_params.get("present") == "1"
asked = st.query_params.get("quarter") or st.session_state.get(QUARTER_KEY)
view = ui.view(briefing_view.build, ui.view_key(quarter=asked))

if view.quarter is None:
    st.title(ui.t("nav.briefing"))
    st.info(ui.t("brief.no_quarter"))
    st.stop()

if st.session_state.get(QUARTER_KEY) != view.quarter:
    st.session_state[QUARTER_KEY] = view.quarter
if SLIDE_KEY not in st.session_state or "slide" in st.query_params:
    st.session_state[SLIDE_KEY] = _int_param("slide", 1, 1, N_SLIDES)

if presenting:
    st.html(PRESENT_CSS)
    n = st.session_state[SLIDE_KEY]
    slide = view.slides[n - 1]
    head, counter = st.columns([9, 1], vertical_alignment="bottom")
    head.title(slide.title, anchor=False)
    counter.markdown("**" + ui.t("brief.slide_of", i=n, n=N_SLIDES) + "**")
    with st.container(key="brief_slide"):
        _draw_slide(slide, presenting=True)
    with st.container(key="brief_nav", horizontal=True):
        st.button("◀ " + ui.t("brief.prev"), on_click=_go, args=(-1,), shortcut="Left", key="_brief_prev")
        st.button(ui.t("brief.next") + " ▶", on_click=_go, args=(1,), shortcut="Right", key="_brief_next")
        st.button(ui.t("brief.exit_present"), on_click=_stop_presenting, key="_brief_exit")
    with st.container(key="brief_keys"):  # hidden: more keys for the same two moves
        st.button("pgdn", on_click=_go, args=(1,), shortcut="PageDown", key="_brief_pgdn")
        st.button("space", on_click=_go, args=(1,), shortcut="Space", key="_brief_space")
        st.button("pgup", on_click=_go, args=(-1,), shortcut="PageUp", key="_brief_pgup")

    auto = _int_param("auto", 0, 0, 3600)
    if auto:

        @st.fragment(run_every=1)
        def _auto_advance() -> None:
            changed = st.session_state.setdefault("_brief_changed_at", time.monotonic())
            if time.monotonic() - changed >= auto:
                _go(1)
                st.rerun(scope="app")

        _auto_advance()
    st.stop()

st.title(ui.t("nav.briefing"))
st.selectbox(
    ui.t("brief.pick_quarter"),
    view.quarters,
    format_func=view.label_of,
    **ui.keep(QUARTER_KEY, view.quarters),
    placeholder=ui.t("select.placeholder"),
)
quarter, b = view.quarter, view.briefing
c1, c2, c3, c4 = st.columns([1, 1, 1, 1], vertical_alignment="bottom")
c1.number_input(ui.t("brief.auto"), min_value=0, max_value=600, step=5, key=AUTO_KEY)
c2.button(ui.t("brief.present"), type="primary", on_click=_start_presenting, args=(quarter,), key="_brief_present")
safe_q = quarter.replace("-", "")
c3.download_button(  # written when clicked (plotly.js inline makes it megabytes), from the view's briefing
    ui.t("brief.download_html"),
    data=lambda: briefing.to_html(b).encode("utf-8"),
    file_name=f"briefing_{safe_q}.html",
    mime="text/html",
    key="_brief_dl_html",
    on_click="ignore",
)
c4.download_button(
    ui.t("brief.download_pptx"),
    data=lambda: briefing.to_pptx(b),
    file_name=f"briefing_{safe_q}.pptx",
    mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
    key="_brief_dl_pptx",
    on_click="ignore",
)
st.caption(ui.t("brief.keys_help"))
st.subheader(ui.t("brief.preview"), anchor=False)
for i, slide in enumerate(view.slides, start=1):
    with st.container(border=True):
        st.markdown(f"#### {i}. {slide.title}")
        _draw_slide(slide, presenting=False)
