"""`parley account show|validation-sent`: one account's picture, and lifting a dispute hold."""

from __future__ import annotations

import argparse
import getpass
from typing import Any

from agent.account_state import AccountSummary, describe, mark_validation_sent
from parley.context import open_parley


def register(commands: Any) -> None:
    parser = commands.add_parser("account", help="see an account, or lift its dispute hold")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = actions.add_parser(
        "show", help="balance, legal state and history, suppressions, promises, plans"
    )
    show.add_argument("account_id", metavar="ACCOUNT_ID")
    show.set_defaults(handler=run_show)
    sent = actions.add_parser(
        "validation-sent",
        help="record that the debt's verification was sent: dispute hold -> active",
    )
    sent.add_argument("account_id", metavar="ACCOUNT_ID")
    sent.add_argument("--note", default=None, help="what was sent and how (kept with the change)")
    sent.add_argument("--as", dest="actor", default=None, help="who sent it (default: $USER)")
    sent.set_defaults(handler=run_validation_sent)


def run_validation_sent(args: argparse.Namespace) -> int:
    actor = args.actor or f"cli:{getpass.getuser()}"
    parley = open_parley()
    try:
        change = mark_validation_sent(parley.db, args.account_id, actor=actor, note=args.note)
    finally:
        parley.close()
    print(
        f"account {args.account_id}: {change.old_state} -> {change.new_state} "
        f"(validation sent, recorded for {actor})"
    )
    return 0


def run_show(args: argparse.Namespace) -> int:
    parley = open_parley()
    try:
        summary = describe(parley.db, args.account_id)
    finally:
        parley.close()
    print("\n".join(format_summary(summary)))
    return 0


def format_summary(summary: AccountSummary) -> list[str]:
    """Plain lines for a terminal; every section is printed, saying "none" when empty."""
    contact = ", ".join(c for c in (summary.email, summary.phone) if c) or "no contact details"
    lines = [
        f"account {summary.account_id}: {summary.debtor_name} ({contact})",
        f"balance: {summary.balance} {summary.currency}, due {summary.due_date.isoformat()}",
        f"legal state: {summary.legal_state}",
        f"time zone: {summary.timezone}, jurisdiction: {summary.jurisdiction}",
        "",
        "legal state history:",
    ]
    lines += [
        f"  {h.at.isoformat(timespec='seconds')}  {h.old_state} -> {h.new_state}  {h.reason}"
        + (f"  (message {h.message_id})" if h.message_id else "")
        for h in summary.history
    ] or ["  none"]
    lines += ["", "suppressions:"]
    lines += [
        f"  {s.channel} {s.address} {s.kind} since {s.since.isoformat(timespec='seconds')}"
        + (f", lifted {s.lifted_at.isoformat(timespec='seconds')}" if s.lifted_at else "")
        for s in summary.suppressions
    ] or ["  none"]
    lines += ["", "promises:"]
    lines += [
        f"  #{p.id}  {p.amount if p.amount is not None else '?'} {p.currency or ''}".rstrip()
        + f" by {p.due.isoformat() if p.due else '?'}  {p.status}"
        for p in summary.promises
    ] or ["  none"]
    lines += ["", "payment plans:"]
    lines += [
        f"  #{p.id}  {p.kind}  {p.status}  {p.instalments} instalment(s), total "
        f"{p.total or 'unreadable'}  offered {p.created_at.isoformat(timespec='seconds')}"
        for p in summary.plans
    ] or ["  none"]
    return lines
