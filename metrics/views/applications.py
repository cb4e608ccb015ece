"""What the awards page's 申报表 section shows (PRODUCT §10 applications, seed 004 附件 2): the year's applications of
the chosen departments — 申报时间, staff, party members and their share, each step's opinion and date — with each
step out of order against the award lifecycle said on its row (``rules.applications.step_flags``), and every
department's filled form ready to print (``metrics.print.application``).

Choices (``ViewKey.choices``): ``year`` (the award year the page shows), ``depts`` (the chosen department codes
joined by newlines), ``today`` (the statuses are as of today)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

import pandas as pd

from metrics import clock, i18n, store
from metrics.print.application import ApplicationForm, Step
from metrics.rules import applications as app_rules
from metrics.rules import awards as award_rules
from metrics.rules import workdays
from metrics.views import ViewKey, awards

# column → the i18n key of its header, in the order shown
COLUMNS = {
    "dept_code": "col.dept_code",
    "dept_name": "col.dept_name",
    "applied_on": "apps.form.applied_on",
    "staff_count": "apps.form.staff",
    "party_members": "apps.form.party",
    "party_share": "apps.col.party_share",
    "branch_opinion": "apps.col.branch_opinion",
    "branch_on": "apps.col.branch_on",
    "group_opinion": "apps.col.group_opinion",
    "group_on": "apps.col.group_on",
    "committee_opinion": "apps.col.committee_opinion",
    "committee_on": "apps.col.committee_on",
    "flags": "apps.col.flags",
}
# step → (its box's label, its signature line, the award status that records it)
STEP_TEXT = {
    "branch": ("apps.form.branch", "apps.form.branch_signer", "award.branch_reviewed"),
    "group": ("apps.form.group", "apps.form.group_signer", "award.group_reviewed"),
    "committee": ("apps.form.committee", "apps.form.committee_signer", "award.committee_approved"),
}
FORM_LABELS = {
    "dept": "apps.form.dept",
    "applied_on": "apps.form.applied_on",
    "staff": "apps.form.staff",
    "party": "apps.form.party",
    "materials": "apps.form.materials",
}
FLAG_TEXT = {"late": "apps.flag.late", "missing": "apps.flag.missing"}


@dataclass(frozen=True)
class ApplicationsView:
    year: int
    title: str  # the section's title
    rows: pd.DataFrame  # COLUMNS, every value as shown; by department code
    headers: dict[str, str]
    warnings: tuple[str, ...]  # one line per application with a step out of order, naming the department
    forms: tuple[ApplicationForm, ...]  # each row's filled form, in the rows' order
    file_name: str  # the table's download


def build(key: ViewKey) -> ApplicationsView:
    """The 申报表 section of ``key``'s store, language, award year, departments and day."""
    lang = key.lang
    today = key.get("today") or clock.today()
    year = int(key.get("year") or today.year)
    depts = key.get("depts", "") or ""
    apps, steps, names, hospital_names = _read(key.store, key.version, key.hospital, year, depts, today)
    flags = dict(zip(steps["dept_code"], steps["flags"], strict=True))
    rows = _rows(apps, flags, names, lang)
    warnings = tuple(
        f"{r.dept_code} {r.dept_name}：{r.flags}" if lang == "zh" else f"{r.dept_code} {r.dept_name}: {r.flags}"
        for r in rows.itertuples()
        if r.flags
    )
    hospital_name = hospital_names.get(lang, "")
    forms = tuple(_form(a, names, hospital_name, year, lang) for a in apps.to_dict("records"))
    return ApplicationsView(
        year=year,
        title=i18n.t("apps.title", lang, year=year, n=len(rows)),
        rows=rows,
        headers={c: i18n.t(k, lang) for c, k in COLUMNS.items()},
        warnings=warnings,
        forms=forms,
        file_name=f"applications-{year}.csv",
    )


@functools.lru_cache(maxsize=8)
def _read(path: str, version: int, hospital: str, year: int, depts: str, today: date):
    """(the year's applications of the chosen departments, their steps with flags, department names, the hospital's
    name by language — none in a one-hospital store) — the same in every language. The version keys the memo only: every commit bumps it."""
    codes = depts.split("\n") if depts else []
    with store.opened(path) as db:
        apps = store.applications(db, hospital=hospital, year=year)
        changes = store.award_changes(db, hospital=hospital)
        departments = store.departments(db, hospital=hospital)
        calendar = workdays.Calendar.from_frame(store.calendar_days(db))
        listed = store.hospitals(db) if hospital else None
    apps = apps[apps["dept_code"].isin(codes)].reset_index(drop=True)
    changes = changes[changes["year"].astype(int) == year]
    status = award_rules.award_status(changes, today, year, codes, calendar)
    steps = app_rules.application_steps(apps, changes, status[["dept_code", "status"]])
    names = dict(zip(departments["dept_code"], departments["dept_name"], strict=True))
    hospital_names = {}
    if listed is not None and hospital in set(listed["hospital_code"]):
        zh, en = listed.set_index("hospital_code").loc[hospital, ["name_zh", "name_en"]]
        hospital_names = {"zh": str(zh), "en": str(en or zh)}
    return apps, steps, names, hospital_names


