"""Synthetic stores in the contract's shape, written fast (bench data generation is not what we measure).

Three scales: S 40 departments × 36 months, M 200 × 120, L 5,000 × 120 — a city health
commission tracking every hospital's departments. Events and award histories are proportionate to the
demo store (about one event per 60 department-months; about a third of departments apply each year).

The schema and catalogues come from ``metrics.store.connect``; the rows go in with plain ``executemany``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import os
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from metrics import contract, store
from metrics.ops import demo

SEED = 7


@dataclass(frozen=True)
class Scale:
    name: str
    depts: int
    months: int


SCALES: dict[str, Scale] = {
    "S": Scale("S", 40, 36),
    "M": Scale("M", 200, 120),
    "L": Scale("L", 5000, 120),
}

# Rates taken from the demo store: 24 events over 40 departments × 36 months; about 30 % of them vetoes.
EVENTS_PER_DEPT_MONTH = 24 / (40 * 36)
VETO_SHARE = 0.3
APPLY_SHARE = 0.35  # departments applying for the award in a year
OWN_TARGET_SHARE = 0.05  # departments with their own patient-satisfaction target
# Programme work (PRODUCT §8), proportionate to the demo: 24 key tasks and 5 rectification notices per 40 departments;
# about one task in ten is for the whole hospital (全院各科室: every department's code in responsible).
TASKS_PER_DEPT = 24 / 40
NOTICES_PER_DEPT = 5 / 40
WHOLE_HOSPITAL_SHARE = 0.1

DEPT_METRICS = ("patient_satisfaction", "staff_satisfaction", "complaints")
HOSP_METRICS = ("drug_share", "cost_growth", "consumables_per_100")


def months(scale: Scale, end_month: str | None = None) -> list[str]:
    """The scale's months, oldest first, ending last month (as the demo does)."""
    return demo.months_ending(end_month or demo.default_end_month(), scale.months)


def dept_rows(scale: Scale) -> list[tuple]:
    """(dept_code, dept_name, category, party_branch, staff_count, party_members, active) per department."""
    rng = np.random.default_rng(SEED)
    base = demo.DEPARTMENTS
    out = []
    for i in range(scale.depts):
        _code, name, cat, branch = base[i % len(base)]
        hosp = i // len(base) + 1
        staff = int(rng.integers(8, 80))
        out.append(
            (
                f"D{i + 1:05d}",
                f"{name}{hosp:03d}" if scale.depts > len(base) else name,
                cat,
                f"{branch}{hosp:03d}",
                staff,
                int(staff * 0.4),
                1,
            )
        )
    return out


