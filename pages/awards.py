"""清廉科室 Award progress (PRODUCT §2, §4.1, §4.2): every department's status this year, eligibility
with reasons, conflicts in red, rectification countdowns and re-apply dates, the 公示 end date.

Filters (award year, category/branch) → one view-model (metrics.views.awards, cached per store, data version,
language and choices) → show.
"""

from __future__ import annotations

import streamlit as st

import ui
from metrics import clock
from metrics.print import application
from metrics.views import applications, awards
from pages import _download, _drill

# --- filters: the year's box is drawn above the department filter, its options come from the view -----------------

version = ui.data_version()
ui.title(ui.t("nav.awards"))
year_box, _ = st.columns([1, 3])
codes = ui.dept_filter(ui.store_frames(version).departments, version)
view = ui.view(
    awards.build,
    # an editor or admin reads a person's name (personal data, PRODUCT §10): only their key asks for it, so a viewer's
    # view never holds a name (and stays the view the warm built)
    ui.view_key(
        year=st.session_state.get("awards_year"),
        depts="\n".join(codes),
        today=clock.today(),
        **({"personal": True} if ui.can("editor") else {}),
    ),
    resolved=lambda v: {"year": v.year},  # the first visit's year (None) as the next run reads it
)
if st.session_state.get("awards_year") != view.year:
    st.session_state["awards_year"] = view.year
year_box.selectbox(ui.t("aw.year"), view.years, key="awards_year", placeholder=ui.t("select.placeholder"))

# --- show: KPIs and pipeline --------------------------------------------------------------------

for col, (label, value) in zip(st.columns(len(view.kpis)), view.kpis, strict=True):
    col.metric(label, value)

st.subheader(ui.t("aw.conflicts_title"))
if view.conflicts.rows.empty:
    st.success(ui.t("aw.conflicts_none"))
else:
    c = view.conflicts
    picked = ui.marked_table(
        c.rows, "awards_conflicts_page", c.headers, c.file_name, view.marker_header, select="awards_conflict_drill"
    )
    _drill.open_picked(picked, "awards")

ui.chart(view.pipeline, "awards_pipeline")

# --- show: public notice and rectification ------------------------------------------------------

# one under the other: the notice table's eligibility reasons need the width
left = right = st.container()
with left:
    st.subheader(ui.t("aw.notice_title"))
    if view.notice.rows.empty:
        st.caption(ui.t("aw.notice_none"))
    else:
        if view.notice_warning:
            st.warning(view.notice_warning)
        if view.notice_flag:
            st.error(view.notice_flag, icon=":material/error:")
        n = view.notice
        st.caption(ui.t("dept.open_hint"))
        picked = ui.marked_table(
            n.rows,
            "awards_notice_page",
            n.headers,
            n.file_name,
            ui.t("col.flag"),
            select="awards_notice_drill",
            eligibility=st.column_config.TextColumn(n.headers["eligibility"], width="large"),
        )
        _drill.open_picked(picked, "awards")
with right:
    st.subheader(ui.t("aw.rect_title"))
    if view.rectifying.rows.empty:
        st.caption(ui.t("aw.rect_none"))
    else:
        st.caption(ui.t("dept.open_hint"))
        _drill.department_table(
            view.rectifying.rows,
            "awards_rect_drill",
            "awards",
            hide_index=True,
            width="stretch",
            column_config=ui.text_columns(
                view.rectifying.headers,
                days_left=st.column_config.NumberColumn(view.rectifying.headers["days_left"], format="%d"),
            ),
        )

# --- show: every department's status, with eligibility and reasons -------------------------------

st.subheader(ui.t("aw.status_title"))
st.caption(view.eligibility_title)
s = view.status
# A page of rows at a time at a region's scale; the download holds all.
table = ui.paged(s.rows, "awards_status_page", s.headers, file_name=s.file_name)
st.caption(ui.t("dept.open_hint"))
_drill.department_table(
    table,
    "awards_drill",
    "awards",
    hide_index=True,
    width="stretch",
    height=min(36 * (len(table) + 1) + 4, 900),
    column_config={
        "marker": st.column_config.ImageColumn(view.marker_header, width=40),
        **ui.text_columns(
            s.headers,
            reasons=st.column_config.TextColumn(s.headers["reasons"], width="large"),
            trend=st.column_config.LinkColumn(ui.t("col.trend"), display_text=ui.t("col.trend") + " ↗"),
        ),
    },
)
ui.trend_picker(codes, version, "awards")


