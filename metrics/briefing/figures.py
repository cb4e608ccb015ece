"""The briefing's plotly figures (slides 2 and 4), styled for the back row from the one theme (metrics.theme):
horizontal bars so every department name reads level, values printed at the bars, type ≥ 24 px."""

from __future__ import annotations

import math

import plotly.graph_objects as go

from metrics import i18n, safe, theme
from metrics.briefing.build import Briefing

# The theme's colours and fonts, under the names the briefing has always used.
RED, AMBER, GREEN, GREY, INK, BLUE = theme.RED, theme.AMBER, theme.GREEN, theme.GREY, theme.INK, theme.BLUE
MUTED, RULE = theme.MUTED, theme.RULE
FONT_STACK = theme.FONT_STACK
CHART_FONT = theme.SLIDE_MIN_PX  # px: every chart label on a slide is at least this large


def figures(b: Briefing, height: int | None = 560) -> dict[str, go.Figure]:
    """The slide charts by slide name: 'ranking', 'awards'."""
    return {"ranking": ranking_figure(b, height), "awards": awards_figure(b, height)}


def _layout(fig: go.Figure, height: int | None, **kw) -> go.Figure:
    """Projector styling; ``height`` None lets the figure fill its container (presentation mode)."""
    fig.update_layout(
        height=height,
        autosize=height is None or None,
        font=dict(family=FONT_STACK, size=CHART_FONT, color=INK),
        paper_bgcolor="white",
        plot_bgcolor="white",
        hoverlabel=dict(font=dict(size=CHART_FONT, family=FONT_STACK)),
        **{"showlegend": False, "margin": dict(l=10, r=30, t=10, b=10), **kw},
    )
    fig.update_xaxes(tickfont=dict(size=CHART_FONT), automargin=True, gridcolor=RULE)
    fig.update_yaxes(tickfont=dict(size=CHART_FONT), automargin=True)
    return fig


def ranking_figure(b: Briefing, height: int | None = 560) -> go.Figure:
    """The departments furthest below target (at most 15), worst at the top, as horizontal amber bars from 0 (a
    bar's length is its value: 85.9 never looks half of 89.8) on an axis with ticks, each value inside its bar's
    end and each department's target a dark tick on its row — right of the bar, so it strikes no label."""
    r = b.ranking
    names = safe.plot_texts(r["dept_name"])[::-1]  # plotly renders <a>, <span style>, <b>, <br> in any text
    values, targets = list(r["value"])[::-1], list(r["target"])[::-1]
    fig = go.Figure()
    fig.add_bar(
        y=names,
        x=values,
        orientation="h",
        marker_color=AMBER,
        text=[f"{v:.1f}" for v in values],
        textposition="inside",
        insidetextanchor="end",
        constraintext="none",  # plotly shrinks inside text to a bar's thickness unless told not to
        textfont=dict(size=CHART_FONT, color=INK),
        name=f"{theme.MARK_MISSED} {b.t('brief.missed')}",
        hovertemplate="%{y}: %{x:.1f}<extra></extra>",
    )
    fig.add_scatter(
        y=names,
        x=targets,
        mode="markers",
        marker=dict(symbol="line-ns", size=34, line=dict(color=INK, width=5)),
        name=b.t("brief.target"),
        hovertemplate=b.t("brief.target") + " %{x:.0f}<extra></extra>",
    )
    hi = 10 * (math.floor(max([*values, *targets]) / 10) + 1) if len(r) else 100  # past the highest target
    _layout(fig, height, bargap=0.2, margin=dict(l=10, r=30, t=38, b=4))
    # every department labelled, level: plotly thins crowded category labels unless the ticks are listed
    fig.update_yaxes(type="category", tickmode="array", tickvals=names, ticksuffix="  ")
    # an honest axis: from 0, ticks every 10, so a bar's length reads as its value
    fig.update_xaxes(range=[0, hi], dtick=10, ticks="outside", showticklabels=True, showgrid=False,
                     showline=True, linecolor=MUTED)  # fmt: skip
    if len(r):  # the targets named once above their ticks (90 and 92 lie too close for a label each)
        distinct = sorted(set(targets))
        fig.add_annotation(x=distinct[0], y=1, yref="paper", yanchor="bottom", xanchor="right", showarrow=False,
                           text=f"{b.t('brief.target')} " + " / ".join(i18n.fmt_number(t, b.lang, 0) for t in distinct),
                           font=dict(size=CHART_FONT, color=INK))  # fmt: skip
    return fig


def awards_figure(b: Briefing, height: int | None = 560) -> go.Figure:
    """Departments per award status of the quarter's year, in process order (horizontal bars with counts)."""
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
            text=[i18n.fmt_number(c, b.lang, 0) for c in p["count"]],
            textposition="outside",
            cliponaxis=False,
            textfont=dict(size=CHART_FONT, color=INK),
        )
    )
    _layout(fig, height, bargap=0.3)
    fig.update_yaxes(type="category", ticksuffix="  ")
    fig.update_xaxes(rangemode="tozero", range=[0, max([*p["count"], 1]) * 1.18], showticklabels=False)
    return fig
