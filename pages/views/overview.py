"""What the overview page shows, built once per choice and kept (st.cache_resource) so a rerun of the page only
draws (issue 7). Functions defined here, not in the page script, are decorated once per process: a cached function
defined in a page is re-made on every run, and Streamlit re-reads its source to key it (~1 ms each).
"""

from __future__ import annotations

import calendar
from datetime import date

import pandas as pd
import streamlit as st

from metrics import charts, contract, i18n, pipelines, rules, store
from pages import _common as ui

HOSP = contract.HOSPITAL_CODE
CHART_ROWS = 40  # departments a chart draws at once (a projector shows about 40 legibly)


@st.cache_resource(show_spinner=False, max_entries=16)
def values_of(version: int, grain: str, period: str, path: str = "") -> pd.DataFrame:
    """Department values of the period, the one before it and the same period a year earlier — each period's own
    months read from the store, aggregated, and only the aggregate kept (issue 7: the long values of a region's
    15 months were ~1.5 million rows held in the cache and copied on every run)."""
    f = ui.store_frames(version)
    shown = sorted({pipelines.same_period_last_year(period), pipelines.previous_period(period), period})
    with store.opened(path or None) as db:
        parts = [
            store.metric_values(db, month_from=pipelines.months_of(p)[0], month_to=pipelines.last_month(p))
            for p in shown
        ]
    return pipelines.period_values(pd.concat(parts, ignore_index=True), f["targets"], f["metric_defs"], grain, shown)


@st.cache_resource(show_spinner=False, max_entries=32)
def heat_grid(version: int, months: tuple[str, ...], metric: str, path: str = "") -> pd.DataFrame:
    """The heat map's cells: one metric's monthly values over ``months`` (the chart shows one metric)."""
    f = ui.store_frames(version)
    with store.opened(path or None) as db:
        mv = store.metric_values(
            db,
            metrics=[metric] if months else [],
            month_from=months[0] if months else None,
            month_to=months[-1] if months else None,
        )
    monthly = pipelines.period_values(mv, f["targets"], f["metric_defs"], "month", list(months))
    return pipelines.month_grid(monthly, metric, months)


@st.cache_resource(show_spinner=False, max_entries=32)
def headline(
    path: str, version: int, grain: str, period: str, codes_key: str, today: date
) -> tuple[pd.DataFrame, pd.DataFrame, int, int]:
    """(hospital figures with changes, confirmed vetoes and warnings per period, departments awarded at the period's
    end, and a period earlier) for the chosen departments — cached, so rerunning the same choice only draws
    (issue 7). ``today`` is in the key because a running period is judged as of today. ``codes_key``: the chosen
    codes joined by newlines (one string hashes in microseconds; a tuple of 5,000 took 0.15 s a run)."""
    codes = tuple(codes_key.split("\n")) if codes_key else ()
    frames = ui._store_frames(path, version)  # the path keys it too: two stores can share a data version (11.8)
    values = values_of(version, grain, period, path)
    prev = pipelines.previous_period(period)
    defs = frames["metric_defs"]
    mine = values[values["dept_code"].isin(codes) | (values["dept_code"] == HOSP)]
    hosp = pipelines.with_changes(pipelines.hospital_values(mine, frames["targets"], defs, codes))
    ev = pipelines.event_totals(frames["events"], grain)
    ev = ev[ev["dept_code"].isin(codes)].groupby("period")[["vetoes", "warnings"]].sum()
    status = rules.award_status(frames["award_changes"], as_of(period), int(period[:4]), codes)
    prev_status = rules.award_status(frames["award_changes"], as_of(prev), int(prev[:4]), codes)
    awarded = int((status["status"] == "awarded").sum())
    awarded_prev = int((prev_status["status"] == "awarded").sum())
    return hosp, ev, awarded, awarded_prev


