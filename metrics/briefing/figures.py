"""The briefing's plotly figures (slides 2–4) and its projector theme: colours and type sizes shared by the
figures, the HTML and the PPTX."""

from __future__ import annotations

import plotly.graph_objects as go

from metrics import safe
from metrics.briefing.build import Briefing

# Colours: high contrast on a white projector screen (red = veto/fail, amber = warning, green = pass).
RED, AMBER, GREEN, GREY, INK, BLUE = "#c62828", "#ef8f00", "#2e7d32", "#9e9e9e", "#1a1a1a", "#1f4e9c"
MUTED, RULE = "#444444", "#e0e0e0"  # subtitles; grid lines and card borders
FONT_STACK = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
CHART_FONT = 24  # px: every chart label on a slide is at least this large


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
    fig.update_yaxes(tickfont=dict(size=CHART_FONT), automargin=True, gridcolor=RULE)
    return fig


def ranking_figure(b: Briefing, height: int | None = 560) -> go.Figure:
    """Departments' quarter value of the ranking metric, best first, green met / red missed, targets as a line."""
    r = b.ranking
    names = safe.plot_texts(r["dept_name"])  # plotly renders <a>, <span style>, <b>, <br> in any text (12.7)
    colours = [GREEN if p is True else RED if p is False else GREY for p in r["passed"].astype(object)]
    fig = go.Figure()
    fig.add_bar(
        x=names,
        y=list(r["value"]),
        marker_color=colours,
        name=b.t("brief.this_quarter"),
        hovertemplate="%{x}: %{y:.1f}<extra></extra>",
    )
    fig.add_scatter(
        x=names,
        y=list(r["target"]),
        mode="lines",
        line=dict(color=INK, width=4, dash="dash", shape="hvh"),
        name=b.t("brief.target"),
        hovertemplate=b.t("brief.target") + " %{y:.0f}<extra></extra>",
    )
    lo = min([*r["value"].dropna(), *r["target"].dropna(), 100]) if len(r) else 0
    _layout(fig, height, bargap=0.15)
    # every department labelled: plotly thins crowded category labels unless the ticks are listed
    fig.update_xaxes(type="category", tickangle=-90, tickmode="array", tickvals=names)
    fig.update_yaxes(range=[max(0, lo - 3), 100], title=None)
    return fig


def events_figure(b: Briefing, height: int | None = 560) -> go.Figure:
    """Confirmed events of the quarter by indicator, vetoes red and warnings amber."""
    e = b.events.groupby(["indicator", "kind"], as_index=False)["count"].sum() if len(b.events) else b.events
    fig = go.Figure()
    for kind, colour in (("veto", RED), ("warning", AMBER)):
        part = e[e["kind"] == kind] if len(e) else e
        fig.add_bar(
            x=safe.plot_texts(part["indicator"]) if len(part) else [],
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
            y=safe.plot_texts(p["label"]),
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
