"""What the icon matrix page shows (PRODUCT §5): departments × metrics, each cell its variation and
assurance icons linking to the trends page, the three counts above it, the legend, and the hospital-wide row.

Choices (``ViewKey.choices``): ``category`` ('' = every category) and ``sort`` ('attention' | 'code').
Metric names are the store's catalogue names (edits included).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from metrics import contract, i18n, safe, store
from metrics.rules import spc
from metrics.rules.targets import resolve_targets
from metrics.views import ViewKey, loaded, spc_charts

HOSP = contract.HOSPITAL_CODE
SORTS = ("attention", "code")


@dataclass(frozen=True)
class MatrixView:
    category: str  # the category shown ('' = all), one of ``category_labels``
    category_labels: dict[str, str]  # the category picker: '' (all) first, then the catalogue's order
    sort: str
    sort_labels: dict[str, str]
    period: str | None  # "依据 2023年1月 至 2025年12月 的月度数据 · 每格左侧…"; None on an empty store
    kpis: tuple[dict, ...]  # st.metric arguments: departments with a concern, a failing target, an improvement
    legend: str  # fixed catalogue strings only (markdown-safe)
    empty: str | None  # said instead of the table when no department has a cell
    table: pd.DataFrame  # dept_code, dept_name, category, attention, one link cell per metric, link — in order
    cell_styles: pd.DataFrame  # CSS per cell of ``table`` (same index and columns)
    headers: dict[str, str]  # column → header: the four department columns, then each metric's name
    metric_columns: tuple[str, ...]  # the metric columns of ``table``, in catalogue order
    hospital_title: str
    hospital: pd.DataFrame  # one row: dept_name, one link cell per hospital-wide metric (empty: none)
    hospital_names: dict[str, str]  # hospital metric code → name

    def download(self) -> pd.DataFrame:
        """The whole table as written for a spreadsheet: a cell's icons, not its link."""
        return self.table.assign(**{m: self.table[m].str.split("#", n=1).str[-1] for m in self.metric_columns})


def build(key: ViewKey) -> MatrixView:
    """Everything the page shows for ``key`` (see the module doc for its choices)."""
    f = loaded.frames(key.store, key.version, key.hospital)
    lang = key.lang
    matrix = _icon_matrix(key.store, key.version, key.hospital)
    present = set(f.departments["category"].unique())
    categories = [c for c in contract.CATEGORIES if c in present]
    category = key.get("category") or ""
    category = category if category in categories else ""
    sort = key.get("sort") if key.get("sort") in SORTS else SORTS[0]
    shown = f.departments if not category else f.departments[f.departments["category"] == category]
    dept_defs = [m for m in f.metric_defs if m.scope == "dept"]

    table = spc_charts.icon_matrix_table(
        matrix[matrix["dept_code"].isin(shown["dept_code"])], shown, dept_defs, lang, sort=sort
    )
    cells = matrix[matrix["dept_code"].isin(shown["dept_code"]) & matrix["metric"].isin([m.code for m in dept_defs])]
    counts = {
        "concern": cells.loc[cells["variation"] == spc.CONCERN, "dept_code"].nunique(),
        "fail": cells.loc[cells["assurance"] == spc.FAIL, "dept_code"].nunique(),
        "improve": cells.loc[cells["variation"] == spc.IMPROVEMENT, "dept_code"].nunique(),
    }
    first, last = (matrix["first_month"].min(), matrix["last_month"].max()) if len(matrix) else (None, None)
    metric_columns = tuple(m.code for m in dept_defs if m.code in table.columns)
    names = {m.code: i18n.metric_name(m, lang) for m in f.metric_defs}
    variations = safe.md_text(spc_charts.variation_legend(f.metric_defs, lang))  # per direction; names literal
    assurances = " · ".join(spc_charts.assurance_label(a, lang) for a in (spc.PASS, spc.FAIL, spc.HIT_AND_MISS, None))
    hospital, hospital_names = _hospital_row(matrix, f.metric_defs, lang)
    return MatrixView(
        category=category,
        category_labels={"": i18n.t("filter.all", lang), **{c: c for c in categories}},
        sort=sort,
        sort_labels={s: i18n.t(f"matrix.sort.{s}", lang) for s in SORTS},
        period=None
        if first is None
        else i18n.t("matrix.period", lang, first=i18n.fmt_month(first, lang), last=i18n.fmt_month(last, lang))
        + " · "
        + i18n.t("matrix.caption", lang),
        kpis=tuple(
            dict(label=i18n.t(f"matrix.kpi.{k}", lang), value=counts[k]) for k in ("concern", "fail", "improve")
        ),
        legend=f"**{i18n.t('spc.variation', lang)}**　{variations}　　**{i18n.t('spc.assurance', lang)}**　{assurances}  \n"
        + i18n.t("matrix.legend.colours", lang),
        empty=i18n.t("matrix.empty", lang) if table.empty else None,
        table=table,
        cell_styles=spc_charts.icon_matrix_cell_styles(table),
        headers={
            "dept_code": i18n.t("matrix.code", lang),
            "dept_name": i18n.t("matrix.dept", lang),
            "category": i18n.t("matrix.category", lang),
            "attention": i18n.t("matrix.attention", lang),
            **{m: names[m] for m in metric_columns},
        },
        metric_columns=metric_columns,
        hospital_title=i18n.t("matrix.hospital", lang),
        hospital=hospital,
        hospital_names=hospital_names,
    )


