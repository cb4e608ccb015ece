"""Every user-visible string in both languages, none missing, none left over.

- ZH and EN hold the same keys, and each key the same ``{placeholders}``: a field the English string forgets is a
  number the English reader never sees; one it adds is a KeyError on the English page only.
- Every key the code builds at run time (``f"audit.action.{action}"``, ``"light." + colour``) exists for every value
  it can take, the values read from the registry and the constants that produce them, never copied here.
- No key is left over: a key counts as used when it appears literally in the code (metrics/, pages/, ui/, dashboard.py,
  serve.py) or is built by one of the patterns below. A pattern the code builds that is not declared below fails too,
  so a new one cannot hide its keys.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

from metrics import contract, i18n
from metrics.access import users
from metrics.briefing import SLIDES
from metrics.briefing.build import UNIT_COLUMNS, UNIT_COUNTS
from metrics.ingest import importer
from metrics.ops import points, remind
from metrics.rules import awards as award_rules
from metrics.rules import due, periods, spc
from metrics.rules import risks as risk_rules
from metrics.views import activities as activities_view
from metrics.views import awards, department, matrix, records, tasks
from metrics.views import risks as risks_view

ROOT = Path(__file__).resolve().parent.parent
CODE = sorted(
    [
        *(ROOT / "metrics").rglob("*.py"),
        *(ROOT / "pages").glob("*.py"),
        *(ROOT / "ui").glob("*.py"),
        ROOT / "dashboard.py",
        ROOT / "serve.py",
    ]
)


def _parsed(p: Path) -> ast.Module:
    """A module's syntax tree; of i18n.py only its own code (its formatters use keys too), not the ZH and EN tables,
    whose keys prove nothing."""
    tree = ast.parse(p.read_text(encoding="utf-8"), str(p))
    if p.name == "i18n.py":
        tree.body = [n for n in tree.body if not (isinstance(n, ast.AnnAssign) and n.target.id in ("ZH", "EN"))]
    return tree


TREES = {p: _parsed(p) for p in CODE}
STRINGS = {
    n.value for t in TREES.values() for n in ast.walk(t) if isinstance(n, ast.Constant) and isinstance(n.value, str)
}
# every word-like run inside a string constant: SQL ("status = 'rolled_back'") and argparse names count too
WORDS = {w for s in STRINGS for w in re.findall(r"[A-Za-z0-9_.]+", s)}


def _audit_actions() -> set[str]:
    """Every action the code writes to the audit log: the third argument of ``audit_log(...)``, each ``action="..."``
    handed down to it (a page edit), and the default of a parameter named ``action`` (an upload)."""
    found = set()
    for tree in TREES.values():
        for n in ast.walk(tree):
            if isinstance(n, ast.Call):
                name = _callee(n)
                if name == "add_argument":  # argparse's action="store_true"
                    continue
                args = (
                    [*n.args[2:3], *(k.value for k in n.keywords if k.arg == "action")] if name == "audit_log" else []
                )
                args += [k.value for k in n.keywords if k.arg == "action" and name != "audit_log"]
                found |= {a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)}
            elif isinstance(n, ast.FunctionDef):
                pos = [*n.args.posonlyargs, *n.args.args]
                for arg, default in zip(pos[len(pos) - len(n.args.defaults) :], n.args.defaults, strict=True):
                    if arg.arg == "action" and isinstance(default, ast.Constant):
                        found.add(default.value)
    return found


def _callee(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")


def _first_arguments(callee: str) -> tuple[str, ...]:
    """The string constants handed first to ``callee(...)`` anywhere in the code (an exception's code)."""
    found = set()
    for tree in TREES.values():
        for n in ast.walk(tree):
            if isinstance(n, ast.Call) and _callee(n) == callee and n.args:
                first = n.args[0]  # a constant, or either branch of ``"a" if ... else "b"``
                branches = (first.body, first.orelse) if isinstance(first, ast.IfExp) else (first,)
                found |= {b.value for b in branches if isinstance(b, ast.Constant) and isinstance(b.value, str)}
    return tuple(sorted(found))


# A prefix the code completes at run time → every value it completes it with.
DYNAMIC: dict[str, tuple[str, ...]] = {
    # a personal kind's export is audited as "<table>_export" (metrics.ingest.export)
    "audit.action.": (*_audit_actions(), *(f"{k.table}_export" for k in contract.KINDS.values() if k.personal)),
    "role.": users.ROLES,
    # "catalogue": the page edits of stores written before they went through the one write path still list so
    "upload.kind.": ("auto", "catalogue", *contract.KINDS),
    "upload.count.": importer.COUNT_KEYS,
    "upload.err.read_": _first_arguments("ReadError"),  # an unreadable file (reading.ReadError's code)
    "upload.err.read_limit_": _first_arguments("TooLarge"),  # a file beyond a limit (limits.TooLarge's name)
    "event.kind.": tuple(contract.EVENT_KINDS),
    "spc.": tuple(contract.EVENT_KINDS),  # the control chart's event markers
    "event.status.": tuple(contract.EVENT_STATUSES),
    "award.": tuple(contract.AWARD_STATUSES),
    "task.status.": tuple(contract.TASK_STATUSES),
    "notice.type.": tuple(contract.NOTICE_TYPES),
    "scope.": tuple(contract.METRIC_SCOPES),
    "aggregate.": tuple(contract.METRIC_AGGREGATES),
    "period.": periods.GRAINS,
    "light.": award_rules.LIGHTS,
    "spc.var.": spc.VARIATIONS,
    "spc.say.": spc.VARIATIONS,
    "spc.ass.": (*spc.ASSURANCES, "none"),
    "spc.say.ass.": (*spc.ASSURANCES, "none"),
    "spc.pt.": spc.POINT_TYPES,
    "spc.rule.": spc.RULES,
    "brief.s.": SLIDES,
    "task.state.": tasks.STATE_ORDER,
    "notice.state.": tasks.NOTICE_ORDER,
    "tasks.col.": (*tasks.LIST_COLUMNS, *tasks.SUMMARY_COLUMNS, *department.TASK_COLUMNS),
    # the profile shows closed_on only to pick the notices still open: it has no heading
    "notices.col.": (*tasks.NOTICE_COLUMNS, *(c for c in department.NOTICE_COLUMNS if c != "closed_on")),
    "points.col.": points.COLUMNS,
    "matrix.sort.": matrix.SORTS,
    "aw.kpi.": awards.KPIS,
    "rec.kind.": records.KINDS,
    "brief.pdf.": _first_arguments("PdfFailed"),
    "remind.audience.": tuple(contract.CONTACT_TYPES),
    "remind.channel.": remind.CHANNELS,
    "remind.heading.": remind.STATES,
    "remind.item.": due.ITEM_KINDS,
    "activities.brand.": tuple(contract.ACTIVITY_BRANDS),
    "activities.col.": activities_view.LIST_COLUMNS,
    # --- brands ---
    "brand.category.": tuple(contract.BRAND_CATEGORIES),
    "brand.phase.": tuple(contract.BRAND_PHASES),
    "brand.result.": tuple(contract.BRAND_RESULTS),
    "brand.type.": tuple(contract.BRAND_NOTE_TYPES),
    # --- risks ---
    "risk.level.": tuple(contract.RISK_LEVELS),
    "risk.status.": tuple(contract.RISK_STATUSES),
    "risk.stage.": tuple(contract.PROCUREMENT_STAGES),
    "risk.reason.": risk_rules.REASONS,
    "risk.col.": (*risks_view.COLUMNS, *risks_view.UNIT_COLUMNS),
    "talk.kind.": tuple(contract.TALK_KINDS),
    "talk.state.": ("none", "closed", *due.STATES),
    "talks.col.": department.TALK_COLUMNS,
    # --- units2 ---
    "unit.type.": tuple(contract.UNIT_TYPES),
    "unit.source.": tuple(contract.UNIT_SOURCES),
    "aw.unit.col.name.": tuple(contract.UNIT_TYPES),
    "brief.units.col.": UNIT_COLUMNS,
    "brief.units.type.": tuple(contract.UNIT_TYPES),
    "brief.units.n.": tuple(UNIT_COUNTS),
}
# Prefixes completed by a word written literally elsewhere in the code (an error code handed to ``tr.err``, a help
# key handed to ``_h``, a column of a frame, a page name): a key of theirs is used when its last part is such a word.
BY_WORD = (
    "audit.action.",  # also handed down positionally by the page editors (pages/targets.py)
    "cli.help.",
    "upload.err.",
    "upload.warn.",
    "upload.rollback.",
    "upload.status.",
    "upload.col.",
    "demo.clear.",
    "audit.s.",
    "audit.s.table.",
    "users.col.",
    "cal.col.",
    "matrix.kpi.",
    "ov.kpi.",
    "ov.",
    "nav.",
    "brief.tasks.",
    "brief.download_",  # a download button per file format (pages/briefing.py)
)


def _placeholders(s: str) -> set[str]:
    return {re.split(r"[.\[]", f)[0] for _, f, _, _ in string.Formatter().parse(s) if f is not None}


def _built_prefixes() -> set[str]:
    """Every prefix of a key the code completes at run time: f"prefix.{x}", "prefix." + x, or "prefix." handed on
    (``_table(frame, "upload.col.")``)."""
    found = set()
    for tree in TREES.values():
        for n in ast.walk(tree):
            head = None
            if isinstance(n, ast.JoinedStr) and len(n.values) > 1 and isinstance(n.values[0], ast.Constant):
                head = n.values[0].value if isinstance(n.values[1], ast.FormattedValue) else None
            elif isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add) and isinstance(n.left, ast.Constant):
                head = n.left.value
            elif isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value.endswith((".", "_")):
                head = n.value
            if isinstance(head, str) and re.fullmatch(r"[a-z][a-z_]*\.[a-z_.]*", head) and _prefix_of_a_key(head):
                found.add(head)
    return found


