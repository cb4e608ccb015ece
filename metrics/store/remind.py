"""The reminders' SQL (PRODUCT §11): the contact list (who may be reminded; personal data) and the journal of what
was sent to whom (``reminder_sends``: one row per address, item and state), so a rerun sends nothing new."""

from __future__ import annotations

import pandas as pd
import sqlite_utils

from metrics.store.reads import Hospital, hospital_rows
from metrics.store.tx import now_iso

SEND_COLUMNS = ("channel", "address", "item_kind", "item_key", "state")


def contacts(db: sqlite_utils.Database, hospital: Hospital = "") -> pd.DataFrame:
    """The contacts of ``hospital`` (personal data): contact_type ('dept'|'leader'), dept_code ('' for the
    leadership), name, email, webhook."""
    return hospital_rows(
        db, "contacts", "contact_type, dept_code, name, email, webhook", "{h}contact_type, dept_code, name", hospital
    )


def reminder_sends(db: sqlite_utils.Database, hospital: Hospital = "") -> pd.DataFrame:
    """What was sent (``hospital``'s journal): channel ('email'|'webhook'), address, item_kind, item_key, state,
    sent_at; by time, then address."""
    columns = "channel, address, item_kind, item_key, state, sent_at"
    return hospital_rows(
        db, "reminder_sends", columns, "sent_at, channel, address, item_kind, item_key, state", hospital
    )


def record_sends(db: sqlite_utils.Database, hospital: str, rows: list[tuple[str, str, str, str, str]]) -> None:
    """Journal one delivered message: its (channel, address, item_kind, item_key, state) rows, stamped now. Call in
    the transaction that writes the send's audit record, so a message is journaled whole or not at all."""
    at = now_iso()
    for r in rows:
        db.execute(
            "INSERT INTO reminder_sends (hospital_code, channel, address, item_kind, item_key, state, sent_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [hospital, *r, at],
        )
