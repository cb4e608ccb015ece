"""Reminders and delivery (PRODUCT §11): what `python -m metrics remind` sends, to whom, and the sending itself.

Each department's contact (kind ``contacts``) gets only its own department's items that are due soon (预警) or
overdue (``metrics.rules.due``), each item once per state; the leadership list gets, once a week, the overdue summary with
the quarter's briefing attached (PPTX and PDF) to the e-mail. Nothing goes to an address that is not on that list.

Channels: e-mail over SMTP (``smtplib``; STARTTLS unless the operator says otherwise; host, port, account and password
from the environment — ``SMTP_ENV`` — never from the store) and a group robot's webhook (企业微信 or 钉钉 JSON,
``urllib``). A message is journaled (``store.record_sends``) with its audit record in one transaction after the
server accepted it: a refused or failed send journals nothing, is audited as a failure, reported, and goes again on
the next run; a rerun sends nothing new. Every data string is escaped for its sink (``safe.mail_text`` for e-mail,
``safe.robot_text`` for a robot's Markdown).
"""

from __future__ import annotations

import json
import os
import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from urllib.parse import urlsplit

import pandas as pd

from metrics import briefing, clock, i18n, safe, store
from metrics.rules import due, workdays

# The environment that configures the mail server (documented in `remind --help` and docs/DEPLOY.md).
SMTP_HOST_ENV = "INTEGRITY_SMTP_HOST"
SMTP_PORT_ENV = "INTEGRITY_SMTP_PORT"  # default 587 (465 with INTEGRITY_SMTP_TLS=ssl)
SMTP_USER_ENV = "INTEGRITY_SMTP_USER"
SMTP_PASSWORD_ENV = "INTEGRITY_SMTP_PASSWORD"
SMTP_FROM_ENV = "INTEGRITY_SMTP_FROM"  # the sender's address (default: the account)
SMTP_TLS_ENV = "INTEGRITY_SMTP_TLS"  # starttls (default) | ssl | none (a relay on this machine only)
SMTP_CAFILE_ENV = "INTEGRITY_SMTP_CAFILE"  # a private CA's certificate, when the server's is not publicly signed
SMTP_ENV = (
    SMTP_HOST_ENV,
    SMTP_PORT_ENV,
    SMTP_USER_ENV,
    SMTP_PASSWORD_ENV,
    SMTP_FROM_ENV,
    SMTP_TLS_ENV,
    SMTP_CAFILE_ENV,
)
TLS_MODES = ("starttls", "ssl", "none")
TIMEOUT_S = 30
# A robot message stays under 企业微信's 4096-byte Markdown limit: at most this many items, then "and n more".
MAX_LISTED = 20
STATES = ("overdue", "due_soon")  # what is sent, in this order
CHANNELS = ("email", "webhook")


@dataclass(frozen=True)
class Message:
    """One message to one address: what it says (plain text for e-mail, Markdown for a robot) and the journal rows
    (item_kind, item_key, state) written once it is delivered."""

    hospital: str
    audience: str  # 'dept' | 'leader'
    channel: str  # 'email' | 'webhook'
    address: str
    name: str  # the recipient's name (e-mail display name)
    dept_code: str  # '' for the leadership
    subject: str
    text: str
    markdown: str
    journal: tuple[tuple[str, str, str], ...]
    quarter: str | None = None  # the leadership's e-mail: the briefing of this quarter attached

    @property
    def shown(self) -> str:
        """The address as printed and audited: a robot's key (a secret in its query string) left out."""
        if self.channel != "webhook":
            return self.address
        u = urlsplit(self.address)
        return f"{u.scheme}://{u.netloc}{u.path}" + ("?…" if u.query else "")


@dataclass(frozen=True)
class Result:
    message: Message
    error: str | None  # None: delivered and journaled


@dataclass(frozen=True)
class Run:
    as_of: date
    dry_run: bool
    planned: tuple[Message, ...]
    results: tuple[Result, ...]  # empty on a dry run
    day_off: bool = False  # ``as_of`` is no working day (§4.1): nothing planned, nothing sent

    @property
    def failed(self) -> tuple[Result, ...]:
        return tuple(r for r in self.results if r.error is not None)


class SendFailed(Exception):
    """A message the server did not take; ``text`` says why in the run's language."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text


# ---------------------------------------------------------------------------------------------------------------
# What goes to whom
# ---------------------------------------------------------------------------------------------------------------


def week_of(day: date) -> str:
    """The ISO week holding ``day`` ('2026-W50'): the leadership's briefing goes once in it."""
    y, w, _ = day.isocalendar()
    return f"{y}-W{w:02d}"


