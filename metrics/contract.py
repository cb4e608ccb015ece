"""The data contract: kinds of file, their columns and aliases, the catalogues and the status lists.

Everything here is declared once and cited to ../shared/PRODUCT.md; ingest, store, rules and pages read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# ---------------------------------------------------------------------------------------------
# Catalogue entries
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    """One monthly metric (PRODUCT §3.2 metrics)."""

    code: str
    name_zh: str
    name_en: str
    unit_zh: str = ""
    unit_en: str = ""
    lo: float | None = None  # inclusive lower bound, None = unbounded
    hi: float | None = None  # inclusive upper bound
    integer: bool = False
    direction: str = ">="  # ">=" higher is better, "<=" lower is better
    default_target: float | None = None
    scope: str = "dept"  # "dept": every department reports it; "hospital": hospital-wide indicator
    aggregate: str = "mean"  # how months combine into a quarter/year: "mean" or "sum"
    aliases: tuple[str, ...] = ()
    sort: int = 0


# PRODUCT §3.2 "metrics" columns and ranges; §3.2 "targets" shipped defaults; §1 hospital-wide targets.
METRICS: tuple[Metric, ...] = (
    Metric(
        "patient_satisfaction",
        "患者满意度",
        "Patient satisfaction",
        "分",
        "pts",
        0,
        100,
        direction=">=",
        default_target=90,
        aliases=("病人满意度", "患者满意度(分)", "满意度"),
        sort=1,
    ),
    Metric(
        "staff_satisfaction",
        "职工满意度",
        "Staff satisfaction",
        "分",
        "pts",
        0,
        100,
        direction=">=",
        default_target=90,
        aliases=("员工满意度",),
        sort=2,
    ),
    Metric(
        "complaints",
        "投诉件数",
        "Complaints",
        "件",
        "",
        0,
        None,
        integer=True,
        direction="<=",
        default_target=None,
        aggregate="sum",
        aliases=("投诉", "投诉数", "投诉量"),
        sort=3,
    ),
    Metric(
        "drug_share",
        "药占比",
        "Drug share",
        "%",
        "%",
        0,
        100,
        direction="<=",
        default_target=20,
        scope="hospital",
        aliases=("药品占比",),
        sort=4,
    ),
    Metric(
        "cost_growth",
        "医疗费用增幅",
        "Medical cost growth",
        "%",
        "%",
        None,
        None,
        direction="<=",
        default_target=10,
        scope="hospital",
        aliases=("费用增幅", "医疗费用增长率"),
        sort=5,
    ),
    Metric(
        "consumables_per_100",
        "百元医疗收入卫生材料消耗",
        "Consumables per 100 yuan revenue",
        "元",
        "yuan",
        0,
        None,
        direction="<=",
        default_target=20,
        scope="hospital",
        aliases=("百元医疗收入消耗的卫生材料", "百元收入耗材"),
        sort=6,
    ),
)
METRIC_BY_CODE = {m.code: m for m in METRICS}

# The hospital-wide department code used for hospital-scope indicators (drug share etc.).
HOSPITAL_CODE = "HOSP"


@dataclass(frozen=True)
class Indicator:
    """A veto (否决) or warning (警示) indicator (PRODUCT §4.4; seeds/004 附件1 for evidence and office)."""

    code: str
    kind: str  # "veto" | "warning"
    name_zh: str
    name_en: str
    evidence: str = ""
    office: str = ""


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "V01",
        "veto",
        "擅自发布不良信息引发网络舆情",
        "Unauthorised posting causing online public-opinion incident",
        "相关截屏、记录",
        "党政办",
    ),
    Indicator(
        "V02",
        "veto",
        "被新闻媒体或网络媒体曝光、负主要责任",
        "Exposed by news or online media, main responsibility",
        "相关截屏、报道及会议纪要等",
        "党政办、公卫科",
    ),
    Indicator(
        "V03",
        "veto",
        "不服从工作安排或违反院纪院规受通报批评及以上",
        "Refusing assignments or breaking hospital rules, censured or worse",
        "会议纪要、文件",
        "纪检监察室",
    ),
    Indicator(
        "V04",
        "veto",
        "违反中央八项规定精神及\u201c九项准则\u201d被处分（含收受红包、回扣）",
        "Breach of the Eight-point Rules / Nine Codes, disciplined (incl. red envelopes, kickbacks)",
        "相关记录、文件",
        "纪检监察室",
    ),
    Indicator(
        "V05",
        "veto",
        "受到党纪、政纪处分",
        "Party or administrative disciplinary sanction",
        "会议纪要、文件",
        "纪检监察室",
    ),
    Indicator(
        "V06",
        "veto",
        "医德医风考评有1人及以上不合格",
        "One or more staff failed the medical-ethics appraisal",
        "会议纪要、文件",
        "纪检监察室",
    ),
    Indicator(
        "V07",
        "veto",
        "违规操作引起事故、严重医疗缺陷或医疗质量安全事件负主要责任",
        "Accident, serious defect or quality/safety event from violations, main responsibility",
        "会议纪要、文件",
        "医务科、质管科、公卫科、院感科",
    ),
    Indicator(
        "V08",
        "veto",
        "安全生产等事故负主要责任",
        "Workplace-safety accident, main responsibility",
        "会议纪要、文件",
        "总务科、医务科",
    ),
    Indicator(
        "V09",
        "veto",
        "被上级部门或执法监管部门书面通报批评",
        "Written censure by a higher authority or regulator",
        "相关记录、文件",
        "医务科",
    ),
    Indicator("V10", "veto", "学术不端经认定属实", "Academic misconduct confirmed", "会议纪要、文件", "科教科"),
    # PRODUCT §4.4: W01–W03 are configurable examples.
    Indicator("W01", "warning", "有效投诉", "Substantiated complaint", "投诉登记、核查记录", "医患办"),
    Indicator("W02", "warning", "提醒谈话", "Admonitory talk", "谈话记录", "纪检监察室"),
    Indicator("W03", "warning", "整改逾期", "Rectification overdue", "整改通知书、复查记录", "纪检监察室"),
)
INDICATOR_BY_CODE = {i.code: i for i in INDICATORS}

# ---------------------------------------------------------------------------------------------
# Status lists (PRODUCT §3.2 events, §4.1 award status). Stored codes are English; labels via i18n.
# ---------------------------------------------------------------------------------------------

EVENT_KINDS = {"veto": ("否决", "否决指标", "veto"), "warning": ("警示", "警示指标", "warning")}
EVENT_STATUSES = {
    "confirmed": ("已认定", "确认", "confirmed"),  # the default (PRODUCT §3.2)
    "review": ("核查中", "审核中", "under review", "review"),
    "withdrawn": ("已撤销", "撤销", "withdrawn"),
}
DEFAULT_EVENT_STATUS = "confirmed"

# PRODUCT §4.1, in process order.
AWARD_STEPS: tuple[str, ...] = (
    "not_applied",
    "applied",
    "branch_reviewed",
    "group_reviewed",
    "committee_approved",
    "public_notice",
    "awarded",
)
AWARD_OTHER: tuple[str, ...] = ("rejected", "revoked", "rectifying")
AWARD_STATUSES = {
    "not_applied": ("未申报",),
    "applied": ("已申报",),
    "branch_reviewed": ("支部审核",),
    "group_reviewed": ("小组审核",),
    "committee_approved": ("党委审定",),
    "public_notice": ("公示中",),
    "awarded": ("已授牌",),
    "rejected": ("未通过",),
    "revoked": ("已取消",),
    "rectifying": ("整改中",),
}

# PRODUCT §4.1 calendar: the State Council's holiday schedule as the office enters it. Stored codes: off / work.
CALENDAR_KINDS = {
    "off": ("休", "放假", "休息", "假日", "节假日", "off", "holiday"),
    "work": ("班", "上班", "补班", "调休上班", "工作日", "work", "workday", "working day"),
}

# PRODUCT §8 programme work. Stored codes are English; labels via i18n.
TASK_STATUSES = {
    "not_started": ("未启动", "未开始", "not started", "not_started"),
    "in_progress": ("推进中", "进行中", "in progress", "in_progress"),
    "done": ("已完成", "完成", "done", "completed"),
    "cancelled": ("已取消", "取消", "cancelled", "canceled"),
}
# Seed 001: the plan's six aspects (tasks.category; free text is accepted too).
TASK_ASPECTS = ("政治统领", "责任落实", "风险防范", "重点突破", "单元创建", "实践创新")
NOTICE_TYPES = {
    "rectification": ("整改通知书", "rectification notice", "rectification"),
    "discipline": ("纪律检查建议书", "discipline inspection proposal", "discipline"),
    "supervision": ("监督检查问题整改通知书", "supervision rectification notice", "supervision"),
}
NOTICE_STATUSES = {
    "rectifying": ("整改中", "rectifying"),
    "rectified": ("已整改", "待复查", "rectified"),
    "closed": ("已销号", "销号", "closed"),
}

# PRODUCT §11 contacts: who is reminded — a department's contact (科室负责人) or one of the leadership list (领导).
CONTACT_TYPES = {
    "dept": ("科室联系人", "科室负责人", "科室", "department contact", "department", "dept"),
    "leader": ("领导", "领导班子", "院领导", "leadership", "leader"),
}

# PRODUCT §10 activities (seed 001): the 四清 brand — 清廉之声, 清廉查房 (its 三个一: a case, a rule, a talk), 清风讲堂,
# 清风行动 (which may issue a notice) — and 清廉文化's 一廊一墙一角一阵地 and 节点话廉, held as activities too.
ACTIVITY_BRANDS = {
    "voice": ("清廉之声", "纪委书记说纪", "清廉故事汇", "voice of integrity", "voice"),
    "rounds": ("清廉查房", "廉政查房", "integrity rounds", "rounds"),
    "lecture": ("清风讲堂", "警示教育", "clean-wind lecture", "lecture"),
    "action": ("清风行动", "专项检查", "突击抽查", "clean-wind action", "action"),
    "culture_sites": ("一廊一墙一角一阵地", "清廉文化阵地", "culture sites", "culture_sites"),
    "festival_talk": ("节点话廉", "节前廉洁提醒", "festival reminder", "festival_talk"),
}
# The brand whose coverage of the departments is counted each year (PRODUCT §10), and the one that may issue a notice.
ROUNDS_BRAND = "rounds"
NOTICE_BRAND = "action"
# PRODUCT §10 brands (seed 003 一院一品): the eight directions a project takes, its three phases in the year and
# the results of the bureau's checks. Stored codes are English; labels via i18n.
BRAND_CATEGORIES = {
    "platform": ("平台建设", "平台建设类", "platform"),
    "mechanism": ("机制完善", "机制完善类", "mechanism"),
    "benefit": ("惠民服务", "惠民服务类", "benefit"),
    "resources": ("资源整合", "资源整合类", "resources"),
    "conduct": ("作风建设", "作风建设类", "conduct"),
    "quality": ("质量管理", "质量管理类", "quality"),
    "complaints": ("投诉处置", "投诉处置类", "complaints"),
    "oversight": ("内部监管", "内部监管类", "oversight"),
}
BRAND_PHASES = {
    "apply": ("创建申报", "创建申报阶段", "申报", "apply"),
    "implement": ("实施推进", "实施推进阶段", "实施", "implement"),
    "review": ("总结提高", "总结提高阶段", "总结", "review"),
}
BRAND_NOTE_TYPES = {
    "progress": ("进展", "进展情况", "推进进展", "progress"),
    "check": ("检查", "督查", "局检查", "督查检查", "check"),
}
BRAND_RESULTS = {
    "excellent": ("优秀", "excellent"),
    "good": ("良好", "good"),
    "pass": ("合格", "pass"),
    "fail": ("不合格", "需整改", "fail"),
}
# PRODUCT §10 risks (seed 001's 亮灯, seed 004's 查找廉政风险点，制定防控措施): the level and state of a risk point and
# the 清廉招采 chain in its order. Stored codes are English; labels via i18n.
RISK_LEVELS = {
    "high": ("高", "高风险", "high"),
    "medium": ("中", "中风险", "medium", "med"),
    "low": ("低", "低风险", "low"),
}
RISK_STATUSES = {
    "controlled": ("在控", "受控", "under control", "controlled"),
    "uncontrolled": ("失控", "未控", "out of control", "uncontrolled"),
    "eliminated": ("已消除", "消除", "eliminated"),
}
PROCUREMENT_STAGES = {
    "demand": ("需求论证", "demand review", "demand"),
    "project": ("采购立项", "立项", "project approval", "project"),
    "tender": ("招标采购", "招标", "tendering", "tender"),
    "contract": ("合同签订", "签订合同", "contract signing", "contract"),
    "acceptance": ("验收入库", "验收", "acceptance", "acceptance and storage"),
    "payment": ("使用付款", "付款", "use and payment", "payment"),
}

# PRODUCT §10 talks: 廉政谈话 is routine; 提醒谈话 and 诫勉谈话 are warnings of their department (TALK_WARNING_KINDS).
TALK_KINDS = {
    "routine": ("廉政谈话", "廉洁谈话", "例行谈话", "集体廉政谈话", "routine", "integrity talk"),
    "reminder": ("提醒谈话", "谈话提醒", "约谈提醒", "reminder", "admonitory talk"),
    "admonition": ("诫勉谈话", "诫勉", "admonition", "admonishment"),
}
TALK_WARNING_KINDS = ("reminder", "admonition")

# PRODUCT §10 award units beyond departments: a person (清廉医护, a candidate of 十佳医生 / 十佳护士 / 医护之星) or a
# post (清廉示范岗: 窗口, 服务明星, 岗位标兵, 技术尖兵); each type takes only its own sources.
UNIT_TYPES = {
    "person": ("清廉医护", "人员", "医护", "person"),
    "post": ("清廉示范岗", "示范岗", "岗位", "post"),
}
UNIT_SOURCES = {
    "top_doctor": ("十佳医生", "top ten doctors"),
    "top_nurse": ("十佳护士", "top ten nurses"),
    "care_star": ("医护之星", "care star"),
    "window": ("窗口", "窗口岗位", "window"),
    "service_star": ("服务明星", "service star"),
    "post_model": ("岗位标兵", "post model"),
    "tech_ace": ("技术尖兵", "technical ace"),
}
UNIT_TYPE_SOURCES = {
    "person": ("top_doctor", "top_nurse", "care_star"),
    "post": ("window", "service_star", "post_model", "tech_ace"),
}

CATEGORIES = ("临床", "医技", "医辅", "职能", "行政")  # PRODUCT §3.2 departments.category

DIRECTION_ALIASES = {">=": (">=", "≥", "不低于", "大于等于", "高于"), "<=": ("<=", "≤", "不高于", "小于等于", "低于")}
METRIC_SCOPES = {"dept": ("科室", "科室指标", "dept"), "hospital": ("全院", "全院指标", "hospital")}
METRIC_AGGREGATES = {"mean": ("平均", "月均", "mean"), "sum": ("求和", "累计", "sum")}

# ---------------------------------------------------------------------------------------------
# Kinds of file (PRODUCT §3.2)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str  # canonical (English) name
    zh: str  # Chinese header
    type: str  # "str" | "int" | "float" | "month" | "date" | "year" | "bool" | "enum"
    required: bool = False
    aliases: tuple[str, ...] = ()
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()  # for enum: the canonical codes; aliases come from the status tables


# Hospitals as a dimension (PRODUCT §9): every hospital-scoped kind takes an optional hospital column and keeps the
# hospital first in its key; without the column the rows belong to the hospital the upload is for.
HOSPITAL_COLUMN = Column("hospital_code", "医院编码", "str", aliases=("医院代码", "hospital code", "hospital_code"))


@dataclass(frozen=True, kw_only=True)
class Kind:
    """One kind of file and the store table its rows go to: the one entry every other module reads a kind from
    (reading its headers, validating, the write order, rollback, clear, export, its template and its label)."""

    name: str
    zh: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # the natural key of a stored row (hospital_code first for a hospital-scoped kind)
    table: str  # the store table its rows are written to (its CREATE TABLE lives in metrics/store/schema.py)
    # "hospital": each hospital's own rows; "region": one table every hospital of a group store shares
    scope: str
    # rows are written in this order (lower first): the catalogues and departments before the rows that refer to them
    write: int
    # "module:function" of its validator, ``(frame, ctx, tr, out) -> None``; validate resolves it (a name, not the
    # function: validators sit above this module, which everything else imports)
    validator: str
    examples: tuple[dict, ...] = field(default=(), hash=False)  # the template's example rows, by canonical column
    extra_metric_columns: bool = False  # metrics files take every catalogue metric as a column
    replaceable: bool = False  # an editor may give the whole table (rows it leaves out are deleted)
    personal: bool = False  # names people (editors and admins only; every export and every use audited)

    @property
    def label(self) -> str:
        """The i18n key of the kind's name as users read it."""
        return f"upload.kind.{self.name}"


