"""What the 重点任务 page shows (PRODUCT §8): key tasks by aspect and by lead department, each task's
computed state — overdue (red ■), due this quarter (amber ▲), done (green ●) — with a shape and a word beside the
colour, filtered to one department (as lead or as responsible); the progress notes; what the editor offers.

Choices (``ViewKey.choices``): ``dept`` ('' = every department), ``today`` (the day tasks are judged on).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from metrics import contract, i18n, safe
from metrics.rules import due, programme
from metrics.views import ViewKey, charts, loaded
from metrics.views import activities as activities_view

STATE_ORDER = ("overdue", "due_quarter", "open", "done", "cancelled")
STATE_LIGHT = {"overdue": "red", "due_quarter": "amber", "done": "green", "open": "grey", "cancelled": "grey"}
# 预警 (PRODUCT §11): an open item past half its working days is marked due soon in the lists (the summaries keep
# their states); metrics.rules.due decides.
DUE_SOON_LIGHT = "amber"
LIST_COLUMNS = ("state", "task_code", "title", "category", "lead", "responsible", "due_on", "status", "progress")
SUMMARY_COLUMNS = ("total", "overdue", "due_quarter", "done")
# How many responsible departments a row names before "… and n departments in all".
RESPONSIBLE_LISTED = 4


@dataclass(frozen=True)
class TasksView:
    caption: str
    counts: str  # "逾期 2 · 本季度到期 3 · 已完成 5 · 共 24 项"
    dept_options: tuple[str, ...]  # '' then the departments that lead or share a task, by code
    dept_labels: dict[str, str]  # option → label
    none: str | None  # said instead of the tables when there is no task (for the chosen department)
    by_aspect: pd.DataFrame  # category, total, overdue, due_quarter, done — the six aspects in plan order first
    by_lead: pd.DataFrame  # lead, total, overdue, due_quarter, done — most overdue first
    summary_headers: dict[str, str]
    tasks: pd.DataFrame  # marker, then LIST_COLUMNS, overdue first (most days late first), then by due date
    headers: dict[str, str]  # LIST_COLUMNS → shown name
    edit_options: tuple[str, ...]  # task codes (all by code; the filtered list's when a department is chosen)
    edit_labels: dict[str, str]  # task code → "T01 廉洁风险点排查"
    edit_current: dict[str, tuple[str, str]]  # task code → (status code, progress note) as stored
    status_options: tuple[str, ...]  # contract.TASK_STATUSES codes
    status_labels: dict[str, str]
    details: dict[str, str]  # task code → its details and whole progress note as Markdown (every data string escaped)


def build(key: ViewKey) -> TasksView:
    """Everything the page shows for ``key`` (see the module doc for its choices)."""
    f = loaded.frames(key.store, key.version, key.hospital)
    lang = key.lang
    today = key.get("today") or f.today
    dept = key.get("dept", "") or ""
    names = f.dept_names
    states = programme.task_states(f.tasks, today)
    split: dict[str, frozenset] = {}  # once per distinct stored list (whole-hospital tasks share one)
    resp = (
        states["responsible"]
        .fillna("")
        .map(lambda s: split.get(s) or split.setdefault(s, frozenset(s.split(programme.RESPONSIBLE_JOIN)) - {""}))
    )
    involved = sorted(set(states["lead_dept"]).union(*resp))
    if dept:
        states = states[(states["lead_dept"] == dept) | resp.map(lambda cs: dept in cs)]
    state_text = {s: i18n.t("task.state." + s, lang) for s in STATE_ORDER}
    status_text = {s: i18n.t("task.status." + s, lang) for s in contract.TASK_STATUSES}
    n = states["state"].value_counts()
    ordered = states.assign(
        _o=states["state"].map({s: i for i, s in enumerate(STATE_ORDER)}),
        _late=-states["days_overdue"].fillna(0).astype(int),
    ).sort_values(["_o", "_late", "due_on", "task_code"], kind="stable")
    all_codes = set(f.departments.loc[f.departments["active"].fillna(1).astype(int) == 1, "dept_code"])
    resp_text = _ResponsibleText(names, all_codes, lang)
    soon_tasks, _ = due.due_soon_keys(f.tasks, f.notices.iloc[0:0], today, f.calendar)
    soon = ordered["task_code"].isin(soon_tasks) & ordered["state"].isin(("open", "due_quarter"))
    marker, state = _marker_and_state(
        ordered["state"], STATE_LIGHT, state_text, soon, i18n.t("task.state.due_soon", lang)
    )
    table = pd.DataFrame(
        {
            "marker": marker,
            "state": state,
            "task_code": ordered["task_code"],
            "title": ordered["title"],
            "category": ordered["category"].fillna(""),
            "lead": ordered["lead_dept"].map(lambda c: names.get(c, c)),
            "responsible": ordered["responsible"]
            .fillna("")
            .map(lambda s: _responsible_text(s, names, all_codes, lang)),
            "due_on": ordered["due_on"].map(lambda d: i18n.fmt_date(d, lang)),
            "status": ordered["status"].map(lambda s: status_text.get(s, s)),
            "progress": ordered["progress"].fillna(""),
        }
    ).reset_index(drop=True)
    headers = {c: i18n.t("tasks.col." + c, lang) for c in LIST_COLUMNS}
    headers["lead"] = i18n.t("tasks.col.lead", lang)
    summary_headers = {c: i18n.t("tasks.col." + c, lang) for c in SUMMARY_COLUMNS}
    summary_headers |= {"category": i18n.t("tasks.col.category", lang), "lead": i18n.t("tasks.col.lead", lang)}
    no_cat = i18n.t("tasks.no_category", lang)
    by_aspect = _summary(states.assign(category=states["category"].fillna(no_cat)), "category")
    aspect_rank = {a: i for i, a in enumerate(contract.TASK_ASPECTS)}
    by_aspect = (
        by_aspect.assign(_o=by_aspect["category"].map(lambda c: aspect_rank.get(c, len(aspect_rank))))
        .sort_values(["_o", "category"], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )
    by_lead = _summary(states, "lead_dept")
    by_lead = (
        by_lead.sort_values(["overdue", "due_quarter", "lead_dept"], ascending=[False, False, True], kind="stable")
        .assign(lead=lambda d: d["lead_dept"].map(lambda c: names.get(c, c)))
        .reset_index(drop=True)[["lead", *SUMMARY_COLUMNS]]
    )
    none = None
    if f.tasks.empty:
        none = i18n.t("tasks.none", lang)
    elif states.empty:
        none = i18n.t("tasks.none_dept", lang)
    all_tasks = programme.task_states(f.tasks, today)
    edit = all_tasks.set_index("task_code")
    return TasksView(
        caption=i18n.t("tasks.caption", lang, date=i18n.fmt_date(today, lang)),
        counts=i18n.t(
            "tasks.counts",
            lang,
            overdue=int(n.get("overdue", 0)),
            due_quarter=int(n.get("due_quarter", 0)),
            done=int(n.get("done", 0)),
            total=len(states),
        ),
        dept_options=("", *involved),
        dept_labels={"": i18n.t("tasks.filter_all", lang)} | {c: f"{c} {names.get(c, c)}" for c in involved},
        none=none,
        by_aspect=by_aspect,
        by_lead=by_lead,
        summary_headers=summary_headers,
        tasks=table,
        headers=headers,
        edit_options=tuple(table["task_code"]) if dept else tuple(all_tasks["task_code"].sort_values()),
        edit_labels={c: f"{c} {t}" for c, t in zip(all_tasks["task_code"], all_tasks["title"], strict=True)},
        edit_current={
            c: (st, "" if pd.isna(p) else str(p))
            for c, st, p in zip(edit.index, edit["status"], edit["progress"], strict=True)
        },
        status_options=tuple(contract.TASK_STATUSES),
        status_labels=status_text,
        details=_details(all_tasks, names, resp_text, state_text, status_text, lang),
    )


def _details(states, names, resp_text, state_text, status_text, lang) -> dict[str, str]:
    """Per task: state, lead, responsible, due date, status, update date and the whole note, as escaped Markdown."""
    out = {}
    cols = ["task_code", "title", "state", "lead_dept", "responsible", "due_on", "status", "updated_on", "progress"]
    for vals in zip(*(states[c].tolist() for c in cols), strict=True):
        r = dict(zip(cols, vals, strict=True))
        note = "" if r["progress"] is None or r["progress"] != r["progress"] else str(r["progress"])
        fields = i18n.t(
            "tasks.detail_line",
            lang,
            state=state_text[r["state"]],
            lead=safe.md_text(names.get(r["lead_dept"], r["lead_dept"])),
            responsible=safe.md_text(resp_text(r["responsible"] or "") or "—"),
            due=i18n.fmt_date(r["due_on"], lang),
            status=status_text.get(r["status"], r["status"]),
            updated=i18n.fmt_date(r["updated_on"], lang),
        )
        out[r["task_code"]] = f"**{safe.md_text(r['title'])}**  \n{fields}  \n{safe.md_text(note) or '—'}"
    return out


def _summary(states: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per group: total, overdue, due this quarter and done."""
    if states.empty:
        return pd.DataFrame(columns=[by, *SUMMARY_COLUMNS])
    flags = pd.DataFrame(
        {
            by: states[by],
            "total": 1,
            "overdue": (states["state"] == "overdue").astype(int),
            "due_quarter": (states["state"] == "due_quarter").astype(int),
            "done": (states["state"] == "done").astype(int),
        }
    )
    return flags.groupby(by, as_index=False, sort=True)[list(SUMMARY_COLUMNS)].sum()