def plan(db, as_of: date, lang: str = i18n.DEFAULT_LANG, hospital: str = "") -> list[Message]:
    """Every message ``hospital``'s contacts are due on ``as_of`` that the journal does not already hold: each
    department contact's new due-soon and overdue items, then the leadership's weekly summary."""
    cal = workdays.Calendar.from_frame(store.calendar_days(db))
    items = due.items(
        store.tasks(db, hospital),
        store.notices(db, hospital),
        as_of,
        cal,
        risks=store.risks(db, hospital),
        talks=store.talks(db, hospital),
    )
    items = items[items["state"].isin(STATES)]
    sent = {tuple(r) for r in store.reminder_sends(db, hospital)[["channel", "address", "item_kind", "item_key",
                                                                    "state"]].itertuples(index=False)}  # fmt: skip
    depts = store.departments(db, hospital=hospital)
    names = dict(zip(depts["dept_code"], depts["dept_name"], strict=True))
    contacts = store.contacts(db, hospital)
    out: list[Message] = []
    for c in contacts[contacts["contact_type"] == "dept"].to_dict("records"):
        own = items[items["dept_code"] == c["dept_code"]]
        for channel, address in _addresses(c):
            new = own[[(channel, address, r.kind, r.key, r.state) not in sent for r in own.itertuples()]]
            if not new.empty:
                out.append(_dept_message(hospital, c, channel, address, new, names, as_of, lang))
    week = week_of(as_of)
    quarter = briefing.default_quarter(db, hospital)
    for c in contacts[contacts["contact_type"] == "leader"].to_dict("records"):
        for channel, address in _addresses(c):
            if (channel, address, "briefing", week, "weekly") not in sent:
                out.append(_leader_message(hospital, c, channel, address, items, names, as_of, week, quarter, lang))
    return out


def _addresses(contact: dict) -> list[tuple[str, str]]:
    pairs = [(channel, contact.get(channel)) for channel in CHANNELS]
    return [(ch, str(a)) for ch, a in pairs if isinstance(a, str) and a.strip()]


def _dept_message(hospital, c, channel, address, new: pd.DataFrame, names, as_of, lang) -> Message:
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    dept = names.get(c["dept_code"], c["dept_code"])
    counts = new["state"].value_counts()
    subject = t("remind.dept.subject", dept=safe.mail_text(dept), overdue=int(counts.get("overdue", 0)),
                soon=int(counts.get("due_soon", 0)), date=i18n.fmt_date(as_of, lang))  # fmt: skip

    def body(esc: Callable[[object], str]) -> list[str]:
        lines = [t("remind.greeting", name=esc(c["name"])), "", t("remind.dept.intro", date=i18n.fmt_date(as_of,
                 lang), dept=esc(dept))]  # fmt: skip
        lines += _item_lines(new, esc, lang)
        return [*lines, "", t("remind.footer")]

    journal = tuple((r.kind, r.key, r.state) for r in new.itertuples())
    return _message(hospital, "dept", channel, address, c, subject, body, journal, None)


def _leader_message(hospital, c, channel, address, items, names, as_of, week, quarter, lang) -> Message:
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    overdue = items[items["state"] == "overdue"]
    soon = int((items["state"] == "due_soon").sum())
    day = i18n.fmt_date(as_of, lang)
    subject = t("remind.leader.subject", date=day, overdue=len(overdue))

    def body(esc: Callable[[object], str]) -> list[str]:
        lines = [t("remind.greeting", name=esc(c["name"])), "", t("remind.leader.intro", date=day,
                 overdue=len(overdue), soon=soon)]  # fmt: skip
        if channel == "email" and quarter:
            lines.append(t("remind.leader.attached", quarter=i18n.fmt_period(quarter, lang)))
        elif quarter:
            lines.append(t("remind.leader.on_page"))
        else:
            lines.append(t("remind.leader.no_briefing"))
        by_dept = overdue.assign(dept=overdue["dept_code"].map(lambda d: f"{names.get(d, d)}"))
        lines += _item_lines(by_dept, esc, lang, with_dept=True)
        return [*lines, "", t("remind.footer")]

    attach = quarter if channel == "email" else None
    return _message(hospital, "leader", channel, address, c, subject, body, (("briefing", week, "weekly"),), attach)


