"""The quarterly briefing (季度汇报, PRODUCT §6): the five slides' data, their figures, and the HTML / PPTX files.

No Streamlit here. ``build`` reads the store once and returns a ``Briefing`` (every label already in the
chosen language); ``figures`` turns it into plotly figures; ``to_html`` writes one self-contained HTML file
(plotly.js inline once, no URL anywhere, every data string escaped); ``to_pptx`` writes a PowerPoint deck
with native, editable charts. The presentation page draws the same ``Briefing``.

Slides: (1) headline KPIs vs targets with change vs the previous quarter; (2) departments vs target;
(3) vetoes and warnings of the quarter; (4) the award pipeline with conflicts; (5) departments needing
attention (missed targets, concerning SPC signals, conflicts, overdue rectifications).
"""

from __future__ import annotations

import html
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from metrics import contract, i18n, pipelines, rules, spc, store
from metrics.targets import resolve_targets

SLIDES = ("kpis", "ranking", "events", "awards", "attention")
RANKING_LIMIT = 40  # bars on the ranking slide
RANKING_METRIC = "patient_satisfaction"  # PRODUCT §1: the satisfaction target is the headline department target
LIST_LIMIT = 8  # lines of a text list that fit one slide at 24 px on 1280×720; the rest is counted

# Colours: high contrast on a white projector screen (red = veto/fail, amber = warning, green = pass).
RED, AMBER, GREEN, GREY, INK, BLUE = "#c62828", "#ef8f00", "#2e7d32", "#9e9e9e", "#1a1a1a", "#1f4e9c"
FONT_STACK = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
CHART_FONT = 24  # px: every chart label on a slide is at least this large


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kpi:
    """One headline figure of the quarter (slide 1)."""

    metric: str
    label: str
    unit: str
    value: float | None
    target: float | None
    direction: str | None
    passed: bool | None
    previous: float | None
    change: float | None
    n_pass: int | None = None  # departments meeting their own target (department metrics only)
    n_depts: int | None = None


@dataclass(frozen=True)
class Briefing:
    """Everything the five slides show for one quarter, labels in ``lang``."""

    quarter: str
    previous: str
    lang: str
    title: str
    kpis: tuple[Kpi, ...]
    vetoes: int
    warnings: int
    vetoes_prev: int
    warnings_prev: int
    awarded: int
    ranking: pd.DataFrame = field(repr=False)  # dept_code, dept_name, value, target, passed (sorted best first)
    events: pd.DataFrame = field(repr=False)  # indicator, indicator_label, dept_name, kind, count
    pipeline: pd.DataFrame = field(repr=False)  # status, label, count (process order)
    conflicts: pd.DataFrame = field(repr=False)  # dept_code, dept_name, awarded_on, event_date, indicator
    attention: pd.DataFrame = field(repr=False)  # dept_code, dept_name, reasons (one string, '；'-joined)
    ranking_more: int = 0  # departments left out of the ranking (beyond RANKING_LIMIT)

    def t(self, key: str, **fmt) -> str:
        return i18n.t(key, self.lang, **fmt)

    def ranking_sub(self) -> str:
        """The ranking slide's subtitle, saying how many departments are left out when there are too many."""
        sub = self.t("brief.ranking_sub")
        if self.ranking_more:
            sub += self.t("brief.ranking_more", shown=len(self.ranking), n=self.ranking_more)
        return sub


def quarter_label(quarter: str, lang: str = i18n.DEFAULT_LANG) -> str:
    """'2026-Q3' as 2026年第3季度 (zh) or Q3 2026 (en)."""
    return i18n.t("brief.quarter_fmt", lang, year=quarter[:4], q=quarter[-1])


def available_quarters(db) -> list[str]:
    """Quarters holding any metric value, newest first."""
    first, last = store.month_range(db)
    return pipelines.periods_between(first, last, "quarter")[::-1]


def default_quarter(db) -> str | None:
    """The newest quarter with data in each of its three months, else the newest with any."""
    quarters = available_quarters(db)
    months = set(store.months_with_data(db))
    for q in quarters:
        if all(m in months for m in pipelines.months_of(q)):
            return q
    return quarters[0] if quarters else None


