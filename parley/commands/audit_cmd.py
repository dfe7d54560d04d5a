"""`parley audit verify` and `parley audit export`."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from parley.context import open_parley
from store import audit


def _time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{value!r} needs a UTC offset, e.g. 2026-03-01T00:00Z")
    return parsed


def register(commands: Any) -> None:
    parser = commands.add_parser("audit", help="verify or export the audit log")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    verify = actions.add_parser("verify", help="check the hash chain; exit 1 if broken")
    verify.set_defaults(handler=run_verify)
    export = actions.add_parser("export", help="write events as JSONL or CSV")
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    export.add_argument("--thread", type=int, help="only this thread's events")
    export.add_argument("--account", help="only this account's events")
    export.add_argument("--since", type=_time, help="ISO time with offset (inclusive)")
    export.add_argument("--until", type=_time, help="ISO time with offset (exclusive)")
    export.add_argument("--output", "-o", type=Path, help="file to write (default stdout)")
    export.set_defaults(handler=run_export)


def run_verify(args: argparse.Namespace) -> int:
    parley = open_parley()
    try:
        with parley.db.transaction() as session:
            result = audit.verify(session)
    finally:
        parley.close()
    if result.ok:
        print(f"audit log intact: {result.checked} events verified")
        return 0
    print(f"audit log BROKEN at event {result.first_bad_id}: {result.problem}", file=sys.stderr)
    return 1


def run_export(args: argparse.Namespace) -> int:
    parley = open_parley()
    writer = audit.write_csv if args.format == "csv" else audit.write_jsonl
    try:
        with parley.db.transaction() as session:
            rows = audit.events(
                session,
                thread_id=args.thread,
                account_id=args.account,
                since=args.since,
                until=args.until,
            )
            if args.output:
                with args.output.open("w", encoding="utf-8", newline="") as out:
                    count = writer(rows, out)
                print(f"{count} events written to {args.output}", file=sys.stderr)
            else:
                writer(rows, sys.stdout)
    finally:
        parley.close()
    return 0