def _item_lines(items: pd.DataFrame, esc, lang: str, with_dept: bool = False) -> list[str]:
    """The items under a heading per state (overdue first), each on one line; beyond MAX_LISTED a count."""
    lines: list[str] = []
    for state in STATES:
        rows = items[items["state"] == state].to_dict("records")
        if not rows:
            continue
        lines += ["", i18n.t(f"remind.heading.{state}", lang)]
        for r in rows[:MAX_LISTED]:
            late = i18n.t("remind.late", lang, days=int(r["days_overdue"])) if state == "overdue" else ""
            # a talk is named by its number and kind only: the person's name never leaves in a message
            text = i18n.t(f"talk.kind.{r['title']}", lang) if r["kind"] == "talk" else r["title"]
            title = i18n.t("remind.title", lang, title=esc(text)) if text else ""
            line = i18n.t(f"remind.item.{r['kind']}", lang, code=esc(r["key"]), title=title,
                          due=i18n.fmt_date(r["due_on"], lang), late=late)  # fmt: skip
            lines.append("- " + (i18n.t("remind.in_dept", lang, dept=esc(r["dept"]), line=line) if with_dept else line))
        if len(rows) > MAX_LISTED:
            lines.append("- " + i18n.t("remind.more", lang, n=len(rows) - MAX_LISTED))
    return lines


def _message(hospital, audience, channel, address, c, subject, body, journal, quarter) -> Message:
    text = "\n".join(body(safe.mail_text))
    md_lines = body(safe.robot_text)  # one line each, nothing in it Markdown
    markdown = "\n".join([f"### {safe.robot_text(subject)}", *md_lines])
    return Message(
        hospital=hospital,
        audience=audience,
        channel=channel,
        address=address,
        name=safe.mail_text(c["name"]),
        dept_code=str(c["dept_code"] or ""),
        subject=safe.mail_text(subject),
        text=text,
        markdown=markdown,
        journal=journal,
        quarter=quarter,
    )


# ---------------------------------------------------------------------------------------------------------------
# Sending
# ---------------------------------------------------------------------------------------------------------------


def robot_payload(m: Message) -> dict:
    """The robot's JSON: 钉钉's (``/robot/send`` on oapi.dingtalk.com) with a title, else 企业微信's."""
    u = urlsplit(m.address)
    if u.netloc.endswith("dingtalk.com") or u.path.rstrip("/").endswith("/robot/send"):
        return {"msgtype": "markdown", "markdown": {"title": m.subject, "text": m.markdown}}
    return {"msgtype": "markdown", "markdown": {"content": m.markdown}}


