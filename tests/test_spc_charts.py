"""The SPC figure builders and labels, inspected directly (AppTest cannot see inside a plotly chart)."""

from __future__ import annotations

import pandas as pd
import pytest

from metrics.rules import spc
from metrics.views import spc_charts

MONTHS = [f"2024-{m:02d}" for m in range(1, 13)] + [f"2025-{m:02d}" for m in range(1, 5)]
# 10 12 ×4 then 20 22 ×4: unrebased, mean 16, limits 10.68 / 21.32 (tests/test_spc.py::test_rebase_…): the first
# 8 are a run below the mean (concern, higher is better), the last 8 a run above it (improvement).
STEP = pd.DataFrame({"month": MONTHS, "value": [10.0, 12.0] * 4 + [20.0, 22.0] * 4, "target": 15.0})


def traces(fig, role):
    return [t for t in fig.data if (t.meta or {}).get("role") == role]


def test_xmr_figure_points_lines_target_and_category_axis():
    chart = spc.xmr(STEP, ">=")
    fig = spc_charts.xmr_figure(chart, title="患者满意度", lang="zh", unit="分", direction=">=")

    assert fig.layout.xaxis.type == "category"
    assert list(fig.layout.xaxis.categoryarray) == MONTHS
    points = {t.meta["point_type"]: t for t in traces(fig, "points")}
    assert set(points) == {"improvement", "concern"}
    assert points["improvement"].marker.color == spc_charts.COLOURS["improvement"] == "#1f77b4"
    assert points["concern"].marker.color == spc_charts.COLOURS["concern"]
    assert list(points["improvement"].y) == [20.0, 22.0] * 4
    assert list(points["concern"].y) == [10.0, 12.0] * 4
    (target,) = traces(fig, "target")
    assert set(target.y) == {15.0} and target.name == "目标 ≥ 15.0"
    (upl,) = traces(fig, "upl")
    assert upl.line.dash == "dash" and upl.y[0] == pytest.approx(21.32)
    (mean,) = traces(fig, "mean")
    assert mean.y[0] == pytest.approx(16)
    # Projector sizes.
    assert fig.layout.xaxis.tickfont.size >= 16 and fig.layout.yaxis.tickfont.size >= 16
    assert fig.layout.title.font.size >= 20 and fig.layout.title.text == "患者满意度"


def test_rebase_draws_new_lines_a_marker_and_trial_labels():
    chart = spc.xmr(STEP, ">=", rebase_months=["2024-09"])
    fig = spc_charts.xmr_figure(chart, title="x", lang="en", direction=">=")
    assert [t.y[0] for t in traces(fig, "mean")] == pytest.approx([11, 21])
    assert {t.meta["point_type"] for t in traces(fig, "points")} == {"common"}
    assert [s.x0 for s in fig.layout.shapes] == ["2024-09"]
    texts = [a.text for a in fig.layout.annotations]
    assert "Rebased" in texts
    assert texts.count("Trial limits (on only 8 points)") == 2  # both segments have 8 points


def test_no_trial_label_with_13_points_or_more():
    chart = spc.xmr(STEP, ">=")
    texts = [a.text for a in spc_charts.xmr_figure(chart, title="x").layout.annotations]
    assert not any("试算" in t for t in texts)


# Two 7-point rising trends meeting at a repeated 7 (tests/test_spc.py::test_a_point_joining_two_rising_trends_…):
# limits 4.545 / 9.455 → 1–4 below the lower limit, 10–13 above the upper one; 5 6 7 7 8 9 flagged by the trends.
TWO_TRENDS = pd.DataFrame({"month": MONTHS[:14], "value": [1.0, 2, 3, 4, 5, 6, 7, 7, 8, 9, 10, 11, 12, 13]})


