"""Placeholder page: upload."""

import streamlit as st

from pages import _common as ui

st.title(ui.t("nav.upload"))
