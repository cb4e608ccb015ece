"""The sign-in cookie, set by the server on the response that delivers the page (serve.py's middleware).

A sign-in is filed under the SHA-256 of a secret the browser holds as a cookie (metrics.access.sessions.SESSION_COOKIE, read
on every run from st.context.cookies). Set here it is HttpOnly (no script of the page can read it), SameSite=Strict,
and already there when the page's websocket connects — so the sign-in form needs no reload to be given one."""

from __future__ import annotations

import secrets

from metrics.access.sessions import SESSION_COOKIE, is_session_secret

COOKIE_MAX_AGE_S = 365 * 24 * 3600  # the secret is worthless until a sign-in; the sign-in has its own limits


class SessionCookie:
    """ASGI middleware: an HTML response to a browser that sent no session cookie (or one that is no secret of
    ours) sets one, a fresh secret. The server keeps nothing of it until a sign-in files its SHA-256."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "GET" or _has_cookie(scope):
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https" or _header(scope, b"x-forwarded-proto") == "https"

        async def send_with_cookie(message):
            if message["type"] == "http.response.start" and _is_html(message):
                value = f"{SESSION_COOKIE}={secrets.token_hex(32)}; Path=/; Max-Age={COOKIE_MAX_AGE_S}; HttpOnly; "
                value += "SameSite=Strict" + ("; Secure" if https else "")
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", value.encode())]}
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _header(scope, name: bytes) -> str:
    return next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == name), "")


def _has_cookie(scope) -> bool:
    # split by hand: http.cookies gives up on the whole header at one odd cookie of another app on the same host
    for part in _header(scope, b"cookie").split(";"):
        name, _, value = part.strip().partition("=")
        if name == SESSION_COOKIE and is_session_secret(value):
            return True
    return False


def _is_html(message) -> bool:
    return any(k == b"content-type" and v.startswith(b"text/html") for k, v in message.get("headers", []))