def drawn_points(fig) -> dict[str, tuple[str, str, str]]:
    """month → (marker colour, marker symbol, legend name) of the point drawn for it (each month drawn once)."""
    out: dict[str, tuple[str, str, str]] = {}
    for t in traces(fig, "points"):
        for i, x in enumerate(t.x):
            colour = t.marker.color if isinstance(t.marker.color, str) else t.marker.color[i]
            symbol = t.marker.symbol if isinstance(t.marker.symbol, str) else t.marker.symbol[i]
            assert x not in out, x
            out[x] = (colour, symbol, t.name)
    return out


@pytest.mark.parametrize(
    ("direction", "lang", "low", "high"),
    [
        # Higher is better: below the lower limit is a concern (orange ▼), the rising trends an improvement (blue ▲).
        (">=", "zh", ("#ED8B00", "triangle-down", "▼ 需关注"), ("#1f77b4", "triangle-up", "▲ 改善")),
        # Lower is better (complaints): the same low points are good news, the rising ones a concern (orange ▲).
        ("<=", "en", ("#1f77b4", "triangle-down", "▼ Improvement"), ("#ED8B00", "triangle-up", "▲ Concern")),
    ],
)
def test_every_flagged_point_is_drawn_with_its_meaning(direction, lang, low, high):
    """The first 7 (month 7) ends one rising trend and the second 7 starts the next; both are labelled
    a trend and must be drawn as one (not grey). Colour says good or bad by the metric's direction, the triangle the
    side or slope of the signal, and the legend entry says both, as the matrix icons do."""
    chart = spc.xmr(TWO_TRENDS, direction)
    fig = spc_charts.xmr_figure(chart, title="x", lang=lang, direction=direction)
    drawn = drawn_points(fig)
    assert list(drawn) != [] and set(drawn) == set(MONTHS[:14])
    assert [drawn[m] for m in MONTHS[:4]] == [low] * 4
    assert [drawn[m] for m in MONTHS[4:14]] == [high] * 10
    assert drawn[MONTHS[6]][0] != spc_charts.COLOURS["common"]
    # The hover of the junction point names its rule.
    (trace,) = [t for t in traces(fig, "points") if MONTHS[6] in t.x]
    assert "7" in trace.customdata[list(trace.x).index(MONTHS[6])]


def test_common_cause_points_are_grey_circles():
    fig = spc_charts.xmr_figure(spc.xmr(STEP, ">=", rebase_months=["2024-09"]), title="x", lang="zh")
    assert set(drawn_points(fig).values()) == {(spc_charts.COLOURS["common"], "circle", "常规波动")}


def test_events_and_award_changes_on_the_same_month_axis():
    events = pd.DataFrame(
        {
            "event_date": ["2024-03-12", "2024-03-20", "2024-07-01", "2024-08-05", "2023-01-01"],
            "kind": ["veto", "veto", "warning", "warning", "veto"],
            "indicator": ["V04", "V07", "W01", "W02", "V01"],
            "description": ["红包 <b>x</b>", "差错", "投诉", "谈话", "outside the chart"],
            "status": ["confirmed", "confirmed", "confirmed", "review", "confirmed"],
        }
    )
    awards = pd.DataFrame(
        {
            "status": ["applied", "branch_reviewed", "awarded", "revoked", "rectifying"],
            "changed_on": ["2024-05-02", "2024-05-20", "2024-06-10", "2024-09-01", "2024-09-02"],
        }
    )
    fig = spc_charts.xmr_figure(spc.xmr(STEP, ">="), title="x", lang="zh", events=events, awards=awards)
    ev = {t.meta["kind"]: t for t in traces(fig, "events")}
    assert list(ev["veto"].x) == ["2024-03"]  # two vetoes in one month share a marker; 2023 is off the chart
    assert ev["veto"].marker.color == spc_charts.COLOURS["veto"]
    assert "&lt;b&gt;" in ev["veto"].hovertext[0]  # uploaded text is escaped, never markup
    assert list(ev["warning"].x) == ["2024-07"]  # the warning under review is not drawn
    (aw,) = traces(fig, "awards")
    assert list(aw.x) == ["2024-05", "2024-06", "2024-09"]
    assert list(aw.text) == ["支部审核", "已授牌", "已取消→整改中"]  # the month's last status; a revocation stays
    assert "2024-05-02 已申报" in aw.hovertext[0]
    assert list(aw.textposition) == ["bottom center", "top center", "bottom center"]  # neighbours do not overlap
    # Events sit above every line and award changes below, inside the y range.
    lo, hi = fig.layout.yaxis.range
    assert ev["veto"].y[0] > max(STEP["value"]) and ev["veto"].y[0] < hi
    assert aw.y[0] < min(STEP["value"]) and aw.y[0] > lo


