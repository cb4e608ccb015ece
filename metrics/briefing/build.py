"""The briefing's data (PRODUCT §6): the five slides' numbers and every text they show, in the chosen language.

``build`` reads the store once and returns a ``Briefing``; the ``*_text`` / ``*_lines`` functions are the texts the
page, the HTML and the PPTX share. No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from metrics import contract, i18n, pipelines, rules, safe, spc, store
from metrics.targets import resolve_targets

SLIDES = ("kpis", "ranking", "events", "awards", "attention")
RANKING_LIMIT = 40  # bars on the ranking slide
RANKING_METRIC = "patient_satisfaction"  # PRODUCT §1: the satisfaction target is the headline department target
LIST_LIMIT = 8  # lines of a text list that fit one slide at 24 px on 1280×720; the rest is counted


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
class Briefing:
    """Everything the five slides show for one quarter, labels in ``lang``."""

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
    ranking: pd.DataFrame = field(repr=False)  # dept_code, dept_name, value, target, passed (sorted best first)
    events: pd.DataFrame = field(repr=False)  # indicator, indicator_label, dept_name, kind, count
    pipeline: pd.DataFrame = field(repr=False)  # status, label, count (process order)
    conflicts: pd.DataFrame = field(repr=False)  # dept_code, dept_name, awarded_on, event_date, indicator
    attention: pd.DataFrame = field(repr=False)  # dept_code, dept_name, reasons (one string, '；'-joined)
    ranking_more: int = 0  # departments left out of the ranking (beyond RANKING_LIMIT)

    def t(self, key: str, **fmt) -> str:
        return i18n.t(key, self.lang, **fmt)

    def ranking_sub(self) -> str:
        """The ranking slide's subtitle, saying how many departments are left out when there are too many."""
        sub = self.t("brief.ranking_sub")
        if self.ranking_more:
            sub += self.t("brief.ranking_more", shown=len(self.ranking), n=self.ranking_more)
        return sub


def quarter_label(quarter: str, lang: str = i18n.DEFAULT_LANG) -> str:
    """'2026-Q3' as 2026年第3季度 (zh) or Q3 2026 (en)."""
    return i18n.t("brief.quarter_fmt", lang, year=quarter[:4], q=quarter[-1])


def available_quarters(db) -> list[str]:
    """Quarters holding any metric value, newest first."""
    first, last = store.month_range(db)
    return pipelines.periods_between(first, last, "quarter")[::-1]


def default_quarter(db) -> str | None:
    """The quarter every page opens on (pipelines.default_period): the newest with data in each of its three
    months, else the newest with any."""
    return pipelines.default_period(store.months_with_data(db), "quarter")


def build(db, quarter: str, lang: str = i18n.DEFAULT_LANG) -> Briefing:
    """The briefing for ``quarter`` ('YYYY-Qn') read from the open store ``db``."""
    prev = pipelines.previous_period(quarter)
    q_last = pipelines.last_month(quarter)
    defs = store.metric_defs(db)
    targets = store.targets(db)
    depts = store.departments(db)
    # every label from data without bidi / zero-width controls: a trailing U+202E mirrors the rest of a line (12.7)
    names = dict(zip(depts["dept_code"], map(safe.strip_controls, depts["dept_name"]), strict=False))
    mv = store.metric_values(db, month_from=pipelines.months_of(prev)[0], month_to=q_last)
    values = pipelines.period_values(mv, targets, defs, "quarter", [prev, quarter])
    hosp = pipelines.with_changes(pipelines.hospital_values(values, targets, defs))
    events = store.events(db, date_from=f"{pipelines.months_of(prev)[0]}-01", date_to=f"{q_last}-31")
    counts = pipelines.event_counts(events, "quarter", [prev, quarter])
    quarter_end = _month_end(q_last)
    status = rules.award_status(store.award_changes(db), quarter_end, int(quarter[:4]), depts["dept_code"])
    all_events = store.events(db, date_to=quarter_end)
    conflicts = rules.conflicts(status, all_events).assign(dept_name=lambda d: d["dept_code"].map(names))
    overdue = _overdue_rectifications(status)
    # the same 36-month SPC window as the trends page and the icon matrix, so the lists agree
    concerns = _concerns(
        store.metric_value_chunks(db, month_from=spc.window_start(q_last), month_to=q_last), targets, defs
    )
    cur_values = values[values["period"] == quarter]
    return Briefing(
        quarter=quarter,
        previous=prev,
        lang=lang,
        # a quarter not all of whose months hold data says so, with the months it holds (issue 13)
        title=i18n.t("brief.title", lang, quarter=pipelines.period_label(quarter, store.months_with_data(db), lang)),
        kpis=_kpis(hosp[hosp["period"] == quarter], defs, lang),
        vetoes=_count(counts, quarter, "veto"),
        warnings=_count(counts, quarter, "warning"),
        vetoes_prev=_count(counts, prev, "veto"),
        warnings_prev=_count(counts, prev, "warning"),
        awarded=int((status["status"] == "awarded").sum()),
        ranking=_ranking(cur_values, names),
        ranking_more=max(0, _ranked(cur_values) - RANKING_LIMIT),
        events=_events(
            counts[counts["period"] == quarter], names, _indicator_labels(store.indicator_catalogue(db), lang)
        ),
        pipeline=_pipeline(status, lang),
        conflicts=conflicts,
        attention=_attention(
            cur_values, counts[counts["period"] == quarter], conflicts, overdue, concerns, names, defs, lang
        ),
    )


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


