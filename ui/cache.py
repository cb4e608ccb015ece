"""The one cache of the pages: every view-model a page shows, shared by every session (st.cache_resource) and
keyed by its whole ``ViewKey``; the store's small tables come from the views' own read of them
(``metrics.views.loaded``), so a page's filters and its view never read a table twice. Everything is keyed by the
store, its data version (bumped by every commit) and the hospital. The server's warm fills the same entries a first
visit reads."""

from __future__ import annotations

import collections

import streamlit as st

from metrics import store
from metrics.access import grants
from metrics.views import loaded


@st.cache_resource(show_spinner=False, max_entries=8)
def _hospital_codes(path: str, version: int) -> tuple[str, ...]:
    # the hospital list is a data kind: every change to it bumps the data version
    with store.opened(path) as db:
        return store.hospital_codes(db)


@st.cache_resource(show_spinner=False, max_entries=16)
def _hospital_names(path: str, version: int, lg: str) -> dict[str, str]:
    return grants.hospital_names(lg, path)


# Builds per builder since the server started: a cache miss of ``view`` (a view worked out from the store), not a
# lookup. Read by the tests that check a click or a visit after the warm reads a view built before.
BUILDS: collections.Counter = collections.Counter()


class _Built:
    """A view already built, filed under one more key (``view``'s ``resolved``): no computation, no build counted."""

    def __init__(self, out):
        self.out = out

    def __call__(self, _key):
        return self.out


@st.cache_resource(show_spinner=False, max_entries=64)
def _view(name: str, _build, key):
    # Streamlit cannot hash a function: the builder's dotted name keys it, the function itself is not hashed.
    if not isinstance(_build, _Built):
        BUILDS[name] += 1
    return _build(key)


def filed_view(build, key, resolved=None):
    """``view`` without the access check: for the server's own warm (ui/warm.py), which shows nobody anything."""
    name = f"{build.__module__}.{build.__qualname__}"
    out = _view(name, build, key)
    if resolved is not None:
        same = key.with_(**resolved(out))
        if same != key:
            _view(name, _Built(out), same)
    return out


def _store_frames(path: str, version: int, hospital: str) -> loaded.Frames:
    # The views' own read of the store's small tables (one read per store, data version and hospital, whoever asks
    # first: a page's filters or its view). The store's path is part of the key: two stores can be at the same data
    # version (tests, --db); the hospital too.
    return loaded.frames(path, version, hospital)


def _dept_names(path: str, version: int, hospital: str) -> dict[str, str]:
    return loaded.frames(path, version, hospital).dept_names


def _months_with_data(path: str, version: int, hospital: str) -> tuple[str, ...]:
    return loaded.frames(path, version, hospital).months


@st.cache_resource(show_spinner=False, max_entries=8)
def _region_months(path: str, version: int, hospitals: tuple[str, ...]) -> tuple[str, ...]:
    with store.opened(path) as db:
        return tuple(store.months_with_data(db, hospitals))


@st.cache_resource(show_spinner=False, max_entries=8)
def _filter_options(path: str, version: int, hospital: str) -> tuple[list[str], list[str]]:
    """(categories, party branches) of the department list, sorted, once per data version."""
    departments = _store_frames(path, version, hospital).departments
    return (
        sorted(c for c in departments["category"].dropna().unique()),
        sorted(b for b in departments["party_branch"].dropna().unique()),
    )


@st.cache_resource(show_spinner=False, max_entries=8)
def _picker_labels(path: str, version: int, hospital: str) -> dict[str, str]:
    """code → "code  name" for every department, once per data version (a label per option on every run cost more
    than the rest of a page at a region's scale)."""
    return {c: f"{c}  {n}".strip() for c, n in _dept_names(path, version, hospital).items()}