class _ResponsibleText:
    """The responsible departments by name, once per distinct stored list (a region's whole-hospital tasks all hold
    the same 5,000 codes)."""

    def __init__(self, names: dict[str, str], all_codes: set[str], lang: str):
        self.names, self.all_codes, self.lang = names, all_codes, lang
        self.memo: dict[str, str] = {}

    def __call__(self, codes) -> str:
        codes = "" if codes is None or codes != codes else str(codes)
        got = self.memo.get(codes)
        if got is None:
            got = self.memo[codes] = _responsible_text(codes, self.names, self.all_codes, self.lang)
        return got


def _responsible_text(codes: str, names: dict[str, str], all_codes: set[str], lang: str) -> str:
    """The responsible departments by name; every active department reads 全院各科室; a long list is cut."""
    cs = [c for c in codes.split(programme.RESPONSIBLE_JOIN) if c]
    if not cs:
        return ""
    if all_codes and len(cs) >= len(all_codes) and set(cs) >= all_codes:
        return i18n.t("tasks.all_depts", lang)
    shown = [names.get(c, c) for c in cs]
    if len(shown) <= RESPONSIBLE_LISTED:
        return "、".join(shown) if lang == "zh" else ", ".join(shown)
    head = ("、" if lang == "zh" else ", ").join(shown[:RESPONSIBLE_LISTED])
    return i18n.t("tasks.more_depts", lang, names=head, n=len(shown))


