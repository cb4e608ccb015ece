"""What 一院一品 shows (PRODUCT §10 brands, seed 003): on the region overview, the year's projects of the hospitals
the user reads by direction and phase — a category × phase matrix naming the projects and a table with each
project's hospitals, phase, latest check and 亮点 — and on a hospital's own page its project, phase, progress notes
and the bureau's checks.

A project several hospitals run together is one project code in each of their rows: the region shows it once, with
its hospitals. A phase the hospital entered wins; otherwise it is read from the day (``rules.brands``).

Choices of the hospital page (``ViewKey.choices``): ``year`` (None: the newest year with a project, else this
year's), ``today``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from metrics import clock, contract, i18n, store
from metrics.rules import brands as brand_rules
from metrics.views import ViewKey

# the 亮点 column before the long ones: a 1280-wide screen shows it without scrolling
REGION_COLUMNS = ("category", "phase", "title", "highlight", "hospitals", "check", "project_code")
NOTE_COLUMNS = ("noted_on", "note")
CHECK_COLUMNS = ("noted_on", "result", "note")


@dataclass(frozen=True)
class Project:
    """One project of the region: what the 亮点 choice writes (its year, code and every hospital holding it)."""

    year: int
    project_code: str
    title: str
    hospitals: tuple[str, ...]
    highlight: bool
    label: str  # how the picker names it: title (code) — hospitals


@dataclass(frozen=True)
class BrandRegion:
    title: str
    caption: str
    empty: str | None  # no hospital shown has a project that year
    matrix: pd.DataFrame  # category label, then one column per phase: the projects' titles, one a line
    matrix_headers: dict[str, str]
    rows: pd.DataFrame  # REGION_COLUMNS, by category order then code
    headers: dict[str, str]
    projects: tuple[Project, ...]
    mark_label: str
    mark_yes: str
    mark_button: str
    file_name: str


@dataclass(frozen=True)
class BrandsView:
    title: str
    years: tuple[int, ...]  # the years with a project, newest first (the year picker's options)
    year: int
    empty: str | None  # no project for the year
    facts: tuple[tuple[str, str], ...]  # (label, value) of the project: code, direction, title, phase, 亮点
    plan: str  # the plan as written ('' when none)
    project: dict  # the stored row as the editor starts from (canonical columns, labels for the choices)
    notes: pd.DataFrame  # NOTE_COLUMNS, by day
    checks: pd.DataFrame  # CHECK_COLUMNS, by day
    note_headers: dict[str, str]
    check_headers: dict[str, str]
    categories: dict[str, str]  # code → label (the editor's choices)
    phases: dict[str, str]  # '' (read from the date) and each phase code → label
    note_types: dict[str, str]
    results: dict[str, str]


def category_label(code: str, lang: str) -> str:
    return i18n.t(f"brand.category.{code}", lang)


def phase_label(code: str, lang: str) -> str:
    return i18n.t(f"brand.phase.{code}", lang)


def result_label(code, lang: str) -> str:
    return i18n.t(f"brand.result.{code}", lang) if isinstance(code, str) and code else "—"


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with missing cells as None (a stored NULL reads as NaN in a numeric column)."""
    frame = frame.astype(object)
    return frame.where(frame.notna(), None)


