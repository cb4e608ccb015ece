"""What the vetoes & warnings page shows (PRODUCT §2, §4.3): a light per department in display
order with its counts, confirmed events per quarter by indicator, and the period's events by indicator and as a
list — indicator names as the store's catalogue has them (an edited name shows at once).

Choices (``ViewKey.choices``): ``grain``, ``period``, ``depts`` (the chosen department codes joined by newlines).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from metrics import i18n, store
from metrics.rules import awards, periods
from metrics.views import ViewKey, charts, loaded, tasks


@dataclass(frozen=True)
class EventsView:
    lights_title: str
    light_counts: str  # "红 1 · 黄 3 · 绿 30 · 灰 6"
    lights: pd.DataFrame  # red, amber, green, grey, then by code: marker, light_label, dept_code, dept_name, … trend
    light_headers: dict[str, str]  # column → header (the table and its download)
    by_quarter: go.Figure | None  # None: no confirmed event of the chosen departments at all
    by_indicator_title: str
    by_indicator: pd.DataFrame  # indicator, name, kind, count — the period's confirmed events
    list_title: str
    events: pd.DataFrame  # the period's confirmed events: date, dept_code, dept_name, kind, indicator, description, …
    event_headers: dict[str, str]
    none: str | None  # said instead of the two event tables when the period has no confirmed event


def period_months(key: ViewKey) -> tuple[str, ...]:
    """Months holding a value or an event, oldest first (the period picker's choices)."""
    f = loaded.frames(key.store, key.version, key.hospital)
    return tuple(sorted(set(f.months) | set(f.events["event_date"].astype(str).str[:7])))


def build(key: ViewKey) -> EventsView:
    """Everything the page shows for ``key`` (see the module doc for its choices)."""
    f = loaded.frames(key.store, key.version, key.hospital)
    lang, grain, period = key.lang, key.get("grain"), key.get("period")
    depts = key.get("depts", "")
    codes = depts.split("\n") if depts else []
    p_label = periods.period_label(period, f.months, lang, key.get("today"))

    lights = awards.traffic_lights(
        _values(key.store, key.version, key.hospital, grain, period), f.events, grain, period, codes
    )
    events = periods.confirmed(f.events)
    events = events[events["dept_code"].isin(codes)]
    # an overdue notice's W03 is listed in every period it was late, as the lights count it
    in_period = periods.event_periods(events, grain, period).drop(columns="period")
    by_quarter = periods.event_counts(events, "quarter")
    names = f.indicator_names(lang)

    order = {k: i for i, k in enumerate(awards.LIGHTS)}
    light_text = {k: i18n.t("light." + k, lang) for k in awards.LIGHTS}
    table = (
        lights.assign(
            _o=lights["light"].map(order),
            marker=lights["light"].map(charts.light_marker),
            light_label=lights["light"].map(light_text),
            dept_name=lights["dept_code"].map(lambda c: f.dept_names.get(c, c)),
        )
        .sort_values(["_o", "dept_code"])
        .drop(columns=["_o", "period"])
    )
    suffix = "" if lang == i18n.DEFAULT_LANG else f"&lang={lang}"
    table = table.assign(trend=[f"trends?dept={c}{suffix}" for c in table["dept_code"]])
    table = table[["marker", "light_label", "dept_code", "dept_name", "vetoes", "warnings", "missed", "trend"]]
    n = lights["light"].value_counts()

    kind_text = {k: i18n.t("event.kind." + k, lang) for k in ("veto", "warning")}
    by_ind = in_period.groupby(["kind", "indicator"], as_index=False).agg(count=("event_id", "count"))
    by_ind = by_ind.assign(
        kind=by_ind["kind"].map(lambda k: kind_text.get(k, k)),
        name=by_ind["indicator"].map(lambda c: names.get(c, c)),
    )
    detail = in_period.assign(
        dept_name=in_period["dept_code"].map(lambda c: f.dept_names.get(c, c)),
        kind=in_period["kind"].map(lambda k: kind_text.get(k, k)),
        date=[_when(d, u, lang) for d, u in zip(in_period["event_date"], _until(in_period), strict=True)],
    )
    event_headers = {
        "date": i18n.t("col.date", lang),
        "dept_code": i18n.t("col.dept_code", lang),
        "dept_name": i18n.t("col.dept_name", lang),
        "kind": i18n.t("col.kind", lang),
        "indicator": i18n.t("col.indicator_code", lang),
        "description": i18n.t("col.description", lang),
        "office": i18n.t("col.office", lang),
    }
    return EventsView(
        lights_title=i18n.t("ev.lights_title", lang, period=p_label),
        light_counts=i18n.t("ev.light_counts", lang, **{k: int(n.get(k, 0)) for k in awards.LIGHTS}),
        lights=table,
        light_headers={
            "light_label": i18n.t("col.light", lang),
            "dept_code": i18n.t("col.dept_code", lang),
            "dept_name": i18n.t("col.dept_name", lang),
            "vetoes": i18n.t("col.vetoes", lang),
            "warnings": i18n.t("col.warnings", lang),
            "missed": i18n.t("col.missed", lang),
        },
        by_quarter=None
        if by_quarter.empty
        else charts.events_by_quarter(
            by_quarter, i18n.t("ev.by_quarter_title", lang), lang, names, _quarters(period_months(key))
        ),
        by_indicator_title=i18n.t("ev.by_indicator_title", lang, period=p_label),
        by_indicator=by_ind[["indicator", "name", "kind", "count"]],
        list_title=i18n.t("ev.list_title", lang, period=p_label),
        events=detail[list(event_headers)],
        event_headers=event_headers,
        none=i18n.t("ev.none", lang) if detail.empty else None,
    )


def _quarters(months: tuple[str, ...]) -> tuple[str, ...]:
    """Every quarter ('YYYY-Qn') from the first of ``months`` ('YYYY-MM', oldest first) to the last, none left out."""
    if not months:
        return ()
    (y, q), end = _quarter(months[0]), _quarter(months[-1])
    out = []
    while (y, q) <= end:
        out.append(f"{y}-Q{q}")
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)
    return tuple(out)


