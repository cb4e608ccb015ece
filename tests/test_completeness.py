"""Completeness guards: every catalogue metric is named, directed and flows through the pipeline; every page
file is in the navigation and has an AppTest that switches to it."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from metrics import contract, i18n
from metrics.rules import periods

ROOT = Path(__file__).resolve().parent.parent
PAGE_FILES = sorted(
    p.name for p in (ROOT / "pages").glob("*.py") if not p.name.startswith("_")
)  # _download, _drill, …: helpers
# Pages whose AppTest is known to be missing while their area is still in development. strict=True: as soon as
# the AppTest exists this entry makes the run fail, so it cannot outlive the gap it records.
PENDING_APPTEST: dict[str, str] = {}


@pytest.mark.parametrize("metric", contract.METRICS, ids=lambda m: m.code)
def test_metric_is_named_directed_and_in_pipeline_output(metric):
    for lang in i18n.LANGS:
        name = i18n.metric_name(metric, lang)
        assert name and name != metric.code
    assert metric.direction in (">=", "<=")
    dept = contract.HOSPITAL_CODE if metric.scope == "hospital" else "K01"
    values = pd.DataFrame(
        [(dept, "2024-01", metric.code, 1.0), (dept, "2024-02", metric.code, 3.0)],
        columns=["dept_code", "month", "metric", "value"],
    )
    targets = pd.DataFrame(columns=["metric", "dept_code", "effective_from", "target", "direction"])
    got = periods.period_values(values, targets, contract.METRICS, "quarter")
    row = got[(got["metric"] == metric.code) & (got["dept_code"] == dept)].iloc[0]
    assert row["value"] == (4.0 if metric.aggregate == "sum" else 2.0)
    assert row["direction"] == metric.direction


def _navigation() -> set[str]:
    text = (ROOT / "dashboard.py").read_text(encoding="utf-8")
    return set(re.findall(r'"pages/([\w]+\.py)"', text))


def _switched_to_in_tests() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "tests").glob("test_*.py"):
        text = path.read_text(encoding="utf-8")
        # at.switch_page("pages/x.py"), or conftest.page_as("pages/x.py", ...), which switches to it
        found |= set(re.findall(r'(?:switch_page|page_as)\(\s*["\']pages/([\w]+\.py)["\']', text))
    return found


@pytest.mark.parametrize(
    "page",
    [
        pytest.param(p, marks=pytest.mark.xfail(reason=PENDING_APPTEST[p], strict=True)) if p in PENDING_APPTEST else p
        for p in PAGE_FILES
    ],
)
def test_page_is_navigable_and_has_an_apptest(page):
    assert page in _navigation(), f"pages/{page} is not in dashboard.py's PAGES"
    assert page in _switched_to_in_tests(), f'no test calls switch_page("pages/{page}")'