def test_labels_and_sentence():
    v = spc.Verdict(spc.IMPROVEMENT, spc.PASS, False, 36, "2026-10", 95.0, 94, 92, 96, 90, ">=", "run")
    assert (
        spc_charts.verdict_sentence("患者满意度", v, "zh") == "患者满意度：近期出现改善的特殊原因变异；目标稳定达成。"
    )
    assert spc_charts.verdict_sentence("Patient satisfaction", v, "en").startswith("Patient satisfaction: recent")
    assert spc_charts.variation_label(spc.IMPROVEMENT, ">=", "zh") == "▲ 改善"
    assert spc_charts.variation_label(spc.IMPROVEMENT, "<=", "zh") == "▼ 改善"  # fewer complaints
    assert spc_charts.variation_label(spc.CONCERN, ">=", "en") == "▼ Concerning"
    assert spc_charts.assurance_label(spc.FAIL, "zh") == "✘ 稳定未达标"
    assert spc_charts.assurance_label(float("nan"), "zh") == "○ 无目标"
    trial = spc.Verdict(spc.COMMON, None, True, 5, "2026-10", 1.0, 1, 0, 2, None, "<=", None)
    assert spc_charts.verdict_sentence("投诉件数", trial, "zh").endswith("（控制限仅基于5个点，为试算值）")


def test_the_trial_sentence_and_label_name_the_points_the_limits_rest_on():
    """24 monthly points with limits fixed on the first 8 → the sentence and the chart say 8 (not 24);
    fixed on the first 12 → no trial wording at all (PRODUCT §5: a user-fixed baseline of ≥ 12 is not a trial)."""
    s = pd.DataFrame(
        {"month": [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)], "value": [10.0, 12.0] * 12}
    )
    eight = spc.xmr(s, ">=", baseline_points=8)
    v = spc.verdict(eight, ">=")
    zh = spc_charts.verdict_sentence("患者满意度", v, "zh")
    assert "8个点" in zh and "24" not in zh and "试算" in zh
    assert "8 points" in spc_charts.verdict_sentence("Patient satisfaction", v, "en")
    texts = [a.text for a in spc_charts.xmr_figure(eight, title="x", lang="zh").layout.annotations]
    assert any("试算" in t and "8" in t for t in texts)

    twelve = spc.xmr(s, ">=", baseline_points=12)
    assert "试算" not in spc_charts.verdict_sentence("患者满意度", spc.verdict(twelve, ">="), "zh")
    texts = [a.text for a in spc_charts.xmr_figure(twelve, title="x", lang="zh").layout.annotations]
    assert not any("试算" in t for t in texts)


