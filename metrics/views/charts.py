"""Figure builders for the browsing pages: each returns a plotly ``go.Figure`` and never calls Streamlit.

Text from data (department names, indicator codes and names, titles holding catalogue names) goes through
``safe.plot_text`` before plotly sees it: plotly renders tags inside text. Data never goes into a hovertemplate
string itself (``%{...}`` there is a template): it goes in as ``customdata``.

Projector-ready: ticks ≥ 16 px, titles ≥ 22 px, a CJK font first, high contrast, and the Okabe–Ito
colour-blind-safe palette (Okabe & Ito 2008, "Color Universal Design"), from ``metrics.theme`` (one
theme for the app, the briefing's HTML and its PPTX). Colours are direction-aware: GOOD (bluish green) means the
target is met whether it is ≥ or ≤, MISSED (amber) means missed, BAD (the theme's red) is kept for vetoes and
conflicts; a missed cell also carries a ✕ so it never relies on colour alone. Month and quarter axes are categories.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from metrics import i18n, safe, theme

# The theme's palette (metrics.theme).
GOOD = theme.GREEN  # target met
BAD = theme.RED  # veto, conflict, revoked
MISSED = theme.AMBER  # target missed (amber, as in the briefing; red is kept for vetoes)
AMBER = theme.AMBER  # warning
BLUE = theme.BLUE  # neutral emphasis (process steps, hospital average)
SKY = theme.SKY
NO_DATA = theme.NO_DATA  # grey: no data — never green
INK = theme.INK

LIGHT_COLOURS = {"red": BAD, "amber": AMBER, "green": GOOD, "grey": NO_DATA}

# A light as a small picture for a table's image column (an inline SVG data URL: nothing is fetched). Each light has
# its own shape as well as its colour, so a colour-blind reader or a washed-out projector still tells them apart.
_LIGHT_SHAPES = {
    "red": "<rect x='2' y='2' width='16' height='16' rx='2'",
    "amber": "<polygon points='10,1 19,18 1,18'",
    "green": "<circle cx='10' cy='10' r='8.5'",
    "grey": "<circle cx='10' cy='10' r='7' fill-opacity='0.35' stroke='%23555' stroke-width='2'",
}


def light_marker(light: str) -> str:
    """The data URL of ``light``'s marker (red square, amber triangle, green disc, grey ring)."""
    colour = LIGHT_COLOURS.get(light, NO_DATA).replace("#", "%23")
    shape = _LIGHT_SHAPES.get(light, _LIGHT_SHAPES["grey"])
    return (
        "data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg' width='20' height='20' viewBox='0 0 20 20'>"
        f"{shape} fill='{colour}'/></svg>"
    )


FONT_FAMILY = theme.FONT_STACK
TICK_PX = theme.APP_TICK_PX
TITLE_PX = theme.APP_TITLE_PX
ROW_PX = 30  # height per department row in ranked charts and heat maps


def _style(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        title=dict(text=safe.plot_text(title), font=dict(size=TITLE_PX, color=INK), x=0, xanchor="left"),
        font=dict(family=FONT_FAMILY, size=TICK_PX, color=INK),
        paper_bgcolor="white",
        plot_bgcolor="white",
        height=height,
        margin=dict(l=10, r=30, t=70, b=40),
        legend=dict(font=dict(size=TICK_PX), orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1),
        hoverlabel=dict(font=dict(size=TICK_PX, family=FONT_FAMILY)),
    )
    fig.update_xaxes(tickfont=dict(size=TICK_PX), title_font=dict(size=TICK_PX + 2), gridcolor="#E5E5E5")
    fig.update_yaxes(tickfont=dict(size=TICK_PX), title_font=dict(size=TICK_PX + 2), gridcolor="#E5E5E5")
    return fig


def _pass_colour(passed) -> str:
    if passed is None or pd.isna(passed):
        return NO_DATA
    return GOOD if bool(passed) else MISSED


