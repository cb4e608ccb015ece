"""The briefing's data (PRODUCT §6): the five slides' numbers and every text they show, in the chosen language.

``build`` reads the store once and returns a ``Briefing``; the ``*_text`` / ``*_lines`` functions are the texts the
page, the HTML and the PPTX share. No Streamlit here.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from metrics import clock, contract, i18n, safe, store, theme
from metrics.rules import activities as activity_rules
from metrics.rules import awards, due, periods, programme, spc, workdays
from metrics.rules.targets import resolve_targets

SLIDES = ("kpis", "ranking", "events", "awards", "tasks", "attention")  # PRODUCT §6, in its order
RANKING_LIMIT = 15  # §6: at most 15 departments furthest below target, as horizontal bars
RANKING_METRIC = "patient_satisfaction"  # PRODUCT §1: the satisfaction target is the headline department target
# At most this many rows of a slide table (1280×720, 1920×1080); fewer when long texts wrap (``fit_table``).
FIT_ROWS = {"events": (8, 12), "awards": (8, 12), "tasks": (8, 12), "attention": (8, 12)}
# Severity tiers of the attention list (§6 slide 6): veto or conflict > overdue notice > special cause of concern >
# target missed.
SEVERITY = {"veto": 4, "conflict": 4, "overdue": 3, "concern": 2, "missed": 1}


@dataclass(frozen=True)
class Kpi:
    """One headline figure of the quarter (slide 1)."""

    metric: str
    label: str
    unit: str
    value: float | None
    target: float | None
    direction: str | None
    passed: bool | None
    previous: float | None
    change: float | None
    n_pass: int | None = None  # departments meeting their own target (department metrics only)
    n_depts: int | None = None


@dataclass(frozen=True)
class Table:
    """A slide table as text, the same on screen, in the HTML and in the PPTX: column headings, rows (every cell
    text, data strings without controls), each row's tone ('veto' | 'warning' | 'missed' | 'met' | None) and, when
    rows were left out, one line naming them."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    tones: tuple[str | None, ...]
    rest: str = ""


@dataclass(frozen=True)
class Fit:
    """The space a slide table has on one screen, in CSS px, and how it is set (the page's presentation CSS)."""

    width: float  # the table's width
    budget: float  # the height for the table and its rest line
    font: float  # body cells
    head: float  # heading cells
    line: float = 1.3  # line height
    pad_x: float = 14
    pad_y: float = 6
    rest_font: float = 28  # the rest line under the table


def em_width(text: str) -> float:
    """Width of ``text`` in ems: CJK and full-width characters one em, other characters 0.53 (an estimate erring
    wide for the sans-serif faces of the theme)."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.53 for c in text)


def table_height(t: Table, fit: Fit) -> float:
    """Estimated height in px of ``t`` laid out like a browser's auto table in ``fit.width``: each column as wide
    as its widest cell, the widest column narrowed (and wrapping) when they do not fit, then the rest line."""
    cols = list(zip(t.columns, *t.rows, strict=True))
    natural = [max(em_width(c) for c in col) * fit.font + 2 * fit.pad_x for col in cols]
    widths = list(natural)
    if sum(widths) > fit.width:
        j = max(range(len(widths)), key=widths.__getitem__)
        widths[j] = max(fit.width * 0.3, fit.width - (sum(widths) - widths[j]))

    def lines(text: str, w: float, font: float) -> int:
        return max(1, math.ceil(em_width(text) * font / max(font, w - 2 * fit.pad_x)))

    head = max(lines(c, w, fit.head) for c, w in zip(t.columns, widths, strict=True)) * fit.head * fit.line
    rows = sum(
        max(lines(c, w, fit.font) for c, w in zip(row, widths, strict=True)) * fit.font * fit.line + 2 * fit.pad_y + 1
        for row in t.rows
    )
    rest = lines(t.rest, fit.width, fit.rest_font) * fit.rest_font * 1.35 + 8 if t.rest else 0
    return head + 2 * fit.pad_y + rows + rest


def fit_table(make, b: Briefing, fit: Fit, most: int) -> Table:
    """``make(b, limit)``'s table with as many rows as fit ``fit.budget`` (at most ``most``), the rest in one line."""
    whole = make(b, None)
    for n in range(min(len(whole.rows), most), 0, -1):
        t = whole if n == len(whole.rows) else make(b, n)
        if table_height(t, fit) <= fit.budget:
            return t
    return make(b, 1) if whole.rows else whole


def flow(tables: list[Table], room, heading: float = 0.0) -> list[list[tuple[int, Table]]]:
    """``tables`` (stacked on one slide, each under a heading of height ``heading``) laid out on as many pages as
    they need, no row dropped: each page a list of (table index, the rows of it on that page). ``room(t)`` is the
    share of a page's height ``t`` takes (≤ 1 fits); a table without rows takes its heading and one line.

    PRODUCT §6: a table that does not fit continues on a following slide; the page, the HTML and the PPTX each
    measure their own ``room``."""
    pages: list[list[tuple[int, Table]]] = [[]]
    used = 0.0
    for i, t in enumerate(tables):
        start = 0
        while True:
            left = len(t.rows) - start
            n = left
            while n > 0 and used + heading + room(_part(t, start, n)) > 1.0:
                n -= 1
            if left == 0:
                cost = heading + room(Table(t.columns, (), ()))
                if used + cost > 1.0 and pages[-1]:
                    pages.append([])
                    used = 0.0
                pages[-1].append((i, _part(t, 0, 0)))
                used += cost
                break
            if n == 0:
                if pages[-1]:  # the next page
                    pages.append([])
                    used = 0.0
                    continue
                n = 1  # a row taller than a whole page still shows, on its own
            pages[-1].append((i, _part(t, start, n)))
            used += heading + room(_part(t, start, n))
            start += n
            if start >= len(t.rows):
                break
            pages.append([])
            used = 0.0
    return [p for p in pages if p] or [[]]


