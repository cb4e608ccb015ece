"""View-models: what each page shows, built by plain functions that return frozen dataclasses.

One module per page (``metrics/views/<page>.py``) with one public builder, ``build(key: ViewKey, ...) -> <Page>View``:
rows in the order shown, display labels, KPI arguments, figures. Builders read the store through
``metrics.store`` and compute through ``metrics/`` — never Streamlit — so tests call them on a real store file or
literal frames. A page caches exactly one call per key (``ui.view``); the key says everything the
result depends on, so two stores, two languages or two choices never share an entry.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ViewKey:
    """What a page's view depends on: the store (path or URL), its data version, the language, the choices and the
    hospital the view is built for ('' in a one-hospital store; a page resolves and checks it in
    ``ui.view_key`` before any builder runs, so a builder trusts it).

    ``choices`` is a tuple of ``(name, value)`` pairs sorted by name; values are hashable (str, int, date, tuples).
    """

    store: str
    version: int
    lang: str
    choices: tuple[tuple[str, object], ...] = ()
    hospital: str = ""

    def get(self, name: str, default=None):
        """The choice ``name``, or ``default``."""
        for k, v in self.choices:
            if k == name:
                return v
        return default

    def with_(self, **choices) -> ViewKey:
        """This key with ``choices`` set (added or replaced)."""
        return ViewKey.of(
            self.store, self.version, self.lang, hospital=self.hospital, **{**dict(self.choices), **choices}
        )

    @classmethod
    def of(cls, store: str, version: int, lang: str, *, hospital: str = "", **choices) -> ViewKey:
        return cls(str(store), int(version), lang, tuple(sorted(choices.items())), hospital)
