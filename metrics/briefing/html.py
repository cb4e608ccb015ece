"""The briefing as one self-contained HTML file: the six slides, plotly.js inline once, no URL anywhere, every
data string escaped; the demo watermark on every slide when the store holds the demo data."""

from __future__ import annotations

import string

from metrics import clock, i18n, safe, theme
from metrics.briefing.build import (
    FIT_ROWS,
    Briefing,
    Fit,
    Table,
    attention_table,
    awards_table,
    em_width,
    events_table,
    fit_table,
    flow,
    kpi_change_text,
    kpi_depts_text,
    kpi_target_text,
    kpi_value_text,
    notices_table,
    page_title,
    quarter_label,
    table_height,
    tasks_table,
    units_table,
)
from metrics.briefing.figures import figures

# the theme's colours and fonts (metrics.theme): the same as the charts' and the PPTX's
_CSS = string.Template(
    """
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; background: #2b2b2b; color: $ink; font-family: $fonts; }
html { scroll-snap-type: y mandatory; }
/* one slide per screen: each a 1920×1080 stage scaled to the window (the script sets --k), as a projector shows a
   deck; arrow keys, PageUp/PageDown and Space move a slide at a time */
.frame { position: relative; width: 100vw; height: 100vh; overflow: hidden; scroll-snap-align: start;
  page-break-after: always; }
.slide { position: absolute; left: var(--x, 0px); top: var(--y, 0px); width: 1920px; height: 1080px;
  transform: scale(var(--k, 1)); transform-origin: 0 0; background: #fff; padding: 36px 60px 80px 60px;
  overflow: hidden; }
.count { position: absolute; right: 60px; bottom: 24px; font-size: 24px; color: $muted; }
h1 { font-size: 48px; margin: 0 0 8px 0; color: $blue; }
h2 { font-size: 44px; margin: 0 0 12px 0; color: $blue; line-height: 1.2; }
.chart { height: 820px; }
h3 { font-size: 30px; margin: 16px 0 8px 0; }
.sub { font-size: 26px; color: $muted; margin: 0 0 20px 0; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); grid-auto-rows: 1fr; gap: 24px; height: 840px; }
.card { border: 3px solid $rule; border-radius: 12px; padding: 20px 26px; font-size: 30px; line-height: 1.4; }
.card .v { font-size: 68px; font-weight: 700; margin: 6px 0; }
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
.watermark { position: absolute; left: 60px; bottom: 20px; font-size: 30px; font-weight: 700; color: $red;
  pointer-events: none; letter-spacing: 0.1em; }
.foot { position: absolute; left: 360px; bottom: 24px; font-size: 24px; color: $muted; }
@media print { html { scroll-snap-type: none; } .frame { width: 1920px; height: 1080px; }
  .slide { transform: none; left: 0; top: 0; } .modebar-container { display: none; } }
@page { size: 1920px 1080px; margin: 0; }
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


# Each slide scaled to the window; charts laid out at the stage's size once loaded; keys step a slide at a time.
_SCRIPT = """
(function () {
  function fit() {
    var k = Math.min(innerWidth / 1920, innerHeight / 1080);
    document.querySelectorAll('.slide').forEach(function (s) {
      s.style.setProperty('--k', k);
      s.style.setProperty('--x', ((innerWidth - 1920 * k) / 2) + 'px');
      s.style.setProperty('--y', ((innerHeight - 1080 * k) / 2) + 'px');
    });
  }
  function current() {
    var frames = document.querySelectorAll('.frame'), best = 0;
    frames.forEach(function (f, i) { if (Math.abs(f.getBoundingClientRect().top) < innerHeight / 2) best = i; });
    return best;
  }
  function go(step) {
    var frames = document.querySelectorAll('.frame');
    var i = Math.max(0, Math.min(frames.length - 1, current() + step));
    frames[i].scrollIntoView({block: 'start'});
  }
  addEventListener('resize', fit);
  addEventListener('keydown', function (e) {
    var next = {ArrowRight: 1, ArrowDown: 1, PageDown: 1, ' ': 1, ArrowLeft: -1, ArrowUp: -1, PageUp: -1}[e.key];
    if (next) { e.preventDefault(); go(next); }
    if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault(); go(e.key === 'Home' ? -1e6 : 1e6);
    }
  });
  fit();
  addEventListener('load', function () {
    fit();
    document.querySelectorAll('.js-plotly-plot').forEach(function (p) { window.Plotly && Plotly.Plots.resize(p); });
  });
})();
"""
# The room a slide table has on the 1920×1080 stage (the CSS above), under a title and its line.
HTML_FIT = Fit(width=1800, budget=760, font=28, head=26, line=1.3, pad_x=14, pad_y=8, rest_font=26)
HEADING_PX = 70  # a table's heading on slide 5 (30 px, its margins)


_TONE_CLASS = {"veto": "veto", "warning": "warning", "missed": "", "met": "", None: ""}


def to_html(b: Briefing) -> str:
    """One self-contained HTML document: the six slides, plotly.js inline once, every data string escaped."""
    e = safe.html_text  # data strings: escaped, bidi / zero-width controls stripped
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
    footer = f'<div class="foot">{e(b.t("brief.footer", date=i18n.fmt_date(b.today or clock.today(), b.lang)))}</div>'
    slides: list[tuple[str, str, str, str]] = []  # (heading tag, heading, line under it, body)

    def add(heading: str, sub: str, body: str, h: str = "h2") -> None:
        slides.append((h, heading, sub if not slides else b.on_slide(sub), body))

    def paged(name: str, sub: str, tables: list[tuple[str, Table, str]], width: float = 1.0, chart_html: str = ""):
        """Slide ``name``'s tables (heading, table, text when empty) on as many slides as they need, no row dropped
        (PRODUCT §6), titled '…（2/3）' when continued; ``chart_html`` beside the table on the first of them."""
        most = FIT_ROWS[name][1]
        fit = Fit(**{**HTML_FIT.__dict__, "width": HTML_FIT.width * width})

        def room(t: Table) -> float:
            return 2.0 if len(t.rows) > most else table_height(t, fit) / fit.budget

        heading = HEADING_PX / fit.budget if any(h for h, _, _ in tables) else 0.0
        laid = flow([t for _, t, _ in tables], room, heading)
        for n, page in enumerate(laid, start=1):
            body = "".join(
                (f"<h3>{e(tables[j][0])}</h3>" if tables[j][0] else "") + table(part, tables[j][2]) for j, part in page
            )
            if chart_html:
                side = chart_html if n == 1 else ""
                body = f'<div class="row"><div>{side}</div><div>{body}</div></div>'
            add(page_title(b.t(f"brief.s.{name}"), n, len(laid), b.lang), sub, body)

    add(b.title, b.t("brief.kpi_sub", prev=quarter_label(b.previous, b.lang)), _cards(b), h="h1")
    if len(b.ranking):
        add(b.t("brief.s.ranking"), b.ranking_sub(), chart("ranking"))
    else:
        none = b.t("brief.ranking_all_met" if b.ranked else "brief.ranking_none")
        add(b.t("brief.s.ranking"), b.ranking_sub(), f'<p class="empty">{e(none)}</p>')
    paged("events", b.t("brief.events_count", vetoes=b.vetoes, warnings=b.warnings),
          [("", events_table(b), b.t("brief.events_none"))])  # fmt: skip
    units = [("", units_table(b), "")] if units_table(b).rows else []  # each unit type counted (PRODUCT §10)
    paged("awards", b.t("brief.awards_sub"), [*units, ("", awards_table(b), b.t("brief.awards_none"))], width=0.58,
          chart_html=chart("awards"))  # fmt: skip
    if b.tasks.empty and b.notices.empty:
        add(b.t("brief.s.tasks"), "", f'<p class="empty">{e(b.t("brief.tasks_empty"))}</p>'
            f'<p class="empty-sub">{e(b.t("brief.tasks_empty_sub"))}</p>')  # fmt: skip
    else:
        paged("tasks", "", [(b.t("brief.tasks_heading"), tasks_table(b), b.t("brief.none")),
                            (b.t("brief.notices_heading"), notices_table(b), b.t("brief.none"))])  # fmt: skip
    attention = fit_table(attention_table, b, HTML_FIT, FIT_ROWS["attention"][1])  # the rest by name in one line
    add(b.t("brief.s.attention"), b.t("brief.attention_sub"), table(attention, b.t("brief.attention_none")))
    sections = [
        f'<section class="frame" id="slide-{i}"><div class="slide"><{h}>{e(heading)}</{h}>'
        + (f'<p class="sub">{e(sub)}</p>' if sub else "")
        + f'{body}{watermark}{footer if i == len(slides) else ""}<div class="count">{i} / {len(slides)}</div></div></section>'
        for i, (h, heading, sub, body) in enumerate(slides, start=1)
    ]
    lang_attr = "zh-CN" if b.lang == "zh" else "en"
    return (
        f'<!DOCTYPE html><html lang="{lang_attr}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{e(b.title)}</title>'
        f"<style>{_CSS}</style></head><body>{''.join(sections)}"
        f"<script>{_SCRIPT}</script></body></html>"
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