def _part(t: Table, start: int, n: int) -> Table:
    return Table(t.columns, t.rows[start : start + n], t.tones[start : start + n])


def page_title(title: str, page: int, pages: int, lang: str) -> str:
    """A slide's title, with '（2/3）' when its table continues over several slides."""
    return title if pages <= 1 else i18n.t("brief.page_fmt", lang, title=title, i=page, n=pages)


@dataclass(frozen=True)
class Briefing:
    """Everything the six slides show for one quarter, labels in ``lang``."""

    quarter: str
    previous: str
    lang: str
    title: str
    kpis: tuple[Kpi, ...]
    vetoes: int
    warnings: int
    vetoes_prev: int
    warnings_prev: int
    awarded: int
    ranking: pd.DataFrame = field(repr=False)  # dept_code, dept_name, value, target, passed, gap (worst first)
    events: pd.DataFrame = field(repr=False)  # one row per confirmed event: event_date, dept_code, dept_name, kind,
    #                                           indicator, indicator_label (vetoes first, then by date)
    pipeline: pd.DataFrame = field(repr=False)  # status, label, count (process order)
    conflicts: pd.DataFrame = field(repr=False)  # dept_code, dept_name, awarded_on, event_date, indicator
    attention: pd.DataFrame = field(repr=False)  # dept_code, dept_name, severity, reasons (worst first)
    ranking_more: int = 0  # departments below target left out of the ranking (beyond RANKING_LIMIT)
    ranked: int = 0  # departments with a value of the ranking metric this quarter
    below: int = 0  # … of which below their target
    months_held: tuple[str, ...] = ()  # the quarter's months holding data
    demo: bool = False  # the store holds the demo data: every output carries a watermark
    notices_running: pd.DataFrame = field(default=None, repr=False)  # dept_code, dept_name, notice_end (公示中)
    rectifying: pd.DataFrame = field(default=None, repr=False)  # dept_code, dept_name, rectify_until, overdue
    tasks: pd.DataFrame = field(default=None, repr=False)  # §8 tasks overdue or due this quarter (task_states)
    notices: pd.DataFrame = field(default=None, repr=False)  # §8 notices not closed (notice_states)
    hospital: str = ""  # a group store: the hospital's name in ``lang`` (data: escape it); '' in a one-hospital store
    today: date | None = None  # the day the briefing was made on (a past quarter is judged at its last day)
    as_of: date | None = None  # the day it is judged on: the quarter's last day, or ``today`` while it runs
    # PRODUCT §10: the departments with no 清廉查房 yet in as_of's year (names), for a hospital that records activities
    no_rounds: tuple[str, ...] = ()
    # PRODUCT §10: the hospital's person and post units with their status in the quarter's year (awards.unit_status
    # as of as_of) — counted per type on slide 4; people are never named there, only their 工号. Empty: none recorded.
    units: pd.DataFrame = field(default=None, repr=False)
    # dept_name, unit_code, indicator, event_date: the 清廉医护 titles a confirmed veto voided (slide 4's red rows)
    voided: pd.DataFrame = field(default=None, repr=False)

    def t(self, key: str, **fmt) -> str:
        return i18n.t(key, self.lang, **fmt)

    def on_slide(self, sub: str) -> str:
        """The line under the title of slides 2–6: in a group store it starts with the hospital's name (slide 1's
        title names it), so the projector audience knows whose numbers every slide shows; else ``sub`` as it is."""
        if not self.hospital:
            return sub
        return self.t("brief.sub_hospital", hospital=self.hospital, sub=sub) if sub else self.hospital

    @property
    def partial(self) -> bool:
        """Whether the quarter holds fewer than its three months (a quarter still running)."""
        return len(self.months_held) < 3

    @property
    def period_label(self) -> str:
        """'2026年第4季度' or, for a running quarter, '2026年第4季度（进行中，含10月、11月）'."""
        return period_label(self.quarter, self.months_held, self.lang, self.today)

    def ranking_sub(self) -> str:
        """The ranking slide's subtitle: how many departments are below target and how many of them are shown."""
        if not self.ranked:
            return self.t("brief.ranking_none")
        sub = self.t("brief.ranking_below", below=self.below, total=self.ranked)
        if self.ranking_more:
            sub += self.t("brief.ranking_shown", shown=len(self.ranking), n=self.ranking_more)
        return sub


def quarter_label(quarter: str, lang: str = i18n.DEFAULT_LANG) -> str:
    """'2026-Q3' as 2026年第3季度 (zh) or Q3 2026 (en)."""
    return i18n.t("brief.quarter_fmt", lang, year=quarter[:4], q=quarter[-1])


