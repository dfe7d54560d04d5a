"""`parley guard check`: test a text (a template, a collector's draft) against the guard.

Compliance staff run it before a template is used: it prints the verdict and every failed rule
with its reason, and exits 0 when the text may be sent, 1 when it is blocked, so it can gate a
script or a CI job.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent import guard
from agent.config import GuardSettings
from agent.facts import CHANNELS, GUARD_KINDS
from agent.ledger import load_facts
from parley.context import open_parley
from store.models import Account


def register(commands: Any) -> None:
    parser = commands.add_parser("guard", help="check a text against the compliance guard")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = actions.add_parser(
        "check", help="print the verdict and failed rules; exit 0 allowed, 1 blocked"
    )
    check.add_argument("--account", required=True, help="account id whose ledger facts apply")
    check.add_argument("--channel", required=True, choices=CHANNELS)
    text = check.add_mutually_exclusive_group(required=True)
    text.add_argument("--text", help="the full text as it would be sent")
    text.add_argument("--file", type=Path, help="a file holding the text (UTF-8)")
    check.add_argument(
        "--kind",
        default="collector_reply",
        choices=sorted(GUARD_KINDS),
        help="what the text is (states allow some kinds only); default collector_reply",
    )
    check.add_argument(
        "--at",
        type=datetime.fromisoformat,
        default=None,
        help="judge as if sent at this ISO time with offset (default: now)",
    )
    check.set_defaults(handler=run_check)


def run_check(args: argparse.Namespace) -> int:
    text = args.text if args.text is not None else args.file.read_text(encoding="utf-8")
    now = args.at or datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError(f"--at {args.at.isoformat()} needs a UTC offset, e.g. +00:00")
    parley = open_parley()
    try:
        settings = GuardSettings.model_validate(parley.settings.guard)
        with parley.db.transaction() as session:
            account = session.get(Account, args.account)
            if account is None:
                raise LookupError(f"no account {args.account!r}; import it or check the id")
            facts = load_facts(session, account, now=now)
    finally:
        parley.close()
    verdict = guard.check(
        text, channel=args.channel, facts=facts, kind=args.kind, now=now, settings=settings
    )
    if verdict.allowed:
        when = (
            f" (outside allowed hours: held until {verdict.send_after.isoformat()})"
            if verdict.send_after
            else ""
        )
        print(f"allowed: {args.kind} by {args.channel} to account {args.account}{when}")
        return 0
    print(f"blocked: {len(verdict.failures)} rule(s) failed for {args.kind} by {args.channel}")
    for failure in verdict.failures:
        print(f"  {failure.rule}: {failure.reason}")
        if failure.excerpt:
            print(f"    at: {failure.excerpt}")
    sys.stdout.flush()
    return 1
