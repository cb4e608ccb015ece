"""Figures and display tables for SPC: the XmR chart, verdict labels and sentences, the icon-matrix table.

Builders return ``go.Figure`` or DataFrames and never call Streamlit. Month axes are categories ('YYYY-MM').
Colours follow NHSRplotthedots R/ptd_spc_colours.R (grey common cause, blue improvement, orange concern,
purple neutral, red target), darkened a little for a projector; blue/orange is safe for colour-blind readers and
the icons also differ in shape, never in colour alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

import pandas as pd
import plotly.graph_objects as go

from metrics import contract, i18n, safe, theme
from metrics.rules import spc

COLOURS = {
    "common": "#7f7f7f",
    "improvement": "#1f77b4",
    "concern": "#ED8B00",
    "neutral_high": "#490092",
    "neutral_low": "#490092",
    "value_line": "#b3b3b3",
    "mean": "#222222",
    "limit": "#7f7f7f",
    "target": "#de1b1b",
    "veto": theme.RED,
    "warning": theme.AMBER,
    "award": "#005eb8",
    "rebase": "#490092",
}
FONT_FAMILY = theme.FONT_STACK
TICK_SIZE = 16
TITLE_SIZE = 22

# Icon glyphs: the variation arrow shows the side of the signal (▲ high, ▼ low), the word says good or bad;
# the assurance glyph differs in shape for each verdict (R/geom_ptd_icon.R: improvement_high/low, pass/fail).
_ASSURANCE_GLYPH = {spc.PASS: "✔", spc.FAIL: "✘", spc.HIT_AND_MISS: "◐", None: "○"}


def variation_label(variation: str, direction: str | None, lang: str = i18n.DEFAULT_LANG) -> str:
    """Icon and word for a variation verdict, e.g. '▲ 改善' (high is better, special cause improving)."""
    sign = spc.improvement_sign(direction)
    if variation == spc.IMPROVEMENT:
        glyph = "▲" if sign >= 0 else "▼"
    elif variation == spc.CONCERN:
        glyph = "▼" if sign >= 0 else "▲"
    elif variation == spc.NEUTRAL_HIGH:
        glyph = "▲"
    elif variation == spc.NEUTRAL_LOW:
        glyph = "▼"
    elif variation == spc.COMMON:
        glyph = "—"
    else:
        glyph = "·"
    return f"{glyph} {i18n.t('spc.var.' + variation, lang)}"


def said_missed(missed) -> int:
    """The months in a row below target worth saying (spc.MISSED_STREAK_MIN or more), else 0."""
    missed = 0 if missed is None or pd.isna(missed) else int(missed)
    return missed if missed >= spc.MISSED_STREAK_MIN else 0


_LEGEND_GROUPS = ((">=", "spc.legend.higher"), ("<=", "spc.legend.lower"), (None, "spc.legend.neither"))


def variation_legend(metric_defs: Iterable, lang: str = i18n.DEFAULT_LANG) -> str:
    """What the variation icons mean, per improvement direction, naming the metrics of each (plain text; escape it
    for markdown): '越高越好（患者满意度、…）：▲ 改善 · ▼ 需关注；越低越好（投诉件数、…）：▼ 改善 · ▲ 需关注；— 常规波动'.

    The same arrow means good news for one metric and bad news for another, so a single '▲ 改善'
    legend is wrong for complaints. Directions are the catalogue's (a target's direction overrides it per series).
    """
    defs = list(metric_defs)
    parts = []
    for direction, key in _LEGEND_GROUPS:
        names = [
            i18n.metric_name(m, lang)
            for m in defs
            if (m.direction if m.direction in (">=", "<=") else None) == direction
        ]
        if not names:
            continue
        kinds = (spc.NEUTRAL_HIGH, spc.NEUTRAL_LOW) if direction is None else (spc.IMPROVEMENT, spc.CONCERN)
        labels = " · ".join(variation_label(v, direction, lang) for v in kinds)
        parts.append(i18n.t(key, lang, metrics=i18n.t("spc.legend.sep", lang).join(names), labels=labels))
    parts.append(variation_label(spc.COMMON, None, lang))
    text = i18n.t("spc.legend.join", lang).join(parts)
    return text[:1].upper() + text[1:]


def assurance_label(assurance: str | None, lang: str = i18n.DEFAULT_LANG, missed: int = 0) -> str:
    """Icon and word for an assurance verdict, e.g. '✔ 稳定达标'; '○ 无目标' without one.

    Hit and miss with the target missed ``missed`` months in a row up to the latest (spc.MISSED_STREAK_MIN or more)
    reads '◐ 连续11个月未达标': the glyph, the cell colour and the attention count stay the SPC
    verdict's, the words say what the meeting has seen.
    """
    if said_missed(missed) and assurance == spc.HIT_AND_MISS:
        return f"{_ASSURANCE_GLYPH[assurance]} {i18n.t('spc.ass.missed', lang, n=said_missed(missed))}"
    assurance = assurance if isinstance(assurance, str) else None  # NaN from a frame means none
    return f"{_ASSURANCE_GLYPH.get(assurance, '○')} {i18n.t('spc.ass.' + (assurance or 'none'), lang)}"


def verdict_sentence(metric_name: str, verdict: spc.Verdict, lang: str = i18n.DEFAULT_LANG) -> str:
    """A plain-language sentence, e.g. '患者满意度：近期出现改善的特殊原因变异；目标稳定达成。'"""
    assurance = i18n.t("spc.say.ass." + (verdict.assurance or "none"), lang)
    if said_missed(verdict.missed_months):
        assurance = i18n.t("spc.say.missed", lang, n=verdict.missed_months, assurance=assurance)
    s = i18n.t(
        "spc.sentence",
        lang,
        metric=metric_name,
        variation=i18n.t("spc.say." + verdict.variation, lang),
        assurance=assurance,
    )
    if verdict.trial and verdict.n_points:
        # The points the limits rest on (a baseline or a rebase can make them fewer than the months shown).
        n = verdict.n_points if verdict.limit_points is None else verdict.limit_points
        s += i18n.t("spc.sentence.trial_on", lang, n=n)
    return s


def rule_label(rule: str, lang: str = i18n.DEFAULT_LANG, params: spc.SPCParams = spc.DEFAULT_PARAMS) -> str:
    if not rule:
        return ""
    n = params.trend_length if rule == "trend" else params.run_length
    return i18n.t("spc.rule." + rule, lang, n=n)


# ---------------------------------------------------------------------------------------------
# The XmR chart
# ---------------------------------------------------------------------------------------------


def xmr_figure(
    chart: pd.DataFrame,
    *,
    title: str,
    lang: str = i18n.DEFAULT_LANG,
    unit: str = "",
    direction: str | None = None,
    events: pd.DataFrame | None = None,
    awards: pd.DataFrame | None = None,
    params: spc.SPCParams = spc.DEFAULT_PARAMS,
    height: int = 540,
) -> go.Figure:
    """An XmR chart of one series (``spc.xmr`` output) with its target, events and award changes on the same axis.

    ``events``: event_date, kind ('veto'|'warning'), indicator, description, status (only confirmed are drawn).
    ``awards``: status, changed_on. Both are clipped to the chart's months.
    """
    fig = go.Figure()
    if chart.empty:
        return _layout(fig, title, unit, [], height, lang)
    months = _month_span(chart["month"].iloc[0], chart["month"].iloc[-1])

    fig.add_trace(
        go.Scatter(
            x=chart["month"],
            y=chart["value"],
            mode="lines",
            line=dict(color=COLOURS["value_line"], width=2),
            name=i18n.t("spc.value", lang),
            hoverinfo="skip",
            showlegend=False,
        )
    )
    _add_segment_lines(fig, chart, lang)
    _add_target(fig, chart, lang, direction)
    _add_points(fig, chart, lang, params)

    lo, hi = _y_extent(chart)
    pad = (hi - lo) * 0.12 or 1.0
    top, bottom = hi + pad, lo - pad
    _add_events(fig, events, months, top, lang)
    _add_awards(fig, awards, months, bottom, lang)
    _add_rebase_and_trial(fig, chart, lang, params)
    fig = _layout(fig, title, unit, months, height, lang)
    fig.update_yaxes(range=[bottom - pad * 0.8, top + pad * 0.8])
    return fig


def _add_segment_lines(fig: go.Figure, chart: pd.DataFrame, lang: str) -> None:
    """Centre line and process limits per segment (a rebase starts new lines)."""
    for j, (_, seg) in enumerate(chart.groupby("segment", sort=True)):
        for col, key, dash, colour, width in (
            ("mean", "spc.mean", "solid", COLOURS["mean"], 2.5),
            ("upl", "spc.upl", "dash", COLOURS["limit"], 2),
            ("lpl", "spc.lpl", "dash", COLOURS["limit"], 2),
        ):
            if seg[col].isna().all():
                continue
            fig.add_trace(
                go.Scatter(
                    x=seg["month"],
                    y=seg[col],
                    mode="lines",
                    line=dict(color=colour, dash=dash, width=width),
                    name=i18n.t("spc.limits" if col in ("upl", "lpl") else key, lang),
                    legendgroup="limits" if col in ("upl", "lpl") else col,
                    showlegend=j == 0 and col != "lpl",
                    hovertemplate=f"{i18n.t(key, lang)}: %{{y:.1f}}<extra></extra>",
                    meta={"role": col},
                )
            )


def _add_target(fig: go.Figure, chart: pd.DataFrame, lang: str, direction: str | None) -> None:
    if chart["target"].isna().all():
        return
    sym = {">=": "≥", "<=": "≤"}.get(direction or "", "")
    last = chart["target"].dropna().iloc[-1]
    fig.add_trace(
        go.Scatter(
            x=chart["month"],
            y=chart["target"],
            mode="lines",
            line=dict(color=COLOURS["target"], dash="dot", width=3, shape="hv"),
            name=f"{i18n.t('spc.target', lang)} {sym} {i18n.fmt_number(last, lang)}",
            hovertemplate=f"{i18n.t('spc.target', lang)}: %{{y:.1f}}<extra></extra>",
            meta={"role": "target"},
        )
    )


# A special-cause point's marker: the triangle shows the side or slope of its signal (up: above the mean, beyond the
# upper limit or rising; down: the reverse), the colour whether that is good or bad for the metric (its point type),
# as the matrix icons do (variation_label). Common cause points are grey circles.
_SIDE_SYMBOL = {1: ("triangle-up", "▲"), -1: ("triangle-down", "▼")}


def _add_points(fig: go.Figure, chart: pd.DataFrame, lang: str, params: spc.SPCParams) -> None:
    """One trace per point type and side, named with its glyph and meaning ('▲ 需关注'), so the legend, the colour,
    the marker and the hover's rule always agree for every point."""
    side = chart["signal"].clip(-1, 1).astype(int)
    for kind in spc.POINT_TYPES:
        for s in (0,) if kind == "common" else (1, -1):
            mask = chart["point_type"] == kind
            pts = chart[mask if kind == "common" else mask & (side == s)]
            if pts.empty:
                continue
            symbol, glyph = _SIDE_SYMBOL.get(s, ("circle", ""))
            name = i18n.t("spc.pt." + kind, lang)
            rules = [rule_label(r, lang, params) for r in pts["rule"]]
            fig.add_trace(
                go.Scatter(
                    x=pts["month"],
                    y=pts["value"],
                    mode="markers",
                    marker=dict(
                        color=COLOURS[kind],
                        size=12 if kind == "common" else 16,
                        symbol=symbol,
                        line=dict(color="white", width=1),
                    ),
                    name=f"{glyph} {name}" if glyph else name,
                    customdata=rules,
                    hovertemplate="%{x}: %{y:.1f}<br>%{customdata}<extra></extra>",
                    meta={"role": "points", "point_type": kind, "side": s},
                )
            )


