"""Entry point: `streamlit run dashboard.py`. Sidebar chrome, then the navigation between pages."""

from __future__ import annotations

import functools
import logging

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.util import calc_hash

import ui
from metrics import i18n
from metrics.access import sessions, users

log = logging.getLogger("integrity")
if not log.handlers:
    _h = logging.StreamHandler()
    _h.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(_h)
    log.setLevel(logging.INFO)


@st.cache_resource(show_spinner=False)
def _announce_first_admin() -> None:
    """Once per server process: tell the operator in the console how to create the first administrator."""
    if not users.admin_exists():
        log.warning(i18n.t("auth.no_admin_log", i18n.DEFAULT_LANG, cmd=users.FIRST_ADMIN_CMD))  # the console's language


# Presentation mode (PRODUCT §6): ?present=1 opens with the sidebar closed; pages/briefing.py hides the chrome.
PRESENTING = st.query_params.get("present") == "1"
st.set_page_config(
    page_title=i18n.t("app.title"),
    page_icon="🏥",
    layout="wide",
    initial_sidebar_state="collapsed" if PRESENTING else "auto",
)

lang = ui.lang()
ui.store_guard()  # a broken store: a friendly page (zh/en), the details in the server log, nothing else runs
st.html(ui.CHROME_CSS)  # no English from Streamlit's own menu and table toolbar (see ui.PLOTLY_CONFIG)
with st.sidebar:
    ui.guarded(ui.hospital_selector)  # a group store: which hospital every page shows
    choice = st.radio(
        i18n.t("app.lang"), ["中文", "English"], index=0 if lang == "zh" else 1, horizontal=True, key="_lang_radio"
    )
    new_lang = "zh" if choice == "中文" else "en"
    if new_lang != lang:
        st.session_state[ui.LANG_KEY] = new_lang
        st.rerun()
    # access: who is signed in, read from the store on every run
    user = ui.guarded(ui.signed_in_user)
    if user:
        st.caption(ui.t("auth.signed_in_as", user=user.username, role=ui.t(f"role.{user.role}")))
        if st.button(ui.t("auth.sign_out"), key="_sign_out"):
            ui.sign_out()
            st.rerun()
    else:
        st.caption(ui.t("auth.anonymous_required" if ui.guarded(sessions.login_required) else "auth.anonymous"))
_announce_first_admin()

PAGES = [
    ("pages/region.py", "nav.region", "region", ":material/lan:"),
    ("pages/overview.py", "nav.overview", "overview", ":material/dashboard:"),
    ("pages/trends.py", "nav.trends", "trends", ":material/show_chart:"),
    ("pages/department.py", "nav.department", "department", ":material/apartment:"),
    ("pages/matrix.py", "nav.matrix", "matrix", ":material/grid_view:"),
    ("pages/events.py", "nav.events", "events", ":material/traffic:"),
    ("pages/awards.py", "nav.awards", "awards", ":material/workspace_premium:"),
    ("pages/tasks.py", "nav.tasks", "tasks", ":material/checklist:"),
    ("pages/activities.py", "nav.activities", "activities", ":material/campaign:"),
    ("pages/brands.py", "nav.brands", "brands", ":material/stars:"),
    ("pages/risks.py", "nav.risks", "risks", ":material/shield:"),
    ("pages/targets.py", "nav.targets", "targets", ":material/flag:"),
    ("pages/briefing.py", "nav.briefing", "briefing", ":material/co_present:"),
    ("pages/upload.py", "nav.upload", "upload", ":material/upload_file:"),
    ("pages/audit.py", "nav.audit", "audit", ":material/history:"),
    ("pages/users.py", "nav.users", "users", ":material/group:"),
    ("pages/login.py", "nav.login", "login", ":material/login:"),
]
# Access (PRODUCT §7): the least role that sees a page (others: everyone). Each of these pages also refuses
# server-side with ui.require_role, so a URL typed by hand gets nowhere.
PAGE_ROLES = {"upload": "editor", "audit": "admin", "users": "admin"}
MANAGE_PAGES = {"upload", "targets", "audit", "users", "login"}


# ui.can with the user looked up once per run, asked once per role (one store read, not one per page)
_can = functools.cache(lambda role: ui.guarded(ui.can, role, user))


# the region overview (PRODUCT §9): only for a user who may read more than one hospital of a group store
_many = len(ui.guarded(ui.readable_hospitals)) > 1


