"""What the 季度汇报 page shows (PRODUCT §6): the quarters on offer, the chosen quarter's six
slides — titles, the line under each, figures (a preview size and one filling a projector), tables (each in the rows
that fit a 1280×720 projector and those that fit 1920×1080) and KPI cards — and the ``Briefing`` the HTML and PPTX
downloads are written from.

Choices (``ViewKey.choices``): ``quarter`` ('YYYY-Qn'; None or a quarter without data: the default quarter, the
newest complete one); ``today`` (a date: the day a running quarter is judged on; the page passes its clock's).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from metrics import briefing, clock, safe, store, theme
from metrics.rules import periods
from metrics.views import ViewKey

# The room a slide table has in presentation mode (pages/briefing.py's PRESENT_CSS sets these sizes): a 1280×720
# projector and a 1920×1080 screen, under the slide's title and subtitle. Checked by tests/e2e/test_presentation.py.
SHORT = briefing.Fit(width=1180, budget=400, font=24, head=24, line=1.25, pad_x=10, pad_y=3, rest_font=24)
TALL = briefing.Fit(width=1800, budget=650, font=30, head=26, line=1.3, pad_x=14, pad_y=6, rest_font=28)
HEADING_PX = (60, 60)  # a table's bold heading line on slide 5 with the gap under it (1280×720, 1920×1080)


@dataclass(frozen=True)
class Card:
    """One KPI card: a label, a big value, then short lines, each with a tone: 'good' | 'bad' | 'warn' | 'muted' |
    None (plain)."""

    label: str
    value: str
    lines: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True)
class SlideTable:
    """A table on a slide: its heading, the rows fitting 1280×720 (``short``) and 1920×1080 (``tall``), each with the
    rest named in one line, and the text shown when it has no row."""

    heading: str
    short: briefing.Table
    tall: briefing.Table
    empty: str = ""


@dataclass(frozen=True)
class Slide:
    """One slide: its title, the line under it (our text and numbers; in a group store slide 1's title and the others'
    line name the hospital: data, escape both), its chart in two sizes, its tables (data as
    plain text: names from uploads), KPI cards (slide 1) and, for a slide without data yet, an empty-state note."""

    name: str
    title: str
    sub: str = ""
    figure: go.Figure | None = None  # 560 px high: the preview
    present_figure: go.Figure | None = None  # fills its container: presentation mode
    tables: tuple[SlideTable, ...] = ()
    cards: tuple[Card, ...] = ()
    empty: str = ""  # the slide's honest empty state (slide 5 until PRODUCT §8's tasks and notices exist)
    empty_sub: str = ""
    # presentation mode, where slide 1's title must stay one line at 1280×720: in a group store its title without the
    # hospital and the hospital on the line under it, as on every other slide ('': ``title`` / ``sub``)
    present_title: str = ""
    present_sub: str = ""

    @property
    def lines(self) -> tuple[str, ...]:
        """Every table row as one line ('a · b · c'), tall fit, then the rest line: what a reader of the slide sees."""
        out = []
        for t in self.tables:
            out += [" · ".join(c for c in row if c) for row in t.tall.rows] + ([t.tall.rest] if t.tall.rest else [])
        return tuple(out)


@dataclass(frozen=True)
class BriefingView:
    quarters: tuple[str, ...]  # quarters holding data, newest first
    quarter_labels: tuple[str, ...]  # the same quarters as the picker shows them
    quarter: str | None  # the quarter shown (None: the store holds no metric value)
    briefing: briefing.Briefing | None  # what the HTML and PPTX are written from
    slides: tuple[Slide, ...]  # in briefing.SLIDES order
    hospital_file: str = ""  # a group store: the hospital's code as the download file names carry it

    def label_of(self, quarter: str) -> str:
        return dict(zip(self.quarters, self.quarter_labels, strict=True)).get(quarter, quarter)


def build(key: ViewKey) -> BriefingView:
    """The briefing page of ``key``'s store, language and quarter."""
    lang, today = key.lang, key.get("today") or clock.today()
    with store.opened(key.store) as db:
        quarters = tuple(briefing.available_quarters(db, key.hospital))
        asked = key.get("quarter")
        quarter = asked if asked in quarters else briefing.default_quarter(db, key.hospital)
        b = briefing.build(db, quarter, lang, key.hospital, today) if quarter else None
        months = store.months_with_data(db, key.hospital)
    labels = tuple(periods.period_label(q, months, lang, today) for q in quarters)
    file_code = re.sub(r"[^A-Za-z0-9_-]", "", key.hospital) or ("hospital" if key.hospital else "")
    return BriefingView(quarters, labels, quarter, b, _slides(b) if b else (), file_code)