def _add_events(fig: go.Figure, events: pd.DataFrame | None, months: list[str], y: float, lang: str) -> None:
    """One marker per month and kind at the top row: red ✖ for vetoes, amber ▼ for warnings."""
    if events is None or events.empty:
        return
    ev = events
    if "status" in ev.columns:
        ev = ev[ev["status"] == contract.DEFAULT_EVENT_STATUS]
    ev = ev.assign(month=ev["event_date"].astype(str).str[:7])
    ev = ev[ev["month"].isin(months)]
    for kind, symbol, colour in (("veto", "x", COLOURS["veto"]), ("warning", "triangle-down", COLOURS["warning"])):
        sel = ev[ev["kind"] == kind]
        if sel.empty:
            continue
        by_month = sel.groupby("month", sort=True)
        hover = [
            "<br>".join(
                safe.plot_text(f"{r.event_date} {r.indicator} {str(r.description or '')[:40]}") for r in g.itertuples()
            )
            for _, g in by_month
        ]
        fig.add_trace(
            go.Scatter(
                x=list(by_month.groups),
                y=[y] * len(hover),
                mode="markers",
                marker=dict(color=colour, size=18, symbol=symbol, line=dict(color=colour, width=3)),
                name=i18n.t("spc." + kind, lang),
                hovertext=hover,
                hoverinfo="text",
                meta={"role": "events", "kind": kind},
            )
        )


