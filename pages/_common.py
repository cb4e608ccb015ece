"""What every page shares: language, the store's data version, cached loaders, filters, access checks.

Pages import from here; nothing here computes business logic (that lives in metrics/).
Cache keys always include the store's data version (bumped by every commit) and anything role-dependent.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import threading
import urllib.parse

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from metrics import i18n, safe, store

# Fresh-server fix (issue 5, tests/e2e/test_first_interaction.py). Streamlit 1.67 sets the class flag
# PagesManager.uses_pages_directory from "a folder named pages/ exists" when the server starts, and only
# st.navigation clears it. Until then every run goes through its legacy multipage path (_mpa_v1): a deep link
# ran pages/<page>.py without dashboard.py (a file listing for navigation, no sign-in chrome), and "/" ran
# dashboard.py nested inside that legacy navigation, so the first click of the first session was lost.
# Every page and dashboard.py import this module, so the first run of a server clears the flag and restarts
# itself as a normal run of dashboard.py (st.navigation), before anything is drawn.

if PagesManager.uses_pages_directory:
    PagesManager.uses_pages_directory = False
    st.rerun()

LANG_KEY = "lang"
NOT_FOUND_KEY = "_not_found_path"  # the address that matched no page (dashboard.py → pages/notfound.py)


def md_escape(s: str) -> str:
    """``s`` with every Markdown character escaped, for uploaded text inside a widget label (labels accept Markdown);
    bidi / zero-width controls stripped (``safe.md_text``, the Markdown rule)."""
    return safe.md_text(s)


def lang() -> str:
    """The UI language chosen in the sidebar (zh by default; ?lang=en in the URL also works)."""
    if LANG_KEY not in st.session_state:
        q = st.query_params.get("lang")
        st.session_state[LANG_KEY] = q if q in i18n.LANGS else i18n.DEFAULT_LANG
    return st.session_state[LANG_KEY]


def t(key: str, **fmt) -> str:
    # One session-state read (lang() costs two, plus the query string on a first run): pages call this in loops
    # over thousands of departments at a region's scale (issue 7); hot loops should still pass ``lang`` instead.
    lg = st.session_state.get(LANG_KEY)
    return i18n.t(key, lg if lg is not None else lang(), **fmt)


def data_version() -> int:
    """The store's data version, read fresh on every script run (cheap: one row)."""
    with store.opened() as db:
        return store.data_version(db)


def view_key(**choices):
    """The frozen key of a page's view-model: this store, its data version, the language, ``choices`` and the
    hospital (``current_hospital``: checked against the user's grants before any view is built)."""
    from metrics.views import ViewKey

    version = data_version()
    return ViewKey.of(str(store.db_path()), version, lang(), hospital=current_hospital(version), **choices)


# --- hospitals (issue 16.3) ------------------------------------------------------------------------------------
# A one-hospital store (no hospital list) never shows a hospital: its hospital is ''. In a group or region store the
# hospital a page shows comes from the URL (?hospital=CODE), else the session (HOSPITAL_KEY), else the first the
# user may read; a URL naming a hospital the user may not read shows an error and stops the page — never its data.

HOSPITAL_PARAM = "hospital"
HOSPITAL_KEY = "hospital"


@st.cache_resource(show_spinner=False, max_entries=8)
def _hospital_codes(path: str, version: int) -> tuple[str, ...]:
    # the hospital list is a data kind: every change to it bumps the data version
    with store.opened(path) as db:
        return store.hospital_codes(db)


def hospital_codes(version: int | None = None) -> tuple[str, ...]:
    """The store's hospital codes in list order; () in a one-hospital store."""
    return _hospital_codes(str(store.db_path()), data_version() if version is None else version)


def readable_hospitals(version: int | None = None) -> tuple[str, ...]:
    """The hospitals the signed-in user (or an anonymous visitor) may read: ('',) in a one-hospital store."""
    from metrics.access import grants

    if not hospital_codes(version):
        return ("",)
    return grants.readable_hospitals(current_user())


