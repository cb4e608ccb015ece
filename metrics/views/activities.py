"""What the 四清活动 page shows (PRODUCT §10, seed 001): the year's activities by brand (counts, then the list with
the departments named and the notice a 清风行动 issued), and coverage — the departments with no 清廉查房 yet that
year.

Choices (``ViewKey.choices``): ``year`` (None = the year of ``today``), ``today`` (the day the running year is
judged on: an activity dated later is not held yet).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from metrics import contract, i18n, store
from metrics.rules import activities as rule
from metrics.rules import programme
from metrics.views import ViewKey, loaded

LIST_COLUMNS = ("held_on", "activity_no", "brand", "title", "departments", "participants", "notice")
# How many departments a row names before "… (n departments)": a 全院 activity names forty.
DEPTS_LISTED = 4


@dataclass(frozen=True)
class ActivitiesView:
    caption: str  # "2026 年 · 截至 2026-12-07 · 共 32 项"
    year: int
    year_options: tuple[int, ...]  # newest first: the years holding an activity and the running one
    none: str | None  # said instead of the counts and the list when the year holds no activity
    counts: pd.DataFrame  # brand (label), n — every brand in the brands' order, zeros included
    count_headers: dict[str, str]
    rows: pd.DataFrame  # LIST_COLUMNS, by date then number (every cell text: a grid never shows "None")
    headers: dict[str, str]
    no_rounds_title: str  # "尚未开展清廉查房的科室（8 个）"
    no_rounds: tuple[str, ...]  # "K11 胸外科", by code
    no_rounds_none: str | None  # "every department had one" when none is left


@loaded.memo(maxsize=8)
def stored(path: str, version: int, hospital: str = "") -> pd.DataFrame:
    """The hospital's activities as of ``version`` (store.activities), read once per data version."""
    with store.opened(path) as db:
        return store.activities(db, hospital=hospital)


def brand_label(brand: str, lang: str) -> str:
    return i18n.t("activities.brand." + brand, lang)


def by_notice(key: ViewKey) -> dict[str, str]:
    """notice_no → "2026-18 清风行动 · 急诊收费…" for every notice an activity issued: the notices register names it."""
    acts = stored(key.store, key.version, key.hospital)
    linked = acts[acts["notice_no"].fillna("") != ""] if not acts.empty else acts
    return {
        r.notice_no: " ".join(
            x
            for x in (str(r.activity_no), brand_label(r.brand, key.lang), "" if pd.isna(r.title) else str(r.title))
            if x
        )
        for r in linked.itertuples()
    }


def _dept_text(codes: str, names: dict[str, str], every: frozenset[str], lang: str) -> str:
    """The departments an activity names, by name: none or every active one is the whole hospital (全院各科室)."""
    cs = [c for c in str(codes or "").split(programme.RESPONSIBLE_JOIN) if c]
    if not cs or (every and every <= set(cs)):
        return i18n.t("activities.whole_hospital", lang)
    shown = "、".join(names.get(c, c) for c in cs[:DEPTS_LISTED])
    return shown if len(cs) <= DEPTS_LISTED else i18n.t("activities.depts_more", lang, shown=shown, n=len(cs))


def build(key: ViewKey) -> ActivitiesView:
    """Everything the page shows for ``key`` (see the module doc for its choices)."""
    f = loaded.frames(key.store, key.version, key.hospital)
    lang = key.lang
    today: date = key.get("today") or f.today
    year = int(key.get("year") or today.year)
    acts = stored(key.store, key.version, key.hospital)
    years = {today.year, year, *(int(str(d)[:4]) for d in acts["held_on"])} if not acts.empty else {today.year, year}
    held = rule.of_year(acts, year, today)
    names = f.dept_names
    n = held["brand"].value_counts() if not held.empty else pd.Series(dtype=int)
    counts = pd.DataFrame(
        {
            "brand": [brand_label(b, lang) for b in contract.ACTIVITY_BRANDS],
            "n": [int(n.get(b, 0)) for b in contract.ACTIVITY_BRANDS],
        }
    )
    notice_state = programme.notice_states(f.notices, today).set_index("notice_no")["state"] if len(f.notices) else {}

    def notice_text(no) -> str:
        if no is None or pd.isna(no) or not str(no):
            return ""
        state = notice_state.get(no) if len(notice_state) else None
        return f"{no}（{i18n.t('notice.state.' + state, lang)}）" if state else str(no)

    d = f.departments
    active = d[(d["active"].fillna(1).astype(int) == 1) & (d["dept_code"] != contract.HOSPITAL_CODE)]
    every = frozenset(active["dept_code"])
    rows = pd.DataFrame(
        {
            "held_on": held["held_on"].map(lambda d: i18n.fmt_date(d, lang)),
            "activity_no": held["activity_no"].astype(str),
            "brand": held["brand"].map(lambda b: brand_label(b, lang)),
            "title": held["title"].fillna("").astype(str),
            "departments": held["departments"].map(lambda c: _dept_text(c, names, every, lang)),
            "participants": held["participants"].map(lambda p: "" if pd.isna(p) else str(int(p))),
            "notice": held["notice_no"].map(notice_text),
        }
    ).reset_index(drop=True)
    missing = rule.without_rounds(acts, f.departments, year, today)
    as_of = min(date(year, 12, 31), today)
    return ActivitiesView(
        caption=i18n.t("activities.caption", lang, year=year, date=i18n.fmt_date(as_of, lang), n=len(held)),
        year=year,
        year_options=tuple(sorted(years, reverse=True)),
        none=i18n.t("activities.none", lang, year=year) if held.empty else None,
        counts=counts,
        count_headers={"brand": i18n.t("activities.col.brand", lang), "n": i18n.t("activities.col.n", lang)},
        rows=rows,
        headers={c: i18n.t("activities.col." + c, lang) for c in LIST_COLUMNS},
        no_rounds_title=i18n.t("activities.no_rounds", lang, year=year, n=len(missing)),
        no_rounds=tuple(f"{c} {nm}" for c, nm in zip(missing["dept_code"], missing["dept_name"], strict=True)),
        no_rounds_none=i18n.t("activities.no_rounds_none", lang, year=year) if missing.empty else None,
    )