_SETBACKS = ("revoked", "rejected")  # award changes a meeting must see even when another follows in the month


def _add_awards(fig: go.Figure, awards: pd.DataFrame | None, months: list[str], y: float, lang: str) -> None:
    """Award status changes along the bottom row, one marker per month labelled with the month's last status, led by
    a revocation or rejection when one happened earlier that month ('已取消→整改中'); the hover lists every change.

    Labels sit under their marker; when the previous marked month is the month before, the label goes above
    instead so neighbours do not overlap.
    """
    if awards is None or awards.empty:
        return
    aw = awards.assign(month=awards["changed_on"].astype(str).str[:7])
    aw = aw[aw["month"].isin(months)].sort_values("changed_on")
    if aw.empty:
        return
    xs, labels, hovers, positions = [], [], [], []
    for month, g in aw.groupby("month", sort=True):
        statuses = g["status"].tolist()
        names = [i18n.t("award." + st, lang) for st in statuses]
        setback = [i18n.t("award." + st, lang) for st in statuses[:-1] if st in _SETBACKS]
        labels.append("→".join([*setback[-1:], names[-1]]))
        hovers.append(
            "<br>".join(safe.plot_text(f"{d} {n}") for d, n in zip(g["changed_on"].astype(str), names, strict=True))
        )
        adjacent = bool(xs) and months.index(month) - months.index(xs[-1]) == 1
        positions.append("top center" if adjacent and positions[-1] == "bottom center" else "bottom center")
        xs.append(month)
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=[y] * len(xs),
            mode="markers+text",
            marker=dict(color=COLOURS["award"], size=13, symbol="diamond"),
            text=labels,
            textposition=positions,
            textfont=dict(size=15, color=COLOURS["award"]),
            name=i18n.t("spc.award", lang),
            hovertext=hovers,
            hoverinfo="text",
            meta={"role": "awards"},
        )
    )


