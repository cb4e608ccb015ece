"""What the awards page shows, built once per choice and kept (st.cache_resource) so a rerun of the page only
draws (issue 7). Functions defined here, not in the page script, are decorated once per process: a cached function
defined in a page is re-made on every run, and Streamlit re-reads its source to key it (~1 ms each).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from metrics import charts, i18n, pipelines, rules, store, workdays
from pages import _common as ui

# A conflict row carries the red light's marker (a vermillion square) in an image column: a pandas Styler colouring the
# rows cost ~20 ms a run on its own (issue 7).
CONFLICT_MARKER = charts.light_marker("red")


@st.cache_resource(show_spinner=False, max_entries=16)
def year_values(version: int, year: int, path: str = "") -> pd.DataFrame:
    """The year's department values; the year's long values are read, aggregated and dropped (not cached: at a
    region's scale they are 600,000 rows; issue 7)."""
    f = ui._store_frames(path, version)
    with store.opened(path or None) as db:
        mv = store.metric_values(db, month_from=f"{year:04d}-01", month_to=f"{year:04d}-12")
    return pipelines.period_values(mv, f["targets"], f["metric_defs"], "year", str(year))


@st.cache_resource(show_spinner=False, max_entries=16)
def compute(
    version: int, year: int, codes_key: str, today: date, path: str
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(status, conflicts, eligibility) of the chosen departments (``codes_key``: their codes joined by newlines,
    one string hashes faster than 5,000), cached: rerunning the same choice only draws (issue 7). ``today`` is in
    the key: statuses and countdowns are as of today."""
    codes = tuple(codes_key.split("\n")) if codes_key else ()
    f = ui._store_frames(path, version)
    calendar = workdays.Calendar.from_frame(f["calendar_days"])
    status = rules.award_status(f["award_changes"], today, year, list(codes), calendar)
    status = status[status["dept_code"].isin(codes)]
    clash = rules.conflicts(status, f["events"])
    elig = rules.eligibility(
        list(codes), f["events"], status, year_values(version, year, path), year, metric_defs=f["metric_defs"]
    )
    return status, clash, elig


@st.cache_resource(show_spinner=False, max_entries=16)
def status_table(version: int, year: int, codes_key: str, today: date, lang: str, path: str) -> pd.DataFrame:
    """Every chosen department's status, eligibility and reasons as shown, conflicts first — cached per choice and
    language: at a region's scale building the 5,000 rows' texts was most of a rerun (issue 7)."""
    status, clash, elig = compute(version, year, codes_key, today, path)
    f = ui._store_frames(path, version)
    labels = ui._dept_names(path, version)
    names = {m.code: i18n.metric_name(m, lang) for m in f["metric_defs"]}
    conflicted = set(clash["dept_code"])
    # Plain dicts: a .at lookup per department cost 1 s at 5,000 departments (issue 7).
    eligible_of = dict(zip(elig["dept_code"], elig["eligible"], strict=True))
    reasons_of = dict(zip(elig["dept_code"], elig["reasons"], strict=True))
    # Conflicts first, then furthest along the process (awarded … applied), then the other statuses, not applied last.
    rank = {s: i for i, s in enumerate((*rules.AWARD_STEPS[::-1], *rules.AWARD_OTHER))}
    status = status.assign(
        _c=~status["dept_code"].isin(conflicted), _r=status["status"].map(rank).fillna(len(rank))
    ).sort_values(["_c", "_r", "dept_code"])
    award_text = {s: i18n.t("award." + s, lang) for s in status["status"].unique()}
    yes_no = {True: i18n.t("yes", lang), False: i18n.t("no", lang)}
    all_met = i18n.t("aw.eligible_all", lang)
    suffix = "" if lang == i18n.DEFAULT_LANG else f"&lang={lang}"
    return status.assign(
        marker=status["dept_code"].map(lambda c: CONFLICT_MARKER if c in conflicted else None),
        dept_name=status["dept_code"].map(lambda c: labels.get(c, c)),
        status=status["status"].map(award_text),
        changed_on=status["changed_on"].map(lambda d: i18n.fmt_date(d, lang) if isinstance(d, str) and d else "—"),
        eligible=status["dept_code"].map(lambda c: yes_no[bool(eligible_of[c])]),
        reasons=status["dept_code"].map(
            lambda c: "；".join(rules.reason_text(r, lang, names) for r in reasons_of[c]) or all_met
        ),
        trend=[f"trends?dept={c}{suffix}" for c in status["dept_code"]],
    )[["marker", "dept_code", "dept_name", "status", "changed_on", "eligible", "reasons", "trend"]]


@st.cache_resource(show_spinner=False, max_entries=16)
def view(version: int, year: int, codes_key: str, today: date, lang: str, path: str) -> dict:
    """The KPIs, the conflicts, the pipeline figure, the 公示 and rectification tables of one choice, ready to draw
    (cached whole per choice and language, so a rerun only draws; issue 7)."""
    status, clash, _ = compute(version, year, codes_key, today, path)
    labels = ui._dept_names(path, version)
    pipeline = rules.pipeline_counts(status)
    counts = pipeline.set_index("status")["count"]
    rect = status[status["status"] == "rectifying"]
    notice = status[status["status"] == "public_notice"]
    # The years whose adjusted working days are neither entered nor in chinesecalendar, among the notices whose end
    # was counted on the statutory holidays alone (PRODUCT §4.1: the page says they are not yet entered).
    flagged = notice[notice["notice_fallback"].astype(bool)]
    calendar = workdays.Calendar.from_frame(ui._store_frames(path, version)["calendar_days"])
    uncovered = workdays.unadjusted_years(zip(flagged["changed_on"], flagged["notice_end"]), calendar)
    notice_text = {True: i18n.t("aw.notice_over", lang), False: i18n.t("aw.notice_running", lang)}
    return {
        "kpis": (
            int(counts["awarded"]),
            int(sum(counts[s] for s in rules.AWARD_STEPS[1:-1])),
            int(clash["dept_code"].nunique()),
            int(counts["rectifying"]),
        ),
        "clash": clash.assign(
            marker=CONFLICT_MARKER,
            dept_name=clash["dept_code"].map(lambda c: labels.get(c, c)),
            awarded_on=clash["awarded_on"].map(lambda d: i18n.fmt_date(d, lang)),
            event_date=clash["event_date"].map(lambda d: i18n.fmt_date(d, lang)),
        )[["marker", "dept_code", "dept_name", "awarded_on", "event_date", "indicator"]],
        "pipeline": charts.award_pipeline(pipeline, i18n.t("aw.pipeline_title", lang, year=year), lang),
        "notice": notice.assign(
            dept_name=notice["dept_code"].map(lambda c: labels.get(c, c)),
            changed_on=notice["changed_on"].map(lambda d: i18n.fmt_date(d, lang)),
            notice_end=notice["notice_end"].map(lambda d: i18n.fmt_date(d, lang)),
            state=notice["notice_over"].map(lambda over: notice_text[bool(over)]),
        )[["dept_code", "dept_name", "changed_on", "notice_end", "state"]],
        "notice_fallback": uncovered,
        "rect": rect.assign(
            dept_name=rect["dept_code"].map(lambda c: labels.get(c, c)),
            rectify_until=rect["rectify_until"].map(lambda d: i18n.fmt_date(d, lang)),
            reapply_on=rect["reapply_on"].map(lambda d: i18n.fmt_date(d, lang)),
        )[["dept_code", "dept_name", "rectify_until", "days_left", "reapply_on"]],
    }


@st.cache_resource(show_spinner=False, max_entries=8)
def years_on_record(path: str, version: int) -> frozenset[int]:
    return frozenset(ui._store_frames(path, version)["award_changes"]["year"].astype(int).tolist())