def period_label(
    quarter: str, months_held: Iterable[str], lang: str = i18n.DEFAULT_LANG, today: date | None = None
) -> str:
    """The quarter's label as every page names it (periods.period_label: one period logic), partial
    with the months it holds when it holds fewer than three ("running" when ``today`` falls in it)."""
    return periods.period_label(quarter, months_held, lang, today)


def available_quarters(db, hospital: str = "") -> list[str]:
    """Quarters holding any metric value of ``hospital``, newest first."""
    first, last = store.month_range(db, hospital)
    return periods.periods_between(first, last, "quarter")[::-1]


def default_quarter(db, hospital: str = "") -> str | None:
    """The quarter every page opens on (periods.default_period): the newest with data in each of its three
    months, else the newest with any."""
    return periods.default_period(store.months_with_data(db, hospital), "quarter")


TASK_COLUMNS = ["task_code", "title", "category", "lead_dept", "responsible", "due_on", "status", "progress",
                "updated_on", "metric"]  # fmt: skip
NOTICE_COLUMNS = ["notice_no", "notice_type", "dept_code", "issued_on", "due_on", "issue", "event_id", "status",
                  "closed_on"]  # fmt: skip


def programme_frames(db, hospital: str = "") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(tasks, notices) of PRODUCT §8 in their contract columns — the data slot of slide 5.

    A store without tasks or notices gives empty frames and the slide says they are not yet entered."""
    return store.tasks(db, hospital)[TASK_COLUMNS], store.notices(db, hospital)[NOTICE_COLUMNS]


def _hospital_name(db, lang: str, hospital: str) -> str:
    """The hospital's name in ``lang`` (its code when the list has none), controls stripped; '' for ''."""
    if not hospital:
        return ""
    h = store.hospitals(db).set_index("hospital_code")
    name = hospital
    if hospital in h.index:
        zh, en = h.at[hospital, "name_zh"], h.at[hospital, "name_en"]
        name = str((en or zh) if lang == "en" else zh)
    return safe.strip_controls(name)


def _title(quarter: str, held: tuple[str, ...], lang: str, name: str, today: date | None = None) -> str:
    """The briefing's title: in a group store it names the hospital (the projector audience must know whose numbers
    they see), a one-hospital store's is as before."""
    label = period_label(quarter, held, lang, today)
    if not name:
        return i18n.t("brief.title", lang, quarter=label)
    return i18n.t("brief.title_hospital", lang, hospital=name, quarter=label)


def build(db, quarter: str, lang: str = i18n.DEFAULT_LANG, hospital: str = "", today: date | None = None) -> Briefing:
    """The briefing of hospital ``hospital`` for ``quarter`` ('YYYY-Qn') read from the open store ``db``.

    ``today``: the caller's date (the page's, a test's fixed day; None only at the command line: the machine's). A
    past quarter is judged at its last day, a running one on ``today`` (PRODUCT §6)."""
    today = today or clock.today()
    prev = periods.previous_period(quarter)
    q_last = periods.last_month(quarter)
    defs = store.metric_defs(db)
    targets = store.targets(db, hospital)
    depts = store.departments(db, hospital=hospital)
    # every label from data without bidi / zero-width controls: a trailing U+202E mirrors the rest of a line
    names = dict(zip(depts["dept_code"], map(safe.strip_controls, depts["dept_name"]), strict=False))
    mv = store.metric_values(db, month_from=periods.months_of(prev)[0], month_to=q_last, hospital=hospital)
    held = tuple(m for m in periods.months_of(quarter) if m in set(store.months_with_data(db, hospital)))
    values = periods.period_values(mv, targets, defs, "quarter", [prev, quarter])
    hosp = periods.with_changes(periods.hospital_values(values, targets, defs))
    quarter_end = _month_end(q_last)
    # judged on the quarter's last day, or today while it runs (PRODUCT §6): the notices issued by then, as they
    # stood then; an overdue one is an automatic W03 warning (§4.3, §8) in the quarter's events, lights, attention
    as_of = min(date.fromisoformat(quarter_end), today)
    events = programme.events_with_notices(
        store.events(db, date_from=f"{periods.months_of(prev)[0]}-01", date_to=as_of.isoformat(), hospital=hospital),
        programme.notices_as_of(store.notices(db, hospital), as_of),
        as_of,
        _talks_from(store.talks(db, hospital), f"{periods.months_of(prev)[0]}-01"),
    )
    counts = periods.event_counts(events, "quarter", [prev, quarter])
    status = awards.award_status(
        store.award_changes(db, hospital=hospital), as_of, int(quarter[:4]), depts["dept_code"]
    )
    all_events = store.events(db, date_to=as_of.isoformat(), hospital=hospital)
    conflicts = awards.conflicts(status, all_events).assign(dept_name=lambda d: d["dept_code"].map(names))
    overdue = _overdue_rectifications(status)
    tasks, notices = _programme(db, as_of, names, hospital)
    # the same 36-month SPC window as the trends page and the icon matrix, so the lists agree
    concerns = _concerns(
        store.metric_value_chunks(db, month_from=spc.window_start(q_last), month_to=q_last, hospital=hospital),
        targets,
        defs,
    )
    cur_values = values[values["period"] == quarter]
    ranked = cur_values[(cur_values["metric"] == RANKING_METRIC) & (cur_values["dept_code"] != contract.HOSPITAL_CODE)]
    below = int((ranked["passed"] == False).sum())  # noqa: E712
    name = _hospital_name(db, lang, hospital)
    no_rounds = _no_rounds(store.activities(db, hospital), depts, as_of, names)
    units = awards.unit_status(
        store.award_units(db, hospital), store.unit_award_changes(db, hospital), all_events, as_of, int(quarter[:4])
    )
    return Briefing(
        quarter=quarter,
        previous=prev,
        lang=lang,
        # a quarter not all of whose months hold data says so, with the months it holds
        title=_title(quarter, held, lang, name, today),
        kpis=_kpis(hosp[hosp["period"] == quarter], defs, lang),
        vetoes=_count(counts, quarter, "veto"),
        warnings=_count(counts, quarter, "warning"),
        vetoes_prev=_count(counts, prev, "veto"),
        warnings_prev=_count(counts, prev, "warning"),
        awarded=int((status["status"] == "awarded").sum()),
        ranking=_ranking(ranked, names),
        ranking_more=max(0, below - RANKING_LIMIT),
        ranked=len(ranked),
        below=below,
        events=_event_rows(events, quarter, names, _indicator_labels(store.indicator_catalogue(db), lang)),
        pipeline=_pipeline(status, lang),
        conflicts=conflicts,
        attention=_attention(
            cur_values, counts[counts["period"] == quarter], conflicts, overdue, notices, concerns, names, defs, lang
        ),
        months_held=held,
        demo=store.get_meta(db, "demo") == "1",
        notices_running=_running_notices(status, names),
        rectifying=_rectifying(status, names),
        tasks=tasks,
        notices=notices,
        hospital=name,
        today=today,
        as_of=as_of,
        no_rounds=no_rounds,
        units=units,
        voided=_voided(units, all_events, names),
    )


