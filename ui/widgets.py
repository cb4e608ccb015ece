"""The widgets pages share: the period selector, department filters, trend links, long tables a page at a time,
the notices register, and the chrome that keeps Streamlit's and plotly's English off the screen."""

from __future__ import annotations

import functools
import json

import streamlit as st

from metrics import clock, i18n, store
from metrics.ingest import export
from metrics.rules import periods as period_rules
from ui import cache, session
from ui.hospital import current_hospital, months_with_data, view, view_key
from ui.session import keep, lang, md_escape, t

PERIOD_GRAIN_KEY = "period_grain"
PERIOD_KEY = "period_value"
FILTER_CATEGORY_KEY = "filter_category"
FILTER_BRANCH_KEY = "filter_branch"


@functools.lru_cache(maxsize=64)
def _period_options(
    months: tuple[str, ...], grain: str, lg: str, today, data: tuple[str, ...]
) -> tuple[list[str], dict[str, str]]:
    """The periods from the newest back to the oldest month, and their labels in ``lg`` — a period not all of whose
    months hold data says so (worked out once, not per option on every run: 120 months of a decade's store)."""
    options = period_rules.periods_between(min(months), max(months), grain)[::-1] if months else []
    return options, {p: period_rules.period_label(p, data, lg, today) for p in options}


def period_selector(months: list[str], default_grain: str = "quarter") -> tuple[str, str]:
    """(grain, period) chosen with two widgets in a row; ``months`` are the months that hold data. Opens on
    ``period_rules.default_period`` (the last full quarter: the same as the briefing's); a grain switch keeps
    the chosen period's time (its last month's period in the new grain)."""
    grains = list(period_rules.GRAINS)
    lg = lang()  # captured: format functions may be called where session state is not readable (AppTest)
    if st.session_state.get(PERIOD_GRAIN_KEY) not in grains:
        st.session_state[PERIOD_GRAIN_KEY] = default_grain
    c1, c2 = st.columns([2, 3])
    grain = c1.radio(
        t("period.grain"),
        grains,
        format_func=lambda g: i18n.t(f"period.{g}", lg),
        horizontal=True,
        **keep(PERIOD_GRAIN_KEY, grains),
    )
    # options span ``months``; the default and "partial" are judged on the months holding metric values, the same
    # on every page (the events page also lists months holding only an event)
    data = months_with_data(session.data_version())
    options, labels = _period_options(tuple(months), grain, lg, clock.today(), data)
    saved = st.session_state.get(PERIOD_KEY)
    if saved and saved not in options:
        saved = period_rules.period_of(period_rules.last_month(saved), grain)
    if saved not in options:
        saved = period_rules.default_period(data or months, grain)
    st.session_state[PERIOD_KEY] = saved
    period = c2.selectbox(
        t("period.pick"),
        options,
        format_func=labels.get,
        **keep(PERIOD_KEY, options, grain),
        placeholder=t("select.placeholder"),
    )
    return grain, period


def dept_filter(departments, version: int) -> list[str]:
    """Department codes left after the category and party-branch filters (empty choice = all); ``departments`` is
    ``store_frames(version).departments``."""
    cats, branches = cache._filter_options(str(store.db_path()), version, current_hospital(version))
    c1, c2 = st.columns(2)
    cat = c1.multiselect(
        t("filter.category"), cats, placeholder=t("filter.all"), **keep(FILTER_CATEGORY_KEY, cats, many=True)
    )
    br = c2.multiselect(
        t("filter.branch"), branches, placeholder=t("filter.all"), **keep(FILTER_BRANCH_KEY, branches, many=True)
    )
    d = departments
    if cat:
        d = d[d["category"].isin(cat)]
    if br:
        d = d[d["party_branch"].isin(br)]
    return d["dept_code"].tolist()


def trend_picker(codes: list[str], version: int, key: str) -> None:
    """A department picker and a link to its trend page in this same session (st.page_link with ?dept=)."""
    if not codes:
        return
    path = str(store.db_path())
    hospital = current_hospital(version)
    labels = cache._dept_names(path, version, hospital)
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    code = c1.selectbox(
        t("trend.pick"),
        codes,
        format_func=cache._picker_labels(path, version, hospital).get,
        key=f"{key}_trend_dept",
        placeholder=t("select.placeholder"),
    )
    c2.page_link(
        "pages/trends.py",
        label=t("trend.open", dept=md_escape(str(labels.get(code, code)))),
        icon=":material/show_chart:",
        query_params={"dept": code},
    )


# Streamlit's and plotly's own hover texts are English whatever the page language (one language at a
# time) and no argument translates them: plotly's mode bar is switched off (figures stay; nobody zooms on a
# projector), and a static style (no data) hides Streamlit's app menu (Rerun / Settings / Print …) and the tables'
# hover toolbar (Search / Download as CSV / Fullscreen) — whose CSV download also skipped our formula rule (issue
# 12.8): long tables offer our own download (``paged``).
CHROME_CSS = (
    '<style>[data-testid="stMainMenu"], [data-testid="stElementToolbar"] {display: none !important;}'
    # a KPI's label wraps instead of ending in "…" (English names are long: "On target: Patient satisf…" at 1280 px)
    '[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * '
    "{white-space: normal !important; overflow: visible !important; text-overflow: clip !important;}"
    # the sidebar's own widgets (which hospital, language, who is signed in) above the list of pages: below 17 pages
    # the hospital selector sat at the bottom edge of a 720 px screen, and its list closed as it opened
    '[data-testid="stSidebarContent"] {display: flex; flex-direction: column;}'
    '[data-testid="stSidebarContent"] > * {flex-shrink: 0;}'
    '[data-testid="stSidebarUserContent"] {order: 1; padding-bottom: 0.5rem;}'
    '[data-testid="stSidebarNav"] {order: 2;}</style>'
)


