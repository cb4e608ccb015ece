"""Chart builders: what the projector audience sees — colours by pass/fail, the target line, fonts, axes."""

import pandas as pd

from metrics.rules import awards
from metrics.views import charts

ROWS = pd.DataFrame(
    [
        ("D1", "心血管内科", 95.0, 90.0, ">=", True),
        ("D2", "急诊科", 86.0, 85.0, ">=", True),  # own 85 target: met although below the hospital's 90
        ("D3", "骨科", 88.0, 90.0, ">=", False),
        ("D4", "病理科", float("nan"), 90.0, ">=", pd.NA),
    ],
    columns=["dept_code", "label", "value", "target", "direction", "passed"],
)


def _assert_projector_fonts(fig):
    lay = fig.layout
    assert lay.title.font.size >= 22
    assert lay.font.size >= 16
    assert "Noto Sans CJK SC" in lay.font.family


def test_ranking_colours_by_own_target_and_draws_hospital_line():
    fig = charts.ranking(ROWS, "科室患者满意度排名", "zh", hospital_target=90.0)
    bar = fig.data[0]
    colours = dict(zip(bar.y, bar.marker.color, strict=True))
    assert colours["急诊科"] == charts.GOOD  # met its own target → green even at 86
    assert colours["骨科"] == charts.MISSED  # amber: red is kept for vetoes
    assert colours["病理科"] == charts.NO_DATA  # no data → grey, never green
    assert list(bar.y)[-1] == "心血管内科"  # best on top (plotly draws the last category at the top)
    assert fig.layout.shapes[0].x0 == 90.0  # the hospital target line
    own = fig.data[1]  # a tick at the department's own target where it differs from the hospital's
    assert list(own.y) == ["急诊科"] and list(own.x) == [85.0]
    _assert_projector_fonts(fig)


def test_ranking_lower_is_better_puts_smallest_on_top():
    rows = pd.DataFrame(
        [("A", "甲", 3.0, 5.0, "<=", True), ("B", "乙", 7.0, 5.0, "<=", False)],
        columns=["dept_code", "label", "value", "target", "direction", "passed"],
    )
    fig = charts.ranking(rows, "投诉", "zh", hospital_target=5.0)
    assert list(fig.data[0].y)[-1] == "甲"
    assert dict(zip(fig.data[0].y, fig.data[0].marker.color, strict=True))["甲"] == charts.GOOD


def test_heatmap_states_and_category_months():
    grid = pd.DataFrame(
        [
            ("D1", "2024-01", 91.0, 90.0, ">=", True),
            ("D1", "2024-02", 89.0, 90.0, ">=", False),
            ("D2", "2024-01", 86.0, 85.0, ">=", True),
        ],
        columns=["dept_code", "period", "value", "target", "direction", "passed"],
    )
    fig = charts.heatmap(grid, {"D1": "甲科", "D2": "乙科"}, ["2024-01", "2024-02"], "热力图", "zh")
    hm = fig.data[0]
    # Rows are drawn bottom-up: y = [乙科, 甲科]. 2 = met, 1 = missed (with ✕), 0 = no data (grey).
    assert list(hm.y) == ["乙科", "甲科"]
    assert [list(r) for r in hm.z] == [[2, 0], [2, 1]]
    assert hm.text[1][1] == "✕" and hm.text[0][1] == ""
    assert fig.layout.xaxis.type == "category"
    assert list(hm.x) == ["2024年1月", "2024年2月"]
    _assert_projector_fonts(fig)


def test_events_by_quarter_and_award_pipeline():
    counts = pd.DataFrame(
        [
            ("D1", "2024-Q1", "veto", "V04", 1),
            ("D2", "2024-Q1", "warning", "W01", 2),
            ("D3", "2024-Q2", "warning", "W01", 1),
        ],
        columns=["dept_code", "period", "kind", "indicator", "count"],
    )
    fig = charts.events_by_quarter(counts, "各季度事件", "en", {"V04": "Bribe (as edited)"})
    by_name = {t.name: t for t in fig.data}
    assert by_name["V04 Veto"].hovertemplate.startswith("%{customdata}<br>")
    assert list(by_name["V04 Veto"].customdata) == ["V04 Bribe (as edited)"]  # the store's name, as edited
    assert list(by_name["W01 Warning"].customdata) == ["W01", "W01"]  # no name on record: the code alone
    assert list(by_name["W01 Warning"].y) == [2, 1]
    assert by_name["V04 Veto"].marker.color == charts.BAD
    assert fig.layout.xaxis.type == "category" and list(by_name["W01 Warning"].x) == ["Q1 2024", "Q2 2024"]
    status = pd.DataFrame({"dept_code": ["A", "B", "C"], "status": ["awarded", "awarded", "applied"]})
    pipe = charts.award_pipeline(awards.pipeline_counts(status), "进度", "zh")
    got = dict(zip(pipe.data[0].y, pipe.data[0].x, strict=True))
    assert got["已授牌"] == 2 and got["已申报"] == 1 and got["整改中"] == 0
    _assert_projector_fonts(pipe)


def test_events_by_quarter_counts_whole_numbers_without_a_label_per_event():
    """A small hospital's quarter of three events reads 0, 1, 2, 3; a region's quarter of 250 does not get 250
    labels on its axis (they piled into a black bar and cost a second of drawing): whole counts still."""

    def chart(n):
        counts = pd.DataFrame([("D1", "2024-Q1", "warning", "W01", n)], columns=["dept_code", "period", "kind",
                              "indicator", "count"])  # fmt: skip
        return charts.events_by_quarter(counts, "t", "zh", {}).layout.yaxis

    small, region = chart(3), chart(250)
    assert small.dtick == 1 and small.tickformat == "d"
    assert region.dtick is None and region.tickformat == "d"


def test_light_markers_differ_in_shape_and_colour_and_fetch_nothing():
    """The events table shows each light as a picture next to its name: four different shapes in the lights'
    colours (a grey projector or a colour-blind reader still tells them apart), drawn from an inline SVG."""
    markers = {light: charts.light_marker(light) for light in charts.LIGHT_COLOURS}
    shapes = set()
    for light, url in markers.items():
        assert url.startswith("data:image/svg+xml;utf8,<svg")
        assert "http" not in url.replace("http://www.w3.org/2000/svg", "")  # nothing to download
        assert charts.LIGHT_COLOURS[light].replace("#", "%23") in url
        shapes.add(url.split("<svg", 1)[1].split(">", 1)[1].split(" ", 1)[0])
    assert shapes == {"<rect", "<polygon", "<circle"} and len(set(markers.values())) == 4