def _ranked(values: pd.DataFrame) -> int:
    return int(((values["metric"] == RANKING_METRIC) & (values["dept_code"] != contract.HOSPITAL_CODE)).sum())


def _ranking(values: pd.DataFrame, names: dict) -> pd.DataFrame:
    """Best first; beyond RANKING_LIMIT departments only the ones furthest below their target (a slide shows about
    40 bars legibly; 5,000 made a useless chart that took a second to build; issue 7)."""
    r = values[(values["metric"] == RANKING_METRIC) & (values["dept_code"] != contract.HOSPITAL_CODE)]
    if len(r) > RANKING_LIMIT:
        r = r.assign(_gap=r["value"] - r["target"]).sort_values(["_gap", "dept_code"], na_position="last")
        r = r.iloc[:RANKING_LIMIT]
    return (
        r.assign(dept_name=r["dept_code"].map(names).fillna(r["dept_code"]))
        .sort_values("value", ascending=False)[["dept_code", "dept_name", "value", "target", "passed"]]
        .reset_index(drop=True)
    )


def _indicator_labels(catalogue: pd.DataFrame, lang: str) -> dict[str, str]:
    """code → 'V04 name' from the store's indicator catalogue (the only runtime catalogue: edits show; 11.9)."""
    col = "name_en" if lang == "en" else "name_zh"
    return {c: safe.strip_controls(f"{c} {n}") for c, n in zip(catalogue["code"], catalogue[col], strict=True)}


def _metric_label(m: contract.Metric, lang: str) -> str:
    return safe.strip_controls(i18n.metric_name(m, lang))


def _events(counts: pd.DataFrame, names: dict, labels: dict[str, str]) -> pd.DataFrame:
    cols = ["indicator", "indicator_label", "dept_code", "dept_name", "kind", "count"]
    if counts.empty:
        return pd.DataFrame(columns=cols)
    return (
        counts.assign(
            dept_name=counts["dept_code"].map(names).fillna(counts["dept_code"]),
            indicator_label=counts["indicator"].map(lambda c: labels.get(c, c)),
        )
        .sort_values(["kind", "indicator", "dept_code"], ascending=True)[cols]
        .reset_index(drop=True)
    )


def _pipeline(status: pd.DataFrame, lang: str) -> pd.DataFrame:
    counts = rules.pipeline_counts(status)
    return counts.assign(label=counts["status"].map(lambda c: i18n.t(f"award.{c}", lang)))[["status", "label", "count"]]


def _overdue_rectifications(status: pd.DataFrame) -> pd.DataFrame:
    """Departments still 整改中 whose rectification deadline has passed: dept_code, rectify_until."""
    late = status[(status["status"] == "rectifying") & (status["days_left"].fillna(0) < 0)]
    return late[["dept_code", "rectify_until"]].reset_index(drop=True)


