"""What the targets page shows (PRODUCT §2, §3.2 targets, §4.4): the targets, the indicator catalogue and the metric
catalogue as the editors show them, and the stored department targets the one validator refuses today (saved
before the hospital floor was enforced: not applied, the hospital's target holds instead)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from metrics import clock, contract, i18n, store
from metrics.ingest import importer
from metrics.rules import workdays
from metrics.views import ViewKey

# The columns each editor edits: the contract's columns of the kind it writes (commit_rows takes them as they are).
TARGET_COLUMNS = ("metric", "dept_code", "effective_from", "target", "direction")
INDICATOR_COLUMNS = ("code", "kind", "name_zh", "name_en", "evidence", "office", "active")
METRIC_COLUMNS = (
    "code",
    "name_zh",
    "name_en",
    "unit_zh",
    "unit_en",
    "direction",
    "default_target",
    "scope",
    "aggregate",
)


@dataclass(frozen=True)
class TargetsView:
    targets: pd.DataFrame  # TARGET_COLUMNS + metric_name, dept_name; catalogue order, numbered 1..n as the editor shows
    indicators: pd.DataFrame  # INDICATOR_COLUMNS, active as bool
    metrics: pd.DataFrame  # METRIC_COLUMNS
    metric_names: dict[str, str]  # code → name in the language, catalogue order
    # (row of the targets table, "K20 急诊科", the validator's reason) for the stored rows it refuses today
    refused: tuple[tuple[int, str, str], ...]


def build(key: ViewKey) -> TargetsView:
    with store.opened(key.store) as db:
        defs = store.metric_defs(db)
        targets = store.targets(db, key.hospital)
        depts = store.departments(db, hospital=key.hospital)
        indicators = store.indicator_catalogue(db)
        catalogue = store.metric_catalogue(db)
    ordered = sorted(defs, key=lambda m: (m.sort, m.code))
    names = {m.code: i18n.metric_name(m, key.lang) for m in ordered}
    order = {code: i for i, code in enumerate(names)}
    targets = (
        targets.assign(_o=targets["metric"].map(order).fillna(len(order)))
        .sort_values(["_o", "dept_code", "effective_from"])[list(TARGET_COLUMNS)]
        .reset_index(drop=True)
    )
    labels = dict(zip(depts["dept_code"], depts["dept_name"]))
    hospital_wide = i18n.t("hospital_wide", key.lang)
    shown = targets.assign(
        metric_name=targets["metric"].map(lambda c: names.get(c, c)),
        dept_name=targets["dept_code"].map(lambda c: hospital_wide if c == "" else labels.get(c, c)),
    )
    # The stored table judged as a whole by the validator every way in uses (nothing is written).
    check = importer.commit_rows(
        "targets",
        targets.to_dict("records"),
        source=store.EDIT_FILE_NAME,
        lang=key.lang,
        db_path=key.store,
        dry_run=True,
        replace=True,
        hospital=key.hospital,
    )

    def dept_of(row: int) -> str:
        code = targets.at[row - 1, "dept_code"] if 0 < row <= len(targets) else ""
        return f"{code} {labels.get(code, '')}".strip() if code else hospital_wide

    refused = tuple((p.line - 1, dept_of(p.line - 1), p.message) for p in check.problems if p.line)
    return TargetsView(
        targets=shown,
        indicators=indicators[list(INDICATOR_COLUMNS)].assign(active=indicators["active"].astype(bool)),
        metrics=catalogue[list(METRIC_COLUMNS)],
        metric_names=names,
        refused=refused,
    )


def direction_label(d: str) -> str:
    return {">=": "≥", "<=": "≤"}.get(d, d)


def editor_targets(view: TargetsView) -> pd.DataFrame:
    """The targets table as its editor shows it: the stored columns (the metric's code, shown by name), the month
    "always" (stored as EPOCH_MONTH) empty — the validator reads an empty month so — and department names."""
    t = view.targets
    cols = ["metric", "dept_code", "dept_name", "effective_from", "target", "direction"]
    return t[cols].assign(effective_from=t["effective_from"].replace(contract.EPOCH_MONTH, ""))


def readable_targets(view: TargetsView, lang: str) -> pd.DataFrame:
    """The targets table for a viewer: ≥/≤ and "always" for the shipped defaults' start month."""
    t = view.targets
    return t.assign(
        direction=t["direction"].map(direction_label),
        effective_from=t["effective_from"].map(lambda m: i18n.t("tg.always", lang) if m == contract.EPOCH_MONTH else m),
    )


def readable_catalogue(view: TargetsView, lang: str) -> pd.DataFrame:
    """The metric catalogue for a viewer: no internal code (the names say which metric), ≥/≤, scope and aggregation
    in the language, and "—" where a metric has no default target (a grid draws a missing number as "None")."""
    m = view.metrics
    return m.drop(columns="code").assign(
        direction=m["direction"].map(direction_label),
        default_target=m["default_target"].map(lambda v: i18n.fmt_number(v, lang, 1)),
        scope=m["scope"].map(lambda s: i18n.t("scope." + s, lang)),
        aggregate=m["aggregate"].map(lambda s: i18n.t("aggregate." + s, lang)),
    )


def problem_texts(problems, kind: str, lang: str) -> list[str]:
    """An editor's refused rows as the page lists them: row number (as the editor numbers them), the column's
    name as the page heads it, the validator's reason."""
    labels = {c.name: (c.zh if lang == "zh" else c.name) for c in contract.KINDS[kind].columns}
    out = []
    for p in problems:
        if not p.line:
            out.append(p.message)
        elif p.column:
            out.append(i18n.t("tg.err_col", lang, row=p.line - 1, col=labels.get(p.column, p.column), msg=p.message))
        else:
            out.append(i18n.t("tg.err", lang, row=p.line - 1, msg=p.message))
    return out


# --- holidays and adjusted working days (PRODUCT §4.1) ----------------------------------------------------------


@dataclass(frozen=True)
class CalendarView:
    """One year of the office's holiday schedule as its editor shows it: the days entered, or a suggestion."""

    years: tuple[int, ...]  # the years the picker offers
    year: int  # the year shown (the choice, else the next year not entered)
    note: tuple[str, str]  # ('caption' | 'info' | 'warning', text): entered, or which suggestion this is
    rows: pd.DataFrame  # date, kind (休/班 label in the language), name
    kind_labels: dict[str, str]  # stored code → label
    calendar: (
        workdays.Calendar
    )  # what the store holds (importer.calendar_rows_to_save gives the other years back unchanged)


def calendar_year(key: ViewKey) -> CalendarView:
    """The calendar editor's year (choice ``year``; ``today`` for the default) in ``key.lang``."""
    lang, today = key.lang, key.get("today") or clock.today()
    with store.opened(key.store) as db:
        cal = workdays.Calendar.from_frame(store.calendar_days(db))
    years = tuple(workdays.editor_years(cal, today))
    year = key.get("year")
    year = year if year in years else workdays.default_year(cal, today)
    sched = workdays.year_schedule(cal, year)
    if sched.source == "entered":
        note = ("caption", i18n.t("cal.entered", lang, year=year, n=len(sched.rows), off=sched.off, work=sched.work))
    elif sched.source == "chinesecalendar":
        note = ("info", i18n.t("cal.suggest_covered", lang, year=year))
    else:
        note = ("warning", i18n.t("cal.suggest_statutory", lang, year=year))
    labels = {workdays.OFF: i18n.t("cal.kind.off", lang), workdays.WORK: i18n.t("cal.kind.work", lang)}
    rows = pd.DataFrame([(d, labels[k], n) for d, k, n in sched.rows], columns=["date", "kind", "name"], dtype=object)
    return CalendarView(years, year, note, rows, labels, cal)