def _rows(apps: pd.DataFrame, flags: dict, names: dict, lang: str) -> pd.DataFrame:
    """The applications as shown: dates formatted ('—' not given), counts as text, the share in per cent, each
    flagged step in a sentence."""
    day = lambda d: i18n.fmt_date(d, lang) if isinstance(d, str) and d else "—"  # noqa: E731
    text = lambda v: v if isinstance(v, str) and v else "—"  # noqa: E731
    rows = apps.assign(
        dept_name=apps["dept_code"].map(lambda c: names.get(c, c)),
        applied_on=apps["applied_on"].map(day),
        staff_count=apps["staff_count"].map(lambda n: str(int(n))),
        party_members=apps["party_members"].map(lambda n: str(int(n))),
        party_share=[
            _share(s, m, n)
            for s, m, n in zip(apps["party_share"], apps["party_members"], apps["staff_count"], strict=True)
        ],  # fmt: skip
        flags=apps["dept_code"].map(lambda c: "；".join(_flag_text(f, lang) for f in flags.get(c, ()))),
        **{c: apps[c].map(day) for c in ("branch_on", "group_on", "committee_on")},
        **{c: apps[c].map(text) for c in ("branch_opinion", "group_opinion", "committee_opinion")},
    )
    return rows[list(COLUMNS)].reset_index(drop=True)


def _share(share, members, staff) -> str:
    """The party members' share of the staff in per cent, one decimal (worked out when the file gave none)."""
    if share is None or share != share:
        share = 100 * int(members) / int(staff)
    return f"{float(share):.1f}%"


def _flag_text(flag: tuple[str, str, str | None], lang: str) -> str:
    step, what, change = flag
    label, _signer, status = STEP_TEXT[step]
    return i18n.t(
        FLAG_TEXT[what],
        lang,
        step=i18n.t(label, lang),
        day=i18n.fmt_date(change, lang) if change else "—",
        status=i18n.t(status, lang),
    )


def _form(app: dict, names: dict, hospital_name: str, year: int, lang: str) -> ApplicationForm:
    """One application as its filled form: the annex's labels, the values as printed."""
    code = app["dept_code"]
    title = (
        i18n.t("apps.form.title_of", lang, hospital=hospital_name) if hospital_name else i18n.t("apps.form.title", lang)
    )
    steps = tuple(
        Step(
            label=i18n.t(label, lang),
            opinion=app.get(f"{step}_opinion") if isinstance(app.get(f"{step}_opinion"), str) else "",
            signer=i18n.t(signer, lang),
            day=i18n.fmt_date(app[f"{step}_on"], lang)
            if isinstance(app.get(f"{step}_on"), str) and app[f"{step}_on"]
            else i18n.t("apps.form.blank_date", lang),
        )
        for step, (label, signer, _status) in STEP_TEXT.items()
    )
    party = i18n.t(
        "apps.form.party_value",
        lang,
        n=int(app["party_members"]),
        share=_share(app["party_share"], app["party_members"], app["staff_count"]),
    )
    return ApplicationForm(
        dept_code=code,
        title=title,
        labels={k: i18n.t(key, lang) for k, key in FORM_LABELS.items()},
        dept_name=names.get(code, code),
        applied_on=i18n.fmt_date(app["applied_on"], lang),
        staff_count=str(int(app["staff_count"])),
        party=party,
        materials=app["materials"] if isinstance(app.get("materials"), str) else "",
        materials_signer=i18n.t("apps.form.materials_signer", lang),
        steps=steps,
        note=i18n.t("apps.form.note", lang),
        file_name=i18n.t("apps.form.file", lang, year=year, code=code),
    )


def default_keys(base: ViewKey, *, depts: str, today, **_) -> list[tuple]:
    """The view a first visit of the awards page builds at its end, keyed as the page keys it: the award year the
    awards view shows by default (its own memo, which the warm fills first)."""
    _years, year = awards._years(base.store, base.version, base.hospital, today, None)
    return [(build, base.with_(year=year, depts=depts, today=today), None)]