def current_hospital(version: int | None = None) -> str:
    """The hospital this page shows ('' in a one-hospital store), checked against the user's readable hospitals on
    every run: ``?hospital=`` in the URL wins, then the session's choice, then the user's first hospital. Stops the
    page with an error when the URL names a hospital the user may not read, or the user may read none."""
    if not hospital_codes(version):
        return ""
    if current_user() is None:  # nobody signed in: a group store shows no hospital's data (issue 16.3)
        st.info(t("hospital.sign_in"))
        st.stop()
    readable = readable_hospitals(version)
    asked = st.query_params.get(HOSPITAL_PARAM)
    if not readable:  # first: signed out, the URL still names the hospital last shown (the selector keeps it there)
        st.error(t("hospital.err.none_readable"))
        st.stop()
    if asked is not None:
        refuse_unreadable(asked, version, readable)
    chosen = asked if asked is not None else st.session_state.get(HOSPITAL_KEY)
    if chosen not in readable:
        chosen = readable[0]
    st.session_state[HOSPITAL_KEY] = chosen
    from pages import _warm

    _warm.shown(str(store.db_path()), chosen)  # the warm after the next commit works out this hospital's views too
    return chosen


def refuse_unreadable(code: str, version: int | None = None, readable: tuple[str, ...] | None = None) -> None:
    """The one access check of the page layer: stop the page with an error unless the signed-in user may read
    hospital ``code`` ('' passes in a one-hospital store only)."""
    if readable is None:
        readable = readable_hospitals(version)
    if code not in readable and current_user() is None and hospital_codes(version):
        st.info(t("hospital.sign_in"))  # nobody signed in: sign in first, whichever hospital was asked for
        st.stop()
    if code not in readable:
        st.error(t("hospital.err.url_not_granted", code=safe.md_text(str(code))))
        st.stop()


def set_hospital(code: str) -> None:
    """Switch the session to hospital ``code`` (the selector calls it; the next run checks it like any other)."""
    st.session_state[HOSPITAL_KEY] = code
    if HOSPITAL_PARAM in st.query_params:
        st.query_params[HOSPITAL_PARAM] = code


@st.cache_resource(show_spinner=False, max_entries=16)
def _hospital_names(path: str, version: int, lg: str) -> dict[str, str]:
    from metrics.access import grants

    return grants.hospital_names(lg, path)


def hospital_names(version: int | None = None) -> dict[str, str]:
    """hospital code → its name in the page language ({} in a one-hospital store)."""
    return _hospital_names(str(store.db_path()), data_version() if version is None else version, lang())


def shown_hospital(version: int | None = None) -> str | None:
    """The hospital this run shows, for the chrome (selector, the name above the page): None in a one-hospital
    store, and when the page is going to refuse (no readable hospital, or a URL naming one the user may not read) —
    the page itself then shows why; never stops the run."""
    if not hospital_codes(version):
        return None
    readable = readable_hospitals(version)
    asked = st.query_params.get(HOSPITAL_PARAM)
    if not readable or (asked is not None and asked not in readable):
        return None
    return current_hospital(version)


def _hospital_picked(wkey: str) -> None:
    set_hospital(st.session_state[wkey])


def hospital_selector() -> str | None:
    """The sidebar's hospital selector of a group store (issue 16.3): the hospitals the signed-in user may read, by
    name; one hospital is shown as text. Keeps ``?hospital=`` in the URL in step with the session, so a link or a
    reload shows the same hospital. Draws nothing in a one-hospital store. Returns the hospital shown (or None)."""
    version = data_version()
    code = shown_hospital(version)
    if code is None:
        return None
    if st.query_params.get(HOSPITAL_PARAM) != code:
        st.query_params[HOSPITAL_PARAM] = code
    readable = list(readable_hospitals(version))
    names = hospital_names(version)
    if len(readable) == 1:
        st.caption(t("hospital.only", name=md_escape(names.get(code, code))))
        return code
    kept = keep(HOSPITAL_KEY, readable)
    st.selectbox(
        t("hospital.pick"),
        readable,
        format_func=lambda c: names.get(c, c),
        key=kept["key"],
        on_change=_hospital_picked,
        args=(kept["key"],),
        placeholder=t("select.placeholder"),
    )
    return code


def title(text: str) -> None:
    """A page's title; in a group store the hospital on screen under it (the projector audience must know whose
    numbers they see; issue 16.3). The name is data: shown as written (escaped Markdown)."""
    st.title(text)
    code = shown_hospital()
    if code:
        name = hospital_names().get(code, code)
        st.markdown(f"### :material/local_hospital: {md_escape(t('hospital.showing', name=name))}")