# --- show: 清廉医护 and 清廉示范岗 (PRODUCT §10), one tab per unit type ----------------------------------------


def _units_section(units) -> None:
    """Each unit type's count per status, then its units with status, department, source and eligibility; every
    uploaded text in a table cell (drawn as text, never markdown)."""
    st.subheader(ui.t("aw.units_title"))
    st.caption(ui.t("aw.units_hint", year=view.year))
    for tab, u in zip(st.tabs([u.title for u in units]), units, strict=True):
        with tab:
            st.markdown(f"**{ui.md_escape(u.summary)}**")
            if u.rows.empty:
                continue
            table = ui.paged(u.rows, f"awards_units_{u.unit_type}_page", u.headers, file_name=u.file_name)
            st.dataframe(
                table,
                hide_index=True,
                width="stretch",
                height=min(36 * (len(table) + 1) + 4, 600),
                column_config={
                    "marker": st.column_config.ImageColumn(view.marker_header, width=40),
                    **ui.text_columns(
                        u.headers, reasons=st.column_config.TextColumn(u.headers["reasons"], width="medium")
                    ),
                },
            )


if view.units:
    _units_section(view.units)

# --- the 医德考评 +2 points list (PRODUCT §8): editors and admins only, every download audited -------------

if ui.can("editor"):
    from metrics.ops import points

    st.subheader(ui.t("points.title"))
    p_year = st.selectbox(ui.t("points.year"), view.years, key="points_year")
    st.caption(points.rule_text(int(p_year), ui.lang()))
    p_lang, p_user, p_hosp = ui.lang(), ui.current_user(), ui.current_hospital()

    def _points_csv() -> bytes:  # produced (and audited) when the button is clicked, never on a plain run
        got = points.produce(int(p_year), user=p_user, channel="page", fmt="csv", lang=p_lang, hospital=p_hosp)
        return got.csv_bytes(p_lang)

    # names of staff: handed to this signed-in browser only, never parked behind a /media/ URL
    _download.button(
        ui.t("points.download", year=p_year),
        _points_csv,
        file_name=f"points-{p_year}.csv",
        mime="text/csv",
        key="points_download",
    )


# --- the year's 申报表 (PRODUCT §10 applications, seed 004 附件 2), each step against the award's record; one
# department's filled form printed as the annex (no personal data on it: the signatures stay on paper) ---------------


def _applications(year: int, depts: list[str]) -> None:
    apps = ui.view(applications.build, ui.view_key(year=year, depts="\n".join(depts), today=clock.today()))
    with st.expander(apps.title, icon=":material/assignment:"):
        if apps.rows.empty:
            st.caption(ui.t("apps.none", year=year))
            return
        st.caption(ui.t("apps.caption"))
        # every application at once (a hospital's departments, tens at most); a step out of order is said under the
        # table, row by row, rather than in a column off the screen's right edge
        st.dataframe(
            apps.rows,
            hide_index=True,
            width="stretch",
            height=min(35 * (len(apps.rows) + 1) + 3, 750),
            column_order=[c for c in apps.headers if c != "flags"],
            column_config=ui.text_columns(apps.headers),
        )
        for line in apps.warnings:
            st.warning(ui.md_escape(line), icon=":material/schedule:")
        forms = {f.dept_code: f for f in apps.forms}
        names = dict(zip(apps.rows["dept_code"], apps.rows["dept_name"], strict=True))
        pick, buttons = st.columns([1, 1], vertical_alignment="bottom")
        get = get_pdf = buttons.container(horizontal=True)  # the two files side by side, beside the department
        code = pick.selectbox(ui.t("apps.form.pick"), list(forms), format_func=lambda c: f"{c}  {names[c]}",
                              key="applications_form_dept")  # fmt: skip
        form = forms[code]
        get.download_button(
            ui.t("apps.form.download"),
            data=lambda: application.to_docx(form),  # written when clicked
            file_name=form.file_name,
            mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            key="applications_form_download",
            on_click="ignore",
        )
        get_pdf.download_button(
            ui.t("apps.form.download_pdf"),
            data=lambda: application.to_pdf(form),  # printed by the headless browser when clicked, a few seconds
            file_name=form.file_name.removesuffix(".docx") + ".pdf",
            mime="application/pdf",
            key="applications_form_pdf",
            on_click="ignore",
        )


_applications(view.year, codes)
