"""季度汇报 Quarterly briefing: choose the quarter → one view-model (metrics.views.briefing, cached per store, data
version, language and quarter) → present one slide per screen, or download.

Presentation mode is the URL parameter ``?present=1`` (also ``&quarter=2026-Q3&slide=2&auto=20``): no sidebar,
toolbar or header, large type, one slide per screen; → / ← / PageDown / PageUp / Space change slides.
"""

from __future__ import annotations

import time

import streamlit as st

import ui
from metrics import briefing, clock, theme
from metrics.views import briefing as briefing_view

SLIDE_KEY, AUTO_KEY, QUARTER_KEY = "_brief_slide", "_brief_auto", "_brief_quarter"

# A fixed stylesheet (never any data in it): hides Streamlit's chrome and sets projector type sizes. The slide
# area is sized to the viewport so every slide fits one screen at 1920×1080 and 1280×720 without scrolling.
# A group store: the line under each title starts with the hospital's name and may wrap to a second line, so a chart
# beside a table (slide 4) leaves room for it (tests/e2e/test_presentation.py measures the fit).
GROUP_CSS = """
.st-key-brief_slide [data-testid="stColumn"] [data-testid="stElementContainer"]:has([data-testid="stPlotlyChart"], .integrity-chart) {
  height: calc(100vh - 335px) !important; }
@media (max-height: 800px) {
  .st-key-brief_slide [data-testid="stColumn"] [data-testid="stElementContainer"]:has([data-testid="stPlotlyChart"], .integrity-chart) {
    height: calc(100vh - 305px) !important; }
}
"""
PRESENT_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
[data-testid="stMainMenu"], header, footer { display: none !important; }
.stMainBlockContainer, [data-testid="stMainBlockContainer"] { padding: 12px 36px 0 36px !important; max-width: 100% !important; }
html, body, [data-testid="stAppViewContainer"], .stMain { overflow: hidden !important; }
html { font-size: 26px !important; }
.stMain h1 { font-size: 48px !important; padding: 0 !important; line-height: 1.2 !important; }
.st-key-brief_slide { height: calc(100vh - 190px) !important; flex: 0 0 auto !important; overflow: hidden; }
.stMain [data-testid="stAlert"] > div { padding: 4px 16px !important; }
.stMain [data-testid="stAlert"] p { font-size: 24px !important; }
.stMain [data-testid="stElementContainer"]:has([data-testid="stAlert"]) {
  position: fixed !important; bottom: 8px; right: 36px; z-index: 10; width: auto !important; max-width: calc(100vw - 720px); }
.st-key-brief_slide [data-testid="stElementContainer"]:has([data-testid="stPlotlyChart"], .integrity-chart) {
  flex: 0 0 auto !important; height: calc(100vh - 290px) !important; }
.st-key-brief_slide [data-testid="stPlotlyChart"], .st-key-brief_slide .stBidiComponent,
.st-key-brief_slide [data-testid="stBidiComponentRegular"] { height: 100% !important; }
/* a chart straight on the slide takes what the lines above it leave (a subtitle may wrap to two lines) */
.st-key-brief_slide.st-key-brief_slide > [data-testid="stElementContainer"]:has([data-testid="stPlotlyChart"], .integrity-chart) {
  flex: 1 1 0 !important; min-height: 0 !important; height: auto !important; }
.st-key-brief_slide [data-testid="stText"], .st-key-brief_slide [data-testid="stText"] * {
  font-size: 28px !important; line-height: 1.35 !important; white-space: normal !important; font-family: inherit !important; }
.st-key-brief_slide h2 { font-size: 56px !important; font-weight: 700; line-height: 1.15 !important; padding: 0 !important; }
.st-key-brief_slide h3 { font-size: 48px !important; line-height: 1.3 !important; }
.st-key-brief_slide [data-testid="stMarkdownContainer"] { margin-bottom: 0 !important; }
.st-key-brief_slide [data-testid="stMarkdownContainer"] p { font-size: 28px !important; margin-bottom: 0 !important; }
.st-key-brief_slide table th, .st-key-brief_slide table td { font-size: 30px !important; line-height: 1.3 !important;
  padding: 6px 14px !important; vertical-align: top; }
