"""What stops a run before anything is drawn: a store that cannot be read (a friendly page, the details in the
server log), and who is signed in — the role checks every page makes server-side."""

from __future__ import annotations

import contextlib
import logging
import threading

import streamlit as st
from streamlit import runtime

from metrics import store
from metrics.access import sessions, users
from ui import warm
from ui.session import t


def store_problem_key(exc: BaseException) -> str | None:
    """The i18n key explaining a store failure, or None when ``exc`` is not one."""
    if isinstance(exc, store.ERRORS + (OSError,)):
        return store.problem_key(exc)
    return None


def store_name() -> str:
    """The store for the server log: its file, or its URL with the password hidden."""
    return store.masked(store.db_path())


def _store_failed(exc: BaseException) -> None:
    logging.getLogger("integrity").error("store %s failed", store.masked(store.db_path()), exc_info=exc)
    st.error(store_message(exc))
    st.stop()


def store_message(exc: BaseException) -> str:
    """What a page shows for a failure: the store's problem in words (details are in the server log)."""
    key = store_problem_key(exc)
    return t("store.page", message=t(key)) if key else t("app.error")


def store_guard() -> None:
    """Open the store once at the start of a run; when it cannot be read, show why and stop the run."""
    try:
        with store.opened() as db:
            version = store.data_version(db)
    except (*store.ERRORS, OSError) as e:
        _store_failed(e)
    warm.seen(
        str(store.db_path()), version
    )  # a new data version: the pages' default views worked out in the background


def guarded(fn, *args, **kwargs):
    """``fn(*args, **kwargs)``; a store failure shows the friendly page and stops the run."""
    try:
        return fn(*args, **kwargs)
    except (*store.ERRORS, OSError) as e:
        _store_failed(e)


def is_demo_store() -> bool:
    """True when the store holds the shipped demo data (meta ``demo``), so every page says so."""
    with store.opened() as db:
        return store.get_meta(db, "demo") == "1"


TOKEN_KEY = "_auth_token"
# Set by the sign-in form's callback: the run right after a sign-in at /login opens the home page instead (dashboard.py)
JUST_SIGNED_IN_KEY = "_just_signed_in"
_MAKE_COOKIE = """<script>
(() => {
  const name = "%s";
  if (!document.cookie.split("; ").some(c => c.startsWith(name + "="))) {
    const b = crypto.getRandomValues(new Uint8Array(32));
    const v = Array.from(b, x => x.toString(16).padStart(2, "0")).join("");
    const secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = name + "=" + v + "; Path=/; Max-Age=31536000; SameSite=Strict" + secure;
  }
  window.location.reload();
})();
</script>"""


# A click on another page while the password is being checked makes Streamlit start the new run at once, in
# parallel (runner.fastReruns), and stop the old one at its next session-state access. The check itself is
# never stopped (see pages/login.py); the new run waits here for it, so the page clicked shows the outcome.
_SIGNING_IN: dict[str, threading.Event] = {}  # token -> set once its password check has ended
SIGN_IN_WAIT_S = 30.0  # at most this long; a check takes well under a second on an idle server


def _on_server() -> bool:
    # AppTest installs a stand-in Runtime (a mock of the class): no browser can connect to it
    return runtime.exists() and type(runtime.get_instance()) is runtime.Runtime


def session_token() -> str | None:
    """The secret this run's sign-in is filed under: the browser's cookie on a server, None without one."""
    if not _on_server():
        token = st.session_state.get(TOKEN_KEY)
        return token if isinstance(token, str) else None
    value = st.context.cookies.get(auth_cookie())
    return value if sessions.is_session_secret(value) else None


def auth_cookie() -> str:
    return sessions.SESSION_COOKIE


def browser_secret() -> str:
    """The browser's secret for a sign-in (serve.py gave it with the page). Served without serve.py, a browser
    that did not send one makes it with a script, then the page reloads so its connection carries it; this run
    stops."""
    if not _on_server():
        return sessions.new_token()
    token = session_token()
    if token:
        return token
    st.html(_MAKE_COOKIE % auth_cookie(), unsafe_allow_javascript=True)
    st.caption(t("auth.preparing"))
    st.stop()


@contextlib.contextmanager
def signing_in(token: str):
    """Mark ``token`` as being checked while the block runs: runs reading it wait for the outcome."""
    done = threading.Event()
    _SIGNING_IN[token] = done
    try:
        yield token
    finally:
        done.set()
        _SIGNING_IN.pop(token, None)


def signed_in_user():
    """The signed-in metrics.access.users.User (role as stored now), or None for an anonymous viewer."""
    token = session_token()
    pending = _SIGNING_IN.get(token) if token else None
    if pending is not None:
        pending.wait(SIGN_IN_WAIT_S)
    return sessions.session_user(token)


def current_user() -> str | None:
    user = signed_in_user()
    return user.username if user else None


_ASK = object()


def can(role: str, user=_ASK) -> bool:
    """True when the signed-in user holds ``role`` (viewer < editor < admin); use it to hide edit widgets.
    When viewers must sign in (metrics.access.sessions.login_required), an anonymous visitor is not even a viewer.
    ``user``: the signed-in user (or None) when the caller has looked it up already this run (one store read)."""
    if user is _ASK:
        user = signed_in_user()
    if user is None:
        return role == "viewer" and not sessions.login_required()
    return users.has_role(user.role, role)


def require_role(role: str) -> None:
    """Stop the page unless the signed-in user holds ``role`` (checked server-side on every run)."""
    if not can(role):
        st.error(t("auth.refused", role=t(f"role.{role}")))
        st.stop()


def sign_in(token: str) -> str:
    """Under AppTest, keep ``token`` (from metrics.access) in the session; on a server the cookie holds it."""
    if not _on_server():
        st.session_state[TOKEN_KEY] = token
    return token


def sign_out() -> None:
    """End the sign-in server-side: every tab of this browser is signed out at its next run."""
    sessions.end_session(session_token())
    st.session_state.pop(TOKEN_KEY, None)
