"""One language in a real browser: what AppTest cannot see — Streamlit's own widget texts (the uploader's button and
size line, multiselect placeholders), "None" drawn into a table's missing cells, and a language switch, which left the
period radio empty because Streamlit keeps a radio's value as its label."""

from __future__ import annotations

import re
import time

import pytest

from metrics import i18n
from metrics.ingest import limits
from tests.e2e.conftest import ADMIN, ADMIN_PASSWORD, exceptions, wait_idle

LATIN = re.compile(r"[A-Za-z]{2,}")
CJK = re.compile(r"[\u4e00-\u9fff]")
# format names the Chinese UI keeps (tests/test_one_language.py says why)
ZH_ALLOWED = {"CSV", "XLSX", "MB"}


def foreign(text: str, lang: str) -> set[str]:
    """Words of the other language in ``text``."""
    if lang == "zh":
        return {w for w in LATIN.findall(text) if w not in ZH_ALLOWED}
    return set(CJK.findall(text))


def sign_in_as_admin(page, base: str, lang: str) -> None:
    page.goto(base + "/login" + ("?lang=en" if lang == "en" else ""))
    wait_idle(page)
    page.locator('[data-testid="stTextInput"] input').nth(0).fill(ADMIN)
    page.locator('input[type="password"]').fill(ADMIN_PASSWORD)
    page.locator('[data-testid="stFormSubmitButton"] button').click()
    wait_idle(page)


def open_page(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first.click()
    wait_idle(page)
    assert not exceptions(page)


def visible_text(locator) -> str:
    return locator.evaluate("e => e.innerText")  # live: what CSS hides is not in it


def after_content(locator) -> str:
    return locator.evaluate("e => getComputedStyle(e, '::after').content").strip('"')


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_streamlit_widgets_speak_the_page_language(app, new_page, shots, lang):
    page = new_page(1920, 1080)
    sign_in_as_admin(page, app.url, lang)

    # the uploader: its own "Upload" button and "20MB per file • CSV, XLSX" line replaced by ours
    open_page(page, i18n.t("nav.upload", lang))
    drop = page.locator('[data-testid="stFileUploaderDropzone"]')
    shown = visible_text(drop)
    assert "Upload" not in shown and "per file" not in shown, shown
    assert after_content(drop.locator('button [data-testid="stMarkdownContainer"]')) == i18n.t("upload.browse", lang)
    instructions = drop.locator('[data-testid="stFileUploaderDropzoneInstructions"] > div')
    assert after_content(instructions) == i18n.t("upload.limit", lang, mb=limits.MAX_UPLOAD_MB)
    page.screenshot(path=str(shots / f"one_language_upload_{lang}.png"))

    # every multiselect's and selectbox's placeholder, on the pages that have them
    for nav in ("nav.overview", "nav.audit"):
        open_page(page, i18n.t(nav, lang))
        holders = page.locator(
            '[data-testid="stMultiSelect"] input[placeholder], [data-testid="stSelectbox"] input[placeholder]'
        )
        texts = [holders.nth(i).get_attribute("placeholder") for i in range(holders.count())]
        # Streamlit's own defaults are "Choose an option" / "Choose options"
        assert texts and not [t for t in texts if foreign(t, lang) or t.startswith("Choose o")], texts


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_missing_cells_are_not_drawn_as_none(app, new_page, lang):
    """K13's trend page: award history rows without a rectification date or note; the awards page: the conflict
    marker column, empty for departments without a conflict."""
    page = new_page(1920, 1080)
    page.goto(app.url + "/trends?dept=K13" + ("&lang=en" if lang == "en" else ""))
    wait_idle(page)
    page.get_by_text(i18n.t("trends.history", lang)).click()
    wait_idle(page)
    page.locator('[data-testid="stDataFrame"] td').first.wait_for(state="attached")
    cells = page.locator('[data-testid="stDataFrame"] td').all_inner_texts()
    assert len(cells) > 20 and "—" in cells and "None" not in cells
    assert not [c for c in cells if re.fullmatch(r"\d{4}-\d{2}-\d{2}", c)]  # one date style
    open_page(page, i18n.t("nav.awards", lang))
    page.locator('[data-testid="stDataFrame"] td').first.wait_for(state="attached")
    cells = page.locator('[data-testid="stDataFrame"] td').all_inner_texts()
    assert cells and "None" not in cells


def _checked(page, label: str, expected: str) -> str | None:
    """The checked option of the radio labelled ``label``, once it is ``expected`` or after 10 s (a language switch
    reruns the script twice)."""
    radio = page.locator('[data-testid="stMain"] [data-testid="stRadio"]').filter(has_text=label).first
    checked = radio.locator("label:has(input:checked)")
    for _ in range(20):
        text = checked.inner_text().strip() if checked.count() else None
        if text == expected:
            break
        time.sleep(0.5)
    return text


def test_choices_survive_a_language_switch(app, new_page, shots):
    page = new_page(1920, 1080)
    page.goto(app.url + "/")
    wait_idle(page)
    page.locator('[data-testid="stRadio"]').filter(has_text="统计周期").locator("label").filter(has_text="年").click()
    wait_idle(page)
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="选择期间").first
    chosen_zh = box.locator("input").input_value()
    year = re.search(r"(\d{4})年", chosen_zh).group(1)

    page.locator('[data-testid="stSidebar"] [data-testid="stRadio"] label').filter(has_text="English").click()
    wait_idle(page)
    page.screenshot(path=str(shots / "one_language_switch_en.png"))
    assert _checked(page, "Period", "Year") == "Year"  # was empty: the old label "年" matched no option
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Choose period").first
    shown = box.locator("input").input_value()
    assert year in shown and not CJK.search(shown), shown
    page.locator('[data-testid="stSidebar"] [data-testid="stRadio"] label').filter(has_text="中文").click()
    wait_idle(page)
    assert _checked(page, "统计周期", "年") == "年"


def test_no_english_hover_texts_from_streamlit_or_plotly(app, new_page):
    """Streamlit's app menu, a table's hover toolbar and plotly's mode bar speak English whatever the page language;
    none of them is offered: the menu and toolbar are hidden, the mode bar is off (the toolbar's CSV download also
    skipped the formula rule of our own downloads)."""
    page = new_page(1920, 1080)
    sign_in_as_admin(page, app.url, "zh")
    for title in (i18n.t("nav.overview"), i18n.t("nav.events")):
        open_page(page, title)
        page.locator(
            ':is([data-testid="stPlotlyChart"], .stBidiComponent:has(.integrity-chart)) .main-svg'
        ).first.wait_for()
        table = page.locator('[data-testid="stDataFrame"]').first
        table.hover()
        page.locator(':is([data-testid="stPlotlyChart"], .stBidiComponent:has(.integrity-chart))').first.hover()
        assert page.locator(".modebar-container .modebar-btn").count() == 0, title
        assert not page.locator('[data-testid="stMainMenu"]').is_visible(), title
        toolbars = page.locator('[data-testid="stElementToolbar"]')
        assert all(not toolbars.nth(i).is_visible() for i in range(toolbars.count())), title