def _add_rebase_and_trial(fig: go.Figure, chart: pd.DataFrame, lang: str, params: spc.SPCParams) -> None:
    for month in chart.loc[chart["rebase"], "month"]:
        fig.add_vline(x=month, line=dict(color=COLOURS["rebase"], dash="dashdot", width=2))
        fig.add_annotation(
            x=month,
            y=1.0,
            xref="x",
            yref="paper",
            yanchor="bottom",
            xanchor="left",
            text=i18n.t("spc.rebase", lang),
            showarrow=False,
            font=dict(size=15, color=COLOURS["rebase"]),
        )
    for _, seg in chart.groupby("segment", sort=True):
        if bool(seg["trial"].iloc[0]):
            fig.add_annotation(
                x=seg["month"].iloc[-1],
                y=1.0,
                xref="x",
                yref="paper",
                yanchor="bottom",
                xanchor="right",
                text=i18n.t("spc.trial_on", lang, n=int(seg["limit_points"].iloc[0])),
                showarrow=False,
                font=dict(size=16, color="#8a4b00"),
                bgcolor="#fff4e0",
            )


def _y_extent(chart: pd.DataFrame) -> tuple[float, float]:
    cols = [c for c in ("value", "upl", "lpl", "target") if c in chart.columns]
    vals = pd.concat([chart[c] for c in cols]).dropna()
    return float(vals.min()), float(vals.max())


