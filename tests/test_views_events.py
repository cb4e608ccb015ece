"""The events page's view-model (metrics.views.events) on the demo store, without Streamlit; and the page shows
indicator names as the store's catalogue has them (finding 11.9)."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from metrics import store

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")
EDITED = "擅自收受患者红包（本院口径）"


def _rename_indicator(path: Path, code: str, name_zh: str) -> None:
    """Rename an indicator the way the targets page's catalogue editor does (store.write_edits)."""
    with store.opened(path) as db:
        row = store.indicator_catalogue(db).set_index("code").loc[code].to_dict()
        store.write_edits(db, "indicator_catalogue", "editor1", [{"code": code, **row, "name_zh": name_zh}])


def test_events_chart_names_indicators_as_the_catalogue_was_edited(demo_db):
    """11.9: the events-per-quarter chart took indicator names from the shipped catalogue, so an indicator renamed
    in the store's catalogue still showed its old name in the chart's hover text."""
    with store.opened(demo_db) as db:
        shipped = store.indicator_catalogue(db).set_index("code").at["V07", "name_zh"]
    _rename_indicator(demo_db, "V07", EDITED)
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/events.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    (chart,) = at.get("plotly_chart")
    hovers = " ".join(t.get("hovertemplate", "") for t in json.loads(chart.proto.spec)["data"])
    assert f"V07 {EDITED}" in hovers
    assert shipped not in hovers