def ranking(
    rows: pd.DataFrame,
    title: str,
    lang: str = i18n.DEFAULT_LANG,
    hospital_target: float | None = None,
    digits: int = 1,
) -> go.Figure:
    """Horizontal bars, best first, coloured by pass/fail against each department's own target.

    ``rows``: label, value, target, direction, passed (one row per department; with dept_code, each bar and tick
    carries its code as customdata, so a click on it names the department). A dashed line marks the hospital
    target; a black tick marks a department's own target where it differs.
    """
    direction = rows["direction"].dropna().iloc[0] if rows["direction"].notna().any() else ">="
    best_first = rows.sort_values("value", ascending=(direction == "<="), na_position="last")
    # Plotly draws the first category at the bottom; reverse so the best is on top.
    r = best_first.iloc[::-1]
    colours = [_pass_colour(p) for p in r["passed"]]
    codes = (lambda f: f["dept_code"].tolist()) if "dept_code" in r else (lambda f: None)
    fig = go.Figure(
        go.Bar(
            x=r["value"],
            y=safe.plot_texts(r["label"]),
            customdata=codes(r),
            orientation="h",
            marker=dict(color=colours, line=dict(color=INK, width=0.5)),
            text=[i18n.fmt_number(v, lang, digits) for v in r["value"]],
            # at the bar's base, beside the name: with bars from zero every end crowds the target line, which struck
            # through a label drawn at (or just past) the end
            textposition="inside",
            insidetextanchor="start",
            constraintext="none",
            textfont=dict(size=TICK_PX, color=["white" if c == GOOD else INK for c in colours]),
            hovertemplate="%{y}: %{x:.1f}<extra></extra>",
            showlegend=False,
        )
    )
    own = r[r["target"].notna() & (r["target"] != hospital_target)] if hospital_target is not None else r.iloc[0:0]
    if not own.empty:
        fig.add_trace(
            go.Scatter(
                x=own["target"],
                y=safe.plot_texts(own["label"]),
                customdata=codes(own),
                mode="markers",
                marker=dict(symbol="line-ns", size=26, line=dict(width=4, color=INK)),
                name=i18n.t("chart.own_target", lang),
                hovertemplate="%{y}: " + i18n.t("chart.own_target", lang) + " %{x:.1f}<extra></extra>",
            )
        )
    if hospital_target is not None:
        fig.add_vline(
            x=hospital_target,
            line=dict(color=INK, width=3, dash="dash"),
            annotation=dict(
                text=f"{i18n.t('chart.target', lang)} {'≥' if direction == '>=' else '≤'} "
                f"{i18n.fmt_number(hospital_target, lang, digits)}",
                font=dict(size=TICK_PX + 2, color=INK),
                bgcolor="white",
            ),
            annotation_position="top",
        )
    values = pd.concat([r["value"], r["target"]]).dropna()
    if not values.empty:
        # bars from zero: a bar's length is its value only when it starts at 0 (an axis from 89 drew 89.8 twice as
        # long as 89.4); the printed values, the colours and the target line carry the small differences
        lo, hi = float(values.min()), float(values.max())
        pad = max((max(hi, 0) - min(lo, 0)) * 0.05, 1.0)
        fig.update_xaxes(range=[lo - pad if lo < 0 else 0, hi + pad])
    fig.update_yaxes(type="category", automargin=True)
    fig = _style(fig, title, height=max(360, 110 + ROW_PX * len(r)))
    return fig.update_layout(legend=dict(x=0, xanchor="left"))  # the target's label stands at the top right


def hospital_events(rows: pd.DataFrame, title: str, lang: str = i18n.DEFAULT_LANG) -> go.Figure:
    """Confirmed vetoes (red, ✕) and warnings (amber, ▲) per hospital side by side (the region overview).

    ``rows``: label (the hospital's name), vetoes, warnings — one row per hospital, drawn top to bottom in order."""
    r = rows.iloc[::-1]  # plotly draws the first category at the bottom
    y = safe.plot_texts(r["label"])
    fig = go.Figure()
    for col, colour, mark, key in (  # warnings first: plotly stacks a group's first trace lowest, vetoes go on top
        ("warnings", AMBER, theme.MARK_WARN, "col.warnings"),
        ("vetoes", BAD, theme.MARK_VETO, "col.vetoes"),
    ):
        name = f"{mark} {i18n.t(key, lang)}"
        fig.add_trace(
            go.Bar(
                x=r[col],
                y=y,
                orientation="h",
                name=name,
                marker=dict(color=colour, line=dict(color=INK, width=0.5)),
                text=[f"{mark} {int(v)}" if v else "" for v in r[col]],
                textposition="outside",
                constraintext="none",  # plotly shrinks a label to the bar's thickness: keep 16 px for the back row
                cliponaxis=False,
                textfont=dict(size=TICK_PX, color=INK),
                customdata=[name] * len(r),
                hovertemplate="%{y} · %{customdata}: %{x}<extra></extra>",
            )
        )
    top = float(max(r["vetoes"].max() if len(r) else 0, r["warnings"].max() if len(r) else 0, 1))
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_xaxes(range=[0, top * 1.25 + 0.5], dtick=max(1, round(top / 5)), title=i18n.t("chart.count", lang))
    fig.update_yaxes(type="category", automargin=True)
    fig = _style(fig, title, height=max(360, 130 + int(ROW_PX * 1.6) * len(r)))
    return fig.update_layout(legend_traceorder="reversed")  # the legend reads vetoes, then warnings