def _month_span(first: str, last: str) -> list[str]:
    """Every calendar month from first to last, so gaps show as gaps on the category axis."""
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


TICKS = 6  # month labels on the axis at most: a 2026年11月 label is wide (36 months → every 6th, level at 1280 px)


def fewer_month_labels(fig: go.Figure, every: int) -> go.Figure:
    """A copy of an XmR chart naming every ``every``-th of its month labels (a narrower chart: no overlap)."""
    out = go.Figure(fig)
    axis = fig.layout.xaxis
    if axis.tickvals:
        out.update_xaxes(tickvals=axis.tickvals[::every], ticktext=axis.ticktext[::every])
    return out


def _layout(
    fig: go.Figure, title: str, unit: str, months: list[str], height: int, lang: str = i18n.DEFAULT_LANG
) -> go.Figure:
    fig.update_layout(
        title=dict(text=safe.plot_text(title), font=dict(size=TITLE_SIZE), x=0, xanchor="left"),
        font=dict(family=FONT_FAMILY, size=TICK_SIZE, color="#222222"),
        plot_bgcolor="white",
        paper_bgcolor="white",
        margin=dict(l=70, r=30, t=90 if title else 50, b=120),
        # The legend goes under the month axis: above the plot are the rebase and trial-limit labels.
        legend=dict(orientation="h", x=0, xanchor="left", y=-0.13, yanchor="top", font=dict(size=16)),
        hoverlabel=dict(font=dict(size=16)),
        height=height,
    )
    fig.update_xaxes(
        type="category",
        categoryorder="array",
        categoryarray=months,
        # the months named as everywhere else (i18n.fmt_month: 2026年3月 / Mar 2026), every few months
        tickvals=months[:: max(1, -(-len(months) // TICKS))],
        ticktext=[i18n.fmt_month(m, lang) for m in months[:: max(1, -(-len(months) // TICKS))]],
        tickangle=0,
        tickfont=dict(size=TICK_SIZE),
        showgrid=False,
        linecolor="#444444",
    )
    fig.update_yaxes(
        title=dict(text=safe.plot_text(unit), font=dict(size=TICK_SIZE)),
        tickfont=dict(size=TICK_SIZE),
        gridcolor="#e6e6e6",
        zeroline=False,
    )
    return fig


# ---------------------------------------------------------------------------------------------
# The icon matrix as a display table
# ---------------------------------------------------------------------------------------------

# Attention rank of a cell (0 = look here first); used to sort and to build sortable cell links.
_VAR_RANK = {spc.CONCERN: 0, spc.NEUTRAL_HIGH: 1, spc.NEUTRAL_LOW: 1, spc.COMMON: 2, spc.IMPROVEMENT: 3}
_ASS_RANK = {spc.FAIL: 0, spc.HIT_AND_MISS: 1, None: 2, spc.PASS: 3}


def cell_rank(variation: str, assurance: str | None) -> int:
    """0–15: a concerning special cause first, then by assurance (failing first); improving and passing last."""
    assurance = assurance if isinstance(assurance, str) else None
    return 4 * _VAR_RANK.get(variation, 2) + _ASS_RANK.get(assurance, 2)


def needs_attention(variation: str, assurance: str | None) -> bool:
    """A cell a meeting should look at: a concerning special cause, or a target consistently failed."""
    return variation == spc.CONCERN or assurance == spc.FAIL


def trends_link(
    dept_code: str,
    metric: str | None = None,
    rank: int | None = None,
    label: str = "",
    lang: str = i18n.DEFAULT_LANG,
) -> str:
    """A relative link to the trends page (``trends?dept=K01``); extra parts keep sorting and display text.

    A link column opens a new tab (a new session), so a non-default language travels in the URL.
    """
    parts = [] if rank is None else [f"rank={rank:02d}"]  # fixed width: sorts as text
    parts.append("dept=" + quote(dept_code, safe=""))
    if metric:
        parts.append("metric=" + quote(metric, safe=""))
    if lang != i18n.DEFAULT_LANG:
        parts.append("lang=" + lang)
    return "trends?" + "&".join(parts) + (f"#{label}" if label else "")


def icon_matrix_table(
    matrix: pd.DataFrame,
    departments: pd.DataFrame,
    metric_defs: Iterable,
    lang: str = i18n.DEFAULT_LANG,
    sort: str = "attention",
) -> pd.DataFrame:
    """Departments × metrics for display: link, name, category, attention count, one cell per metric.

    A metric cell is a link ``trends?rank=R&dept=…&metric=…#<icons>``: the link opens the trends page, the rank
    makes a click on the column header sort by attention, and the text after ``#`` is what the cell shows.
    ``matrix``: spc.icon_matrix output. ``departments``: dept_code, dept_name, category (department rows only).
    """
    defs = [m for m in metric_defs if m.code in set(matrix["metric"])]
    # One pass over the matrix with plain dicts: a groupby with .at lookups per department cost ~1 s at 200
    # departments and grew with the store. Same rows, same order (departments sorted, cells in order).
    names = departments.set_index("dept_code")[["dept_name", "category"]].to_dict("index")
    by_dept: dict[str, dict] = {}
    if "missed_months" not in matrix.columns:
        matrix = matrix.assign(missed_months=0)
    cells = matrix.sort_values("dept_code", kind="stable")[
        ["dept_code", "metric", "variation", "assurance", "direction", "missed_months"]
    ]
    for dept, metric, variation, assurance, direction, missed in cells.itertuples(index=False):
        if dept not in names:
            continue
        row = by_dept.get(dept)
        if row is None:
            row = by_dept[dept] = {
                "link": trends_link(dept, lang=lang),
                "dept_code": dept,
                "dept_name": str(names[dept]["dept_name"]),
                "category": names[dept]["category"],
                "attention": 0,
                "_rank": 99,
            }
        label = f"{variation_label(variation, direction, lang)}  {assurance_label(assurance, lang, missed)}"
        rank = cell_rank(variation, assurance)
        row[metric] = trends_link(dept, metric, rank, label, lang)
        row["attention"] += int(needs_attention(variation, assurance))
        row["_rank"] = min(row["_rank"], rank)
    rows = list(by_dept.values())
    cols = ["link", "dept_code", "dept_name", "category", "attention", *[m.code for m in defs]]
    out = pd.DataFrame(rows, columns=[*cols, "_rank"])
    if sort == "attention":
        out = out.sort_values(["attention", "_rank", "dept_code"], ascending=[False, True, True])
    else:
        out = out.sort_values("dept_code")
    return out[cols].reset_index(drop=True)


def cell_text(link: str | None) -> str:
    """The text a matrix cell shows (after '#')."""
    return "" if not isinstance(link, str) or "#" not in link else link.split("#", 1)[1]


CELL_BACKGROUND = {"attention": "#fde0b8", "improvement": "#d4e6f6"}


def icon_matrix_cell_styles(table: pd.DataFrame) -> pd.DataFrame:
    """CSS per cell of ``icon_matrix_table``: light orange where a cell needs attention (a concerning special cause
    or a target consistently failed), light blue where it is improving; '' elsewhere. Same shape as ``table``."""

    def css(link) -> str:
        rank = _rank_of(link)
        if rank is None:
            return ""
        variation, assurance = divmod(rank, 4)
        if variation == _VAR_RANK[spc.CONCERN] or assurance == _ASS_RANK[spc.FAIL]:
            return f"background-color: {CELL_BACKGROUND['attention']}"
        if variation == _VAR_RANK[spc.IMPROVEMENT]:
            return f"background-color: {CELL_BACKGROUND['improvement']}"
        return ""

    return table.map(css)


def _rank_of(link) -> int | None:
    if not isinstance(link, str) or not link.startswith("trends?rank="):
        return None
    return int(link[len("trends?rank=") :].split("&", 1)[0])


# ---------------------------------------------------------------------------------------------
# The department's events and award history as tables (under the charts)
# ---------------------------------------------------------------------------------------------


def events_table(events: pd.DataFrame, lang: str = i18n.DEFAULT_LANG) -> pd.DataFrame:
    """Events newest first: event_date, kind, indicator, description, status (labels in ``lang``; every status,
    so an event under review or withdrawn is visible here though the chart draws only confirmed ones)."""
    ev = events.sort_values(["event_date", "event_id"], ascending=False)
    return pd.DataFrame(
        {
            "event_date": [i18n.fmt_date(d, lang) for d in ev["event_date"]],
            "kind": [i18n.t("event.kind." + k, lang) for k in ev["kind"]],
            "indicator": ev["indicator"].tolist(),
            "description": ev["description"].fillna("—").tolist(),
            "status": [i18n.t("event.status." + x, lang) for x in ev["status"]],
        }
    )


def awards_table(awards: pd.DataFrame, lang: str = i18n.DEFAULT_LANG) -> pd.DataFrame:
    """Award status changes newest first: year, status (label), changed_on, rectify_until, note."""
    aw = awards.sort_values(["changed_on", "year"], ascending=False)
    return pd.DataFrame(
        {
            "year": aw["year"].tolist(),
            "status": [i18n.t("award." + x, lang) for x in aw["status"]],
            "changed_on": [i18n.fmt_date(d, lang) for d in aw["changed_on"]],
            "rectify_until": [i18n.fmt_date(d, lang) for d in aw["rectify_until"]],  # '—' when none
            "note": aw["note"].fillna("—").replace("", "—").tolist(),
        }
    )


# ---------------------------------------------------------------------------------------------
# Departments side by side (no limits: each department's own XmR chart says whether it changed)
# ---------------------------------------------------------------------------------------------

# Okabe-Ito: distinguishable by colour-blind readers; the first department keeps the strongest colour.
COMPARE_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")


def comparison_figure(
    values: pd.DataFrame,
    labels: dict[str, str],
    *,
    title: str = "",
    lang: str = i18n.DEFAULT_LANG,
    unit: str = "",
    target: float | None = None,
    direction: str | None = None,
    height: int = 500,
) -> go.Figure:
    """One line per department (``values``: dept_code, month, value), in the order of ``labels``, with the target.

    Department names come from uploads: they are escaped before plotly sees them (it reads tags in names), and
    reach the hover as customdata, never inside the hovertemplate string.
    """
    fig = go.Figure()
    if values.empty:
        return _layout(fig, title, unit, [], height, lang)
    months = _month_span(str(values["month"].min()), str(values["month"].max()))
    for i, (code, label) in enumerate(labels.items()):
        d = values[values["dept_code"] == code].sort_values("month")
        if d.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=d["month"],
                y=d["value"],
                mode="lines+markers",
                line=dict(color=COMPARE_COLOURS[i % len(COMPARE_COLOURS)], width=4 if i == 0 else 2.5),
                marker=dict(size=9 if i == 0 else 7),
                name=safe.plot_text(label),
                customdata=[safe.plot_text(label)] * len(d),
                hovertemplate="%{x}: %{y:.1f}<extra>%{customdata}</extra>",
                meta={"role": "dept", "dept_code": code},
            )
        )
    if target is not None and target == target:
        sym = {">=": "≥", "<=": "≤"}.get(direction or "", "")
        fig.add_trace(
            go.Scatter(
                x=[months[0], months[-1]],
                y=[target, target],
                mode="lines",
                line=dict(color=COLOURS["target"], dash="dot", width=3),
                name=f"{i18n.t('spc.target', lang)} {sym} {i18n.fmt_number(target, lang)}",
                hoverinfo="skip",
                meta={"role": "target"},
            )
        )
    return _layout(fig, title, unit, months, height, lang)