def _slides(b: briefing.Briefing) -> tuple[Slide, ...]:
    small, full = briefing.figures(b), briefing.figures(b, height=None)

    def title(name: str) -> str:
        return b.title if name == "kpis" else b.t(f"brief.s.{name}")

    def pages(name: str, makes, headings=("",), empty=("",), share: float = 1.0, **slide) -> list[Slide]:
        """The slide ``name`` with its tables (``makes``, stacked under ``headings``) on as many slides as they need
        (PRODUCT §6: no row dropped; each page fits 1280×720 and 1920×1080), titled '…（2/3）' when continued."""
        most = min(briefing.FIT_ROWS[name])
        fits = [dataclasses.replace(f, width=f.width * share) for f in (SHORT, TALL)]

        def room(t: briefing.Table) -> float:
            return 2.0 if len(t.rows) > most else max(briefing.table_height(t, f) / f.budget for f in fits)

        heading = max(HEADING_PX[0] / SHORT.budget, HEADING_PX[1] / TALL.budget) if any(headings) else 0.0
        laid = briefing.flow([make(b, None) for make in makes], room, heading)
        out = []
        for i, page in enumerate(laid, start=1):
            tables = tuple(SlideTable(headings[j], t, t, empty[j]) for j, t in page)
            out.append(Slide(name, briefing.page_title(title(name), i, len(laid), b.lang), tables=tables, **slide))
        return out

    ranking = (
        Slide("ranking", title("ranking"), b.on_slide(b.ranking_sub()), small["ranking"], full["ranking"])
        if len(b.ranking)
        else Slide("ranking", title("ranking"), b.on_slide(b.ranking_sub()),
                   empty=b.t("brief.ranking_all_met") if b.ranked else b.t("brief.ranking_none"))
    )  # fmt: skip
    programme_empty = b.tasks.empty and b.notices.empty
    unit_counts = bool(briefing.units_table(b).rows)
    return (
        Slide(
            "kpis",
            title("kpis"),
            b.t("brief.kpi_sub", prev=briefing.quarter_label(b.previous, b.lang)),
            cards=_cards(b),
            present_title=b.t("brief.title", quarter=b.period_label) if b.hospital else "",
            present_sub=b.on_slide(b.t("brief.kpi_sub", prev=briefing.quarter_label(b.previous, b.lang)))
            if b.hospital
            else "",
        ),
        ranking,
        *pages(
            "events",
            [briefing.events_table],
            empty=(b.t("brief.events_none"),),
            sub=b.on_slide(b.t("brief.events_count", vetoes=b.vetoes, warnings=b.warnings)),
        ),
        *pages(
            "awards",
            # each award unit type counted above the list (PRODUCT §10), once the hospital records people or posts
            [briefing.units_table, briefing.awards_table] if unit_counts else [briefing.awards_table],
            headings=("", "") if unit_counts else ("",),
            empty=("", b.t("brief.awards_none")) if unit_counts else (b.t("brief.awards_none"),),
            share=0.58,
            sub=b.on_slide(b.t("brief.awards_sub")),
            figure=small["awards"],
            present_figure=full["awards"],
        ),
        *(
            [
                Slide(
                    "tasks",
                    title("tasks"),
                    b.on_slide(""),
                    empty=b.t("brief.tasks_empty"),
                    empty_sub=b.t("brief.tasks_empty_sub"),
                )  # fmt: skip
            ]
            if programme_empty
            else pages(
                "tasks",
                [briefing.tasks_table, briefing.notices_table],
                (b.t("brief.tasks_heading"), b.t("brief.notices_heading")),
                (b.t("brief.none"), b.t("brief.none")),
                sub=b.on_slide(""),
            )
        ),
        Slide(
            "attention",
            title("attention"),
            b.on_slide(b.t("brief.attention_sub")),
            tables=(
                SlideTable(
                    "",
                    briefing.fit_table(briefing.attention_table, b, SHORT, briefing.FIT_ROWS["attention"][0]),
                    briefing.fit_table(briefing.attention_table, b, TALL, briefing.FIT_ROWS["attention"][1]),
                    b.t("brief.attention_none"),
                ),
            ),
        ),
    )