# Builds per builder since the server started: a cache miss of ``view`` (a view worked out from the store), not a
# lookup. Read by the tests that check a click or a visit after the warm reads a view built before (issue 15).
BUILDS: collections.Counter = collections.Counter()


class _Built:
    """A view already built, filed under one more key (``view``'s ``resolved``): no computation, no build counted."""

    def __init__(self, out):
        self.out = out

    def __call__(self, _key):
        return self.out


@st.cache_resource(show_spinner=False, max_entries=64)
def _view(name: str, _build, key):
    # Streamlit cannot hash a function: the builder's dotted name keys it, the function itself is not hashed.
    if not isinstance(_build, _Built):
        BUILDS[name] += 1
    return _build(key)


def view(build, key, resolved=None):
    """``build(key)`` once per key for every session (st.cache_resource: shared, never pickled; callers never
    change what they get). ``build`` is a module-level view-model builder of ``metrics.views``; ``key`` a
    ``ViewKey`` from ``view_key`` — the store, data version, language and choices are all in it (issue 11).
    ``resolved(view) -> {choice: value}``: the choices a first visit leaves open (None: "the default") as the page's
    widgets will hold them on the next run. The view is filed under that key too, so the first click after a first
    visit — which builds its key from the widgets — reads the same view instead of working it out again (issue 15:
    1.9–2.4 s at a region's scale).

    A key for a hospital the user may not read is refused here, whoever made it (issue 16.3): the page stops with
    an error before anything is built or served from the cache."""
    refuse_unreadable(key.hospital, key.version)
    return filed_view(build, key, resolved)


def filed_view(build, key, resolved=None):
    """``view`` without the access check: for the server's own warm (pages/_warm.py), which shows nobody anything."""
    name = f"{build.__module__}.{build.__qualname__}"
    out = _view(name, build, key)
    if resolved is not None:
        same = key.with_(**resolved(out))
        if same != key:
            _view(name, _Built(out), same)
    return out


# --- a broken store (issue 12.11) ---------------------------------------------------------------------------
# A corrupt, unreadable, read-only or full store never shows a traceback: the user gets a friendly message in
# their language, the server log gets the store's path and the exception.


def store_problem_key(exc: BaseException) -> str | None:
    """The i18n key explaining a store failure, or None when ``exc`` is not one."""
    if isinstance(exc, store.ERRORS + (OSError,)):
        return store.problem_key(exc)
    return None


def store_name() -> str:
    """The store for the server log: its file, or its URL with the password hidden."""
    return store.masked(store.db_path())