# ---------------------------------------------------------------------------------------------
# The notices register (PRODUCT §8) and the briefing's slide 5 (PRODUCT §6)
# ---------------------------------------------------------------------------------------------

NOTICE_ORDER = ("overdue", "open", "closed")
NOTICE_LIGHT = {"overdue": "red", "open": "grey", "closed": "green"}
NOTICE_COLUMNS = (
    "state",
    "notice_no",
    "type",
    "dept",
    "issued_on",
    "due_on",
    "days_overdue",
    "issue",
    "event",
    "activity",
)


@dataclass(frozen=True)
class NoticesView:
    title: str
    counts: str  # "逾期 1 · 整改中 2 · 已销号 3"
    none: str | None
    rows: pd.DataFrame  # marker, NOTICE_COLUMNS, dept_code: overdue (most days late first), open, closed
    headers: dict[str, str]


def notices(key: ViewKey) -> NoticesView:
    """The rectification notices register: open, overdue, closed; the linked event named by its date, indicator
    and department when ``event_id`` is given. Choices: ``depts`` (codes joined by newlines; '' = all), ``today``."""
    f = loaded.frames(key.store, key.version, key.hospital)
    lang = key.lang
    today = key.get("today") or f.today
    depts = key.get("depts", "")
    states = programme.notice_states(f.notices, today)
    if depts:
        states = states[states["dept_code"].isin(depts.split("\n"))]
    ind = f.indicator_names(lang)
    ev = f.events.set_index("event_id") if not f.events.empty else pd.DataFrame()
    names = f.dept_names
    issued_by = activities_view.by_notice(key)

    def event_text(eid) -> str:
        if eid is None or eid != eid or not str(eid):
            return ""
        if eid not in ev.index:
            return str(eid)
        e = ev.loc[eid]
        return f"{i18n.fmt_date(e['event_date'], lang)} {e['indicator']} {ind.get(e['indicator'], '')}".strip()

    ordered = states.assign(
        _o=states["state"].map({s: i for i, s in enumerate(NOTICE_ORDER)}),
        _late=-states["days_overdue"].fillna(0).astype(int),
    ).sort_values(["_o", "_late", "due_on", "notice_no"], kind="stable")
    state_text = {s: i18n.t("notice.state." + s, lang) for s in NOTICE_ORDER}
    _, soon_notices = due.due_soon_keys(f.tasks.iloc[0:0], f.notices, today, f.calendar)
    soon = ordered["notice_no"].isin(soon_notices) & (ordered["state"] == "open")
    marker, state = _marker_and_state(
        ordered["state"], NOTICE_LIGHT, state_text, soon, i18n.t("notice.state.due_soon", lang)
    )
    rows = pd.DataFrame(
        {
            "marker": marker,
            "state": state,
            "notice_no": ordered["notice_no"],
            "type": ordered["notice_type"].map(lambda x: i18n.t("notice.type." + x, lang)),
            "dept": ordered["dept_code"].map(lambda c: f"{c} {names.get(c, c)}"),
            "issued_on": ordered["issued_on"].map(lambda d: i18n.fmt_date(d, lang)),
            "due_on": ordered["due_on"].map(lambda d: i18n.fmt_date(d, lang)),
            # text: a grid draws a missing number as a grey "None"; a notice not overdue has no days late
            "days_overdue": ordered["days_overdue"].map(lambda d: "—" if pd.isna(d) else str(int(d))),
            "issue": ordered["issue"].fillna(""),
            "event": ordered["event_id"].map(event_text),
            "activity": ordered["notice_no"].map(issued_by).fillna(""),  # the 清风行动 that issued it (PRODUCT §10)
            "dept_code": ordered["dept_code"],  # not shown: the department a click on the row opens
        }
    ).reset_index(drop=True)
    n = states["state"].value_counts()
    headers = {c: i18n.t("notices.col." + c, lang) for c in NOTICE_COLUMNS}
    return NoticesView(
        title=i18n.t("notices.title", lang),
        counts=i18n.t("notices.counts", lang, **{s: int(n.get(s, 0)) for s in NOTICE_ORDER}),
        none=i18n.t("notices.none", lang) if states.empty else None,
        rows=rows,
        headers=headers,
    )


