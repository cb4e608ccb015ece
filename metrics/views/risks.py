"""What the 风险防控 page shows (PRODUCT §10): the 廉洁风险点清单 with each point's light and the reasons for it
(overdue reviews first), each unit's light naming the points behind it, and the 清廉招采 stage × level matrix — counts
per cell coloured by the cell's worst light, a click on a cell listing its risk points.

Choices (``ViewKey.choices``): ``unit`` ('' = every unit), ``today`` (the day the lights are judged on).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from metrics import clock, contract, i18n, store, theme
from metrics.rules import risks as risk_rules
from metrics.views import ViewKey, charts

LIGHT_MARK = {"red": theme.MARK_VETO, "amber": theme.MARK_WARN, "green": ""}
COLUMNS = (
    "light",
    "reasons",
    "risk_code",
    "unit",
    "stage",
    "risk",
    "level",
    "controls",
    "owner",
    "review_due",
    "status",
)
UNIT_COLUMNS = ("unit", "points", "light", "behind")
LEVELS = tuple(contract.RISK_LEVELS)  # high, medium, low: the matrix's columns
STAGES = tuple(contract.PROCUREMENT_STAGES)  # the chain in order: the matrix's rows
CELL_PX = 96  # a matrix row: a count in the theme's title size reads from the back row


@dataclass(frozen=True)
class RisksView:
    caption: str  # how many points, how many reviews overdue, the day judged
    counts: str  # "红 2 · 黄 6 · 绿 52"
    legend: str  # fixed strings only (markdown-safe)
    none: str | None  # said instead of everything when the hospital keeps no register
    unit_options: tuple[str, ...]  # '' then every unit on record
    unit_labels: dict[str, str]
    units: pd.DataFrame  # marker, UNIT_COLUMNS: each unit's light and the risk points behind it, worst first
    unit_headers: dict[str, str]
    register: pd.DataFrame  # marker, COLUMNS: overdue first (most days late first), then worst light, unit, stage
    headers: dict[str, str]
    matrix: go.Figure | None  # stage × level (None when no point names a 清廉招采 stage)
    matrix_title: str
    cells: dict[str, pd.DataFrame]  # "stage|level" → that cell's risk points (marker, COLUMNS)
    cell_titles: dict[str, str]  # "stage|level" → "招标采购 · 高：3 个风险点"


def build(key: ViewKey) -> RisksView:
    """Everything the page shows for ``key`` (see the module doc for its choices)."""
    lang = key.lang
    today = key.get("today") or clock.today()
    unit = key.get("unit", "") or ""
    risks, names = _register(key.store, key.version, key.hospital)
    lit = risk_rules.risk_lights(risks, today)
    # a department's code shows as its name, a unit that is a stage of the chain in the reader's language
    stage_names = {
        lab: i18n.t("risk.stage." + code, lang)
        for code, labels in contract.PROCUREMENT_STAGES.items()
        for lab in labels
    }
    label = lambda u: names.get(u) or stage_names.get(u, u)  # noqa: E731
    units = sorted(set(lit["unit"]) if not lit.empty else set(), key=lambda u: (u not in names, label(u)))
    headers = {c: i18n.t("risk.col." + c, lang) for c in COLUMNS}
    unit_headers = {c: i18n.t("risk.col." + c, lang) for c in UNIT_COLUMNS}
    legend = i18n.t("risk.legend", lang)
    options = ("", *units)
    unit_labels = {"": i18n.t("risk.all_units", lang), **{u: label(u) for u in units}}
    if lit.empty:
        empty = pd.DataFrame(columns=["marker", *COLUMNS])
        return RisksView(
            caption="",
            counts="",
            legend=legend,
            none=i18n.t("risk.none", lang),
            unit_options=options,
            unit_labels=unit_labels,
            units=pd.DataFrame(columns=["marker", *UNIT_COLUMNS]),
            unit_headers=unit_headers,
            register=empty,
            headers=headers,
            matrix=None,
            matrix_title=i18n.t("risk.matrix_title", lang),
            cells={},
            cell_titles={},
        )
    n = lit["light"].value_counts()
    caption = i18n.t(
        "risk.caption", lang, n=len(lit), overdue=int(lit["overdue"].sum()), date=i18n.fmt_date(today.isoformat(), lang)
    )
    counts = " · ".join(f"{i18n.t('light.' + c, lang)} {int(n.get(c, 0))}" for c in risk_rules.ORDER)
    shown = lit if not unit else lit[lit["unit"] == unit]
    return RisksView(
        caption=caption,
        counts=counts,
        legend=legend,
        none=None,
        unit_options=options,
        unit_labels=unit_labels,
        units=_units(shown, label, lang),
        unit_headers=unit_headers,
        register=_rows(_ordered(shown), label, lang),
        headers=headers,
        matrix=_matrix(shown, lang),
        matrix_title=i18n.t("risk.matrix_title", lang),
        cells=_cells(shown, label, lang),
        cell_titles=_cell_titles(shown, lang),
    )


@functools.lru_cache(maxsize=8)
def _register(path: str, version: int, hospital: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """The hospital's risk points and its department names (the version keys the memo only)."""
    with store.opened(path) as db:
        risks = store.risks(db, hospital=hospital)
        departments = store.departments(db, hospital=hospital)
    return risks, dict(zip(departments["dept_code"], departments["dept_name"], strict=True))