@st.cache_resource(show_spinner=False, max_entries=16)
def kpis(path: str, version: int, grain: str, period: str, codes_key: str, today: date, lang: str) -> dict:
    """The two rows of headline KPIs as st.metric arguments, ready to draw (cached per choice and language, so a
    rerun only draws; issue 7)."""
    codes_n = codes_key.count("\n") + 1 if codes_key else 0
    hosp, ev, awarded, awarded_prev = headline(path, version, grain, period, codes_key, today)
    hosp_now = hosp[hosp["period"] == period].set_index("metric")
    prev = pipelines.previous_period(period)
    defs = ui._store_frames(path, version)["metric_defs"]
    names = {m.code: i18n.metric_name(m, lang) for m in defs}
    with_target = [m for m in defs if m.code in hosp_now.index and pd.notna(hosp_now.at[m.code, "target"])]

    def count(p: str, col: str) -> int:
        return int(ev.loc[p, col]) if p in ev.index else 0

    first = []
    for m in (m for m in with_target if m.scope == "dept"):
        row = hosp_now.loc[m.code]
        before = hosp[(hosp["metric"] == m.code) & (hosp["period"] == prev)]
        first.append(
            dict(
                label=i18n.t("ov.kpi.meeting", lang, metric=names[m.code]),
                value=i18n.t("ov.kpi.meeting_value", lang, n=int(row["n_pass"]), total=int(row["n_depts"])),
                delta=None if before.empty else int(row["n_pass"] - before.iloc[0]["n_pass"]),
            )
        )
    for kind in ("vetoes", "warnings"):
        first.append(
            dict(
                label=i18n.t(f"ov.kpi.{kind}", lang),
                value=count(period, kind),
                delta=count(period, kind) - count(prev, kind),
                delta_color="inverse",
            )
        )
    first.append(dict(label=i18n.t("ov.kpi.awards", lang), value=awarded, delta=awarded - awarded_prev))

    hospital = []
    for m in [*(m for m in with_target if m.scope == "dept"), *(m for m in with_target if m.scope == "hospital")]:
        row = hosp_now.loc[m.code]
        sign = "≥" if row["direction"] == ">=" else "≤"
        unit = m.unit_en if lang == "en" else m.unit_zh
        target_text = i18n.t("ov.kpi.target", lang, direction=sign, target=i18n.fmt_number(row["target"], lang))
        verdict = i18n.t("pass.none" if pd.isna(row["passed"]) else "pass.yes" if row["passed"] else "pass.no", lang)
        yoy = (
            ""
            if pd.isna(row["delta_yoy"])
            else " · "
            + i18n.t("ov.kpi.yoy", lang, delta=f"{row['delta_yoy']:+.{2 if abs(row['delta_yoy']) < 0.1 else 1}f}")
        )
        hospital.append(
            (
                dict(
                    label=i18n.t("ov.kpi.hospital", lang, metric=names[m.code]),
                    value=f"{i18n.fmt_number(row['value'], lang)} {unit}".strip(),
                    delta=None if pd.isna(row["delta_prev"]) else round(float(row["delta_prev"]), 2),
                    delta_color="normal" if row["direction"] == ">=" else "inverse",
                    help=target_text,
                ),
                f"{verdict} · {target_text}{yoy}",
            )
        )
    target = {m.code: float(hosp_now.at[m.code, "target"]) for m in with_target}
    return {"first": first, "hospital": hospital, "no_data": hosp_now.empty, "target": target, "codes_n": codes_n}


def chosen(values: pd.DataFrame, codes_key: str, everyone: bool) -> pd.Series:
    # Unfiltered, every department is chosen: skip the isin of 5,000 codes (0.03 s per call on Arrow strings).
    return (values["dept_code"] != HOSP) if everyone else values["dept_code"].isin(codes_key.split("\n"))


@st.cache_resource(show_spinner=False, max_entries=32)
def ranked(path: str, version: int, grain: str, period: str, codes_key: str, everyone: bool, metric: str):
    """The period's values of one metric for the chosen departments; with more than a chart's rows, furthest below
    target first (the departments the office must talk to)."""
    values = values_of(version, grain, period, path)
    now = values[(values["period"] == period) & (values["metric"] == metric) & chosen(values, codes_key, everyone)]
    if len(now) > CHART_ROWS:
        gap = (now["value"] - now["target"]).where(now["direction"] != "<=", now["target"] - now["value"])
        now = now.assign(_gap=gap).sort_values(["_gap", "dept_code"], na_position="last").drop(columns="_gap")
    return now


