"""The floor for page timings: a page script that reads one number from the store and shows it."""

import streamlit as st

from metrics import store

with store.opened() as db:
    n = store.data_version(db)
st.metric("data version", n)
