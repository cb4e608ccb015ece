"""What the 季度汇报 page shows (PRODUCT §6; issues 5, 11): the quarters on offer, the chosen quarter's five slides —
titles, the line under each, figures (a preview size and one filling a projector), data lines and KPI cards —
and the ``Briefing`` the HTML and PPTX downloads are written from.

Choices (``ViewKey.choices``): ``quarter`` ('YYYY-Qn'; None or a quarter without data: the default quarter, the
newest complete one).
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from metrics import briefing, pipelines, store
from metrics.views import ViewKey


@dataclass(frozen=True)
class Card:
    """One KPI card: a label, a big value, then short lines, each with a tone: 'good' | 'bad' | 'warn' | 'muted' |
    None (plain)."""

    label: str
    value: str
    lines: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True)
class Slide:
    """One slide: its title, the line under it (our text, numbers only), its chart in two sizes, a heading over its
    data lines (slide 4's conflicts), the data lines (plain text: names from uploads) and KPI cards (slide 1)."""

    name: str
    title: str
    sub: str = ""
    figure: go.Figure | None = None  # 560 px high: the preview
    present_figure: go.Figure | None = None  # fills its container: presentation mode
    heading: str = ""
    lines: tuple[str, ...] = ()
    cards: tuple[Card, ...] = ()


@dataclass(frozen=True)
class BriefingView:
    quarters: tuple[str, ...]  # quarters holding data, newest first
    quarter_labels: tuple[str, ...]  # the same quarters as the picker shows them
    quarter: str | None  # the quarter shown (None: the store holds no metric value)
    briefing: briefing.Briefing | None  # what the HTML and PPTX are written from
    slides: tuple[Slide, ...]  # in briefing.SLIDES order

    def label_of(self, quarter: str) -> str:
        return dict(zip(self.quarters, self.quarter_labels, strict=True)).get(quarter, quarter)


def build(key: ViewKey) -> BriefingView:
    """The briefing page of ``key``'s store, language and quarter."""
    lang = key.lang
    with store.opened(key.store) as db:
        quarters = tuple(briefing.available_quarters(db))
        asked = key.get("quarter")
        quarter = asked if asked in quarters else briefing.default_quarter(db)
        b = briefing.build(db, quarter, lang) if quarter else None
        months = store.months_with_data(db)
    labels = tuple(pipelines.period_label(q, months, lang) for q in quarters)
    return BriefingView(quarters, labels, quarter, b, _slides(b) if b else ())


def _slides(b: briefing.Briefing) -> tuple[Slide, ...]:
    small, full = briefing.figures(b), briefing.figures(b, height=None)

    def title(name: str) -> str:
        return b.title if name == "kpis" else b.t(f"brief.slide.{name}")

    return (
        Slide(
            "kpis",
            title("kpis"),
            b.t("brief.vs_prev", prev=briefing.quarter_label(b.previous, b.lang)),
            cards=_cards(b),
        ),
        Slide("ranking", title("ranking"), b.ranking_sub(), small["ranking"], full["ranking"]),
        Slide(
            "events",
            title("events"),
            b.t("brief.events_sub", vetoes=b.vetoes, warnings=b.warnings),
            small["events"],
            full["events"],
            lines=tuple(briefing.event_lines(b)),
        ),
        Slide(
            "awards",
            title("awards"),
            figure=small["awards"],
            present_figure=full["awards"],
            heading=b.t("brief.conflicts"),
            lines=tuple(briefing.conflict_lines(b)),
        ),
        Slide("attention", title("attention"), lines=tuple(briefing.attention_lines(b))),
    )


def _cards(b: briefing.Briefing) -> tuple[Card, ...]:
    """The headline KPIs, then vetoes, warnings and departments awarded (slide 1)."""
    lang = b.lang
    cards = []
    for k in b.kpis:
        better = None if k.change is None or k.change == 0 else (k.change > 0) == (k.direction == ">=")
        lines = [
            (briefing.kpi_target_text(k, lang), {True: "good", False: "bad", None: "muted"}[k.passed]),
            (briefing.kpi_change_text(k, lang), {True: "good", False: "bad", None: None}[better]),
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
