"""What the 清廉科室 awards page shows (PRODUCT §2, §4.1, §4.2): the award years on offer, the KPIs,
conflicts, the process figure, the 公示 and rectification tables, and every chosen department's status with its
eligibility and reasons — rows in the order shown, with display labels and headers.

Choices (``ViewKey.choices``): ``year`` (the award year; None or a year not offered: this year's cycle, or early in a
year before any change for it is recorded, the latest year on record), ``depts`` (the chosen department codes joined
by newlines: one string hashes in microseconds), ``today`` (statuses and countdowns are as of today).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from metrics import clock, contract, i18n, store
from metrics.rules import awards as award_rules
from metrics.rules import periods, workdays
from metrics.views import ViewKey, charts, loaded

# A conflict row carries the red light's marker (a vermillion square) in an image column: a pandas Styler colouring the
# rows cost ~20 ms a run on its own.
CONFLICT_MARKER = charts.light_marker("red")
KPIS = ("awarded", "in_process", "conflicts", "rectifying")


@dataclass(frozen=True)
class Table:
    """Rows as shown (display labels, dates formatted), the headers of the columns shown (column → header; the table
    and its download) and the download's file name."""

    rows: pd.DataFrame
    headers: dict[str, str]
    file_name: str = ""


@dataclass(frozen=True)
class AwardsView:
    years: tuple[int, ...]  # award years on offer, newest first
    year: int  # the year shown
    kpis: tuple[tuple[str, int], ...]  # (label, value): awarded, in process, conflicts, rectifying
    conflicts: Table  # marker, dept_code, dept_name, awarded_on, event_date, indicator
    pipeline: go.Figure
    notice: Table  # marker (red when not eligible), dept_code, dept_name, changed_on, notice_end, state, eligibility
    notice_warning: str | None  # the 公示 ends counted without a year's holiday schedule, named
    notice_flag: str | None  # how many departments in 公示 are not eligible for the year (§4.2)
    rectifying: Table  # dept_code, dept_name, rectify_until, days_left, reapply_on
    status: Table  # marker, dept_code, dept_name, status, changed_on, eligible, reasons, trend — conflicts first
    eligibility_title: str
    marker_header: str  # the header of the conflict marker's column
    # PRODUCT §10: 清廉医护 then 清廉示范岗, each unit of the chosen departments with its status and eligibility
    units: tuple[UnitTable, ...] = ()


@dataclass(frozen=True)
class UnitTable:
    """One award unit type's table (PRODUCT §10): its title, the count per status in one line, its rows as shown
    (a voided title first, marked red) and their headers. A person's name is a column only for an editor or admin."""

    unit_type: str  # 'person' | 'post'
    title: str
    summary: str  # "已授牌 3 · 已申报 2 · 称号取消 1"; the empty line when the hospital records none
    rows: pd.DataFrame  # marker, then UNIT_COLUMNS (name: a person's only for an editor or admin)
    headers: dict[str, str]
    file_name: str


