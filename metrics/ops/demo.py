"""Fixed-seed demo data: ~40 departments, 36 months, events and two years of award progress.

Written through the same batch journal as uploads (one batch per kind, user ``demo``), so the batch
history shows where it came from and a rollback works on it too. The store is marked as demo
(meta ``demo`` = 1) so every page shows a demo banner; ``clear`` empties it again.

Departments the tests and docs rely on (codes are stable):
- K01 心血管内科: patient satisfaction reliably above 90 (mean ≈ 95.5, sd ≈ 0.8).
- K20 急诊科: reliably below 90 (mean ≈ 85.5, sd ≈ 0.8).
- K07 骨科: a shift — ≈ 87 for the first 18 months, ≈ 94 after.
- K13 产科: awarded for 2024, veto (V04) confirmed in 2025, title revoked, rectification, re-applied for 2026.
- T02 放射科: awarded (2026-01), then a confirmed veto (V07) after the award date and not yet revoked → conflict.
- K03 消化内科: its own patient-satisfaction target of 92 from 2025-01 (hospital default 90).

Programme work (PRODUCT §8), relative to the end month: 24 key tasks over two years in the plan's six
aspects, led by the functional offices (most past ones done, three overdue, some due this quarter); five
rectification notices — one overdue (K20, an automatic W03 warning), one tied to K13's V04 veto (closed), one tied to
T02's V07 veto (rectified, awaiting the check); a staff roster of fictitious names in the awarded departments, in the
department since dates around one year before this year's award date (10 January): exactly one year (points), one
day short (none).

The risk register (PRODUCT §10): sixty points — one per department, three per 清廉招采 stage, two window posts; two
red (ZC-07 a high one 失控, ZC-13 a high one's review overdue), a few amber; K19 has found its risk point but recorded
no controls, so it is not eligible for an award (未登记廉洁风险点及防控措施).

A group demo (``fill(hospitals=N)``): H01 is exactly the one-hospital demo; every other hospital draws its own
metric values (another seed) and its own programme from that seed — some shared vetoes and warnings did not happen
there and it has a few of its own, this year's applications of undocumented departments stop at steps of their own
and others apply, tasks fall due on other days and some run late — while the documented departments keep their story.
"""

from __future__ import annotations

import hashlib
import math
import os
from datetime import date, timedelta

import numpy as np

from metrics import clock, contract, store
from metrics.ingest import importer
from metrics.rules import brands as brand_rules

SEED = 20231001

# (code, name, category, party branch)
DEPARTMENTS: tuple[tuple[str, str, str, str], ...] = (
    ("K01", "心血管内科", "临床", "内科第一党支部"),
    ("K02", "呼吸与危重症医学科", "临床", "内科第一党支部"),
    ("K03", "消化内科", "临床", "内科第一党支部"),
    ("K04", "神经内科", "临床", "内科第二党支部"),
    ("K05", "内分泌科", "临床", "内科第二党支部"),
    ("K06", "肾内科", "临床", "内科第二党支部"),
    ("K07", "骨科", "临床", "外科党支部"),
    ("K08", "普外科", "临床", "外科党支部"),
    ("K09", "神经外科", "临床", "外科党支部"),
    ("K10", "泌尿外科", "临床", "外科党支部"),
    ("K11", "胸外科", "临床", "外科党支部"),
    ("K12", "妇科", "临床", "妇儿党支部"),
    ("K13", "产科", "临床", "妇儿党支部"),
    ("K14", "儿科", "临床", "妇儿党支部"),
    ("K15", "新生儿科", "临床", "妇儿党支部"),
    ("K16", "眼科", "临床", "五官党支部"),
    ("K17", "耳鼻咽喉头颈外科", "临床", "五官党支部"),
    ("K18", "口腔科", "临床", "五官党支部"),
    ("K19", "皮肤科", "临床", "五官党支部"),
    ("K20", "急诊科", "临床", "急诊重症党支部"),
    ("K21", "重症医学科", "临床", "急诊重症党支部"),
    ("K22", "肿瘤科", "临床", "内科第二党支部"),
    ("K23", "中医科", "临床", "内科第二党支部"),
    ("K24", "康复医学科", "临床", "内科第二党支部"),
    ("K25", "麻醉科", "临床", "外科党支部"),
    ("T01", "检验科", "医技", "医技党支部"),
    ("T02", "放射科", "医技", "医技党支部"),
    ("T03", "超声医学科", "医技", "医技党支部"),
    ("T04", "病理科", "医技", "医技党支部"),
    ("T05", "药剂科", "医技", "医技党支部"),
    ("A01", "消毒供应中心", "医辅", "后勤党支部"),
    ("A02", "营养科", "医辅", "后勤党支部"),
    ("A03", "门诊部", "医辅", "机关党支部"),
    ("F01", "医务科", "职能", "机关党支部"),
    ("F02", "护理部", "职能", "机关党支部"),
    ("F03", "质量管理科", "职能", "机关党支部"),
    ("F04", "医院感染管理科", "职能", "机关党支部"),
    ("G01", "党政综合办公室", "行政", "机关党支部"),
    ("G02", "财务科", "行政", "后勤党支部"),
    ("G03", "总务科", "行政", "后勤党支部"),
)

RELIABLY_ABOVE = "K01"
RELIABLY_BELOW = "K20"
SHIFTED = "K07"
REVOKED = "K13"
CONFLICT = "T02"
OWN_TARGET = "K03"

# Departments whose level is set on purpose; the rest draw a level around 90.
_LEVELS = {
    "K01": 95.5,
    "K20": 85.5,
    "K02": 91.5,
    "K14": 88.5,
    "A03": 89.0,
    "K08": 92.5,
    "T05": 93.0,
    "G03": 88.0,
    "K03": 93.0,
}
_DRIFT = {"K22": 0.12, "K18": -0.12}  # points per month


def default_end_month(today: date | None = None) -> str:
    """Last month, as 'YYYY-MM'."""
    today = today or clock.today()
    first = today.replace(day=1) - timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


def months_ending(end: str, n: int) -> list[str]:
    y, m = int(end[:4]), int(end[5:7])
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        m -= 1
        if m == 0:
            y, m = y - 1, 12
    return out[::-1]


