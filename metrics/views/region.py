"""What the region overview shows (区域总览, PRODUCT §9; issue 16.3): one row per hospital side by side — patient
satisfaction against its target with its light, confirmed vetoes and warnings of the period (the automatic W03 of an
overdue notice included, as on each hospital's overview), 清廉科室 states, key tasks overdue / done and notices
open — and a chart comparing the hospitals.

Every measure is one aggregate query over all the hospitals (``store.region_*``, grouped by hospital_code), never a
hospital's frames loaded one at a time: a region of 100 hospitals × 50 departments stays one page.

Choices (``ViewKey.choices``): ``grain``, ``period``, ``hospitals`` (the codes the user may read, in list order: the
page passes ``ui.readable_hospitals()``), ``today`` (tasks and notices are judged as of today).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go

from metrics import charts, i18n, pipelines, rules, store
from metrics.views import ViewKey

METRIC = "patient_satisfaction"  # the headline measure compared across hospitals (PRODUCT §1: ≥ 90)
CHART_ROWS = 40  # hospitals a chart draws (a projector shows about 40 legibly)
REVIEWING = ("applied", "branch_reviewed", "group_reviewed", "committee_approved", "public_notice")
COLUMNS = (
    "hospital_code",
    "hospital",
    "marker",
    "value",
    "target",
    "passed",
    "vetoes",
    "warnings",
    "awarded",
    "reviewing",
    "rectifying",
    "revoked",
    "tasks_overdue",
    "tasks_done",
    "notices_open",
)


@dataclass(frozen=True)
class RegionView:
    title: str
    caption: str
    no_data: str | None  # no hospital has a value in the period
    first: tuple[dict, ...]  # st.metric arguments: the region in five numbers a back row can read
    rows: pd.DataFrame  # COLUMNS, one row per hospital in list order (marker: the light as an image cell)
    headers: dict[str, str]  # column → header (the table and its download)
    lights: dict[str, str]  # hospital_code → 'green' | 'amber' | 'grey' (satisfaction against its target)
    awards: pd.DataFrame  # hospital_code × every award status (counts), for whoever needs them all
    names: dict[str, str]  # hospital_code → its name in the language
    drill_label: str  # the picker's label: open a hospital's own overview
    drill_button: str
    more: str | None  # the chart draws the first CHART_ROWS hospitals (lowest satisfaction first) of more
    satisfaction: go.Figure | None
    events: go.Figure | None
    file_name: str


def build(key: ViewKey) -> RegionView:
    lang, period = key.lang, key.get("period")  # the grain is in the period's shape
    hospitals = tuple(key.get("hospitals") or ())
    today = key.get("today") or date.today()
    months = pipelines.months_of(period)
    first, last = months[0], months[-1]
    end_day = date(int(last[:4]), int(last[5:7]), calendar.monthrange(int(last[:4]), int(last[5:7]))[1])
    as_of = min(end_day, today)
    with store.opened(key.store) as db:
        h = store.hospitals(db)
        defs = {m.code: m for m in store.metric_defs(db)}
        metric = defs.get(METRIC)
        values = store.region_metric(
            db, hospitals, METRIC, first, last, getattr(metric, "aggregate", "mean") or "mean"
        ).set_index("hospital_code")
        targets = store.region_targets(db, hospitals, METRIC)
        events = store.region_events(db, hospitals, f"{first}-01", end_day.isoformat()).set_index("hospital_code")
        # the automatic W03 of a notice overdue today falls on the day after its due date: in the period when the
        # due date lies from the day before the period's first day to the day before its last
        start = date(int(first[:4]), int(first[5:7]), 1)
        notices = store.region_notices(
            db,
            hospitals,
            today.isoformat(),
            (start - timedelta(days=1)).isoformat(),
            (end_day - timedelta(days=1)).isoformat(),
        ).set_index("hospital_code")
        tasks = store.region_tasks(db, hospitals, today.isoformat()).set_index("hospital_code")
        awards = store.region_awards(db, hospitals, int(period[:4]), as_of.isoformat(), rules.AWARD_ORDER)

    col = "name_en" if lang == "en" else "name_zh"
    known = {
        c: ((e or z) if col == "name_en" else z) for c, z, e in zip(h["hospital_code"], h["name_zh"], h["name_en"])
    }
    names = {c: str(known.get(c, c)) for c in hospitals}
    award_counts = (
        awards.pivot_table(index="hospital_code", columns="status", values="n", aggfunc="sum", fill_value=0)
        .reindex(index=list(hospitals), columns=list(rules.AWARD_ORDER), fill_value=0)
        .astype(int)
    )
    direction = getattr(metric, "direction", ">=") or ">="

    # the hospital-wide target in force in the period's last month: the latest effective_from, a hospital's own row
    # before the shipped default of the same month (one pass over the rows, not a frame filtered per hospital)
    latest: dict[str, tuple[str, float, str]] = {}
    for h_code, since, target, direc in targets[targets["effective_from"] <= last].itertuples(index=False):
        if h_code not in latest or since >= latest[h_code][0]:
            latest[h_code] = (since, float(target), direc)

    def target_of(code: str) -> tuple[float | None, str]:
        own, default = latest.get(code), latest.get("")
        row = own if own and (not default or own[0] >= default[0]) else default
        if row is None:
            return (getattr(metric, "default_target", None), direction)
        return row[1], row[2] or direction

    def num(frame: pd.DataFrame, code: str, col: str) -> int:
        return int(frame.at[code, col]) if code in frame.index and pd.notna(frame.at[code, col]) else 0

    rows, lights = [], {}
    for code in hospitals:
        value = float(values.at[code, "value"]) if code in values.index else None
        target, direc = target_of(code)
        passed = None if value is None or target is None else (value >= target if direc == ">=" else value <= target)
        lights[code] = "grey" if passed is None else "green" if passed else "amber"
        a = award_counts.loc[code]
        rows.append(
            dict(
                hospital_code=code,
                hospital=names[code],
                marker=charts.light_marker(lights[code]),
                value=value,
                target=target,
                passed=i18n.t("pass.none" if passed is None else "pass.yes" if passed else "pass.no", lang),
                vetoes=num(events, code, "vetoes"),
                warnings=num(events, code, "warnings") + num(notices, code, "late_in"),
                awarded=int(a["awarded"]),
                reviewing=int(sum(a[s] for s in REVIEWING)),
                rectifying=int(a["rectifying"]),
                revoked=int(a["revoked"]),
                tasks_overdue=num(tasks, code, "overdue"),
                tasks_done=num(tasks, code, "done"),
                notices_open=num(notices, code, "n_open"),
                _passed=passed,
                _direction=direc,
            )
        )
    frame = pd.DataFrame(rows, columns=[*COLUMNS, "_passed", "_direction"])
    p_label = pipelines.period_label(period, tuple(months), lang, today)
    metric_name = i18n.metric_name(metric, lang) if metric else METRIC
    has_value = frame["value"].notna().any()
    satisfaction, events_fig, more = _figures(frame, metric_name, p_label, lang) if len(frame) else (None, None, None)
    return RegionView(
        title=i18n.t("region.title", lang),
        caption=i18n.t("region.caption", lang, n=len(hospitals), period=p_label),
        no_data=None if has_value else i18n.t("region.no_data", lang),
        first=_headline(frame, metric_name, lang),
        rows=frame[list(COLUMNS)],
        headers={
            "hospital_code": i18n.t("col.hospital_code", lang),
            "hospital": i18n.t("region.col.hospital", lang),
            "value": metric_name,
            "target": i18n.t("col.target", lang),
            "passed": i18n.t("col.passed", lang),
            "vetoes": i18n.t("col.vetoes", lang),
            "warnings": i18n.t("col.warnings", lang),
            "awarded": i18n.t("award.awarded", lang),
            "reviewing": i18n.t("region.col.reviewing", lang),
            "rectifying": i18n.t("award.rectifying", lang),
            "revoked": i18n.t("award.revoked", lang),
            "tasks_overdue": i18n.t("region.col.tasks_overdue", lang),
            "tasks_done": i18n.t("region.col.tasks_done", lang),
            "notices_open": i18n.t("region.col.notices_open", lang),
        },
        lights=lights,
        awards=award_counts,
        names=names,
        drill_label=i18n.t("region.drill", lang),
        drill_button=i18n.t("region.drill_button", lang),
        more=more,
        satisfaction=satisfaction,
        events=events_fig,
        file_name=f"region-{period}.csv",
    )


def _headline(frame: pd.DataFrame, metric_name: str, lang: str) -> tuple[dict, ...]:
    """The region's headline: hospitals meeting the satisfaction target, vetoes, warnings, departments awarded,
    tasks overdue — totals over the hospitals shown."""
    met = int((frame["_passed"] == True).sum())  # noqa: E712 (None: no data, not a miss)
    return (
        dict(
            label=i18n.t("region.kpi.meeting", lang, metric=metric_name),
            value=i18n.t("ov.kpi.meeting_value", lang, n=met, total=len(frame)),
        ),
        dict(label=i18n.t("ov.kpi.vetoes", lang), value=int(frame["vetoes"].sum())),
        dict(label=i18n.t("ov.kpi.warnings", lang), value=int(frame["warnings"].sum())),
        dict(label=i18n.t("ov.kpi.awards", lang), value=int(frame["awarded"].sum())),
        dict(label=i18n.t("region.col.tasks_overdue", lang), value=int(frame["tasks_overdue"].sum())),
    )


def _labels(frame: pd.DataFrame) -> list[str]:
    """A hospital's chart label: its name, with its code when two hospitals share a name."""
    dup = frame["hospital"].duplicated(keep=False)
    return [f"{n} ({c})" if d else n for n, c, d in zip(frame["hospital"], frame["hospital_code"], dup, strict=True)]


