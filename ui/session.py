"""A page run's session: the language, the store's data version, and choices kept across a language switch.

Every page and dashboard.py import ``ui``, and so this module first: its first run on a fresh server clears
Streamlit's legacy pages/ flag before anything is drawn (below)."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from metrics import i18n, safe, store

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
    # over thousands of departments at a region's scale; hot loops should still pass ``lang`` instead.
    lg = st.session_state.get(LANG_KEY)
    return i18n.t(key, lg if lg is not None else lang(), **fmt)


def data_version() -> int:
    """The store's data version, read fresh on every script run (cheap: one row)."""
    with store.opened() as db:
        return store.data_version(db)


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