def heatmap(grid: pd.DataFrame, labels: dict[str, str], months: list[str], title: str, lang: str) -> go.Figure:
    """Department × month cells: GOOD where the department met its own target, MISSED (with ✕) where it
    missed, grey where there is no data. ``grid``: dept_code, period ('YYYY-MM'), value, target, passed.
    ``labels``: dept_code → row label, in display order (top first)."""
    codes = list(labels)
    labels = {c: safe.plot_text(str(labels[c])) for c in codes}
    # One dict lookup per cell (a .loc per cell cost ~1 ms: 7 s at 200 departments, minutes at 5,000).
    cells = {
        (d, p): (v, tg, ok)
        for d, p, v, tg, ok in grid[["dept_code", "period", "value", "target", "passed"]].itertuples(index=False)
    }
    month_text = {m: i18n.fmt_month(m, lang) for m in months}
    z, text, hover = [], [], []
    for code in codes[::-1]:
        zr, tr, hr = [], [], []
        for m in months:
            if (code, m) in cells:
                value, target, p = cells[(code, m)]
                state = 0 if pd.isna(p) else (2 if bool(p) else 1)
                tgt = "—" if pd.isna(target) else i18n.fmt_number(target, lang)
                hr.append(f"{labels[code]} · {month_text[m]}<br>{i18n.fmt_number(value, lang)} / {tgt}")
            else:
                state = 0
                hr.append(f"{labels[code]} · {month_text[m]}<br>{i18n.t('chart.nodata', lang)}")
            zr.append(state)
            tr.append("✕" if state == 1 else "")
        z.append(zr)
        text.append(tr)
        hover.append(hr)
    x = [i18n.fmt_month(m, lang) for m in months]
    y = [labels[c] for c in codes[::-1]]
    scale = [[0, NO_DATA], [1 / 3, NO_DATA], [1 / 3, MISSED], [2 / 3, MISSED], [2 / 3, GOOD], [1, GOOD]]
    fig = go.Figure(
        go.Heatmap(
            # numpy arrays, not nested lists: plotly validates lists cell by cell (2 s for 5,000 × 12)
            z=np.asarray(z, dtype=np.int8),
            x=x,
            y=y,
            zmin=0,
            zmax=2,
            colorscale=scale,
            text=np.asarray(text, dtype=object),
            texttemplate="%{text}",
            textfont=dict(size=TICK_PX, color=INK),  # the ✕ on an amber cell: dark reads, white does not
            customdata=np.asarray(hover, dtype=object),
            hovertemplate="%{customdata}<extra></extra>",
            xgap=2,
            ygap=2,
            colorbar=dict(
                tickvals=[1 / 3, 1, 5 / 3],
                ticktext=[i18n.t("chart.nodata", lang), i18n.t("chart.fail", lang), i18n.t("chart.pass", lang)],
                tickfont=dict(size=TICK_PX),
                thickness=22,
                len=min(1.0, 300 / max(300, 110 + ROW_PX * len(codes)) + 0.2),
                yanchor="top",
                y=1,
            ),
        )
    )
    # A heat map's cells cannot be selected, so an unseen marker on every cell carries its department's code (as
    # the ranking's bars do): a click on a cell opens that row's department. It also carries the cell's hover text.
    shown = codes[::-1]
    fig.add_trace(
        go.Scatter(
            x=[xm for _ in shown for xm in x],
            y=[labels[c] for c in shown for _ in x],
            customdata=[c for c in shown for _ in x],
            hovertext=[h for row in hover for h in row],
            hovertemplate="%{hovertext}<extra></extra>",
            mode="markers",
            marker=dict(symbol="square", size=ROW_PX, opacity=0),
            showlegend=False,
        )
    )
    fig.data[0].hoverinfo = "skip"
    fig.update_xaxes(type="category", side="top", showgrid=False)
    fig.update_yaxes(type="category", showgrid=False, automargin=True)
    fig = _style(fig, title, height=max(360, 140 + ROW_PX * len(codes)))
    fig.update_layout(margin=dict(t=110))
    return fig