def _voided(units: pd.DataFrame, events: pd.DataFrame, names: dict) -> pd.DataFrame:
    """The person units whose title a confirmed veto voided, with the veto's indicator and date, earliest first."""
    cols = ["dept_name", "unit_code", "indicator", "event_date"]
    hit = units[units["voided_by"].notna()]
    if hit.empty:
        return pd.DataFrame(columns=cols)
    ev = events[["event_id", "indicator", "event_date"]].drop_duplicates("event_id")
    m = hit.merge(ev, left_on="voided_by", right_on="event_id", how="left")
    m = m.assign(dept_name=m["dept_code"].map(names).fillna(m["dept_code"]).map(safe.strip_controls))
    return m.sort_values(["event_date", "unit_code"])[cols].reset_index(drop=True)


def _no_rounds(acts: pd.DataFrame, depts: pd.DataFrame, as_of: date, names: dict) -> tuple[str, ...]:
    """The names of the departments no 清廉查房 reached in ``as_of``'s year by then; none for a hospital that has
    recorded no activity by then (it keeps no such record: judged as before, PRODUCT §10)."""
    if acts.empty or not (acts["held_on"].astype(str) <= as_of.isoformat()).any():
        return ()
    missing = activity_rules.without_rounds(acts, depts, as_of.year, as_of)
    return tuple(names.get(c, c) for c in missing["dept_code"])


def _programme(db, as_of: date, names: dict, hospital: str = "") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Slide 5's rows: tasks overdue or due in ``as_of``'s quarter (most overdue first, by lead department), and
    notices not yet closed (overdue first), each with its department's name."""
    tasks, notices = programme_frames(db, hospital)
    tasks, notices = programme.tasks_as_of(tasks, as_of), programme.notices_as_of(notices, as_of)
    t = programme.task_states(tasks, as_of)
    t = t[t["state"].isin(("overdue", "due_quarter"))]
    t = t.assign(lead_name=t["lead_dept"].map(names).fillna(t["lead_dept"]).map(safe.strip_controls))
    t = t.sort_values(["lead_dept", "due_on"], kind="stable").reset_index(drop=True)
    # 预警 (PRODUCT §11): an open item past half its working days is marked due soon on the slide as on the pages
    soon_t, soon_n = due.due_soon_keys(tasks, notices, as_of, workdays.Calendar.from_frame(store.calendar_days(db)))
    t = t.assign(due_soon=t["task_code"].isin(soon_t) & (t["state"] != "overdue"))
    n = programme.notice_states(notices, as_of)
    n = n[n["state"] != "closed"]
    n = n.assign(due_soon=n["notice_no"].isin(soon_n) & (n["state"] != "overdue"))
    n = n.assign(dept_name=n["dept_code"].map(names).fillna(n["dept_code"]).map(safe.strip_controls))
    n = n.assign(_late=n["state"] != "overdue").sort_values(["_late", "due_on"], kind="stable").drop(columns="_late")
    return t, n.reset_index(drop=True)


def _running_notices(status: pd.DataFrame, names: dict) -> pd.DataFrame:
    """Departments in 公示中 (public notice) with the notice's last day, soonest first."""
    r = status[status["status"] == "public_notice"]
    r = r.assign(dept_name=r["dept_code"].map(names).fillna(r["dept_code"]), notice_end=r["notice_end"].astype(str))
    return r.sort_values(["notice_end", "dept_code"])[["dept_code", "dept_name", "notice_end"]].reset_index(drop=True)


