"""What the targets page shows, built once per data version and language and kept (st.cache_resource), so a rerun
of the page only draws (issue 7). Functions defined here, not in the page script, are decorated once per process.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics import i18n, rules
from pages import _common as ui


@st.cache_resource(show_spinner=False, max_entries=16)
def targets_view(path: str, version: int, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the stored targets in catalogue order, numbered 1..n as the editor shows them; the same with department and
    metric names for display). Read-only: an edit is compared against the first."""
    f = ui._store_frames(path, version)
    defs = f["metric_defs"]
    labels = ui._dept_names(path, version)
    names = {m.code: i18n.metric_name(m, lang) for m in defs}
    targets = f["targets"]
    order = {m.code: i for i, m in enumerate(sorted(defs, key=lambda m: m.sort))}
    targets = (
        targets.assign(_o=targets["metric"].map(order).fillna(len(order)))
        .sort_values(["_o", "dept_code", "effective_from"])[
            ["metric", "dept_code", "effective_from", "target", "direction"]
        ]
        .reset_index(drop=True)  # the editor shows row numbers 1..n, not store order
    )
    hospital_wide = i18n.t("hospital_wide", lang)
    shown = targets.assign(
        dept_name=targets["dept_code"].map(lambda c: hospital_wide if c == "" else labels.get(c, c)),
        metric_name=targets["metric"].map(lambda c: names.get(c, c)),
    )
    return targets, shown


@st.cache_resource(show_spinner=False, max_entries=16)
def below(path: str, version: int, lang: str) -> list[dict]:
    """Own targets below the hospital's, checked once per data version and language (it resolves every department's
    targets: the page's main cost at 5,000 departments; issue 7)."""
    f = ui._store_frames(path, version)
    names = {m.code: i18n.metric_name(m, lang) for m in f["metric_defs"]}
    targets = targets_view(path, version, lang)[0]
    return rules.target_edit(targets, targets, f["departments"]["dept_code"], names).warnings
