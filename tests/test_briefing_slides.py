"""PRODUCT §6 slides 1 and 2 as the room reads them: the change vs last quarter in the overview's decimals, and the
ranking's bars from 0 on an axis with ticks, each value inside its bar so no target line strikes it."""

from __future__ import annotations

from datetime import date

import pytest

from metrics import briefing, store


def _kpi(change: float | None) -> briefing.Kpi:
    return briefing.Kpi("patient_satisfaction", "患者满意度", "分", 90.4, 90.0, ">=", True, 90.37, change, 30, 40)


@pytest.mark.parametrize(("change", "shown"), [(0.03, "+0.03"), (-0.004, "-0.0"), (0.3, "+0.3"), (-2.5, "-2.5"),
                                               (0.35, "+0.35"), (None, "—")])  # fmt: skip
def test_change_vs_last_quarter_in_the_overviews_decimals(change, shown):
    """The overview shows the change rounded to 2 decimals (st.metric's delta): +0.03 there is never +0.0 here."""
    assert briefing.kpi_change_text(_kpi(change), "zh") == f"较上季度 {shown}"


def test_ranking_bars_start_at_zero_with_ticks_and_labels_inside(demo_db):
    with store.opened(demo_db) as db:
        b = briefing.build(db, briefing.default_quarter(db), "zh", today=date(2026, 12, 7))
    fig = briefing.ranking_figure(b)
    bars = fig.data[0]
    assert fig.layout.xaxis.range[0] == 0 and fig.layout.xaxis.showticklabels is not False
    assert fig.layout.xaxis.range[1] > max(b.ranking["target"])  # the highest target inside the axis
    # each value inside its bar's end: the target tick (right of a bar below target) never crosses it
    assert bars.textposition == "inside" and bars.insidetextanchor == "end"
    targets = fig.data[1]
    assert all(t > v for t, v in zip(targets.x, bars.x, strict=True))
