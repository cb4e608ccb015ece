"""Which hospitals a user may read and write in a group or region store (PRODUCT §7), and the grants that say so."""

from __future__ import annotations

from metrics import i18n, store
from metrics.access import users


def readable_hospitals_in(db, user: str | None) -> tuple[str, ...]:
    """``readable_hospitals`` on an open store."""
    codes = store.hospital_codes(db)
    row = store.user_row(db, user) if user else None
    if not codes:  # one hospital: what the role allows, as before (anonymous browsing when sign-in is not required)
        return ("",)
    if row is None or not row["active"]:
        return ()
    if row["role"] in users.ALL_HOSPITAL_ROLES:
        return codes
    granted = set(store.user_hospitals(db, user)["hospital_code"])
    return tuple(c for c in codes if c in granted)


def writable_hospitals_in(db, user: str | None) -> tuple[str, ...]:
    """``writable_hospitals`` on an open store."""
    row = store.user_row(db, user) if user else None
    if row is None or not row["active"] or not users.has_role(row["role"], "editor"):
        return ()
    codes = store.hospital_codes(db)
    if not codes:
        return ("",)
    if row["role"] == "admin":
        return codes
    granted = set(store.user_hospitals(db, user)["hospital_code"])
    return tuple(c for c in codes if c in granted)


def readable_hospitals(user: str | None, db_path=None) -> tuple[str, ...]:
    """The hospital codes ``user`` may read, in the store's list order. A one-hospital store (no hospital list): ('',)
    for anyone (its role checks stay as they are). A group store: admins and the commission role every hospital,
    viewers and editors their grants, nobody signed in (or an inactive account) none."""
    with store.opened(db_path) as db:
        return readable_hospitals_in(db, user)


def writable_hospitals(user: str | None, db_path=None) -> tuple[str, ...]:
    """The hospital codes ``user`` may write: editors their grants (('',) in a one-hospital store), admins every
    hospital, viewers, the commission role and nobody signed in none."""
    with store.opened(db_path) as db:
        return writable_hospitals_in(db, user)


def grant_hospitals(username: str, codes: list[str], actor: str | None = None, db_path=None) -> list[str]:
    """Grant ``username`` the hospitals ``codes`` (each must be in the store's hospital list); returns the codes
    newly granted. Audited as ``user.grant``."""
    with store.opened(db_path) as db, db.atomic():
        users.existing(db, username)
        known = set(store.hospital_codes(db))
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise users.AuthError("auth.err.hospital_unknown", code="、".join(unknown))
        new = store.grant_hospitals(db, username, list(codes))
        store.audit_log(db, actor, "user.grant", username, after={"hospitals": list(codes)})
        return new


def revoke_hospitals(username: str, codes: list[str] | None = None, actor: str | None = None, db_path=None) -> None:
    """Take back grants (all of the user's when ``codes`` is None). Audited as ``user.revoke``."""
    with store.opened(db_path) as db, db.atomic():
        users.existing(db, username)
        store.revoke_hospitals(db, username, None if codes is None else list(codes))
        store.audit_log(db, actor, "user.revoke", username, before={"hospitals": codes})


def hospital_names(lang: str = i18n.DEFAULT_LANG, db_path=None) -> dict[str, str]:
    """hospital code → its name in ``lang`` (the Chinese name when no English one); {} in a one-hospital store."""
    with store.opened(db_path) as db:
        h = store.hospitals(db)
    col = "name_en" if lang == "en" else "name_zh"
    return {c: (e or z) if col == "name_en" else z for c, z, e in zip(h["hospital_code"], h["name_zh"], h["name_en"])}


def user_grants(db_path=None) -> dict[str, tuple[str, ...]]:
    """username → the hospital codes granted to them (users without a grant are absent)."""
    with store.opened(db_path) as db:
        g = store.user_hospitals(db)
    out: dict[str, tuple[str, ...]] = {}
    for u, h in zip(g["username"], g["hospital_code"], strict=True):
        out[u] = (*out.get(u, ()), h)
    return out
