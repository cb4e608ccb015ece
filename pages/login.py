"""Sign-in (PRODUCT §7): user name and password, checked by metrics.access (argon2id, lockout, audit).

A click on another page during the password check must not lose the sign-in. Streamlit then starts the new run
at once and stops this one at its next session-state access (every access checks for a newer request). So the
check runs in the form's callback (first thing in the run, before the sidebar), the token goes into the session
*before* the check, and nothing between the check and the session row touches session state: a run stopped
earlier has changed nothing, one stopped later has signed the user in (the audit and the sessions agree). The
new run waits for the check (ui.signing_in), so the page clicked shows the user signed in."""

import streamlit as st

import ui
from metrics.access import lockout, sessions, users

REFUSED_KEY = "_login_refused"  # a refused sign-in, shown by the run after the callback
SECRET_KEY = "_login_secret"  # the browser's cookie as this run read it, for the callback of the next run


def _submit() -> None:
    username = st.session_state.get("login_username", "")
    password = st.session_state.pop("login_password", "")  # the password does not linger in session state
    # who is asking, for the lockout: the peer address, or the trusted proxy's X-Forwarded-For
    client = lockout.client_id(st.context.ip_address, st.context.headers.get("X-Forwarded-For"))
    with ui.signing_in(st.session_state.get(SECRET_KEY) or sessions.new_token()) as token:
        ui.sign_in(token)  # worthless until start_session stores it; the last session-state access before the check
        result = ui.guarded(lockout.authenticate, username, password, client=client)  # a read-only store: said so
        if result.ok:
            ui.guarded(sessions.start_session, result.username, token=token)
    if result.ok:
        st.session_state[ui.JUST_SIGNED_IN_KEY] = (
            True  # after the session row: a run stopped before it lands nowhere new
        )
    if not result.ok:
        st.session_state.pop(ui.TOKEN_KEY, None)
        st.session_state[REFUSED_KEY] = result


st.title(ui.t("auth.login_title"))

if not users.admin_exists():
    st.info(ui.t("auth.no_admin"))
    st.code(users.FIRST_ADMIN_CMD, language="bash")

user = ui.signed_in_user()
if user:
    st.session_state.pop(REFUSED_KEY, None)
    st.success(ui.t("auth.welcome", user=user.username))
    if st.button(ui.t("auth.sign_out"), key="login_sign_out"):
        ui.sign_out()
        st.rerun()
    st.stop()

# the sign-in is filed under the browser's secret (its cookie), so it lasts across reloads and tabs
st.session_state[SECRET_KEY] = ui.browser_secret()

st.caption(ui.t("auth.login_required_intro" if sessions.login_required() else "auth.login_intro"))
with st.form("login", clear_on_submit=True):  # cleared so the password does not linger in the browser
    st.text_input(ui.t("auth.username"), key="login_username")
    st.text_input(ui.t("auth.password"), type="password", key="login_password")
    st.form_submit_button(ui.t("auth.submit"), type="primary", on_click=_submit)

refused = st.session_state.pop(REFUSED_KEY, None)
if refused is not None:
    st.error(refused.message(ui.lang()))