@st.cache_resource(show_spinner=False, max_entries=64)
def ranking_figure(
    path: str, version: int, grain: str, period: str, codes_key: str, everyone: bool, metric: str, lang: str, page: int
):
    """The ranking chart of one page of CHART_ROWS departments (cache_resource hands back the built figure:
    st.plotly_chart only serialises it; building one costs ~0.1 s of plotly validation; issue 7)."""
    rows = ranked(path, version, grain, period, codes_key, everyone, metric)
    rows = rows.iloc[page * CHART_ROWS : (page + 1) * CHART_ROWS]
    labels = ui._dept_names(path, version)
    rows = rows.assign(label=rows["dept_code"].map(lambda c: labels.get(c, c)))
    m = next(m for m in ui._store_frames(path, version)["metric_defs"] if m.code == metric)
    target = kpis(path, version, grain, period, codes_key, date.today(), lang)["target"].get(metric)
    title = i18n.t("ov.ranking_title", lang, metric=i18n.metric_name(m, lang), period=i18n.fmt_period(period, lang))
    return charts.ranking(rows, title, lang, hospital_target=target)


@st.cache_resource(show_spinner=False, max_entries=32)
def heat_rows(path: str, version: int, period: str, codes_key: str, everyone: bool, metric: str):
    """(the heat map's months, its cells, the departments in display order): the last 12 months with data up to
    the period's end; best share of months met first — needing attention first when there are more than a chart's
    rows (one vectorised groupby; issue 7)."""
    months = ui._months_with_data(path, version)
    last = min(pipelines.last_month(period), months[-1])
    window = tuple([m for m in months if m <= last][-12:])
    grid = heat_grid(version, window, metric, path)
    codes = codes_key.split("\n") if codes_key else []
    grid = grid if everyone else grid[grid["dept_code"].isin(codes)]
    order = (
        grid.assign(_met=grid["passed"].fillna(False).astype(bool))
        .groupby("dept_code")["_met"]
        .mean()
        .sort_values(ascending=False)
    )
    ranked = set(order.index)
    heat_codes = [*order.index, *[c for c in codes if c not in ranked]]
    if len(heat_codes) > CHART_ROWS:
        heat_codes = [*order.sort_values(kind="stable").index, *heat_codes[len(order) :]]
    return window, grid, heat_codes


@st.cache_resource(show_spinner=False, max_entries=64)
def heatmap_figure(
    path: str, version: int, period: str, codes_key: str, everyone: bool, metric: str, lang: str, page: int
):
    window, grid, heat_codes = heat_rows(path, version, period, codes_key, everyone, metric)
    heat_codes = heat_codes[page * CHART_ROWS : (page + 1) * CHART_ROWS]
    if len(grid["dept_code"].unique()) > len(heat_codes):
        grid = grid[grid["dept_code"].isin(heat_codes)]
    labels = ui._dept_names(path, version)
    m = next(m for m in ui._store_frames(path, version)["metric_defs"] if m.code == metric)
    title = i18n.t("ov.heatmap_title", lang, metric=i18n.metric_name(m, lang))
    return charts.heatmap(grid, {c: labels.get(c, c) for c in heat_codes}, list(window), title, lang)


@st.cache_resource(show_spinner=False, max_entries=32)
def table(path: str, version: int, grain: str, period: str, codes_key: str, everyone: bool, metric: str, lang: str):
    """Every chosen department's value, target, verdict and events of the period, with its trend link."""
    departments = ui._store_frames(path, version)["departments"]
    now = ranked(path, version, grain, period, codes_key, everyone, metric)
    tot = pipelines.event_totals(ui._store_frames(path, version)["events"], grain, period)
    table = (
        (departments if everyone else departments[departments["dept_code"].isin(codes_key.split("\n"))])[
            ["dept_code", "dept_name", "category"]
        ]
        .merge(now[["dept_code", "value", "target", "passed"]], on="dept_code", how="left")
        .merge(tot[["dept_code", "vetoes", "warnings"]], on="dept_code", how="left")
        .fillna({"vetoes": 0, "warnings": 0})
    )
    pass_text = {True: i18n.t("pass.yes", lang), False: i18n.t("pass.no", lang)}
    none = i18n.t("pass.none", lang)
    suffix = "" if lang == i18n.DEFAULT_LANG else f"&lang={lang}"
    return table.assign(
        passed=table["passed"].map(lambda p: none if pd.isna(p) else pass_text[bool(p)]),
        trend=[f"trends?dept={c}{suffix}" for c in table["dept_code"]],
    )


def as_of(period: str) -> date:
    """The last day of the period, or today when the period is still running."""
    y, m = int(pipelines.last_month(period)[:4]), int(pipelines.last_month(period)[5:7])
    return min(date(y, m, calendar.monthrange(y, m)[1]), date.today())
