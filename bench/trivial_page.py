"""The floor for page timings: a page script that reads one number from the store and shows it, with one selectbox
(the floor of a filter change: a click, a rerun, one number drawn again; bench/profile_browser.py's "trivial")."""

import streamlit as st

from metrics import store

with store.opened() as db:
    n = store.data_version(db)
choice = st.selectbox("选择", ["一", "二"], key="trivial_choice")
st.metric(f"data version {choice}", n)