def events_by_quarter(
    counts: pd.DataFrame, title: str, lang: str, indicator_names: dict[str, str], quarters=()
) -> go.Figure:
    """Stacked bars of confirmed events per quarter, one segment per indicator labelled with its code;
    vetoes vermillion, warnings orange. ``counts``: period ('YYYY-Qn'), kind, indicator, count.
    ``indicator_names``: code → name in ``lang`` from the store's catalogue (its edits included; 11.9).
    ``quarters``: every quarter the axis shows ('YYYY-Qn'), those without an event too — a quarter left out of the
    axis reads as if it had not happened, not as a quarter with none."""
    by = counts.groupby(["period", "kind", "indicator"], as_index=False).agg(count=("count", "sum"))
    periods = sorted(set(by["period"]) | set(quarters))
    fig = go.Figure()
    # an empty bar at every quarter: plotly's category axis shows only the categories some trace holds
    fig.add_trace(
        go.Bar(
            x=[i18n.fmt_period(p, lang) for p in periods],
            y=[0] * len(periods),
            showlegend=False,
            hoverinfo="skip",
            marker=dict(color="rgba(0,0,0,0)"),
        )
    )
    for (kind, ind), g in by.sort_values(["kind", "indicator"], ascending=[False, True]).groupby(
        ["kind", "indicator"], sort=False
    ):
        name = f"{ind} {i18n.t('event.kind.' + kind, lang)}"
        full = f"{ind} {indicator_names[ind]}" if indicator_names.get(ind) else ind
        name, code, full = safe.plot_text(name), safe.plot_text(ind), safe.plot_text(full)
        fig.add_trace(
            go.Bar(
                x=[i18n.fmt_period(p, lang) for p in g["period"]],
                y=g["count"],
                name=name,
                marker=dict(color=BAD if kind == "veto" else AMBER, line=dict(color="white", width=2)),
                text=[code] * len(g),
                customdata=[full] * len(g),
                textposition="inside",
                insidetextanchor="middle",
                textfont=dict(size=TICK_PX, color="white" if kind == "veto" else INK),
                hovertemplate="%{customdata}<br>%{x}: %{y}<extra></extra>",
                showlegend=False,
            )
        )
    for kind, colour in (("veto", BAD), ("warning", AMBER)):  # legend: what the two colours mean
        fig.add_trace(
            go.Bar(
                x=[None], y=[None], name=i18n.t("event.kind." + kind, lang), marker=dict(color=colour), showlegend=True
            )
        )
    fig.update_layout(barmode="stack")
    labels = [i18n.fmt_period(p, lang) for p in periods]
    # two lines a quarter (2026年 / 第3季度, Q3 / 2026): eleven quarters side by side stay level at 1280 px
    broken = [x.replace("年", "年<br>", 1) if lang == "zh" else x.replace(" ", "<br>", 1) for x in labels]
    fig.update_xaxes(
        type="category", categoryorder="array", categoryarray=labels, tickvals=labels, ticktext=broken, tickangle=0
    )
    # whole counts: a tick at every one while the tallest quarter is small; above that plotly's own spacing (a tick
    # per event drew 250 labels at a region's scale: 2.8 s → 1.8 s in the browser)
    tallest = by.groupby("period")["count"].sum().max() if len(by) else 0
    fig.update_yaxes(
        title=dict(text=i18n.t("chart.count", lang), standoff=12),  # beside the ticks, clear of the first bar
        automargin=True,
        rangemode="tozero",
        tickformat="d",
        **({"dtick": 1} if tallest <= 10 else {}),
    )
    return _style(fig, title, height=460)


def award_pipeline(counts: pd.DataFrame, title: str, lang: str) -> go.Figure:
    """Departments per award status in process order (PRODUCT §4.1): horizontal bars with counts.

    ``counts``: status, count (rules.pipeline_counts). Awarded green, rejected/revoked vermillion,
    rectifying orange, not applied grey, process steps blue."""
    colour = {"awarded": GOOD, "rejected": BAD, "revoked": BAD, "rectifying": AMBER, "not_applied": NO_DATA}
    c = counts.iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=c["count"],
            y=[i18n.t("award." + s, lang) for s in c["status"]],
            orientation="h",
            marker=dict(color=[colour.get(s, BLUE) for s in c["status"]], line=dict(color=INK, width=0.5)),
            text=[str(int(n)) for n in c["count"]],
            textposition="outside",
            textfont=dict(size=TICK_PX + 2),
            cliponaxis=False,
            hovertemplate="%{y}: %{x}<extra></extra>",
        )
    )
    fig.update_yaxes(type="category", automargin=True, ticklabelstandoff=10)  # names clear of the bars
    fig.update_xaxes(title=i18n.t("chart.departments", lang), rangemode="tozero")
    return _style(fig, title, height=max(380, 110 + 40 * len(c)))