def _prefix_of_a_key(head: str) -> bool:
    return any(k.startswith(head) and k != head for k in i18n.ZH)


def _used(key: str) -> bool:
    if key in WORDS:
        return True
    for prefix, values in DYNAMIC.items():
        if key.startswith(prefix) and key[len(prefix) :] in values:
            return True
    return any(key.startswith(p) and key[len(p) :] in WORDS for p in BY_WORD)


def test_both_languages_hold_the_same_keys():
    assert sorted(set(i18n.ZH) - set(i18n.EN)) == [], "in Chinese only"
    assert sorted(set(i18n.EN) - set(i18n.ZH)) == [], "in English only"


def test_each_key_has_the_same_placeholders_in_both_languages():
    differ = {
        k: (sorted(_placeholders(i18n.ZH[k])), sorted(_placeholders(i18n.EN[k])))
        for k in set(i18n.ZH) & set(i18n.EN)
        if _placeholders(i18n.ZH[k]) != _placeholders(i18n.EN[k])
    }
    assert differ == {}


def test_every_key_built_at_run_time_exists():
    assert _audit_actions() >= {"upload", "rollback", "signin.ok", "user.add", "backup"}  # the scan finds them
    missing = sorted(prefix + v for prefix, values in DYNAMIC.items() for v in values if prefix + v not in i18n.ZH)
    assert missing == []


def _written_keys() -> set[str]:
    """Every key handed literally to a lookup: ``t("x.y")``, ``i18n.t``, ``ui.t``, ``b.t``, ``Refusal("x.y")`` (a word
    without a dot is the tail a local ``t`` completes, checked with its pattern above)."""
    return {
        n.args[0].value
        for tree in TREES.values()
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
        and _callee(n) in ("t", "Refusal")
        and n.args
        and isinstance(n.args[0], ast.Constant)
        and isinstance(n.args[0].value, str)
        and "." in n.args[0].value
    }


def test_every_key_written_in_the_code_exists():
    assert len(_written_keys()) > 500  # the scan sees the lookups
    assert sorted(_written_keys() - set(i18n.ZH)) == []


def test_every_built_pattern_is_declared_here():
    assert sorted(_built_prefixes() - set(DYNAMIC) - set(BY_WORD)) == []


def test_no_key_is_left_over():
    assert sorted(k for k in i18n.ZH if not _used(k)) == []