.st-key-brief_slide table th, .st-key-brief_slide table th * { font-size: 26px !important; white-space: nowrap !important; }
.st-key-brief_slide [data-testid="stTable"] { margin: 0 !important; }
.st-key-brief_slide table td, .st-key-brief_slide table th, .st-key-brief_slide table td > div, .st-key-brief_slide table th > div {
  max-width: none !important; }
.st-key-brief_cards { flex: 1 0 auto !important; display: flex !important; flex-direction: column !important;
  gap: 16px !important; padding-bottom: 8px; }
[class*="st-key-brief_cards_row_"] { flex: 1 0 auto !important; }
.st-key-brief_slide .st-key-brief_cards [data-testid="stColumn"] [data-testid="stVerticalBlock"] { gap: 0 !important; }
.st-key-brief_slide .st-key-brief_cards h2 { font-size: 52px !important; }
[class*="st-key-brief_cards_row_"] [data-testid="stHorizontalBlock"],
[class*="st-key-brief_cards_row_"] [data-testid="stColumn"],
[class*="st-key-brief_cards_row_"] [data-testid="stColumn"] > [data-testid="stVerticalBlock"],
[class*="st-key-brief_cards_row_"] [data-testid="stLayoutWrapper"],
[class*="st-key-brief_cards_row_"] [data-testid="stVerticalBlockBorderWrapper"] { height: 100% !important; }
.st-key-brief_empty { padding-top: 18vh !important; }
.st-key-brief_empty h3, .st-key-brief_empty p { text-align: center !important; width: 100%; }
.st-key-brief_empty p { color: $muted; }
.st-key-brief_nav button { min-height: 56px; padding: 4px 28px; }
.st-key-brief_nav button p, .st-key-brief_nav button span, .st-key-brief_nav button kbd { font-size: 26px !important; }
.st-key-brief_keys { display: none !important; }
[class*="st-key-brief_fit_short"] { display: none !important; }
.st-key-brief_slide [data-testid="stVerticalBlock"] { gap: 8px !important; }
.st-key-brief_slide * { flex-shrink: 0 !important; }
.st-key-brief_slide [data-testid="stVerticalBlockBorderWrapper"], .st-key-brief_slide [data-testid="stLayoutWrapper"] > div { padding: 12px 18px !important; }
@media (min-height: 900px) {
  .st-key-brief_slide h2 { font-size: 68px !important; }
  .st-key-brief_slide [data-testid="stMarkdownContainer"] p { font-size: 32px !important; }
}
@media (max-height: 800px) {
  .st-key-brief_slide h2 { font-size: 40px !important; }
  .st-key-brief_slide h3 { font-size: 36px !important; }
  .st-key-brief_slide [data-testid="stMarkdownContainer"] p { font-size: 24px !important; line-height: 1.3 !important; }
  .st-key-brief_slide table th, .st-key-brief_slide table td, .st-key-brief_slide table th * { font-size: 24px !important;
    padding: 3px 10px !important; line-height: 1.25 !important; }
  .st-key-brief_slide [data-testid="stText"], .st-key-brief_slide [data-testid="stText"] * { font-size: 24px !important; }
  .st-key-brief_slide [data-testid="stVerticalBlockBorderWrapper"], .st-key-brief_slide [data-testid="stLayoutWrapper"] > div { padding: 6px 12px !important; }
  .st-key-brief_slide [data-testid="stVerticalBlock"] { gap: 4px !important; }
  .stMain h1 { font-size: 36px !important; }
  .st-key-brief_cards { gap: 8px !important; padding-bottom: 0; }
  .st-key-brief_slide .st-key-brief_cards h2 { font-size: 34px !important; }
  [class*="st-key-brief_fit_short"] { display: flex !important; }
  [class*="st-key-brief_fit_tall"] { display: none !important; }
  .st-key-brief_slide [data-testid="stElementContainer"]:has([data-testid="stPlotlyChart"], .integrity-chart) { height: calc(100vh - 248px) !important; }
  .st-key-brief_slide [data-testid="stColumn"] [data-testid="stElementContainer"]:has([data-testid="stPlotlyChart"], .integrity-chart) {
    height: calc(100vh - 270px) !important; }
}
</style>""".replace("$muted", theme.MUTED)  # the one theme's colours (metrics.theme)


# --- navigation state ----------------------------------------------------------------------------------------


def _int_param(name: str, default: int, lo: int, hi: int) -> int:
    try:
        return min(hi, max(lo, int(st.query_params.get(name, default))))
    except (TypeError, ValueError):
        return default


def _go(step: int, count: int) -> None:
    """``step`` slides on among ``count`` (a table continued over several slides adds slides), wrapping round."""
    st.session_state[SLIDE_KEY] = (st.session_state.get(SLIDE_KEY, 1) - 1 + step) % count + 1
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


def _table(t: briefing.Table) -> None:
    """A slide table (cells escaped and coloured by metrics.views.briefing.table_styler), then the rest in one line."""
    if t.rows:
        st.table(briefing_view.table_styler(t), hide_index=True)
    if t.rest:
        st.text(t.rest)


def _tables(slide: briefing_view.Slide, presenting: bool) -> None:
    """Each table of the slide. Presenting, both fits are drawn and CSS shows the one for the screen's height (the
    rows that fit 1280×720, or 1920×1080), so nothing is cut; the preview shows the taller fit."""
    for i, tab in enumerate(slide.tables):
        if tab.heading:
            st.markdown(f"**{tab.heading}**")
        if not tab.tall.rows:
            st.markdown(tab.empty)
            continue
        if not presenting:
            _table(tab.tall)
            continue
        with st.container(key=f"brief_fit_short_{i}"):
            _table(tab.short)
        with st.container(key=f"brief_fit_tall_{i}"):
            _table(tab.tall)


def _chart(slide: briefing_view.Slide, presenting: bool, n: int) -> None:
    # Presenting, one chart identity for every slide: the next slide's chart is the same chart updated in place
    # (plotly.js redraws it at the size the slide's CSS gave it), not a new one mounted. The page of all slides draws
    # each (a slide continued over several, '（1/2）', '（2/2）', on each): one identity per slide number.
    if presenting:
        ui.chart(slide.present_figure, "brief_present_chart", height="stretch")
    else:
        ui.chart(slide.figure, f"chart_{slide.name}_{n}")


def _card(card: briefing_view.Card) -> None:
    """One KPI card: a bold label, a big number, then short coloured lines (all text ours, labels escaped)."""
    with st.container(border=True):
        st.markdown(f"**{_md(card.label)}**")
        st.markdown("## " + _md(card.value))
        for text, tone in card.lines:
            st.markdown(f":{TONES[tone]}[{text}]" if TONES[tone] else text)


def _draw_slide(slide: briefing_view.Slide, presenting: bool, n: int) -> None:
    sub = (slide.present_sub or slide.sub) if presenting else slide.sub
    if sub:
        st.markdown(f"**{_md(sub)}**" if slide.name == "kpis" else _md(sub))  # may name the hospital
    if slide.empty:
        with st.container(key=f"brief_empty_{slide.name}" if not presenting else "brief_empty"):
            st.markdown("### " + slide.empty)
            if slide.empty_sub:
                st.markdown(slide.empty_sub)
        return
    if slide.name == "kpis":
        # rows of four, each row as tall as the slide allows (presentation CSS): the cards fill the slide
        with st.container(key="brief_cards"):
            for start in range(0, len(slide.cards), 4):
                with st.container(key=f"brief_cards_row_{start // 4}"):
                    for col, card in zip(st.columns(4), slide.cards[start : start + 4], strict=False):
                        with col:
                            _card(card)
    elif slide.name == "awards":
        left, right = st.columns([2, 3])
        with left:
            _chart(slide, presenting, n)
        with right:
            _tables(slide, presenting)
    elif slide.figure is not None:
        _chart(slide, presenting, n)
    else:
        _tables(slide, presenting)


# --- the page: filters → the view → show -----------------------------------------------------------------------

presenting = st.query_params.get("present") == "1"
asked = st.query_params.get("quarter") or st.session_state.get(QUARTER_KEY)
# the first visit's quarter (None) as the next run reads it
view = ui.view(
    briefing_view.build, ui.view_key(quarter=asked, today=clock.today()), resolved=lambda v: {"quarter": v.quarter}
)

if view.quarter is None:
    ui.title(ui.t("nav.briefing"))
    st.info(ui.t("brief.no_quarter"))
    st.stop()

if st.session_state.get(QUARTER_KEY) != view.quarter:
    st.session_state[QUARTER_KEY] = view.quarter
if SLIDE_KEY not in st.session_state or "slide" in st.query_params:
    st.session_state[SLIDE_KEY] = _int_param("slide", 1, 1, len(view.slides))
st.session_state[SLIDE_KEY] = min(st.session_state[SLIDE_KEY], len(view.slides))  # another quarter: fewer slides

if presenting:
    st.html(PRESENT_CSS.replace("</style>", GROUP_CSS + "</style>") if view.briefing.hospital else PRESENT_CSS)
    count = len(view.slides)

    # A fragment: ◀ ▶ (and their keys) rerun only the slide and its buttons, not the page around them, and the next
    # slide's chart updates the one on screen (ui.chart) at the size the slide's CSS gives it.
    @st.fragment
    def _present() -> None:
        n = st.session_state[SLIDE_KEY]
        slide = view.slides[n - 1]
        head, counter = st.columns([9, 1], vertical_alignment="bottom")
        head.title(
            _md(slide.present_title or slide.title), anchor=False
        )  # slide 1's names the hospital in a group store: data
        counter.markdown("**" + ui.t("brief.slide_of", i=n, n=count) + "**")
        with st.container(key="brief_slide"):
            _draw_slide(slide, presenting=True, n=n)
        with st.container(key="brief_nav", horizontal=True):
            st.button("◀ " + ui.t("brief.prev"), on_click=_go, args=(-1, count), shortcut="Left", key="_brief_prev")
            st.button(ui.t("brief.next") + " ▶", on_click=_go, args=(1, count), shortcut="Right", key="_brief_next")
            left = st.button(ui.t("brief.exit_present"), on_click=_stop_presenting, key="_brief_exit")
        with st.container(key="brief_keys"):  # hidden: more keys for the same two moves
            st.button("pgdn", on_click=_go, args=(1, count), shortcut="PageDown", key="_brief_pgdn")
            st.button("space", on_click=_go, args=(1, count), shortcut="Space", key="_brief_space")
            st.button("pgup", on_click=_go, args=(-1, count), shortcut="PageUp", key="_brief_pgup")
        if left:  # out of presentation mode: the whole page again, as the address now says
            st.rerun(scope="app")

    _present()

    auto = _int_param("auto", 0, 0, 3600)
    if auto:

        @st.fragment(run_every=1)
        def _auto_advance() -> None:
            changed = st.session_state.setdefault("_brief_changed_at", time.monotonic())
            if time.monotonic() - changed >= auto:
                _go(1, count)
                st.rerun(scope="app")

        _auto_advance()
    st.stop()

ui.title(ui.t("nav.briefing"))
st.selectbox(
    ui.t("brief.pick_quarter"),
    view.quarters,
    format_func=view.label_of,
    **ui.keep(QUARTER_KEY, view.quarters),
    placeholder=ui.t("select.placeholder"),
)
quarter, b = view.quarter, view.briefing
c1, c2, c3, c4, c5 = st.columns([1, 1, 1, 1, 1], vertical_alignment="bottom")
c1.number_input(ui.t("brief.auto"), min_value=0, max_value=600, step=5, key=AUTO_KEY)
c2.button(ui.t("brief.present"), type="primary", on_click=_start_presenting, args=(quarter,), key="_brief_present")
safe_q = quarter.replace("-", "")
if view.hospital_file:  # a group store: the file names the hospital too
    safe_q = f"{view.hospital_file}_{safe_q}"
safe_q = f"{safe_q}_{b.lang}"  # the Chinese and the English file side by side in one folder, never one over the other
# each file written when clicked (plotly.js inline makes the HTML megabytes; the PDF is printed by the headless
# browser, a few seconds, one slide a page), from the view's briefing
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
for col, ext, mime, data in (
    (c3, "html", "text/html", lambda: briefing.to_html(b).encode("utf-8")),
    (c4, "pptx", PPTX_MIME, lambda: briefing.to_pptx(b)),
    (c5, "pdf", "application/pdf", lambda: briefing.to_pdf(b)),
):
    col.download_button(
        ui.t(f"brief.download_{ext}"),
        data=data,
        file_name=f"briefing_{safe_q}.{ext}",
        mime=mime,
        key=f"_brief_dl_{ext}",
        on_click="ignore",
    )
st.caption(ui.t("brief.keys_help"))
st.subheader(ui.t("brief.preview"), anchor=False)
for i, slide in enumerate(view.slides, start=1):
    with st.container(border=True):
        st.markdown(f"#### {i}. {_md(slide.title)}")
        _draw_slide(slide, presenting=False, n=i)
