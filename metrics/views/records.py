"""The records behind a light (PRODUCT §4.3, §10: "every light must point at a record, not a typed colour"): for a
period, each confirmed veto and warning, each overdue notice (W03, in every period it was late) and each missed
target of a department — the rows a user reads when they ask why a light is red or amber. Shared by the vetoes &
warnings page, the region overview and the department profile so the three name the same records.
"""

from __future__ import annotations

import pandas as pd

from metrics import contract, i18n
from metrics.rules import periods

# the order a reader meets the records in: what turns a light red first, then what turns it amber
KINDS = ("veto", "warning", "overdue", "missed")
COLUMNS = ["dept_code", "kind", "what", "when", "detail"]


def light_records(
    values: pd.DataFrame,
    events: pd.DataFrame,
    grain: str,
    period: str,
    lang: str,
    metric_names: dict[str, str],
    indicator_names: dict[str, str],
) -> pd.DataFrame:
    """One row per record behind the period's lights: [hospital_code,] dept_code, kind (its label: 否决 / 警示 /
    整改逾期 / 未达标), what (the indicator or metric), when (the date, or the days a notice was late), detail (the
    event's description, or the value against the target). ``values``: periods.period_values (HOSP rows are the
    hospital's own figures, under dept_code HOSP); ``events``: with programme's W03 states."""
    h = ["hospital_code"] if "hospital_code" in values.columns and "hospital_code" in events.columns else []
    label = {k: i18n.t(f"rec.kind.{k}", lang) for k in KINDS}
    ev = periods.event_periods(events, grain, period)
    is_notice = ev["event_id"].astype(str).str.startswith("notice:")
    kind = ev["kind"].where(~is_notice, "overdue")
    until = ev["until"] if "until" in ev.columns else pd.Series(None, index=ev.index, dtype=object)
    when = [
        i18n.fmt_date(d, lang)
        if not n
        else i18n.t("rec.late", lang, since=i18n.fmt_date(d, lang), until=i18n.fmt_date(u, lang))
        for d, u, n in zip(ev["event_date"], until, is_notice, strict=True)
    ]
    from_events = ev[h].assign(
        dept_code=ev["dept_code"],
        _o=kind.map(KINDS.index),
        kind=kind.map(label),
        what=[f"{c} {indicator_names.get(c, '')}".strip() for c in ev["indicator"]],
        when=when,
        detail=[
            i18n.t("rec.notice", lang, no=no) if n else ("" if pd.isna(d) else str(d))
            for d, n, no in zip(ev["description"], is_notice, ev["event_id"].astype(str).str[7:], strict=True)
        ],
    )
    v = values[(values["period"] == period) & (values["passed"] == False)]  # noqa: E712 (<NA>: no target, no miss)
    missed = v[h].assign(
        dept_code=v["dept_code"],
        _o=KINDS.index("missed"),
        kind=label["missed"],
        what=v["metric"].map(lambda m: metric_names.get(m, m)),
        when=i18n.fmt_period(period, lang),
        detail=[
            i18n.t(
                "rec.missed",
                lang,
                value=value_text(x, t, lang),
                direction="≥" if d == ">=" else "≤",
                target=i18n.fmt_number(t, lang),
            )  # fmt: skip
            for x, t, d in zip(v["value"], v["target"], v["direction"], strict=True)
        ],
    )
    out = pd.concat([from_events, missed], ignore_index=True)
    if out.empty:
        return pd.DataFrame(columns=[*h, *COLUMNS])
    # what turns a light red first (a region's vetoes above its many missed targets), then by department
    return out.sort_values([*h, "_o", "dept_code", "when"], kind="stable").reset_index(drop=True)[[*h, *COLUMNS]]


def value_text(value: float, target: float | None, lang: str) -> str:
    """``value`` to one decimal, or two when one decimal would read as the target itself (89.97 is not 90.0)."""
    one = i18n.fmt_number(value, lang)
    if target is not None and pd.notna(target) and one == i18n.fmt_number(target, lang) and value != target:
        return i18n.fmt_number(value, lang, digits=2)
    return one


def headers(lang: str) -> dict[str, str]:
    """Column → header of a records table."""
    return {
        "dept_name": i18n.t("col.dept_name", lang),
        "kind": i18n.t("rec.col.kind", lang),
        "what": i18n.t("rec.col.what", lang),
        "when": i18n.t("rec.col.when", lang),
        "detail": i18n.t("rec.col.detail", lang),
    }


def hospital_name(lang: str) -> str:
    """What a record of the hospital's own figures names as its department."""
    return i18n.t("trends.hospital", lang)


HOSP = contract.HOSPITAL_CODE
