"""PRODUCT §6: no row is dropped silently. A slide table that does not fit continues on a following slide titled
"… (2/2)" — in presentation mode, the HTML and the PPTX alike; "另有 N 项" alone is not enough. (Slide 6 names the
departments beyond what fits in one line, as §6 says.)"""

from __future__ import annotations

import io
import re
from datetime import date

import pytest

from metrics import briefing, safe, store
from metrics.views import ViewKey
from metrics.views import briefing as briefing_view

TODAY = date(2026, 12, 7)
TABLES = {"events": briefing.events_table, "awards": briefing.awards_table, "tasks": briefing.tasks_table,
          "notices": briefing.notices_table}  # fmt: skip


def _briefings(demo_db, lang):
    with store.opened(demo_db) as db:
        return [briefing.build(db, q, lang, today=TODAY) for q in briefing.available_quarters(db)[:4]]


def _pptx_slides(data: bytes) -> list[tuple[str, list[tuple[str, ...]]]]:
    """Each slide's title and the body rows of its tables."""
    from pptx import Presentation

    out = []
    for s in Presentation(io.BytesIO(data)).slides:
        texts = [sh.text_frame.text for sh in s.shapes if sh.has_text_frame and sh.text_frame.text.strip()]
        rows = []
        for sh in s.shapes:
            if sh.has_table:
                rows += [tuple(c.text for c in r.cells) for r in list(sh.table.rows)[1:]]
        out.append((texts[0].split("\n")[0] if texts else "", rows))
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_pptx_shows_every_row_continuing_on_following_slides(demo_db, lang):
    for b in _briefings(demo_db, lang):
        slides = _pptx_slides(briefing.to_pptx(b))
        shown = {r for _, rows in slides for r in rows}
        for name, make in TABLES.items():
            whole = make(b, None)
            missing = [r for r in whole.rows if r not in shown]
            assert not missing, (b.quarter, lang, name, len(missing), len(whole.rows))
        for title, _rows in slides:
            assert "更多" not in title
        text = "\n".join(t for t, _ in slides)
        assert not re.search(r"另有 \d+ (项|件|条)|and \d+ more", text)
        # a continued slide says so in its title
        for t in (t for t, _ in slides):
            m = re.search(r"[（(](\d+)/(\d+)[）)]$", t)
            if m:
                assert 1 <= int(m.group(1)) <= int(m.group(2)) > 1


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_pptx_table_is_a_header_without_rows(demo_db, lang):
    from pptx import Presentation

    for b in _briefings(demo_db, lang):
        for s in Presentation(io.BytesIO(briefing.to_pptx(b))).slides:
            for sh in s.shapes:
                if sh.has_table:
                    assert len(sh.table.rows) > 1, (b.quarter, lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_html_shows_every_row(demo_db, lang):
    for b in _briefings(demo_db, lang):
        html = briefing.to_html(b)
        for name, make in TABLES.items():
            for row in make(b, None).rows:
                cells = "".join(f"<td[^>]*>{re.escape(safe.html_text(c))}</td>" for c in row)
                assert re.search(cells, html), (b.quarter, lang, name, row)
        assert not re.search(r"另有 \d+ (项|件|条)|and \d+ more", html)


def _key(path, lang="zh", **choices) -> ViewKey:
    with store.opened(path) as db:
        version = store.data_version(db)
    return ViewKey.of(str(path), version, lang, today=TODAY, **choices)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_presentation_slides_show_every_row_each_page_fitting_both_screens(demo_db, lang):
    with store.opened(demo_db) as db:
        quarters = briefing.available_quarters(db)[:4]
    for q in quarters:
        view = briefing_view.build(_key(demo_db, lang, quarter=q))
        b = view.briefing
        shown = {r for s in view.slides for t in s.tables for r in t.tall.rows}
        short = {r for s in view.slides for t in s.tables for r in t.short.rows}
        for name, make in TABLES.items():
            rows = set(make(b, None).rows)
            assert rows <= shown and rows <= short, (q, lang, name)
        names = [s.name for s in view.slides]
        assert list(dict.fromkeys(names)) == list(briefing.SLIDES)  # continuations follow their slide
        for s in view.slides:
            if names.count(s.name) > 1:
                assert re.search(r"[（(]\d+/\d+[）)]$", s.title), s.title
