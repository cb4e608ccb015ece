"""Entry point: `streamlit run dashboard.py`. Sidebar chrome, then the navigation between pages."""

from __future__ import annotations

import streamlit as st

from metrics import i18n
from pages import _common as ui

st.set_page_config(page_title=i18n.t("app.title"), page_icon="🏥", layout="wide")

lang = ui.lang()
with st.sidebar:
    choice = st.radio(
        i18n.t("app.lang"), ["中文", "English"], index=0 if lang == "zh" else 1, horizontal=True, key="_lang_radio"
    )
    new_lang = "zh" if choice == "中文" else "en"
    if new_lang != lang:
        st.session_state[ui.LANG_KEY] = new_lang
        st.rerun()

PAGES = [
    ("pages/overview.py", "nav.overview", "overview", "📊"),
    ("pages/trends.py", "nav.trends", "trends", "📈"),
    ("pages/matrix.py", "nav.matrix", "matrix", "🧭"),
    ("pages/events.py", "nav.events", "events", "🚦"),
    ("pages/awards.py", "nav.awards", "awards", "🏅"),
    ("pages/targets.py", "nav.targets", "targets", "🎯"),
    ("pages/briefing.py", "nav.briefing", "briefing", "📽️"),
    ("pages/upload.py", "nav.upload", "upload", "📤"),
]

nav = st.navigation(
    [
        st.Page(path, title=ui.t(key), url_path=url, icon=icon, default=(url == "overview"))
        for path, key, url, icon in PAGES
    ]
)
if ui.is_demo_store():
    st.warning(ui.t("app.demo_banner"), icon="🧪")
nav.run()
