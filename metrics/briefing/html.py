"""The briefing as one self-contained HTML file: the six slides, plotly.js inline once, no URL anywhere, every
data string escaped; the demo watermark on every slide when the store holds the demo data."""

from __future__ import annotations

import string
from datetime import date

from metrics import i18n, safe, theme
from metrics.briefing.build import (
    FIT_ROWS,
    Briefing,
    Table,
    attention_table,
    awards_table,
    em_width,
    events_table,
    kpi_change_text,
    kpi_depts_text,
    kpi_target_text,
    kpi_value_text,
    notices_table,
    quarter_label,
    tasks_table,
)
from metrics.briefing.figures import figures

# the theme's colours and fonts (metrics.theme): the same as the charts' and the PPTX's
_CSS = string.Template(
    """
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; background: #fff; color: $ink; font-family: $fonts; }
.slide { position: relative; min-height: 100vh; padding: 36px 60px; border-bottom: 6px solid $blue;
  page-break-after: always; overflow: hidden; }
h1 { font-size: 48px; margin: 0 0 8px 0; color: $blue; }
h2 { font-size: 44px; margin: 0 0 12px 0; color: $blue; line-height: 1.2; }
.chart { height: calc(100vh - 250px); min-height: 420px; }
h3 { font-size: 30px; margin: 16px 0 8px 0; }
.sub { font-size: 26px; color: $muted; margin: 0 0 20px 0; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 24px; }
.card { border: 3px solid $rule; border-radius: 12px; padding: 16px 22px; font-size: 24px; line-height: 1.35; }
.card .v { font-size: 52px; font-weight: 700; }
.card.pass { border-color: $green; } .card.fail { border-color: $amber; } .card.veto { border-color: $red; }
.card .good { color: $green_t; } .card .warn { color: $amber_t; } .card .bad { color: $red_t; font-weight: 700; }
.card.veto .v { color: $red_t; }
table { border-collapse: collapse; width: 100%; font-size: 28px; line-height: 1.3; }
th { text-align: left; font-size: 26px; color: $muted; border-bottom: 3px solid $ink; padding: 6px 14px; }
td { padding: 8px 14px; border-bottom: 1px solid $rule; vertical-align: top; white-space: nowrap; }
td.wrap { white-space: normal; }
tr.veto td { color: $red_t; font-weight: 700; background: $red_bg; }
tr.warning td { color: $amber_t; background: $amber_bg; }
.rest { font-size: 26px; margin: 12px 0 0 0; }
.row { display: grid; grid-template-columns: 2fr 3fr; gap: 32px; align-items: start; }
.empty { font-size: 40px; font-weight: 700; text-align: center; margin-top: 18vh; }
.empty-sub { font-size: 28px; color: $muted; text-align: center; max-width: 1200px; margin: 16px auto; }
.none { font-size: 28px; color: $muted; }
.watermark { position: absolute; right: 40px; top: 14px; font-size: 40px; font-weight: 700; color: $red;
  opacity: 0.28; transform: rotate(-8deg); pointer-events: none; letter-spacing: 0.1em; }
footer { font-size: 24px; color: $muted; padding: 24px 60px; }
"""
).substitute(
    fonts=theme.FONT_STACK,
    ink=theme.INK,
    blue=theme.BLUE,
    muted=theme.MUTED,
    rule=theme.RULE,
    green=theme.GREEN,
    amber=theme.AMBER,
    red=theme.RED,
    green_t=theme.GREEN_TEXT,
    amber_t=theme.AMBER_TEXT,
    red_t=theme.RED_TEXT,
    red_bg=theme.RED_BG,
    amber_bg=theme.AMBER_BG,
)


# Charts drawn while the page was still loading take a default width; size them to their slide once loaded.
_RESIZE_JS = (
    "window.addEventListener('load',function(){document.querySelectorAll('.js-plotly-plot')"
    ".forEach(function(p){window.Plotly&&Plotly.Plots.resize(p);});});"
)
_TONE_CLASS = {"veto": "veto", "warning": "warning", "missed": "", "met": "", None: ""}


def _tall(name: str) -> int:
    return FIT_ROWS[name][1]  # a file opened on any screen: the 1920×1080 fit


