"""What the region overview shows (区域总览, PRODUCT §9): one row per hospital side by side — patient
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

from metrics import clock, contract, i18n, store
from metrics.rules import awards as award_rules
from metrics.rules import periods, programme
from metrics.rules.targets import passes, resolve_targets
from metrics.views import ViewKey, brands, charts, records

METRIC = "patient_satisfaction"  # the headline measure compared across hospitals (PRODUCT §1: ≥ 90)
CHART_ROWS = 40  # hospitals a chart draws (a projector shows about 40 legibly)
REVIEWING = ("applied", "branch_reviewed", "group_reviewed", "committee_approved", "public_notice")
# the table's counts (whole numbers), after its light and satisfaction columns
COUNTS = ("vetoes", "warnings", "awarded", "reviewing", "rectifying", "revoked", "tasks_overdue", "tasks_done",
          "notices_open")  # fmt: skip
COLUMNS = ("hospital_code", "hospital", "marker", "light", "value", "target", "passed", *COUNTS)


@dataclass(frozen=True)
class RegionView:
    title: str
    caption: str
    no_data: str | None  # no hospital has a value in the period
    first: tuple[dict, ...]  # st.metric arguments: the region in five numbers a back row can read
    rows: pd.DataFrame  # COLUMNS, one row per hospital in list order (marker: the light as an image cell)
    headers: dict[str, str]  # column → header (the table and its download)
    lights: dict[str, str]  # hospital_code → 'red' | 'amber' | 'green' | 'grey': PRODUCT §4.3 one level up
    legend: str  # the lights' legend: colour, mark and words (fixed strings, markdown-safe)
    records: pd.DataFrame  # hospital_code, dept_code, dept_name, kind, what, when, detail: what each light rests on
    record_headers: dict[str, str]
    dept_codes: dict[str, tuple[str, ...]]  # hospital_code → its department codes (a record's row opens its profile)
    records_title: str  # "{hospital}：信号灯依据" — {hospital} filled by the page with the chosen row's name
    records_none: str  # said when the chosen hospital's light rests on no record (green or grey)
    awards: pd.DataFrame  # hospital_code × every award status (counts), for whoever needs them all
    names: dict[str, str]  # hospital_code → its name in the language
    drill_label: str  # the picker's label: open a hospital's own overview
    drill_button: str
    more: str | None  # the chart draws the first CHART_ROWS hospitals (lowest satisfaction first) of more
    satisfaction: go.Figure | None
    events: go.Figure | None
    file_name: str
    brands: brands.BrandRegion  # 一院一品 of the period's year by direction and phase (PRODUCT §10)


def build(key: ViewKey) -> RegionView:
    lang, period = key.lang, key.get("period")  # the grain is in the period's shape
    hospitals = tuple(key.get("hospitals") or ())
    today = key.get("today") or clock.today()
    months = periods.months_of(period)
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
        # the lights (PRODUCT §4.3 at every level): each department judged as on its hospital's pages, in one
        # aggregate of the period's months, the period's events and every notice (W03 is a state over the period)
        period_rows = store.region_period_values(db, hospitals, first, last)
        all_targets = store.region_all_targets(db, hospitals)
        dated = store.events(db, date_from=f"{first}-01", date_to=end_day.isoformat(), hospital=hospitals)
        all_notices = store.notices(db, hospital=hospitals)
        all_talks = store.talks(db, hospital=hospitals)
        depts = store.departments(db, hospital=hospitals)
        indicator_names = _indicator_names(store.indicator_catalogue(db), lang)
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
        awards = store.region_awards(db, hospitals, int(period[:4]), as_of.isoformat(), award_rules.AWARD_ORDER)
        brand_projects = store.brand_projects(db, hospital=hospitals, year=int(period[:4]))
        brand_notes = store.brand_notes(db, hospital=hospitals, year=int(period[:4]))

    col = "name_en" if lang == "en" else "name_zh"
    known = {
        c: ((e or z) if col == "name_en" else z) for c, z, e in zip(h["hospital_code"], h["name_zh"], h["name_en"])
    }
    names = {c: str(known.get(c, c)) for c in hospitals}
    award_counts = (
        awards.pivot_table(index="hospital_code", columns="status", values="n", aggfunc="sum", fill_value=0)
        .reindex(index=list(hospitals), columns=list(award_rules.AWARD_ORDER), fill_value=0)
        .astype(int)
    )
    direction = getattr(metric, "direction", ">=") or ">="

    # each hospital's hospital-wide target in force in the period's last month, by the one target rule
    # (targets.resolve_targets: its own row before the shipped default of the same month); none stored: the catalogue's
    wanted = pd.DataFrame({"hospital_code": list(hospitals), "dept_code": "", "month": last, "metric": METRIC})
    in_force = resolve_targets(all_targets, wanted).set_index("hospital_code")

    def target_of(code: str) -> tuple[float | None, str]:
        target, direc = in_force.at[code, "target"], in_force.at[code, "direction"]
        if pd.isna(target):
            return (getattr(metric, "default_target", None), direction)
        return float(target), direc or direction

    def num(frame: pd.DataFrame, code: str, col: str) -> int:
        return int(frame.at[code, col]) if code in frame.index and pd.notna(frame.at[code, col]) else 0

    grain = periods.grain_of(period)
    known_depts = depts[["hospital_code", "dept_code"]]
    dept_values = _dept_values(period_rows, all_targets, defs, grain, period, known_depts)
    # departments of the list only, as every other region measure counts them
    events = programme.events_with_notices(dated, all_notices, as_of, all_talks).merge(
        known_depts, on=["hospital_code", "dept_code"]
    )
    dept_lights = award_rules.traffic_lights(dept_values, events, grain, period)
    hosp_figures = periods.hospital_values(dept_values, all_targets, defs.values())
    figures = hosp_figures.assign(missed=hosp_figures["passed"].eq(False).fillna(False).astype(int))
    judged = award_rules.hospital_lights(dept_lights, figures, hospitals, period).set_index("hospital_code")
    per_hospital = dept_lights.groupby("hospital_code")[["vetoes", "warnings"]].sum()
    lights = judged["light"].to_dict()
    metric_names = {c: i18n.metric_name(m, lang) for c, m in defs.items()}
    found = records.light_records(dept_values, events, grain, period, lang, metric_names, indicator_names)
    dept_names = {(h_, c): n for h_, c, n in zip(depts["hospital_code"], depts["dept_code"], depts["dept_name"])}
    found = found.assign(
        dept_name=[
            records.hospital_name(lang) if c == contract.HOSPITAL_CODE else str(dept_names.get((h_, c), c))
            for h_, c in zip(found["hospital_code"], found["dept_code"], strict=True)
        ]
    )

    rows = []
    for code in hospitals:
        value = float(values.at[code, "value"]) if code in values.index else None
        target, direc = target_of(code)
        passed = passes(value, target, direc)
        a = award_counts.loc[code]
        rows.append(
            dict(
                hospital_code=code,
                hospital=names[code],
                marker=charts.light_marker(lights[code]),
                light=i18n.t("light." + lights[code], lang),
                value=value,
                target=target,
                passed=i18n.t("pass.none" if passed is None else "pass.yes" if passed else "pass.no", lang),
                vetoes=num(per_hospital, code, "vetoes"),
                warnings=num(per_hospital, code, "warnings"),
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
    p_label = periods.period_label(period, tuple(months), lang, today)
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
            "light": i18n.t("col.light", lang),
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
        legend=i18n.t("region.legend", lang),
        records=found[["hospital_code", "dept_code", "dept_name", "kind", "what", "when", "detail"]],
        record_headers={"dept_code": i18n.t("col.dept_code", lang), **records.headers(lang)},
        dept_codes={c: tuple(g) for c, g in depts.groupby("hospital_code")["dept_code"]},
        records_title=i18n.t("region.records_title", lang),
        records_none=i18n.t("region.records_none", lang),
        awards=award_counts,
        names=names,
        drill_label=i18n.t("region.drill", lang),
        drill_button=i18n.t("region.drill_button", lang),
        more=more,
        satisfaction=satisfaction,
        events=events_fig,
        file_name=f"region-{period}.csv",
        brands=brands.region_brands(brand_projects, brand_notes, hospitals, names, int(period[:4]), as_of, lang),
    )


def _dept_values(rows, targets, defs, grain, period, known) -> pd.DataFrame:
    """``periods.period_values`` of the region's departments for ``period`` from the one aggregate of its months
    (``store.region_period_values``): a mean metric's mean, a sum metric's total, as one row of the period's last
    month — the same targets (each hospital's own, ``targets.resolve_targets``) and the same verdicts."""
    if rows.empty:
        return pd.DataFrame(columns=["hospital_code", *periods.VALUE_COLUMNS])
    is_sum = rows["metric"].map(lambda m: getattr(defs.get(m), "aggregate", "mean") == "sum").astype(bool)
    one = rows.assign(month=periods.last_month(period), value=rows["total"].where(is_sum, rows["mean"]))
    one = one[
        (one["dept_code"] == contract.HOSPITAL_CODE)
        | one.set_index(["hospital_code", "dept_code"]).index.isin(
            known.set_index(["hospital_code", "dept_code"]).index
        )
    ]
    values = periods.period_values(
        one[["hospital_code", "dept_code", "month", "metric", "value"]], targets, defs.values(), grain, period
    )
    months = one[["hospital_code", "dept_code", "metric", "n_months"]]
    return values.drop(columns="n_months").merge(months, on=["hospital_code", "dept_code", "metric"], how="left")


def _indicator_names(catalogue: pd.DataFrame, lang: str) -> dict[str, str]:
    col = "name_en" if lang == "en" else "name_zh"
    return dict(zip(catalogue["code"], catalogue[col].astype(str), strict=True))


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
