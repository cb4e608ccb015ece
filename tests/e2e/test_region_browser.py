"""The region overview in a real browser (PRODUCT §9): a commission user of a three-hospital group store signs in,
opens 区域总览 from the sidebar, sees the three hospitals side by side, drills into H02 and lands on H02's own
overview (its name under the title, ?hospital=H02 in the URL, H02's numbers), and the sidebar's selector follows."""

from __future__ import annotations

import subprocess
import sys

from metrics import i18n, store
from tests.conftest import DEMO_END_MONTH
from tests.e2e.conftest import ROOT, app_env, exceptions, sign_in, start_app, stop_app, wait_idle

COMM, COMM_PASSWORD = "e2e_comm", "e2e-Comm-pass-2026"
NAMES = {"H01": "县人民医院", "H02": "县中医院", "H03": "县妇幼保健院"}


def _group_store(folder) -> str:
    """A three-hospital demo store and a commission account, made by the project's own CLI."""
    db = folder / "group.db"
    env = app_env(db)
    run = dict(cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    cli = [sys.executable, "-m", "metrics", "--db", str(db)]
    subprocess.run([*cli, "demo", "--end-month", DEMO_END_MONTH, "--hospitals", "3"], **run)
    subprocess.run([*cli, "users", "add", COMM, "--role", "commission", "--password-stdin"],
                   input=COMM_PASSWORD + "\n", **run)  # fmt: skip
    return db


def test_commission_opens_the_region_overview_and_drills_into_h02(new_page, tmp_path, shots):
    db = _group_store(tmp_path)
    app = start_app(db, tmp_path / "streamlit.log")
    try:
        page = new_page(1920, 1080)
        sign_in(page, app.url, COMM, COMM_PASSWORD)
        page.locator('[data-testid="stSidebarNav"] a').filter(has_text=i18n.t("nav.region")).first.click()
        wait_idle(page, settle=1.0)
        page.wait_for_timeout(800)  # plotly draws
        page.screenshot(path=str(shots / "region_overview.png"))
        assert not exceptions(page)
        main = page.inner_text(".stMain")
        assert i18n.t("region.title") in main and "3 家医院并列" in main
        assert page.locator(':is([data-testid="stPlotlyChart"], .stBidiComponent:has(.integrity-chart))').count() == 2
        chart = page.locator(
            ':is([data-testid="stPlotlyChart"], .stBidiComponent:has(.integrity-chart))'
        ).first.inner_text()
        assert all(name in chart for name in NAMES.values()), chart  # hospitals as the chart's categories

        # drill: choose H02 and open its overview
        page.locator('[data-testid="stSelectbox"]').filter(has_text=i18n.t("region.drill")).first.click()
        page.get_by_role("option", name=NAMES["H02"], exact=True).click()
        wait_idle(page)
        page.get_by_role("button", name=i18n.t("region.drill_button")).click()
        wait_idle(page, settle=1.0)
        page.wait_for_function("() => document.body.innerText.includes('当前医院：县中医院')", timeout=30_000)
        page.wait_for_timeout(800)
        page.screenshot(path=str(shots / "region_drill_h02_overview.png"))
        assert not exceptions(page)
        assert "hospital=H02" in page.url, page.url
        main = page.inner_text(".stMain")
        assert i18n.t("nav.overview") in main and "当前医院：县中医院" in main, main[:600]
        box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]')
        shown = [box.text_content() or "", *(i.input_value() for i in box.locator("input").all())]
        assert any(NAMES["H02"] in s for s in shown), shown  # the selector shows the hospital on screen

        # H02's own numbers: its patient satisfaction for the quarter, as the store holds it
        with store.opened(db) as conn:
            sat = conn.execute(
                "SELECT AVG(v) FROM (SELECT AVG(mv.value) AS v FROM metric_values mv JOIN departments d"
                " ON d.hospital_code = mv.hospital_code AND d.dept_code = mv.dept_code WHERE mv.hospital_code = 'H02'"
                " AND mv.metric = 'patient_satisfaction' AND mv.month BETWEEN '2026-07' AND '2026-09'"
                " GROUP BY mv.dept_code)"
            ).fetchone()[0]
        assert f"{sat:,.1f} 分" in main, (sat, main[:1200])

        # the briefing of H02: its title and its download name the hospital
        page.locator('[data-testid="stSidebarNav"] a').filter(has_text=i18n.t("nav.briefing")).first.click()
        wait_idle(page, settle=1.0)
        assert "县中医院 · 清廉医院建设季度推进会" in page.inner_text(".stMain")
        with page.expect_download() as dl:
            page.get_by_role("button", name=i18n.t("brief.download_html")).click()
        assert "H02" in dl.value.suggested_filename, dl.value.suggested_filename
        assert NAMES["H02"] in dl.value.path().read_text(encoding="utf-8")
    finally:
        stop_app(app)