def _quarter(month: str) -> tuple[int, int]:
    return int(month[:4]), (int(month[5:7]) - 1) // 3 + 1


def _until(events: pd.DataFrame) -> list:
    return list(events["until"]) if "until" in events.columns else [None] * len(events)


def _when(day: str, until, lang: str) -> str:
    """An event's date; a state's (an overdue notice's W03) first and last late day."""
    if until is None or pd.isna(until) or until == day:
        return i18n.fmt_date(day, lang)
    return i18n.t("rec.late", lang, since=i18n.fmt_date(day, lang), until=i18n.fmt_date(until, lang))


@loaded.memo(maxsize=8)
def _values(path: str, version: int, hospital: str, grain: str, period: str) -> pd.DataFrame:
    """The period's values of every department (the lights' missed targets)."""
    f = loaded.frames(path, version, hospital)
    with store.opened(path) as db:
        mv = store.metric_values(
            db, month_from=periods.months_of(period)[0], month_to=periods.last_month(period), hospital=hospital
        )
    return periods.period_values(mv, f.targets, f.metric_defs, grain, period)


def default_keys(base: ViewKey, *, period: str, depts: str, today) -> list[tuple]:
    """The views a first visit of the page builds, each with the key the page makes before any widget is touched:
    (builder, key, resolved) — ``resolved(view)`` gives the choices that visit leaves open as the widgets hold them
    on the next run (``ui.cache.filed_view``). The server's warm after a commit builds exactly these."""
    return [
        (period_months, base, None),
        (build, base.with_(grain="quarter", period=period, depts=depts, today=today), None),
        (tasks.notices, base.with_(depts=depts, today=today), None),  # the page's notices register
    ]
