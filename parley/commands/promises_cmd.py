"""`parley promises check|rate`: run the promise check once, or report the promise-kept rate."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from agent.promises import check_promises, kept_rate
from parley.context import open_parley
from parley.service import build_processor


def register(commands: Any) -> None:
    parser = commands.add_parser("promises", help="follow promises to pay")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = actions.add_parser(
        "check", help="judge due promises, send reminders and follow-ups (what serve does)"
    )
    check.add_argument(
        "--at",
        type=datetime.fromisoformat,
        default=None,
        help="run as if it were this ISO time with offset (default: now)",
    )
    check.set_defaults(handler=run_check)
    rate = actions.add_parser("rate", help="the promise-kept rate over judged promises")
    rate.set_defaults(handler=run_rate)


def run_check(args: argparse.Namespace) -> int:
    now = args.at or datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError(f"--at {args.at.isoformat()} needs a UTC offset, e.g. +00:00")
    parley = open_parley()
    try:
        summary = check_promises(parley.db, build_processor(parley), now)
    finally:
        parley.close()
    judged = ", ".join(f"{n} {status}" for status, n in sorted(summary.judged.items()))
    print(
        f"promises judged: {judged or 'none'}; reminders: {summary.reminded}; "
        f"follow-ups: {summary.followed_up}; blocked by the guard: {summary.blocked}"
    )
    return 0


def run_rate(args: argparse.Namespace) -> int:
    parley = open_parley()
    try:
        with parley.db.transaction() as session:
            rate = kept_rate(session)
    finally:
        parley.close()
    shown = f"{rate.rate:.1%}" if rate.rate is not None else "n/a (no promise judged yet)"
    print(
        f"promise-kept rate: {shown} ({rate.kept} kept, {rate.partly_kept} partly kept, "
        f"{rate.broken} broken)"
    )
    return 0