def to_html(b: Briefing) -> str:
    """One self-contained HTML document: the six slides, plotly.js inline once, every data string escaped."""
    e = safe.html_text  # data strings: escaped, bidi / zero-width controls stripped (12.7)
    figs = figures(b, height=None)  # each fills its .chart box: a slide's height on any screen
    first = [True]

    def chart(name: str) -> str:
        inline = first[0]
        first[0] = False
        return (
            '<div class="chart">'
            + figs[name].to_html(
                full_html=False,
                default_height="100%",
                include_plotlyjs=True if inline else False,
                config={"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["toImage"]},
                div_id=f"chart-{name}",
            )
            + "</div>"
        )

    def table(t: Table, empty: str) -> str:
        if not t.rows:
            return f'<p class="none">{e(empty)}</p>'
        head = "".join(f"<th>{e(c)}</th>" for c in t.columns)
        # the longest column wraps; the short ones (mark, department, date) never do
        longest = max(range(len(t.columns)), key=lambda j: max(em_width(r[j]) for r in t.rows))
        body = "".join(
            f'<tr class="{_TONE_CLASS[tone]}">'
            + "".join(f'<td class="{"wrap" if j == longest else ""}">{e(c)}</td>' for j, c in enumerate(row))
            + "</tr>"
            for row, tone in zip(t.rows, t.tones, strict=True)
        )
        rest = f'<p class="rest">{e(t.rest)}</p>' if t.rest else ""
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{rest}"

    watermark = f'<div class="watermark">{e(b.t("brief.watermark"))}</div>' if b.demo else ""

    def section(n: int, heading: str, sub: str, body: str, h: str = "h2") -> str:
        sub = sub if n == 1 else b.on_slide(sub)  # slides 2–6 name the hospital in a group store (slide 1: title)
        sub_html = f'<p class="sub">{e(sub)}</p>' if sub else ""
        return f'<section class="slide" id="slide-{n}"><{h}>{e(heading)}</{h}>{sub_html}{body}{watermark}</section>'

    if len(b.ranking):
        ranking = chart("ranking")
    else:
        ranking = f'<p class="empty">{e(b.t("brief.ranking_all_met" if b.ranked else "brief.ranking_none"))}</p>'
    awards = chart("awards")
    if b.tasks.empty and b.notices.empty:
        tasks = f'<p class="empty">{e(b.t("brief.tasks_empty"))}</p><p class="empty-sub">{e(b.t("brief.tasks_empty_sub"))}</p>'
    else:
        tasks = (
            f"<h3>{e(b.t('brief.tasks_heading'))}</h3>{table(tasks_table(b, _tall('tasks')), b.t('brief.none'))}"
            f"<h3>{e(b.t('brief.notices_heading'))}</h3>{table(notices_table(b, _tall('tasks')), b.t('brief.none'))}"
        )
    sections = [
        section(1, b.title, b.t("brief.kpi_sub", prev=quarter_label(b.previous, b.lang)), _cards(b), h="h1"),
        section(2, b.t("brief.s.ranking"), b.ranking_sub(), ranking),
        section(
            3,
            b.t("brief.s.events"),
            b.t("brief.events_count", vetoes=b.vetoes, warnings=b.warnings),
            table(events_table(b, _tall("events")), b.t("brief.events_none")),
        ),
        section(
            4,
            b.t("brief.s.awards"),
            b.t("brief.awards_sub"),
            f'<div class="row"><div>{awards}</div><div>'
            f"{table(awards_table(b, _tall('awards')), b.t('brief.awards_none'))}</div></div>",
        ),
        section(5, b.t("brief.s.tasks"), "", tasks),
        section(
            6,
            b.t("brief.s.attention"),
            b.t("brief.attention_sub"),
            table(attention_table(b, _tall("attention")), b.t("brief.attention_none")),
        ),
    ]
    lang_attr = "zh-CN" if b.lang == "zh" else "en"
    return (
        f'<!DOCTYPE html><html lang="{lang_attr}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{e(b.title)}</title>'
        f"<style>{_CSS}</style></head><body>{''.join(sections)}"
        f"<footer>{e(b.t('brief.footer', date=i18n.fmt_date(b.today or date.today(), b.lang)))}</footer>"
        f"<script>{_RESIZE_JS}</script></body></html>"
    )


def _cards(b: Briefing) -> str:
    """Slide 1's KPI cards: each headline KPI, then vetoes, warnings and departments awarded."""
    e = safe.html_text
    cards = []
    for k in b.kpis:
        cls = {True: "pass", False: "fail", None: ""}[k.passed]
        tone = {True: "good", False: "warn", None: ""}[k.passed]
        extra = kpi_depts_text(k, b.lang)
        cards.append(
            f'<div class="card {cls}"><div>{e(k.label)}</div><div class="v">{e(kpi_value_text(k, b.lang))}</div>'
            f'<div class="{tone}">{e(kpi_target_text(k, b.lang))}</div><div>{e(kpi_change_text(k, b.lang))}</div>'
            + (f"<div>{e(extra)}</div>" if extra else "")
            + "</div>"
        )
    for key, n, prev, cls in (
        ("brief.vetoes", b.vetoes, b.vetoes_prev, "veto" if b.vetoes else "pass"),
        ("brief.warnings", b.warnings, b.warnings_prev, "fail" if b.warnings else "pass"),
    ):
        cards.append(
            f'<div class="card {cls}"><div>{e(b.t(key))}</div><div class="v">{n}</div>'
            f"<div>{e(b.t('brief.prev_fmt', n=prev))}</div></div>"
        )
    cards.append(f'<div class="card pass"><div>{e(b.t("brief.awarded"))}</div><div class="v">{b.awarded}</div></div>')
    return f'<div class="cards">{"".join(cards)}</div>'
