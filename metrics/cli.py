"""`python -m metrics …`: a thin shell over the library (PRODUCT §3.4). Exit 0 done, 1 rejected, 2 usage."""

from __future__ import annotations

import argparse
import json
import sys

from metrics import demo, store


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m metrics", description="清廉医院建设指标看板 — command line")
    p.add_argument("--db", help="the SQLite store (default data/integrity.db or $INTEGRITY_DB)")
    sub = p.add_subparsers(dest="command", required=True)
    d = sub.add_parser("demo", help="fill an empty store with demo data")
    d.add_argument("--if-empty", action="store_true", help="do nothing when the store already holds data")
    d.add_argument("--clear", action="store_true", help="empty the store instead (start empty)")
    d.add_argument("--end-month", help="last month of the demo data (default: last month)")
    d.add_argument("--json", action="store_true")
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    return {"demo": cmd_demo}[args.command](args)


def cmd_demo(args) -> int:
    """Fill an empty store with demo data (refuses a non-empty one unless --clear)."""
    if args.clear:
        demo.clear(args.db)
        print("已清空数据（目录与默认目标保留）。")
        return 0
    with store.opened(args.db) as db:
        empty = store.is_empty(db)
        first_run = store.get_meta(db, "first_run_done") is None
        store.set_meta(db, "first_run_done", store.now_iso())
    if args.if_empty and not first_run:
        return 0  # `make run` fills only the very first time: a store emptied on purpose stays empty
    if not empty:
        if args.if_empty:
            return 0
        print("存储中已有数据，未写入演示数据。先运行 `python -m metrics demo --clear` 清空。", file=sys.stderr)
        return 1
    counts = demo.fill(args.db, args.end_month)
    print(
        json.dumps(counts, ensure_ascii=False)
        if args.json
        else "已载入演示数据：" + "，".join(f"{k} {v} 行" for k, v in counts.items())
    )
    return 0
