"""What the department profile shows (PRODUCT §1 situation 2: "pick a department, see its months, its events, its
award history … drill from hospital to department"): for one department and period, its light with the records it
rests on (§4.3), each metric against its target, its XmR charts (§5), its events, award history, rectification
notices and key tasks (§8) — one page a click away from every department cell.

Choices (``ViewKey.choices``): ``dept`` (a code; unknown → ``known`` False), ``grain``, ``period``, ``today`` (notices,
tasks and talks' follow-ups are judged as of today), ``personal`` (True for an editor or admin: the talks name the
person; a viewer's never do).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from metrics import clock, contract, i18n, safe, store
from metrics.rules import activities as activity_rules
from metrics.rules import awards as award_rules
from metrics.rules import due as due_rules
from metrics.rules import periods, programme
from metrics.views import ViewKey, charts, loaded, records, spc_charts, trends
from metrics.views import activities as activities_view
from metrics.views import awards as awards_view

TASK_COLUMNS = ("state", "task_code", "title", "due_on")  # the state says overdue or done
NOTICE_COLUMNS = ("state", "notice_no", "due_on", "days_overdue", "closed_on")  # narrow: what is late, by how much
# the person is personal data (PRODUCT §10): the column exists only for editors and admins (choice ``personal``)
TALK_COLUMNS = ("state", "talk_no", "kind", "held_on", "follow_up_due", "person")


@dataclass(frozen=True)
class DepartmentView:
    dept: str
    known: bool  # False: the address names no department of this hospital
    title: str  # markdown-safe: "K01 心内科"
    caption: str  # category · the period
    light: str  # 'red' | 'amber' | 'green' | 'grey'
    marker: str  # the light's image (data URL)
    light_text: str  # "信号灯：黄（2026年第3季度）"
    legend: str
    kpis: tuple[dict, ...]  # st.metric arguments: each department metric of the period against its target
    kpi_spc: tuple[str, ...]  # under each kpi, markdown: its XmR chart's variation and assurance icons ('' none)
    records: pd.DataFrame  # kind, what, when, detail: what the light rests on
    record_headers: dict[str, str]
    records_none: str | None
    charts: tuple[trends.Chart, ...]
    events: pd.DataFrame  # every status, newest first
    event_headers: dict[str, str]
    awards: pd.DataFrame
    award_headers: dict[str, str]
    notices: pd.DataFrame
    notice_headers: dict[str, str]
    tasks: pd.DataFrame  # led by the department or naming it responsible
    task_headers: dict[str, str]
    talks: pd.DataFrame  # newest first; ``person`` only when the key's ``personal`` is set (editors and admins)
    talk_headers: dict[str, str]
    none: str  # an empty table's line
    # "本年四清活动：清廉查房 2 次 · 清风讲堂 1 次" (PRODUCT §10), shown after the caption; '' in a hospital recording none
    activities: str = ""
    # PRODUCT §10: the department's people (清廉医护) and posts (清廉示范岗) with their titles this year; a person's name
    # only when the key's ``personal`` is set, else '—'
    units: pd.DataFrame = None
    unit_headers: dict[str, str] = None


def build(key: ViewKey) -> DepartmentView:
    """Everything the profile shows for ``key`` (see the module doc for its choices)."""
    f = loaded.frames(key.store, key.version, key.hospital)
    lang, grain, period = key.lang, key.get("grain"), key.get("period")
    dept = key.get("dept") or ""
    today = key.get("today") or clock.today()
    known = dept in f.dept_names
    values = _values(key.store, key.version, key.hospital, grain, period, dept)
    events = f.events[f.events["dept_code"] == dept]
    light = award_rules.traffic_lights(values, events, grain, period, [dept])
    colour = light["light"].iloc[0] if len(light) else "grey"
    metric_names = {m.code: i18n.metric_name(m, lang) for m in f.metric_defs}
    found = records.light_records(values, events, grain, period, lang, metric_names, f.indicator_names(lang))
    category = f.departments.loc[f.departments["dept_code"] == dept, "category"]
    p_label = periods.period_label(period, f.months, lang, today)
    xmr = trends.department_charts(key.store, key.version, key.hospital, dept, lang) if known else ()
    kpis = _kpis(values, f, lang)
    chips = {c.metric: c.chips for c in xmr}
    return DepartmentView(
        dept=dept,
        known=known,
        title=safe.md_text(f"{dept} {f.dept_names.get(dept, '')}".strip()),
        caption=" · ".join(
            x for x in (str(category.iloc[0]) if len(category) and pd.notna(category.iloc[0]) else "", p_label) if x
        ),
        light=colour,
        marker=charts.light_marker(colour),
        light_text=i18n.t("dept.light", lang, light=i18n.t("light." + colour, lang), period=p_label),
        legend=i18n.t("ev.legend", lang),
        kpis=tuple(k for _, k in kpis),
        kpi_spc=tuple(chips.get(code, "") for code, _ in kpis),
        records=found[list(records.COLUMNS[1:])],
        record_headers={c: h for c, h in records.headers(lang).items() if c != "dept_name"},
        records_none=i18n.t("rec.none", lang) if found.empty else None,
        charts=xmr,
        events=spc_charts.events_table(events, lang),
        event_headers={
            "event_date": i18n.t("col.date", lang),
            "kind": i18n.t("col.kind", lang),
            "indicator": i18n.t("col.indicator_code", lang),
            "description": i18n.t("col.description", lang),
            "status": i18n.t("col.status", lang),
        },
        awards=spc_charts.awards_table(f.award_changes[f.award_changes["dept_code"] == dept], lang),
        award_headers={
            "year": i18n.t("trends.col.year", lang),
            "status": i18n.t("col.status", lang),
            "changed_on": i18n.t("col.changed_on", lang),
            "rectify_until": i18n.t("col.rectify_until", lang),
            "note": i18n.t("trends.col.note", lang),
        },
        notices=_notices(f.notices[f.notices["dept_code"] == dept], today, lang),
        notice_headers={c: i18n.t(f"notices.col.{c}", lang) for c in NOTICE_COLUMNS if c != "closed_on"}
        | {"closed_on": i18n.t("dept.col.closed_on", lang)},
        tasks=_tasks(f.tasks, dept, today, lang),
        task_headers={c: i18n.t(f"tasks.col.{c}", lang) for c in TASK_COLUMNS},
        talks=_talks(f, dept, today, lang, bool(key.get("personal"))),
        talk_headers={c: i18n.t(f"talks.col.{c}", lang) for c in TALK_COLUMNS if c != "person" or key.get("personal")},
        none=i18n.t("trends.none", lang),
        activities=_activities_line(key, dept, today),
        units=_units(key, dept, today, f.dept_names, metric_names),
        unit_headers={c: i18n.t(k, lang) for c, k in UNIT_COLUMNS.items()},
    )


UNIT_COLUMNS = {
    "type": "dept.col.unit_type",
    "unit_code": "aw.unit.col.code",
    "name": "dept.col.unit_name",
    "source": "aw.unit.col.source",
    "status": "col.status",
    "changed_on": "col.changed_on",
}


def _units(key: ViewKey, dept: str, today: date, names: dict, metric_names: dict) -> pd.DataFrame:
    """The department's people, then its posts, with this year's status (a voided title first in each)."""
    state = awards_view.unit_state(key.store, key.version, key.hospital, today.year, today)
    mine = state[state["dept_code"] == dept]
    rows = pd.concat(
        [
            awards_view.unit_rows(
                mine[mine["unit_type"] == kind], key.lang, bool(key.get("personal")), names, metric_names
            )  # fmt: skip
            for kind in contract.UNIT_TYPES
        ],
        ignore_index=True,
    )
    rows["type"] = [i18n.t(f"unit.type.{k}", key.lang) for k in rows["unit_type"]]
    return rows[list(UNIT_COLUMNS)]


def _activities_line(key: ViewKey, dept: str, today: date) -> str:
    """The department's 四清 activities of today's year, by brand; none recorded by the hospital: ''."""
    acts = activities_view.stored(key.store, key.version, key.hospital)
    if acts.empty:
        return ""
    n = activity_rules.dept_counts(acts, dept, today.year, today)
    if not n:
        return i18n.t("dept.activities_none", key.lang, year=today.year)
    parts = i18n.t("activities.sep_brand", key.lang).join(
        i18n.t("dept.activities_n", key.lang, brand=activities_view.brand_label(b, key.lang), n=c) for b, c in n.items()
    )
    if contract.ROUNDS_BRAND not in n:  # the coverage the meeting is told about (the attention slide)
        parts += i18n.t("activities.sep_brand", key.lang) + i18n.t("dept.activities_no_rounds", key.lang)
    return i18n.t("dept.activities", key.lang, year=today.year, parts=parts)


@loaded.memo(maxsize=16)
def _values(path: str, version: int, hospital: str, grain: str, period: str, dept: str) -> pd.DataFrame:
    """The department's values of the period against its targets (the light's missed targets)."""
    f = loaded.frames(path, version, hospital)
    with store.opened(path) as db:
        mv = store.metric_values(
            db,
            dept_codes=[dept],
            month_from=periods.months_of(period)[0],
            month_to=periods.last_month(period),
            hospital=hospital,
        )
    return periods.period_values(mv, f.targets, f.metric_defs, grain, period)


def _kpis(values: pd.DataFrame, f: loaded.Frames, lang: str) -> tuple[tuple[str, dict], ...]:
    """(metric code, st.metric arguments) per department metric with a value in the period: value, its target and
    verdict."""
    out = []
    by_metric = values.set_index("metric")
    for m in sorted((m for m in f.metric_defs if m.scope == "dept"), key=lambda m: (m.sort, m.code)):
        if m.code not in by_metric.index:
            continue
        row = by_metric.loc[m.code]
        unit = m.unit_en if lang == "en" else m.unit_zh
        # no target: nothing to meet or miss, so no verdict under the value
        delta = None
        if pd.notna(row["target"]):
            verdict = "pass.yes" if row["passed"] else "pass.no"
            sign = "≥" if row["direction"] == ">=" else "≤"
            target = i18n.t("ov.kpi.target", lang, direction=sign, target=i18n.fmt_number(row["target"], lang))
            delta = f"{i18n.t(verdict, lang)} · {target}"
        out.append((
            m.code,
            dict(
                label=i18n.metric_name(m, lang),
                value=f"{records.value_text(row['value'], row['target'], lang)} {unit}".strip(),
                delta=delta,
                delta_color="off" if pd.isna(row["passed"]) else "normal" if row["passed"] else "inverse",
                delta_arrow="off",
            ),
        ))  # fmt: skip
    return tuple(out)


def _notices(notices: pd.DataFrame, today: date, lang: str) -> pd.DataFrame:
    states = programme.notice_states(notices, today).sort_values(["issued_on", "notice_no"], ascending=False)
    return pd.DataFrame(
        {
            "state": [i18n.t("notice.state." + s, lang) for s in states["state"]],
            "notice_no": states["notice_no"].astype(str).tolist(),
            "due_on": [i18n.fmt_date(d, lang) for d in states["due_on"]],
            "closed_on": [i18n.fmt_date(d, lang) for d in states["closed_on"]],
            "days_overdue": ["—" if pd.isna(d) else str(int(d)) for d in states["days_overdue"]],
        },
        columns=list(NOTICE_COLUMNS),
    )


def _tasks(tasks: pd.DataFrame, dept: str, today: date, lang: str) -> pd.DataFrame:
    responsible = tasks["responsible"].fillna("").astype(str).str.split(programme.RESPONSIBLE_JOIN)
    mine = tasks[(tasks["lead_dept"] == dept) | responsible.map(lambda codes: dept in codes)]
    # what needs doing first: overdue, due this quarter, open, then the closed ones
    order = {"overdue": 0, "due_quarter": 1, "open": 2, "done": 3, "cancelled": 4}
    states = programme.task_states(mine, today)
    states = states.assign(_o=states["state"].map(order)).sort_values(["_o", "due_on", "task_code"])
    return pd.DataFrame(
        {
            "state": [i18n.t("task.state." + s, lang) for s in states["state"]],
            "task_code": states["task_code"].astype(str).tolist(),
            "title": states["title"].astype(str).tolist(),
            "due_on": [i18n.fmt_date(d, lang) for d in states["due_on"]],
        },
        columns=list(TASK_COLUMNS),
    )


def _talks(f: loaded.Frames, dept: str, today: date, lang: str, personal: bool) -> pd.DataFrame:
    """The department's talks newest first with their follow-up state: none asked, closed, open, due soon, overdue."""
    mine = f.talks[f.talks["dept_code"] == dept].sort_values(["held_on", "talk_no"], ascending=False)
    states = []
    for r in mine.to_dict("records"):
        due_on, held = _day(r["follow_up_due"]), _day(r["held_on"])
        if _day(r["closed_on"]) is not None:
            states.append("closed")
        elif due_on is None or held is None:
            states.append("none")
        else:
            states.append(due_rules.state_on(held, due_on, today, f.calendar))
    cols = [c for c in TALK_COLUMNS if c != "person" or personal]
    out = pd.DataFrame(
        {
            "state": [i18n.t("talk.state." + s, lang) for s in states],
            "talk_no": mine["talk_no"].astype(str).tolist(),
            "kind": [i18n.t("talk.kind." + k, lang) for k in mine["kind"]],
            "held_on": [i18n.fmt_date(d, lang) for d in mine["held_on"]],
            "follow_up_due": [i18n.fmt_date(d, lang) for d in mine["follow_up_due"]],
            "person": mine["person"].fillna("—").astype(str).tolist(),
        },
        columns=list(TALK_COLUMNS),
    )
    return out[cols]


def _day(v) -> date | None:
    if v is None or (isinstance(v, float) and v != v) or not str(v).strip():
        return None
    return date.fromisoformat(str(v)[:10])