def email_of(m: Message, sender: str, attachments: tuple[tuple[str, bytes, str], ...] = ()) -> EmailMessage:
    """The e-mail of ``m`` from ``sender``: UTF-8 plain text, the attachments (file name, bytes, MIME type)."""
    e = EmailMessage()
    e["Subject"] = m.subject
    e["From"] = sender
    e["To"] = formataddr((m.name, m.address))
    e["Date"] = formatdate(localtime=True)
    e["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1] if "@" in sender else None)
    e.set_content(m.text)
    for name, data, mime in attachments:
        main, sub = mime.split("/", 1)
        e.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return e


def mail_sender(env: Mapping[str, str], lang: str) -> str:
    """The sender's address the environment gives (SendFailed when the server or the sender is not set: a null
    sender would pass for a bounce)."""
    if not (env.get(SMTP_HOST_ENV) or "").strip():
        raise SendFailed(i18n.t("remind.err.smtp_unset", lang, env=SMTP_HOST_ENV))
    sender = (env.get(SMTP_FROM_ENV) or env.get(SMTP_USER_ENV) or "").strip()
    if not sender:
        raise SendFailed(i18n.t("remind.err.smtp_unset", lang, env=SMTP_FROM_ENV))
    return sender


def send_email(e: EmailMessage, env: Mapping[str, str], lang: str) -> None:
    """Hand ``e`` to the SMTP server the environment names (SendFailed when it is not set, refuses or fails)."""
    host = (env.get(SMTP_HOST_ENV) or "").strip()
    if not host:
        raise SendFailed(i18n.t("remind.err.smtp_unset", lang, env=SMTP_HOST_ENV))
    tls = (env.get(SMTP_TLS_ENV) or "starttls").strip().lower()
    if tls not in TLS_MODES:
        raise SendFailed(i18n.t("remind.err.smtp_tls", lang, env=SMTP_TLS_ENV, value=tls))
    try:
        port = int(env.get(SMTP_PORT_ENV) or (465 if tls == "ssl" else 587))
        context = ssl.create_default_context(cafile=env.get(SMTP_CAFILE_ENV) or None)
        client = (
            smtplib.SMTP_SSL(host, port, timeout=TIMEOUT_S, context=context)
            if tls == "ssl"
            else smtplib.SMTP(host, port, timeout=TIMEOUT_S)
        )
        with client:
            if tls == "starttls":
                client.starttls(context=context)
            if env.get(SMTP_USER_ENV):
                client.login(env[SMTP_USER_ENV], env.get(SMTP_PASSWORD_ENV) or "")
            client.send_message(e)
    except (smtplib.SMTPException, OSError, ValueError) as x:
        raise SendFailed(i18n.t("remind.err.smtp", lang, detail=_short(x))) from x


def post_webhook(m: Message, lang: str) -> None:
    """POST the robot's JSON to its address (SendFailed on an HTTP error or a non-zero errcode)."""
    body = json.dumps(robot_payload(m), ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(m.address, data=body, headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:
            answer = resp.read(65536)
    except (urllib.error.URLError, OSError, ValueError) as x:
        raise SendFailed(i18n.t("remind.err.webhook", lang, detail=_short(x))) from x
    try:
        code = json.loads(answer or b"{}").get("errcode", 0)
    except (ValueError, AttributeError):
        code = 0  # a receiver that answers 200 without JSON took the message
    if code not in (0, "0"):
        raise SendFailed(i18n.t("remind.err.webhook", lang, detail=f"errcode {code}"))


def _short(x: BaseException) -> str:
    return safe.mail_text(f"{type(x).__name__}: {x}")[:300]


def run(
    db_path=None,
    as_of: date | None = None,
    *,
    dry_run: bool = False,
    any_day: bool = False,
    lang: str = i18n.DEFAULT_LANG,
    user: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Run:
    """Plan every hospital's messages on ``as_of`` and (unless ``dry_run``) send them one by one: each delivered
    message journaled with its audit record in one transaction, each failure audited and left for the next run.
    On a day off (a weekend or holiday by the office's calendar, §4.1) nothing goes unless ``any_day``: the timer
    may run every day and nobody is chased during 春节."""
    as_of = as_of or clock.today()
    env = os.environ if env is None else env
    with store.opened(db_path) as db:
        if not any_day and not workdays.is_working_day(as_of, workdays.Calendar.from_frame(store.calendar_days(db)))[0]:
            return Run(as_of, dry_run, (), (), day_off=True)
        hospitals = store.hospital_codes(db) or [""]
        planned = tuple(m for h in hospitals for m in plan(db, as_of, lang, h))
    if dry_run:
        return Run(as_of, True, planned, ())
    files: dict[tuple[str, str], tuple] = {}
    results = []
    for m in planned:
        try:
            if m.channel == "email":
                sender = mail_sender(env, lang)  # before the attachments: a server not set up fails at once
                attachments = _briefing_files(db_path, m, as_of, lang, files) if m.quarter else ()
                send_email(email_of(m, sender, attachments), env, lang)
            else:
                post_webhook(m, lang)
            error = None
        except SendFailed as x:
            error = x.text
        with store.opened(db_path) as db, db.atomic():
            if error is None:
                store.record_sends(db, m.hospital, [(m.channel, m.address, *j) for j in m.journal])
            detail = {"channel": m.channel, "audience": m.audience, "dept_code": m.dept_code,
                      "items": [list(j) for j in m.journal], "as_of": as_of.isoformat()}  # fmt: skip
            if error is not None:
                detail["error"] = error
            action = "remind_sent" if error is None else "remind_failed"
            store.audit_log(db, user, action, target=m.shown, detail=detail, hospital=m.hospital)
        results.append(Result(m, error))
    return Run(as_of, False, planned, tuple(results))


def _briefing_files(db_path, m: Message, as_of: date, lang: str, cache: dict) -> tuple:
    """The leadership's attachments: the briefing of ``m.quarter`` as PPTX and PDF (made once per run)."""
    key = (m.hospital, m.quarter)
    if key not in cache:
        with store.opened(db_path) as db:
            b = briefing.build(db, m.quarter, lang, m.hospital, today=as_of)
        try:
            pdf = briefing.to_pdf(b)
        except briefing.PdfFailed as x:
            raise SendFailed(i18n.t("brief.pdf." + x.key, lang, path=briefing.chromium(), detail=x.detail)) from x
        stem = f"briefing_{m.quarter.replace('-', '')}_{lang}"
        pptx_mime = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        cache[key] = ((f"{stem}.pptx", briefing.to_pptx(b), pptx_mime), (f"{stem}.pdf", pdf, "application/pdf"))
    return cache[key]
