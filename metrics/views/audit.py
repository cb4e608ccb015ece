"""Audit records as sentences (PRODUCT §7): what a person did, in the reader's language, instead of raw JSON.

``sentence(row, lang, dept_names, metric_names)`` turns one row of ``store.audit_entries`` (at, user, action,
target, detail, before, after; the last three JSON text) into one line such as
"李四 将 心内科 的患者满意度目标从 90 改为 92" / "李四 changed 心内科's Patient satisfaction target from 90 to 92".
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

import pandas as pd

from metrics import i18n, store
from metrics.ingest import export, importer

TARGET_KEY = ("metric", "dept_code", "effective_from")
SHOWN_ROWS = 5  # changed rows named in one sentence; the rest counted


def sentence(
    row: Mapping,
    lang: str = i18n.DEFAULT_LANG,
    dept_names: Mapping[str, str] | None = None,
    metric_names: Mapping[str, str] | None = None,
) -> str:
    """One audit record in words (see the module doc); a record of one hospital of a group store names it
    (a row's ``hospital_code``; '' in a one-hospital store and for what every hospital shares)."""
    said = _sentence(row, lang, dept_names, metric_names)
    hospital = row.get("hospital_code")
    if isinstance(hospital, str) and hospital:
        return said + i18n.t("audit.s.in_hospital", lang, code=hospital)
    return said


def _sentence(row: Mapping, lang: str, dept_names, metric_names) -> str:
    action = row.get("action") or ""
    who = who_text(row.get("user"), lang)
    target = row.get("target") or ""
    detail, before, after = (_json(row.get(k)) for k in ("detail", "before", "after"))
    t = lambda key, **f: i18n.t(f"audit.s.{key}", lang, who=who, target=target, **f)  # noqa: E731

    if action == "signin.fail":
        reason = detail.get("reason")
        if reason == "bad_password":
            return t("signin_fail_password", n=detail.get("failed_count", 1))
        return t("signin_fail_locked" if reason == "locked" else "signin_fail_unknown")
    if action == "user.add":
        return t("user_add", role=_role(after.get("role"), lang))
    if action == "user.role":
        return t("user_role", old=_role(before.get("role"), lang), new=_role(after.get("role"), lang))
    if action == "user.locked":
        return t(
            "user_locked", n=after.get("failed_count", ""), until=i18n.fmt_datetime(after.get("locked_until"), lang)
        )
    if action == "backup":
        return t("backup", size=_size(detail.get("bytes")))
    if action == "config.require_login":
        on = str(after.get("value")).lower() in ("1", "true")
        return t("require_login", value=i18n.t("audit.s.on" if on else "audit.s.off", lang))
    if action == "upload":
        return i18n.t(
            "audit.s.upload",
            lang,
            who=who,
            target=importer.file_label(target, lang),
            kind=_kind(detail.get("kind"), lang),
            batch=detail.get("batch_id", ""),
            new=detail.get("new", 0),
            changed=detail.get("changed", 0),
            rejected=detail.get("rejected", 0),
        )
    if action == "rollback":  # target: "batch <id> <file name>"
        name = importer.file_label(re.sub(r"^batch \d+\s*", "", target), lang) or "—"
        return i18n.t(
            "audit.s.rollback",
            lang,
            who=who,
            target=name,
            batch=detail.get("batch_id", ""),
            n=detail.get("rows_restored", 0),
        )
    if action == "target_edit":
        return _target_edit(who, before, after, lang, dept_names or {}, metric_names or {})
    if action == "catalogue_edit":
        codes = sorted({str(r.get("code")) for r in [*before.get("rows", []), *after.get("rows", [])] if r.get("code")})
        table = i18n.t(f"audit.s.table.{target}", lang) if f"audit.s.table.{target}" in i18n.ZH else target
        return t("catalogue_edit", table=table, codes=_listed(codes, lang))
    if f"audit.s.{action}" in i18n.ZH:  # the actions that need nothing but who and what
        return t(action)
    label = f"audit.action.{action}"
    shown = importer.file_label(target, lang)  # a batch named in the reader's language (demo data, a page edit)
    return f"{who} · {i18n.t(label, lang) if label in i18n.ZH else action} · {shown}".rstrip(" ·")


def who_text(user: str | None, lang: str) -> str:
    """Who did it: a user name; the command line as metrics.access.users.cli_actor writes it ("cli:root", "boss (cli:root)")
    in words; "the system" when nobody is named."""
    if not isinstance(user, str) or not user:  # None, or NaN from a frame
        return i18n.t("audit.s.nobody", lang)
    m = re.fullmatch(r"(?:(.+) \()?cli:([^)]*)\)?", user)
    if m and m.group(1):
        return i18n.t("audit.s.cli_as", lang, user=m.group(1))
    if m:
        return i18n.t("audit.s.cli", lang, os_user=m.group(2))
    return user


def _target_edit(who, before, after, lang, dept_names, metric_names) -> str:
    """One clause per changed target row: changed from → to, added, or removed."""

    def key(r):
        return tuple(r.get(k) for k in TARGET_KEY)

    old = {key(r): r for r in before.get("rows", [])}
    new = {key(r): r for r in after.get("rows", [])}
    clauses = []
    for k in [*new, *(k for k in old if k not in new)]:
        r = new.get(k) or old[k]
        dept = r.get("dept_code") or ""
        names = dict(
            who=who,
            dept=dept_names.get(dept, dept) if dept else i18n.t("hospital_wide", lang),
            metric=metric_names.get(r.get("metric"), r.get("metric")),
        )
        if k in new and k in old:
            clauses.append(
                i18n.t(
                    "audit.s.target_changed", lang, old=_num(old[k].get("target")), new=_num(r.get("target")), **names
                )
            )
        elif k in new:
            clauses.append(i18n.t("audit.s.target_added", lang, new=_num(r.get("target")), **names))
        else:
            clauses.append(i18n.t("audit.s.target_removed", lang, old=_num(r.get("target")), **names))
    if not clauses:
        return i18n.t("audit.s.target_none", lang, who=who)
    more = len(clauses) - SHOWN_ROWS
    text = i18n.t("audit.s.sep", lang).join(clauses[:SHOWN_ROWS])
    return text + (i18n.t("audit.s.more", lang, n=more) if more > 0 else "")


def _json(text) -> dict:
    if not text or not isinstance(text, str):
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _num(x) -> str:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return "—"
    return f"{f:g}"


def _role(role, lang: str) -> str:
    return i18n.t(f"role.{role}", lang) if f"role.{role}" in i18n.ZH else str(role or "—")


def _kind(kind, lang: str) -> str:
    return (
        "+".join(
            i18n.t(f"upload.kind.{k}", lang) if f"upload.kind.{k}" in i18n.ZH else k
            for k in str(kind or "").split("+")
            if k
        )
        or "—"
    )


def _size(n) -> str:
    try:
        n = float(n)
    except (TypeError, ValueError):
        return "—"
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return ""


def _listed(codes: list[str], lang: str) -> str:
    shown = i18n.t("audit.s.list_sep", lang).join(codes[:SHOWN_ROWS])
    return shown + (i18n.t("audit.s.more", lang, n=len(codes) - SHOWN_ROWS) if len(codes) > SHOWN_ROWS else "")


def shown(frame, lang: str, dept_names: Mapping[str, str] | None = None, metric_names: Mapping[str, str] | None = None):
    """The audit records as the page shows them: at (fmt_datetime), user, action (in words), sentence — no JSON."""
    rows = frame.to_dict("records")
    return frame.assign(
        at=[i18n.fmt_datetime(r["at"], lang) for r in rows],
        user=[who_text(r["user"], lang) for r in rows],
        action=[action_label(r["action"], lang) for r in rows],
        sentence=[sentence(r, lang, dept_names, metric_names) for r in rows],
    )[["at", "user", "action", "sentence"]]


def audit_frame(
    user: str | None = None,
    actions: list[str] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    db_path=None,
) -> pd.DataFrame:
    """Audit records newest first (id, at, user, action, target, detail, before, after), filtered."""
    with store.opened(db_path) as db:
        return store.audit_entries(db, user, actions, date_from, date_to)


def audit_facets(db_path=None) -> tuple[list[str], list[str]]:
    """(users, actions) present in the audit log."""
    with store.opened(db_path) as db:
        return store.audit_facets(db)


def action_label(action: str, lang: str = i18n.DEFAULT_LANG) -> str:
    """An audit action in words (the code itself when no translation exists)."""
    key = f"audit.action.{action}"
    return i18n.t(key, lang) if key in i18n.ZH else action


def audit_csv(frame: pd.DataFrame) -> bytes:
    """The audit records as CSV, UTF-8 with BOM (Excel), every formula-like cell neutralised."""
    return export.csv_bytes(frame)