def build(end_month: str | None = None, n_months: int = 36, seed: int = SEED) -> dict[str, list[dict]]:
    """The demo rows per table, deterministic for a given end month (and seed: a group demo's hospitals differ)."""
    rng = np.random.default_rng(seed)
    end_month = end_month or default_end_month()
    months = months_ending(end_month, n_months)
    first_year, last_year = int(months[0][:4]), int(end_month[:4])

    depts = []
    for code, name, cat, branch in DEPARTMENTS:
        staff = int(rng.integers(12, 80)) if cat in ("临床", "医技") else int(rng.integers(6, 25))
        depts.append(
            dict(
                dept_code=code,
                dept_name=name,
                category=cat,
                party_branch=branch,
                staff_count=staff,
                party_members=int(staff * rng.uniform(0.25, 0.6)),
                active=1,
            )
        )

    values = []
    for code, _name, cat, _b in DEPARTMENTS:
        level = _LEVELS.get(code, float(rng.normal(90.5, 1.6)))
        sd = 0.8 if code in (RELIABLY_ABOVE, RELIABLY_BELOW) else float(rng.uniform(0.9, 1.8))
        drift = _DRIFT.get(code, 0.0)
        staff_level = float(rng.normal(90.5, 2.0))
        for i, month in enumerate(months):
            mu = level + drift * i
            if code == SHIFTED:
                mu = 87.0 if i < 18 else 94.0
            ps = float(np.clip(rng.normal(mu, sd), 60, 100))
            ss = float(np.clip(rng.normal(staff_level, 1.5), 60, 100))
            complaints = (
                int(rng.poisson(max(0.2, (92 - ps) / 2.5)))
                if cat in ("临床", "医技", "医辅")
                else int(rng.poisson(0.2))
            )
            values += [
                dict(dept_code=code, month=month, metric="patient_satisfaction", value=round(ps, 1)),
                dict(dept_code=code, month=month, metric="staff_satisfaction", value=round(ss, 1)),
                dict(dept_code=code, month=month, metric="complaints", value=float(complaints)),
            ]
    for i, month in enumerate(months):
        # Hospital-wide indicators (PRODUCT §1): drug share ≈ 20 %, cost growth ≤ 10 %, consumables ≤ 20 yuan.
        season = math.sin(2 * math.pi * int(month[5:7]) / 12)
        values += [
            dict(
                dept_code=contract.HOSPITAL_CODE,
                month=month,
                metric="drug_share",
                value=round(float(22.5 - 0.1 * i + 0.6 * season + rng.normal(0, 0.4)), 1),
            ),
            dict(
                dept_code=contract.HOSPITAL_CODE,
                month=month,
                metric="cost_growth",
                value=round(float(9.0 + 1.2 * season + rng.normal(0, 0.8)), 1),
            ),
            dict(
                dept_code=contract.HOSPITAL_CODE,
                month=month,
                metric="consumables_per_100",
                value=round(float(20.8 - 0.05 * i + rng.normal(0, 0.4)), 1),
            ),
        ]

    targets = [
        dict(
            metric="patient_satisfaction",
            dept_code=OWN_TARGET,
            effective_from=f"{min(2025, last_year)}-01",
            target=92.0,
            direction=">=",
        )
    ]

    ev = _events(months, rng)
    awards = _awards(first_year, last_year, end_month, ev)
    own = None if seed == SEED else np.random.default_rng([seed, 16])  # a group's other hospitals: their own programme
    tasks = _tasks(end_month, own)
    if own is not None:
        ev, awards = _own_events(ev, months, own), _own_awards(awards, last_year, end_month, own)
    return {
        "departments": depts,
        "metric_values": values,
        "events": ev,
        "award_changes": awards,
        "targets": targets,
        "tasks": tasks,
        "notices": _notices(end_month, ev),
        "staff": _staff(last_year),
        "contacts": _contacts(depts),
        "activities": _activities(end_month),
        **_brands(seed - SEED, end_month),
        "risks": _risks(end_month),
        "talks": _talks(end_month, depts),
        **_units(last_year, end_month),
        "applications": _applications(awards, depts, last_year),
    }


# The departments whose story the docs and tests tell (module docstring): a group's other hospitals keep it.
DOCUMENTED = (RELIABLY_ABOVE, RELIABLY_BELOW, SHIFTED, REVOKED, CONFLICT, OWN_TARGET)


def _own_events(events: list[dict], months: list[str], rng) -> list[dict]:
    """Another hospital of a group demo: some of the shared vetoes and warnings did not happen
    there (the documented vetoes of K13 and T02 always did), and it has a few of its own in the last year, in
    departments without a documented story."""
    keep = rng.uniform(0.35, 0.9)
    out = [e for e in events if (e["kind"] == "veto" and e["dept_code"] in (REVOKED, CONFLICT)) or rng.random() < keep]
    seen = {e["event_id"] for e in out}
    free = [d[0] for d in DEPARTMENTS if d[0] not in DOCUMENTED]
    for _ in range(int(rng.integers(1, 9))):
        kind = "veto" if rng.random() < 0.25 else "warning"
        ind = str(rng.choice(("V01", "V05", "V06", "V09") if kind == "veto" else ("W01", "W02")))
        row = _event(
            months[-int(rng.integers(1, 13))],
            int(rng.integers(1, 28)),
            str(rng.choice(free)),
            kind,
            ind,
            _OWN_DESCRIPTION[ind],
            "review" if rng.random() < 0.15 else "confirmed",
        )
        if row["event_id"] not in seen:
            seen.add(row["event_id"])
            out.append(row)
    return out


_OWN_DESCRIPTION = {
    "V01": "员工在网络平台发布不当言论引发舆情",
    "V05": "科室成员受到党纪政务处分",
    "V06": "医德医风考评1人不合格",
    "V09": "被上级卫生健康部门书面通报批评",
    "W01": "患者有效投诉（服务态度）",
    "W02": "科主任接受提醒谈话",
}


def _own_awards(rows: list[dict], last_year: int, end_month: str, rng) -> list[dict]:
    """Another hospital of a group demo: this year's applications of departments without a documented story stop
    at a step of their own (some not yet awarded), and a few other departments apply too."""
    flows: dict[tuple, list[dict]] = {}
    for r in rows:
        flows.setdefault((r["dept_code"], r["year"]), []).append(r)
    out = []
    for (dept, year), flow in flows.items():
        if year == last_year and dept not in DOCUMENTED and rng.random() < 0.6:
            flow = flow[: int(rng.integers(1, len(flow) + 1))]
        out += flow
    end = date(int(end_month[:4]), int(end_month[5:7]), 1)
    applied = {d for d, y in flows if y == last_year}
    others = [d[0] for d in DEPARTMENTS if d[0] not in DOCUMENTED and d[0] not in applied]
    for dept in rng.choice(others, size=int(rng.integers(0, 5)), replace=False):
        start = min(date(last_year, 1, 10) + timedelta(days=int(rng.integers(0, 60))), end - timedelta(days=30))
        steps = contract.AWARD_STEPS[1:]
        out += _flow(str(dept), last_year, start, steps[int(rng.integers(0, len(steps)))])
    return out