def build(key: ViewKey) -> AwardsView:
    """The awards page of ``key``'s store, language, award year, departments and day."""
    lang = key.lang
    today = key.get("today") or clock.today()
    years, year = _years(key.store, key.version, key.hospital, today, key.get("year"))
    depts = key.get("depts", "") or ""
    status, clash, elig, names, metric_names, calendar = _state(
        key.store, key.version, key.hospital, year, depts, today
    )
    label = {c: names.get(c, c) for c in status["dept_code"]}
    pipeline = award_rules.pipeline_counts(status)
    counts = pipeline.set_index("status")["count"]
    kpi_values = (
        int(counts["awarded"]),
        int(sum(counts[s] for s in award_rules.AWARD_STEPS[1:-1])),
        int(clash["dept_code"].nunique()),
        int(counts["rectifying"]),
    )
    notice, notice_warning = _notice(status, label, lang, calendar, elig, metric_names[lang])
    not_eligible = int((notice["marker"] != "").sum())
    return AwardsView(
        years=years,
        year=year,
        kpis=tuple((i18n.t(f"aw.kpi.{k}", lang), v) for k, v in zip(KPIS, kpi_values, strict=True)),
        conflicts=Table(
            _conflicts(clash, label, lang), _headers(lang, CONFLICT_COLUMNS), f"award-conflicts-{year}.csv"
        ),
        pipeline=charts.award_pipeline(pipeline, i18n.t("aw.pipeline_title", lang, year=year), lang),
        notice=Table(notice, _headers(lang, NOTICE_COLUMNS), f"award-notice-{year}.csv"),
        notice_warning=notice_warning,
        notice_flag=i18n.t("aw.notice_flag", lang, n=not_eligible, year=year) if not_eligible else None,
        rectifying=Table(_rectifying(status, label, lang), _headers(lang, RECT_COLUMNS)),
        status=Table(
            _status_rows(status, clash, elig, label, metric_names[lang], lang),
            _headers(lang, STATUS_COLUMNS),
            f"awards-{year}.csv",
        ),
        eligibility_title=i18n.t("aw.eligibility_title", lang, year=year),
        marker_header=i18n.t("aw.kpi.conflicts", lang),
        units=_unit_tables(key, year, today, set(depts.split("\n")) if depts else set(), label),
    )


# column → the i18n key of its header
CONFLICT_COLUMNS = {
    "dept_code": "col.dept_code",
    "dept_name": "col.dept_name",
    "awarded_on": "col.awarded_on",
    "event_date": "col.veto_date",
    "indicator": "col.indicator_code",
}
NOTICE_COLUMNS = {
    "dept_code": "col.dept_code",
    "dept_name": "col.dept_name",
    "changed_on": "col.notice_start",
    "notice_end": "col.notice_end",
    "state": "col.status",
    "eligibility": "col.notice_eligibility",
}
RECT_COLUMNS = {
    "dept_code": "col.dept_code",
    "dept_name": "col.dept_name",
    "rectify_until": "col.rectify_until",
    "days_left": "col.days_left",
    "reapply_on": "col.reapply_on",
}
STATUS_COLUMNS = {
    "dept_code": "col.dept_code",
    "dept_name": "col.dept_name",
    "status": "col.status",
    "changed_on": "col.changed_on",
    "eligible": "col.eligible",
    "reasons": "col.reasons",
}


def _headers(lang: str, columns: dict[str, str]) -> dict[str, str]:
    return {c: i18n.t(k, lang) for c, k in columns.items()}


@functools.lru_cache(maxsize=8)
def _years(path: str, version: int, hospital: str, today: date, asked: int | None) -> tuple[tuple[int, ...], int]:
    """(award years on offer newest first, the year shown): this year and every year on record."""
    with store.opened(path) as db:
        on_record = frozenset(store.award_changes(db, hospital=hospital)["year"].astype(int).tolist())
    years = tuple(sorted({today.year, *on_record}, reverse=True))
    if asked in years:
        return years, int(asked)
    # This year's cycle by default; early in a year before any change for it is recorded, the latest year on record.
    if today.year in on_record or not on_record:
        return years, today.year
    return years, max((y for y in on_record if y <= today.year + 1), default=max(on_record))


@functools.lru_cache(maxsize=8)
def _state(path: str, version: int, hospital: str, year: int, depts: str, today: date):
    """(status, conflicts, eligibility, department names, metric names by language) of the chosen departments —
    the same in every language, so a language switch only relabels (at a region's scale this is most of
    the page). The version keys the memo only: every commit bumps it."""
    codes = depts.split("\n") if depts else []
    with store.opened(path) as db:
        departments = store.departments(db, hospital=hospital)
        events = store.events(db, hospital=hospital)
        defs = store.metric_defs(db)
        values = periods.period_values(
            store.metric_values(db, month_from=f"{year:04d}-01", month_to=f"{year:04d}-12", hospital=hospital),
            store.targets(db, hospital),
            defs,
            "year",
            str(year),
        )
        calendar = workdays.Calendar.from_frame(store.calendar_days(db))
        status = award_rules.award_status(store.award_changes(db, hospital=hospital), today, year, codes, calendar)
        risks = store.risks(db, hospital=hospital)
    status = status[status["dept_code"].isin(codes)]
    clash = award_rules.conflicts(status, events)
    elig = award_rules.eligibility(codes, events, status, values, year, metric_defs=defs, risks=risks)
    names = dict(zip(departments["dept_code"], departments["dept_name"], strict=True))
    metric_names = {lg: {m.code: i18n.metric_name(m, lg) for m in defs} for lg in i18n.LANGS}
    return status, clash, elig, names, metric_names, calendar


