"""The 医德考评加分 list (PRODUCT §8, seed 004): who gets +2 points in the medical-ethics appraisal for an
award year, as the HR system takes it — JSON or CSV (UTF-8 with BOM).

Staff names are personal data: this list is produced only for editors and admins (the awards page) and the command
line, and every production is written to the audit log in the same transaction that reads the roster.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date

import pandas as pd

from metrics import clock, i18n, store
from metrics.ingest import export
from metrics.rules import programme

COLUMNS = ("staff_id", "name", "dept_code", "dept_name", "in_dept_since", "award_date", "points")


@dataclass(frozen=True)
class PointsList:
    year: int
    rule: str  # the rule and its source, in the chosen language
    rows: pd.DataFrame  # COLUMNS, by department then staff id

    def to_json(self) -> dict:
        """``{"year", "rule", "rows": [{staff_id, name, dept_code, dept_name, in_dept_since, award_date, points}]}``."""
        rows = [{c: (int(r[c]) if c == "points" else str(r[c])) for c in COLUMNS} for r in self.rows.to_dict("records")]
        return {"year": self.year, "rule": self.rule, "rows": rows}

    def csv_bytes(self, lang: str = i18n.DEFAULT_LANG) -> bytes:
        """The rows as CSV, UTF-8 with BOM, headers in ``lang``, every text cell through safe.sheet_cell."""
        headers = {c: i18n.t("points.col." + c, lang) for c in COLUMNS}
        return export.csv_bytes(self.rows[list(COLUMNS)].rename(columns=headers))


def rule_text(year: int, lang: str = i18n.DEFAULT_LANG) -> str:
    return i18n.t("points.rule", lang, year=year, points=programme.APPRAISAL_POINTS)


def compute(db, year: int, as_of: date, lang: str = i18n.DEFAULT_LANG, hospital: str = "") -> PointsList:
    """The list for ``year`` from the stored awards and roster of ``hospital`` (awards as they stand on ``as_of``)."""
    rows = programme.appraisal_points(
        int(year), store.award_changes(db, hospital=hospital), store.staff(db, hospital), as_of
    )
    names = store.departments(db, hospital=hospital).set_index("dept_code")["dept_name"].to_dict()
    rows = rows.assign(dept_name=rows["dept_code"].map(lambda c: names.get(c, c)))
    return PointsList(int(year), rule_text(int(year), lang), rows[list(COLUMNS)].reset_index(drop=True))


def produce(
    year: int,
    *,
    user: str | None,
    channel: str,
    fmt: str,
    as_of: date | None = None,
    lang: str = i18n.DEFAULT_LANG,
    db_path: str | os.PathLike | None = None,
    hospital: str = "",
) -> PointsList:
    """Read the list and write its audit record in one transaction (who, when, which year, how many rows, through
    which channel — 'cli' or 'page' — and the format; never the names). Every export goes through here."""
    with store.opened(db_path) as db, db.atomic():
        got = compute(db, year, as_of or clock.today(), lang, hospital)
        detail = {"year": int(year), "rows": len(got.rows), "channel": channel, "format": fmt}
        store.audit_log(db, user, "points_export", target=str(int(year)), detail=detail, hospital=hospital)
    return got