def _concerns(chunks: Iterable[pd.DataFrame], targets: pd.DataFrame, defs: list[contract.Metric]) -> pd.DataFrame:
    """(dept_code, metric) series whose last point (the quarter's last month) is a concerning special cause.

    ``chunks``: metric values a group of departments at a time (store.metric_value_chunks), each series whole, so
    the whole history is never in memory at once (issue 7).
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
    concerns: pd.DataFrame,
    names: dict,
    defs: list[contract.Metric],
    lang: str,
) -> pd.DataFrame:
    """One row per department needing attention, with its reasons in ``lang`` (worst first)."""
    by_code = {m.code: m for m in defs}
    reasons: dict[str, list[tuple[int, str]]] = {}

    def add(code: str, weight: int, text: str) -> None:
        reasons.setdefault(code, []).append((weight, text))

    for r in conflicts.to_dict("records"):
        add(r["dept_code"], 4, i18n.t("brief.reason.conflict", lang, date=i18n.fmt_date(r["event_date"], lang)))
    vetoes = counts[counts["kind"] == "veto"]
    for r in vetoes.to_dict("records"):
        add(r["dept_code"], 3, i18n.t("brief.reason.veto", lang, indicator=r["indicator"], n=int(r["count"])))
    for r in overdue.to_dict("records"):
        add(r["dept_code"], 2, i18n.t("brief.reason.overdue", lang, date=i18n.fmt_date(r["rectify_until"], lang)))
    for r in concerns.to_dict("records"):
        m = by_code.get(r["metric"])
        add(r["dept_code"], 2, i18n.t("brief.reason.spc", lang, metric=_metric_label(m, lang) if m else r["metric"]))
    missed = values[(values["passed"] == False) & (values["dept_code"] != contract.HOSPITAL_CODE)]  # noqa: E712
    for r in missed.to_dict("records"):
        m = by_code.get(r["metric"])
        add(
            r["dept_code"],
            1,
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
            weight=(max(w for w, _ in rs), len(rs)),
            reasons=i18n.t("brief.reason.sep", lang).join(t for _, t in sorted(rs, key=lambda x: -x[0])),
        )
        for code, rs in reasons.items()
    ]
    if not rows:
        return pd.DataFrame(columns=["dept_code", "dept_name", "reasons"])
    out = pd.DataFrame(rows).sort_values(["weight", "dept_code"], ascending=[False, True])
    return out[["dept_code", "dept_name", "reasons"]].reset_index(drop=True)


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
    """'目标 ≥ 90 · 达标' — the target, its direction and whether it is met."""
    op = "≥" if k.direction == ">=" else "≤"
    verdict = {True: "brief.met", False: "brief.missed", None: "brief.no_data"}[k.passed]
    return (
        i18n.t("brief.target_fmt", lang, op=op, target=i18n.fmt_number(k.target, lang, 0))
        + " · "
        + i18n.t(verdict, lang)
    )


def kpi_change_text(k: Kpi, lang: str) -> str:
    """'较上季度 +0.4' (or '—' without a previous quarter)."""
    if k.change is None:
        return i18n.t("brief.change_fmt", lang, change="—")
    return i18n.t("brief.change_fmt", lang, change=f"{k.change:+.1f}")


def kpi_depts_text(k: Kpi, lang: str) -> str | None:
    """'达标科室 31 / 40' for department metrics."""
    if k.n_depts is None:
        return None
    return i18n.t("brief.depts_meeting", lang, n=k.n_pass, total=k.n_depts)


def event_lines(b: Briefing) -> list[str]:
    """Slide 3's list: '产科 · V04 收受红包 否决 × 1' (the indicator named as the store's catalogue names it)."""
    return [
        f"{r['dept_name']} · {r['indicator_label']} {b.t('event.kind.' + r['kind'])} × {int(r['count'])}"
        for r in b.events.to_dict("records")
    ]


def conflict_lines(b: Briefing) -> list[str]:
    """Slide 4's conflicts: '放射科 · 授牌 2026年1月11日 · 否决 V07 2026年8月3日'."""
    return [
        b.t(
            "brief.conflict_fmt",
            dept=r["dept_name"],
            awarded=i18n.fmt_date(r["awarded_on"], b.lang),
            indicator=r["indicator"],
            date=i18n.fmt_date(r["event_date"], b.lang),
        )
        for r in b.conflicts.to_dict("records")
    ]


def attention_lines(b: Briefing) -> list[str]:
    """Slide 5's list: '急诊科：患者满意度 85.4 未达 ≥ 90'."""
    return [f"{r['dept_name']}：{r['reasons']}" for r in b.attention.to_dict("records")]


def clip(lines: list[str], limit: int, lang: str) -> list[str]:
    """At most ``limit`` lines; the rest counted in a last line so nothing is silently dropped."""
    if len(lines) <= limit:
        return lines
    return [*lines[: limit - 1], i18n.t("brief.more_fmt", lang, n=len(lines) - limit + 1)]