def _conflicts(clash: pd.DataFrame, label: dict, lang: str) -> pd.DataFrame:
    return clash.assign(
        marker=CONFLICT_MARKER,
        dept_name=clash["dept_code"].map(label),
        awarded_on=clash["awarded_on"].map(lambda d: i18n.fmt_date(d, lang)),
        event_date=clash["event_date"].map(lambda d: i18n.fmt_date(d, lang)),
    )[["marker", *CONFLICT_COLUMNS]]


def _notice(
    status: pd.DataFrame,
    label: dict,
    lang: str,
    calendar: workdays.Calendar,
    elig: pd.DataFrame,
    metric_names: dict,
) -> tuple[pd.DataFrame, str | None]:
    """The departments in 公示 with its end and their eligibility for the year (a red marker and the reasons when not
    eligible: the notice should not end in an award; §4.2), and a warning naming the years whose adjusted
    working days are neither entered nor in chinesecalendar, among the notices whose end was counted on the statutory
    holidays alone (PRODUCT §4.1: the page says they are not yet entered); None when every end rests on a known
    schedule."""
    notice = status[status["status"] == "public_notice"]
    flagged = notice[notice["notice_fallback"].astype(bool)]
    uncovered = workdays.unadjusted_years(zip(flagged["changed_on"], flagged["notice_end"]), calendar)
    text = {True: i18n.t("aw.notice_over", lang), False: i18n.t("aw.notice_running", lang)}
    eligible_of = dict(zip(elig["dept_code"], elig["eligible"], strict=True))
    reasons_of = dict(zip(elig["dept_code"], elig["reasons"], strict=True))

    def eligibility(code: str) -> str:
        if eligible_of.get(code, True):
            return i18n.t("aw.notice_eligible", lang)
        reasons = "；".join(award_rules.reason_text(r, lang, metric_names) for r in reasons_of.get(code, ()))
        return i18n.t("aw.notice_not_eligible", lang, reasons=reasons)

    rows = notice.assign(
        marker=notice["dept_code"].map(lambda c: "" if eligible_of.get(c, True) else CONFLICT_MARKER),
        eligibility=notice["dept_code"].map(eligibility),
        dept_name=notice["dept_code"].map(label),
        changed_on=notice["changed_on"].map(lambda d: i18n.fmt_date(d, lang)),
        notice_end=notice["notice_end"].map(lambda d: i18n.fmt_date(d, lang)),
        state=notice["notice_over"].map(lambda over: text[bool(over)]),
    )[["marker", *NOTICE_COLUMNS]]
    warning = None
    if uncovered:
        warning = i18n.t("aw.notice_unadjusted", lang, years="、".join(str(y) for y in uncovered))
    return rows, warning


def _rectifying(status: pd.DataFrame, label: dict, lang: str) -> pd.DataFrame:
    rect = status[status["status"] == "rectifying"]
    return rect.assign(
        dept_name=rect["dept_code"].map(label),
        rectify_until=rect["rectify_until"].map(lambda d: i18n.fmt_date(d, lang)),
        reapply_on=rect["reapply_on"].map(lambda d: i18n.fmt_date(d, lang)),
    )[list(RECT_COLUMNS)]


