"""User management (admins only): add users, change roles, reset passwords, unlock, remove."""

import streamlit as st

import ui
from metrics import i18n
from metrics.access import grants as hospital_grants
from metrics.access import sessions
from metrics.access import users as accounts

ui.require_role("admin")
lang = ui.lang()
me = ui.current_user()
FLASH = "_users_flash"


def _done(what: str) -> None:
    st.session_state[FLASH] = ui.t("users.done", what=what)
    st.rerun()


st.title(ui.t("users.title"))
if st.session_state.get(FLASH):
    st.success(st.session_state.pop(FLASH))

# load and show
users = accounts.list_users()
names = users["username"].tolist()
group = bool(ui.hospital_codes())  # a one-hospital store shows no hospital and no commission role
if group:
    grants = hospital_grants.user_grants()
    users = users.assign(hospitals=users["username"].map(lambda u: "、".join(grants.get(u, ()))))
roles = accounts.ROLES if group else tuple(r for r in accounts.ROLES if r != "commission")
st.subheader(ui.t("users.list"))
shown = users.assign(
    role=users["role"].map(lambda r: ui.t(f"role.{r}")),
    active=users["active"].astype(bool),
    created_at=users["created_at"].map(lambda ts: i18n.fmt_datetime(ts, ui.lang())),
    locked_until=users["locked_until"].map(
        lambda ts: "" if ts is None or ts != ts else i18n.fmt_datetime(ts, ui.lang())
    ),
)
st.dataframe(shown.rename(columns={c: ui.t(f"users.col.{c}") for c in shown.columns}), hide_index=True, width="stretch")

role_label = {r: ui.t(f"role.{r}") for r in roles}
add_tab, role_tab, pw_tab, unlock_tab, signout_tab, remove_tab = st.tabs(
    [
        ui.t("users.add"),
        ui.t("users.change_role"),
        ui.t("users.reset_password"),
        ui.t("users.unlock"),
        ui.t("users.end_sessions"),
        ui.t("users.remove"),
    ]
)
try:
    with add_tab, st.form("user_add", clear_on_submit=True):
        name = st.text_input(ui.t("auth.username"))
        role = st.selectbox(
            ui.t("users.role"), roles, format_func=role_label.get, placeholder=ui.t("select.placeholder")
        )
        pw1 = st.text_input(ui.t("auth.password"), type="password")
        pw2 = st.text_input(ui.t("users.password_confirm"), type="password")
        if st.form_submit_button(ui.t("users.add_submit"), type="primary"):
            if pw1 != pw2:
                raise accounts.AuthError("auth.err.password_mismatch")
            accounts.add_user(name, pw1, role, actor=me)
            _done(f"{ui.t('users.add')} {name.strip()}")
    with role_tab, st.form("user_role"):
        who = st.selectbox(ui.t("users.pick"), names, key="role_user", placeholder=ui.t("select.placeholder"))
        role = st.selectbox(
            ui.t("users.role"),
            roles,
            format_func=role_label.get,
            key=f"role_role.{ui.lang()}",
            placeholder=ui.t("select.placeholder"),
        )
        if st.form_submit_button(ui.t("users.apply")) and who:
            accounts.set_role(who, role, actor=me)
            _done(f"{ui.t('users.change_role')} {who} → {role_label[role]}")
    with pw_tab, st.form("user_passwd", clear_on_submit=True):
        who = st.selectbox(ui.t("users.pick"), names, key="pw_user", placeholder=ui.t("select.placeholder"))
        pw1 = st.text_input(ui.t("users.new_password"), type="password")
        pw2 = st.text_input(ui.t("users.password_confirm"), type="password")
        if st.form_submit_button(ui.t("users.apply")) and who:
            if pw1 != pw2:
                raise accounts.AuthError("auth.err.password_mismatch")
            accounts.set_password(who, pw1, actor=me)
            _done(f"{ui.t('users.reset_password')} {who}")
    with unlock_tab, st.form("user_unlock"):
        who = st.selectbox(ui.t("users.pick"), names, key="unlock_user", placeholder=ui.t("select.placeholder"))
        if st.form_submit_button(ui.t("users.apply")) and who:
            accounts.unlock_user(who, actor=me)
            _done(f"{ui.t('users.unlock')} {who}")
    with signout_tab, st.form("user_end_sessions"):
        st.caption(ui.t("users.end_sessions_help"))
        who = st.selectbox(ui.t("users.pick"), names, key="end_sessions_user", placeholder=ui.t("select.placeholder"))
        if st.form_submit_button(ui.t("users.apply")) and who:
            n = sessions.end_user_sessions(who, actor=me)
            _done(ui.t("users.sessions_ended", user=who, n=n))
    with remove_tab, st.form("user_remove"):
        who = st.selectbox(ui.t("users.pick"), names, key="remove_user", placeholder=ui.t("select.placeholder"))
        sure = st.checkbox(ui.t("users.remove_confirm"))
        if st.form_submit_button(ui.t("users.apply")) and who and sure:
            accounts.remove_user(who, actor=me)
            _done(f"{ui.t('users.remove')} {who}")
except accounts.AuthError as e:
    st.error(e.message(lang))

st.divider()
# "viewers must sign in": written only when the admin flips the toggle (its callback), and only if
# the store still holds the value this page showed (compare-and-set); every run re-reads the store and shows it.
TOGGLE, SHOWN = "require_login", "_require_login_shown"


def _flip_require_login() -> None:
    # a callback runs before the next run's access check: check the role again, as stored now
    if not ui.can("admin"):
        return
    shown = st.session_state.get(SHOWN)
    wanted = bool(st.session_state.get(TOGGLE))
    if shown is None or not sessions.set_login_required(wanted, actor=ui.current_user(), expected=shown):
        st.session_state[FLASH] = None
        st.session_state[STALE] = True
    else:
        st.session_state[FLASH] = ui.t("users.done", what=ui.t("users.require_login"))


STALE = "_require_login_stale"
env_set = sessions.login_required_by_env()
required = sessions.login_required()
st.session_state[TOGGLE] = st.session_state[SHOWN] = required
st.toggle(ui.t("users.require_login"), disabled=env_set, key=TOGGLE, on_change=_flip_require_login)
if st.session_state.pop(STALE, False):
    st.warning(ui.t("users.require_login_stale"))