def hospital_kind(*, columns: tuple[Column, ...], key: tuple[str, ...], **fields) -> Kind:
    """A hospital-scoped kind: the optional hospital column added, the hospital first in the key."""
    return Kind(columns=(*columns, HOSPITAL_COLUMN), key=("hospital_code", *key), scope="hospital", **fields)


# The registry of kinds, in the order users are offered them (upload page, templates, header recognition).
KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        hospital_kind(
            name="departments",
            zh="科室名录",
            columns=(
                Column("dept_code", "科室编码", "str", True, ("科室代码", "编码", "code", "department code")),
                Column("dept_name", "科室名称", "str", True, ("科室", "名称", "name", "department name", "department")),
                Column("category", "科室类别", "enum", aliases=("类别",), choices=CATEGORIES),
                Column("party_branch", "党支部", "str", aliases=("所属党支部", "支部")),
                Column("staff_count", "职工人数", "int", aliases=("人数", "员工人数"), lo=0),
                Column("party_members", "党员人数", "int", aliases=("党员数",), lo=0),
                Column("active", "是否在用", "bool", aliases=("在用", "状态")),
            ),
            key=("dept_code",),
            table="departments",
            write=40,
            validator="metrics.ingest.validate:_departments",
            examples=(
                dict(
                    dept_code="K01",
                    dept_name="心血管内科",
                    category="临床",
                    party_branch="内科第一党支部",
                    staff_count=45,
                    party_members=20,
                    active="是",
                ),
                # the office that leads most key tasks (PRODUCT §8): the tasks template names it as 牵头科室
                dict(
                    dept_code="Z01",
                    dept_name="纪检监察室",
                    category="职能",
                    party_branch="机关党支部",
                    staff_count=6,
                    party_members=6,
                    active="是",
                ),
            ),
        ),
        hospital_kind(
            name="metrics",
            zh="科室月度指标",
            columns=(
                Column("month", "月份", "month", True, ("统计月份", "年月", "period")),
                Column("dept_code", "科室编码", "str", True, ("科室代码", "编码", "code", "department code")),
                Column(
                    "dept_name", "科室名称", "str", aliases=("科室", "名称", "name", "department name", "department")
                ),
            ),
            key=("dept_code", "month", "metric"),
            table="metric_values",
            write=50,
            validator="metrics.ingest.validate:_metrics",
            # a department row and a hospital-wide (全院) row: hospital-wide indicators go on the 全院 row only
            examples=(
                dict(
                    month="2025-01",
                    dept_code="K01",
                    dept_name="心血管内科",
                    patient_satisfaction=95.2,
                    staff_satisfaction=91.0,
                    complaints=1,
                ),
                dict(
                    month="2025-01",
                    dept_code="全院",
                    dept_name="全院",
                    drug_share=21.3,
                    cost_growth=8.6,
                    consumables_per_100=19.8,
                ),
            ),
            extra_metric_columns=True,
        ),
        hospital_kind(
            name="events",
            zh="否决/警示事件",
            columns=(
                Column("event_date", "发生日期", "date", True, ("日期", "事件日期", "date")),
                Column("dept_code", "科室编码", "str", True, ("科室代码", "编码", "code", "department code")),
                Column("kind", "类型", "enum", True, ("事件类型", "指标类型", "type"), choices=tuple(EVENT_KINDS)),
                Column("indicator", "指标", "str", True, ("指标编码", "否决指标", "指标内容")),
                Column("description", "事件描述", "str", aliases=("描述", "事件", "情况说明")),
                Column("evidence", "审核依据", "str", aliases=("依据",)),
                Column("office", "认定部门", "str", aliases=("责任部门", "部门")),
                Column("status", "状态", "enum", aliases=("认定状态",), choices=tuple(EVENT_STATUSES)),
                Column("event_id", "事件编号", "str", aliases=("编号", "id")),
                Column(
                    "dept_name", "科室名称", "str", aliases=("科室", "名称", "name", "department name", "department")
                ),
                # PRODUCT §10: the person (工号) or post the event names besides its department (a unit of the hospital)
                Column("person", "涉及人员工号", "str", aliases=("人员工号", "当事人工号", "person")),
                Column("post", "涉及岗位", "str", aliases=("涉及岗位编码", "示范岗编码", "post")),
            ),
            key=("event_id",),
            table="events",
            write=60,
            validator="metrics.ingest.validate:_events",
            examples=(
                dict(
                    event_date="2025-03-15",
                    dept_code="K01",
                    kind="否决",
                    indicator="V04",
                    description="收受患者红包，已受党纪处分",
                    evidence="处分决定文件",
                    office="纪检监察室",
                    status="已认定",
                    event_id="",
                    dept_name="心血管内科",
                ),
            ),
        ),
        hospital_kind(
            name="awards",
            zh="清廉科室创建进度",
            columns=(
                Column("dept_code", "科室编码", "str", True, ("科室代码", "编码", "code", "department code")),
                Column("year", "年度", "year", True, ("年份", "创建年度")),
                Column("status", "状态", "enum", True, ("创建状态", "进度"), choices=tuple(AWARD_STATUSES)),
                Column("changed_on", "变更日期", "date", True, ("日期", "变更时间")),
                Column("rectify_until", "整改截止", "date", aliases=("整改截止日期", "整改期限")),
                Column("note", "备注", "str", aliases=("说明",)),
                Column(
                    "dept_name", "科室名称", "str", aliases=("科室", "名称", "name", "department name", "department")
                ),
            ),
            key=("dept_code", "year", "status", "changed_on"),
            table="award_changes",
            write=70,
            validator="metrics.ingest.validate:_awards",
            examples=(
                dict(
                    dept_code="K01",
                    year=2025,
                    status="已申报",
                    changed_on="2025-03-01",
                    rectify_until="",
                    note="",
                    dept_name="心血管内科",
                ),
            ),
        ),
        hospital_kind(
            name="targets",
            zh="目标值",
            columns=(
                Column("metric", "指标", "str", True, ("指标名称", "指标编码")),
                Column("dept_code", "科室编码", "str", aliases=("科室代码", "编码", "code")),
                Column("target", "目标值", "float", True, ("目标",)),
                Column("direction", "方向", "enum", True, ("比较方向",), choices=(">=", "<=")),
                Column("effective_from", "生效月份", "month", aliases=("生效日期", "起始月份")),
            ),
            key=("metric", "dept_code", "effective_from"),
            table="targets",
            write=80,
            validator="metrics.ingest.validate:_targets",
            examples=(dict(metric="患者满意度", dept_code="", target=90, direction="≥", effective_from="2025-01"),),
            replaceable=True,  # the targets editor gives the whole table
        ),
        # PRODUCT §4.1: a year's holidays (休) and adjusted working days (班), the State Council's for every hospital.
        Kind(
            name="calendar",
            zh="节假日安排",
            columns=(
                Column("date", "日期", "date", True, ("公历日期", "日期(公历)", "day")),
                Column(
                    "kind", "类型", "enum", True, ("安排", "休/班", "放假/上班", "type"), choices=tuple(CALENDAR_KINDS)
                ),
                Column("name", "名称", "str", aliases=("节日", "节假日", "节日名称", "节假日名称", "说明", "holiday")),
            ),
            key=("date",),
            table="calendar_days",
            scope="region",
            write=90,
            validator="metrics.ingest.validate:_calendar",
            # one row per day of the State Council's schedule (休 holiday, 班 adjusted working day)
            examples=(dict(date="2027-01-01", kind="休", name="元旦"),),
            replaceable=True,  # the calendar editor: a year edited, the other years' stored days given back unchanged
        ),
        # PRODUCT §8: key tasks with a lead department and responsible departments (seeds 000, 001, 002).
        hospital_kind(
            name="tasks",
            zh="重点任务",
            columns=(
                Column("task_code", "任务编号", "str", True, ("编号", "序号", "task code", "code")),
                Column("title", "任务名称", "str", True, ("任务", "工作任务", "重点任务", "task")),
                Column("category", "类别", "str", aliases=("方面", "任务类别", "aspect")),
                Column("lead_dept", "牵头科室", "str", True, ("牵头部门", "牵头单位", "lead department", "lead")),
                Column(
                    "responsible",
                    "责任科室",
                    "str",
                    aliases=("责任部门", "责任单位", "配合科室", "responsible departments"),
                ),
                Column("due_on", "完成时限", "date", True, ("截止日期", "完成时间", "时限", "due", "due date")),
                Column(
                    "status", "进展", "enum", aliases=("状态", "进展情况", "task status"), choices=tuple(TASK_STATUSES)
                ),
                Column("progress", "进展说明", "str", aliases=("进展描述", "工作进展", "progress note")),
                Column("updated_on", "更新日期", "date", aliases=("更新时间", "updated")),
                Column("metric", "关联指标", "str", aliases=("指标", "related metric")),
            ),
            key=("task_code",),
            table="tasks",
            write=100,
            validator="metrics.ingest.validate:_tasks",
            # one key task of the plan, its lead and responsible departments (names or codes)
            examples=(
                dict(
                    task_code="2027-01",
                    title="开展廉洁风险点排查",
                    category="风险防范",
                    lead_dept="纪检监察室",
                    responsible="全院临床科室",
                    due_on="2027-06-30",
                    status="推进中",
                    progress="已完成第一轮排查",
                    updated_on="2027-03-31",
                    metric="",
                ),
            ),
        ),
        # PRODUCT §8: 整改通知书 / 纪律检查建议书 that must be closed (seeds 001, 004).
        hospital_kind(
            name="notices",
            zh="整改通知书",
            columns=(
                Column("notice_no", "文号", "str", True, ("通知书编号", "文书编号", "notice number", "number")),
                Column(
                    "notice_type", "文书类型", "enum", aliases=("类型", "文书", "type"), choices=tuple(NOTICE_TYPES)
                ),
                Column(
                    "dept_code",
                    "科室编码",
                    "str",
                    True,
                    ("科室代码", "科室", "科室名称", "department", "department code"),
                ),
                Column("issued_on", "下达日期", "date", True, ("下发日期", "发文日期", "issued")),
                Column("due_on", "整改期限", "date", True, ("整改截止", "整改截止日期", "期限", "due", "due date")),
                Column("issue", "问题", "str", aliases=("存在问题", "问题描述", "problem")),
                Column("event_id", "关联事件", "str", aliases=("事件编号", "related event")),
                Column("status", "状态", "enum", aliases=("整改状态", "notice status"), choices=tuple(NOTICE_STATUSES)),
                Column("closed_on", "销号日期", "date", aliases=("销号时间", "closed")),
            ),
            key=("notice_no",),
            table="notices",
            write=110,
            validator="metrics.ingest.validate:_notices",
            examples=(
                dict(
                    notice_no="纪检整改〔2027〕1号",
                    notice_type="整改通知书",
                    dept_code="K01",
                    issued_on="2027-03-01",
                    due_on="2027-04-30",
                    issue="病历书写不规范",
                    event_id="",
                    status="整改中",
                    closed_on="",
                ),
            ),
        ),
        # PRODUCT §8: personal data (editors and admins only, every export audited); the +2 points list (seed 004).
        hospital_kind(
            name="staff",
            zh="职工名册",
            columns=(
                Column("staff_id", "工号", "str", True, ("职工编号", "员工编号", "staff id", "employee id")),
                Column("name", "姓名", "str", True, ("职工姓名", "员工姓名", "staff name")),
                Column(
                    "dept_code",
                    "科室编码",
                    "str",
                    True,
                    ("科室代码", "科室", "所在科室", "department", "department code"),
                ),
                Column("in_dept_since", "入科日期", "date", True, ("进入科室日期", "调入日期", "in department since")),
                Column("active", "在岗", "bool", aliases=("是否在岗", "在职")),
            ),
            key=("staff_id",),
            table="staff",
            write=120,
            validator="metrics.ingest.validate:_staff",
            # fictitious: the roster holds personal data, a template never does
            examples=(dict(staff_id="000123", name="张三", dept_code="K01", in_dept_since="2025-03-01", active="是"),),
            personal=True,
        ),
        # PRODUCT §11 (personal data like staff): each department's contact and the leadership list, by e-mail and/or
        # a group robot's webhook. Nothing is sent to an address not on this list.
        hospital_kind(
            name="contacts",
            zh="联系人名录",
            columns=(
                Column(
                    "contact_type",
                    "联系人类型",
                    "enum",
                    True,
                    ("联系人类别", "contact type"),
                    choices=tuple(CONTACT_TYPES),
                ),
                Column("dept_code", "科室编码", "str", aliases=("科室代码", "科室", "department", "department code")),
                Column("name", "姓名", "str", True, ("联系人", "负责人", "科室负责人", "name")),
                Column("email", "邮箱", "str", aliases=("电子邮箱", "邮件地址", "e-mail", "email")),
                Column("webhook", "机器人地址", "str", aliases=("群机器人", "机器人webhook", "webhook")),
            ),
            key=("contact_type", "dept_code", "name"),
            table="contacts",
            write=130,
            validator="metrics.ingest.validate:_contacts",
            # fictitious: a contact is personal data; example.org never delivers
            examples=(
                dict(contact_type="科室负责人", dept_code="K01", name="李四", email="k01@example.org", webhook=""),
                dict(contact_type="领导", dept_code="", name="王五", email="leader@example.org", webhook=""),
            ),
            personal=True,
        ),
        # --- activities ---
        # PRODUCT §10: the 四清 activities (seed 001); a 清风行动 that issued a notice names it (文号, same hospital).
        hospital_kind(
            name="activities",
            zh="四清活动",
            columns=(
                Column("activity_no", "活动编号", "str", True, ("编号", "序号", "activity number", "activity no")),
                Column(
                    "brand",
                    "品牌",
                    "enum",
                    True,
                    ("活动品牌", "活动类型", "类型", "brand"),
                    choices=tuple(ACTIVITY_BRANDS),
                ),
                Column("held_on", "活动日期", "date", True, ("日期", "开展日期", "举办日期", "held on", "date")),
                Column(
                    "departments",
                    "涉及科室",
                    "str",
                    aliases=("科室", "参加科室", "查房科室", "责任科室", "departments"),
                ),
                Column("title", "活动主题", "str", aliases=("主题", "活动名称", "名称", "title")),
                Column("participants", "参加人数", "int", aliases=("人数", "参与人数", "participants"), lo=0),
                Column(
                    "notice_no", "整改通知书文号", "str", aliases=("文号", "通知书文号", "关联通知书", "notice number")
                ),
            ),
            key=("activity_no",),
            table="activities",
            write=140,
            validator="metrics.ingest.validate:_activities",
            examples=(
                dict(
                    activity_no="2027-HF-01",
                    brand="清廉查房",
                    held_on="2027-03-12",
                    departments="K01、纪检监察室",
                    title="一个案例警示、一条党纪解析、一次廉政约谈",
                    participants=18,
                    notice_no="",
                ),
            ),
        ),
        # --- risks ---
        # PRODUCT §10: the 廉洁风险点清单. A unit is a department (its code or name, stored as the code), a post or a
        # procurement stage (kept as written); the lights and seed 004's eligibility criterion read it.
        hospital_kind(
            name="risks",
            zh="廉洁风险点清单",
            columns=(
                Column("risk_code", "风险点编号", "str", True, ("编号", "风险编号", "risk code", "code")),
                Column("unit", "单元", "str", True, ("科室", "岗位", "科室或岗位", "所属单元", "unit")),
                Column(
                    "stage",
                    "招采环节",
                    "enum",
                    aliases=("环节", "清廉招采环节", "stage"),
                    choices=tuple(PROCUREMENT_STAGES),
                ),
                Column("risk", "风险点", "str", True, ("廉洁风险点", "风险描述", "risk")),
                Column("level", "风险等级", "enum", True, ("等级", "level"), choices=tuple(RISK_LEVELS)),
                Column("controls", "防控措施", "str", aliases=("措施", "防控", "controls")),
                Column("owner", "责任人或科室", "str", True, ("责任人", "责任科室", "责任部门", "owner")),
                Column("review_due", "复核期限", "date", aliases=("复核日期", "下次复核", "review due")),
                Column("status", "状态", "enum", aliases=("防控状态", "status"), choices=tuple(RISK_STATUSES)),
            ),
            key=("risk_code",),
            table="risks",
            write=140,
            validator="metrics.ingest.validate:_risks",
            examples=(
                dict(
                    risk_code="FX-001",
                    unit="K01",
                    stage="",
                    risk="收受医药代表财物",
                    level="高",
                    controls="医药代表预约接待登记；科主任每月抽查",
                    owner="K01",
                    review_due="2027-06-30",
                    status="在控",
                ),
                dict(
                    risk_code="FX-002",
                    unit="招标采购",
                    stage="招标采购",
                    risk="量身定制招标参数",
                    level="高",
                    controls="参数论证专家随机抽取；三家以上比对",
                    owner="采购中心",
                    review_due="2027-03-31",
                    status="在控",
                ),
            ),
        ),
        # --- talks ---
        # PRODUCT §10 (personal data like staff): a 提醒谈话 or 诫勉谈话 is an automatic W02 warning of its department in
        # the month it was held; an open follow-up (follow_up_due set, closed_on empty) is due soon and overdue (§11).
        hospital_kind(
            name="talks",
            zh="谈话记录",
            columns=(
                Column("talk_no", "谈话编号", "str", True, ("谈话记录编号", "记录编号", "talk no", "talk number")),
                Column(
                    "kind",
                    "谈话类型",
                    "enum",
                    True,
                    ("类型", "谈话类别", "talk kind", "type"),
                    choices=tuple(TALK_KINDS),
                ),
                Column(
                    "dept_code",
                    "科室编码",
                    "str",
                    True,
                    ("科室代码", "科室", "科室名称", "department", "department code"),
                ),
                Column("person", "谈话对象", "str", aliases=("被谈话人", "谈话对象姓名", "person")),
                Column("held_on", "谈话日期", "date", True, ("谈话时间", "held on")),
                Column("by", "谈话人", "str", aliases=("谈话领导", "约谈人", "held by", "by")),
                Column("follow_up_due", "整改回访期限", "date", aliases=("回访期限", "跟进期限", "follow-up due")),
                Column("closed_on", "办结日期", "date", aliases=("回访日期", "销号日期", "closed on", "closed")),
            ),
            key=("talk_no",),
            table="talks",
            write=140,
            validator="metrics.ingest.validate:_talks",
            # fictitious: a talk names a person (personal data), a template never names a real one
            examples=(
                dict(
                    talk_no="谈〔2027〕1号",
                    kind="提醒谈话",
                    dept_code="K01",
                    person="张某某",
                    held_on="2027-03-10",
                    by="纪检监察室",
                    follow_up_due="2027-04-10",
                    closed_on="",
                ),
            ),
            personal=True,
        ),
        # The catalogues (PRODUCT §3.2 "a metric added to the catalogue", §4.4 "defaults, editable"): kinds like the
        # others, so the targets page's editors and an uploaded catalogue go through the one validator and write
        # path; one list for a whole group or region, so its hospitals compare like with like.
        Kind(
            name="indicators",
            zh="否决警示指标目录",
            columns=(
                Column("code", "指标编码", "str", True, ("编码", "indicator code")),
                Column("kind", "类型", "enum", True, ("指标类型", "type"), choices=tuple(EVENT_KINDS)),
                Column("name_zh", "指标名称", "str", True, ("中文名称", "指标内容")),
                Column("name_en", "英文名称", "str", aliases=("english name",)),
                Column("evidence", "审核依据", "str", aliases=("依据",)),
                Column("office", "认定部门", "str", aliases=("责任部门",)),
                Column("active", "是否在用", "bool", aliases=("在用", "启用")),
            ),
            key=("code",),
            table="indicator_catalogue",
            scope="region",
            write=30,
            validator="metrics.ingest.validate:_indicators",
            examples=(
                dict(
                    code="W04",
                    kind="警示",
                    name_zh="约谈提醒",
                    name_en="Admonition talk",
                    evidence="谈话记录",
                    office="纪检监察室",
                    active="是",
                ),
            ),
        ),
        Kind(
            name="metric_catalogue",
            zh="月度指标目录",
            columns=(
                Column("code", "指标代码", "str", True, ("metric code",)),
                Column("name_zh", "中文名称", "str", True, ("指标中文名",)),
                Column("name_en", "英文名称", "str", aliases=("english name",)),
                Column("unit_zh", "单位", "str", aliases=("中文单位",)),
                Column("unit_en", "英文单位", "str", aliases=("unit",)),
                Column("direction", "方向", "enum", True, ("比较方向",), choices=(">=", "<=")),
                Column("default_target", "默认目标值", "float", aliases=("默认目标",)),
                Column("scope", "口径", "enum", aliases=("范围",), choices=tuple(METRIC_SCOPES)),
                Column("aggregate", "汇总方式", "enum", aliases=("汇总",), choices=tuple(METRIC_AGGREGATES)),
                Column("lo", "下限", "float", aliases=("最小值",)),
                Column("hi", "上限", "float", aliases=("最大值",)),
                Column("integer", "整数", "bool", aliases=("是否整数",)),
            ),
            key=("code",),
            table="metric_catalogue",
            scope="region",
            write=20,
            validator="metrics.ingest.validate:_metric_catalogue",
            examples=(
                dict(
                    code="hand_hygiene",
                    name_zh="手卫生依从率",
                    name_en="Hand hygiene compliance",
                    unit_zh="%",
                    unit_en="%",
                    direction="≥",
                    default_target=95,
                    scope="科室",
                    aggregate="平均",
                    lo=0,
                    hi=100,
                    integer="否",
                ),
            ),
        ),
        # PRODUCT §9: a group's or region's hospital list (admins only); written first, the rest refers to it.
        Kind(
            name="hospitals",
            zh="医院名录",
            columns=(
                Column("hospital_code", "医院编码", "str", True, ("医院代码", "hospital code", "code")),
                Column("name_zh", "医院名称", "str", True, ("医院", "中文名称", "hospital name", "hospital")),
                Column("name_en", "英文名称", "str", aliases=("english name",)),
                Column("sort", "排序", "int", aliases=("序号", "顺序", "order"), lo=0),
            ),
            key=("hospital_code",),
            table="hospitals",
            scope="region",
            write=10,
            validator="metrics.ingest.validate:_hospitals",
            examples=(dict(hospital_code="H01", name_zh="第一人民医院", name_en="First People's Hospital", sort=1),),
        ),
        # --- brands ---
        # PRODUCT §10 brands (seed 003): one 一院一品 project per hospital and year. A project several hospitals run
        # together is one project code in each of their rows: each hospital answers for its part (and its own
        # editor writes it), and the region overview shows the code once with its hospitals. 亮点项目 is the
        # bureau's choice: only the commission (or an admin) marks it, and the commission changes nothing else.
        hospital_kind(
            name="brands",
            zh="一院一品项目",
            columns=(
                Column("year", "年度", "year", True, ("年份", "创建年度", "year")),
                Column("project_code", "项目编号", "str", True, ("项目代码", "品牌编号", "project code")),
                Column(
                    "category",
                    "重点工作方向",
                    "enum",
                    True,
                    ("重点工作方向(领域)", "类别", "品牌类别", "创建类别", "category"),
                    choices=tuple(BRAND_CATEGORIES),
                ),
                Column("title", "项目名称", "str", True, ("品牌名称", "品牌项目", "项目", "title")),
                Column("plan", "具体创建实施方案", "str", aliases=("实施方案", "创建方案", "推进计划", "计划", "plan")),
                Column("phase", "阶段", "enum", aliases=("创建阶段", "所处阶段", "phase"), choices=tuple(BRAND_PHASES)),
                Column("highlight", "亮点项目", "bool", aliases=("亮点", "是否亮点项目", "highlight")),
            ),
            key=("year",),
            table="brand_projects",
            write=140,
            validator="metrics.ingest.validate:_brands",
            examples=(
                dict(
                    year=2027,
                    project_code="YP2027-01",
                    category="惠民服务",
                    title="“进村入企送健康”志愿服务",
                    plan="每月一次送医下乡；建立回访台账",
                    phase="",
                    highlight="",
                ),
            ),
        ),
        # the project's dated progress notes and the bureau's checks with their results (seed 003 实施步骤 2–3): rows
        # that accumulate over the year, so a note is added without giving the project again
        hospital_kind(
            name="brand_notes",
            zh="一院一品进展与检查",
            columns=(
                Column("year", "年度", "year", True, ("年份", "创建年度", "year")),
                Column("noted_on", "日期", "date", True, ("记录日期", "检查日期", "进展日期", "date")),
                Column(
                    "entry_type",
                    "记录类型",
                    "enum",
                    True,
                    ("类型", "进展/检查", "type"),
                    choices=tuple(BRAND_NOTE_TYPES),
                ),
                Column("note", "内容", "str", True, ("进展说明", "检查情况", "说明", "note")),
                Column("result", "检查结果", "enum", aliases=("结果", "result"), choices=tuple(BRAND_RESULTS)),
            ),
            key=("year", "noted_on", "entry_type"),
            table="brand_notes",
            write=150,
            validator="metrics.ingest.validate:_brand_notes",
            examples=(
                dict(year=2027, noted_on="2027-05-20", entry_type="进展", note="完成首批3个村的送医下乡", result=""),
                dict(year=2027, noted_on="2027-09-15", entry_type="检查", note="局办公室现场督查", result="良好"),
            ),
        ),
        # --- units ---
        # PRODUCT §10: the person and post units of a hospital (清廉医护, 清廉示范岗), each under its department. A person's
        # name is personal data (editors and admins only); the unit code is the person's 工号 or the post's code.
        hospital_kind(
            name="units",
            zh="创建单元名录",
            columns=(
                Column("unit_code", "单元编码", "str", True, ("工号", "岗位编码", "编码", "unit code")),
                Column(
                    "unit_type", "单元类型", "enum", True, ("类型", "创建单元", "unit type"), choices=tuple(UNIT_TYPES)
                ),
                Column("name", "名称", "str", True, ("姓名", "岗位名称", "name")),
                Column(
                    "dept_code",
                    "科室编码",
                    "str",
                    True,
                    ("科室代码", "科室", "所在科室", "department", "department code"),
                ),
                Column(
                    "source",
                    "推荐来源",
                    "enum",
                    aliases=("候选来源", "岗位类型", "来源", "source"),
                    choices=tuple(UNIT_SOURCES),
                ),
            ),
            key=("unit_code",),
            table="award_units",
            write=160,
            validator="metrics.ingest.validate:_units",
            # fictitious: a person unit names a person (personal data), a template never names a real one
            examples=(
                dict(unit_code="000123", unit_type="清廉医护", name="张某某", dept_code="K01", source="十佳医生"),
                dict(unit_code="G01", unit_type="清廉示范岗", name="门诊收费窗口", dept_code="K01", source="窗口"),
            ),
            personal=True,
        ),
        # the same §4.1 lifecycle as a department's (the awards kind's rules, one validator for both), for a unit
        hospital_kind(
            name="unit_awards",
            zh="清廉医护及示范岗创建进度",
            columns=(
                Column("unit_code", "单元编码", "str", True, ("工号", "岗位编码", "编码", "unit code")),
                Column("year", "年度", "year", True, ("年份", "创建年度")),
                Column("status", "状态", "enum", True, ("创建状态", "进度"), choices=tuple(AWARD_STATUSES)),
                Column("changed_on", "变更日期", "date", True, ("日期", "变更时间")),
                Column("rectify_until", "整改截止", "date", aliases=("整改截止日期", "整改期限")),
                Column("note", "备注", "str", aliases=("说明",)),
            ),
            key=("unit_code", "year", "status", "changed_on"),
            table="unit_award_changes",
            write=170,
            validator="metrics.ingest.validate:_unit_awards",
            examples=(
                dict(
                    unit_code="000123", year=2027, status="已申报", changed_on="2027-03-01", rectify_until="", note=""
                ),
            ),
        ),
        # --- applications ---
        # PRODUCT §10 applications (seed 004 附件 2 申报表): a department's application of a year, its facts (staff,
        # party members; their share computed, a given share checked), the materials it lists, and each step's
        # opinion and date (branch → working group → committee) that the award lifecycle (§4.1) carries. The
        # signatures stay on paper: no person is named here.
        hospital_kind(
            name="applications",
            zh="清廉示范科室申报表",
            columns=(
                Column("year", "年度", "year", True, ("年份", "申报年度", "year")),
                Column("dept_code", "申报科室", "str", True, ("科室编码", "科室", "科室名称", "department")),
                Column("applied_on", "申报时间", "date", True, ("申报日期", "applied on")),
                Column("staff_count", "职工人数", "int", True, ("职工总数", "人数", "staff"), lo=1),
                Column("party_members", "中共党员", "int", True, ("党员人数", "党员", "party members"), lo=0),
                Column(
                    "party_share", "党员占比", "float", aliases=("占本部门职工总数比例", "比例", "share"), lo=0, hi=100
                ),
                Column("materials", "科室资料目录", "str", aliases=("资料目录", "报送材料", "materials")),
                Column("branch_opinion", "党支部意见", "str", aliases=("支部意见", "branch opinion")),
                Column("branch_on", "党支部意见日期", "date", aliases=("支部审核日期", "branch date")),
                Column(
                    "group_opinion", "工作小组审核意见", "str", aliases=("小组意见", "工作小组意见", "group opinion")
                ),
                Column("group_on", "工作小组审核日期", "date", aliases=("小组审核日期", "group date")),
                Column("committee_opinion", "医院党委意见", "str", aliases=("党委意见", "committee opinion")),
                Column("committee_on", "医院党委意见日期", "date", aliases=("党委审定日期", "committee date")),
            ),
            key=("year", "dept_code"),
            table="applications",
            write=140,
            validator="metrics.ingest.validate:_applications",
            examples=(
                dict(
                    year=2027,
                    dept_code="K01",
                    applied_on="2027-03-01",
                    staff_count=40,
                    party_members=18,
                    party_share=45.0,
                    materials="1. 科室廉洁风险点清单；2. 四清活动记录；3. 满意度调查结果",
                    branch_opinion="同意申报",
                    branch_on="2027-03-08",
                    group_opinion="材料齐全，同意提交党委",
                    group_on="2027-03-20",
                    committee_opinion="",
                    committee_on="",
                ),
            ),
        ),
    )
}


def write_order() -> tuple[Kind, ...]:
    """Every kind in the order its rows are written (and its table exported, rolled forward and cleared back)."""
    return tuple(sorted(KINDS.values(), key=lambda k: k.write))


def table_keys() -> dict[str, tuple[str, ...]]:
    """The data tables a batch may change → their natural keys, in write order."""
    return {k.table: k.key for k in write_order()}


def kind_of_table(table: str) -> Kind | None:
    """The kind whose rows ``table`` holds; None for a table that is no kind's (batches, audit)."""
    return next((k for k in KINDS.values() if k.table == table), None)


SUMMARY_WORDS = ("合计", "总计", "小计", "平均", "平均值", "总平均")  # PRODUCT §3.1

# Where a target with no effective_from starts to apply.
EPOCH_MONTH = "2000-01"