def _visible(url: str) -> bool:
    if url == "login":
        return True  # signed in, it greets the user; kept registered so a sign-in rerun stays on it
    if url == "region":
        return _many
    return _can(PAGE_ROLES.get(url, "viewer"))


def _requested_path() -> str:
    """The address the browser asked for ("" for the home page), as Streamlit's page manager will match it."""
    ctx = get_script_run_ctx()
    return (ctx.pages_manager.intended_page_name or "") if ctx else ""


def _asked_for(url: str) -> bool:
    """True when this run was asked for the page at ``url`` (typed, or a rerun there, which asks by the page's hash)."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return False
    asked_hash = ctx.pages_manager.intended_page_script_hash
    return asked_hash == calc_hash(url) if asked_hash else ctx.pages_manager.intended_page_name == url


# Signing in at /login itself opens the home page (区域总览 for a reader of several hospitals, else 总览), not the
# login page again with "欢迎". It is chosen for this very run, not by st.switch_page: that rerun would replace a
# page the user clicked while the password was being checked.
_just_signed_in = st.session_state.pop(ui.JUST_SIGNED_IN_KEY, False)
if _just_signed_in and user and _asked_for("login"):
    # the overview by being the default page ("/"), as a visit to the home page opens it; the region by its address
    get_script_run_ctx().pages_manager.set_script_intent("", "region" if _many else "")

home = "overview"
# Streamlit gives the default page the address "" and matches a typed address against it, so the home page's own
# address (/overview, a bookmark or a reload there) would find no page: the English "Page not found" dialog over it,
# the whole page inert until closed. When the address asked for is the home page's own, it is not the default.
_asked_home = _requested_path() == home
_sections: dict[str, list] = {}
if not _visible("overview"):
    # Sign-in required and nobody signed in: "/" and every page's address (a deep link) show the login form, from
    # hidden pages, so no address is "not found"; /login stays /login (a default page has no address of its own).
    home = "_signin"
    _sections[ui.t("nav.section.manage")] = [
        st.Page("pages/login.py", title=ui.t(k), url_path=u, default=(u == home), visibility="hidden")
        for k, u in [("nav.login", home)] + [(key, url) for _, key, url, _ in PAGES if url != "login"]
    ]
for path, key, url, icon in PAGES:
    if home == "overview" or _visible(url):
        # Every page is registered for everyone: one the user may not open is hidden from the sidebar, and its
        # typed address lands on the page itself, which refuses in the user's language (ui.require_role) —
        # never Streamlit's English "Page not found" dialog.
        section = ui.t("nav.section.manage" if url in MANAGE_PAGES else "nav.section.browse")
        _sections.setdefault(section, []).append(
            st.Page(path, title=ui.t(key), url_path=url, icon=icon, default=(url == home and not _asked_home),
                    visibility="visible" if _visible(url) else "hidden")
        )  # fmt: skip
# An address that matches no page: a hidden page at exactly that address says so in the user's language (Streamlit
# would otherwise send its English dialog and run the home page). An address with "/" cannot be a page's address.
_asked = _requested_path() or st.session_state.get(ui.NOT_FOUND_KEY, "")  # a rerun there asks by the page's hash
# (the default page's url_path reads "", yet its own address is taken too)
if _asked and "/" not in _asked and _asked not in {home} | {p.url_path for ps in _sections.values() for p in ps}:
    st.session_state[ui.NOT_FOUND_KEY] = _asked
    # sign-in required and nobody signed in: the login form there too, as at every page's address
    _path, _title = ("pages/login.py", "nav.login") if home == "_signin" else ("pages/notfound.py", "nav.notfound")
    _sections.setdefault(ui.t("nav.section.browse"), []).append(
        st.Page(_path, title=ui.t(_title), url_path=_asked, visibility="hidden")
    )
# The app's own navigation is drawn in the sidebar; .streamlit/config.toml keeps Streamlit's listing of pages/ hidden
# until here (a process-wide option: set by the first run, and every later session gets the sidebar at once).
if not st.get_option("client.showSidebarNavigation"):
    st.set_option("client.showSidebarNavigation", True)
# every page listed: collapsed, Streamlit hides the last ones behind its English "View 3 more"
nav = st.navigation(_sections, expanded=True)
if ui.guarded(ui.is_demo_store):
    st.warning(ui.t("app.demo_banner"), icon=":material/science:")
try:
    nav.run()
except Exception as e:  # a friendly message for the user, the full traceback in the server log
    log.exception("page %s failed (store %s)", nav.url_path, ui.store_name())
    st.error(ui.store_message(e))
