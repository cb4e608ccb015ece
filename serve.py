"""The server: `streamlit run serve.py` serves dashboard.py, and gives every browser its sign-in cookie
(pages/_cookie.py: HttpOnly, SameSite=Strict, set on the page's own response, so the sign-in form needs no reload)."""

import streamlit as st
from starlette.middleware import Middleware

from pages._cookie import SessionCookie

# `streamlit run serve.py` finds this ASGI app and serves it (uvicorn), the pages being dashboard.py's
app = st.App("dashboard.py", middleware=[Middleware(SessionCookie)])
