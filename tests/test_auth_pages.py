"""Access through the app (PRODUCT §7): what viewers, editors and admins can reach, whatever the URL or session says."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from metrics import i18n
from metrics.access import lockout, sessions, users
from metrics.views import audit
from tests.conftest import ROOT

PW = "correct horse 9"
REFUSED_ADMIN = "无权访问：此页面或操作需要「管理员」权限。请以有权限的账号登录。"
REFUSED_EDITOR = "无权访问：此页面或操作需要「编辑者」权限。请以有权限的账号登录。"


pytestmark = pytest.mark.usefixtures("cheap_hashing")


@pytest.fixture
def accounts(db_file):
    for name, role in (("admin", "admin"), ("ed", "editor"), ("vi", "viewer")):
        users.add_user(name, PW, role)
    return db_file


def _app(token: str | None = None, **state) -> AppTest:
    return _page("dashboard.py", token, **state)


def _page(path: str, token: str | None = None, **state) -> AppTest:
    """Run one page file on its own, as if its URL were opened with no navigation in front of it (the dashboard:
    the app as a browser opens it)."""
    at = AppTest.from_file(str(ROOT / path), default_timeout=60)
    if token:
        at.session_state["_auth_token"] = token
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def _registered(at: AppTest, path: str) -> bool:
    try:
        at.switch_page(path)
    except ValueError:  # "Could not find a navigation page": st.navigation did not register it
        return False
    return True


def _opened(at: AppTest, path: str) -> AppTest:
    """The page at its address, in this session (a typed URL: every page is registered, those the user may not
    open are hidden from the sidebar — tests/e2e/test_typed_urls_browser.py — and refuse themselves)."""
    at.switch_page(path)
    at.run()
    assert not at.exception, at.exception
    return at


def _errors(at) -> list[str]:
    return [e.value for e in at.error]


def _forms_and_uploads(at) -> int:
    return len(at.get("file_uploader")) + len(at.get("data_editor")) + len(at.button)


TAMPERED = {"_role": "admin", "_user": "admin", "role": "admin", "user": "admin", "_auth_token": "forged-token"}


@pytest.mark.parametrize("state", [{}, TAMPERED], ids=["anonymous", "tampered-session"])
def test_anonymous_or_tampered_session_cannot_reach_editor_or_admin_pages(accounts, state):
    at = _app(**state)
    assert "未登录，只读浏览。编辑需先登录。" in [c.value for c in at.sidebar.caption]
    for path, refusal in (("pages/upload.py", REFUSED_EDITOR), ("pages/audit.py", REFUSED_ADMIN),
                          ("pages/users.py", REFUSED_ADMIN)):  # fmt: skip
        assert _errors(_opened(at, path)) == [refusal], path
        assert not at.get("file_uploader") and not at.dataframe and not at.text_input, path
    assert _registered(at, "pages/overview.py") and _registered(at, "pages/login.py")


@pytest.mark.parametrize("state", [{}, TAMPERED], ids=["anonymous", "tampered-session"])
@pytest.mark.parametrize(
    "path, refusal",
    [("pages/upload.py", REFUSED_EDITOR), ("pages/audit.py", REFUSED_ADMIN), ("pages/users.py", REFUSED_ADMIN)],
)
def test_the_page_itself_refuses_without_the_role(accounts, path, refusal, state):
    at = _page(path, **state)
    assert _errors(at) == [refusal]
    assert not at.get("file_uploader") and not at.dataframe and not at.button and not at.text_input


def test_a_signed_in_viewer_is_refused_like_an_anonymous_one(accounts):
    token = sessions.start_session("vi")
    at = _app(token, _role="admin")
    assert "已登录：vi（查看者）" in [c.value for c in at.sidebar.caption]
    assert _errors(_opened(at, "pages/upload.py")) == [REFUSED_EDITOR] and not at.get("file_uploader")
    assert _errors(_opened(at, "pages/users.py")) == [REFUSED_ADMIN] and not at.dataframe
    assert _errors(_page("pages/upload.py", token, _role="editor")) == [REFUSED_EDITOR]
    assert _errors(_page("pages/users.py", token, _role="admin")) == [REFUSED_ADMIN]


def test_viewer_sees_targets_read_only_and_editor_can_edit(accounts):
    viewer = _page("pages/targets.py", sessions.start_session("vi"), _role="editor")
    assert not viewer.get("data_editor")
    assert not [b for b in viewer.button if b.key == "targets_save"]
    editor = _page("pages/targets.py", sessions.start_session("ed"))
    assert editor.get("data_editor")
    assert [b for b in editor.button if b.key == "targets_save"]


def test_editor_reaches_upload_but_not_admin_pages(accounts):
    token = sessions.start_session("ed")
    at = _app(token)
    assert _errors(_opened(at, "pages/users.py")) == [REFUSED_ADMIN] and not at.dataframe
    assert _errors(_opened(at, "pages/audit.py")) == [REFUSED_ADMIN] and not at.dataframe
    _opened(at, "pages/upload.py")
    assert not at.exception and not _errors(at)
    assert at.get("file_uploader")
    assert _errors(_page("pages/audit.py", token)) == [REFUSED_ADMIN]


def test_role_is_read_from_the_store_on_every_run(accounts):
    token = sessions.start_session("admin")
    at = _app(token)
    assert _registered(at, "pages/users.py")
    at.run()
    assert at.title[0].value == "用户管理" and not _errors(at)
    users.add_user("admin2", PW, "admin")
    users.set_role("admin", "viewer")  # demoted while the page is open
    at.run()
    assert _errors(at) == [REFUSED_ADMIN]
    assert not at.dataframe


def test_sign_in_page_signs_in_and_out(accounts):
    at = _app()
    at.switch_page("pages/login.py").run()
    assert not at.info  # an admin exists: no first-run hint
    at.text_input(key="login_username").input("ed")
    at.text_input(key="login_password").input(PW)
    at.button[-1].click().run()
    assert not _errors(at) and at.success[0].value == "欢迎，ed。"
    assert "login_password" not in at.session_state  # the password does not stay in the session
    token = at.session_state["_auth_token"]
    assert sessions.session_user(token) == users.User("ed", "editor")
    # the next page load (the whole app again) shows the user and the editor's pages
    at = _app(token)
    assert "已登录：ed（编辑者）" in [c.value for c in at.sidebar.caption]
    assert not _errors(_opened(at, "pages/upload.py")) and at.get("file_uploader")
    at = _app(token)
    assert at.sidebar.button(key="_sign_out").label == "退出登录"
    at.switch_page("pages/login.py").run()
    at.button(key="login_sign_out").click().run()
    assert "_auth_token" not in at.session_state
    assert sessions.session_user(token) is None  # signed out server-side: the old token is worthless
    at = _app(token)
    assert "未登录，只读浏览。编辑需先登录。" in [c.value for c in at.sidebar.caption]
    assert _errors(_opened(at, "pages/upload.py")) == [REFUSED_EDITOR] and not at.get("file_uploader")
    actions = audit.audit_frame()["action"].tolist()
    assert actions[:2] == ["signout", "signin.ok"]


def _try(at: AppTest, user: str, password: str) -> AppTest:
    at.text_input(key="login_username").input(user)
    at.text_input(key="login_password").input(password)
    return at.button[-1].click().run()


def test_sign_in_page_locks_after_five_failures(accounts):
    at = _app()
    at.switch_page("pages/login.py").run()
    for _ in range(4):
        assert _errors(_try(at, "ed", "wrong password")) == ["用户名或密码不正确。"]
    assert "已锁定 15 分钟" in _errors(_try(at, "ed", "wrong password"))[0]
    assert "已锁定 15 分钟" in _errors(_try(at, "ed", PW))[0]  # the right password does not help now
    assert "_auth_token" not in at.session_state
    assert users.list_users().set_index("username").loc["ed", "locked_until"] is not None


def test_first_run_tells_how_to_create_the_first_admin(db_file):
    at = _app()
    at.switch_page("pages/login.py").run()
    assert at.info[0].value == i18n.t("auth.no_admin", "zh")
    assert at.code[0].value == ".venv/bin/python -m metrics users add admin --role admin"


def test_when_sign_in_is_required_anonymous_visitors_see_only_the_login_page(accounts, monkeypatch):
    monkeypatch.setenv(sessions.REQUIRE_LOGIN_ENV, "1")
    at = _app()
    assert at.title[0].value == "登录"
    assert not _registered(at, "pages/overview.py") and not _registered(at, "pages/trends.py")
    at = _app(sessions.start_session("vi"))
    assert _registered(at, "pages/overview.py")
    assert _errors(_opened(at, "pages/upload.py")) == [REFUSED_EDITOR] and not at.get("file_uploader")


def test_admin_adds_a_user_on_the_users_page_and_it_is_audited(accounts):
    at = _app(sessions.start_session("admin"))
    at.switch_page("pages/users.py").run()
    assert set(at.dataframe[0].value["用户名"]) == {"admin", "ed", "vi"}
    form = at.get("form")[0]
    form.text_input[0].input("new.editor")
    form.selectbox[0].set_value("editor")
    form.text_input[1].input(PW)
    form.text_input[2].input(PW)
    form.button[0].click()
    at.run()
    assert not _errors(at), _errors(at)
    assert at.success[0].value == "已完成：新增用户 new.editor"
    assert "new.editor" in set(at.dataframe[0].value["用户名"])
    assert lockout.authenticate("new.editor", PW).role == "editor"
    added = audit.audit_frame(actions=["user.add"])
    assert added[added["target"] == "new.editor"].iloc[0]["user"] == "admin"


def test_admin_filters_the_audit_log(accounts):
    lockout.authenticate("ed", "wrong password")
    lockout.authenticate("vi", PW)
    at = _app(sessions.start_session("admin"))
    at.switch_page("pages/audit.py").run()
    assert not _errors(at)
    shown = at.dataframe[0].value
    assert {"登录失败", "登录成功", "新增用户"} <= set(shown["action"])
    at.selectbox(key="_w_audit_user.zh").set_value("ed").run()
    shown = at.dataframe[0].value
    assert set(shown["user"]) == {"ed"} and list(shown["action"]) == ["登录失败"]
    assert list(shown["sentence"]) == ["ed 登录失败：密码错误（连续第 1 次）"]
    assert at.caption[0].value == "共 1 条记录"


def test_audit_page_shows_uploads_rollbacks_and_target_edits_with_who_and_before_after(accounts):
    from metrics import store
    from metrics.ingest import importer

    depts = "科室编码,科室名称\nK01,内科\n".encode()
    batch = importer.commit(depts, "depts.csv", user="ed", db_path=accounts)
    assert batch.committed
    importer.rollback(batch.batch_id, user="ed", db_path=accounts)
    row = {"metric": "patient_satisfaction", "dept_code": "", "effective_from": "2000-01", "target": 92.0}
    edit = importer.commit_rows(
        "targets",
        [{**row, "direction": ">="}],
        source=store.EDIT_FILE_NAME,
        user="ed",
        action="target_edit",
        db_path=accounts,
    )
    assert edit.committed
    at = _app(sessions.start_session("admin"))
    at.switch_page("pages/audit.py").run()
    shown = at.dataframe[0].value
    ed = shown[shown["user"] == "ed"]
    assert list(ed["action"]) == ["修改目标", "回滚批次", "上传数据"]
    # each record as a sentence (the CSV download keeps the before/after JSON)
    edit, rollback, upload = ed["sentence"]
    assert edit == "ed 将 全院 的患者满意度目标从 90 改为 92"
    assert rollback.startswith(f"ed 回滚了批次 {batch.batch_id}（depts.csv），恢复")
    assert upload.startswith(f"ed 上传了 depts.csv（科室名录，批次 {batch.batch_id}：新增 1 行")
    from tests import downloads

    assert downloads.labels(at) == ["下载审计日志（CSV）", "下载备份"]


def test_when_sign_in_is_required_a_browsing_page_that_checks_refuses_anonymous_visitors(accounts, monkeypatch):
    monkeypatch.setenv(sessions.REQUIRE_LOGIN_ENV, "1")
    at = AppTest.from_string(
        "import ui\nui.require_role('viewer')\nimport streamlit as st\nst.text('secret')",
        default_timeout=30,
    )
    at.run()
    assert _errors(at) == ["无权访问：此页面或操作需要「查看者」权限。请以有权限的账号登录。"]
    assert not at.text
    at.session_state["_auth_token"] = sessions.start_session("vi")
    at.run()
    assert [t.value for t in at.text] == ["secret"] and not _errors(at)


def test_users_page_changes_a_role_and_refuses_to_remove_the_last_admin(accounts):
    at = _app(sessions.start_session("admin"))
    at.switch_page("pages/users.py").run()
    role_form = at.get("form")[1]
    role_form.selectbox(key="role_user").set_value("vi")
    role_form.selectbox(key="role_role.zh").set_value("editor")
    role_form.button[0].click()
    at.run()
    assert at.success[0].value == "已完成：修改角色 vi → 编辑者"
    assert users.list_users().set_index("username").loc["vi", "role"] == "editor"
    remove_form = next(f for f in at.get("form") if any(s.key == "remove_user" for s in f.selectbox))
    remove_form.selectbox(key="remove_user").set_value("admin")
    remove_form.checkbox[0].check()
    remove_form.button[0].click()
    at.run()
    assert _errors(at) == ["不能删除或降级最后一个管理员。"]
    assert "admin" in users.list_users()["username"].tolist()


def test_access_pages_speak_english_when_asked(accounts):
    at = _app(lang="en")
    assert "Not signed in: read-only browsing. Sign in to edit." in [c.value for c in at.sidebar.caption]
    at.switch_page("pages/login.py").run()
    assert at.title[0].value == "Sign in"
    assert _errors(_try(at, "ed", "wrong password")) == ["Wrong user name or password."]
    admin = _app(sessions.start_session("admin"), lang="en")
    admin.switch_page("pages/audit.py").run()
    assert admin.title[0].value == "Audit log"
    assert {"Sign-in failed", "User added"} <= set(admin.dataframe[0].value["action"])
    assert _errors(_page("pages/users.py", lang="en")) == [
        "Access refused: this page or action needs the “Administrator” role. Sign in with an account that holds it."
    ]


@pytest.mark.parametrize("lang, notice", [("zh", "页面不存在：地址「/nosuch」没有对应的页面。请从侧边栏选择页面。"),
                                          ("en", "There is no page at the address “/nosuch”. Choose a page in the sidebar.")])  # fmt: skip
def test_an_address_matching_no_page_gets_a_notice_in_the_users_language(accounts, lang, notice):
    # the address was typed in this session (the browser path: tests/e2e/test_typed_urls_browser.py); a rerun there
    # (a language switch) finds the notice again at that address
    at = _app(_not_found_path="nosuch", lang=lang)
    at.switch_page("pages/notfound.py").run()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning][-1] == notice
    assert not _errors(at) and not at.dataframe and not at.get("file_uploader") and not at.metric


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_sidebar_of_a_signed_out_visitor_says_what_the_store_allows(accounts, monkeypatch, lang):
    """Open browsing says it is read-only; with sign-in required it says to sign in, never 'read-only browsing'."""
    monkeypatch.delenv(sessions.REQUIRE_LOGIN_ENV, raising=False)
    side = [c.value for c in _app(lang=lang).sidebar.caption]
    assert i18n.t("auth.anonymous", lang) in side
    monkeypatch.setenv(sessions.REQUIRE_LOGIN_ENV, "1")
    side = [c.value for c in _app(lang=lang).sidebar.caption]
    assert i18n.t("auth.anonymous_required", lang) in side and i18n.t("auth.anonymous", lang) not in side