def _rectifying(status: pd.DataFrame, names: dict) -> pd.DataFrame:
    """Departments in 整改中 with the rectification's end date, overdue first then soonest first."""
    r = status[status["status"] == "rectifying"]
    r = r.assign(
        dept_name=r["dept_code"].map(names).fillna(r["dept_code"]),
        overdue=r["days_left"].fillna(0) < 0,
    )
    r = r.sort_values(["overdue", "rectify_until", "dept_code"], ascending=[False, True, True])
    return r[["dept_code", "dept_name", "rectify_until", "overdue"]].reset_index(drop=True)


def _month_end(month: str) -> str:
    y, m = int(month[:4]), int(month[5:7])
    nxt = date(y + m // 12, m % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1).isoformat()


def _count(counts: pd.DataFrame, period: str, kind: str) -> int:
    return int(counts.loc[(counts["period"] == period) & (counts["kind"] == kind), "count"].sum())


def _kpis(hosp: pd.DataFrame, defs: list[contract.Metric], lang: str) -> tuple[Kpi, ...]:
    out = []
    by_code = {m.code: m for m in defs}
    for row in hosp.to_dict("records"):
        m = by_code.get(row["metric"])
        if m is None or pd.isna(row["target"]):
            continue
        dept_scope = m.scope != "hospital"
        out.append(
            Kpi(
                metric=m.code,
                label=_metric_label(m, lang),
                unit=m.unit_en if lang == "en" else m.unit_zh,
                value=_f(row["value"]),
                target=_f(row["target"]),
                direction=row["direction"],
                passed=None if pd.isna(row["passed"]) else bool(row["passed"]),
                previous=_f(row["prev_value"]),
                change=_f(row["delta_prev"]),
                n_pass=int(row["n_pass"]) if dept_scope else None,
                n_depts=int(row["n_depts"]) if dept_scope else None,
            )
        )
    return tuple(sorted(out, key=lambda k: by_code[k.metric].sort))


def _f(x) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


def _ranking(ranked: pd.DataFrame, names: dict) -> pd.DataFrame:
    """The departments below their target, furthest below first (the gap in the metric's own direction), at most
    RANKING_LIMIT (PRODUCT §6: a slide of 15 horizontal bars stays legible from the back row)."""
    r = ranked[ranked["passed"] == False]  # noqa: E712
    gap = (r["target"] - r["value"]).where(r["direction"] == ">=", r["value"] - r["target"])
    r = r.assign(gap=gap).sort_values(["gap", "dept_code"], ascending=[False, True]).iloc[:RANKING_LIMIT]
    return r.assign(dept_name=r["dept_code"].map(names).fillna(r["dept_code"]))[
        ["dept_code", "dept_name", "value", "target", "direction", "passed", "gap"]
    ].reset_index(drop=True)


def _indicator_labels(catalogue: pd.DataFrame, lang: str) -> dict[str, str]:
    """code → 'V04 name' from the store's indicator catalogue (the only runtime catalogue: edits show; 11.9)."""
    col = "name_en" if lang == "en" else "name_zh"
    return {c: safe.strip_controls(f"{c} {n}") for c, n in zip(catalogue["code"], catalogue[col], strict=True)}


def _metric_label(m: contract.Metric, lang: str) -> str:
    return safe.strip_controls(i18n.metric_name(m, lang))


def _event_rows(events: pd.DataFrame, quarter: str, names: dict, labels: dict[str, str]) -> pd.DataFrame:
    """The quarter's confirmed events one by one, vetoes first then by date: the indicator by its full catalogue text."""
    cols = ["event_date", "dept_code", "dept_name", "kind", "indicator", "indicator_label"]
    ev = periods.confirmed(events)
    ev = ev[ev["event_date"].astype(str).str[:7].isin(periods.months_of(quarter))]
    if ev.empty:
        return pd.DataFrame(columns=cols)
    return (
        ev.assign(
            dept_name=ev["dept_code"].map(names).fillna(ev["dept_code"]),
            indicator_label=ev["indicator"].map(lambda c: labels.get(c, c)),
            _k=ev["kind"].map({"veto": 0, "warning": 1}).fillna(2),
        )
        .sort_values(["_k", "event_date", "dept_code"])[cols]
        .reset_index(drop=True)
    )


def _pipeline(status: pd.DataFrame, lang: str) -> pd.DataFrame:
    counts = awards.pipeline_counts(status)
    return counts.assign(label=counts["status"].map(lambda c: i18n.t(f"award.{c}", lang)))[["status", "label", "count"]]


def _overdue_rectifications(status: pd.DataFrame) -> pd.DataFrame:
    """Departments still 整改中 whose rectification deadline has passed: dept_code, rectify_until."""
    late = status[(status["status"] == "rectifying") & (status["days_left"].fillna(0) < 0)]
    return late[["dept_code", "rectify_until"]].reset_index(drop=True)


def _concerns(chunks: Iterable[pd.DataFrame], targets: pd.DataFrame, defs: list[contract.Metric]) -> pd.DataFrame:
    """(dept_code, metric) series whose last point (the quarter's last month) is a concerning special cause.

    ``chunks``: metric values a group of departments at a time (store.metric_value_chunks), each series whole, so
    the whole history is never in memory at once.
    """
    parts = []
    for mv in chunks:
        mv = mv[mv["dept_code"] != contract.HOSPITAL_CODE]
        if mv.empty:
            continue
        matrix = spc.icon_matrix(mv, resolve_targets(targets, mv), defs)
        parts.append(matrix[matrix["variation"] == spc.CONCERN][["dept_code", "metric"]])
    if not parts:
        return pd.DataFrame(columns=["dept_code", "metric"])
    return pd.concat(parts, ignore_index=True)


def _attention(
    values: pd.DataFrame,
    counts: pd.DataFrame,
    conflicts: pd.DataFrame,
    overdue: pd.DataFrame,
    notices: pd.DataFrame,
    concerns: pd.DataFrame,
    names: dict,
    defs: list[contract.Metric],
    lang: str,
) -> pd.DataFrame:
    """One row per department needing attention, worst first (SEVERITY: veto or conflict > overdue notice > special
    cause of concern > target missed; then more reasons first, then the code), with its reasons in ``lang``."""
    by_code = {m.code: m for m in defs}
    reasons: dict[str, list[tuple[int, str]]] = {}

    def add(code: str, kind: str, text: str) -> None:
        reasons.setdefault(code, []).append((SEVERITY[kind], text))

    for r in conflicts.to_dict("records"):
        add(
            r["dept_code"], "conflict", i18n.t("brief.reason.conflict", lang, date=i18n.fmt_date(r["event_date"], lang))
        )
    for r in counts[counts["kind"] == "veto"].to_dict("records"):
        add(r["dept_code"], "veto", i18n.t("brief.reason.veto", lang, indicator=r["indicator"], n=int(r["count"])))
    for r in counts[counts["indicator"] == programme.OVERDUE_NOTICE_INDICATOR].to_dict("records"):
        add(r["dept_code"], "overdue", i18n.t("brief.reason.w03", lang, n=int(r["count"])))
    for r in notices[notices["state"] == "overdue"].to_dict("records"):
        add(r["dept_code"], "overdue", i18n.t("brief.reason.notice", lang, no=safe.strip_controls(str(r["notice_no"])),
                                              date=i18n.fmt_date(r["due_on"], lang)))  # fmt: skip
    for r in overdue.to_dict("records"):
        add(
            r["dept_code"],
            "overdue",
            i18n.t("brief.reason.overdue", lang, date=i18n.fmt_date(r["rectify_until"], lang)),
        )
    for r in concerns.to_dict("records"):
        m = by_code.get(r["metric"])
        add(
            r["dept_code"],
            "concern",
            i18n.t("brief.reason.spc", lang, metric=_metric_label(m, lang) if m else r["metric"]),
        )
    missed = values[(values["passed"] == False) & (values["dept_code"] != contract.HOSPITAL_CODE)]  # noqa: E712
    for r in missed.to_dict("records"):
        m = by_code.get(r["metric"])
        add(
            r["dept_code"],
            "missed",
            i18n.t(
                "brief.reason.missed",
                lang,
                metric=_metric_label(m, lang) if m else r["metric"],
                value=_miss_text(r["value"], r["target"], lang),
                op="≥" if r["direction"] == ">=" else "≤",
                target=i18n.fmt_number(r["target"], lang, 0 if float(r["target"]).is_integer() else 1),
            ),
        )
    rows = [
        dict(
            dept_code=code,
            dept_name=names.get(code, code),
            severity=max(w for w, _ in rs),
            n=len(rs),
            reasons=i18n.t("brief.reason.sep", lang).join(t for _, t in sorted(rs, key=lambda x: -x[0])),
        )
        for code, rs in reasons.items()
    ]
    if not rows:
        return pd.DataFrame(columns=["dept_code", "dept_name", "severity", "reasons"])
    out = pd.DataFrame(rows).sort_values(["severity", "n", "dept_code"], ascending=[False, False, True])
    return out[["dept_code", "dept_name", "severity", "reasons"]].reset_index(drop=True)


def _miss_text(value: float, target: float, lang: str) -> str:
    """A missed value with enough decimals that it never reads as equal to its target (89.97 → 89.97, not 90.0)."""
    one = i18n.fmt_number(value, lang, 1)
    return one if round(float(value), 1) != float(target) else i18n.fmt_number(value, lang, 2)


# ---------------------------------------------------------------------------------------------
# Text shared by the page, the HTML and the PPTX
# ---------------------------------------------------------------------------------------------


def kpi_value_text(k: Kpi, lang: str) -> str:
    """'93.1 分' — the quarter's figure with its unit."""
    return f"{i18n.fmt_number(k.value, lang)} {k.unit}".strip()


def kpi_target_text(k: Kpi, lang: str) -> str:
    """'目标 ≥ 90 · ✓ 达标' — the target, its direction and whether it is met (a mark beside the word)."""
    op = "≥" if k.direction == ">=" else "≤"
    verdict = {True: "brief.verdict.met", False: "brief.verdict.missed", None: "brief.no_data"}[k.passed]
    return (
        i18n.t("brief.target_fmt", lang, op=op, target=i18n.fmt_number(k.target, lang, 0))
        + " · "
        + i18n.t(verdict, lang)
    )


def kpi_change_text(k: Kpi, lang: str) -> str:
    """'较上季度 +0.4', '+0.03' (or '—' without a previous quarter): rounded to 2 decimals as the overview's delta
    shows it, so the two pages never disagree (+0.0 here beside +0.03 there)."""
    if k.change is None:
        return i18n.t("brief.change_fmt", lang, change="—")
    return i18n.t("brief.change_fmt", lang, change=f"{round(float(k.change), 2):+}")


def kpi_depts_text(k: Kpi, lang: str) -> str | None:
    """'达标科室 31 / 40' for department metrics."""
    if k.n_depts is None:
        return None
    return i18n.t("brief.depts_meeting", lang, n=k.n_pass, total=k.n_depts)


# ---------------------------------------------------------------------------------------------
# Slide tables: the same rows on screen, in the HTML and in the PPTX
# ---------------------------------------------------------------------------------------------

_KIND_MARK = {"veto": theme.MARK_VETO, "warning": theme.MARK_WARN}
_SEVERITY_MARK = {4: theme.MARK_VETO, 3: theme.MARK_WARN, 2: theme.MARK_CONCERN, 1: theme.MARK_MISSED}
_SEVERITY_TONE = {4: "veto", 3: "warning", 2: "warning", 1: "missed"}


def _cut(rows: list, tones: list, limit: int | None, rest) -> tuple[tuple, tuple, str]:
    """At most ``limit`` rows (None: all); the ones left out named by ``rest(left_out_rows)`` in one line."""
    if limit is None or len(rows) <= limit:
        return tuple(rows), tuple(tones), ""
    return tuple(rows[: limit - 1]), tuple(tones[: limit - 1]), rest(rows[limit - 1 :])


def _names_line(b: Briefing, key: str, names: list[str]) -> str:
    unique = list(dict.fromkeys(names))
    return b.t(key, n=len(unique), names=b.t("brief.list_sep").join(unique))


def events_table(b: Briefing, limit: int | None = None) -> Table:
    """Slide 3: kind (mark and word), department, the indicator's full catalogue text, date."""
    rows, tones = [], []
    for r in b.events.to_dict("records"):
        kind = str(r["kind"])
        rows.append(
            (
                f"{_KIND_MARK.get(kind, '')} {b.t('event.kind.' + kind)}".strip(),
                str(r["dept_name"]),
                str(r["indicator_label"]),
                i18n.fmt_date(r["event_date"], b.lang),
            )
        )
        tones.append(kind if kind in _KIND_MARK else None)
    rows, tones, rest = _cut(rows, tones, limit, lambda left: b.t("brief.events_rest", n=len(left)))
    cols = (b.t("brief.col.kind"), b.t("brief.col.dept"), b.t("brief.col.indicator"), b.t("brief.col.date"))
    return Table(cols, rows, tones, rest)


def awards_table(b: Briefing, limit: int | None = None) -> Table:
    """Slide 4's list: conflicts (red), notices running (公示中 with their end dates), rectifications with their end
    dates (overdue first)."""
    rows, tones = [], []
    for r in b.conflicts.to_dict("records"):
        what = b.t("brief.award.conflict", indicator=r["indicator"], awarded=i18n.fmt_date(r["awarded_on"], b.lang))
        rows.append((str(r["dept_name"]), f"{theme.MARK_VETO} {what}", i18n.fmt_date(r["event_date"], b.lang)))
        tones.append("veto")
    for r in (b.voided if b.voided is not None else pd.DataFrame()).to_dict("records"):
        what = b.t("brief.award.voided", code=safe.strip_controls(str(r["unit_code"])), indicator=r["indicator"])
        rows.append((str(r["dept_name"]), f"{theme.MARK_VETO} {what}", i18n.fmt_date(r["event_date"], b.lang)))
        tones.append("veto")
    for r in b.notices_running.to_dict("records"):
        rows.append((str(r["dept_name"]), b.t("brief.award.notice"), b.t("brief.award.until",
                     date=i18n.fmt_date(r["notice_end"], b.lang))))  # fmt: skip
        tones.append(None)
    for r in b.rectifying.to_dict("records"):
        late = bool(r["overdue"])
        what = f"{theme.MARK_WARN} {b.t('brief.award.rectify_late')}" if late else b.t("brief.award.rectify")
        rows.append(
            (str(r["dept_name"]), what, b.t("brief.award.until", date=i18n.fmt_date(r["rectify_until"], b.lang)))
        )
        tones.append("warning" if late else None)
    rows, tones, rest = _cut(rows, tones, limit, lambda left: _names_line(b, "brief.rest_fmt", [x[0] for x in left]))
    return Table((b.t("brief.col.dept"), b.t("brief.col.status"), b.t("brief.col.date")), rows, tones, rest)


# Slide 4's count per unit type (PRODUCT §4.1, §10): each count the statuses it sums, in this order. One text column
# of the counts not zero: a column per status ran off a 1280×720 projector's table.
UNIT_COLUMNS = ("unit", "counts")
UNIT_COUNTS = {
    "awarded": ("awarded",),
    "in_process": awards.AWARD_STEPS[1:-1],
    "rectifying": ("rectifying",),
    "rejected": ("rejected",),
    "revoked": ("revoked",),  # a person's title a veto voided is revoked too
}


def units_table(b: Briefing, limit: int | None = None) -> Table:
    """Slide 4: each award unit type (清廉科室, 清廉医护, 清廉示范岗) and how many of its units stand at each status in the
    quarter's year ("已授牌 6 · 创建中 5"); no row when the hospital records no person or post unit (its slide as
    before)."""
    cols = tuple(b.t(f"brief.units.col.{c}") for c in UNIT_COLUMNS)
    if b.units is None or b.units.empty:
        return Table(cols, (), ())
    counts = {"dept": b.pipeline.set_index("status")["count"].to_dict()}
    for kind in contract.UNIT_TYPES:
        counts[kind] = b.units[b.units["unit_type"] == kind].groupby("status").size().to_dict()
    rows = []
    for kind, c in counts.items():
        label = b.t("brief.units.dept") if kind == "dept" else b.t(f"brief.units.type.{kind}")
        n = {k: int(sum(c.get(s, 0) for s in statuses)) for k, statuses in UNIT_COUNTS.items()}
        text = " · ".join(b.t(f"brief.units.n.{k}", n=v) for k, v in n.items() if v)
        rows.append((label, text or "—"))
    return Table(cols, tuple(rows), (None,) * len(rows))


def _overdue_state(b: Briefing, r: dict, mark: str, late_key: str, open_key: str) -> tuple[str, bool]:
    """A task's or notice's status cell ("<mark> overdue n days" or the open sentence) and whether it is overdue."""
    if r["state"] == "overdue":
        return f"{mark} " + b.t(late_key, n=int(r["days_overdue"])), True
    if r.get("due_soon"):
        return f"{theme.MARK_WARN} " + b.t("brief.due_soon"), False
    return b.t(open_key), False


def tasks_table(b: Briefing, limit: int | None = None) -> Table:
    """Slide 5: key tasks overdue or due this quarter, by lead department (PRODUCT §8)."""
    rows, tones = [], []
    for r in b.tasks.to_dict("records"):
        state, late = _overdue_state(b, r, theme.MARK_VETO, "brief.task.overdue", "brief.task.due_quarter")
        rows.append(
            (str(r["lead_name"]), safe.strip_controls(str(r["title"])), i18n.fmt_date(r["due_on"], b.lang), state)
        )
        tones.append("veto" if late else ("warning" if r.get("due_soon") else None))
    rows, tones, rest = _cut(rows, tones, limit, lambda left: b.t("brief.tasks_rest", n=len(left)))
    cols = (b.t("brief.col.lead"), b.t("brief.col.task"), b.t("brief.col.due"), b.t("brief.col.status"))
    return Table(cols, rows, tones, rest)


def notices_table(b: Briefing, limit: int | None = None) -> Table:
    """Slide 5: rectification notices not yet closed, overdue first (PRODUCT §8)."""
    rows, tones = [], []
    for r in b.notices.to_dict("records"):
        state, late = _overdue_state(b, r, theme.MARK_WARN, "brief.notice.overdue", "brief.notice.open")
        rows.append(
            (safe.strip_controls(str(r["notice_no"])), str(r["dept_name"]), i18n.fmt_date(r["due_on"], b.lang), state)
        )
        tones.append("warning" if late else None)
    rows, tones, rest = _cut(rows, tones, limit, lambda left: b.t("brief.notices_rest", n=len(left)))
    cols = (b.t("brief.col.notice"), b.t("brief.col.dept"), b.t("brief.col.due"), b.t("brief.col.status"))
    return Table(cols, rows, tones, rest)


def attention_table(b: Briefing, limit: int | None = None) -> Table:
    """Slide 6: departments ranked by severity, a mark for the worst reason, then the reasons; beyond ``limit``
    the rest by name in one line ('另有 N 个科室：…')."""
    rows, tones = [], []
    for r in b.attention.to_dict("records"):
        sev = int(r["severity"])
        rows.append((_SEVERITY_MARK[sev], str(r["dept_name"]), str(r["reasons"])))
        tones.append(_SEVERITY_TONE[sev])
    # the departments no 清廉查房 reached this year (PRODUCT §10): one last row, always on the slide, the cut made
    # among the departments above it
    cover = _rounds_row(b)
    keep = limit if limit is None or cover is None else limit - 1

    def rest_of(left: list) -> str:
        return _names_line(b, "brief.rest_fmt", [x[1] for x in left])

    if keep is not None and keep <= 0:
        rows, tones, rest = (), (), rest_of(rows) if rows else ""
    else:
        rows, tones, rest = _cut(rows, tones, keep, rest_of)
    if cover is not None:
        rows, tones = (*rows, cover), (*tones, None)
    return Table(("", b.t("brief.col.dept"), b.t("brief.col.reasons")), rows, tones, rest)


MARK_NO_ROUNDS = "○"  # not a severity: a year's coverage, beside the departments ranked above it


def _rounds_row(b: Briefing) -> tuple[str, str, str] | None:
    """The attention slide's coverage row: "○ 清廉查房 | 2026 年尚未开展的科室（8 个）：胸外科、…", or None."""
    if not b.no_rounds:
        return None
    year = (b.as_of or b.today or clock.today()).year
    text = b.t("brief.no_rounds", year=year, n=len(b.no_rounds), names=b.t("brief.list_sep").join(b.no_rounds))
    return MARK_NO_ROUNDS, b.t("activities.brand.rounds"), text


def _talks_from(talks: pd.DataFrame, day: str) -> pd.DataFrame:
    """The talks held from ``day`` (the events read for the slides start there too)."""
    return talks[talks["held_on"].astype(str) >= day]
