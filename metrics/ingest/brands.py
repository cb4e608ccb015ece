"""The bureau's 亮点 choice (PRODUCT §10 brands): one project marked or unmarked in every hospital that holds it, in
one transaction, through the one write path (``importer.commit_rows``: the validator lets the commission change
this column only, and a hospital editor never)."""

from __future__ import annotations

import os

from metrics import store
from metrics.ingest import importer

ACTION = "brand_highlight"


class _Refused(Exception):
    def __init__(self, report: importer.ImportReport):
        self.report = report


def mark_highlight(
    year: int,
    project_code: str,
    hospitals: tuple[str, ...],
    chosen: bool,
    *,
    user: str | None,
    lang: str = "zh",
    db_path: str | os.PathLike | None = None,
) -> importer.ImportReport | None:
    """Mark (``chosen``) or unmark ``project_code`` of ``year`` as a 亮点项目 in each of ``hospitals``: every row or
    none. Returns the first refused report (nothing written), else the last committed one, else None (unchanged)."""
    last = None
    try:
        with store.opened(db_path) as db, db.atomic():
            for h in hospitals:
                got = store.brand_projects(db, hospital=h, year=int(year))
                got = got[got["project_code"] == project_code]
                if got.empty:
                    continue
                stored = got.iloc[0]
                row = dict(year=int(year), project_code=project_code, category=stored["category"])
                row |= dict(title=stored["title"], highlight=1 if chosen else 0)
                r = importer.commit_rows(
                    "brands",
                    [row],
                    source=store.EDIT_FILE_NAME,
                    user=user,
                    lang=lang,
                    action=ACTION,
                    db=db,
                    hospital=h,
                )
                if r.problems:
                    raise _Refused(r)
                last = r if r.committed else last
    except _Refused as refused:
        return refused.report
    return last
