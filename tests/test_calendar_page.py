"""The holiday-schedule editor at the end of the targets page (PRODUCT §4.1), in Chinese, on a real store:
a year not entered shows the computed statutory holidays as a suggestion and says the 调休 are unknown; an editor's
save goes through the calendar validator and the batch write of an upload; viewers only read."""

from __future__ import annotations

import json
from datetime import date

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

from metrics import clock, store
from metrics.access import users
from metrics.ingest import importer
from metrics.rules import awards, workdays
from tests.conftest import page_as

PW = "correct horse 9"
YEAR = 2027  # beyond chinesecalendar (it stops at 2026): the statutory holidays, 调休 unknown until entered


pytestmark = pytest.mark.usefixtures("cheap_hashing")


@pytest.fixture
def accounts(db_file):
    users.add_user("ed", PW, "editor")
    users.add_user("vi", PW, "viewer")
    return db_file


def targets_page(user: str) -> AppTest:
    at = page_as("pages/targets.py", user, first_run=True)
    # The editor opens on the next year whose 调休 are not known: 2027 until then, this year afterwards.
    assert at.selectbox(key="calendar_year").value == max(clock.today().year, 2027)
    at.selectbox(key="calendar_year").set_value(YEAR).run()
    return at


def submit_grid(at: AppTest, editor_key: str, button_key: str, edits: dict) -> AppTest:
    """Press an editor's save button with edits made in its data editor (AppTest cannot type into a data editor:
    the edits go in as the browser would send them — the widget's JSON state next to the button's click)."""
    grid = next(e for e in at._tree if getattr(e, "key", None) == editor_key)
    at.button(key=button_key).click()
    states = at._tree.get_widget_states()
    states.widgets.append(WidgetState(id=grid.proto.id, string_value=json.dumps(edits, ensure_ascii=False)))
    at._tree._runner._run(states)
    assert not at.exception, at.exception
    return at


def stored(db_file) -> list[tuple]:
    with store.opened(db_file) as db:
        return [tuple(r) for r in store.calendar_days(db).itertuples(index=False, name=None)]


def texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def test_editor_suggests_statutory_holidays_saves_them_then_an_edit_with_a_ban_day(accounts):
    at = targets_page("ed")
    warning = [w.value for w in at.warning if "调休上班日未知" in w.value]
    assert warning and f"{YEAR}年尚未录入" in warning[0]
    statutory = workdays.statutory_holidays(YEAR)
    # Saving the suggestion unchanged enters the statutory holidays, one batch like an upload.
    at.button(key="calendar_save").click().run()
    assert not at.exception, at.exception
    assert [d for d, _, _ in stored(accounts)] == [d.isoformat() for d in statutory]
    assert {k for _, k, _ in stored(accounts)} == {"off"}
    assert at.success[0].value == f"已保存{YEAR}年的节假日安排：新增 {len(statutory)} 天，修改 0 天，删除 0 天。"
    assert any(c.value.startswith(f"{YEAR}年已录入 {len(statutory)} 天") for c in at.caption)
    with store.opened(accounts) as db:
        batch = store.batches(db).iloc[0]
        audit = db.execute("SELECT user, action FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    assert (batch["kind"], batch["file_name"], batch["user"]) == ("calendar", store.EDIT_FILE_NAME, "ed")
    assert audit == ("ed", "calendar_edit")

    # Edit: row 1 (元旦) becomes a 班 day named 调休, a Saturday 班 day is added, the last row (国庆 10-03) goes.
    n = len(statutory)
    saturday = date(2027, 2, 20)
    edits = {
        "edited_rows": {"0": {"kind": "班", "name": "调休"}},
        "added_rows": [{"date": saturday.isoformat(), "kind": "班", "name": "春节调休上班"}],
        "deleted_rows": [n - 1],
    }
    submit_grid(at, f"calendar_editor_{YEAR}", "calendar_save", edits)
    assert at.success[0].value == f"已保存{YEAR}年的节假日安排：新增 1 天，修改 1 天，删除 1 天。"
    days = {d: (k, name) for d, k, name in stored(accounts)}
    assert days[f"{YEAR}-01-01"] == ("work", "调休")
    assert days[saturday.isoformat()] == ("work", "春节调休上班")
    assert f"{YEAR}-10-03" not in days and len(days) == n
    # The rules see the stored schedule: a 公示 from Tue 2027-02-16 counts Tue–Fri and the 班 Saturday → ends Sat
    # 02-20 (Mon 02-22 without it), and nothing is flagged: 2027 is entered.
    with store.opened(accounts) as db:
        cal = workdays.Calendar.from_frame(store.calendar_days(db))
    assert awards.public_notice_end("2027-02-16", cal) == (date(2027, 2, 20), False)
    # The edit is a batch: rolling it back restores the saved suggestion exactly.
    with store.opened(accounts) as db:
        latest = int(store.batches(db).iloc[0]["batch_id"])
    importer.rollback(latest, user="ed", db_path=accounts)
    assert [d for d, _, _ in stored(accounts)] == [d.isoformat() for d in statutory]


def test_editor_errors_name_the_row_and_save_nothing(accounts):
    at = targets_page("ed")
    n = len(workdays.statutory_holidays(YEAR))
    edits = {
        "edited_rows": {},
        "added_rows": [
            {"date": f"{YEAR}-02-30", "kind": "休", "name": ""},
            {"date": f"{YEAR}-01-01", "kind": "班", "name": ""},
        ],
        "deleted_rows": [],
    }
    submit_grid(at, f"calendar_editor_{YEAR}", "calendar_save", edits)
    assert stored(accounts) == []
    assert "有错误，未保存任何修改。" in [e.value for e in at.error]
    shown = texts(at)
    assert any(t.startswith(f"第 {n + 1} 行，日期“{YEAR}-02-30”：无法识别的日期") for t in shown), shown
    assert any(t.startswith(f"第 {n + 2} 行，日期“{YEAR}-01-01”：与第 1 行重复") for t in shown), shown


def test_viewer_reads_the_schedule_without_an_editor(accounts):
    at = targets_page("vi")
    assert not [b for b in at.button if b.key == "calendar_save"]
    assert "只读。编辑人员登录后可录入节假日安排。" in [c.value for c in at.caption]
    shown = at.dataframe[-1].value
    assert list(shown["kind"].unique()) == ["休"] and len(shown) == len(workdays.statutory_holidays(YEAR))
