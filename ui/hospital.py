"""The hospital a page shows (a group or region store; '' in a one-hospital store), checked against the user's
grants on every run, and what a page reads for it: the view key, the view, the store's frames."""

from __future__ import annotations

import streamlit as st

from metrics import safe, store
from metrics.access import grants
from metrics.views import ViewKey, loaded
from ui import cache, session, warm
from ui.guard import current_user
from ui.session import keep, lang, md_escape, t


def view_key(**choices):
    """The frozen key of a page's view-model: this store, its data version, the language, ``choices`` and the
    hospital (``current_hospital``: checked against the user's grants before any view is built)."""
    version = session.data_version()
    return ViewKey.of(str(store.db_path()), version, lang(), hospital=current_hospital(version), **choices)


HOSPITAL_PARAM = "hospital"
HOSPITAL_KEY = "hospital"


def hospital_codes(version: int | None = None) -> tuple[str, ...]:
    """The store's hospital codes in list order; () in a one-hospital store."""
    return cache._hospital_codes(str(store.db_path()), session.data_version() if version is None else version)


def readable_hospitals(version: int | None = None) -> tuple[str, ...]:
    """The hospitals the signed-in user (or an anonymous visitor) may read: ('',) in a one-hospital store."""
    if not hospital_codes(version):
        return ("",)
    return grants.readable_hospitals(current_user())


def current_hospital(version: int | None = None) -> str:
    """The hospital this page shows ('' in a one-hospital store), checked against the user's readable hospitals on
    every run: ``?hospital=`` in the URL wins, then the session's choice, then the user's first hospital. Stops the
    page with an error when the URL names a hospital the user may not read, or the user may read none."""
    if not hospital_codes(version):
        return ""
    if current_user() is None:  # nobody signed in: a group store shows no hospital's data
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
    warm.shown(str(store.db_path()), chosen)  # the warm after the next commit works out this hospital's views too
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


def hospital_names(version: int | None = None) -> dict[str, str]:
    """hospital code → its name in the page language ({} in a one-hospital store)."""
    return cache._hospital_names(str(store.db_path()), session.data_version() if version is None else version, lang())


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
    """The sidebar's hospital selector of a group store: the hospitals the signed-in user may read, by
    name; one hospital is shown as text. Keeps ``?hospital=`` in the URL in step with the session, so a link or a
    reload shows the same hospital. Draws nothing in a one-hospital store. Returns the hospital shown (or None)."""
    version = session.data_version()
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
    numbers they see). The name is data: shown as written (escaped Markdown)."""
    st.title(text)
    code = shown_hospital()
    if code:
        name = hospital_names().get(code, code)
        st.markdown(f"### :material/local_hospital: {md_escape(t('hospital.showing', name=name))}")


def view(build, key, resolved=None):
    """``build(key)`` once per key for every session (st.cache_resource: shared, never pickled; callers never
    change what they get). ``build`` is a module-level view-model builder of ``metrics.views``; ``key`` a
    ``ViewKey`` from ``view_key`` — the store, data version, language and choices are all in it.
    ``resolved(view) -> {choice: value}``: the choices a first visit leaves open (None: "the default") as the page's
    widgets will hold them on the next run. The view is filed under that key too, so the first click after a first
    visit — which builds its key from the widgets — reads the same view instead of working it out again
    (1.9–2.4 s at a region's scale).

    A key for a hospital the user may not read is refused here, whoever made it: the page stops with
    an error before anything is built or served from the cache."""
    refuse_unreadable(key.hospital, key.version)
    return cache.filed_view(build, key, resolved)


def store_frames(version: int) -> loaded.Frames:
    """The small tables the browsing pages read (``metrics.views.loaded.Frames``: the same object the views read),
    keyed by the store's data version (bumped by every commit).

    Metric values are not here: at a region's scale they are millions of rows, so pages load the months they show
    with ``metric_values(version, first, last)`` and list months with ``months_with_data(version)``.

    Every rerun gets the one shared object instead of un-pickling a copy
    (70,000 award changes at a region's scale cost more to copy than to draw). Callers treat them as read-only —
    pandas' copy-on-write keeps every filtered or assigned frame separate, and nothing writes into them in place.
    """
    return cache._store_frames(str(store.db_path()), version, current_hospital(version))


def dept_names(version: int) -> dict[str, str]:
    """dept_code → department name, built once per data version (5,000 departments at a region's scale)."""
    return cache._dept_names(str(store.db_path()), version, current_hospital(version))


def months_with_data(version: int) -> tuple[str, ...]:
    """Every month holding a metric value, oldest first (from the index, not from the values)."""
    return cache._months_with_data(str(store.db_path()), version, current_hospital(version))


def region_months(hospitals: tuple[str, ...], version: int) -> tuple[str, ...]:
    """Every month holding a metric value of any of ``hospitals``, oldest first (the region overview's periods)."""
    return cache._region_months(str(store.db_path()), version, tuple(hospitals))