def test_months_in_a_row_below_target_are_said_in_the_sentence_and_the_cell():
    """口腔科 missed 90 for 11 months in a row while the limits straddle it (hit and miss): the
    sentence and the matrix cell say "连续11个月未达标" (en: in a row); the cell keeps the hit-and-miss glyph, rank
    and colour (the SPC verdict). Two months in a row are not said (N ≥ 3); a consistently failing target keeps
    "稳定未达标" in the cell and gets the months in the sentence."""
    v = spc.Verdict(spc.COMMON, spc.HIT_AND_MISS, False, 13, "2026-10", 88.0, 87.9, 78.4, 97.5, 90, ">=", None)
    eleven = spc.Verdict(**{**v.__dict__, "missed_months": 11})
    two = spc.Verdict(**{**v.__dict__, "missed_months": 2})
    failing = spc.Verdict(**{**v.__dict__, "assurance": spc.FAIL, "missed_months": 36})
    assert spc_charts.verdict_sentence("患者满意度", eleven, "zh") == (
        "患者满意度：近期只有常规波动，没有特殊原因变异；已连续11个月未达标，目标时达时不达，现有过程不能保证达标。"
    )
    assert "11 months in a row" in spc_charts.verdict_sentence("Patient satisfaction", eleven, "en")
    assert "连续" not in spc_charts.verdict_sentence("患者满意度", two, "zh")
    assert "；已连续36个月未达标，按目前的过程" in spc_charts.verdict_sentence("患者满意度", failing, "zh")
    assert spc_charts.assurance_label(spc.HIT_AND_MISS, "zh", missed=11) == "◐ 连续11个月未达标"
    assert spc_charts.assurance_label(spc.HIT_AND_MISS, "en", missed=11) == "◐ Missed 11 months in a row"
    assert spc_charts.assurance_label(spc.HIT_AND_MISS, "zh", missed=2) == "◐ 时达时不达"
    assert spc_charts.assurance_label(spc.FAIL, "zh", missed=36) == "✘ 稳定未达标"  # already says it

    matrix = pd.DataFrame(
        {
            "dept_code": ["K15", "K01"],
            "metric": ["patient_satisfaction"] * 2,
            "variation": [spc.COMMON] * 2,
            "assurance": [spc.HIT_AND_MISS] * 2,
            "direction": [">="] * 2,
            "missed_months": [11, 0],
        }
    )
    depts = pd.DataFrame({"dept_code": ["K01", "K15"], "dept_name": ["心血管内科", "口腔科"], "category": ["临床"] * 2})
    from metrics import contract

    table = spc_charts.icon_matrix_table(matrix, depts, contract.METRICS, "zh", sort="code").set_index("dept_code")
    assert spc_charts.cell_text(table.at["K15", "patient_satisfaction"]) == "— 常规波动  ◐ 连续11个月未达标"
    assert spc_charts.cell_text(table.at["K01", "patient_satisfaction"]) == "— 常规波动  ◐ 时达时不达"


def test_the_variation_legend_says_what_an_arrow_means_for_each_direction():
    """▲ is good news for satisfaction but bad news for complaints; the legend says so per
    direction, naming the catalogue's metrics (in catalogue order), and the neutral icons only when a metric has no
    direction."""
    from metrics import contract

    zh = spc_charts.variation_legend(contract.METRICS, "zh")
    assert zh == (
        "越高越好（患者满意度、职工满意度）：▲ 改善 · ▼ 需关注；"
        "越低越好（投诉件数、药占比、医疗费用增幅、百元医疗收入卫生材料消耗）：▼ 改善 · ▲ 需关注；— 常规波动"
    )
    en = spc_charts.variation_legend(contract.METRICS[:3], "en")
    assert en == (
        "Higher is better (Patient satisfaction, Staff satisfaction): ▲ Improving · ▼ Concerning; "
        "lower is better (Complaints): ▼ Improving · ▲ Concerning; — Common cause"
    )
    neutral = contract.Metric("beds", "床位数", "Beds", direction=None)
    assert spc_charts.variation_legend([neutral], "zh") == (
        "无改善方向（床位数）：▲ 特殊变异（偏高） · ▼ 特殊变异（偏低）；— 常规波动"
    )


