"""What every page shares: language, the store's data version, cached loaders, filters, access checks.

Pages import from here; nothing here computes business logic (that lives in metrics/).
Cache keys always include the store's data version (bumped by every commit) and anything role-dependent.
"""

from __future__ import annotations

import streamlit as st

from metrics import i18n, store

LANG_KEY = "lang"


def lang() -> str:
    """The UI language chosen in the sidebar (zh by default; ?lang=en in the URL also works)."""
    if LANG_KEY not in st.session_state:
        q = st.query_params.get("lang")
        st.session_state[LANG_KEY] = q if q in i18n.LANGS else i18n.DEFAULT_LANG
    return st.session_state[LANG_KEY]


def t(key: str, **fmt) -> str:
    return i18n.t(key, lang(), **fmt)


def data_version() -> int:
    """The store's data version, read fresh on every script run (cheap: one row)."""
    with store.opened() as db:
        return store.data_version(db)


def is_demo_store() -> bool:
    """True when the store holds the shipped demo data (meta ``demo``), so every page says so."""
    with store.opened() as db:
        return store.get_meta(db, "demo") == "1"


# --- access (issue 6 implements sign-in; until then everyone may edit) ----------------------------


def current_role() -> str:
    """'viewer' | 'editor' | 'admin' for the signed-in user."""
    return st.session_state.get("_role", "editor")


def current_user() -> str | None:
    return st.session_state.get("_user")


def require_role(role: str) -> None:
    """Stop the page unless the signed-in user holds ``role`` (checked server-side on every run)."""
    order = {"viewer": 0, "editor": 1, "admin": 2}
    if order.get(current_role(), -1) < order[role]:
        st.error(t("app.error"))
        st.stop()