def reason_text(reasons: tuple[str, ...], days: int, lang: str) -> str:
    """Why a risk point is red or amber, in words ('' when green)."""
    return "；".join(i18n.t("risk.reason." + r, lang, days=days) for r in reasons)


def _ordered(lit: pd.DataFrame) -> pd.DataFrame:
    rank = {c: i for i, c in enumerate(risk_rules.ORDER)}
    stage_rank = {s: i for i, s in enumerate(STAGES)}
    return lit.assign(
        _o=~lit["overdue"],
        _late=-lit["days_overdue"],
        _l=lit["light"].map(rank),
        _s=lit["stage"].map(stage_rank).fillna(len(STAGES)),
    ).sort_values(["_o", "_late", "_l", "unit", "_s", "risk_code"], kind="stable")


def _rows(lit: pd.DataFrame, label, lang: str) -> pd.DataFrame:
    """Risk points as shown: display labels, dates formatted (uploaded text left as written: a table cell)."""
    text = lambda prefix, v: i18n.t(prefix + v, lang) if isinstance(v, str) and v else "—"  # noqa: E731
    return pd.DataFrame(
        {
            "marker": lit["light"].map(charts.light_marker),
            "light": lit["light"].map(lambda c: i18n.t("light." + c, lang)),
            "reasons": [reason_text(r, d, lang) for r, d in zip(lit["reasons"], lit["days_overdue"], strict=True)],
            "risk_code": lit["risk_code"],
            "unit": lit["unit"].map(label),
            "stage": lit["stage"].map(lambda s: text("risk.stage.", s)),
            "risk": lit["risk"],
            "level": lit["level"].map(lambda s: text("risk.level.", s)),
            "controls": lit["controls"].fillna(""),
            "owner": lit["owner"].map(label),
            "review_due": lit["review_due"].map(lambda d: i18n.fmt_date(d, lang) if isinstance(d, str) and d else "—"),
            "status": lit["status"].map(lambda s: text("risk.status.", s)),
        }
    ).reset_index(drop=True)


def _units(lit: pd.DataFrame, label, lang: str) -> pd.DataFrame:
    """Each unit's light (its worst point's) and the points behind it, red first."""
    w = risk_rules.worst(lit, ["unit"])
    rank = {c: i for i, c in enumerate(risk_rules.ORDER)}
    w = w.assign(_l=w["light"].map(rank), _n=w["unit"].map(label)).sort_values(["_l", "_n"], kind="stable")
    return pd.DataFrame(
        {
            "marker": w["light"].map(charts.light_marker),
            "unit": w["_n"],
            "points": w["risks"].astype(int),
            "light": w["light"].map(lambda c: i18n.t("light." + c, lang)),
            "behind": w["names"].map(lambda ns: "、".join(ns) if ns else "—"),
        }
    ).reset_index(drop=True)


def _chain(lit: pd.DataFrame) -> pd.DataFrame:
    return lit[lit["stage"].isin(STAGES)]


def _cells(lit: pd.DataFrame, label, lang: str) -> dict[str, pd.DataFrame]:
    chain = _chain(lit)
    return {
        f"{s}|{lv}": _rows(_ordered(g), label, lang) for (s, lv), g in chain.groupby(["stage", "level"], sort=False)
    }