def _store_failed(exc: BaseException) -> None:
    import logging

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
    from pages import _warm

    _warm.seen(
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


# --- access (issue 6) ------------------------------------------------------------------------------
# A sign-in belongs to the browser that made it: the server-side session is filed under the SHA-256 of a random
# secret the browser holds as a cookie (sessions.SESSION_COOKIE), read from the browser's own connection on every run
# (st.context.cookies). Streamlit hands an existing session to whoever presents its id (it appears in upload
# addresses), so nothing in session state counts as a sign-in on a server. serve.py (`streamlit run serve.py`) sets
# the cookie on the response that delivers the page: HttpOnly, SameSite=Strict, there before the websocket connects.
# Started as `streamlit run dashboard.py` nothing sets it, so the login form has the browser make one (a script:
# not HttpOnly) and reloads once. Under AppTest (no server, no browser can connect) the token lives in session
# state (TOKEN_KEY), as the tests put it there.

TOKEN_KEY = "_auth_token"
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
    from streamlit import runtime

    # AppTest installs a stand-in Runtime (a mock of the class): no browser can connect to it
    return runtime.exists() and type(runtime.get_instance()) is runtime.Runtime


def session_token() -> str | None:
    """The secret this run's sign-in is filed under: the browser's cookie on a server, None without one."""
    if not _on_server():
        token = st.session_state.get(TOKEN_KEY)
        return token if isinstance(token, str) else None
    from metrics.access import sessions

    value = st.context.cookies.get(auth_cookie())
    return value if sessions.is_session_secret(value) else None


def auth_cookie() -> str:
    from metrics.access import sessions

    return sessions.SESSION_COOKIE


def browser_secret() -> str:
    """The browser's secret for a sign-in (serve.py gave it with the page). Served without serve.py, a browser
    that did not send one makes it with a script, then the page reloads so its connection carries it; this run
    stops."""
    if not _on_server():
        from metrics.access import sessions

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
    from metrics.access import sessions

    token = session_token()
    pending = _SIGNING_IN.get(token) if token else None
    if pending is not None:
        pending.wait(SIGN_IN_WAIT_S)
    return sessions.session_user(token)


def current_role() -> str:
    """'viewer' | 'editor' | 'admin' for the signed-in user; anonymous visitors are viewers."""
    user = signed_in_user()
    return user.role if user else "viewer"


def current_user() -> str | None:
    user = signed_in_user()
    return user.username if user else None


def can(role: str) -> bool:
    """True when the signed-in user holds ``role`` (viewer < editor < admin); use it to hide edit widgets.
    When viewers must sign in (metrics.access.sessions.login_required), an anonymous visitor is not even a viewer."""
    from metrics.access import sessions, users

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
    from metrics.access import sessions

    sessions.end_session(session_token())
    st.session_state.pop(TOKEN_KEY, None)


# --- period selector / filters (issue 3) -----------------------------------------------------------
# The choices live in plain session keys (not widget keys), so they carry between pages even through a
# page that does not draw the selector.

PERIOD_GRAIN_KEY = "period_grain"
PERIOD_KEY = "period_value"
FILTER_CATEGORY_KEY = "filter_category"
FILTER_BRANCH_KEY = "filter_branch"


def store_frames(version: int) -> dict:
    """The small tables the browsing pages read, keyed by the store's data version (bumped by every commit).

    Metric values are not here: at a region's scale they are millions of rows, so pages load the months they show
    with ``metric_values(version, first, last)`` and list months with ``months_with_data(version)`` (issue 7).

    These loaders use ``st.cache_resource``: every rerun gets the one shared object instead of un-pickling a copy
    (70,000 award changes at a region's scale cost more to copy than to draw). Callers treat them as read-only —
    pandas' copy-on-write keeps every filtered or assigned frame separate, and nothing writes into them in place.
    """
    return _store_frames(str(store.db_path()), version, current_hospital(version))


@st.cache_resource(show_spinner=False, max_entries=8)
def _store_frames(path: str, version: int, hospital: str) -> dict:
    # The store's path is part of the key: two stores can be at the same data version (tests, --db); the hospital
    # too (issue 16.3).
    with store.opened(path) as db:
        return {
            "departments": store.departments(db, hospital=hospital),
            "targets": store.targets(db, hospital),
            "events": store.events(db, hospital=hospital),
            "award_changes": store.award_changes(db, hospital=hospital),
            "metric_defs": store.metric_defs(db),
            "metric_catalogue": store.metric_catalogue(db),
            "indicator_catalogue": store.indicator_catalogue(db),
            "calendar_days": store.calendar_days(db),
        }


def dept_names(version: int) -> dict[str, str]:
    """dept_code → department name, built once per data version (5,000 departments at a region's scale; issue 7)."""
    return _dept_names(str(store.db_path()), version, current_hospital(version))


@st.cache_resource(show_spinner=False, max_entries=8)
def _dept_names(path: str, version: int, hospital: str) -> dict[str, str]:
    return _store_frames(path, version, hospital)["departments"].set_index("dept_code")["dept_name"].to_dict()


def metric_values(version: int, month_from: str | None = None, month_to: str | None = None):
    """Long metric values (dept_code, month, metric, value) of the months from..to, cached per data version."""
    return _metric_values(str(store.db_path()), version, current_hospital(version), month_from, month_to)


@st.cache_resource(show_spinner=False, max_entries=32)
def _metric_values(path: str, version: int, hospital: str, month_from: str | None, month_to: str | None):
    with store.opened(path) as db:
        return store.metric_values(db, month_from=month_from, month_to=month_to, hospital=hospital)


def months_with_data(version: int) -> tuple[str, ...]:
    """Every month holding a metric value, oldest first (from the index, not from the values)."""
    return _months_with_data(str(store.db_path()), version, current_hospital(version))


@st.cache_resource(show_spinner=False, max_entries=8)
def _months_with_data(path: str, version: int, hospital: str) -> tuple[str, ...]:
    with store.opened(path) as db:
        return tuple(store.months_with_data(db, hospital))


def region_months(hospitals: tuple[str, ...], version: int) -> tuple[str, ...]:
    """Every month holding a metric value of any of ``hospitals``, oldest first (the region overview's periods)."""
    return _region_months(str(store.db_path()), version, tuple(hospitals))


@st.cache_resource(show_spinner=False, max_entries=8)
def _region_months(path: str, version: int, hospitals: tuple[str, ...]) -> tuple[str, ...]:
    with store.opened(path) as db:
        return tuple(store.months_with_data(db, hospitals))


@functools.lru_cache(maxsize=64)
def _period_options(
    months: tuple[str, ...], grain: str, lg: str, today, data: tuple[str, ...]
) -> tuple[list[str], dict[str, str]]:
    """The periods from the newest back to the oldest month, and their labels in ``lg`` — a period not all of whose
    months hold data says so (worked out once, not per option on every run: 120 months of a decade's store; issue 7)."""
    from metrics.rules import periods as period_rules

    options = period_rules.periods_between(min(months), max(months), grain)[::-1] if months else []
    return options, {p: period_rules.period_label(p, data, lg, today) for p in options}


def period_selector(months: list[str], default_grain: str = "quarter") -> tuple[str, str]:
    """(grain, period) chosen with two widgets in a row; ``months`` are the months that hold data. Opens on
    ``period_rules.default_period`` (the last full quarter: the same as the briefing's, issue 13); a grain switch keeps
    the chosen period's time (its last month's period in the new grain)."""
    from metrics import clock
    from metrics.rules import periods as period_rules

    grains = list(period_rules.GRAINS)
    lg = lang()  # captured: format functions may be called where session state is not readable (AppTest)
    if st.session_state.get(PERIOD_GRAIN_KEY) not in grains:
        st.session_state[PERIOD_GRAIN_KEY] = default_grain
    c1, c2 = st.columns([2, 3])
    grain = c1.radio(
        t("period.grain"),
        grains,
        format_func=lambda g: i18n.t(f"period.{g}", lg),
        horizontal=True,
        **keep(PERIOD_GRAIN_KEY, grains),
    )
    # options span ``months``; the default and "partial" are judged on the months holding metric values, the same
    # on every page (the events page also lists months holding only an event)
    data = months_with_data(data_version())
    options, labels = _period_options(tuple(months), grain, lg, clock.today(), data)
    saved = st.session_state.get(PERIOD_KEY)
    if saved and saved not in options:
        saved = period_rules.period_of(period_rules.last_month(saved), grain)
    if saved not in options:
        saved = period_rules.default_period(data or months, grain)
    st.session_state[PERIOD_KEY] = saved
    period = c2.selectbox(
        t("period.pick"),
        options,
        format_func=labels.get,
        **keep(PERIOD_KEY, options, grain),
        placeholder=t("select.placeholder"),
    )
    return grain, period


# --- choices that survive a language switch (issue 13) ---------------------------------------------------------
# Streamlit 1.67 keeps a radio's, selectbox's or multiselect's value as its *formatted* label: after a language
# switch the old label matches no option, so the widget showed empty or the old language. Each choice is kept as a
# canonical value under a plain session key; its widget lives under a per-language key seeded from it.


def _kept(key: str, wkey: str) -> None:
    st.session_state[key] = st.session_state[wkey]


def keep(key: str, options, *scope, many: bool = False) -> dict:
    """Widget arguments (key, on_change, args) that keep the choice under the plain session key ``key`` as a
    canonical value (an option, or a list of options for a multiselect) across language switches. The stored choice
    is seeded into the widget; one no longer among ``options`` gives way to the first option (an empty list for a
    multiselect, ``many``). ``scope``: more parts of the widget key (a widget per grain, say)."""
    wkey = "_w_" + ".".join(map(str, (key, *scope, lang())))
    options = list(options)
    value = st.session_state.get(key)
    if many:
        value = [v for v in value or () if v in options]
    elif value not in options:
        value = options[0] if options else None
    # Assigned on every run, even when equal: after a page switch Streamlit 1.67 treats the widget on the new page as
    # a new one and drops the state it held, so a radio kept as "quarter" came back as its first option ("month") on
    # every other page switch. An assignment before the widget is drawn is what the new widget starts from.
    st.session_state[wkey] = value
    st.session_state[key] = value
    return {"key": wkey, "on_change": _kept, "args": (key, wkey)}


def choose(where, label: str, labels, key: str, **kwargs):
    """A selectbox in ``where`` (``st`` or a column) over ``labels`` (a dict option → shown text, or a list shown
    by position, its options 0, 1, …), the choice kept under the session key ``key`` (see ``keep``)."""
    options = list(labels) if isinstance(labels, dict) else list(range(len(labels)))
    return where.selectbox(
        label,
        options,
        format_func=labels.__getitem__,
        **keep(key, options),
        placeholder=t("select.placeholder"),
        **kwargs,
    )


def dept_filter(departments, version: int) -> list[str]:
    """Department codes left after the category and party-branch filters (empty choice = all); ``departments`` is
    ``store_frames(version)["departments"]``."""
    cats, branches = _filter_options(str(store.db_path()), version, current_hospital(version))
    c1, c2 = st.columns(2)
    cat = c1.multiselect(
        t("filter.category"), cats, placeholder=t("filter.all"), **keep(FILTER_CATEGORY_KEY, cats, many=True)
    )
    br = c2.multiselect(
        t("filter.branch"), branches, placeholder=t("filter.all"), **keep(FILTER_BRANCH_KEY, branches, many=True)
    )
    d = departments
    if cat:
        d = d[d["category"].isin(cat)]
    if br:
        d = d[d["party_branch"].isin(br)]
    return d["dept_code"].tolist()


@st.cache_resource(show_spinner=False, max_entries=8)
def _filter_options(path: str, version: int, hospital: str) -> tuple[list[str], list[str]]:
    """(categories, party branches) of the department list, sorted, once per data version (issue 7)."""
    departments = _store_frames(path, version, hospital)["departments"]
    return (
        sorted(c for c in departments["category"].dropna().unique()),
        sorted(b for b in departments["party_branch"].dropna().unique()),
    )


def trend_link(dept_code: str) -> str:
    """The relative URL of a department's trend page (a LinkColumn value; opens a new tab, so the language
    travels in the URL too)."""
    return trend_links([dept_code])[0]


def trend_links(dept_codes) -> list[str]:
    """``trend_link`` of many departments, reading the language once (issue 7: thousands of rows at L)."""
    lg = lang()
    suffix = "" if lg == i18n.DEFAULT_LANG else f"&lang={lg}"
    hospital = current_hospital()  # a new tab has a new session: the hospital travels in the URL (issue 16.3)
    if hospital:
        suffix += f"&hospital={urllib.parse.quote(hospital)}"
    return [f"trends?dept={c}{suffix}" for c in dept_codes]


def trend_picker(codes: list[str], version: int, key: str) -> None:
    """A department picker and a link to its trend page in this same session (st.page_link with ?dept=)."""
    if not codes:
        return
    path = str(store.db_path())
    hospital = current_hospital(version)
    labels = _dept_names(path, version, hospital)
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    code = c1.selectbox(
        t("trend.pick"),
        codes,
        format_func=_picker_labels(path, version, hospital).get,
        key=f"{key}_trend_dept",
        placeholder=t("select.placeholder"),
    )
    c2.page_link(
        "pages/trends.py",
        label=t("trend.open", dept=md_escape(str(labels.get(code, code)))),
        icon=":material/show_chart:",
        query_params={"dept": code},
    )


@st.cache_resource(show_spinner=False, max_entries=8)
def _picker_labels(path: str, version: int, hospital: str) -> dict[str, str]:
    """code → "code  name" for every department, once per data version (a label per option on every run cost more
    than the rest of a page at a region's scale; issue 7)."""
    return {c: f"{c}  {n}".strip() for c, n in _dept_names(path, version, hospital).items()}


# Streamlit's and plotly's own hover texts are English whatever the page language (issue 13: one language at a
# time) and no argument translates them: plotly's mode bar is switched off (figures stay; nobody zooms on a
# projector), and a static style (no data) hides Streamlit's app menu (Rerun / Settings / Print …) and the tables'
# hover toolbar (Search / Download as CSV / Fullscreen) — whose CSV download also skipped our formula rule (issue
# 12.8): long tables offer our own download (``paged``).
PLOTLY_CONFIG = {"displayModeBar": False, "displaylogo": False}
CHROME_CSS = (
    '<style>[data-testid="stMainMenu"], [data-testid="stElementToolbar"] {display: none !important;}'
    # a KPI's label wraps instead of ending in "…" (English names are long: "On target: Patient satisf…" at 1280 px)
    '[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * '
    "{white-space: normal !important; overflow: visible !important; text-overflow: clip !important;}</style>"
)


def uploader_css(browse: str, limit: str) -> str:
    """A <style> replacing st.file_uploader's English button label and size line with ``browse`` and ``limit`` (our
    own strings: Streamlit 1.67 has no argument for them; issue 13)."""
    import json

    drop = '[data-testid="stFileUploaderDropzone"]'
    return (
        "<style>"
        f'{drop} button [data-testid="stMarkdownContainer"] p {{display: none;}}'
        f'{drop} button [data-testid="stMarkdownContainer"]::after {{content: {json.dumps(browse, ensure_ascii=False)};}}'
        '[data-testid="stFileUploaderDropzoneInstructions"] span {display: none;}'
        '[data-testid="stFileUploaderDropzoneInstructions"] > div::after'
        f" {{content: {json.dumps(limit, ensure_ascii=False)}; font-size: 0.875rem; opacity: 0.7;}}"
        "</style>"
    )


# --- long tables a page at a time (issue 7) ----------------------------------------------------------
# A region's store lists thousands of departments; a styled table of 5,000 rows costs seconds to draw and
# nobody reads it on a projector. Tables longer than a page show a page selector and a download of the whole.

PAGE_ROWS = 50


def paged(
    frame, key: str, headers: dict[str, str] | None = None, size: int = PAGE_ROWS, file_name: str = "", download=None
):
    """The rows of the chosen page of ``frame``; unchanged (no widgets) when it fits on one page.

    Longer frames get a page selector, a "rows a–b of n" caption and a CSV download (Excel-ready, BOM) of the
    whole frame (or of ``download``, the same rows as written for a spreadsheet, or a function returning them, called
    on a click), with ``headers`` (column → shown name) as its header row and only those columns.
    """
    if len(frame) <= size:
        return frame
    from metrics.ingest import export

    n_pages = -(-len(frame) // size)
    lg = lang()
    c1, c2 = st.columns([2, 3], vertical_alignment="bottom")
    page = c1.selectbox(
        t("page.pick", pages=n_pages),
        list(range(n_pages)),
        format_func=lambda i: i18n.t("page.option", lg, first=i * size + 1, last=min((i + 1) * size, len(frame))),
        **keep(key, range(n_pages)),
        placeholder=t("select.placeholder"),
    )

    def csv() -> bytes:  # written when the button is clicked, not on every run
        whole = download() if callable(download) else frame if download is None else download
        return export.csv_bytes(whole[list(headers)].rename(columns=headers) if headers else whole)

    c2.download_button(
        t("page.download", n=len(frame)),
        csv,
        file_name=file_name or f"{key}.csv",
        mime="text/csv",
        key=f"{key}_download",
    )
    st.caption(t("page.showing", first=page * size + 1, last=min((page + 1) * size, len(frame)), total=len(frame)))
    return frame.iloc[page * size : (page + 1) * size]


# --- the rectification notices register (PRODUCT §8; issue 14), drawn on the tasks and the events pages ----------


def notices_register(depts: str, today, key: str) -> None:
    """The notices register of the departments ``depts`` (codes, one a line) as of ``today``: its title, then
    either the "none" caption or the counts and the table a page at a time (page widget key ``key``)."""
    from metrics.views import tasks as tasks_view

    reg = view(tasks_view.notices, view_key(depts=depts, today=today))
    st.subheader(reg.title)
    if reg.none:
        st.caption(reg.none)
        return
    st.markdown("#### " + reg.counts)
    marked_table(
        reg.rows,
        key,
        reg.headers,
        "notices.csv",
        "",
        days_overdue=st.column_config.TextColumn(reg.headers["days_overdue"], alignment="right"),
    )


def marked_table(
    rows, key: str, headers: dict[str, str], file_name: str, marker: str, select: str | None = None, **columns
):
    """``rows`` a page at a time (see ``paged``): the marker images under the heading ``marker``, the ``headers``
    columns as text, and ``columns`` (column → st.column_config) where a column is drawn otherwise. With ``select``
    (a widget key) a click on a cell selects it: returns (the rows shown, the selection event)."""
    shown = paged(rows, key, headers, file_name=file_name)
    event = st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            "marker": st.column_config.ImageColumn(marker, width=40),
            **{c: st.column_config.TextColumn(h) for c, h in headers.items()},
            **columns,
        },
        **({"on_select": "rerun", "selection_mode": "single-cell", "key": select} if select else {}),
    )
    return (shown, event) if select else None
