"""The rules of PRODUCT §4, declared once as data, each cited to its source; pure pandas, no Streamlit.

Frames produced here (the other areas build on them; names are stable):

``award_status(award_changes, as_of, year=None, departments=None)`` → one row per department:
    dept_code, year, status (contract.AWARD_STATUSES code), changed_on ('YYYY-MM-DD'), note,
    awarded_on ('YYYY-MM-DD' of the award for ``year`` when the status is awarded, else None),
    rectify_until, in_rectification (bool), days_left (Int64: days until rectify_until, <NA> if none),
    reapply_on ('YYYY-MM-DD', the day after rectify_until), notice_end ('YYYY-MM-DD' for status
    public_notice), notice_fallback (bool: the end was counted on the statutory holidays alone — the adjusted
    working days of a year it touches are neither entered nor known to chinesecalendar), notice_over (bool:
    the notice period ended before as_of and no result is recorded yet).
``eligibility(...)`` → one row per department: dept_code, eligible (bool), reasons (tuple of reason dicts
    {"code": 'veto'|'rectifying'|'target_missed'|'no_data'|'no_risk_controls', ...details}).
``conflicts(status, events)`` → one row per (awarded department, confirmed veto after its award):
    dept_code, year, awarded_on, event_id, event_date, indicator.
``traffic_lights(values, events, grain, ...)`` → one row per (dept_code, period):
    dept_code, period, light ('red'|'amber'|'green'|'grey'), vetoes, warnings, missed.
``unit_status(units, unit_changes, events, as_of, year=None)`` → one row per person or post unit (PRODUCT §10):
    the unit's columns, status, changed_on, awarded_on, rectify_until, voided_by (a veto naming the person).
``unit_eligibility(status, events, year)`` → one row per unit: unit_code, eligible, reasons (as ``eligibility``'s).
``hospital_lights(department_lights, hospital_figures, hospitals, period)`` → one row per hospital: the same rule
    one level up (its departments' worst, amber too when its own figures miss).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from metrics import contract, i18n
from metrics.rules import periods as period_rules
from metrics.rules import workdays

# ---------------------------------------------------------------------------------------------
# Rules as data
# ---------------------------------------------------------------------------------------------

# PRODUCT §4.1: the 清廉科室 process in order, and the statuses outside the main line.
AWARD_STEPS = contract.AWARD_STEPS
AWARD_OTHER = contract.AWARD_OTHER
AWARD_ORDER = (*AWARD_STEPS, *AWARD_OTHER)

# PRODUCT §4.1 and seeds/004 (创建办法): 公示 lasts 5 working days, Chinese public holidays and adjusted
# working days respected; counted from the notice's first day.
PUBLIC_NOTICE_WORKING_DAYS = 5

# PRODUCT §1, §4.1 and seeds/004: after a veto the title is revoked and a 3–6 month rectification follows;
# the department may apply again once rectify_until has passed.
RECTIFY_MONTHS = (3, 6)


@dataclass(frozen=True)
class EligibilityRules:
    """PRODUCT §4.2, configurable: which conditions make a department eligible for a year."""

    no_confirmed_veto: bool = True  # "no confirmed veto event in the year" (一票否决, PRODUCT §1)
    not_rectifying: bool = True  # "not in rectification"
    targets_met: bool = True  # "each target the department is held to met on the year's average"
    # Metrics whose target counts; None = every department-scope metric that has a target.
    metrics: tuple[str, ...] | None = None
    # A department without data for a target metric cannot show it met that target.
    no_data_blocks: bool = True
    # Seed 004's first criterion (查找廉政风险点，制定防控措施, PRODUCT §10): once the hospital keeps a risk register, a
    # department with no risk point and its controls recorded is not eligible; a hospital with none is judged as before.
    risk_controls: bool = True


DEFAULT_ELIGIBILITY = EligibilityRules()

# PRODUCT §4.3: traffic light per department and period, in order of precedence.
LIGHTS = ("red", "amber", "green", "grey")


# ---------------------------------------------------------------------------------------------
# Award status (PRODUCT §4.1)
# ---------------------------------------------------------------------------------------------


def award_status(
    award_changes: pd.DataFrame,
    as_of: date | str,
    year: int | None = None,
    departments: Iterable[str] | None = None,
    calendar: workdays.Calendar = workdays.EMPTY,
) -> pd.DataFrame:
    """Each department's current status for ``year`` (default: as_of's year) as of ``as_of`` (see module doc).

    ``calendar``: the holiday schedule the office entered (``workdays.Calendar.from_frame(store.calendar_days(db))``)
    for counting the 公示's working days.

    The status is the latest change (by changed_on, up to as_of) recorded for that award year; a department
    with none is 'not_applied' — unless a rectification from an earlier year is still running, which then
    shows as 'rectifying'. ``departments`` lists departments to include even without any change.
    """
    as_of = _as_date(as_of)
    year = int(year or as_of.year)
    known = award_changes[award_changes["changed_on"].astype(str) <= as_of.isoformat()]
    codes = list(dict.fromkeys([*(list(departments) if departments is not None else []), *known["dept_code"].tolist()]))
    latest_year = _latest(known[known["year"].astype(int) == year])
    rect = _running_rectification(known)
    awarded_on = _award_dates(known, year)
    rows = []
    for code in codes:
        cur = latest_year.get(code)
        r = rect.get(code)
        if cur is None and r is not None:
            cur = r
        status = cur["status"] if cur is not None else "not_applied"
        until = r["rectify_until"] if (r is not None and status == "rectifying") else None
        if status == "rectifying" and until is None and cur is not None:
            until = cur.get("rectify_until")
        rows.append(
            dict(
                dept_code=code,
                year=year,
                status=status,
                changed_on=None if cur is None else cur["changed_on"],
                note=None if cur is None else cur.get("note"),
                awarded_on=awarded_on.get(code) if status == "awarded" else None,
                rectify_until=until or None,
            )
        )
    out = pd.DataFrame(
        rows, columns=["dept_code", "year", "status", "changed_on", "note", "awarded_on", "rectify_until"]
    )
    return out.pipe(_rectification_countdown, as_of).pipe(_notice_end, as_of, calendar)


def _latest(changes: pd.DataFrame) -> dict[str, dict]:
    """The latest change per department (by changed_on; ties broken by process order)."""
    if changes.empty:
        return {}
    order = {s: i for i, s in enumerate(AWARD_ORDER)}
    ranked = changes.assign(_o=changes["status"].map(order).fillna(-1)).sort_values(["changed_on", "_o"])
    # Only each department's last row becomes a dict (every row did: slow with a region's history).
    last = ranked.drop_duplicates("dept_code", keep="last").drop(columns="_o")
    return {r["dept_code"]: r for r in last.to_dict("records")}


def _running_rectification(known: pd.DataFrame) -> dict[str, dict]:
    """Departments whose latest change of any year is 'rectifying' (whatever its end date)."""
    last = _latest(known)
    return {d: r for d, r in last.items() if r["status"] == "rectifying"}


def _award_dates(known: pd.DataFrame, year: int) -> dict[str, str]:
    aw = known[(known["year"].astype(int) == year) & (known["status"] == "awarded")]
    return aw.groupby("dept_code")["changed_on"].max().to_dict()


def _rectification_countdown(status: pd.DataFrame, as_of: date) -> pd.DataFrame:
    until = pd.to_datetime(status["rectify_until"], errors="coerce")
    days = (until - pd.Timestamp(as_of)).dt.days
    reapply = (until + pd.Timedelta(days=1)).dt.strftime("%Y-%m-%d")
    return status.assign(
        in_rectification=(status["status"] == "rectifying") & (until.isna() | (days >= 0)),
        days_left=days.astype("Int64"),
        reapply_on=reapply.where(until.notna(), None),
    )


def _notice_end(status: pd.DataFrame, as_of: date, calendar: workdays.Calendar) -> pd.DataFrame:
    ends, flags = [], []
    for s, changed in zip(status["status"], status["changed_on"], strict=True):
        if s == "public_notice" and changed:
            end, fb = public_notice_end(changed, calendar)
            ends.append(end.isoformat())
            flags.append(fb)
        else:
            ends.append(None)
            flags.append(False)
    over = [e is not None and e < as_of.isoformat() for e in ends]
    return status.assign(notice_end=ends, notice_fallback=flags, notice_over=over)


def public_notice_end(start: date | str, calendar: workdays.Calendar = workdays.EMPTY) -> tuple[date, bool]:
    """(last day of a 公示 starting on ``start``, unadjusted?) — PUBLIC_NOTICE_WORKING_DAYS working days, counted on
    the office's ``calendar`` where it entered the year, else chinesecalendar, else the statutory holidays
    (unadjusted = True: that year's adjusted working days are not entered; see metrics.rules.workdays)."""
    return workdays.nth_working_day(start, PUBLIC_NOTICE_WORKING_DAYS, calendar)


def rectify_window(revoked_on: date | str) -> tuple[date, date]:
    """(earliest, latest) end of the rectification that follows a revocation (RECTIFY_MONTHS)."""
    d = _as_date(revoked_on)
    return _add_months(d, RECTIFY_MONTHS[0]), _add_months(d, RECTIFY_MONTHS[1])


def pipeline_counts(status: pd.DataFrame) -> pd.DataFrame:
    """Departments per status in process order (every status listed, 0 when none): status, count."""
    counts = status.groupby("status").size()
    return pd.DataFrame({"status": list(AWARD_ORDER), "count": [int(counts.get(s, 0)) for s in AWARD_ORDER]})


# ---------------------------------------------------------------------------------------------
# Eligibility (PRODUCT §4.2) and conflicts
# ---------------------------------------------------------------------------------------------


def eligibility(
    dept_codes: Iterable[str],
    events: pd.DataFrame,
    status: pd.DataFrame,
    year_values: pd.DataFrame,
    year: int,
    rules: EligibilityRules = DEFAULT_ELIGIBILITY,
    *,
    metric_defs: Iterable[contract.Metric],
    risks: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per department whether it is eligible for ``year``, with reasons (see module doc).

    ``events``: as store.events; ``status``: award_status output; ``year_values``: period_rules.period_values
    at grain 'year' (only the row of ``year`` is read); ``metric_defs``: the store's catalogue (store.metric_defs);
    ``risks``: the hospital's risk register (store.risks; None or empty: it keeps none).
    """
    defs = {m.code: m for m in metric_defs}  # the stored catalogue: never the shipped one
    held = _target_metrics(year_values, rules, defs)
    vetoes = period_rules.confirmed(events)
    vetoes = vetoes[(vetoes["kind"] == "veto") & (vetoes["event_date"].astype(str).str[:4] == str(year))]
    vals = year_values[(year_values["period"] == str(year)) & year_values["metric"].isin(held)]
    rect = status.set_index("dept_code")["in_rectification"].to_dict() if not status.empty else {}
    until = status.set_index("dept_code")["rectify_until"].to_dict() if not status.empty else {}
    # Looked up per department from dicts built once: filtering the frames per department grew with
    # departments² (seconds at 200 departments).
    vetoes_of: dict[str, list[dict]] = {}
    for e in vetoes.to_dict("records"):
        vetoes_of.setdefault(e["dept_code"], []).append(e)
    value_of = {
        (r["dept_code"], r["metric"]): r
        for r in vals[["dept_code", "metric", "value", "target", "direction", "passed"]].to_dict("records")
    }
    controlled = _departments_with_controls(risks, rules)
    rows = []
    for code in dept_codes:
        reasons: list[dict] = []
        if rules.no_confirmed_veto:
            for e in vetoes_of.get(code, []):
                reasons.append(dict(code="veto", indicator=e["indicator"], date=e["event_date"]))
        if rules.not_rectifying and bool(rect.get(code, False)):
            reasons.append(dict(code="rectifying", until=until.get(code)))
        if rules.targets_met:
            for m in held:
                r = value_of.get((code, m))
                if r is None or pd.isna(r["value"]):
                    if rules.no_data_blocks:
                        reasons.append(dict(code="no_data", metric=m))
                elif not pd.isna(r["passed"]) and not bool(r["passed"]):
                    reasons.append(
                        dict(
                            code="target_missed",
                            metric=m,
                            value=float(r["value"]),
                            target=float(r["target"]),
                            direction=r["direction"],
                        )
                    )
        if controlled is not None and code not in controlled:
            reasons.append(dict(code="no_risk_controls"))
        rows.append(dict(dept_code=code, eligible=not reasons, reasons=tuple(reasons)))
    return pd.DataFrame(rows, columns=["dept_code", "eligible", "reasons"])


def _departments_with_controls(risks: pd.DataFrame | None, rules: EligibilityRules) -> set[str] | None:
    """The departments (as a risk point's unit or owner) with a risk point whose controls are recorded; None when the
    rule is off or the hospital keeps no register."""
    if not rules.risk_controls or risks is None or risks.empty:
        return None
    with_controls = risks[risks["controls"].fillna("").astype(str).str.strip() != ""]
    return set(with_controls["unit"]) | set(with_controls["owner"])


def _target_metrics(year_values: pd.DataFrame, rules: EligibilityRules, defs: dict) -> list[str]:
    if rules.metrics is not None:
        return list(rules.metrics)
    with_target = set(year_values.loc[year_values["target"].notna(), "metric"])
    return [c for c, m in defs.items() if m.scope == "dept" and (c in with_target or m.default_target is not None)]


def conflicts(status: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Awarded departments with a confirmed veto dated after the award (PRODUCT §4.2): shown in red."""
    cols = ["dept_code", "year", "awarded_on", "event_id", "event_date", "indicator"]
    awarded = status[(status["status"] == "awarded") & status["awarded_on"].notna()]
    vetoes = period_rules.confirmed(events)
    vetoes = vetoes[vetoes["kind"] == "veto"]
    if awarded.empty or vetoes.empty:
        return pd.DataFrame(columns=cols)
    m = awarded[["dept_code", "year", "awarded_on"]].merge(
        vetoes[["dept_code", "event_id", "event_date", "indicator"]], on="dept_code"
    )
    m = m[m["event_date"].astype(str) > m["awarded_on"].astype(str)]
    return m.sort_values(["dept_code", "event_date"]).reset_index(drop=True)[cols]


# ---------------------------------------------------------------------------------------------
# Award units beyond departments (PRODUCT §10)
# ---------------------------------------------------------------------------------------------


def unit_status(
    units: pd.DataFrame,
    unit_changes: pd.DataFrame,
    events: pd.DataFrame,
    as_of: date | str,
    year: int | None = None,
    calendar: workdays.Calendar = workdays.EMPTY,
) -> pd.DataFrame:
    """Each person's and post's status for ``year`` as of ``as_of``: the department's §4.1 lifecycle (award_status)
    read from the units' changes, one row per unit: unit_code, unit_type, name, dept_code, source, status,
    changed_on, awarded_on, rectify_until, voided_by.

    PRODUCT §10: a confirmed veto naming a person (the event's ``person``, their 工号) on or after the award voids
    that person's 清廉医护 title: the status is 'revoked', ``voided_by`` the event's id (None otherwise). The veto
    counts against the department as every veto does (traffic lights, eligibility): nothing changes there."""
    cols = [*units.columns, "status", "changed_on", "awarded_on", "rectify_until", "voided_by"]
    if units.empty:
        return pd.DataFrame(columns=cols)
    changes = unit_changes.rename(columns={"unit_code": "dept_code"})
    st = award_status(changes, as_of, year, units["unit_code"].tolist(), calendar)
    st = st.rename(columns={"dept_code": "unit_code"})[
        ["unit_code", "status", "changed_on", "awarded_on", "rectify_until"]
    ]
    out = units.merge(st, on="unit_code", how="left")
    out["voided_by"] = None
    vetoes = period_rules.confirmed(events)
    if "person" in vetoes.columns:
        vetoes = vetoes[(vetoes["kind"] == "veto") & vetoes["person"].notna() & (vetoes["person"].astype(str) != "")]
        as_of_s = _as_date(as_of).isoformat()
        for i, r in out.iterrows():
            if r["unit_type"] != "person" or r["status"] != "awarded" or not r["awarded_on"]:
                continue
            hit = vetoes[
                (vetoes["person"].astype(str) == str(r["unit_code"]))
                & (vetoes["event_date"].astype(str) >= str(r["awarded_on"]))
                & (vetoes["event_date"].astype(str) <= as_of_s)
            ]
            if not hit.empty:
                out.at[i, "status"] = "revoked"
                out.at[i, "voided_by"] = hit.sort_values("event_date").iloc[0]["event_id"]
    return out[cols].reset_index(drop=True)


def unit_eligibility(status: pd.DataFrame, events: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per unit of ``status`` (unit_status output) whether it is eligible for ``year`` (PRODUCT §4.2 for a person or a
    post, §10): no confirmed veto naming it (a person by 工号 in ``person``, a post by its code in ``post``) dated in
    the year, not in rectification. Columns unit_code, eligible, reasons (reason dicts as ``eligibility``'s). A unit's
    department's targets are the department's to meet, not the unit's."""
    vetoes = period_rules.confirmed(events)
    vetoes = vetoes[(vetoes["kind"] == "veto") & (vetoes["event_date"].astype(str).str[:4] == str(year))]
    named: dict[tuple[str, str], list[dict]] = {}
    for col, kind in (("person", "person"), ("post", "post")):
        if col in vetoes.columns:
            for e in vetoes[vetoes[col].notna() & (vetoes[col].astype(str) != "")].to_dict("records"):
                named.setdefault((kind, str(e[col])), []).append(e)
    rows = []
    for r in status.to_dict("records"):
        reasons = [
            dict(code="veto", indicator=e["indicator"], date=e["event_date"], event_id=e.get("event_id"))
            for e in sorted(named.get((r["unit_type"], str(r["unit_code"])), []), key=lambda e: str(e["event_date"]))
        ]
        if r["status"] == "rectifying":
            reasons.append(dict(code="rectifying", until=r.get("rectify_until")))
        rows.append(dict(unit_code=r["unit_code"], eligible=not reasons, reasons=tuple(reasons)))
    return pd.DataFrame(rows, columns=["unit_code", "eligible", "reasons"])


# ---------------------------------------------------------------------------------------------
# Traffic lights (PRODUCT §4.3)
# ---------------------------------------------------------------------------------------------


def traffic_lights(
    values: pd.DataFrame,
    events: pd.DataFrame,
    grain: str,
    period: str | Iterable[str] | None = None,
    departments: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Per (dept_code, period) the light: red = a confirmed veto; amber = a confirmed warning (an overdue notice's W03
    in every period it was open past its deadline), or a target missed; green = data and no problem; grey = no data
    and no event (never green).

    ``values``: period_rules.period_values at ``grain``; ``events``: as store.events (with programme's W03 states).
    ``departments`` and ``period`` (str or list) add rows for departments/periods with nothing at all (grey). Rows of
    several hospitals (``hospital_code`` first in both frames) are judged per hospital, ``hospital_code`` kept.
    """
    h = period_rules._hospital_key(values)
    keys = [*h, "dept_code", "period"]
    v = values[values["dept_code"] != contract.HOSPITAL_CODE]
    if period is not None:
        v = v[v["period"].isin([period] if isinstance(period, str) else list(period))]
    perf = (
        v.assign(_missed=(~v["passed"].fillna(True)).astype(int), _has=v["value"].notna().astype(int))
        .groupby(keys, as_index=False)
        .agg(missed=("_missed", "sum"), with_data=("_has", "sum"))
    )
    ev = period_rules.event_totals(events, grain, period)
    ev = ev[ev["dept_code"] != contract.HOSPITAL_CODE]
    grid = perf.merge(ev, on=keys, how="outer") if set(h) <= set(ev.columns) else perf.assign(vetoes=0, warnings=0)
    if departments is not None and period is not None:
        periods = [period] if isinstance(period, str) else list(period)
        full = pd.MultiIndex.from_product([list(departments), periods], names=["dept_code", "period"]).to_frame(
            index=False
        )
        grid = full.merge(grid, on=["dept_code", "period"], how="left")
    grid = grid.fillna({"missed": 0, "with_data": 0, "vetoes": 0, "warnings": 0}).astype(
        {"missed": int, "with_data": int, "vetoes": int, "warnings": int}
    )
    light = pd.Series("green", index=grid.index, dtype=object)
    light[grid["with_data"] == 0] = "grey"
    light[(grid["warnings"] > 0) | (grid["missed"] > 0)] = "amber"
    light[grid["vetoes"] > 0] = "red"
    return (
        grid.assign(light=light)
        .sort_values(["period", *h, "dept_code"])
        .reset_index(drop=True)[[*keys, "light", "vetoes", "warnings", "missed"]]
    )


def hospital_lights(
    department_lights: pd.DataFrame, hospital_figures: pd.DataFrame, hospitals: Iterable[str], period: str
) -> pd.DataFrame:
    """Per hospital its light for ``period`` by the same rule as a department's (PRODUCT §4.3): red when any of its
    departments is red, amber when any is amber or the hospital's own figures miss, green when it has data and
    neither, grey without data. ``department_lights``: traffic_lights rows with ``hospital_code``;
    ``hospital_figures``: hospital_code, period, missed (the hospital's own figures missed). Columns hospital_code,
    light, red, amber, green, grey (departments of each light), missed; in the order of ``hospitals``."""
    codes = list(hospitals)
    d = department_lights[department_lights["period"] == period]
    counts = (
        pd.crosstab(d["hospital_code"], d["light"])
        .reindex(index=codes, columns=["red", "amber", "green", "grey"], fill_value=0)
        .fillna(0)
        .astype(int)
    )
    f = hospital_figures[hospital_figures["period"] == period].groupby("hospital_code")["missed"].sum()
    missed = f.reindex(codes, fill_value=0).astype(int)
    light = pd.Series("grey", index=counts.index, dtype=object)
    light[(counts["green"] > 0) | (missed > 0)] = "green"
    light[(counts["amber"] > 0) | (missed > 0)] = "amber"
    light[counts["red"] > 0] = "red"
    return (
        counts.assign(light=light, missed=missed)
        .rename_axis("hospital_code")
        .reset_index()[["hospital_code", "light", "red", "amber", "green", "grey", "missed"]]
    )


# ---------------------------------------------------------------------------------------------
# Words for the reasons (strings from i18n)
# ---------------------------------------------------------------------------------------------


def reason_text(reason: dict, lang: str, metric_names: dict[str, str] | None = None) -> str:
    """One eligibility reason as a sentence in ``lang``."""
    names = metric_names or {}
    code = reason["code"]
    if code == "veto":
        return i18n.t(
            "rules.reason.veto", lang, indicator=reason["indicator"], date=i18n.fmt_date(reason["date"], lang)
        )
    if code == "rectifying":
        return i18n.t("rules.reason.rectifying", lang, until=i18n.fmt_date(reason.get("until"), lang))
    if code == "no_data":
        return i18n.t("rules.reason.no_data", lang, metric=names.get(reason["metric"], reason["metric"]))
    if code == "no_risk_controls":
        return i18n.t("rules.reason.no_risk_controls", lang)
    # One decimal, or two when one would print a missed 89.95 as the target's own "90.0".
    digits = 2 if round(reason["value"], 1) == round(reason["target"], 1) else 1
    return i18n.t(
        "rules.reason.target_missed",
        lang,
        metric=names.get(reason["metric"], reason["metric"]),
        value=i18n.fmt_number(reason["value"], lang, digits),
        direction="≥" if reason["direction"] == ">=" else "≤",
        target=i18n.fmt_number(reason["target"], lang, digits),
    )


# ---------------------------------------------------------------------------------------------


def _as_date(d: date | str) -> date:
    return date.fromisoformat(str(d)[:10]) if not isinstance(d, date) else d


def _add_months(d: date, n: int) -> date:
    y, m0 = divmod(d.year * 12 + d.month - 1 + n, 12)
    return date(y, m0 + 1, min(d.day, calendar.monthrange(y, m0 + 1)[1]))