def _cell_titles(lit: pd.DataFrame, lang: str) -> dict[str, str]:
    chain = _chain(lit)
    return {
        f"{s}|{lv}": i18n.t(
            "risk.cell_title",
            lang,
            stage=i18n.t("risk.stage." + s, lang),
            level=i18n.t("risk.level." + lv, lang),
            n=len(g),
        )
        for (s, lv), g in chain.groupby(["stage", "level"], sort=False)
    }


def _matrix(lit: pd.DataFrame, lang: str) -> go.Figure | None:
    """Stage (the chain, top to bottom) × level (高 中 低): the count of risk points per cell with its worst light's
    colour and mark; an empty cell is pale. Every cell carries "stage|level" for a click to list its points."""
    chain = _chain(lit)
    if chain.empty:
        return None
    w = risk_rules.worst(chain, ["stage", "level"])
    cell = {(r.stage, r.level): (r.light, int(r.risks)) for r in w.itertuples(index=False)}
    z_of = {"green": 1, "amber": 2, "red": 3}
    rows = STAGES[::-1]  # plotly draws the first row at the bottom
    x = [i18n.t("risk.level." + lv, lang) for lv in LEVELS]
    y = [i18n.t("risk.stage." + s, lang) for s in rows]
    z, text, hover, keys = [], [], [], []
    for s in rows:
        zr, tr, hr = [], [], []
        for lv in LEVELS:
            light, count = cell.get((s, lv), (None, 0))
            zr.append(z_of.get(light, 0))
            tr.append(f"{LIGHT_MARK.get(light, '')} {count}".strip() if count else "0")
            hr.append(
                i18n.t(
                    "risk.cell_hover",
                    lang,
                    stage=i18n.t("risk.stage." + s, lang),
                    level=i18n.t("risk.level." + lv, lang),
                    n=count,
                    light=i18n.t("light." + light, lang) if light else "—",
                )
            )
            keys.append(f"{s}|{lv}")
        z.append(zr)
        text.append(tr)
        hover.append(hr)
    pale = "#F2F2F2"
    # z 0–3 (none, green, amber, red) each in its own quarter of the scale (zmin −0.5, zmax 3.5 centre them)
    scale = [
        [0, pale],
        [0.25, pale],
        [0.25, charts.GOOD],
        [0.5, charts.GOOD],
        [0.5, charts.AMBER],
        [0.75, charts.AMBER],
        [0.75, charts.BAD],
        [1, charts.BAD],
    ]
    fig = go.Figure(
        go.Heatmap(
            z=np.asarray(z, dtype=np.int8),
            x=x,
            y=y,
            zmin=-0.5,
            zmax=3.5,
            colorscale=scale,
            showscale=False,
            text=np.asarray(text, dtype=object),
            texttemplate="%{text}",
            # dark on green and amber, white on crimson: the count reads on each fill
            textfont=dict(size=theme.APP_TITLE_PX + 8, color=theme.INK),
            hoverinfo="skip",
            xgap=4,
            ygap=4,
        )
    )
    # a heat map's cells cannot be selected: an unseen marker on each carries its "stage|level" (as charts.heatmap)
    fig.add_trace(
        go.Scatter(
            x=[xv for _ in rows for xv in x],
            y=[yv for yv in y for _ in x],
            customdata=keys,
            hovertext=[h for row in hover for h in row],
            hovertemplate="%{hovertext}<extra></extra>",
            mode="markers",
            marker=dict(symbol="square", size=CELL_PX - 10, opacity=0),
            showlegend=False,
        )
    )
    red_cells = [(i, j) for i, zr in enumerate(z) for j, v in enumerate(zr) if v == 3]
    for i, j in red_cells:  # white on crimson (the heat map's one text colour is dark)
        fig.add_annotation(
            x=x[j], y=y[i], text=text[i][j], showarrow=False, font=dict(size=theme.APP_TITLE_PX + 8, color="white")
        )
    if red_cells:
        fig.data[0].text = np.asarray(
            [["" if z[i][j] == 3 else text[i][j] for j in range(len(x))] for i in range(len(y))], dtype=object
        )
    fig.update_xaxes(type="category", side="top", showgrid=False, tickfont=dict(size=theme.APP_TITLE_PX))
    fig.update_yaxes(type="category", showgrid=False, automargin=True, tickfont=dict(size=theme.APP_TITLE_PX))
    fig = charts._style(fig, "", height=110 + CELL_PX * len(rows))
    fig.update_layout(margin=dict(t=60, l=10, r=10, b=10))
    return fig
