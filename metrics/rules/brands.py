"""一院一品 (PRODUCT §10 brands, seed 003 实施步骤): the phase a year's project is in on a day.

Seed 003's three steps: 创建申报 — the plan and the 申报表 due by 30 March; 实施推进 — April to November; 总结提高 —
December, when the bureau checks every project and chooses the 亮点项目. A phase the hospital entered wins (a
project that started late is still being declared in April); without one the phase is read from the day: before
the year it is still being declared, after the year it stays in 总结提高 (its last phase).
"""

from __future__ import annotations

from datetime import date

from metrics import contract

PHASES: tuple[str, ...] = tuple(contract.BRAND_PHASES)  # in the year's order
APPLY_UNTIL = (3, 31)  # the declaration phase is March (the 申报表 is due on the 30th)
REVIEW_FROM = 12  # December


def phase_on(year: int, day: date) -> str:
    """The phase code of ``year``'s project on ``day`` by seed 003's calendar."""
    if day.year < year or (day.year == year and (day.month, day.day) <= APPLY_UNTIL):
        return "apply"
    if day.year > year or day.month >= REVIEW_FROM:
        return "review"
    return "implement"


def phase_of(year: int, entered: str | None, day: date) -> tuple[str, bool]:
    """(the project's phase, whether it was read from the day rather than entered)."""
    if isinstance(entered, str) and entered in PHASES:
        return entered, False
    return phase_on(year, day), True
