"""The briefing as one self-contained HTML file: the five slides, plotly.js inline once, no URL anywhere, every
data string escaped."""

from __future__ import annotations

import string
from datetime import date

from metrics import i18n, safe
from metrics.briefing.build import (
    Briefing,
    attention_lines,
    conflict_lines,
    event_lines,
    kpi_change_text,
    kpi_depts_text,
    kpi_target_text,
    kpi_value_text,
    quarter_label,
)
from metrics.briefing.figures import BLUE, FONT_STACK, GREEN, INK, MUTED, RED, RULE, figures

# the theme's colours and fonts (metrics.briefing.figures): the same as the charts' and the PPTX's
_CSS = string.Template(
    """
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; background: #fff; color: $ink; font-family: $fonts; }
.slide { min-height: 100vh; padding: 40px 60px; border-bottom: 6px solid $blue; page-break-after: always; }
h1 { font-size: 48px; margin: 0 0 8px 0; color: $blue; }
h2 { font-size: 40px; margin: 0 0 24px 0; color: $blue; }
.sub { font-size: 26px; color: $muted; margin: 0 0 24px 0; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 24px; }
.card { border: 3px solid $rule; border-radius: 12px; padding: 18px 22px; font-size: 24px; }
.card .v { font-size: 48px; font-weight: 700; }
.card.pass { border-color: $green; } .card.fail { border-color: $red; }
.card.pass .v { color: $green; } .card.fail .v { color: $red; }
ul { font-size: 28px; line-height: 1.5; padding-left: 1.2em; margin: 8px 0; }
li.red { color: $red; font-weight: 700; }
.empty { font-size: 28px; color: $green; }
footer { font-size: 24px; color: $muted; padding: 24px 60px; }
"""
).substitute(fonts=FONT_STACK, ink=INK, blue=BLUE, muted=MUTED, rule=RULE, green=GREEN, red=RED)


# Charts drawn while the page was still loading take a default width; size them to their slide once loaded.
_RESIZE_JS = (
    "window.addEventListener('load',function(){document.querySelectorAll('.js-plotly-plot')"
    ".forEach(function(p){window.Plotly&&Plotly.Plots.resize(p);});});"
)


def to_html(b: Briefing) -> str:
    """One self-contained HTML document: the five slides, plotly.js inline once, every data string escaped."""
    e = safe.html_text  # data strings: escaped, bidi / zero-width controls stripped (12.7)
    figs = figures(b, height=620)
    first = [True]

    def chart(name: str) -> str:
        inline = first[0]
        first[0] = False
        return figs[name].to_html(
            full_html=False,
            include_plotlyjs=True if inline else False,
            config={"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["toImage"]},
            div_id=f"chart-{name}",
        )

    def ul(lines: list[str], cls: str = "") -> str:
        if not lines:
            return f'<p class="empty">{e(b.t("brief.none"))}</p>'
        return "<ul>" + "".join(f'<li class="{cls}">{e(x)}</li>' for x in lines) + "</ul>"

    cards = []
    for k in b.kpis:
        cls = {True: "pass", False: "fail", None: ""}[k.passed]
        extra = kpi_depts_text(k, b.lang)
        cards.append(
            f'<div class="card {cls}"><div>{e(k.label)}</div><div class="v">{e(kpi_value_text(k, b.lang))}</div>'
            f"<div>{e(kpi_target_text(k, b.lang))}</div><div>{e(kpi_change_text(k, b.lang))}</div>"
            + (f"<div>{e(extra)}</div>" if extra else "")
            + "</div>"
        )
    for key, n, prev in (
        ("brief.vetoes", b.vetoes, b.vetoes_prev),
        ("brief.warnings", b.warnings, b.warnings_prev),
    ):
        cls = "fail" if n and key == "brief.vetoes" else ""
        cards.append(
            f'<div class="card {cls}"><div>{e(b.t(key))}</div><div class="v">{n}</div>'
            f"<div>{e(b.t('brief.prev_fmt', n=prev))}</div></div>"
        )
    cards.append(f'<div class="card pass"><div>{e(b.t("brief.awarded"))}</div><div class="v">{b.awarded}</div></div>')

    sections = [
        f'<section class="slide" id="slide-1"><h1>{e(b.title)}</h1>'
        f'<p class="sub">{e(b.t("brief.slide.kpis"))} · {e(b.t("brief.vs_prev", prev=quarter_label(b.previous, b.lang)))}</p>'
        f'<div class="cards">{"".join(cards)}</div></section>',
        f'<section class="slide" id="slide-2"><h2>{e(b.t("brief.slide.ranking"))}</h2>'
        f'<p class="sub">{e(b.ranking_sub())}</p>{chart("ranking")}</section>',
        f'<section class="slide" id="slide-3"><h2>{e(b.t("brief.slide.events"))}</h2>'
        f'<p class="sub">{e(b.t("brief.events_sub", vetoes=b.vetoes, warnings=b.warnings))}</p>'
        f"{chart('events')}{ul(event_lines(b))}</section>",
        f'<section class="slide" id="slide-4"><h2>{e(b.t("brief.slide.awards"))}</h2>{chart("awards")}'
        f"<h2>{e(b.t('brief.conflicts'))}</h2>{ul(conflict_lines(b), 'red')}</section>",
        f'<section class="slide" id="slide-5"><h2>{e(b.t("brief.slide.attention"))}</h2>'
        f"{ul(attention_lines(b))}</section>",
    ]
    lang_attr = "zh-CN" if b.lang == "zh" else "en"
    return (
        f'<!DOCTYPE html><html lang="{lang_attr}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{e(b.title)}</title>'
        f"<style>{_CSS}</style></head><body>{''.join(sections)}"
        f"<footer>{e(b.t('brief.footer', date=i18n.fmt_date(date.today(), b.lang)))}</footer>"
        f"<script>{_RESIZE_JS}</script></body></html>"
    )
