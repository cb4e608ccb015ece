"""An address that matches no page (a mistyped URL): a notice in the user's language instead of Streamlit's
English "Page not found" dialog. dashboard.py registers this page, hidden, at exactly the address typed."""

from __future__ import annotations

import streamlit as st

import ui

st.title(ui.t("nav.notfound"))
st.warning(ui.t("notfound.body", path=st.session_state.get(ui.NOT_FOUND_KEY, "")), icon=":material/explore_off:")