def uploader_css(browse: str, limit: str) -> str:
    """A <style> replacing st.file_uploader's English button label and size line with ``browse`` and ``limit`` (our
    own strings: Streamlit 1.67 has no argument for them)."""
    drop = '[data-testid="stFileUploaderDropzone"]'
    return (
        "<style>"
        f'{drop} button [data-testid="stMarkdownContainer"] p {{display: none;}}'
        f'{drop} button [data-testid="stMarkdownContainer"]::after {{content: {json.dumps(browse, ensure_ascii=False)};}}'
        '[data-testid="stFileUploaderDropzoneInstructions"] span {display: none;}'
        '[data-testid="stFileUploaderDropzoneInstructions"] > div::after'
        f" {{content: {json.dumps(limit, ensure_ascii=False)}; font-size: 0.875rem; opacity: 0.7;}}"
        "</style>"
    )


PAGE_ROWS = 50


def paged(
    frame, key: str, headers: dict[str, str] | None = None, size: int = PAGE_ROWS, file_name: str = "", download=None
):
    """The rows of the chosen page of ``frame``; unchanged (no widgets) when it fits on one page.

    Longer frames get a page selector, a "rows a–b of n" caption and a CSV download (Excel-ready, BOM) of the
    whole frame (or of ``download``, the same rows as written for a spreadsheet, or a function returning them, called
    on a click), with ``headers`` (column → shown name) as its header row and only those columns.
    """
    if len(frame) <= size:
        return frame
    n_pages = -(-len(frame) // size)
    lg = lang()
    c1, c2 = st.columns([2, 3], vertical_alignment="bottom")
    page = c1.selectbox(
        t("page.pick", pages=n_pages),
        list(range(n_pages)),
        format_func=lambda i: i18n.t("page.option", lg, first=i * size + 1, last=min((i + 1) * size, len(frame))),
        **keep(key, range(n_pages)),
        placeholder=t("select.placeholder"),
    )

    def csv() -> bytes:  # written when the button is clicked, not on every run
        whole = download() if callable(download) else frame if download is None else download
        return export.csv_bytes(whole[list(headers)].rename(columns=headers) if headers else whole)

    c2.download_button(
        t("page.download", n=len(frame)),
        csv,
        file_name=file_name or f"{key}.csv",
        mime="text/csv",
        key=f"{key}_download",
    )
    st.caption(t("page.showing", first=page * size + 1, last=min((page + 1) * size, len(frame)), total=len(frame)))
    return frame.iloc[page * size : (page + 1) * size]


def picked_view(build, widget_key: str, label: str, name: str, **choices):
    """(the view, the choice) of a page filtered by one choice ``name`` (a department, a unit): the view of all
    (``name`` = '') offers the options (its ``<name>_options``, labelled by ``<name>_labels``), the select box
    ``widget_key`` picks one, and the view for it is built; a choice no longer offered (the data changed) is all."""
    base = view(build, view_key(**{name: ""}, **choices))
    options, labels = getattr(base, f"{name}_options"), getattr(base, f"{name}_labels")
    if st.session_state.get(widget_key) not in options:
        st.session_state[widget_key] = ""
    value = st.selectbox(label, options, format_func=labels.get, key=widget_key)
    return (base if not value else view(build, view_key(**{name: value}, **choices))), value


def notices_register(depts: str, today, key: str):
    """The notices register of the departments ``depts`` (codes, one a line) as of ``today``: its title, then
    either the "none" caption or the counts and the table a page at a time (page widget key ``key``). Returns what
    a click on a row picked (``marked_table(..., select=)``; pages/_drill.open_picked opens its department), or None."""
    from metrics.views import tasks as tasks_view

    reg = view(tasks_view.notices, view_key(depts=depts, today=today))
    st.subheader(reg.title)
    if reg.none:
        st.caption(reg.none)
        return None
    st.markdown("#### " + reg.counts)
    st.caption(t("dept.open_hint"))
    return marked_table(
        reg.rows,
        key,
        reg.headers,
        "notices.csv",
        "",
        select=f"{key}_drill",
        days_overdue=st.column_config.TextColumn(reg.headers["days_overdue"], alignment="right"),
        dept_code=None,
    )


def text_columns(headers: dict[str, str], **columns) -> dict:
    """The column_config of a table: every ``headers`` column (column → shown name) as text, and ``columns``
    (column → st.column_config) where a column is drawn otherwise."""
    return {**{c: st.column_config.TextColumn(h) for c, h in headers.items()}, **columns}


def marked_table(
    rows, key: str, headers: dict[str, str], file_name: str, marker: str, select: str | None = None, **columns
):
    """``rows`` a page at a time (see ``paged``): the marker images under the heading ``marker``, the ``headers``
    columns as text, and ``columns`` (column → st.column_config) where a column is drawn otherwise. With ``select``
    (a widget key) a click on a cell selects it: returns (the rows shown, the selection event)."""
    shown = paged(rows, key, headers, file_name=file_name)
    event = st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config={"marker": st.column_config.ImageColumn(marker, width=40), **text_columns(headers, **columns)},
        **({"on_select": "rerun", "selection_mode": "single-cell", "key": select} if select else {}),
    )
    return (shown, event) if select else None
