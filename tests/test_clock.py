"""The app's "today" is metrics.clock's ($INTEGRITY_TODAY when set): every page and command judges on it, so a
rehearsal of another day (or a test) sees the whole app on that day, not the machine's month."""

from __future__ import annotations

import pytest

from metrics import clock
from metrics.ingest import importer
from metrics.ops import demo

pytestmark = pytest.mark.usefixtures("cheap_hashing")

DAY = "2025-03-10"  # far from the machine's date whenever this runs: a page on the wall clock shows otherwise
MONTH = "月份,科室编码,科室名称,患者满意度,投诉件数\n"


@pytest.fixture
def on_day(monkeypatch):
    monkeypatch.setenv(clock.TODAY_ENV, DAY)


def test_the_upload_page_warns_of_the_month_running_on_the_apps_day(db_file, on_day):
    from tests.conftest import page_as

    at = page_as("pages/upload.py", "ed", "editor", "zh", first_run=True)
    at.file_uploader[0].set_value(("三月.csv", (MONTH + "2025-03,K01,心血管内科,95,0\n").encode(), "text/csv"))
    at.run()
    assert not at.exception, at.exception
    assert any("2025年3月" in w.value and "尚未结束" in w.value for w in at.warning), [w.value for w in at.warning]


def test_an_upload_is_refused_for_a_month_after_next_of_the_apps_day(db_file, on_day):
    r = importer.preview((MONTH + "2025-05,K01,心血管内科,95,0\n2025-04,K02,呼吸科,93,0\n").encode(), "a.csv")
    assert [(p.line, "2025-05" in p.message and "2025-04" in p.message) for p in r.problems] == [(2, True)]


def test_the_demo_command_ends_on_the_month_before_the_apps_day(on_day):
    assert demo.default_end_month() == "2025-02"