@loaded.memo(maxsize=4)
def _icon_matrix(path: str, version: int, hospital: str) -> pd.DataFrame:
    """The icon matrix of every series over the SPC window (the same window as the trends page), read once per
    store and data version for every category, sort and language."""
    months = loaded.frames(path, version, hospital).months
    month_from = spc.window_start(months[-1]) if months else None
    with store.opened(path) as db:
        defs = store.metric_defs(db)
        targets = store.targets(db, hospital)
        # A group of departments at a time: every series whole, never the whole store in memory; only the window's
        # months are read (at a region's scale reading all ten years was 6 of the cold run's 8 seconds).
        parts = [
            spc.icon_matrix(values, resolve_targets(targets, values), defs)
            for values in store.metric_value_chunks(db, month_from=month_from, hospital=hospital)
        ]
        if not parts:  # an empty store: the matrix's empty shape
            empty = store.metric_values(db, hospital=hospital)
            parts = [spc.icon_matrix(empty, resolve_targets(targets, empty), defs)]
    return pd.concat(parts, ignore_index=True)


def _hospital_row(matrix: pd.DataFrame, defs, lang: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """The hospital-wide metrics as one row of icon links, and each column's metric name."""
    hospital = matrix[matrix["dept_code"] == HOSP]
    rows, names = {}, {}
    for m in (m for m in defs if m.scope == "hospital"):
        r = hospital[hospital["metric"] == m.code]
        if r.empty:
            continue
        r = r.iloc[0]
        label = f"{spc_charts.variation_label(r.variation, r.direction, lang)}  {spc_charts.assurance_label(r.assurance, lang, r.missed_months)}"
        rank = spc_charts.cell_rank(r.variation, r.assurance)
        rows[m.code] = spc_charts.trends_link(HOSP, m.code, rank, label, lang)
        names[m.code] = i18n.metric_name(m, lang)
    if not rows:
        return pd.DataFrame(), {}
    return pd.DataFrame([{"dept_name": i18n.t("trends.hospital", lang), **rows}]), names


def default_keys(base: ViewKey, *, period: str, depts: str, today) -> list[tuple]:
    """The views a first visit of the page builds, each with the key the page makes before any widget is touched:
    (builder, key, resolved) — ``resolved(view)`` gives the choices that visit leaves open as the widgets hold them
    on the next run (``ui.cache.filed_view``). The server's warm after a commit builds exactly these."""
    return [(build, base.with_(category="", sort=None), lambda v: {"category": v.category, "sort": v.sort})]