def test_icon_matrix_table_sorts_attention_first_and_links_each_cell():
    matrix = pd.DataFrame(
        {
            "dept_code": ["K01", "K01", "K20"],
            "metric": ["patient_satisfaction", "complaints", "patient_satisfaction"],
            "variation": [spc.COMMON, spc.COMMON, spc.COMMON],
            "assurance": [spc.PASS, None, spc.FAIL],
            "direction": [">=", "<=", ">="],
        }
    )
    depts = pd.DataFrame({"dept_code": ["K01", "K20"], "dept_name": ["心血管内科", "急诊科"], "category": ["临床"] * 2})
    from metrics import contract

    table = spc_charts.icon_matrix_table(matrix, depts, contract.METRICS, "zh")
    assert table["dept_code"].tolist() == ["K20", "K01"]  # the consistently failing department first
    assert table["attention"].tolist() == [1, 0]
    assert table.loc[0, "link"] == "trends?dept=K20"
    cell = table.loc[1, "patient_satisfaction"]
    assert cell.startswith("trends?rank=") and "dept=K01&metric=patient_satisfaction" in cell
    assert spc_charts.cell_text(cell) == "— 常规波动  ✔ 稳定达标"
    assert pd.isna(table.loc[0, "complaints"])  # K20 has no complaints series here
    by_code = spc_charts.icon_matrix_table(matrix, depts, contract.METRICS, "zh", sort="code")
    assert by_code["dept_code"].tolist() == ["K01", "K20"]
    # Cells sort as text by attention: the failing cell's rank sorts before the passing one.
    assert table.loc[0, "patient_satisfaction"] < table.loc[1, "patient_satisfaction"]


def test_trends_links_carry_a_non_default_language():
    assert spc_charts.trends_link("K01") == "trends?dept=K01"
    assert (
        spc_charts.trends_link("K01", "complaints", 3, "x", "en")
        == "trends?rank=03&dept=K01&metric=complaints&lang=en#x"
    )
    assert spc_charts.trends_link("A&B") == "trends?dept=A%26B"  # codes from uploads cannot add parameters


def test_comparison_figure_one_escaped_line_per_department_and_the_target():
    values = pd.DataFrame(
        {
            "dept_code": ["K01", "K01", "K20", "K20", "X"],
            "month": ["2024-01", "2024-03", "2024-01", "2024-02", "2024-02"],
            "value": [95.0, 96.0, 85.0, 86.0, 1.0],
        }
    )
    fig = spc_charts.comparison_figure(
        values, {"K01": "K01 心血管内科", "K20": "K20 <b>急诊</b>"}, target=90, direction=">="
    )
    depts = traces(fig, "dept")
    assert [t.meta["dept_code"] for t in depts] == ["K01", "K20"]  # X was not asked for
    assert depts[1].name == "K20 &lt;b&gt;急诊&lt;/b&gt;"
    assert depts[0].line.color != depts[1].line.color
    (target,) = traces(fig, "target")
    assert list(target.y) == [90, 90] and target.name == "目标 ≥ 90.0"
    assert fig.layout.xaxis.type == "category"
    assert list(fig.layout.xaxis.categoryarray) == ["2024-01", "2024-02", "2024-03"]  # the gap month shows


def test_every_verdict_rule_and_point_type_has_words_in_both_languages():
    from metrics import i18n

    keys = [f"spc.var.{v}" for v in spc.VARIATIONS] + [f"spc.say.{v}" for v in spc.VARIATIONS]
    keys += [f"spc.ass.{a}" for a in (*spc.ASSURANCES, "none")] + [
        f"spc.say.ass.{a}" for a in (*spc.ASSURANCES, "none")
    ]
    keys += [f"spc.rule.{r}" for r in spc.RULES] + [f"spc.pt.{p}" for p in spc.POINT_TYPES]
    missing = [k for k in keys if k not in i18n.ZH or k not in i18n.EN]
    assert not missing
    for v in spc.VARIATIONS:  # every variation gets a distinct icon and word
        assert spc_charts.variation_label(v, ">=", "zh").split(" ", 1)[1] == i18n.ZH[f"spc.var.{v}"]