def _figures(frame: pd.DataFrame, metric_name: str, p_label: str, lang: str):
    """(satisfaction bars against the target, vetoes and warnings bars, the "more" caption): hospitals as
    categories; with more than CHART_ROWS hospitals, the satisfaction chart draws those furthest below target and the
    events chart those with the most vetoes, then warnings."""
    f = frame.assign(label=_labels(frame))
    ev = f
    more = None
    if len(f) > CHART_ROWS:
        gap = (f["value"] - f["target"]).where(f["_direction"] != "<=", f["target"] - f["value"])
        f = f.assign(_gap=gap).sort_values(["_gap", "hospital_code"], na_position="last").head(CHART_ROWS)
        ev = ev.sort_values(["vetoes", "warnings"], ascending=False, kind="stable").head(CHART_ROWS)
        more = i18n.t("region.more", lang, shown=CHART_ROWS, n=len(frame) - CHART_ROWS)
    targets = f["target"].dropna().unique()
    sat = charts.ranking(
        f.assign(direction=f["_direction"], passed=f["_passed"].astype("boolean")),
        i18n.t("region.chart.satisfaction", lang, metric=metric_name, period=p_label),
        lang,
        hospital_target=float(targets[0]) if len(targets) == 1 else None,
    )
    events = charts.hospital_events(
        ev[["label", "vetoes", "warnings"]], i18n.t("region.chart.events", lang, period=p_label), lang
    )
    return sat, events, more
