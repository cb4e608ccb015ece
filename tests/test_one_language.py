"""One language at a time. Walks every page of dashboard.py as an administrator (so the editor and
admin pages render) in Chinese and in English, and collects what a user reads: titles, texts, labels, options,
placeholders, help, captions, metrics, buttons, table headers and text cells, chart titles and axis titles.

In Chinese no Latin-only word may appear except the small allow-list below; in English no Chinese character may
appear except in data (department names, categories, party branches, the catalogue's Chinese names) and the
language switch itself. Streamlit's own widget texts the browser draws (the uploader's "Drag and drop", a
multiselect's placeholder, "None" in a table) are checked in tests/e2e/test_one_language_browser.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

from metrics import i18n, store
from metrics.access import sessions
from metrics.access import users as accounts

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard.py")
PAGES = re.findall(r'\("(pages/\w+\.py)"', (ROOT / "dashboard.py").read_text(encoding="utf-8"))

# Latin words allowed in the Chinese UI, each for a reason a Chinese user would accept:
ZH_ALLOWED = {
    "CSV", "XLSX", "Excel", "HTML", "PowerPoint", "PPTX", "PDF", "Word", "DOCX", "SQLite", "UTF", "BOM",  # file formats and programs
    "PageDown", "PageUp",  # key names as printed on the keyboard
    "Language", "English",  # the language switch, readable by someone who cannot read the current language
    "XmR",  # the control chart's name (PRODUCT §5), used untranslated in Chinese texts on SPC
}  # fmt: skip
# Chinese allowed in the English UI: the language switch ("语言 / Language", "中文").
EN_ALLOWED = {"语言", "中文"}

# table columns holding identifiers (department, metric and indicator codes), shown as stored in both languages
CODE_COLUMNS = {"code", "dept_code", "indicator", "metric_code", "task_code", "notice_no", "risk_code"}
# editor columns whose cells are what the user types, in the format the store and the upload files use, and the
# catalogue's columns holding each name in both languages (the targets page edits both)
INPUT_COLUMNS = {"effective_from", "name_zh", "name_en", "unit_zh", "unit_en", "evidence", "office", "name", "date"}
# one date style per language (i18n.fmt_date / fmt_month / fmt_datetime): no ISO or slashed dates in what is read
RAW_DATE = re.compile(r"(?<![\d-])\d{4}[-/]\d{1,2}(?:[-/]\d{1,2})?(?![\d-])")
# proto fields a user reads (ids, keys, urls, icons, formats and widget state are not text)
READ = {"label", "body", "options", "placeholder", "help", "delta", "caption", "captions", "display_text", "title"}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z]+")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
MARKUP = re.compile(r"<[^>]+>|:material/\w+:|:\w+(-background)?\[|https?://\S+|`[^`]*`|\{[^}]*\}")


@pytest.fixture
def admin(demo_db, cheap_hashing):
    accounts.add_user("admin", "a-long-enough-password-1", "admin")
    return sessions.start_session("admin")


def _strings(msg: Message):
    for field, value in msg.ListFields():
        items = value if hasattr(value, "extend") else [value]
        for item in items:
            if isinstance(item, Message):
                yield from _strings(item)
            elif isinstance(item, str) and field.name in READ:
                yield item


def _nodes(node):
    if getattr(node, "proto", None) is not None:
        yield node
    children = getattr(node, "children", None) or {}
    for child in children.values() if isinstance(children, dict) else children:
        yield from _nodes(child)


def _figure_texts(spec: dict):
    layout = spec.get("layout", {})
    yield (layout.get("title") or {}).get("text") or ""
    for k, axis in layout.items():
        if k.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            yield (axis.get("title") or {}).get("text") or ""
    for a in layout.get("annotations", []):
        yield a.get("text") or ""
    for tr in spec.get("data", []):
        if tr.get("showlegend", True) is not False:
            yield tr.get("name") or ""


def shown_texts(at: AppTest) -> list[str]:
    """Every text the page shows a user, as one string each."""
    out = []
    for node in _nodes(at._tree):
        proto = node.proto
        kind = type(proto).__name__
        if kind == "Html" and proto.body.lstrip().startswith("<style>") and proto.body.rstrip().endswith("</style>"):
            continue  # a style sheet, not text (the uploader's texts in it are checked in the browser test)
        out.extend(_strings(proto))
        if kind == "PlotlyChart":
            out.extend(_figure_texts(json.loads(proto.spec)))
        if kind in ("Dataframe", "Arrow"):
            config = json.loads(proto.columns or "{}")
            frame = node.value
            for col in frame.columns:
                c = config.get(str(col), {})
                if c.get("hidden"):
                    continue
                out.append(c.get("label", str(col)))  # the header shown
                tc = c.get("type_config", {})
                if tc.get("type") in ("link", "image"):
                    out.append(tc.get("display_text") or "")
                    if frame[col].isna().any():
                        out.append("None")  # what the browser draws for a missing cell
                    continue
                options = tc.get("options", [])
                out.extend(str(o.get("label", o.get("value"))) if isinstance(o, dict) else str(o) for o in options)
                if col in INPUT_COLUMNS:
                    continue
                if col in CODE_COLUMNS or (options and all(isinstance(o, dict) and "label" in o for o in options)):
                    continue  # identifiers, or cells drawn through their option labels
                if frame[col].dtype == object or isinstance(frame[col].dtype, pd.StringDtype):
                    out.extend(str(v) for v in frame[col].dropna().unique())
                    if frame[col].isna().any():
                        out.append("None")  # what the browser draws for a missing text cell
    return [s for s in out if s]


def data_words(db_path) -> set[str]:
    """Names that come from the data: department names, categories, party branches, what the office typed into its
    event and award files (the catalogue's names are shown in the reader's language)."""
    with store.opened(db_path) as db:
        d = store.departments(db)
        events = store.events(db)
        notes = store.award_changes(db)["note"]
    words = set(d["dept_name"]) | set(d["category"].dropna()) | set(d["party_branch"].dropna())
    for col in ("description", "reported_by", "source"):  # what the office typed into its event files
        if col in events:
            words |= set(events[col].dropna().astype(str))
    words |= set(notes.dropna().astype(str))  # and into its award files
    with store.opened(db_path) as db:  # and into its programme files (PRODUCT §8): tasks and notices
        tasks, notices = store.tasks(db), store.notices(db)
        activities = store.activities(db)  # and into its activities files (PRODUCT §10)
    for frame, cols in (
        (tasks, ("title", "category", "progress", "task_code")),
        (notices, ("notice_no", "issue")),
        (activities, ("title",)),
    ):
        for col in cols:
            words |= set(frame[col].dropna().astype(str))
    with store.opened(db_path) as db:  # and into its 一院一品 files (PRODUCT §10), every hospital's
        every = store.hospital_codes(db) or ""
        brands, brand_notes = store.brand_projects(db, hospital=every), store.brand_notes(db, hospital=every)
    for frame, cols in ((brands, ("title", "plan")), (brand_notes, ("note",))):
        for col in cols:
            words |= set(frame[col].dropna().astype(str))
    with store.opened(db_path) as db:  # and into its risk register (PRODUCT §10)
        risks = store.risks(db)
    for col in ("risk_code", "unit", "risk", "controls", "owner"):
        words |= set(risks[col].dropna().astype(str))
    with store.opened(db_path) as db:  # and into its talks (PRODUCT §10): the talk's number, never the person
        words |= set(store.talks(db)["talk_no"].dropna().astype(str))
        apps = store.applications(db)  # and into its 申报表 (PRODUCT §10): materials and each step's opinion
        units = store.award_units(db)  # and the names of its posts (a person's name is never shown in this walk)
    for col in ("materials", "branch_opinion", "group_opinion", "committee_opinion"):
        words |= set(apps[col].dropna().astype(str))
    words |= set(units.loc[units["unit_type"] == "post", "name"])
    return {w for w in words if w}


def _run(page: str, lang: str, token: str, dept: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if dept:
        at.query_params["dept"] = dept
    at.session_state["lang"] = lang
    at.session_state["_auth_token"] = token
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def user_names(db_path) -> set[str]:
    with store.opened(db_path) as db:
        return set(store.users(db)["username"]) | set(store.batches(db)["user"].dropna())


def latin_words(text: str, users: set[str] = frozenset()) -> set[str]:
    """Latin words of ``text`` outside the allow-list and user names (data: "admin", and "demo" who wrote the
    demo's batches)."""
    text = MARKUP.sub(" ", text)
    return {w for w in LATIN_WORD.findall(text) if w not in ZH_ALLOWED and w not in users}


def chinese_runs(text: str, data: set[str]) -> set[str]:
    text = MARKUP.sub(" ", text)
    for name in sorted(data, key=len, reverse=True):
        text = text.replace(name, " ")
    return {w for w in CJK.findall(text) if w not in EN_ALLOWED}


# Pages opened once more where the default state hides tables: K13's trend page has a rectification in its award
# history and events (missing dates and notes there were drawn as "None", dates as 2025-01-04).
WALKS = [*((p, None) for p in PAGES), ("pages/trends.py", "K13"), ("pages/department.py", "K13")]


def walk_id(walk) -> str:
    return walk[0][6:-3] + (f"-{walk[1]}" if walk[1] else "")


def identifiers(db_path) -> set[str]:
    """Codes the office gives its records (PRODUCT §8 任务编号 such as RW2026-03, 文号): shown as written in both
    languages, like department codes."""
    with store.opened(db_path) as db:
        brands = store.brand_projects(db, hospital=store.hospital_codes(db) or "")
        codes = set(store.tasks(db)["task_code"]) | set(store.notices(db)["notice_no"]) | set(brands["project_code"])
        codes |= set(store.talks(db)["talk_no"])
        return codes | set(store.activities(db)["activity_no"]) | set(store.risks(db)["risk_code"])


def without(text: str, codes: set[str]) -> str:
    for code in sorted(codes, key=len, reverse=True):
        text = text.replace(code, " ")
    return text


def raw_dates(texts: list[str], lang: str, codes: set[str] = frozenset()) -> list[str]:
    from metrics import i18n

    allowed = {i18n.t("tg.effective_help", lang)}  # says how to type a month
    return [t for t in texts if RAW_DATE.search(MARKUP.sub(" ", without(t, codes))) and t not in allowed]


@pytest.mark.parametrize("walk", WALKS, ids=walk_id)
def test_chinese_ui_shows_no_english(admin, demo_db, walk):
    page, dept = walk
    at = _run(page, "zh", admin, dept)
    users, codes = user_names(demo_db), identifiers(demo_db)
    texts = shown_texts(at)
    found = {t: latin_words(without(t, codes), users) for t in texts}
    assert not {t: w for t, w in found.items() if w}
    assert not raw_dates(texts, "zh", codes)
    # a selectbox whose value is None shows its placeholder instead of the choice (the rebase and audit-user boxes
    # offered None as "do not recalculate" / "everyone"); the profile opened without a department asks for one: its
    # picker is empty on purpose, under a prompt in the page's language
    asking = {i18n.t("trends.dept", "zh")} if page == "pages/department.py" and not dept else set()
    assert not [b.label for b in at.selectbox if b.value is None and b.label not in asking]


@pytest.mark.parametrize("walk", WALKS, ids=walk_id)
def test_english_ui_shows_no_chinese(admin, demo_db, walk):
    page, dept = walk
    at = _run(page, "en", admin, dept)
    data = data_words(demo_db)
    texts = shown_texts(at)
    found = {t: chinese_runs(t, data) for t in texts}
    assert not {t: w for t, w in found.items() if w}
    assert not raw_dates(texts, "en", identifiers(demo_db))


def test_pages_are_all_walked():
    assert len(PAGES) >= 11 and "pages/briefing.py" in PAGES and "pages/users.py" in PAGES