def _status_rows(
    status: pd.DataFrame, clash: pd.DataFrame, elig: pd.DataFrame, label: dict, metric_names: dict, lang: str
) -> pd.DataFrame:
    """Every chosen department's status, eligibility and reasons as shown: conflicts first, then furthest along the
    process (awarded … applied), then the other statuses, not applied last."""
    conflicted = set(clash["dept_code"])
    # Plain dicts: a .at lookup per department cost 1 s at 5,000 departments.
    eligible_of = dict(zip(elig["dept_code"], elig["eligible"], strict=True))
    reasons_of = dict(zip(elig["dept_code"], elig["reasons"], strict=True))
    rank = {s: i for i, s in enumerate((*award_rules.AWARD_STEPS[::-1], *award_rules.AWARD_OTHER))}
    status = status.assign(
        _c=~status["dept_code"].isin(conflicted), _r=status["status"].map(rank).fillna(len(rank))
    ).sort_values(["_c", "_r", "dept_code"])
    award_text = {s: i18n.t("award." + s, lang) for s in status["status"].unique()}
    yes_no = {True: i18n.t("yes", lang), False: i18n.t("no", lang)}
    all_met = i18n.t("aw.eligible_all", lang)
    suffix = "" if lang == i18n.DEFAULT_LANG else f"&lang={lang}"
    return status.assign(
        # an empty cell, not a missing one: the browser writes "None" into a missing image cell
        marker=status["dept_code"].map(lambda c: CONFLICT_MARKER if c in conflicted else ""),
        dept_name=status["dept_code"].map(label),
        status=status["status"].map(award_text),
        changed_on=status["changed_on"].map(lambda d: i18n.fmt_date(d, lang) if isinstance(d, str) and d else "—"),
        eligible=status["dept_code"].map(lambda c: yes_no[bool(eligible_of[c])]),
        reasons=status["dept_code"].map(
            lambda c: "；".join(award_rules.reason_text(r, lang, metric_names) for r in reasons_of[c]) or all_met
        ),
        trend=[f"trends?dept={c}{suffix}" for c in status["dept_code"]],
    )[["marker", *STATUS_COLUMNS, "trend"]]


# --- award units beyond departments (PRODUCT §10) ----------------------------------------------------------------

# what is read first (who, where, the status and why) leads: at 1280 px the table scrolls past the columns after it
UNIT_COLUMNS = {
    "unit_code": "aw.unit.col.code",
    "name": "aw.unit.col.name.person",  # a post's: aw.unit.col.name.post
    "dept_name": "col.dept_name",
    "status": "col.status",
    "eligible": "col.eligible",
    "reasons": "col.reasons",
    "source": "aw.unit.col.source",
    "changed_on": "col.changed_on",
    "dept_code": "col.dept_code",
}


@loaded.memo(maxsize=8)
def unit_state(path: str, version: int, hospital: str, year: int, today: date) -> pd.DataFrame:
    """Every person and post unit of ``hospital`` with its status for ``year`` as of ``today`` (awards.unit_status)
    and its eligibility (eligible, reasons); the same in every language. The version keys the memo only."""
    with store.opened(path) as db:
        units = store.award_units(db, hospital=hospital)
        changes = store.unit_award_changes(db, hospital=hospital)
        events = store.events(db, hospital=hospital)
        calendar = workdays.Calendar.from_frame(store.calendar_days(db))
    status = award_rules.unit_status(units, changes, events, today, year, calendar)
    elig = award_rules.unit_eligibility(status, events, year)
    return status.merge(elig, on="unit_code", how="left")