def region_brands(
    projects: pd.DataFrame,
    notes: pd.DataFrame,
    hospitals: tuple[str, ...],
    names: dict[str, str],
    year: int,
    as_of: date,
    lang: str,
) -> BrandRegion:
    """The year's projects of ``hospitals`` (``projects``, ``notes``: with hospital_code) judged on ``as_of``."""
    projects = _clean(projects[projects["year"] == year]) if len(projects) else projects
    order = {c: i for i, c in enumerate(hospitals)}
    latest: dict[str, tuple[str, str]] = {}  # hospital → (day, result) of its latest check that year
    for r in _clean(notes).to_dict("records") if len(notes) else []:
        if int(r["year"]) == year and r["entry_type"] == "check":
            latest[r["hospital_code"]] = max(latest.get(r["hospital_code"], ("", "")), (r["noted_on"], r["result"]))
    grouped: dict[str, list[dict]] = {}
    for r in projects.to_dict("records") if len(projects) else []:
        if r["hospital_code"] in order:
            grouped.setdefault(r["project_code"], []).append(r)
    cats = list(contract.BRAND_CATEGORIES)
    rows, found = [], []
    for code, members in grouped.items():
        members.sort(key=lambda r: order[r["hospital_code"]])
        first = members[0]
        phase, _derived = brand_rules.phase_of(year, first["phase"], as_of)
        held = tuple(r["hospital_code"] for r in members)
        marked = any(int(r["highlight"] or 0) for r in members)
        day, result = max((latest.get(h, ("", "")) for h in held), default=("", ""))
        shown = "、".join(names.get(h, h) for h in held) if lang == "zh" else ", ".join(names.get(h, h) for h in held)
        rows.append(
            dict(
                _cat=cats.index(first["category"]) if first["category"] in cats else len(cats),
                _phase=phase,
                _category=first["category"],
                category=category_label(first["category"], lang),
                phase=phase_label(phase, lang),
                project_code=code,
                title=first["title"],
                hospitals=shown,
                check=f"{result_label(result, lang)}（{i18n.fmt_date(day, lang)}）"
                if lang == "zh" and day
                else f"{result_label(result, lang)} ({i18n.fmt_date(day, lang)})"
                if day
                else "—",
                highlight=i18n.t("brand.highlight.yes", lang) if marked else "—",
            )
        )
        label = f"{first['title']}（{code}）— {shown}" if lang == "zh" else f"{first['title']} ({code}) — {shown}"
        found.append(Project(year, code, first["title"], held, marked, label))
    frame = pd.DataFrame(rows, columns=["_cat", "_phase", "_category", *REGION_COLUMNS])
    frame = frame.sort_values(["_cat", "project_code"], kind="stable").reset_index(drop=True)
    matrix = pd.DataFrame(
        [
            {
                "category": category_label(c, lang),
                **{
                    p: "\n".join(
                        ("★ " if h != "—" else "") + t
                        for t, h in frame.loc[
                            (frame["_category"] == c) & (frame["_phase"] == p), ["title", "highlight"]
                        ].itertuples(index=False, name=None)
                    )
                    or "—"
                    for p in brand_rules.PHASES
                },
            }
            for c in cats
        ]
    )
    by_code = {p.project_code: p for p in found}
    return BrandRegion(
        title=i18n.t("brand.region.title", lang, year=year),
        caption=i18n.t("brand.region.caption", lang, n=len(frame), date=i18n.fmt_date(as_of, lang)),
        empty=None if len(frame) else i18n.t("brand.region.empty", lang, year=year),
        matrix=matrix,
        matrix_headers={
            "category": i18n.t("brand.col.category", lang),
            **{p: phase_label(p, lang) for p in brand_rules.PHASES},
        },
        rows=frame[list(REGION_COLUMNS)],
        headers={
            "category": i18n.t("brand.col.category", lang),
            "phase": i18n.t("brand.col.phase", lang),
            "project_code": i18n.t("brand.col.project_code", lang),
            "title": i18n.t("brand.col.title", lang),
            "hospitals": i18n.t("brand.col.hospitals", lang),
            "check": i18n.t("brand.col.check", lang),
            "highlight": i18n.t("brand.col.highlight", lang),
        },
        projects=tuple(by_code[c] for c in frame["project_code"]),
        mark_label=i18n.t("brand.mark.pick", lang),
        mark_yes=i18n.t("brand.mark.yes", lang),
        mark_button=i18n.t("brand.mark.save", lang),
        file_name=f"brands-{year}.csv",
    )


def build(key: ViewKey) -> BrandsView:
    """The hospital's project of the chosen year, its notes and checks."""
    lang = key.lang
    today = key.get("today") or clock.today()
    with store.opened(key.store) as db:
        projects = _clean(store.brand_projects(db, hospital=key.hospital))
        notes = _clean(store.brand_notes(db, hospital=key.hospital))
    years = tuple(sorted({int(y) for y in projects["year"]}, reverse=True))
    year = int(key.get("year") or (years[0] if years else today.year))
    mine = projects[projects["year"] == year].to_dict("records")
    row = mine[0] if mine else None
    facts: tuple[tuple[str, str], ...] = ()
    if row is not None:
        phase, derived = brand_rules.phase_of(year, row["phase"], today)
        shown = phase_label(phase, lang) + (i18n.t("brand.phase.derived", lang) if derived else "")
        facts = (
            (i18n.t("brand.col.project_code", lang), row["project_code"]),
            (i18n.t("brand.col.category", lang), category_label(row["category"], lang)),
            (i18n.t("brand.col.title", lang), row["title"]),
            (i18n.t("brand.col.phase", lang), shown),
            (
                i18n.t("brand.col.highlight", lang),
                i18n.t("brand.highlight.yes" if int(row["highlight"] or 0) else "brand.highlight.no", lang),
            ),
        )
    of_year = notes[notes["year"] == year] if len(notes) else notes
    dated = of_year.assign(noted_on=[i18n.fmt_date(d, lang) for d in of_year["noted_on"]])
    progress = dated[dated["entry_type"] == "progress"]
    checks = dated[dated["entry_type"] == "check"]
    checks = checks.assign(result=[result_label(r, lang) for r in checks["result"]])
    return BrandsView(
        title=i18n.t("nav.brands", lang),
        years=years,
        year=year,
        empty=None if row is not None else i18n.t("brand.page.empty", lang, year=year),
        facts=facts,
        plan=(row or {}).get("plan") or "",
        project=dict(row) if row is not None else dict(year=year),
        notes=progress[list(NOTE_COLUMNS)].reset_index(drop=True),
        checks=checks[list(CHECK_COLUMNS)].reset_index(drop=True),
        note_headers={"noted_on": i18n.t("brand.col.noted_on", lang), "note": i18n.t("brand.col.note", lang)},
        check_headers={
            "noted_on": i18n.t("brand.col.noted_on", lang),
            "result": i18n.t("brand.col.result", lang),
            "note": i18n.t("brand.col.check_note", lang),
        },
        categories={c: category_label(c, lang) for c in contract.BRAND_CATEGORIES},
        phases={"": i18n.t("brand.phase.auto", lang), **{p: phase_label(p, lang) for p in brand_rules.PHASES}},
        note_types={c: i18n.t(f"brand.type.{c}", lang) for c in contract.BRAND_NOTE_TYPES},
        results={"": "—", **{c: result_label(c, lang) for c in contract.BRAND_RESULTS}},
    )
