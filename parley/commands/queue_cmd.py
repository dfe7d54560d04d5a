"""`parley queue list|show|reply|resolve`: the human queue from the terminal."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select

from agent.process import GuardBlocked
from parley.context import open_parley
from parley.service import build_processor
from store import queue
from store.models import Message, Thread, TriageResult


def register(commands: Any) -> None:
    parser = commands.add_parser("queue", help="work the human queue")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="open items, most urgent first")
    listing.add_argument("--json", action="store_true", help="one JSON object per item")
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--offset", type=int, default=0)
    listing.set_defaults(handler=run_list)
    show = actions.add_parser("show", help="an item with its thread and triage")
    show.add_argument("id", type=int)
    show.set_defaults(handler=run_show)
    reply = actions.add_parser("reply", help="send a reply (through the guard and the outbox)")
    reply.add_argument("id", type=int)
    text = reply.add_mutually_exclusive_group(required=True)
    text.add_argument("--text")
    text.add_argument("--file", type=Path)
    reply.add_argument("--as", dest="actor", default=None, help="who replies (default: $USER)")
    reply.add_argument("--resolve", action="store_true", help="resolve the item after sending")
    reply.set_defaults(handler=run_reply)
    resolve = actions.add_parser("resolve", help="close an item with an outcome")
    resolve.add_argument("id", type=int)
    resolve.add_argument("--outcome", default="resolved")
    resolve.add_argument("--as", dest="actor", default=None)
    resolve.set_defaults(handler=run_resolve)


def _actor(value: str | None) -> str:
    return value or f"cli:{getpass.getuser()}"


def run_list(args: argparse.Namespace) -> int:
    parley = open_parley()
    try:
        with parley.db.transaction() as session:
            rows = queue.list_open(session, limit=args.limit, offset=args.offset)
    finally:
        parley.close()
    if args.json:
        for row in rows:
            record = {**row.__dict__}
            record["created_at"] = row.created_at.isoformat()
            record["due_at"] = row.due_at.isoformat()
            print(json.dumps(record, ensure_ascii=False))
        return 0
    if not rows:
        print("the queue is empty")
        return 0
    print(f"{'id':>5}  {'pri':>3}  {'channel':7}  {'who':24}  {'reasons':40}  excerpt")
    for row in rows:
        who = (row.debtor or row.address)[:24]
        reasons = ",".join(row.reasons)[:40]
        print(
            f"{row.id:>5}  {row.priority:>3}  {row.channel:7}  {who:24}  {reasons:40}  "
            f"{row.excerpt}"
        )
    return 0


def run_show(args: argparse.Namespace) -> int:
    parley = open_parley()
    try:
        with parley.db.transaction() as session:
            item = queue.get(session, args.id)
            thread = session.get(Thread, item.thread_id)
            assert thread is not None
            print(f"queue item {item.id} [{item.status}] priority {item.priority}")
            print(f"reasons: {', '.join(item.reasons)}")
            print(
                f"thread {thread.id}: {thread.channel} {thread.address} account {thread.account_id}"
            )
            print(f"due: {item.due_at.isoformat()}")
            messages = session.execute(
                select(Message).where(Message.thread_id == thread.id).order_by(Message.id)
            ).scalars()
            for message in messages:
                arrow = "<-" if message.direction == "in" else "->"
                print(f"\n{arrow} {message.received_at.isoformat()} {message.sender}")
                if message.subject:
                    print(f"   subject: {message.subject}")
                print("   " + message.body[:2000].replace("\n", "\n   "))
                triage = session.execute(
                    select(TriageResult.result).where(TriageResult.message_id == message.id)
                ).scalar()
                if triage:
                    labels = ", ".join(
                        f"{i['label']} {i['confidence']:.2f}" for i in triage["intents"]
                    )
                    print(f"   triage: {labels or 'none'}; route {triage['route']}")
            if item.draft:
                print(f"\ndraft:\n{item.draft}")
    finally:
        parley.close()
    return 0


def run_reply(args: argparse.Namespace) -> int:
    text = args.text if args.text is not None else args.file.read_text(encoding="utf-8")
    parley = open_parley()
    actor = _actor(args.actor)
    try:
        processor = build_processor(parley)
        try:
            item = processor.reply_from_person(
                args.id, text, actor=actor, resolve_as="replied" if args.resolve else None
            )
        except GuardBlocked as blocked:
            print(f"not sent: {blocked}", file=sys.stderr)
            for failure in blocked.verdict.failures:
                print(f"  {failure.rule}: {failure.reason}", file=sys.stderr)
            return 1
        print(f"reply queued for sending (outbox {item.id}, {item.channel} to {item.recipient})")
    finally:
        parley.close()
    return 0


def run_resolve(args: argparse.Namespace) -> int:
    parley = open_parley()
    try:
        with parley.db.transaction() as session:
            queue.resolve(session, args.id, actor=_actor(args.actor), outcome=args.outcome)
    finally:
        parley.close()
    print(f"queue item {args.id} resolved: {args.outcome}")
    return 0