# ---------------------------------------------------------------------------------------------
# The editor: a task's status and note, in place, through the one validator and write path
# ---------------------------------------------------------------------------------------------

EDIT_SOURCE = "页面编辑 page edit: 重点任务"


def update_task(
    db_path: str,
    task_code: str,
    status: str,
    progress: str,
    *,
    user: str | None,
    lang: str,
    today: date,
    hospital: str = "",
):
    """Save a task's status and progress note (and today as its update date) as one batch through
    importer.commit_rows — the stored row with those fields changed, so the same validator judges it. Returns the
    ImportReport (``committed`` False with ``problems`` when refused, or when nothing changed)."""
    from metrics import store
    from metrics.ingest import importer

    with store.opened(db_path) as db:
        stored = store.tasks(db, hospital)
    row = stored[stored["task_code"] == task_code].to_dict("records")
    if not row:
        raise KeyError(task_code)
    old = row[0]
    new = dict(old)
    new["progress"] = progress.strip() or None
    new["status"] = status
    unchanged = new["status"] == old["status"] and (new["progress"] or None) == (old["progress"] or None)
    if not unchanged:
        new["updated_on"] = today.isoformat()
    return importer.commit_rows(
        "tasks",
        [new],
        source=EDIT_SOURCE,
        user=user,
        lang=lang,
        db_path=db_path,
        action="task_edit",
        first_line=1,
        hospital=hospital,
    )


def default_keys(base: ViewKey, *, period: str, depts: str, today) -> list[tuple]:
    """The views a first visit of the page builds, each with the key the page makes before any widget is touched:
    (builder, key, resolved) — ``resolved(view)`` gives the choices that visit leaves open as the widgets hold them
    on the next run (``ui.cache.filed_view``). The server's warm after a commit builds exactly these."""
    return [
        (build, base.with_(dept="", today=today), None),
        (notices, base.with_(depts="", today=today), None),  # the page's register: every department
    ]


def _marker_and_state(state: pd.Series, lights: dict, texts: dict, soon: pd.Series, soon_text: str):
    """Each row's marker image and its state in words (a task's or a notice's); an open one due soon shows 预警
    instead (PRODUCT §11)."""
    marker = state.map(lambda s: charts.light_marker(lights[s])).mask(soon, charts.light_marker(DUE_SOON_LIGHT))
    return marker, state.map(texts).mask(soon, soon_text)
