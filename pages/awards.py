"""清廉科室 Award progress (PRODUCT §2, §4.1, §4.2; issue 3): every department's status this year, eligibility
with reasons, conflicts in red, rectification countdowns and re-apply dates, the 公示 end date.

Filters (award year, category/branch) → load (cached on the data version) → compute (metrics.rules) → show.
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
def _year_values(version: int, year: int, path: str = "") -> pd.DataFrame:
    """The year's department values; the year's long values are read, aggregated and dropped (not cached: at a
    region's scale they are 600,000 rows; issue 7)."""
    f = ui._store_frames(path, version)
    with store.opened(path or None) as db:
        mv = store.metric_values(db, month_from=f"{year:04d}-01", month_to=f"{year:04d}-12")
    return pipelines.period_values(mv, f["targets"], f["metric_defs"], "year", str(year))


@st.cache_resource(show_spinner=False, max_entries=16)
def _compute(
    version: int, year: int, codes_key: str, today: date, path: str
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(status, conflicts, eligibility) of the chosen departments (``codes_key``: their codes joined by newlines,
    one string hashes faster than 5,000), cached: rerunning the same choice only draws (issue 7). ``today`` is in
    the key: statuses and countdowns are as of today."""
    codes = tuple(codes_key.split("\n")) if codes_key else ()
    f = ui._store_frames(path, version)
    status = rules.award_status(f["award_changes"], today, year, list(codes))
    status = status[status["dept_code"].isin(codes)]
    clash = rules.conflicts(status, f["events"])
    elig = rules.eligibility(
        list(codes), f["events"], status, _year_values(version, year, path), year, metric_defs=f["metric_defs"]
    )
    return status, clash, elig


@st.cache_resource(show_spinner=False, max_entries=16)
def _status_table(version: int, year: int, codes_key: str, today: date, lang: str, path: str) -> pd.DataFrame:
    """Every chosen department's status, eligibility and reasons as shown, conflicts first — cached per choice and
    language: at a region's scale building the 5,000 rows' texts was most of a rerun (issue 7)."""
    status, clash, elig = _compute(version, year, codes_key, today, path)
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
def _view(version: int, year: int, codes_key: str, today: date, lang: str, path: str) -> dict:
    """The KPIs, the conflicts, the pipeline figure, the 公示 and rectification tables of one choice, ready to draw
    (cached whole per choice and language, so a rerun only draws; issue 7)."""
    status, clash, _ = _compute(version, year, codes_key, today, path)
    labels = ui._dept_names(path, version)
    pipeline = rules.pipeline_counts(status)
    counts = pipeline.set_index("status")["count"]
    rect = status[status["status"] == "rectifying"]
    notice = status[status["status"] == "public_notice"]
    uncovered = {
        int(str(d)[:4])
        for d in (*notice["notice_end"], *notice["changed_on"])
        if d and not workdays.calendar_covers(int(str(d)[:4]))
    }
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
        "notice_fallback": sorted(uncovered) if notice["notice_fallback"].any() else [],
        "rect": rect.assign(
            dept_name=rect["dept_code"].map(lambda c: labels.get(c, c)),
            rectify_until=rect["rectify_until"].map(lambda d: i18n.fmt_date(d, lang)),
            reapply_on=rect["reapply_on"].map(lambda d: i18n.fmt_date(d, lang)),
        )[["dept_code", "dept_name", "rectify_until", "days_left", "reapply_on"]],
    }


@st.cache_resource(show_spinner=False, max_entries=8)
def _years_on_record(path: str, version: int) -> frozenset[int]:
    return frozenset(ui._store_frames(path, version)["award_changes"]["year"].astype(int).tolist())


# --- filters ------------------------------------------------------------------------------------

lang = ui.lang()
version = ui.data_version()
st.title(ui.t("nav.awards"))
frames = ui.store_frames(version)
departments = frames["departments"]
today = date.today()
on_record = _years_on_record(str(store.db_path()), version)
years = sorted({today.year, *on_record}, reverse=True)
# This year's cycle by default; early in a year before any change for it is recorded, the latest year on record.
default = (
    today.year
    if today.year in on_record or not on_record
    else max((y for y in on_record if y <= today.year + 1), default=max(on_record))
)
c1, _ = st.columns([1, 3])
year = c1.selectbox(ui.t("aw.year"), years, index=years.index(default), key="awards_year")
codes = ui.dept_filter(departments)

# --- compute ------------------------------------------------------------------------------------

path = str(store.db_path())
codes_key = "\n".join(codes)
view = _view(version, year, codes_key, today, lang, path)

# --- show: KPIs and pipeline --------------------------------------------------------------------

k = st.columns(4)
for col, label, value in zip(k, ("awarded", "in_process", "conflicts", "rectifying"), view["kpis"], strict=True):
    col.metric(ui.t(f"aw.kpi.{label}"), value)

st.subheader(ui.t("aw.conflicts_title"))
if view["clash"].empty:
    st.success(ui.t("aw.conflicts_none"))
else:
    clash_headers = {
        "dept_code": ui.t("col.dept_code"),
        "dept_name": ui.t("col.dept_name"),
        "awarded_on": ui.t("col.awarded_on"),
        "event_date": ui.t("col.veto_date"),
        "indicator": ui.t("col.indicator_code"),
    }
    shown = ui.paged(view["clash"], "awards_conflicts_page", clash_headers, file_name=f"award-conflicts-{year}.csv")
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            "marker": st.column_config.ImageColumn("", width=40),
            **{c: st.column_config.TextColumn(h) for c, h in clash_headers.items()},
        },
    )

st.plotly_chart(view["pipeline"], theme=None, width="stretch")

# --- show: public notice and rectification ------------------------------------------------------

left, right = st.columns(2)
with left:
    st.subheader(ui.t("aw.notice_title"))
    if view["notice"].empty:
        st.caption(ui.t("aw.notice_none"))
    else:
        if view["notice_fallback"]:
            st.warning(ui.t("aw.notice_fallback", years="、".join(str(y) for y in view["notice_fallback"])))
        notice_headers = {
            "dept_code": ui.t("col.dept_code"),
            "dept_name": ui.t("col.dept_name"),
            "changed_on": ui.t("col.notice_start"),
            "notice_end": ui.t("col.notice_end"),
            "state": ui.t("col.status"),
        }
        st.dataframe(
            ui.paged(view["notice"], "awards_notice_page", notice_headers, file_name=f"award-notice-{year}.csv"),
            hide_index=True,
            width="stretch",
            column_config={c: st.column_config.TextColumn(h) for c, h in notice_headers.items()},
        )
with right:
    st.subheader(ui.t("aw.rect_title"))
    if view["rect"].empty:
        st.caption(ui.t("aw.rect_none"))
    else:
        st.dataframe(
            view["rect"],
            hide_index=True,
            width="stretch",
            column_config={
                "dept_code": st.column_config.TextColumn(ui.t("col.dept_code")),
                "dept_name": st.column_config.TextColumn(ui.t("col.dept_name")),
                "rectify_until": st.column_config.TextColumn(ui.t("col.rectify_until")),
                "days_left": st.column_config.NumberColumn(ui.t("col.days_left"), format="%d"),
                "reapply_on": st.column_config.TextColumn(ui.t("col.reapply_on")),
            },
        )

# --- show: every department's status, with eligibility and reasons -------------------------------

st.subheader(ui.t("aw.status_title"))
table = _status_table(version, year, codes_key, today, lang, path)
headers = {
    "dept_code": ui.t("col.dept_code"),
    "dept_name": ui.t("col.dept_name"),
    "status": ui.t("col.status"),
    "changed_on": ui.t("col.changed_on"),
    "eligible": ui.t("col.eligible"),
    "reasons": ui.t("col.reasons"),
}
st.caption(ui.t("aw.eligibility_title", year=year))
# A page of rows at a time at a region's scale (issue 7); the download holds all.
table = ui.paged(table, "awards_status_page", headers, file_name=f"awards-{year}.csv")
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    height=min(36 * (len(table) + 1) + 4, 900),
    column_config={
        "marker": st.column_config.ImageColumn("", width=40),
        **{c: st.column_config.TextColumn(h) for c, h in headers.items() if c != "reasons"},
        "reasons": st.column_config.TextColumn(headers["reasons"], width="large"),
        "trend": st.column_config.LinkColumn(ui.t("col.trend"), display_text=ui.t("col.trend") + " ↗"),
    },
)
ui.trend_picker(codes, ui.dept_names(version), "awards")
