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

# Light cells: the Okabe–Ito colours of metrics.charts with a text label, so colour is never the only cue.
LIGHT_STYLE = {
    "red": f"background-color: {charts.BAD}; color: white; font-weight: 700",
    "amber": f"background-color: {charts.AMBER}; color: {charts.INK}; font-weight: 700",
    "green": f"background-color: {charts.GOOD}; color: white; font-weight: 700",
    "grey": f"background-color: {charts.NO_DATA}; color: {charts.INK}",
}


@st.cache_data(show_spinner=False, max_entries=16)
def _values(version: int, grain: str, period: str) -> pd.DataFrame:
    f = ui.store_frames(version)
    mv = ui.metric_values(version, pipelines.months_of(period)[0], pipelines.last_month(period))
    return pipelines.period_values(mv, f["targets"], f["metric_defs"], grain, period)


@st.cache_data(show_spinner=False, max_entries=16)
def _compute(
    version: int, grain: str, period: str, codes_key: str, path: str = ""
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(lights, the period's confirmed events, events per quarter) of the chosen departments (``codes_key``: their
    codes joined by newlines), cached per choice so a rerun only draws (issue 7)."""
    codes = codes_key.split("\n") if codes_key else []
    f = ui.store_frames(version)
    lights = rules.traffic_lights(_values(version, grain, period), f["events"], grain, period, codes)
    events = pipelines.confirmed(f["events"])
    events = events[events["dept_code"].isin(codes)]
    months = events["event_date"].astype(str).str[:7]
    in_period = events[months.map({m: pipelines.period_of(m, grain) for m in months.unique()}) == period]
    return lights, in_period, pipelines.event_counts(events, "quarter")


# --- filters ------------------------------------------------------------------------------------

lang = ui.lang()
version = ui.data_version()
st.title(ui.t("nav.events"))
frames = ui.store_frames(version)
departments = frames["departments"]
months = sorted(set(ui.months_with_data(version)) | set(frames["events"]["event_date"].astype(str).str[:7].tolist()))
if not months:
    st.info(ui.t("app.empty_store"))
    st.stop()
grain, period = ui.period_selector(months)
codes = ui.dept_filter(departments)

# --- compute ------------------------------------------------------------------------------------

labels = departments.set_index("dept_code")["dept_name"].to_dict()
lights, in_period, by_quarter = _compute(version, grain, period, "\n".join(codes), str(store.db_path()))
catalogue = frames["indicator_catalogue"].set_index("code")


def _indicator_name(code: str) -> str:
    if code not in catalogue.index:
        return code
    return str(catalogue.at[code, "name_en" if lang == "en" else "name_zh"])


# --- show ---------------------------------------------------------------------------------------

p_label = i18n.fmt_period(period, lang)
st.subheader(ui.t("ev.lights_title", period=p_label))
n = lights["light"].value_counts()
st.markdown("#### " + ui.t("ev.light_counts", **{k: int(n.get(k, 0)) for k in rules.LIGHTS}))
st.caption(ui.t("ev.legend"))
order = {k: i for i, k in enumerate(rules.LIGHTS)}
light_text = {k: ui.t("light." + k) for k in rules.LIGHTS}  # once per run, not once per department (issue 7)
table = (
    lights.assign(
        _o=lights["light"].map(order),
        light_label=lights["light"].map(light_text),
        dept_name=lights["dept_code"].map(lambda c: labels.get(c, c)),
    )
    .sort_values(["_o", "dept_code"])
    .drop(columns=["_o", "period"])
)
style_of = {light_text[k]: v for k, v in LIGHT_STYLE.items()}
light_headers = {
    "light_label": ui.t("col.light"),
    "dept_code": ui.t("col.dept_code"),
    "dept_name": ui.t("col.dept_name"),
    "vetoes": ui.t("col.vetoes"),
    "warnings": ui.t("col.warnings"),
    "missed": ui.t("col.missed"),
}
page = ui.paged(table, "events_lights_page", light_headers, file_name=f"lights-{period}.csv")
page = page.assign(trend=ui.trend_links(page["dept_code"]))
st.dataframe(
    page[["light_label", "dept_code", "dept_name", "vetoes", "warnings", "missed", "trend"]].style.map(
        lambda v: style_of.get(v, ""), subset=["light_label"]
    ),
    hide_index=True,
    width="stretch",
    column_config={
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

ui.trend_picker(table["dept_code"].tolist(), labels, "events")

if not by_quarter.empty:
    st.plotly_chart(
        charts.events_by_quarter(by_quarter, ui.t("ev.by_quarter_title"), lang), theme=None, width="stretch"
    )

st.subheader(ui.t("ev.by_indicator_title", period=p_label))
if in_period.empty:
    st.info(ui.t("ev.none"))
else:
    by_ind = in_period.groupby(["kind", "indicator"], as_index=False).agg(count=("event_id", "count"))
    by_ind = by_ind.assign(
        kind=by_ind["kind"].map(lambda k: ui.t("event.kind." + k)), name=by_ind["indicator"].map(_indicator_name)
    )
    st.dataframe(
        by_ind[["indicator", "name", "kind", "count"]],
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
    kind_text = {k: ui.t("event.kind." + k) for k in in_period["kind"].unique()}
    detail = in_period.assign(
        dept_name=in_period["dept_code"].map(lambda c: labels.get(c, c)),
        kind=in_period["kind"].map(kind_text),
        date=in_period["event_date"].map(lambda d: i18n.fmt_date(d, lang)),
    )
    detail_headers = {
        "date": ui.t("col.date"),
        "dept_code": ui.t("col.dept_code"),
        "dept_name": ui.t("col.dept_name"),
        "kind": ui.t("col.kind"),
        "indicator": ui.t("col.indicator_code"),
        "description": ui.t("col.description"),
        "office": ui.t("col.office"),
    }
    detail = ui.paged(detail, "events_list_page", detail_headers, file_name=f"events-{period}.csv")
    st.dataframe(
        detail[list(detail_headers)],
        hide_index=True,
        width="stretch",
        column_config={c: st.column_config.TextColumn(h) for c, h in detail_headers.items()},
    )
