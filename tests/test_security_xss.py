"""Hostile text end to end (PRODUCT §7): upload → every page → exports. Department names and event descriptions
such as ``<script>alert(1)</script>`` or ``**科室**`` show literally, never as HTML or Markdown, and cells a
spreadsheet would run as formulas are neutralised in every CSV we export."""

from __future__ import annotations

import csv
import io
import re

import pytest
from streamlit.testing.v1 import AppTest

from metrics import briefing, i18n, store
from metrics.access import sessions, users
from metrics.ingest import export, importer
from metrics.views import audit
from tests.conftest import ROOT

SCRIPT = "<script>alert(1)</script>"
BOLD = "**科室**"
FORMULA = '=HYPERLINK("http://evil.example","点击")'
AT = "@SUM(1+1)"
IMG = "<img src=x onerror=alert(2)>"
NAMES = {"K01": SCRIPT, "K20": BOLD, "K07": FORMULA, "K13": AT}
PAGES = [
    "pages/overview.py",
    "pages/trends.py",
    "pages/matrix.py",
    "pages/events.py",
    "pages/awards.py",
    "pages/risks.py",
    "pages/targets.py",
    "pages/briefing.py",
    "pages/upload.py",
    "pages/audit.py",
    "pages/users.py",
]
# Rendered markdown would turn these into HTML or emphasis; escaped markdown (\*\*, &lt;) does not contain them.
RENDERED = (SCRIPT, BOLD, IMG, "<img", "<script")


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory, demo_template):
    """The demo store with four departments renamed to hostile text and an event described with HTML."""
    import shutil

    path = tmp_path_factory.mktemp("xss") / "store.db"
    with store.opened(demo_template) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(demo_template, path)
    rows = "".join(f'{code},"{name.replace(chr(34), chr(34) * 2)}",临床\n' for code, name in NAMES.items())
    report = importer.commit(("科室编码,科室名称,科室类别\n" + rows).encode(), "=cmd.csv", user="ed", db_path=path)
    assert report.committed, report.problems
    with store.opened(path) as db:
        last = db.execute("SELECT MAX(event_date) FROM events").fetchone()[0]
    events = f"发生日期,科室编码,类型,指标,事件描述,状态\n{last},K01,否决,V04,{IMG} {BOLD},已认定\n"
    assert importer.commit(events.encode(), "events.csv", user="ed", db_path=path).committed
    return path


@pytest.fixture
def admin_token(hostile_store, monkeypatch, cheap_hashing):
    monkeypatch.setenv(store.DB_ENV, str(hostile_store))
    if not users.admin_exists():
        users.add_user("admin", "correct horse 9", "admin")
    return sessions.start_session("admin")


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _texts(at: AppTest) -> tuple[list[str], list[str]]:
    """(literal texts: dataframe cells, st.text, st.code, widget options; texts rendered as Markdown/HTML)."""
    literal, rendered = [], []
    for root in (at.main, at.sidebar):
        for el in _walk(root):
            kind = getattr(el, "type", "")
            if kind in ("arrow_data_frame", "dataframe", "table"):
                df = el.value
                literal += [str(v) for v in df.astype(str).to_numpy().ravel()]
            elif kind in ("text", "code"):
                literal.append(str(el.value))
            elif hasattr(el, "options"):
                literal += [str(o) for o in el.options]
            elif hasattr(el, "proto") and hasattr(el.proto, "body"):
                rendered.append(el.proto.body)
                assert not getattr(el.proto, "allow_html", False) or not any(p in el.proto.body for p in RENDERED)
    return literal, rendered


def _live(body: str) -> bool:
    """True when Markdown ``body`` holds a payload unescaped (a backslash-escaped character is shown as itself)."""
    plain = re.sub(r"\\.", "§", body)
    return any(p in plain for p in RENDERED)


def test_hostile_text_shows_literally_on_every_page_and_never_as_markdown_or_html(admin_token):
    seen: set[str] = set()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.session_state["_auth_token"] = admin_token
    at.run()
    for path in PAGES:
        at.switch_page(path).run()
        assert not at.exception, (path, at.exception)
        # no page failed (the awards page's red flag of a department in 公示 that is not eligible is content)
        flag = re.escape(i18n.ZH["aw.notice_flag"]).replace(r"\{n\}", r"\d+").replace(r"\{year\}", r"\d+")
        errors = [e.value for e in at.error if not re.fullmatch(flag, e.value)]
        assert not errors, (path, errors)
        literal, rendered = _texts(at)
        for body in rendered:
            assert not _live(body), f"{path}: rendered as Markdown/HTML: {body[:200]!r}"
        seen |= {p for p in (*NAMES.values(), IMG) if any(p in s for s in literal)}
    assert seen == {SCRIPT, BOLD, FORMULA, AT, IMG}  # each payload did reach some page, literally


def test_exported_csv_neutralises_formulas_and_keeps_the_text(hostile_store, tmp_path):
    paths = {p.stem: p for p in export.export_all(tmp_path, db_path=hostile_store)}
    raw = paths["departments"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel opens it as UTF-8
    names = {r["dept_code"]: r["dept_name"] for r in csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))}
    assert names["K01"] == SCRIPT and names["K20"] == BOLD
    assert names["K07"] == "'" + FORMULA and names["K13"] == "'" + AT
    for p in paths.values():  # no cell of any exported table starts like a formula
        for row in csv.reader(io.StringIO(p.read_bytes().decode("utf-8-sig"))):
            assert not any(cell[:1] in ("=", "+", "@", "\t", "\r") for cell in row), (p.name, row)
            assert not any(cell[:1] == "-" and not _is_number(cell) for cell in row), (p.name, row)


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def test_audit_export_neutralises_a_hostile_file_name(hostile_store, monkeypatch):
    monkeypatch.setenv(store.DB_ENV, str(hostile_store))
    data = audit.audit_csv(audit.audit_frame(actions=["upload"]))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert "'=cmd.csv" in [r["target"] for r in rows]
    assert not any(v.startswith(("=", "+", "@")) for r in rows for v in r.values() if v)


def test_briefing_html_escapes_hostile_names(hostile_store):
    with store.opened(hostile_store) as db:
        b = briefing.build(db, briefing.default_quarter(db))
    page = briefing.to_html(b)
    assert SCRIPT not in page and IMG not in page and "<img" not in page


def test_error_report_of_a_rejected_upload_neutralises_formula_values(hostile_store):
    data = "月份,科室编码,患者满意度\n2023-04,K01,=1+2\n2023-05,K01,@SUM(A1)\n".encode()
    report = importer.preview(data, "bad.csv", db_path=hostile_store)
    assert not report.can_commit()
    rows = list(csv.reader(io.StringIO(export.csv_bytes(report.problems_frame()).decode("utf-8-sig"))))
    values = [cell for row in rows[1:] for cell in row]
    assert "'=1+2" in values and "'@SUM(A1)" in values
    assert not any(v.startswith(("=", "@")) for v in values)