def metric_rows(scale: Scale, ms: list[str], seed: int = SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Patient satisfaction, staff satisfaction and complaints as (depts × months) arrays (``seed``: another
    hospital of a region store, bench/region.py)."""
    rng = np.random.default_rng(seed + 1)
    level = rng.normal(90.5, 2.0, size=(scale.depts, 1))
    ps = np.clip(np.round(rng.normal(level, 1.3, size=(scale.depts, len(ms))), 1), 60, 100)
    ss = np.clip(np.round(rng.normal(90.5, 2.0, size=(scale.depts, len(ms))), 1), 60, 100)
    comp = rng.poisson(np.maximum(0.2, (92 - ps) / 2.5)).astype(float)
    return ps, ss, comp


def build_store(path: str | os.PathLike, scale: Scale, end_month: str | None = None) -> dict[str, int]:
    """Create a store at ``path`` (replacing any) holding the scale's synthetic data; returns rows per table."""
    for suffix in ("", "-wal", "-shm"):
        p = f"{path}{suffix}"
        if os.path.exists(p):
            os.remove(p)
    with store.opened(path):
        pass  # schema, catalogues and default targets
    tables = hospital_tables(scale, end_month)
    counts = {t: len(rows) for t, rows in tables.items()}
    store.bulk_load(path, tables, note=f"bench synthetic {scale.name}")
    return counts


def hospital_tables(scale: Scale, end_month: str | None = None, seed: int = SEED) -> dict[str, list[tuple]]:
    """One hospital's synthetic rows per table (tuples in ``store._BULK_COLUMNS`` order): departments, metric values
    (department metrics and the hospital-wide ones under ``contract.HOSPITAL_CODE``), own targets, events, award
    changes, tasks, notices. ``seed``: another hospital of a region store (bench/region.py)."""
    ms = months(scale, end_month)
    depts = dept_rows(scale)
    codes = [d[0] for d in depts]
    ps, ss, comp = metric_rows(scale, ms, seed)
    rng = np.random.default_rng(seed + 2)

    value_parts = []
    for metric, arr in zip(DEPT_METRICS, (ps, ss, comp)):
        value_parts.append(_long_rows(codes, ms, metric, arr))
    hosp = []
    shift = (seed - SEED) % 7 * 0.3
    for j, m in enumerate(ms):
        season = np.sin(2 * np.pi * int(m[5:7]) / 12)
        hosp += [
            (contract.HOSPITAL_CODE, m, "drug_share", round(22.5 + shift - 0.02 * j + 0.6 * season, 1)),
            (contract.HOSPITAL_CODE, m, "cost_growth", round(9.0 + 1.2 * season, 1)),
            (contract.HOSPITAL_CODE, m, "consumables_per_100", round(20.8 - 0.01 * j, 1)),
        ]
    value_parts.append(hosp)

    own = [
        ("patient_satisfaction", c, ms[len(ms) // 2], 92.0, ">=") for c in codes[:: max(1, int(1 / OWN_TARGET_SHARE))]
    ]
    ev = _events(codes, ms, rng)
    return {
        "departments": depts,
        "metric_values": list(itertools.chain.from_iterable(value_parts)),
        "targets": own,
        "events": ev,
        "award_changes": _awards(codes, ms, rng),
        "tasks": _tasks(codes, ms, rng),
        "notices": _notices(codes, ms, ev, rng),
    }


def _tasks(codes: list[str], ms: list[str], rng) -> list[tuple]:
    """Key tasks over the last two years and the next, in the six aspects; a past task is done nine times in ten."""
    n = max(1, int(round(TASKS_PER_DEPT * len(codes))))
    end = date(int(ms[-1][:4]), int(ms[-1][5:7]), 28)
    all_codes = ",".join(codes)
    out = []
    for k in range(n):
        due = end + timedelta(days=int(rng.integers(-730, 365)))
        whole = rng.random() < WHOLE_HOSPITAL_SHARE
        resp = all_codes if whole else ",".join(codes[int(i)] for i in rng.integers(len(codes), size=3))
        past = due <= end
        status = ("done" if rng.random() < 0.9 else "in_progress") if past else ("in_progress", "not_started")[k % 2]
        aspect = contract.TASK_ASPECTS[k % len(contract.TASK_ASPECTS)]
        lead = codes[int(rng.integers(len(codes)))]
        out.append((f"B{k:06d}", f"重点任务 {k}", aspect, lead, resp, due.isoformat(), status, "进展说明", None))
    return out


def _notices(codes: list[str], ms: list[str], events: list[tuple], rng) -> list[tuple]:
    """Rectification notices; every other one follows an event; a third closed, a sixth overdue."""
    n = max(1, int(round(NOTICES_PER_DEPT * len(codes))))
    end = date(int(ms[-1][:4]), int(ms[-1][5:7]), 28)
    out = []
    for k in range(n):
        issued = end - timedelta(days=int(rng.integers(0, 400)))
        due = issued + timedelta(days=int(rng.integers(30, 120)))
        ev = events[k % len(events)] if events and k % 2 == 0 else None
        dept = ev[2] if ev else codes[int(rng.integers(len(codes)))]
        closed = k % 3 == 0
        status = "closed" if closed else "rectifying"
        closed_on = (issued + timedelta(days=20)).isoformat() if closed else None
        out.append(
            (
                f"整改〔{k}〕号",
                "rectification",
                dept,
                issued.isoformat(),
                due.isoformat(),
                "问题",
                ev[0] if ev else None,
                status,
                closed_on,
            )
        )
    return out


def _long_rows(codes: list[str], ms: list[str], metric: str, arr: np.ndarray):
    """(dept_code, month, metric, value) for every cell of a departments × months array (bound per metric)."""
    return ((codes[i], ms[j], metric, float(arr[i, j])) for i in range(len(codes)) for j in range(len(ms)))


def _events(codes: list[str], ms: list[str], rng) -> list[tuple]:
    n = int(round(EVENTS_PER_DEPT_MONTH * len(codes) * len(ms)))
    vetoes = [i.code for i in contract.INDICATORS if i.kind == "veto"]
    warnings = [i.code for i in contract.INDICATORS if i.kind == "warning"]
    out = []
    for k in range(n):
        dept = codes[int(rng.integers(len(codes)))]
        month = ms[int(rng.integers(len(ms)))]
        kind = "veto" if rng.random() < VETO_SHARE else "warning"
        ind = (vetoes if kind == "veto" else warnings)[int(rng.integers(3 if kind == "warning" else 10))]
        r = rng.random()
        status = "confirmed" if r < 0.85 else ("review" if r < 0.95 else "withdrawn")
        cat = contract.INDICATOR_BY_CODE[ind]
        day = 1 + int(rng.integers(28))
        eid = "B" + hashlib.sha1(f"{k}{dept}{month}{ind}".encode()).hexdigest()[:11].upper()
        out.append((eid, f"{month}-{day:02d}", dept, kind, ind, cat.name_zh, cat.evidence, cat.office, status))
    return out


def _awards(codes: list[str], ms: list[str], rng) -> list[tuple]:
    """Each year about a third of departments apply (in December for the next year) and move along the steps."""
    steps = contract.AWARD_STEPS[1:]
    gaps = (0, 5, 9, 14, 16, 23)
    first, last = int(ms[0][:4]) + 1, int(ms[-1][:4])
    end = date(int(ms[-1][:4]), int(ms[-1][5:7]), 28)
    out = []
    for year in range(first, last + 1):
        start = date(year - 1, 12, 10)
        applying = rng.random(len(codes)) < APPLY_SHARE
        reach = rng.integers(1, len(steps) + 2, size=len(codes))  # len(steps)+1 = rejected after group review
        for i in np.flatnonzero(applying):
            upto = int(reach[i])
            for step, gap in zip(steps[: min(upto, len(steps))], gaps):
                day = start + timedelta(days=gap)
                if day <= end:
                    out.append((codes[i], year, step, day.isoformat(), None, ""))
            if upto > len(steps):
                out.append((codes[i], year, "rejected", (start + timedelta(days=12)).isoformat(), None, "未达目标"))
    return out


def history_csv(scale: Scale, end_month: str | None = None) -> bytes:
    """The whole history as one metrics file (wide, one row per department-month), UTF-8 with BOM like Excel."""
    ms = months(scale, end_month)
    return _metrics_csv(dept_rows(scale), ms, *metric_rows(scale, ms))


def month_csv(scale: Scale, n_rows: int = 200, month: str | None = None, revision: int = 0) -> bytes:
    """One month's metrics file (the month after the scale's history) for ``n_rows`` departments; ``revision`` n:
    the same file corrected n times (satisfaction 0.1·n lower), so that committing it again is a new data version."""
    ms = months(scale)
    nxt = month or demo.months_ending(_next_month(ms[-1]), 1)[0]
    depts = dept_rows(scale)[:n_rows]
    ps, ss, comp = metric_rows(Scale("x", len(depts), 1), [nxt])
    return _metrics_csv(depts, [nxt], ps - 0.1 * revision, ss, comp)


def _next_month(m: str) -> str:
    y, mo = int(m[:4]), int(m[5:7]) + 1
    return f"{y + (mo > 12):04d}-{(mo - 1) % 12 + 1:02d}"


def _metrics_csv(depts, ms, ps, ss, comp) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["月份", "科室编码", "科室名称", "患者满意度", "职工满意度", "投诉件数"])
    for j, m in enumerate(ms):
        for i, d in enumerate(depts):
            w.writerow([m, d[0], d[1], f"{ps[i, j]:.1f}", f"{ss[i, j]:.1f}", int(comp[i, j])])
    return buf.getvalue().encode("utf-8-sig")