def build(db, quarter: str, lang: str = i18n.DEFAULT_LANG) -> Briefing:
    """The briefing for ``quarter`` ('YYYY-Qn') read from the open store ``db``."""
    prev = pipelines.previous_period(quarter)
    q_last = pipelines.last_month(quarter)
    defs = store.metric_defs(db)
    targets = store.targets(db)
    depts = store.departments(db)
    names = dict(zip(depts["dept_code"], depts["dept_name"], strict=False))
    mv = store.metric_values(db, month_from=pipelines.months_of(prev)[0], month_to=q_last)
    values = pipelines.period_values(mv, targets, defs, "quarter", [prev, quarter])
    hosp = pipelines.with_changes(pipelines.hospital_values(values, targets, defs))
    events = store.events(db, date_from=f"{pipelines.months_of(prev)[0]}-01", date_to=f"{q_last}-31")
    counts = pipelines.event_counts(events, "quarter", [prev, quarter])
    quarter_end = _month_end(q_last)
    status = rules.award_status(store.award_changes(db), quarter_end, int(quarter[:4]), depts["dept_code"])
    all_events = store.events(db, date_to=quarter_end)
    conflicts = rules.conflicts(status, all_events).assign(dept_name=lambda d: d["dept_code"].map(names))
    overdue = _overdue_rectifications(status)
    # the same 36-month SPC window as the trends page and the icon matrix, so the lists agree
    concerns = _concerns(
        store.metric_value_chunks(db, month_from=spc.window_start(q_last), month_to=q_last), targets, defs
    )
    cur_values = values[values["period"] == quarter]
    return Briefing(
        quarter=quarter,
        previous=prev,
        lang=lang,
        title=i18n.t("brief.title", lang, quarter=quarter_label(quarter, lang)),
        kpis=_kpis(hosp[hosp["period"] == quarter], defs, lang),
        vetoes=_count(counts, quarter, "veto"),
        warnings=_count(counts, quarter, "warning"),
        vetoes_prev=_count(counts, prev, "veto"),
        warnings_prev=_count(counts, prev, "warning"),
        awarded=int((status["status"] == "awarded").sum()),
        ranking=_ranking(cur_values, names),
        ranking_more=max(0, _ranked(cur_values) - RANKING_LIMIT),
        events=_events(counts[counts["period"] == quarter], names, lang),
        pipeline=_pipeline(status, lang),
        conflicts=conflicts,
        attention=_attention(
            cur_values, counts[counts["period"] == quarter], conflicts, overdue, concerns, names, defs, lang
        ),
    )