def _cards(b: briefing.Briefing) -> tuple[Card, ...]:
    """The headline KPIs, then vetoes, warnings and departments awarded (slide 1)."""
    lang = b.lang
    cards = []
    for k in b.kpis:
        better = None if k.change is None or k.change == 0 else (k.change > 0) == (k.direction == ">=")
        lines = [  # a missed target is amber, as everywhere; red is kept for vetoes and conflicts
            (briefing.kpi_target_text(k, lang), {True: "good", False: "warn", None: "muted"}[k.passed]),
            (briefing.kpi_change_text(k, lang), {True: "good", False: "warn", None: None}[better]),
        ]
        depts = briefing.kpi_depts_text(k, lang)
        if depts:
            lines.append((depts, None))
        cards.append(Card(k.label, briefing.kpi_value_text(k, lang), tuple(lines)))
    cards += [
        Card(b.t("brief.vetoes"), str(b.vetoes), ((b.t("brief.prev_fmt", n=b.vetoes_prev), _tone(b.vetoes, "bad")),)),
        Card(
            b.t("brief.warnings"),
            str(b.warnings),
            ((b.t("brief.prev_fmt", n=b.warnings_prev), _tone(b.warnings, "warn")),),
        ),
        Card(b.t("brief.awarded"), str(b.awarded)),
    ]
    return tuple(cards)


def _tone(n: int, bad: str) -> str:
    return bad if n else "good"


_ROW_STYLE = {
    "veto": f"color: {theme.RED_TEXT}; font-weight: 700; background-color: {theme.RED_BG}",
    "warning": f"color: {theme.AMBER_TEXT}; background-color: {theme.AMBER_BG}",
    "missed": f"color: {theme.INK}",
    "met": f"color: {theme.GREEN_TEXT}",
    None: "",
}


def table_styler(t: briefing.Table) -> pd.io.formats.style.Styler:
    """A slide table for ``st.table``: every cell shown as written (st.table reads Markdown, so each is escaped),
    each row in its tone's colour (the theme's; a mark in the row says the same without colour)."""
    cols = [safe.md_text(c) or " " * (i + 1) for i, c in enumerate(t.columns)]  # unique, even when a heading is blank
    frame = pd.DataFrame([[safe.md_text(c) for c in row] for row in t.rows], columns=cols)
    tones = list(t.tones)
    styled = frame.style.apply(lambda row: [_ROW_STYLE[tones[row.name]]] * len(row), axis=1)
    # short columns (mark, department, date) never wrap; the long text (indicator, reasons, status) does
    longest = max(range(len(cols)), key=lambda j: max((briefing.em_width(r[j]) for r in t.rows), default=0))
    short = [j for j in range(len(cols)) if j != longest]
    return styled.set_table_styles(
        [{"selector": f"td.col{j}, td.col{j} *", "props": "white-space: nowrap"} for j in short]
    )


def default_keys(base: ViewKey, *, period: str, depts: str, today) -> list[tuple]:
    """The views a first visit of the page builds, each with the key the page makes before any widget is touched:
    (builder, key, resolved) — ``resolved(view)`` gives the choices that visit leaves open as the widgets hold them
    on the next run (``ui.cache.filed_view``). The server's warm after a commit builds exactly these."""
    return [(build, base.with_(quarter=None, today=today), lambda v: {"quarter": v.quarter})]
