"""`python -m metrics …`: a thin shell over the library (PRODUCT §3.4). Exit 0 done, 1 rejected, 2 usage."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys

from metrics import contract, i18n, store
from metrics.access import grants, sessions
from metrics.access import users as accounts
from metrics.ingest import export, importer, limits
from metrics.ops import demo

ROLE_CHOICES = accounts.ROLES


PROG = ".venv/bin/python -m metrics"  # as it runs from the repository root of a fresh clone (README)
_help_lang = i18n.DEFAULT_LANG  # the language --help is built in (main sets it from --lang before building)


def _h(key: str) -> str:
    """An option's explanation in the language of this run (i18n ``cli.help.<key>``; ``%`` is argparse's)."""
    return i18n.t("cli.help." + key, _help_lang).replace("%", "%%")


# argparse's own words ("usage: ", "options", "show this help message and exit", its errors) come through gettext;
# the i18n keys that say them in our languages.
_ARGPARSE_WORDS = {
    "usage: ": "cli.ap.usage",
    "positional arguments": "cli.ap.positional",
    "options": "cli.ap.options",
    "show this help message and exit": "cli.ap.help",
    "%(prog)s: error: %(message)s\n": "cli.ap.error",
    "the following arguments are required: %s": "cli.ap.required",
    "unrecognized arguments: %s": "cli.ap.unrecognized",
    "invalid choice: %(value)r (choose from %(choices)s)": "cli.ap.invalid_choice",
    "invalid %(type)s value: %(value)r": "cli.ap.invalid_value",
    "argument %(argument_name)s: %(message)s": "cli.ap.argument",
    "expected one argument": "cli.ap.expected_one",
    "ambiguous option: %(option)s could match %(matches)s": "cli.ap.ambiguous",
    "not allowed with argument %s": "cli.ap.not_allowed",
}


def _argv_lang(argv: list[str]) -> str:
    """The --lang of a command line, read before argparse builds its help (zh unless it says en)."""
    for i, a in enumerate(argv):
        if a == "--lang" and i + 1 < len(argv):
            return argv[i + 1] if argv[i + 1] in i18n.TABLES else i18n.DEFAULT_LANG
        if a.startswith("--lang="):
            value = a.split("=", 1)[1]
            return value if value in i18n.TABLES else i18n.DEFAULT_LANG
    return i18n.DEFAULT_LANG


@contextlib.contextmanager
def _argparse_in(lang: str):
    """argparse speaking ``lang`` while the parser is built (its group titles are made then) and used: its module
    global ``_`` (gettext) swapped for our table, put back afterwards."""
    global _help_lang
    saved, saved_lang = argparse._, _help_lang
    argparse._ = lambda text: i18n.t(_ARGPARSE_WORDS[text], lang) if text in _ARGPARSE_WORDS else text
    _help_lang = lang
    try:
        yield
    finally:
        argparse._, _help_lang = saved, saved_lang


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=".venv/bin/python -m metrics", description=_h("description"))
    p.add_argument(
        "--db",
        help=_h("db"),
    )
    sub = p.add_subparsers(dest="command", required=True)
    d = sub.add_parser("demo", help=_h("demo"))
    d.add_argument("--if-empty", action="store_true", help=_h("demo_if_empty"))
    d.add_argument("--clear", action="store_true", help=_h("demo_clear"))
    d.add_argument("--end-month", help=_h("demo_end_month"))
    d.add_argument("--json", action="store_true", help=_h("json"))
    d.add_argument("--hospitals", type=int, default=0, metavar="N", help=_h("demo_hospitals"))
    d.add_argument("--hospital", metavar="CODE", help=_h("demo_hospital"))
    d.add_argument("--all-hospitals", action="store_true", help=_h("demo_all"))
    d.add_argument("--user", help=_h("write_user"))
    d.add_argument("--lang", choices=("zh", "en"), default="zh", help=_h("lang"))
    _add_ingest_parsers(sub)
    _add_access_parsers(sub)
    _add_briefing_parser(sub)
    _add_remind_parser(sub)
    pt = sub.add_parser("points", help=_h("points"))
    pt.add_argument("year", type=int, help=_h("points_year"))
    pt.add_argument("--out", metavar="CSV", help=_h("points_out"))
    pt.add_argument("--json", action="store_true", help=_h("points_json"))
    pt.add_argument("--user", help=_h("points_user"))
    pt.add_argument("--lang", choices=("zh", "en"), default="zh", help=_h("lang"))
    for name in ("import", "export", "briefing", "points"):  # a group store's hospital
        sub.choices[name].add_argument("--hospital", metavar="CODE", help=_h("hospital"))
    for name in ("export", "briefing"):
        sub.choices[name].add_argument("--user", help=_h("read_user"))
    sub.choices["export"].add_argument("--lang", choices=("zh", "en"), default="zh", help=_h("lang"))
    for sp in sub.choices.values():  # --db also after the subcommand; SUPPRESS keeps a --db given before it
        sp.add_argument("--db", default=argparse.SUPPRESS, help=_h("db_sub"))
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        with _argparse_in(_argv_lang(argv)):
            args = _parser().parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    commands = {"demo": cmd_demo, "import": cmd_import, "export": cmd_export, "rollback": cmd_rollback}
    commands |= {"errors": cmd_errors}
    commands |= {"users": cmd_users, "backup": cmd_backup, "restore": cmd_restore}
    commands |= {"briefing": cmd_briefing, "points": cmd_points}
    commands |= {"remind": cmd_remind}
    try:
        return commands[args.command](args)
    except BrokenPipeError:  # `… | head`: the reader has gone; no store failed. Quiet, as Unix tools end on SIGPIPE
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the flush at exit must not fail again
        return 128 + 13
    except (*store.ERRORS, OSError) as e:  # a broken, read-only or full store: say so, no traceback
        lang = getattr(args, "lang", None) or i18n.DEFAULT_LANG
        where = store.masked(store.db_path(args.db))
        print(i18n.t("store.cli.failed", lang, path=where, error=i18n.t(store.problem_key(e), lang)), file=sys.stderr)
        detail = store.hide_passwords(f"{type(e).__name__}: {e}")  # a driver may quote the connection string
        print(i18n.t("store.cli.detail", lang, detail=detail), file=sys.stderr)
        return 1


def cmd_demo(args) -> int:
    """Fill an empty store with demo data (refuses a non-empty one unless --clear)."""
    if args.clear:
        return _clear(args)
    with store.opened(args.db) as db:
        empty = store.is_empty(db)
        first_run = store.get_meta(db, "first_run_done") is None
        store.set_meta(db, "first_run_done", store.now_iso())
    if args.if_empty and not first_run:
        return 0  # `make run` fills only the very first time: a store emptied on purpose stays empty
    if not empty:
        if args.if_empty:
            return 0
        print(i18n.t("demo.cli.not_empty", args.lang), file=sys.stderr)
        return 1
    if args.hospitals and not 1 <= args.hospitals <= len(demo.DEMO_HOSPITALS):
        print(i18n.t("demo.cli.hospitals_range", args.lang, n=len(demo.DEMO_HOSPITALS)), file=sys.stderr)
        return 2
    counts = demo.fill(args.db, args.end_month, user=_os_user(), hospitals=args.hospitals)
    rows = i18n.t("brief.list_sep", args.lang).join(
        i18n.t("demo.cli.rows", args.lang, table=i18n.t(contract.kind_of_table(k).label, args.lang), n=v)
        for k, v in counts.items()
    )  # the kinds' names, as the upload page says
    print(json.dumps(counts, ensure_ascii=False) if args.json else i18n.t("demo.cli.loaded", args.lang, rows=rows))
    return 0


def _clear(args) -> int:
    """``demo --clear``: the whole store; in a group store one hospital (``--hospital``) or, said explicitly,
    every hospital (``--all-hospitals``, an admin) — by an account (``--user``) allowed to."""
    lang = args.lang
    with store.opened(args.db) as db:
        codes = store.hospital_codes(db)
    if codes:
        if _account_needed(args, lang):
            return 2
        if args.hospital is None and not args.all_hospitals:
            print(i18n.t("demo.clear.which", lang, codes=i18n.t("brief.list_sep", lang).join(codes)), file=sys.stderr)
            return 2
        if args.hospital is not None:
            hospital, bad = _hospital(args, write=True, required=True)
            if bad:
                return bad
        else:
            hospital = None
    else:
        hospital, bad = _hospital(args, write=True, required=False)  # a code given to a one-hospital store: exit 2
        if bad:
            return bad
        hospital = None
    try:
        demo.clear(args.db, user=args.user or _os_user(), hospital=hospital)
    except demo.ClearRefused as e:
        print(i18n.t("demo.clear." + e.code, lang, user=args.user, code=hospital or ""), file=sys.stderr)
        return 2
    if hospital:
        print(i18n.t("demo.clear.done_hospital", lang, code=hospital))
    else:
        print(i18n.t("demo.cli.cleared", lang))
    return 0


def _account_needed(args, lang: str, read: bool = False) -> bool:
    """A write (``read``: a read) of a group store by no account of it (PRODUCT §9): say that ``--user`` must name
    an account (its grant is then checked) and return True. A one-hospital store, or an account: False."""
    user = getattr(args, "user", None)
    with store.opened(args.db) as db:
        if not store.hospital_codes(db):
            return False
        if user and store.user_row(db, user) is not None:
            return False
    if user:
        key = "hospital.err.user_required_read" if read else "hospital.err.user_required"
    else:  # none given: say that --user is needed, not that "—" is no account
        key = "hospital.err.user_missing_read" if read else "hospital.err.user_missing"
    print(i18n.t(key, lang, user=user or ""), file=sys.stderr)
    return True


# --- import, export, rollback (PRODUCT §3) -----------------------------------------------------------


def _add_ingest_parsers(sub) -> None:
    i = sub.add_parser("import", help=_h("import"))
    i.add_argument("file", help=_h("import_file"))
    i.add_argument("--kind", choices=tuple(contract.KINDS), help=_h("import_kind"))
    i.add_argument("--dry-run", action="store_true", help=_h("import_dry_run"))
    i.add_argument("--skip-invalid", action="store_true", help=_h("import_skip"))
    i.add_argument("--json", action="store_true", help=_h("import_json"))
    i.add_argument(
        "--error-report",
        metavar="CSV",
        help=_h("import_error_report"),
    )
    i.add_argument("--user", help=_h("import_user"))
    i.add_argument("--lang", choices=("zh", "en"), default="zh", help=_h("lang"))
    e = sub.add_parser("export", help=_h("export"))
    e.add_argument("--out", default=str(store.DEFAULT_DB.parent / "export"), help=_h("export_out"))
    er = sub.add_parser("errors", help=_h("errors"))
    er.add_argument("batch", type=int, help=_h("batch_id"))
    er.add_argument("--out", help=_h("errors_out"))
    er.add_argument("--user", help=_h("errors_user"))
    er.add_argument("--lang", choices=("zh", "en"), default="zh", help=_h("lang"))
    r = sub.add_parser(
        "rollback",
        help=_h("rollback"),
        description=_h("rollback_description"),
    )
    r.add_argument("batch", type=int, nargs="?", help=_h("rollback_batch"))
    r.add_argument("--hospital", metavar="CODE", help=_h("rollback_hospital"))
    r.add_argument("--user", help=_h("write_user"))
    r.add_argument("--yes", action="store_true", help=_h("rollback_yes"))
    r.add_argument("--lang", choices=("zh", "en"), default="zh", help=_h("lang"))


def _os_user() -> str:
    import getpass

    try:
        return "cli:" + getpass.getuser()
    except Exception:  # no user database entry (containers)
        return "cli"


def _hospital(args, write: bool, required: bool) -> tuple[str | None, int]:
    """(the hospital ``--hospital`` names, 0) or (None, 2) after saying why on stderr (PRODUCT §9): a code in a
    one-hospital store, a code the store does not know, none when ``required`` in a group store, or one the account
    ``--user`` names may not read (``write``: may not write). Without --hospital: '' (None in a group store when
    not required: every hospital)."""
    lang = getattr(args, "lang", None) or i18n.DEFAULT_LANG
    code = getattr(args, "hospital", None)
    user = getattr(args, "user", None)
    with store.opened(args.db) as db:
        codes = store.hospital_codes(db)
        account = store.user_row(db, user) if user else None
        allowed = (
            (grants.writable_hospitals_in(db, user) if write else grants.readable_hospitals_in(db, user))
            if account is not None
            else ()
        )
    say = lambda key, **f: print(i18n.t(key, lang, **f), file=sys.stderr)  # noqa: E731
    listed = i18n.t("brief.list_sep", lang).join(codes)
    if not codes:
        if code:
            say("hospital.err.one_hospital", code=code)
            return None, 2
        return "", 0
    if code is None:
        if required:
            say("hospital.err.required", codes=listed)
            return None, 2
        code = None
    elif code not in codes:
        say("hospital.err.unknown", code=code, codes=listed)
        return None, 2
    if user is None and not write:  # a read of a group store: by an account, its grant checked
        say("hospital.err.user_missing_read")
        return None, 2
    if user is not None and (
        account is None or (code is None and set(allowed) != set(codes)) or (code is not None and code not in allowed)
    ):
        say("hospital.err.not_granted", user=user, code=code if code is not None else listed)
        return None, 2
    return code, 0


def cmd_import(args) -> int:
    """Preview (``--dry-run``) or commit a file; exit 0 done, 1 rejected (nothing written), 2 usage error."""
    from pathlib import Path

    # a group store: a write by an account granted the hospital; a preview, which shows what the store holds
    # (changed rows, the departments that reported last month), by an account that may read it
    if _account_needed(args, args.lang, read=args.dry_run):
        return 2
    hospital, bad = _hospital(args, write=not args.dry_run, required=False)
    if bad:
        return bad
    hospital = hospital or ""  # without --hospital a group store's file names its hospital in a 医院编码 column

    path = Path(args.file)
    if not path.is_file():
        print(i18n.t("upload.cli.no_file", args.lang, path=path), file=sys.stderr)
        return 2
    size = path.stat().st_size
    if size > limits.MAX_BYTES:  # refused before reading it, with the message of the upload page
        print(limits.upload_size_error(size, args.lang))
        return 1
    data = path.read_bytes()
    if args.dry_run:
        report = importer.preview(
            data,
            path.name,
            args.kind,
            lang=args.lang,
            db_path=args.db,
            hospital=hospital,
            user=args.user,
            read_only=True,
        )
        done = report.can_commit(args.skip_invalid) or report.duplicate_of is not None
    else:
        report = importer.commit(
            data,
            path.name,
            args.kind,
            user=args.user or _os_user(),
            skip_invalid=args.skip_invalid,
            lang=args.lang,
            db_path=args.db,
            hospital=hospital,
        )
        done = report.committed or report.duplicate_of is not None
    if args.error_report and report.problems:
        Path(args.error_report).write_bytes(export.csv_bytes(report.error_report(args.lang)))
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(_report_text(report, args.lang, args.dry_run))
    return 0 if done else 1


def _report_text(report: importer.ImportReport, lang: str, dry_run: bool) -> str:
    t = lambda key, **f: i18n.t(key, lang, **f)  # noqa: E731
    kind = "+".join(t("upload.kind." + k) for k in report.kind.split("+") if k) or "—"
    lines = [
        t("upload.file_info", name=report.file_name, kind=kind, encoding=report.encoding or "—", sha=report.sha256[:12])
    ]
    if report.group:  # a group store: which hospital the file is for
        where = (
            t("upload.rollback.of_hospital", code=report.hospital)
            if report.hospital
            else t("upload.rollback.of_shared")
        )
        lines.append(t("upload.report_hospital", where=where))
    lines.append("  ".join(f"{t('upload.count.' + k)} {v}" for k, v in report.counts.items()))
    for title, frame in (
        (t("upload.problems", n=len(report.problems)), report.problems_frame()),
        (t("upload.warnings"), report.warnings_frame()),
        (t("upload.changes"), report.changes),
    ):
        if len(frame):
            lines += ["", title, _table(frame, "upload.col.", lang)]
    if report.new_departments:
        lines += ["", t("upload.new_departments")]
        lines += [f"  {d['dept_code']} {d['dept_name']}" for d in report.new_departments]
    lines.append("")
    if report.duplicate_of is not None:
        lines.append(t("upload.duplicate", batch_id=report.duplicate_of))
    elif report.committed:
        lines.append(t("upload.committed", batch_id=report.batch_id, **report.counts))
    elif report.file_level:
        lines.append(t("upload.cli.file_level"))
    elif report.problems:
        lines.append(t("upload.cli.rejected_all"))  # the terminal's option, not the page's checkbox
    elif dry_run:
        lines.append(t("upload.cli.no_problems"))
    return "\n".join(lines)


def _reads_names(args) -> bool:
    """Whether ``--user`` may read staff names (PRODUCT §8: editors and admins, on every path). An account is judged
    by its role; without one (a one-hospital store: a group store's reads need an account) the operator at the
    server's console is trusted, as the store file itself is theirs."""
    user = getattr(args, "user", None)
    with store.opened(args.db) as db:
        row = store.user_row(db, user) if user else None
        group = bool(store.hospital_codes(db))
    if row is None:
        return not group
    return bool(row["active"]) and accounts.has_role(row["role"], "editor")


def _table(frame, prefix: str, lang: str, cells=None) -> str:
    """A frame as the terminal shows it: headers in ``lang`` (i18n ``prefix + column``, the page's own labels),
    empty cells as —, ``cells`` (column → function) for values a user reads in words (a role, yes/no)."""
    import pandas as pd

    shown = frame.copy()
    for col in shown.columns:
        fn = (cells or {}).get(col)
        shown[col] = [
            "—" if v is None or (not isinstance(v, str) and pd.isna(v)) else (fn(v) if fn else v) for v in shown[col]
        ]
    shown.columns = [i18n.t(prefix + str(c), lang) if prefix + str(c) in i18n.ZH else str(c) for c in shown.columns]
    return shown.to_string(index=False)


def cmd_export(args) -> int:
    """Every table as CSV, UTF-8 with BOM, formula-looking cells neutralised; the staff roster (and the staff rows
    of the audit log) only for those who may read names."""
    hospital, bad = _hospital(args, write=False, required=False)
    if bad:
        return bad
    names = _reads_names(args)
    paths = export.export_all(
        args.out, db_path=args.db, user=args.user or _os_user(), hospital=hospital, personal=names
    )
    for p in paths:
        print(p)
    if not names:
        print(i18n.t("export.cli.no_staff", args.lang), file=sys.stderr)
    return 0


def cmd_points(args) -> int:
    """The +2 points list (PRODUCT §8): JSON, a CSV file, or lines on the terminal; audited every time."""
    from metrics.ops import points

    fmt = "json" if args.json else "csv" if args.out else "text"
    hospital, bad = _hospital(args, write=False, required=True)
    if bad:
        return bad
    if not _reads_names(args):
        print(i18n.t("points.cli.refused", args.lang, user=args.user), file=sys.stderr)
        return 2
    got = points.produce(
        args.year,
        user=args.user or _os_user(),
        channel="cli",
        fmt=fmt,
        lang=args.lang,
        db_path=args.db,
        hospital=hospital,
    )
    if args.out:
        with open(args.out, "wb") as fh:
            fh.write(got.csv_bytes(args.lang))
    if args.json:
        print(json.dumps(got.to_json(), ensure_ascii=False))
    elif args.out:
        print(i18n.t("points.cli.written", args.lang, n=len(got.rows), path=args.out))
    else:
        print(got.rule)
        print("\t".join(i18n.t("points.col." + c, args.lang) for c in points.COLUMNS))
        for r in got.rows.to_dict("records"):
            print("\t".join(str(r[c]) for c in points.COLUMNS))
        if got.rows.empty:
            print(i18n.t("points.none", args.lang, year=args.year))
    return 0


def cmd_errors(args) -> int:
    """A batch's error report as CSV (UTF-8 with BOM): the rejected rows as written, line and reasons."""
    if _account_needed(args, args.lang, read=True):  # a group store: any hospital's rows by an account only
        return 2
    with store.opened(args.db) as db:
        b = store.batch(db, args.batch)
        group = bool(store.hospital_codes(db))
        readable = grants.readable_hospitals_in(db, args.user) if group else ()
        rejects = store.batch_rejects(db, args.batch) if b else None
    if b is not None and group and (b.get("hospital_code") or "") not in (*readable, ""):
        print(i18n.t("hospital.err.not_granted", args.lang, user=args.user, code=b["hospital_code"]), file=sys.stderr)
        return 2
    if b is None:
        print(i18n.t("upload.rollback.not_found", args.lang, batch_id=args.batch), file=sys.stderr)
        return 1
    personal = {k.name for k in contract.KINDS.values() if k.personal}
    if personal & set(str(b["kind"]).split("+")) and not _reads_names(args):  # the rejected rows as written: names
        print(i18n.t("errors.cli.refused_staff", args.lang, batch_id=args.batch), file=sys.stderr)
        return 2
    out = args.out or f"batch_{args.batch}_errors.csv"
    with open(out, "wb") as fh:
        fh.write(export.error_report_bytes(rejects, args.lang))
    print(out)
    return 0


def cmd_rollback(args) -> int:
    """Undo a batch (without an id: the latest committed batch of ``--hospital``, or of the store); exit 1 when
    refused (a later batch holds it, already rolled back, unknown, another hospital's), 2 usage."""
    if _account_needed(args, args.lang):  # a group store's write: by an account, its grant checked
        return 2
    if args.hospital is None and args.batch is not None:
        hospital = None  # the batch's own hospital is checked against --user's grant by importer.rollback
    else:  # which hospital's latest batch? (a group store must say)
        hospital, bad = _hospital(args, write=True, required=True)
        if bad:
            return bad
    batch_id = args.batch
    if batch_id is None:
        with store.opened(args.db) as db:
            batch_id = store.latest_committed_batch_id(db, hospital)
        if batch_id is None:
            print(i18n.t("upload.rollback_none", args.lang), file=sys.stderr)
            return 1
    confirm = None if args.yes else (lambda db, b: not _confirm_needed(args, db, b))
    try:
        n = importer.rollback(
            batch_id, user=args.user or _os_user(), db_path=args.db, hospital=hospital, confirm=confirm
        )
    except importer.RollbackRefused as e:
        if e.code != "unconfirmed":  # that one has described the batch already
            print(e.message(args.lang), file=sys.stderr)
        return 1
    print(i18n.t("upload.rolled_back", args.lang, batch_id=batch_id, n=n))
    return 0


def _confirm_needed(args, db, b: dict) -> bool:
    """(Asked by importer.rollback once the batch may be undone.) A rollback of a batch that is not the caller's own latest one (the demo's, someone else's, or one of theirs
    before their last): describe what would be undone on stderr and return True (it then needs --yes). A second
    ``rollback`` after undoing one's own import would otherwise silently undo the batch before it."""

    caller = args.user or _os_user()
    batch_id = int(b["batch_id"])
    history = store.batches(db)
    # per hospital: in a group store one's latest batch of H01 stays one's own after a later one of H02
    own = history[(history["user"] == caller) & (history["hospital_code"].fillna("") == (b.get("hospital_code") or ""))]
    latest_own = int(own["batch_id"].max()) if len(own) else None
    if b["user"] == caller and b["file_name"] != importer.DEMO_SOURCE and latest_own == batch_id:
        return False
    lang = args.lang
    kinds = "+".join(i18n.t("upload.kind." + k, lang) for k in str(b["kind"]).split("+") if k)
    print(
        i18n.t(
            "rollback.cli.confirm",
            lang,
            batch_id=batch_id,
            kind=kinds,
            file=importer.file_label(b["file_name"], lang),
            user=b["user"] or "—",
            at=b["created_at"],
            new=b["rows_new"],
            changed=b["rows_changed"],
        ),
        file=sys.stderr,
    )
    return True


# --- users, backup, restore (PRODUCT §7) ----------------------------------------------------------------


def _add_access_parsers(sub) -> None:
    u = sub.add_parser("users", help=_h("users"))
    u.add_argument("--as", dest="as_user", help=_h("users_as"))
    u.add_argument("--lang", choices=("zh", "en"), default="zh", help=_h("lang"))
    us = u.add_subparsers(dest="action", required=True)
    a = us.add_parser("add", help=_h("users_add"))
    a.add_argument("username", help=_h("username"))
    a.add_argument("--role", default="viewer", choices=ROLE_CHOICES)
    a.add_argument("--password-stdin", action="store_true", help=_h("users_stdin"))
    us.add_parser("list", help=_h("users_list"))
    pw = us.add_parser("passwd", help=_h("users_passwd"))
    pw.add_argument("username", help=_h("username"))
    pw.add_argument("--password-stdin", action="store_true")
    r = us.add_parser("role", help=_h("users_role"))
    r.add_argument("username", help=_h("username"))
    r.add_argument("role", choices=ROLE_CHOICES)
    g = us.add_parser("grant", help=_h("users_grant"))
    g.add_argument("username", help=_h("username"))
    g.add_argument("hospitals", nargs="+", metavar="HOSP")
    rv = us.add_parser("revoke", help=_h("users_revoke"))
    rv.add_argument("username", help=_h("username"))
    rv.add_argument("hospitals", nargs="*", metavar="HOSP")
    rm = us.add_parser("remove", help=_h("users_remove"))
    rm.add_argument("username", help=_h("username"))
    ul = us.add_parser("unlock", help=_h("users_unlock"))
    ul.add_argument("username", help=_h("username"))
    so = us.add_parser("signout", help=_h("users_signout"))
    so.add_argument("username", help=_h("username"))
    lr = us.add_parser("require-login", help=_h("users_require_login"))
    lr.add_argument("value", choices=("on", "off"))
    b = sub.add_parser("backup", help=_h("backup"))
    b.add_argument("--out", help=_h("backup_out"))
    b.add_argument("--lang", choices=("zh", "en"), default="zh", help=_h("lang"))
    rs = sub.add_parser("restore", help=_h("restore"))
    rs.add_argument("path", help=_h("restore_path"))
    rs.add_argument("--lang", choices=("zh", "en"), default="zh", help=_h("lang"))


def _read_password(args) -> str:
    import getpass

    from metrics import i18n
    from metrics.access import users as accounts

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(i18n.t("auth.cli.password_prompt", args.lang))
    if getpass.getpass(i18n.t("auth.cli.password_again", args.lang)) != first:
        raise accounts.AuthError("auth.err.password_mismatch")
    return first


def cmd_users(args) -> int:
    """users add|list|passwd|role|remove|unlock|require-login: one access call each, audited as the CLI operator."""
    from metrics import i18n
    from metrics.access import grants
    from metrics.access import users as accounts

    lang = args.lang
    try:
        actor = accounts.cli_actor(args.as_user, db_path=args.db)
        if args.action == "list":
            users = accounts.list_users(args.db)
            words = {
                "role": lambda r: i18n.t("role." + r, lang),
                "active": lambda v: i18n.t("yes" if v else "no", lang),
            }
            print(_table(users, "users.col.", lang, words) if len(users) else i18n.t("auth.cli.no_users", lang))
            if not accounts.admin_exists(args.db):
                print(i18n.t("auth.no_admin", lang) + "\n    " + accounts.FIRST_ADMIN_CMD, file=sys.stderr)
            print(
                i18n.t(
                    "auth.cli.login_required",
                    lang,
                    value=i18n.t("yes" if sessions.login_required(args.db) else "no", lang),
                )
            )
            return 0
        if args.action == "add":
            accounts.add_user(args.username, _read_password(args), args.role, actor=actor, db_path=args.db)
            print(i18n.t("auth.cli.added", lang, user=args.username, role=i18n.t("role." + args.role, lang)))
        elif args.action == "passwd":
            accounts.set_password(args.username, _read_password(args), actor=actor, db_path=args.db)
            print(i18n.t("auth.cli.passwd", lang, user=args.username))
        elif args.action == "role":
            accounts.set_role(args.username, args.role, actor=actor, db_path=args.db)
            print(i18n.t("auth.cli.role", lang, user=args.username, role=i18n.t("role." + args.role, lang)))
        elif args.action == "remove":
            accounts.remove_user(args.username, actor=actor, db_path=args.db)
            print(i18n.t("auth.cli.removed", lang, user=args.username))
        elif args.action == "unlock":
            accounts.unlock_user(args.username, actor=actor, db_path=args.db)
            print(i18n.t("auth.cli.unlocked", lang, user=args.username))
        elif args.action == "signout":
            n = sessions.end_user_sessions(args.username, actor=actor, db_path=args.db)
            print(i18n.t("auth.cli.sessions_ended", lang, user=args.username, n=n))
        elif args.action == "grant":
            grants.grant_hospitals(args.username, args.hospitals, actor=actor, db_path=args.db)
            print(
                i18n.t(
                    "auth.cli.granted",
                    lang,
                    user=args.username,
                    codes=i18n.t("brief.list_sep", lang).join(args.hospitals),
                )
            )
        elif args.action == "revoke":
            grants.revoke_hospitals(args.username, args.hospitals or None, actor=actor, db_path=args.db)
            print(
                i18n.t(
                    "auth.cli.revoked",
                    lang,
                    user=args.username,
                    codes=i18n.t("brief.list_sep", lang).join(args.hospitals) or "*",
                )
            )
        elif args.action == "require-login":
            sessions.set_login_required(args.value == "on", actor=actor, db_path=args.db)
            print(
                i18n.t(
                    "auth.cli.login_required",
                    lang,
                    value=i18n.t("yes" if sessions.login_required(args.db) else "no", lang),
                )
            )
    except accounts.AuthError as e:
        print(e.message(lang), file=sys.stderr)
        return 1
    return 0


def _backup_command(args, run, done) -> int:
    """``run(actor)`` (a backup or a restore), then the sentence ``done(result)``; a refusal is said on stderr, 1."""
    from metrics import i18n
    from metrics.access import users as accounts
    from metrics.ops import backup

    try:
        result = run(accounts.cli_actor(db_path=args.db))
    except backup.BackupError as e:
        print(i18n.t("backup.cli.failed", args.lang, error=e.message(args.lang)), file=sys.stderr)
        return 1
    print(done(result))
    return 0


def cmd_backup(args) -> int:
    """Write a consistent online copy of the store (SQLite backup API), integrity-checked."""
    from metrics import i18n
    from metrics.ops import backup

    return _backup_command(
        args,
        lambda actor: backup.backup(args.out, db_path=args.db, actor=actor),
        lambda path: i18n.t("backup.cli.done", args.lang, path=path, size=path.stat().st_size),
    )


def cmd_restore(args) -> int:
    """Replace the store with a backup after checking it; the current store is kept under data/backups/."""
    from metrics import i18n
    from metrics.ops import backup

    return _backup_command(
        args,
        lambda actor: backup.restore(args.path, db_path=args.db, actor=actor),
        lambda kept: i18n.t("backup.cli.restored", args.lang, path=args.path, kept=kept or "—"),
    )


# --- briefing (PRODUCT §6) -----------------------------------------------------------------------------------------


def _add_briefing_parser(sub) -> None:
    b = sub.add_parser("briefing", help=_h("briefing"))
    b.add_argument("--quarter", help=_h("briefing_quarter"))
    b.add_argument("--html", metavar="FILE", help=_h("briefing_html"))
    b.add_argument("--pptx", metavar="FILE", help=_h("briefing_pptx"))
    b.add_argument("--pdf", metavar="FILE", help=_h("briefing_pdf"))
    b.add_argument("--lang", choices=("zh", "en"), default="zh", help=_h("lang"))


def cmd_briefing(args) -> int:
    """Write the briefing (both files, named briefing_<quarter>.html/.pptx here, unless --html / --pptx say which);
    exit 0 written, 1 nothing to brief, 2 usage error (a quarter written wrongly, or one without data)."""
    import re
    from pathlib import Path

    from metrics import briefing

    lang = args.lang
    quarter = None
    if args.quarter:
        m = re.fullmatch(r"\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*", args.quarter)
        if not m:
            print(i18n.t("brief.cli.bad_quarter", lang, value=args.quarter), file=sys.stderr)
            return 2
        quarter = f"{m[1]}-Q{m[2]}"
    hospital, bad = _hospital(args, write=False, required=True)
    if bad:
        return bad
    with store.opened(args.db) as db:
        quarters = briefing.available_quarters(db, hospital)
        if not quarters:
            print(i18n.t("brief.no_quarter", lang), file=sys.stderr)
            return 1
        if quarter is not None and quarter not in quarters:
            shown = i18n.t("brief.list_sep", lang).join(q.replace("-", "") for q in quarters)
            print(i18n.t("brief.cli.no_such_quarter", lang, quarter=quarter.replace("-", ""), quarters=shown),
                  file=sys.stderr)  # fmt: skip
            return 2
        b = briefing.build(db, quarter or briefing.default_quarter(db, hospital), lang, hospital)
    stem = f"briefing_{b.quarter.replace('-', '')}"
    targets = [(args.html, "html"), (args.pptx, "pptx"), (args.pdf, "pdf")]
    if not args.html and not args.pptx and not args.pdf:
        targets = [(f"{stem}.html", "html"), (f"{stem}.pptx", "pptx")]
    for path, kind in targets:
        if not path:
            continue
        try:
            data = {"html": lambda: briefing.to_html(b).encode("utf-8"), "pptx": lambda: briefing.to_pptx(b),
                    "pdf": lambda: briefing.to_pdf(b)}[kind]()  # fmt: skip
        except briefing.PdfFailed as e:
            print(i18n.t("brief.pdf." + e.key, lang, path=briefing.chromium(), detail=e.detail), file=sys.stderr)
            return 1
        try:
            Path(path).write_bytes(data)
        except OSError:
            print(i18n.t("brief.cli.bad_path", lang, path=path), file=sys.stderr)
            return 2
        print(i18n.t("brief.cli.wrote", lang, path=Path(path).resolve()))
    return 0


# --- reminders and delivery (PRODUCT §11) -------------------------------------------------------------------------


def _add_remind_parser(sub) -> None:
    r = sub.add_parser(
        "remind", help=_h("remind"), description=_h("remind"), epilog=_h("remind_env"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    r.add_argument("--dry-run", action="store_true", help=_h("remind_dry_run"))
    r.add_argument("--as-of", metavar="YYYY-MM-DD", help=_h("remind_as_of"))
    r.add_argument("--any-day", action="store_true", help=_h("remind_any_day"))
    r.add_argument("--user", help=_h("remind_user"))
    r.add_argument("--lang", choices=("zh", "en"), default="zh", help=_h("lang"))


def cmd_remind(args) -> int:
    """Send (or with --dry-run list) the reminders due; exit 0 all delivered, 1 some failed, 2 a bad date."""
    from datetime import date

    from metrics.ops import remind

    lang = args.lang
    as_of = None
    if args.as_of:
        try:
            as_of = date.fromisoformat(args.as_of.strip())
        except ValueError:
            print(i18n.t("remind.cli.bad_date", lang, value=args.as_of), file=sys.stderr)
            return 2
    done = remind.run(
        args.db, as_of, dry_run=args.dry_run, any_day=args.any_day, lang=lang, user=args.user or _os_user()
    )
    day = i18n.fmt_date(done.as_of, lang)
    if done.day_off:
        print(i18n.t("remind.cli.day_off", lang, date=day))
        return 0

    def fields(m) -> dict:
        return dict(channel=i18n.t("remind.channel." + m.channel, lang), to=m.shown,
                    who=i18n.t("remind.audience." + m.audience, lang), subject=m.subject)  # fmt: skip

    if not done.planned:
        print(i18n.t("remind.cli.nothing", lang, date=day))
        return 0
    if done.dry_run:
        for m in done.planned:
            print(i18n.t("remind.cli.would", lang, **fields(m)))
        print(i18n.t("remind.cli.dry_summary", lang, date=day, n=len(done.planned)))
        return 0
    for r in done.results:
        if r.error is None:
            print(i18n.t("remind.cli.sent", lang, **fields(r.message)))
        else:
            print(i18n.t("remind.cli.failed", lang, **fields(r.message), error=r.error), file=sys.stderr)
    sent = len(done.results) - len(done.failed)
    print(i18n.t("remind.cli.summary", lang, date=day, sent=sent, failed=len(done.failed)))
    return 1 if done.failed else 0
