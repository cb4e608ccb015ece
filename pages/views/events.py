"""What the events page shows, built once per choice and kept (st.cache_resource) so a rerun of the page only
draws (issue 7). Functions defined here, not in the page script, are decorated once per process: a cached function
defined in a page is re-made on every run, and Streamlit re-reads its source to key it (~1 ms each).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics import charts, i18n, pipelines, rules
from pages import _common as ui


@st.cache_resource(show_spinner=False, max_entries=16)
def values(path: str, version: int, grain: str, period: str) -> pd.DataFrame:
    f = ui._store_frames(path, version)
    mv = ui._metric_values(path, version, pipelines.months_of(period)[0], pipelines.last_month(period))
    return pipelines.period_values(mv, f["targets"], f["metric_defs"], grain, period)


@st.cache_resource(show_spinner=False, max_entries=8)
def months(path: str, version: int) -> tuple[str, ...]:
    """Months holding a value or an event, oldest first (the period choices)."""
    events = ui._store_frames(path, version)["events"]
    return tuple(sorted(set(ui._months_with_data(path, version)) | set(events["event_date"].astype(str).str[:7])))


@st.cache_resource(show_spinner=False, max_entries=16)
def view(path: str, version: int, grain: str, period: str, codes_key: str, lang: str) -> dict:
    """Everything the page shows for one choice, ready to draw (cached whole, so a rerun only draws; issue 7):
    the light table in display order, its counts, the events-per-quarter figure, the period's events by indicator
    and as a list. ``codes_key``: the chosen departments' codes joined by newlines."""
    codes = codes_key.split("\n") if codes_key else []
    f = ui._store_frames(path, version)
    labels = ui._dept_names(path, version)
    lights = rules.traffic_lights(values(path, version, grain, period), f["events"], grain, period, codes)
    events = pipelines.confirmed(f["events"])
    events = events[events["dept_code"].isin(codes)]
    months = events["event_date"].astype(str).str[:7]
    in_period = events[months.map({m: pipelines.period_of(m, grain) for m in months.unique()}) == period]
    by_quarter = pipelines.event_counts(events, "quarter")

    order = {k: i for i, k in enumerate(rules.LIGHTS)}
    light_text = {k: i18n.t("light." + k, lang) for k in rules.LIGHTS}
    table = (
        lights.assign(
            _o=lights["light"].map(order),
            marker=lights["light"].map(charts.light_marker),
            light_label=lights["light"].map(light_text),
            dept_name=lights["dept_code"].map(lambda c: labels.get(c, c)),
        )
        .sort_values(["_o", "dept_code"])
        .drop(columns=["_o", "period"])
    )
    suffix = "" if lang == i18n.DEFAULT_LANG else f"&lang={lang}"
    table = table.assign(trend=[f"trends?dept={c}{suffix}" for c in table["dept_code"]])
    n = lights["light"].value_counts()

    catalogue = f["indicator_catalogue"].set_index("code")
    name_col = "name_en" if lang == "en" else "name_zh"
    by_ind = in_period.groupby(["kind", "indicator"], as_index=False).agg(count=("event_id", "count"))
    by_ind = by_ind.assign(
        kind=by_ind["kind"].map(lambda k: i18n.t("event.kind." + k, lang)),
        name=by_ind["indicator"].map(lambda c: str(catalogue.at[c, name_col]) if c in catalogue.index else c),
    )
    detail = in_period.assign(
        dept_name=in_period["dept_code"].map(lambda c: labels.get(c, c)),
        kind=in_period["kind"].map(lambda k: i18n.t("event.kind." + k, lang)),
        date=in_period["event_date"].map(lambda d: i18n.fmt_date(d, lang)),
    )
    return {
        "table": table,
        "counts": {k: int(n.get(k, 0)) for k in rules.LIGHTS},
        "by_quarter": None
        if by_quarter.empty
        else charts.events_by_quarter(
            by_quarter,
            i18n.t("ev.by_quarter_title", lang),
            lang,
            {c: str(catalogue.at[c, name_col]) for c in catalogue.index},
        ),
        "by_indicator": by_ind[["indicator", "name", "kind", "count"]],
        "detail": detail,
    }