def unit_rows(state: pd.DataFrame, lang: str, personal: bool, label: dict, metric_names: dict) -> pd.DataFrame:
    """Units as shown: a voided title first (red marker), then furthest along the process, by department and code;
    the status ('称号取消（E1）' for a title a veto voided), the source and the reasons in ``lang``. ``name``: a post's
    always, a person's only when ``personal`` (an editor or admin), else '—' — the viewer's rows never hold it."""
    rank = {s: i for i, s in enumerate((*award_rules.AWARD_STEPS[::-1], *award_rules.AWARD_OTHER))}
    voided = state["voided_by"].notna()
    ordered = state.assign(_v=~voided, _r=state["status"].map(rank).fillna(len(rank))).sort_values(
        ["_v", "_r", "dept_code", "unit_code"]
    )
    yes_no = {True: i18n.t("yes", lang), False: i18n.t("no", lang)}
    all_met = i18n.t("aw.eligible_all", lang)

    def status_text(r: dict) -> str:
        if r["voided_by"] is not None and not pd.isna(r["voided_by"]):
            return i18n.t("aw.unit.voided", lang, event=r["voided_by"])
        return i18n.t("award." + r["status"], lang)

    rows = [
        dict(
            marker=CONFLICT_MARKER if r["voided_by"] is not None and not pd.isna(r["voided_by"]) else "",
            unit_type=r["unit_type"],
            unit_code=str(r["unit_code"]),
            name=str(r["name"]) if personal or r["unit_type"] != "person" else "—",
            dept_code=r["dept_code"],
            dept_name=label.get(r["dept_code"], r["dept_code"]),
            source=i18n.t("unit.source." + r["source"], lang) if isinstance(r["source"], str) and r["source"] else "—",
            status=status_text(r),
            changed_on=i18n.fmt_date(r["changed_on"], lang) if isinstance(r["changed_on"], str) else "—",
            eligible=yes_no[bool(r["eligible"])],
            reasons="；".join(award_rules.reason_text(x, lang, metric_names) for x in r["reasons"]) or all_met,
        )
        for r in ordered.to_dict("records")
    ]
    return pd.DataFrame(rows, columns=["marker", "unit_type", *UNIT_COLUMNS])


def unit_summary(state: pd.DataFrame, lang: str) -> str:
    """How many units stand at each status, in process order, a voided title counted as 称号取消: "已授牌 3 · 已申报 2"."""
    voided = state["voided_by"].notna()
    counts = state[~voided].groupby("status").size()
    parts = [f"{i18n.t('award.' + s, lang)} {int(counts[s])}" for s in award_rules.AWARD_ORDER if counts.get(s, 0)]
    if voided.any():
        parts.append(f"{i18n.t('aw.unit.voided_short', lang)} {int(voided.sum())}")
    return " · ".join(parts)


def _unit_tables(key: ViewKey, year: int, today: date, depts: set[str], label: dict) -> tuple[UnitTable, ...]:
    """清廉医护 and 清廉示范岗 of the chosen departments; none when the hospital records no unit (judged as before)."""
    lang, personal = key.lang, bool(key.get("personal"))
    state = unit_state(key.store, key.version, key.hospital, year, today)
    if state.empty:
        return ()
    state = state[state["dept_code"].isin(depts)]
    with store.opened(key.store) as db:
        metric_names = {m.code: i18n.metric_name(m, lang) for m in store.metric_defs(db)}
    out = []
    for kind in contract.UNIT_TYPES:
        mine = state[state["unit_type"] == kind]
        cols = [c for c in UNIT_COLUMNS if c != "name" or personal or kind != "person"]
        headers = {c: i18n.t(f"aw.unit.col.name.{kind}" if c == "name" else UNIT_COLUMNS[c], lang) for c in cols}
        rows = unit_rows(mine, lang, personal, label, metric_names)[["marker", *cols]]
        out.append(
            UnitTable(
                unit_type=kind,
                title=i18n.t(f"unit.type.{kind}", lang),
                summary=unit_summary(mine, lang) or i18n.t("aw.unit.none", lang),
                rows=rows,
                headers=headers,
                file_name=f"award-{kind}s-{year}.csv",
            )
        )
    return tuple(out)


def default_keys(base: ViewKey, *, period: str, depts: str, today) -> list[tuple]:
    """The views a first visit of the page builds, each with the key the page makes before any widget is touched:
    (builder, key, resolved) — ``resolved(view)`` gives the choices that visit leaves open as the widgets hold them
    on the next run (``ui.cache.filed_view``). The server's warm after a commit builds exactly these."""
    return [(build, base.with_(year=None, depts=depts, today=today), lambda v: {"year": v.year})]
