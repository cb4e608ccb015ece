"""否决与警示 Vetoes & warnings (PRODUCT §2, §4.3; issue 3): events by indicator, department and quarter,
and a red / amber / green / grey light per department.

Filters (period, category/branch) → load (cached on the data version) → compute (metrics.pipelines,
metrics.rules.traffic_lights) → show (light table linking to trends, chart by quarter, event list).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics import charts, i18n, pipelines, rules, store
from pages import _common as ui


@st.cache_resource(show_spinner=False, max_entries=16)
def _values(path: str, version: int, grain: str, period: str) -> pd.DataFrame:
    f = ui._store_frames(path, version)
    mv = ui._metric_values(path, version, pipelines.months_of(period)[0], pipelines.last_month(period))
    return pipelines.period_values(mv, f["targets"], f["metric_defs"], grain, period)


@st.cache_resource(show_spinner=False, max_entries=8)
def _months(path: str, version: int) -> list[str]:
    """Months holding a value or an event, oldest first (the period choices)."""
    events = ui._store_frames(path, version)["events"]
    return sorted(set(ui._months_with_data(path, version)) | set(events["event_date"].astype(str).str[:7]))


@st.cache_resource(show_spinner=False, max_entries=16)
def _view(path: str, version: int, grain: str, period: str, codes_key: str, lang: str) -> dict:
    """Everything the page shows for one choice, ready to draw (cached whole, so a rerun only draws; issue 7):
    the light table in display order, its counts, the events-per-quarter figure, the period's events by indicator
    and as a list. ``codes_key``: the chosen departments' codes joined by newlines."""
    codes = codes_key.split("\n") if codes_key else []
    f = ui._store_frames(path, version)
    labels = ui._dept_names(path, version)
    lights = rules.traffic_lights(_values(path, version, grain, period), f["events"], grain, period, codes)
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
        else charts.events_by_quarter(by_quarter, i18n.t("ev.by_quarter_title", lang), lang),
        "by_indicator": by_ind[["indicator", "name", "kind", "count"]],
        "detail": detail,
    }


# --- filters ------------------------------------------------------------------------------------

lang = ui.lang()
version = ui.data_version()
path = str(store.db_path())
st.title(ui.t("nav.events"))
frames = ui.store_frames(version)
months = _months(path, version)
if not months:
    st.info(ui.t("app.empty_store"))
    st.stop()
grain, period = ui.period_selector(months)
codes = ui.dept_filter(frames["departments"])

# --- compute ------------------------------------------------------------------------------------

view = _view(path, version, grain, period, "\n".join(codes), lang)
table = view["table"]

# --- show ---------------------------------------------------------------------------------------

p_label = i18n.fmt_period(period, lang)
st.subheader(ui.t("ev.lights_title", period=p_label))
st.markdown("#### " + ui.t("ev.light_counts", **view["counts"]))
st.caption(ui.t("ev.legend"))
light_headers = {
    "light_label": ui.t("col.light"),
    "dept_code": ui.t("col.dept_code"),
    "dept_name": ui.t("col.dept_name"),
    "vetoes": ui.t("col.vetoes"),
    "warnings": ui.t("col.warnings"),
    "missed": ui.t("col.missed"),
}
page = ui.paged(table, "events_lights_page", light_headers, file_name=f"lights-{period}.csv")
# The light as a coloured shape next to its name (colour is never the only cue), not a styled table: pandas'
# Styler cost ~20 ms a run on its own (issue 7).
st.dataframe(
    page[["marker", "light_label", "dept_code", "dept_name", "vetoes", "warnings", "missed", "trend"]],
    hide_index=True,
    width="stretch",
    column_config={
        "marker": st.column_config.ImageColumn("", width=40),
        **{
            c: st.column_config.TextColumn(h)
            for c, h in light_headers.items()
            if c in ("light_label", "dept_code", "dept_name")
        },
        **{
            c: st.column_config.NumberColumn(h, format="%d")
            for c, h in light_headers.items()
            if c in ("vetoes", "warnings", "missed")
        },
        "trend": st.column_config.LinkColumn(ui.t("col.trend"), display_text=ui.t("col.trend") + " ↗"),
    },
)

ui.trend_picker(table["dept_code"].tolist(), ui.dept_names(version), "events")

if view["by_quarter"] is not None:
    st.plotly_chart(view["by_quarter"], theme=None, width="stretch")

st.subheader(ui.t("ev.by_indicator_title", period=p_label))
if view["detail"].empty:
    st.info(ui.t("ev.none"))
else:
    st.dataframe(
        view["by_indicator"],
        hide_index=True,
        width="stretch",
        column_config={
            "indicator": st.column_config.TextColumn(ui.t("col.indicator_code")),
            "name": st.column_config.TextColumn(ui.t("col.indicator")),
            "kind": st.column_config.TextColumn(ui.t("col.kind")),
            "count": st.column_config.NumberColumn(ui.t("col.count"), format="%d"),
        },
    )
    st.subheader(ui.t("ev.list_title", period=p_label))
    detail_headers = {
        "date": ui.t("col.date"),
        "dept_code": ui.t("col.dept_code"),
        "dept_name": ui.t("col.dept_name"),
        "kind": ui.t("col.kind"),
        "indicator": ui.t("col.indicator_code"),
        "description": ui.t("col.description"),
        "office": ui.t("col.office"),
    }
    detail = ui.paged(view["detail"], "events_list_page", detail_headers, file_name=f"events-{period}.csv")
    st.dataframe(
        detail[list(detail_headers)],
        hide_index=True,
        width="stretch",
        column_config={c: st.column_config.TextColumn(h) for c, h in detail_headers.items()},
    )
