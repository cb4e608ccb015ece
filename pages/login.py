"""Sign-in (issue 6): user name and password, checked by metrics.auth (argon2id, lockout, audit)."""

import streamlit as st

from metrics import auth
from pages import _common as ui

st.title(ui.t("auth.login_title"))

if not auth.admin_exists():
    st.info(ui.t("auth.no_admin"))
    st.code(auth.FIRST_ADMIN_CMD, language="bash")

user = ui.signed_in_user()
if user:
    st.success(ui.t("auth.welcome", user=user.username))
    if st.button(ui.t("auth.sign_out"), key="login_sign_out"):
        ui.sign_out()
        st.rerun()
    st.stop()

st.caption(ui.t("auth.login_required_intro" if auth.login_required() else "auth.login_intro"))
with st.form("login", clear_on_submit=True):  # cleared so the password does not linger in session state
    username = st.text_input(ui.t("auth.username"), key="login_username")
    password = st.text_input(ui.t("auth.password"), type="password", key="login_password")
    submitted = st.form_submit_button(ui.t("auth.submit"), type="primary")

if submitted:
    # who is asking, for the lockout (issue 12.6): the peer address, or the trusted proxy's X-Forwarded-For
    client = auth.client_id(st.context.ip_address, st.context.headers.get("X-Forwarded-For"))
    result = ui.guarded(auth.authenticate, username, password, client=client)  # a read-only store: said so
    st.session_state.pop("login_password", None)
    if result.ok:
        ui.sign_in(auth.start_session(result.username))
        st.rerun()
    else:
        st.error(result.message(ui.lang()))
