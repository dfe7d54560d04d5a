"""`parley demo`: the bundled portfolio and inbox through the whole pipeline, on embedded defaults.

Emails are turned into real MIME bytes and parsed by the same code as the IMAP listener; SMS
become the form Twilio posts. Replies go through the guard and the outbox to a recording
transport (nothing leaves the machine), and the run ends with the audit verification.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select

from agent.process import Outcome
from channels.base import InboundMessage, OutboundMessage
from channels.mime import parse_email
from channels.sms import inbound_from_twilio_form
from parley.context import Parley
from parley.dispatch import Dispatcher
from parley.service import build_processor, build_retriever
from store import audit
from store.importer import import_accounts, import_payments
from store.models import OutboxItem
from store.users import ensure_demo_users

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"
DEMO_MAILBOX = "collections@acme-recovery.example"
DEMO_NUMBER = "+15550109999"


class RecordingSender:
    """Keeps what would have been sent; the demo has no mail server or Twilio account."""

    def __init__(self) -> None:
        self.sent: list[OutboundMessage] = []

    async def send(self, message: OutboundMessage) -> str:
        self.sent.append(message)
        return message.message_id or f"SM{hashlib.sha256(message.body.encode()).hexdigest()[:32]}"


def _email_bytes(record: dict[str, Any]) -> bytes:
    received = datetime.fromisoformat(record["received_at"])
    message_id = f"<{record['id']}@demo.parley.invalid>"
    charset = record.get("charset")
    if charset:
        head = (
            f"From: {record['from']}\r\nTo: {DEMO_MAILBOX}\r\n"
            f"Subject: {record.get('subject', '')}\r\nDate: {format_datetime(received)}\r\n"
            f"Message-ID: {message_id}\r\nMIME-Version: 1.0\r\n"
            f'Content-Type: text/plain; charset="{charset}"\r\n'
            "Content-Transfer-Encoding: 8bit\r\n\r\n"
        )
        body: bytes = str(record["body"]).replace("\n", "\r\n").encode("latin-1", errors="replace")
        return head.encode("ascii", errors="replace") + body
    message = EmailMessage()
    message["From"] = record["from"]
    message["To"] = DEMO_MAILBOX
    message["Subject"] = record.get("subject", "")
    message["Date"] = format_datetime(received)
    message["Message-ID"] = message_id
    message.set_content(record["body"], subtype="html" if record.get("html") else "plain")
    return bytes(message)


def inbound_messages(inbox: Path) -> Iterator[tuple[str, InboundMessage]]:
    for line in inbox.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        received = datetime.fromisoformat(record["received_at"])
        if record["channel"] == "email":
            yield record["id"], parse_email(_email_bytes(record), received_at=received)
        else:
            form = {
                "MessageSid": "SM" + hashlib.sha256(record["id"].encode()).hexdigest()[:32],
                "AccountSid": "ACdemo",
                "From": record["from"],
                "To": DEMO_NUMBER,
                "Body": record["body"],
                "NumMedia": "0",
            }
            yield record["id"], inbound_from_twilio_form(form, received_at=received)


@dataclass(frozen=True)
class DemoRow:
    demo_id: str
    channel: str
    labels: str
    action: str
    result: str


def _at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def run_demo(parley: Parley, out: TextIO, *, demo_dir: Path = DEMO_DIR) -> int:
    """Returns the process exit code: 0 when every message was handled and the chain verifies."""
    with parley.db.transaction() as session:
        accounts = import_accounts(session, demo_dir / "accounts.csv", actor="demo")
        payments = import_payments(session, demo_dir / "payments.csv", actor="demo")
    out.write(
        f"imported {accounts.created + accounts.updated} accounts and "
        f"{payments.created} payments from {demo_dir}\n"
    )
    processor = build_processor(parley, retriever=build_retriever(parley.settings))
    recorder = RecordingSender()
    dispatcher = Dispatcher(parley.db, processor, {"email": recorder, "sms": recorder})
    outcomes: list[tuple[str, str, Outcome | None]] = []
    for demo_id, message in inbound_messages(demo_dir / "inbox.jsonl"):
        # Replay the inbox as it arrived: the guard's allowed hours and the promise horizon are
        # judged at each message's own time, as `parley serve` would have judged them then.
        processor.clock = _at(message.received_at)
        processor.receive(message)
        pending = processor.pending_ids(limit=1)
        outcome = processor.process(pending[0]) if pending else None
        outcomes.append((demo_id, message.channel, outcome))
        while asyncio.run(dispatcher.run_once(limit=100)):
            pass
    scheduled = _scheduled(parley)
    rows = [_row(demo_id, channel, outcome, scheduled) for demo_id, channel, outcome in outcomes]
    _print_table(rows, out)
    handled = sum(1 for _, _, outcome in outcomes if outcome is not None)
    replied = sum(1 for _, _, outcome in outcomes if outcome and outcome.reply)
    queued = sum(1 for _, _, outcome in outcomes if outcome and outcome.queued)
    out.write(
        f"\n{handled} messages handled: {replied} answered by the agent "
        f"({len(recorder.sent)} sent at once, {len(scheduled)} held for allowed hours), "
        f"{queued} queued for a person\n"
    )
    with parley.db.transaction() as session:
        verification = audit.verify(session)
    if verification.ok:
        out.write(f"audit log intact: {verification.checked} events verified\n")
    else:
        out.write(
            f"audit log BROKEN at event {verification.first_bad_id}: {verification.problem}\n"
        )
    with parley.db.transaction() as session:
        demo_users = ensure_demo_users(session)
    out.write("\nconsole users (one-time passwords, shown once; change at first sign-in):\n")
    for email, role, password in demo_users:
        out.write(f"  {role:11} {email:36} {password}\n")
    out.write(
        "open the console on the demo database:\n"
        f"  PARLEY_DATABASE_URL={parley.settings.resolved_database_url} .venv/bin/parley serve\n"
        f"  then browse to {parley.settings.public_url}/login\n"
    )
    return 0 if verification.ok and handled == len(outcomes) else 1


def _scheduled(parley: Parley) -> dict[int, datetime]:
    with parley.db.transaction() as session:
        rows = session.execute(
            select(OutboxItem.reply_to_message_id, OutboxItem.next_attempt_at).where(
                OutboxItem.status == "pending"
            )
        ).all()
    return {message_id: when for message_id, when in rows if message_id is not None}


def _row(
    demo_id: str, channel: str, outcome: Outcome | None, scheduled: dict[int, datetime]
) -> DemoRow:
    if outcome is None:
        return DemoRow(demo_id, channel, "-", "duplicate", "already stored")
    parts = []
    if outcome.reply:
        when = scheduled.get(outcome.message_id)
        prefix = f"[held until {when:%Y-%m-%d %H:%M}Z] " if when else ""
        parts.append(prefix + "reply: " + " ".join(outcome.reply.split()))
    if outcome.queued:
        parts.append("queue: " + ", ".join(outcome.reasons))
    if not parts:
        parts.append(", ".join(outcome.reasons) or "recorded")
    return DemoRow(
        demo_id, channel, ", ".join(outcome.labels) or "-", outcome.action, "; ".join(parts)
    )


def _print_table(rows: list[DemoRow], out: TextIO) -> None:
    out.write(f"\n{'id':5} {'ch':5} {'triage':38} {'decision':20} reply or queue reason\n")
    out.write(f"{'-' * 5} {'-' * 5} {'-' * 38} {'-' * 20} {'-' * 60}\n")
    for row in rows:
        result = textwrap.shorten(row.result, width=110, placeholder=" ...")
        labels = textwrap.shorten(row.labels, width=38, placeholder="...")
        out.write(f"{row.demo_id:5} {row.channel:5} {labels:38} {row.action:20} {result}\n")
