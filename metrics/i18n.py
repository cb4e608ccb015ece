"""Every user-visible string, one table per language (zh default, en).

``t(key, lang, **fmt)`` looks a key up; a missing key in English falls back to Chinese, and a key missing
everywhere raises KeyError (tests/test_i18n.py checks both tables hold the same keys).
Sections are marked per area; add a string to both tables in the area's section.
"""

from __future__ import annotations

from datetime import date

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

ZH: dict[str, str] = {
    # --- app chrome -----------------------------------------------------------------------------
    "app.title": "清廉医院建设指标看板",
    "app.lang": "语言 / Language",
    "app.demo_banner": "当前显示的是演示数据（虚构科室与数字），不是真实记录。",
    "app.empty_store": "尚无数据。请在「数据上传」页上传科室名录和月度指标，或运行 `python -m metrics demo` 载入演示数据。",
    "app.error": "页面出错了，已记录到服务器日志。请刷新重试或联系管理员。",
    "nav.overview": "总览",
    "nav.trends": "科室趋势",
    "nav.matrix": "信号矩阵",
    "nav.events": "否决与警示",
    "nav.awards": "清廉科室",
    "nav.upload": "数据上传",
    "nav.targets": "目标与指标",
    "nav.briefing": "季度汇报",
    "nav.audit": "审计日志",
    "nav.users": "用户管理",
    "nav.login": "登录",
    "nav.section.browse": "浏览",
    "nav.section.manage": "管理",
    # --- period selector / filters -------------------------------------------------------------
    "period.grain": "统计周期",
    "period.month": "月",
    "period.quarter": "季度",
    "period.year": "年",
    "period.pick": "选择期间",
    "filter.category": "科室类别",
    "filter.branch": "党支部",
    "filter.all": "全部",
    # --- statuses (PRODUCT §4.1, §3.2) ----------------------------------------------------------
    "award.not_applied": "未申报",
    "award.applied": "已申报",
    "award.branch_reviewed": "支部审核",
    "award.group_reviewed": "小组审核",
    "award.committee_approved": "党委审定",
    "award.public_notice": "公示中",
    "award.awarded": "已授牌",
    "award.rejected": "未通过",
    "award.revoked": "已取消",
    "award.rectifying": "整改中",
    "event.kind.veto": "否决",
    "event.kind.warning": "警示",
    "event.status.confirmed": "已认定",
    "event.status.review": "核查中",
    "event.status.withdrawn": "已撤销",
    "light.red": "红",
    "light.amber": "黄",
    "light.green": "绿",
    "light.grey": "无数据",
    # --- upload (issue 2) ----------------------------------------------------------------------
    # --- overview / events / awards / targets (issue 3) ----------------------------------------
    # --- trends / matrix / SPC (issue 4) -------------------------------------------------------
    # --- briefing / presentation (issue 5) ------------------------------------------------------
    # --- access / audit (issue 6) --------------------------------------------------------------
}

EN: dict[str, str] = {
    # --- app chrome -----------------------------------------------------------------------------
    "app.title": "Integrity-Building Indicator Dashboard",
    "app.lang": "语言 / Language",
    "app.demo_banner": "You are looking at demo data (fictional departments and numbers), not real records.",
    "app.empty_store": "No data yet. Upload the department list and monthly metrics on the Upload page, or run `python -m metrics demo` to load demo data.",
    "app.error": "Something went wrong on this page; it has been logged on the server. Refresh or contact the administrator.",
    "nav.overview": "Overview",
    "nav.trends": "Department trends",
    "nav.matrix": "Signal matrix",
    "nav.events": "Vetoes & warnings",
    "nav.awards": "Award progress",
    "nav.upload": "Upload",
    "nav.targets": "Targets & catalogue",
    "nav.briefing": "Quarterly briefing",
    "nav.audit": "Audit log",
    "nav.users": "Users",
    "nav.login": "Sign in",
    "nav.section.browse": "Browse",
    "nav.section.manage": "Manage",
    # --- period selector / filters -------------------------------------------------------------
    "period.grain": "Period",
    "period.month": "Month",
    "period.quarter": "Quarter",
    "period.year": "Year",
    "period.pick": "Choose period",
    "filter.category": "Category",
    "filter.branch": "Party branch",
    "filter.all": "All",
    # --- statuses (PRODUCT §4.1, §3.2) ----------------------------------------------------------
    "award.not_applied": "Not applied",
    "award.applied": "Applied",
    "award.branch_reviewed": "Branch reviewed",
    "award.group_reviewed": "Working group reviewed",
    "award.committee_approved": "Committee approved",
    "award.public_notice": "Public notice",
    "award.awarded": "Awarded",
    "award.rejected": "Rejected",
    "award.revoked": "Revoked",
    "award.rectifying": "In rectification",
    "event.kind.veto": "Veto",
    "event.kind.warning": "Warning",
    "event.status.confirmed": "Confirmed",
    "event.status.review": "Under review",
    "event.status.withdrawn": "Withdrawn",
    "light.red": "Red",
    "light.amber": "Amber",
    "light.green": "Green",
    "light.grey": "No data",
    # --- upload (issue 2) ----------------------------------------------------------------------
    # --- overview / events / awards / targets (issue 3) ----------------------------------------
    # --- trends / matrix / SPC (issue 4) -------------------------------------------------------
    # --- briefing / presentation (issue 5) ------------------------------------------------------
    # --- access / audit (issue 6) --------------------------------------------------------------
}

TABLES = {"zh": ZH, "en": EN}


def t(key: str, lang: str = DEFAULT_LANG, **fmt) -> str:
    """The string for ``key`` in ``lang`` (falls back to Chinese), formatted with ``fmt``."""
    table = TABLES.get(lang, ZH)
    s = table.get(key)
    if s is None:
        s = ZH[key]
    return s.format(**fmt) if fmt else s


def metric_name(metric, lang: str = DEFAULT_LANG) -> str:
    """A catalogue metric's display name (contract.Metric or a catalogue row dict)."""
    get = metric.get if isinstance(metric, dict) else lambda k: getattr(metric, k)
    return get("name_en") if lang == "en" else get("name_zh")


def fmt_number(x, lang: str = DEFAULT_LANG, digits: int = 1) -> str:
    """A number for display; '—' for missing."""
    if x is None or x != x:
        return "—"
    return f"{x:,.{digits}f}"


def fmt_date(d: date | str | None, lang: str = DEFAULT_LANG) -> str:
    """A date as 2023年10月9日 (zh) or 9 Oct 2023 (en)."""
    if d is None or d == "" or d != d:
        return "—"
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    return f"{d.year}年{d.month}月{d.day}日" if lang == "zh" else d.strftime("%-d %b %Y")


def fmt_month(m: str, lang: str = DEFAULT_LANG) -> str:
    """'2023-04' as 2023年4月 (zh) or Apr 2023 (en)."""
    y, mo = int(m[:4]), int(m[5:7])
    return f"{y}年{mo}月" if lang == "zh" else date(y, mo, 1).strftime("%b %Y")