def _month_end(month: str) -> str:
    y, m = int(month[:4]), int(month[5:7])
    nxt = date(y + m // 12, m % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1).isoformat()


def _count(counts: pd.DataFrame, period: str, kind: str) -> int:
    return int(counts.loc[(counts["period"] == period) & (counts["kind"] == kind), "count"].sum())


def _kpis(hosp: pd.DataFrame, defs: list[contract.Metric], lang: str) -> tuple[Kpi, ...]:
    out = []
    by_code = {m.code: m for m in defs}
    for row in hosp.to_dict("records"):
        m = by_code.get(row["metric"])
        if m is None or pd.isna(row["target"]):
            continue
        dept_scope = m.scope != "hospital"
        out.append(
            Kpi(
                metric=m.code,
                label=i18n.metric_name(m, lang),
                unit=m.unit_en if lang == "en" else m.unit_zh,
                value=_f(row["value"]),
                target=_f(row["target"]),
                direction=row["direction"],
                passed=None if pd.isna(row["passed"]) else bool(row["passed"]),
                previous=_f(row["prev_value"]),
                change=_f(row["delta_prev"]),
                n_pass=int(row["n_pass"]) if dept_scope else None,
                n_depts=int(row["n_depts"]) if dept_scope else None,
            )
        )
    return tuple(sorted(out, key=lambda k: by_code[k.metric].sort))


def _f(x) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


def _ranked(values: pd.DataFrame) -> int:
    return int(((values["metric"] == RANKING_METRIC) & (values["dept_code"] != contract.HOSPITAL_CODE)).sum())


def _ranking(values: pd.DataFrame, names: dict) -> pd.DataFrame:
    """Best first; beyond RANKING_LIMIT departments only the ones furthest below their target (a slide shows about
    40 bars legibly; 5,000 made a useless chart that took a second to build; issue 7)."""
    r = values[(values["metric"] == RANKING_METRIC) & (values["dept_code"] != contract.HOSPITAL_CODE)]
    if len(r) > RANKING_LIMIT:
        r = r.assign(_gap=r["value"] - r["target"]).sort_values(["_gap", "dept_code"], na_position="last")
        r = r.iloc[:RANKING_LIMIT]
    return (
        r.assign(dept_name=r["dept_code"].map(names).fillna(r["dept_code"]))
        .sort_values("value", ascending=False)[["dept_code", "dept_name", "value", "target", "passed"]]
        .reset_index(drop=True)
    )


def _indicator_label(code: str, lang: str) -> str:
    ind = contract.INDICATOR_BY_CODE.get(code)
    if ind is None:
        return code
    return f"{code} {ind.name_en if lang == 'en' else ind.name_zh}"


def _events(counts: pd.DataFrame, names: dict, lang: str) -> pd.DataFrame:
    cols = ["indicator", "indicator_label", "dept_code", "dept_name", "kind", "count"]
    if counts.empty:
        return pd.DataFrame(columns=cols)
    return (
        counts.assign(
            dept_name=counts["dept_code"].map(names).fillna(counts["dept_code"]),
            indicator_label=counts["indicator"].map(lambda c: _indicator_label(c, lang)),
        )
        .sort_values(["kind", "indicator", "dept_code"], ascending=[False, True, True])[cols]
        .reset_index(drop=True)
    )


def _pipeline(status: pd.DataFrame, lang: str) -> pd.DataFrame:
    counts = rules.pipeline_counts(status)
    return counts.assign(label=counts["status"].map(lambda c: i18n.t(f"award.{c}", lang)))[["status", "label", "count"]]


def _overdue_rectifications(status: pd.DataFrame) -> pd.DataFrame:
    """Departments still 整改中 whose rectification deadline has passed: dept_code, rectify_until."""
    late = status[(status["status"] == "rectifying") & (status["days_left"].fillna(0) < 0)]
    return late[["dept_code", "rectify_until"]].reset_index(drop=True)


def _concerns(chunks: Iterable[pd.DataFrame], targets: pd.DataFrame, defs: list[contract.Metric]) -> pd.DataFrame:
    """(dept_code, metric) series whose last point (the quarter's last month) is a concerning special cause.

    ``chunks``: metric values a group of departments at a time (store.metric_value_chunks), each series whole, so
    the whole history is never in memory at once (issue 7).
    """
    parts = []
    for mv in chunks:
        mv = mv[mv["dept_code"] != contract.HOSPITAL_CODE]
        if mv.empty:
            continue
        matrix = spc.icon_matrix(mv, resolve_targets(targets, mv), defs)
        parts.append(matrix[matrix["variation"] == spc.CONCERN][["dept_code", "metric"]])
    if not parts:
        return pd.DataFrame(columns=["dept_code", "metric"])
    return pd.concat(parts, ignore_index=True)


def _attention(
    values: pd.DataFrame,
    counts: pd.DataFrame,
    conflicts: pd.DataFrame,
    overdue: pd.DataFrame,
    concerns: pd.DataFrame,
    names: dict,
    defs: list[contract.Metric],
    lang: str,
) -> pd.DataFrame:
    """One row per department needing attention, with its reasons in ``lang`` (worst first)."""
    by_code = {m.code: m for m in defs}
    reasons: dict[str, list[tuple[int, str]]] = {}

    def add(code: str, weight: int, text: str) -> None:
        reasons.setdefault(code, []).append((weight, text))

    for r in conflicts.to_dict("records"):
        add(r["dept_code"], 4, i18n.t("brief.reason.conflict", lang, date=i18n.fmt_date(r["event_date"], lang)))
    vetoes = counts[counts["kind"] == "veto"]
    for r in vetoes.to_dict("records"):
        add(r["dept_code"], 3, i18n.t("brief.reason.veto", lang, indicator=r["indicator"], n=int(r["count"])))
    for r in overdue.to_dict("records"):
        add(r["dept_code"], 2, i18n.t("brief.reason.overdue", lang, date=i18n.fmt_date(r["rectify_until"], lang)))
    for r in concerns.to_dict("records"):
        m = by_code.get(r["metric"])
        add(r["dept_code"], 2, i18n.t("brief.reason.spc", lang, metric=i18n.metric_name(m, lang) if m else r["metric"]))
    missed = values[(values["passed"] == False) & (values["dept_code"] != contract.HOSPITAL_CODE)]  # noqa: E712
    for r in missed.to_dict("records"):
        m = by_code.get(r["metric"])
        add(
            r["dept_code"],
            1,
            i18n.t(
                "brief.reason.missed",
                lang,
                metric=i18n.metric_name(m, lang) if m else r["metric"],
                value=_miss_text(r["value"], r["target"], lang),
                op="≥" if r["direction"] == ">=" else "≤",
                target=i18n.fmt_number(r["target"], lang, 0 if float(r["target"]).is_integer() else 1),
            ),
        )
    rows = [
        dict(
            dept_code=code,
            dept_name=names.get(code, code),
            weight=(max(w for w, _ in rs), len(rs)),
            reasons=i18n.t("brief.reason.sep", lang).join(t for _, t in sorted(rs, key=lambda x: -x[0])),
        )
        for code, rs in reasons.items()
    ]
    if not rows:
        return pd.DataFrame(columns=["dept_code", "dept_name", "reasons"])
    out = pd.DataFrame(rows).sort_values(["weight", "dept_code"], ascending=[False, True])
    return out[["dept_code", "dept_name", "reasons"]].reset_index(drop=True)


def _miss_text(value: float, target: float, lang: str) -> str:
    """A missed value with enough decimals that it never reads as equal to its target (89.97 → 89.97, not 90.0)."""
    one = i18n.fmt_number(value, lang, 1)
    return one if round(float(value), 1) != float(target) else i18n.fmt_number(value, lang, 2)


# ---------------------------------------------------------------------------------------------
# Text shared by the page, the HTML and the PPTX
# ---------------------------------------------------------------------------------------------


def kpi_value_text(k: Kpi, lang: str) -> str:
    """'93.1 分' — the quarter's figure with its unit."""
    return f"{i18n.fmt_number(k.value, lang)} {k.unit}".strip()


def kpi_target_text(k: Kpi, lang: str) -> str:
    """'目标 ≥ 90 · 达标' — the target, its direction and whether it is met."""
    op = "≥" if k.direction == ">=" else "≤"
    verdict = {True: "brief.met", False: "brief.missed", None: "brief.no_data"}[k.passed]
    return (
        i18n.t("brief.target_fmt", lang, op=op, target=i18n.fmt_number(k.target, lang, 0))
        + " · "
        + i18n.t(verdict, lang)
    )


def kpi_change_text(k: Kpi, lang: str) -> str:
    """'较上季度 +0.4' (or '—' without a previous quarter)."""
    if k.change is None:
        return i18n.t("brief.change_fmt", lang, change="—")
    return i18n.t("brief.change_fmt", lang, change=f"{k.change:+.1f}")


def kpi_depts_text(k: Kpi, lang: str) -> str | None:
    """'达标科室 31 / 40' for department metrics."""
    if k.n_depts is None:
        return None
    return i18n.t("brief.depts_meeting", lang, n=k.n_pass, total=k.n_depts)


def event_lines(b: Briefing) -> list[str]:
    """Slide 3's list: '产科 · V04 否决 × 1', vetoes first."""
    return [
        f"{r['dept_name']} · {r['indicator']} {b.t('event.kind.' + r['kind'])} × {int(r['count'])}"
        for r in b.events.to_dict("records")
    ]


def conflict_lines(b: Briefing) -> list[str]:
    """Slide 4's conflicts: '放射科 · 授牌 2026年1月11日 · 否决 V07 2026年8月3日'."""
    return [
        b.t(
            "brief.conflict_fmt",
            dept=r["dept_name"],
            awarded=i18n.fmt_date(r["awarded_on"], b.lang),
            indicator=r["indicator"],
            date=i18n.fmt_date(r["event_date"], b.lang),
        )
        for r in b.conflicts.to_dict("records")
    ]


def attention_lines(b: Briefing) -> list[str]:
    """Slide 5's list: '急诊科：患者满意度 85.4 未达 ≥ 90'."""
    return [f"{r['dept_name']}：{r['reasons']}" for r in b.attention.to_dict("records")]


def clip(lines: list[str], limit: int, lang: str) -> list[str]:
    """At most ``limit`` lines; the rest counted in a last line so nothing is silently dropped."""
    if len(lines) <= limit:
        return lines
    return [*lines[: limit - 1], i18n.t("brief.more_fmt", lang, n=len(lines) - limit + 1)]


# ---------------------------------------------------------------------------------------------
# Figures (slides 2–4)
# ---------------------------------------------------------------------------------------------


def figures(b: Briefing, height: int | None = 560) -> dict[str, go.Figure]:
    """The slide charts by slide name: 'ranking', 'events', 'awards'."""
    return {
        "ranking": ranking_figure(b, height),
        "events": events_figure(b, height),
        "awards": awards_figure(b, height),
    }


def _layout(fig: go.Figure, height: int | None, **kw) -> go.Figure:
    """Projector styling; ``height`` None lets the figure fill its container (presentation mode)."""
    fig.update_layout(
        height=height,
        autosize=height is None or None,
        margin=dict(l=20, r=20, t=20, b=20),
        font=dict(family=FONT_STACK, size=CHART_FONT, color=INK),
        paper_bgcolor="white",
        plot_bgcolor="white",
        **{"showlegend": False, **kw},
    )
    fig.update_xaxes(tickfont=dict(size=CHART_FONT), automargin=True)
    fig.update_yaxes(tickfont=dict(size=CHART_FONT), automargin=True, gridcolor="#e0e0e0")
    return fig


def ranking_figure(b: Briefing, height: int | None = 560) -> go.Figure:
    """Departments' quarter value of the ranking metric, best first, green met / red missed, targets as a line."""
    r = b.ranking
    colours = [GREEN if p is True else RED if p is False else GREY for p in r["passed"].astype(object)]
    fig = go.Figure()
    fig.add_bar(
        x=list(r["dept_name"]),
        y=list(r["value"]),
        marker_color=colours,
        name=b.t("brief.this_quarter"),
        hovertemplate="%{x}: %{y:.1f}<extra></extra>",
    )
    fig.add_scatter(
        x=list(r["dept_name"]),
        y=list(r["target"]),
        mode="lines",
        line=dict(color=INK, width=4, dash="dash", shape="hvh"),
        name=b.t("brief.target"),
        hovertemplate=b.t("brief.target") + " %{y:.0f}<extra></extra>",
    )
    lo = min([*r["value"].dropna(), *r["target"].dropna(), 100]) if len(r) else 0
    _layout(fig, height, bargap=0.15)
    # every department labelled: plotly thins crowded category labels unless the ticks are listed
    fig.update_xaxes(type="category", tickangle=-90, tickmode="array", tickvals=list(r["dept_name"]))
    fig.update_yaxes(range=[max(0, lo - 3), 100], title=None)
    return fig


def events_figure(b: Briefing, height: int | None = 560) -> go.Figure:
    """Confirmed events of the quarter by indicator, vetoes red and warnings amber."""
    e = b.events.groupby(["indicator", "kind"], as_index=False)["count"].sum() if len(b.events) else b.events
    fig = go.Figure()
    for kind, colour in (("veto", RED), ("warning", AMBER)):
        part = e[e["kind"] == kind] if len(e) else e
        fig.add_bar(
            x=list(part["indicator"]) if len(part) else [],
            y=list(part["count"]) if len(part) else [],
            marker_color=colour,
            name=b.t("event.kind." + kind),
            text=list(part["count"]) if len(part) else [],
            textposition="outside",
        )
    _layout(fig, height, barmode="stack", showlegend=True, legend=dict(orientation="h", y=1.08, x=0))
    fig.update_xaxes(type="category")
    fig.update_yaxes(dtick=1, rangemode="tozero")
    return fig


def awards_figure(b: Briefing, height: int | None = 560) -> go.Figure:
    """Departments per award status of the quarter's year, in process order (horizontal bars)."""
    p = b.pipeline[b.pipeline["count"] > 0].iloc[::-1]
    colours = [
        GREEN if s == "awarded" else RED if s in ("revoked", "rejected") else AMBER if s == "rectifying" else BLUE
        for s in p["status"]
    ]
    fig = go.Figure(
        go.Bar(
            y=list(p["label"]),
            x=list(p["count"]),
            orientation="h",
            marker_color=colours,
            text=list(p["count"]),
            textposition="outside",
        )
    )
    _layout(fig, height)
    fig.update_yaxes(type="category")
    fig.update_xaxes(rangemode="tozero", range=[0, max([*p["count"], 1]) * 1.15])
    return fig


# ---------------------------------------------------------------------------------------------
# Self-contained HTML
# ---------------------------------------------------------------------------------------------

_CSS = """
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; background: #fff; color: #1a1a1a; font-family: FONTS; }
.slide { min-height: 100vh; padding: 40px 60px; border-bottom: 6px solid #1f4e9c; page-break-after: always; }
h1 { font-size: 48px; margin: 0 0 8px 0; color: #1f4e9c; }
h2 { font-size: 40px; margin: 0 0 24px 0; color: #1f4e9c; }
.sub { font-size: 26px; color: #444; margin: 0 0 24px 0; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 24px; }
.card { border: 3px solid #ccc; border-radius: 12px; padding: 18px 22px; font-size: 24px; }
.card .v { font-size: 48px; font-weight: 700; }
.card.pass { border-color: #2e7d32; } .card.fail { border-color: #c62828; }
.card.pass .v { color: #2e7d32; } .card.fail .v { color: #c62828; }
ul { font-size: 28px; line-height: 1.5; padding-left: 1.2em; margin: 8px 0; }
li.red { color: #c62828; font-weight: 700; }
.empty { font-size: 28px; color: #2e7d32; }
footer { font-size: 24px; color: #555; padding: 24px 60px; }
""".replace("FONTS", FONT_STACK)


# Charts drawn while the page was still loading take a default width; size them to their slide once loaded.
_RESIZE_JS = (
    "window.addEventListener('load',function(){document.querySelectorAll('.js-plotly-plot')"
    ".forEach(function(p){window.Plotly&&Plotly.Plots.resize(p);});});"
)


def to_html(b: Briefing) -> str:
    """One self-contained HTML document: the five slides, plotly.js inline once, every data string escaped."""
    e = html.escape
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


# ---------------------------------------------------------------------------------------------
# PowerPoint with native charts
# ---------------------------------------------------------------------------------------------


def to_pptx(b: Briefing) -> bytes:
    """A 16:9 deck of the five slides; charts are native PowerPoint charts (editable data), numbers in text."""
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
    from pptx.util import Emu, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12192000), Emu(6858000)  # 13.333 × 7.5 in
    blank = prs.slide_layouts[6]
    W = prs.slide_width
    inch = 914400

    def rgb(hexstr: str) -> RGBColor:
        return RGBColor.from_string(hexstr.lstrip("#"))

    def title(slide, text: str, sub: str | None = None) -> None:
        tf = slide.shapes.add_textbox(Emu(inch // 2), Emu(inch // 4), W - Emu(inch), Emu(inch)).text_frame
        tf.word_wrap = True
        p = tf.paragraphs[0]
        p.text = text
        p.font.size, p.font.bold, p.font.color.rgb = Pt(32), True, rgb(BLUE)
        if sub:
            q = tf.add_paragraph()
            q.text = sub
            q.font.size, q.font.color.rgb = Pt(18), rgb("#444444")

    def text_list(slide, lines: list[str], left, top, width, height, size=18, colour=INK) -> None:
        tf = slide.shapes.add_textbox(left, top, width, height).text_frame
        tf.word_wrap = True
        lines = lines or [b.t("brief.none")]
        for i, line in enumerate(lines):
            p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            p.text = line
            p.font.size, p.font.color.rgb = Pt(size), rgb(colour)

    def chart(slide, kind, data, left, top, width, height, legend=False):
        gf = slide.shapes.add_chart(kind, left, top, width, height, data)
        c = gf.chart
        c.has_legend = legend
        if legend:
            c.legend.position, c.legend.include_in_layout = XL_LEGEND_POSITION.TOP, False
        c.font.size = Pt(14)
        return c

    # 1. KPIs
    s = prs.slides.add_slide(blank)
    title(s, b.title, b.t("brief.slide.kpis") + " · " + b.t("brief.vs_prev", prev=quarter_label(b.previous, b.lang)))
    lines = []
    for k in b.kpis:
        extra = kpi_depts_text(k, b.lang)
        parts = [kpi_value_text(k, b.lang), kpi_target_text(k, b.lang), kpi_change_text(k, b.lang)]
        lines.append(f"{k.label}：" + " · ".join(parts + ([extra] if extra else [])))
    lines.append(f"{b.t('brief.vetoes')}：{b.vetoes}（{b.t('brief.prev_fmt', n=b.vetoes_prev)}）")
    lines.append(f"{b.t('brief.warnings')}：{b.warnings}（{b.t('brief.prev_fmt', n=b.warnings_prev)}）")
    lines.append(f"{b.t('brief.awarded')}：{b.awarded}")
    text_list(s, lines, Emu(inch // 2), Emu(int(1.5 * inch)), W - Emu(inch), Emu(5 * inch), size=20)

    # 2. Ranking (clustered columns: the quarter's value and the department's target)
    s = prs.slides.add_slide(blank)
    title(s, b.t("brief.slide.ranking"), b.ranking_sub())
    cd = CategoryChartData()
    cd.categories = list(b.ranking["dept_name"])
    cd.add_series(b.t("brief.this_quarter"), [round(float(v), 1) for v in b.ranking["value"]], number_format="0.0")
    cd.add_series(b.t("brief.target"), [_f(v) for v in b.ranking["target"]], number_format="0")
    c = chart(s, XL_CHART_TYPE.COLUMN_CLUSTERED, cd, Emu(inch // 3), Emu(int(1.4 * inch)), W - Emu(inch * 2 // 3),
              Emu(int(5.8 * inch)), legend=True)  # fmt: skip
    c.plots[0].series[0].format.fill.solid()
    c.plots[0].series[0].format.fill.fore_color.rgb = rgb(BLUE)
    c.plots[0].series[1].format.fill.solid()
    c.plots[0].series[1].format.fill.fore_color.rgb = rgb(GREY)
    lo = min([*b.ranking["value"].dropna(), 100]) if len(b.ranking) else 0
    c.value_axis.minimum_scale, c.value_axis.maximum_scale = max(0, int(lo) - 3), 100
    c.category_axis.tick_labels.font.size = Pt(11)

    # 3. Events by indicator (stacked columns veto / warning) + the department list
    s = prs.slides.add_slide(blank)
    title(s, b.t("brief.slide.events"), b.t("brief.events_sub", vetoes=b.vetoes, warnings=b.warnings))
    e = b.events.groupby(["indicator", "kind"])["count"].sum() if len(b.events) else pd.Series(dtype=int)
    inds = sorted({i for i, _ in e.index}) if len(e) else []
    if inds:
        cd = CategoryChartData()
        cd.categories = inds
        for kind in ("veto", "warning"):
            cd.add_series(b.t("event.kind." + kind), [int(e.get((i, kind), 0)) for i in inds])
        c = chart(s, XL_CHART_TYPE.COLUMN_STACKED, cd, Emu(inch // 3), Emu(int(1.4 * inch)), Emu(int(6.4 * inch)),
                  Emu(int(5.6 * inch)), legend=True)  # fmt: skip
        for ser, colour in zip(c.plots[0].series, (RED, AMBER), strict=False):
            ser.format.fill.solid()
            ser.format.fill.fore_color.rgb = rgb(colour)
    text_list(s, clip(event_lines(b), 14, b.lang), Emu(int(7 * inch)), Emu(int(1.4 * inch)), Emu(int(6 * inch)),
              Emu(int(5.6 * inch)), size=16)  # fmt: skip

    # 4. Award pipeline (bar per status) + conflicts
    s = prs.slides.add_slide(blank)
    title(s, b.t("brief.slide.awards"))
    p = b.pipeline[b.pipeline["count"] > 0]
    cd = CategoryChartData()
    cd.categories = list(p["label"])
    cd.add_series(b.t("brief.depts"), [int(x) for x in p["count"]])
    c = chart(s, XL_CHART_TYPE.BAR_CLUSTERED, cd, Emu(inch // 3), Emu(int(1.2 * inch)), Emu(int(6.4 * inch)),
              Emu(int(5.8 * inch)))  # fmt: skip
    c.plots[0].has_data_labels = True
    c.category_axis.reverse_order = True
    text_list(s, [b.t("brief.conflicts"), *conflict_lines(b)], Emu(int(7 * inch)), Emu(int(1.2 * inch)),
              Emu(int(6 * inch)), Emu(int(5.6 * inch)), size=18, colour=RED)  # fmt: skip

    # 5. Attention
    s = prs.slides.add_slide(blank)
    title(s, b.t("brief.slide.attention"))
    text_list(s, clip(attention_lines(b), 16, b.lang), Emu(inch // 2), Emu(int(1.2 * inch)), W - Emu(inch),
              Emu(int(6 * inch)), size=16)  # fmt: skip

    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()