def _flow(dept: str, year: int, start: date, upto: str, note: str = "") -> list[dict]:
    """One application's award steps from applying (``start``) up to ``upto``."""
    rows = []
    gaps = (0, 5, 9, 14, 16, 23)  # days after applying: review, group, committee, notice, awarded
    for step, gap in zip(contract.AWARD_STEPS[1:], gaps, strict=False):
        rows.append(
            dict(
                dept_code=dept,
                year=year,
                status=step,
                changed_on=(start + timedelta(days=gap)).isoformat(),
                rectify_until=None,
                note=note,
            )
        )
        if step == upto:
            break
    return rows


def _month_end(month: str, shift: int) -> date:
    """The last day of the month ``shift`` months after ``month`` ('YYYY-MM')."""
    y, m = int(month[:4]), int(month[5:7]) + shift
    y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    return date(y + (m // 12), m % 12 + 1, 1) - timedelta(days=1)


# Seed 001: the plan's six aspects, four key tasks each (title, lead office, responsible departments).
_TASKS: tuple[tuple[str, str, str, str], ...] = (
    ("政治统领", "G01", "全院各科室", "党委理论学习中心组专题学习廉洁从业规定"),
    ("政治统领", "G01", "全院临床科室", "各党支部开展廉洁主题党日活动"),
    ("政治统领", "F02", "全院临床科室", "护理队伍职业道德专题教育"),
    ("政治统领", "G01", "F01、F02、F03", "签订党风廉政建设责任书"),
    ("责任落实", "G01", "全院各科室", "制定清廉医院建设责任清单及分工"),
    ("责任落实", "F01", "全院临床科室", "科室主任落实一岗双责述责述廉"),
    ("责任落实", "G02", "全院医技科室", "药品耗材采购关键岗位轮岗"),
    ("责任落实", "F03", "K01、K08、T02", "医德医风考评结果与绩效挂钩"),
    ("风险防范", "F01", "全院临床科室", "开展廉洁风险点排查与防控"),
    ("风险防范", "G02", "T05；G03", "大额资金使用集体决策审计"),
    ("风险防范", "G03", "A01、A02", "基建与后勤采购全过程监管"),
    ("风险防范", "F04", "全院临床科室", "医疗器械使用监测与异常预警"),
    ("重点突破", "F01", "全院临床科室", "整治收受红包回扣专项行动"),
    ("重点突破", "F03", "全院医技科室", "不合理检查与过度医疗专项治理"),
    ("重点突破", "G02", "T05", "药占比与耗材占比月度通报"),
    ("重点突破", "F01", "K20、K21", "急诊服务流程与收费规范整改"),
    ("单元创建", "G01", "全院各科室", "清廉示范科室创建申报与评审"),
    ("单元创建", "F02", "全院临床科室", "清廉护理单元创建"),
    ("单元创建", "G01", "K01、K08、T05", "清廉文化墙与廉洁提示建设"),
    ("单元创建", "F03", "T01、T02、T03", "医技科室清廉窗口创建"),
    ("实践创新", "F01", "全院临床科室", "患者满意度回访与投诉闭环管理"),
    ("实践创新", "G01", "全院各科室", "清廉医院建设信息化看板上线"),
    ("实践创新", "F04", "全院临床科室", "院感防控廉洁协同检查"),
    ("实践创新", "F03", "F01、F04", "清廉医院建设成效年度评估"),
)
# Due months relative to the end month, and the status as entered: most past tasks done, three overdue (still in
# progress past their due date), one cancelled; the current quarter's and later ones under way or not started.
_TASK_DUE = (-20, -18, -16, -15, -13, -12, -11, -10, -9, -8, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 5, 7, 9)
_TASK_STATUS = {2: "cancelled", 10: "in_progress", 14: "in_progress", 16: "in_progress"}


def _tasks(end_month: str, rng=None) -> list[dict]:
    """The end month is the last complete month: a task due in it or before is past its date today. ``rng``: another
    hospital of a group demo — due days of its own in the same months, some past tasks late, some late ones done."""
    rows = []
    per_year: dict[int, int] = {}
    late = rng.uniform(0.05, 0.4) if rng is not None else 0.0
    for i, ((aspect, lead, resp, title), shift) in enumerate(zip(_TASKS, _TASK_DUE, strict=True)):
        due = _month_end(end_month, shift)
        per_year[due.year] = per_year.get(due.year, 0) + 1
        status = _TASK_STATUS.get(i) or ("done" if shift <= 0 else "in_progress" if shift <= 2 else "not_started")
        if rng is not None:
            due -= timedelta(days=int(rng.integers(0, 20)))  # the same month: the task codes stay
            if status == "done" and rng.random() < late:
                status = "in_progress"
            elif status == "in_progress" and shift <= 0 and rng.random() < 0.5:
                status = "done"
        note = {"done": "已按期完成并归档", "in_progress": "正在推进，已完成阶段性工作", "cancelled": "并入其他任务"}
        rows.append(
            dict(
                task_code=f"RW{due.year}-{per_year[due.year]:02d}",
                title=title,
                category=aspect,
                lead_dept=lead,
                responsible=resp,
                due_on=due.isoformat(),
                status=status,
                progress=note.get(status),
                updated_on=min(due, _month_end(end_month, 0)).isoformat() if status != "not_started" else None,
            )
        )
    return rows


def _notices(end_month: str, events: list[dict]) -> list[dict]:
    """Five notices: one overdue (K20), one open (K14), one tied to K13's V04 veto (closed), one tied to T02's V07
    veto (rectified, awaiting the check), one closed (K09)."""
    revoked = next(e for e in events if e["dept_code"] == REVOKED and e["kind"] == "veto")
    conflict = next(e for e in events if e["dept_code"] == CONFLICT and e["kind"] == "veto")
    y = end_month[:4]

    def after(d: str, days: int) -> str:
        return (date.fromisoformat(d) + timedelta(days=days)).isoformat()

    return [
        dict(
            notice_no=f"纪检整改〔{revoked['event_date'][:4]}〕3号",
            notice_type="rectification",
            dept_code=REVOKED,
            issued_on=after(revoked["event_date"], 7),
            due_on=after(revoked["event_date"], 97),
            issue="收受患者家属红包问题整改",
            event_id=revoked["event_id"],
            status="closed",
            closed_on=after(revoked["event_date"], 90),
        ),
        dict(
            notice_no=f"纪检整改〔{y}〕8号",
            notice_type="rectification",
            dept_code="K20",
            issued_on=_month_end(end_month, -3).isoformat(),
            due_on=_month_end(end_month, -1).isoformat(),
            issue="急诊收费不规范、投诉处理不及时",
            status="rectifying",
        ),
        dict(
            notice_no=f"纪检建议〔{y}〕2号",
            notice_type="discipline",
            dept_code=CONFLICT,
            issued_on=after(conflict["event_date"], 5),
            due_on=after(conflict["event_date"], 95),
            issue="违反操作规程导致检查差错的制度整改",
            event_id=conflict["event_id"],
            status="rectified",
        ),
        dict(
            notice_no=f"监督整改〔{y}〕5号",
            notice_type="supervision",
            dept_code="K14",
            issued_on=_month_end(end_month, -1).isoformat(),
            due_on=_month_end(end_month, 2).isoformat(),
            issue="网络信息发布审核制度不健全",
            status="rectifying",
        ),
        dict(
            notice_no=f"纪检整改〔{int(y) - 1}〕4号",
            notice_type="rectification",
            dept_code="K09",
            issued_on=f"{int(y) - 1}-03-01",
            due_on=f"{int(y) - 1}-05-31",
            issue="医德医风考评不合格人员教育整改",
            status="closed",
            closed_on=f"{int(y) - 1}-05-20",
        ),
    ]


_SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
_GIVEN = ("明", "芳", "伟", "静", "磊", "婷", "军", "丽", "强", "敏", "洋", "艳", "杰", "娟", "涛", "霞")
# Staff per awarded department: in the department since (days before this year's 10 January award date).
_STAFF_DAYS = (3650, 1500, 366, 365, 364, 200, 30)


def _staff(year: int) -> list[dict]:
    """Fictitious staff of the departments awarded this year and of a few others: in the department since dates
    around one year before the award date (365 days before 10 January is the same day a year earlier in a year
    without 29 February in between — 366 when there is one; the rule compares calendar dates)."""
    award = date(year, 1, 10)
    one_year = award.replace(year=year - 1)
    rows = []
    n = 0
    for dept in ("K01", "K08", "T05", CONFLICT, "K05", "F02", "K13", "K20"):
        for days in _STAFF_DAYS:
            since = award - timedelta(days=days)
            if days in (365, 366):  # exactly one year and one day more, whatever the leap years
                since = one_year if days == 365 else one_year - timedelta(days=1)
            if days == 364:
                since = one_year + timedelta(days=1)  # one day short: no points
            name = _SURNAMES[n % len(_SURNAMES)] + _GIVEN[(n * 7) % len(_GIVEN)] + _GIVEN[(n * 3 + 1) % len(_GIVEN)]
            rows.append(
                dict(
                    staff_id=f"D{n + 1:04d}",
                    name=name,
                    dept_code=dept,
                    in_dept_since=since.isoformat(),
                    active=0 if days == 200 and dept == "K05" else 1,
                )
            )
            n += 1
    return rows


def _contacts(depts: list[dict]) -> list[dict]:
    """Fictitious contacts (PRODUCT §11): each department's 科室负责人 at example.org (a domain that never delivers),
    every seventh with a made-up group robot too, and two of the leadership."""
    rows = []
    for n, d in enumerate(depts):
        code = d["dept_code"]
        name = _SURNAMES[(n * 5) % len(_SURNAMES)] + _GIVEN[(n * 11) % len(_GIVEN)]
        row = dict(contact_type="dept", dept_code=code, name=name, email=f"{code.lower()}@example.org")
        if n % 7 == 0:
            row["webhook"] = f"https://robot.example.org/cgi-bin/webhook/send?key=demo-{code.lower()}"
        rows.append(row)
    return rows + [
        dict(contact_type="leader", dept_code="", name="纪委书记（演示）", email="leader1@example.org"),
        dict(contact_type="leader", dept_code="", name="院长（演示）", email="leader2@example.org"),
    ]


# Departments no 清廉查房 reaches in the demo's last year (PRODUCT §10 coverage: the meeting is told about them).
NO_ROUNDS = ("K11", "K15", "K19", "K23", "T04", "A02", "F04", "G03")
# (brand, theme, departments as a 涉及科室 cell) of the last year's other activities, in the order they are held.
_ACTIVITIES: tuple[tuple[str, str, str], ...] = (
    ("festival_talk", "元旦春节廉洁提醒", "全院各科室"),
    ("voice", "纪委书记说纪：解读《医疗机构工作人员廉洁从业九项准则》", "全院各科室"),
    ("lecture", "以案促改警示教育专题讲座", "全院临床科室"),
    ("culture_sites", "门诊大厅清廉文化长廊建成", "A03"),
    ("action", "设备耗材招采专项突击抽查", "T05、G02"),
    ("voice", "清廉故事汇：身边的清廉故事", "全院各科室"),
    ("festival_talk", "端午节前廉洁倡议", "全院各科室"),
    ("lecture", "院外专家警示教育“集中充电”", "全院临床科室"),
    ("action", "急诊收费与投诉处理机动式督查", "K20"),  # the action that issued K20's notice (_notices)
    ("voice", "纪委书记说纪：典型案例剖析", "全院各科室"),
    ("culture_sites", "住院部清廉读书角与文化墙", "F02"),
    ("lecture", "医药购销领域腐败问题警示教育", "全院临床科室"),
    ("festival_talk", "中秋国庆廉洁提醒", "全院各科室"),
    ("action", "基建项目专项检查", "G03、G01"),
    ("voice", "清廉故事汇：范仲淹节俭奉公", "全院各科室"),
    ("lecture", "“以案四改”警示教育会", "全院临床科室"),
)


def _activities(end_month: str) -> list[dict]:
    """The last year's 四清 activities (PRODUCT §10, seed 001), up to the end month: 16 清廉查房 of two departments
    each (the 三个一), every department but NO_ROUNDS reached; 清廉之声, 清风讲堂, 节点话廉 and the 一廊一墙一角一阵地
    between them; three 清风行动, the one in 急诊科 having issued its notice (纪检整改〔year〕8号, held three days before)."""
    year = int(end_month[:4])
    start, end = date(year, 1, 6), _month_end(end_month, 0)
    covered = [d[0] for d in DEPARTMENTS if d[0] not in NO_ROUNDS]
    rounds = [
        ("rounds", "三个一：一个案例警示、一条党纪解析、一次廉政约谈", "、".join(covered[i : i + 2]))
        for i in range(0, 32, 2)
    ]
    listed = [x for pair in zip(rounds, [*_ACTIVITIES, *([None] * len(rounds))]) for x in pair if x is not None]
    notice_on = _month_end(end_month, -3)
    rows = []
    for i, (brand, title, depts) in enumerate(listed):
        held = start + timedelta(days=(end - start).days * i // len(listed))
        row = dict(activity_no=f"HD{year}-{i + 1:02d}", brand=brand, held_on=held.isoformat(), departments=depts)
        row |= dict(title=title, participants=12 + (i * 7) % 30)
        if brand == "action" and depts == "K20":
            row |= dict(
                held_on=(notice_on - timedelta(days=3)).isoformat(), notice_no=f"纪检整改〔{end_month[:4]}〕8号"
            )
        rows.append(row)
    return rows


# 一院一品 (seed 003): the group's hospitals' projects — H02 and H03 run one together (one code), H01's is the
# 亮点项目; a hospital index → (code suffix, category, title, plan)
_BRANDS = (
    ("01", "benefit", "“进村入企送健康”志愿服务", "每月一次送医下乡，党员志愿者随队；建立病情回访台账，季度通报。"),
    ("02", "resources", "医共体“项目轮值”联合义诊", "两院轮值牵头，每季度一次联合义诊；共享专家排班与预约平台。"),
    ("02", "resources", "医共体“项目轮值”联合义诊", "两院轮值牵头，每季度一次联合义诊；共享专家排班与预约平台。"),
    ("04", "conduct", "“一句话承诺”文明行医", "窗口岗位一句话承诺上墙，患者评价每月公示。"),
    ("05", "complaints", "行风投诉“一站式”调处", "设立投诉接待窗口，五个工作日内答复，第三方回访评价。"),
)


def _brands(index: int, end_month: str) -> dict[str, list[dict]]:
    """A hospital's 一院一品 project of the demo's last year and its notes and checks up to the demo's last day: the
    first hospital's phase is read from the date, the shared project's is entered (a step ahead: it finishes early;
    in December one behind), so a group shows two phases."""
    year, last_day = int(end_month[:4]), _month_end(end_month, 0).isoformat()
    suffix, category, title, plan = _BRANDS[index % len(_BRANDS)]
    project = dict(year=year, project_code=f"YP{year}-{suffix}", category=category, title=title, plan=plan)
    if index == 0:
        project["highlight"] = 1
    else:
        dated = brand_rules.phase_on(year, _month_end(end_month, 0))
        project["phase"] = {"apply": "implement", "implement": "review", "review": "implement"}[dated]
    notes = [
        dict(year=year, noted_on=f"{year}-03-25", entry_type="progress", note="创建申报表已报局办公室。"),
        dict(year=year, noted_on=f"{year}-06-18", entry_type="progress", note="完成上半年计划，整理活动台账。"),
        dict(
            year=year,
            noted_on=f"{year}-09-20",
            entry_type="check",
            note="局办公室现场督查，查阅台账。",
            result=("excellent", "good", "pass")[index % 3],
        ),
        dict(year=year, noted_on=f"{year}-10-12", entry_type="progress", note="根据督查意见补充回访记录。"),
    ]
    return {"brand_projects": [project], "brand_notes": [n for n in notes if n["noted_on"] <= last_day]}


# PRODUCT §10 risk register: one risk point per department (the kind seed 004 asks each to find), the 清廉招采 chain's
# points (three a stage) and two window posts. (unit, stage, risk, level, controls, owner); the status and review date
# are set below so a few are 失控 or overdue.
_DEPT_RISKS = {
    "临床": ("收受医药代表或耗材供应商财物、回扣", "医药代表预约接待登记；科主任每月抽查处方与耗材使用"),
    "医技": ("检查检验开单提成、违规外送标本", "开单与收费系统比对；外送标本双人登记"),
    "医辅": ("物资领用台账不实、私自处置物品", "领用双人签字；每季度盘点"),
    "职能": ("检查考核中徇私、收受被检查科室好处", "考核结果集体研究；回避制度"),
    "行政": ("公款报销、公务接待超标准", "报销三级审签；接待清单公示"),
}
_CHAIN_RISKS = (
    ("demand", "需求论证", "需求参数倾向特定品牌", "high", "参数论证专家随机抽取；三家以上比对", "F01"),
    ("demand", "需求论证", "超预算、超标准提出采购需求", "medium", "预算科室与财务科联审", "G02"),
    ("demand", "需求论证", "论证意见未留痕", "low", "论证记录归档备查", "F01"),
    ("project", "采购立项", "化整为零规避公开招标", "high", "年度采购计划统筹；同类合并立项", "G01"),
    ("project", "采购立项", "未经集体决策擅自立项", "medium", "立项提交院长办公会", "G01"),
    ("project", "采购立项", "立项资料不全", "low", "立项清单核对", "G01"),
    ("tender", "招标采购", "围标串标、陪标", "high", "供应商关联关系核查；纪检全程监督开标", "G03"),
    ("tender", "招标采购", "评审专家与投标人接触", "high", "专家随机抽取、封闭评审", "G03"),
    ("tender", "招标采购", "泄露标底或评审信息", "medium", "评审现场手机统一保管", "G03"),
    ("contract", "合同签订", "合同条款与招标文件不一致", "high", "法律顾问审核合同", "G01"),
    ("contract", "合同签订", "随意变更合同金额", "medium", "变更须集体审议", "G01"),
    ("contract", "合同签订", "合同未按期归档", "low", "合同台账月度核对", "G01"),
    ("acceptance", "验收入库", "验收走过场、以次充好", "high", "使用科室、设备科、纪检三方验收", "G03"),
    ("acceptance", "验收入库", "药品耗材入库数量不实", "medium", "入库扫码与发票核对", "T05"),
    ("acceptance", "验收入库", "验收记录缺签", "low", "验收单双人签字", "G03"),
    ("payment", "使用付款", "提前或超额付款", "high", "按合同节点付款；财务复核", "G02"),
    ("payment", "使用付款", "耗材使用量异常未预警", "medium", "耗材使用量月度排名与约谈", "F01"),
    ("payment", "使用付款", "付款审批缺少验收凭证", "low", "付款附验收单", "G02"),
)
_POST_RISKS = (
    ("药房发药窗口", "违规代开、超量发放药品", "medium", "处方双人核对；麻精药品专柜专账", "T05"),
    ("门诊收费窗口", "挪用、截留收费款项", "high", "日结对账；收费监控", "G02"),
)
# status / review date set on purpose: red (a high one 失控; a high one's review overdue), amber (a medium one 失控; a
# low one overdue), and K19 has found its risk point but recorded no controls yet (not eligible, PRODUCT §10).
_RISK_STATES = {
    "ZC-07": ("uncontrolled", 60),
    "ZC-13": ("controlled", -20),
    "ZC-09": ("uncontrolled", 60),
    "ZC-03": ("controlled", -45),
    "FX-K10": ("uncontrolled", 90),
    "FX-K14": ("controlled", -10),
    "GW-01": ("controlled", -5),
    "FX-G02": ("eliminated", -90),
}
NO_CONTROLS = "K19"


def _risks(end_month: str) -> list[dict]:
    """About sixty fictitious risk points (PRODUCT §10): reviews due a few months after the end month, a few overdue
    or 失控 (_RISK_STATES: days from the end month's last day, minus = overdue by then)."""
    end = _month_end(end_month, 0)
    rows = []
    for n, (code, _name, cat, _branch) in enumerate(DEPARTMENTS):
        risk, controls = _DEPT_RISKS[cat]
        level = ("high", "medium", "medium", "low")[n % 4]
        rows.append(dict(risk_code=f"FX-{code}", unit=code, risk=risk, level=level, controls=controls, owner=code))
    for n, (stage, unit, risk, level, controls, owner) in enumerate(_CHAIN_RISKS, start=1):
        rows.append(
            dict(
                risk_code=f"ZC-{n:02d}", unit=unit, stage=stage, risk=risk, level=level, controls=controls, owner=owner
            )
        )
    for n, (unit, risk, level, controls, owner) in enumerate(_POST_RISKS, start=1):
        rows.append(dict(risk_code=f"GW-{n:02d}", unit=unit, risk=risk, level=level, controls=controls, owner=owner))
    for n, r in enumerate(rows):
        status, days = _RISK_STATES.get(r["risk_code"], ("controlled", 60 + (n * 17) % 300))
        r |= dict(status=status, review_due=(end + timedelta(days=days)).isoformat())
        if r["unit"] == NO_CONTROLS:
            r.pop("controls")
    return rows


def _talks(end_month: str, depts: list[dict]) -> list[dict]:
    """Twenty fictitious talks (PRODUCT §10) over the year before ``end_month``: sixteen routine 廉政谈话, three 提醒谈话
    and one 诫勉谈话 (each an automatic W02 warning of its department in its month), in departments whose story the
    docs tell nothing of; follow-ups closed, still open, due soon and overdue at the demo's last day."""
    codes = [d["dept_code"] for d in depts if d["dept_code"] not in DOCUMENTED]
    end = _month_end(end_month, 0)
    y = end.year
    rows = []
    for n in range(16):  # routine: one department in two or three, no follow-up
        held = end - timedelta(days=20 + 21 * n)
        rows.append(dict(talk_no=f"廉谈〔{held.year}〕{n + 1}号", kind="routine", dept_code=codes[(n * 5) % len(codes)],
                         person=_SURNAMES[n % len(_SURNAMES)] + "某某", held_on=held.isoformat(), by="纪委书记"))  # fmt: skip
    # (kind, department, days before the end, follow-up days, closed after days or None)
    warned = (
        ("reminder", 3, 200, 30, 25),  # followed up in time
        ("reminder", 8, 75, 40, None),  # follow-up overdue at the demo's end
        ("reminder", 14, 12, 30, None),  # follow-up open, due soon at the end
        ("admonition", 21, 110, 60, None),  # overdue too
    )
    for n, (kind, i, before, follow, closed) in enumerate(warned):
        held = end - timedelta(days=before)
        due_on = held + timedelta(days=follow)
        rows.append(dict(talk_no=f"纪谈〔{y}〕{n + 1}号", kind=kind, dept_code=codes[i % len(codes)],
                         person=_SURNAMES[(n + 3) % len(_SURNAMES)] + "某某", held_on=held.isoformat(),
                         by="纪检监察室主任", follow_up_due=due_on.isoformat(),
                         closed_on=(held + timedelta(days=closed)).isoformat() if closed else None))  # fmt: skip
    return [{k: v for k, v in r.items() if v is not None} for r in rows]


# Fictitious 清廉医护 candidates (PRODUCT §10: 十佳医生, 十佳护士, 医护之星) and 清廉示范岗 posts, in departments whose
# story the docs tell nothing of: (工号 or post code, name, department, source, the step this year's creation reached)
_PEOPLE = tuple(
    (f"{100 + n:06d}", _SURNAMES[n + 5] + _GIVEN[n], dept, source, upto)
    for n, (dept, source, upto) in enumerate(
        (
            ("K02", "top_doctor", "awarded"), ("K04", "top_doctor", "awarded"), ("K08", "top_doctor", "public_notice"),
            ("K12", "top_doctor", "applied"), ("K14", "top_nurse", "awarded"), ("K16", "top_nurse", "awarded"),
            ("K20", "top_nurse", "committee_approved"), ("K21", "top_nurse", "branch_reviewed"),
            ("K23", "care_star", "awarded"), ("T01", "care_star", "group_reviewed"), ("T02", "care_star", "applied"),
            ("K24", "care_star", "rejected"),
        )
    )
)  # fmt: skip
_POSTS = (
    ("G01", "门诊收费窗口", "T05", "window", "awarded"),
    ("G02", "入院服务中心", "K20", "window", "awarded"),
    ("G03", "药房发药窗口", "T05", "window", "public_notice"),
    ("G04", "导医服务台", "K20", "service_star", "awarded"),
    ("G05", "检验报告发放处", "T01", "service_star", "applied"),
    ("G06", "护理质控岗", "K14", "post_model", "group_reviewed"),
    ("G07", "设备维护岗", "T02", "tech_ace", "awarded"),
    ("G08", "病案质控岗", "T04", "tech_ace", "branch_reviewed"),
)


def _units(year: int, end_month: str) -> dict[str, list[dict]]:
    """Twelve person candidates and eight posts (PRODUCT §10), and this year's award steps of each (the departments'
    §4.1 lifecycle): most applied in March; each stops at its own step, one not passed — none after the demo's end."""
    units, changes = [], []
    last_day = _month_end(end_month, 0).isoformat()
    for n, (code, name, dept, source, upto) in enumerate((*_PEOPLE, *_POSTS)):
        kind = "person" if n < len(_PEOPLE) else "post"
        units.append(dict(unit_code=code, unit_type=kind, name=name, dept_code=dept, source=source))
        start = date(year, 3, 2) + timedelta(days=n % 5)
        flow = _flow(code, year, start, "group_reviewed" if upto == "rejected" else upto)
        if upto == "rejected":
            flow.append(flow[-1] | dict(status="rejected", changed_on=(start + timedelta(days=12)).isoformat()))
        for r in flow:
            if r["changed_on"] <= last_day:
                changes.append({"unit_code": r.pop("dept_code"), **r})
    return {"award_units": units, "unit_award_changes": changes}


def _applications(awards: list[dict], depts: list[dict], year: int) -> list[dict]:
    """This year's 申报表 (PRODUCT §10) of each department that applied, its facts from the department list and each
    step's opinion dated the day of the award change that records it."""
    facts = {d["dept_code"]: d for d in depts}
    steps = {
        "branch_reviewed": ("branch", "同意申报"),
        "group_reviewed": ("group", "材料齐全，同意提交党委"),
        "committee_approved": ("committee", "同意授予清廉科室"),
    }
    rows: dict[str, dict] = {}
    for r in sorted(awards, key=lambda r: r["changed_on"]):
        if r["year"] != year:
            continue
        dept = r["dept_code"]
        if r["status"] == "applied":
            d = facts[dept]
            rows[dept] = dict(year=year, dept_code=dept, applied_on=r["changed_on"], staff_count=d["staff_count"],
                              party_members=d["party_members"],
                              materials="1. 科室廉洁风险点清单；2. 四清活动记录；3. 满意度调查结果")  # fmt: skip
        elif dept in rows and r["status"] in steps:
            step, opinion = steps[r["status"]]
            rows[dept] |= {f"{step}_opinion": opinion, f"{step}_on": r["changed_on"]}
    # one slip as offices make them: 消毒供应中心's working-group opinion dated two days after its status change
    # recorded the review (the awards page flags it)
    if rows.get("A01", {}).get("group_on"):
        rows["A01"]["group_on"] = (date.fromisoformat(rows["A01"]["group_on"]) + timedelta(days=2)).isoformat()
    return list(rows.values())


def _d(month: str, day: int) -> str:
    return f"{month}-{day:02d}"


def _events(months: list[str], rng) -> list[dict]:
    """A handful of vetoes and warnings at fixed positions in the 36 months (index from the end)."""
    m = lambda back: months[-back]  # noqa: E731 - months back from the last
    rows = [
        # (month, day, dept, kind, indicator, description, status)
        (m(17), 12, REVOKED, "veto", "V04", "医师收受患者家属红包，经核实属实并给予处分", "confirmed"),
        # the conflict's veto must fall after this year's award (10 January): with a January end month, use it
        (
            m(2) if m(2)[5:7] != "12" else m(1),
            18 if m(2)[5:7] != "12" else 25,
            CONFLICT,
            "veto",
            "V07",
            "违反操作规程导致检查差错，认定负主要责任",
            "confirmed",
        ),
        (m(28), 9, "K09", "veto", "V06", "医德医风考评1人不合格", "confirmed"),
        (m(20), 3, "K21", "veto", "V09", "被市卫健委书面通报批评", "confirmed"),
        (m(8), 21, "K14", "veto", "V01", "员工在网络平台擅自发布不实信息引发舆情", "confirmed"),
        (m(1), 6, "K10", "veto", "V05", "科室成员受到政务警告处分", "confirmed"),
        (m(4), 15, "G03", "veto", "V08", "后勤维修作业安全事故，认定负主要责任", "review"),
        (m(11), 27, "K16", "veto", "V02", "媒体报道就医纠纷，经核查不负主要责任", "withdrawn"),
    ]
    warn_depts = [
        "K20",
        "K14",
        "A03",
        "K08",
        "G03",
        "K04",
        "K20",
        "T01",
        "K12",
        "K20",
        "K06",
        "A03",
        "K19",
        "K02",
        "K05",
        "K24",
    ]
    for j, dept in enumerate(warn_depts):
        ind = ("W01", "W02", "W03")[j % 3]
        desc = {"W01": "患者有效投诉（服务态度）", "W02": "科主任接受提醒谈话", "W03": "整改事项逾期未完成"}[ind]
        back = 1 + (j * 7) % 30
        rows.append((m(back), 1 + (j * 5) % 27, dept, "warning", ind, desc, "review" if j == 3 else "confirmed"))
    return [_event(*row) for row in rows]


def _event(month: str, day: int, dept: str, kind: str, ind: str, desc: str, status: str) -> dict:
    cat = contract.INDICATOR_BY_CODE[ind]
    eid = "E" + hashlib.sha1(f"{month}{day}{dept}{ind}".encode()).hexdigest()[:10].upper()
    return dict(
        event_id=eid,
        event_date=_d(month, day),
        dept_code=dept,
        kind=kind,
        indicator=ind,
        description=desc,
        evidence=cat.evidence,
        office=cat.office,
        status=status,
    )


def _awards(first_year: int, last_year: int, end_month: str, events: list[dict]) -> list[dict]:
    """Two award years: the previous year's process (applied in December, awarded in January) and this year's."""
    rows = []
    prev, cur = last_year - 1, last_year

    def flow(dept, year, start: date, upto: str, note=""):
        rows.extend(_flow(dept, year, start, upto, note))

    awarded_prev = ["K01", "K02", "K08", "T05", REVOKED, "K03", "F02", "A01"]
    for d in awarded_prev:
        flow(d, prev, date(prev - 1, 12, 18), "awarded")
    for d in ("K20", "K14"):
        flow(d, prev, date(prev - 1, 12, 19), "group_reviewed")
        rows.append(
            dict(
                dept_code=d,
                year=prev,
                status="rejected",
                changed_on=date(prev, 1, 4).isoformat(),
                rectify_until=None,
                note="年度患者满意度未达目标",
            )
        )
    # K13: veto confirmed → revoked → rectification 6 months → re-applied for this year.
    veto = next(e for e in events if e["dept_code"] == REVOKED and e["kind"] == "veto")
    vd = date.fromisoformat(veto["event_date"])
    revoked_on = vd + timedelta(days=20)
    until = date(revoked_on.year + (revoked_on.month + 5) // 12, (revoked_on.month + 5) % 12 + 1, 1) - timedelta(days=1)
    rows.append(
        dict(
            dept_code=REVOKED,
            year=prev,
            status="revoked",
            changed_on=revoked_on.isoformat(),
            rectify_until=None,
            note="否决指标V04，经党委会审定取消称号",
        )
    )
    rows.append(
        dict(
            dept_code=REVOKED,
            year=prev,
            status="rectifying",
            changed_on=(revoked_on + timedelta(days=1)).isoformat(),
            rectify_until=until.isoformat(),
            note="整改期6个月",
        )
    )
    # This year's cycle: the conflict department was awarded in January; others progress at different steps.
    awarded_cur = ["K01", "K08", "T05", CONFLICT, "K05", "F02"]
    for d in awarded_cur:
        flow(d, cur, date(cur - 1, 12, 18), "awarded")
    in_progress = {
        "K02": "committee_approved",
        REVOKED: "branch_reviewed",
        "K24": "applied",
        "A01": "group_reviewed",
        "K16": "public_notice",
    }
    end = date(int(end_month[:4]), int(end_month[5:7]), 1)
    for d, upto in in_progress.items():
        start = max(date(cur, 1, 10), until + timedelta(days=10)) if d == REVOKED else date(cur, 1, 10)
        start = min(start, end - timedelta(days=30))
        if d == "K16":
            start = end - timedelta(days=20)
        flow(d, cur, start, upto)
    return rows


class DemoRejected(RuntimeError):
    """The demo data did not pass the validator (a bug in ``build``): nothing was written."""


# A group demo's hospitals (a 医共体 of a county; fictitious).
DEMO_HOSPITALS = (
    ("H01", "县人民医院", "County People's Hospital"),
    ("H02", "县中医院", "County TCM Hospital"),
    ("H03", "县妇幼保健院", "County Maternal and Child Health Hospital"),
    ("H04", "城关镇卫生院", "Chengguan Township Health Centre"),
    ("H05", "东岭镇卫生院", "Dongling Township Health Centre"),
)


def demo_hospitals(n: int) -> list[dict]:
    """The first ``n`` demo hospitals as rows of the hospitals kind (codes H01, H02, …)."""
    if not 1 <= n <= len(DEMO_HOSPITALS):
        raise ValueError(n)
    return [dict(hospital_code=c, name_zh=z, name_en=e, sort=i) for i, (c, z, e) in enumerate(DEMO_HOSPITALS[:n], 1)]


def fill(
    path: str | os.PathLike | None = None, end_month: str | None = None, user: str = "demo", hospitals: int = 0
) -> dict[str, int]:
    """Write the demo data into the store the way every change comes in: per kind through
    importer.commit_rows (the upload's validator, batch, journal, audit as ``user``), all kinds in one transaction.

    ``hospitals`` > 0: a group store instead — the hospital list, then that many hospitals, each with
    its own demo data (another seed each), under its code. The counts are then summed over the hospitals."""

    def write(db, data, hospital: str) -> None:
        rows_of = {t: (_wide(rows) if t == "metric_values" else rows) for t, rows in data.items()}
        for kind in contract.write_order():  # departments first, so the other rows refer to known departments
            if kind.table not in rows_of:
                continue
            r = importer.commit_rows(
                kind.name,
                rows_of[kind.table],
                source=importer.DEMO_SOURCE,
                user=user,
                action="demo",
                db=db,
                hospital=hospital,
            )
            if not r.committed:
                raise DemoRejected(f"{kind.name}: {[(p.line, p.column, p.value, p.message) for p in r.problems[:5]]}")

    counts: dict[str, int] = {}
    with store.opened(path) as db, db.atomic():
        if not hospitals:
            data = build(end_month)
            write(db, data, "")
            counts = {t: len(rows) for t, rows in data.items()}
        else:
            rows = demo_hospitals(hospitals)
            r = importer.commit_rows("hospitals", rows, source=importer.DEMO_SOURCE, user=user, action="demo", db=db)
            if not r.committed:
                raise DemoRejected(f"hospitals: {[(p.line, p.message) for p in r.problems[:5]]}")
            counts["hospitals"] = len(rows)
            for i, h in enumerate(rows):
                data = build(end_month, seed=SEED + i)
                write(db, data, h["hospital_code"])
                for t, got in data.items():
                    counts[t] = counts.get(t, 0) + len(got)
        store.set_meta(db, "demo", "1")
    return counts


def _wide(values: list[dict]) -> list[dict]:
    """Long metric values as the rows of a monthly file: one row per department and month, a column per metric."""
    out: dict[tuple[str, str], dict] = {}
    for v in values:
        row = out.setdefault((v["dept_code"], v["month"]), {"month": v["month"], "dept_code": v["dept_code"]})
        row[v["metric"]] = v["value"]
    return list(out.values())


class ClearRefused(PermissionError):
    """A clear the account may not make (PRODUCT §9); ``code``: demo.clear.<code> in metrics.i18n."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def clear(path: str | os.PathLike | None = None, user: str | None = None, hospital: str | None = None) -> None:
    """Empty every data table and the batch history (start empty); catalogues and default targets stay.
    Audited as ``user`` in the same transaction.

    ``hospital`` (a group store): only that hospital's data and batches; the other hospitals, the hospital list and
    what every hospital shares stay. When ``user`` is an account of a group store it must be able to write
    ``hospital`` (every hospital: an admin), else ClearRefused and nothing is cleared."""
    from metrics.access import grants

    with store.opened(path) as db:
        codes = store.hospital_codes(db)
        if hospital is not None and hospital not in codes:
            raise ClearRefused("unknown")
        row = store.user_row(db, user) if user and codes else None
        if row is not None:
            if hospital is None and (row["role"] != "admin" or not row["active"]):
                raise ClearRefused("all_admin")
            if hospital is not None and hospital not in grants.writable_hospitals_in(db, user):
                raise ClearRefused("not_granted")
        store.clear_data(db, user, hospital=hospital)
