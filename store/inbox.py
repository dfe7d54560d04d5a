"""Durable, idempotent storage of inbound messages, with the match to debtor, account and thread.

A message is matched by the thread headers of our own outbound mail first, then by the sender's
address or number on file, then by an account or invoice reference in the text. A reference match
alone does not verify the sender: such a thread is linked for the collector to see, but marked
unverified so nothing about the debt is ever sent to a possible third party.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from channels.base import InboundMessage
from store import audit
from store.models import Account, Debtor, Message, OutboxItem, Thread

MAX_RAW_BYTES = 25_000_000
REFERENCE_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_/]{2,40}")
VERIFIED_METHODS = frozenset({"thread_headers", "sender_email", "sender_phone"})


@dataclass(frozen=True)
class Match:
    """How an inbound message was tied to a debtor; `verified` means the sender is on file."""

    method: str
    debtor_id: int | None
    account_id: str | None
    thread_id: int | None
    candidates: tuple[str, ...] = ()

    @property
    def verified(self) -> bool:
        return self.method in VERIFIED_METHODS and self.debtor_id is not None


def _by_thread_headers(session: Session, message: InboundMessage) -> Match | None:
    ids = [i for i in (message.in_reply_to, *message.references) if i]
    if not ids:
        return None
    row = session.execute(
        select(OutboxItem.thread_id, Thread.debtor_id, Thread.account_id, Thread.address)
        .join(Thread, Thread.id == OutboxItem.thread_id)
        .where(OutboxItem.message_id_header.in_(ids))
        .order_by(OutboxItem.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    if row.address.lower() != message.sender.lower():
        return None
    return Match("thread_headers", row.debtor_id, row.account_id, row.thread_id)


def _referenced_accounts(session: Session, text: str, accounts: list[Account]) -> list[str]:
    tokens = {token.upper() for token in REFERENCE_TOKEN.findall(text)}
    found = []
    for account in accounts:
        invoices = str(account.extra.get("invoice_numbers", "")).upper().split(";")
        keys = {account.id.upper(), *(i.strip() for i in invoices if i.strip())}
        if keys & tokens:
            found.append(account.id)
    return found


def match_sender(session: Session, message: InboundMessage) -> Match:
    by_headers = _by_thread_headers(session, message)
    if by_headers is not None:
        return by_headers
    text = f"{message.subject}\n{message.body[:20000]}"
    if message.channel == "email":
        column, method = Debtor.email, "sender_email"
        value = message.sender.lower()
        debtors = session.execute(select(Debtor).where(func.lower(column) == value)).scalars().all()
    else:
        method = "sender_phone"
        debtors = (
            session.execute(select(Debtor).where(Debtor.phone == message.sender)).scalars().all()
        )
    if len(debtors) == 1:
        debtor = debtors[0]
        accounts = (
            session.execute(select(Account).where(Account.debtor_id == debtor.id)).scalars().all()
        )
        if len(accounts) == 1:
            return Match(method, debtor.id, accounts[0].id, None)
        referenced = _referenced_accounts(session, text, list(accounts))
        account_id = referenced[0] if len(referenced) == 1 else None
        return Match(method, debtor.id, account_id, None, tuple(a.id for a in accounts))
    if len(debtors) > 1:
        return Match("ambiguous_sender", None, None, None, tuple(str(d.id) for d in debtors))
    tokens = {token.upper() for token in REFERENCE_TOKEN.findall(text)}
    if tokens:
        candidates = _referenced_accounts(
            session,
            text,
            list(session.execute(select(Account).where(Account.id.in_(tokens))).scalars().all())
            or _accounts_with_invoice(session, tokens),
        )
        if len(candidates) == 1:
            return Match("reference_unverified", None, candidates[0], None, tuple(candidates))
    return Match("unknown_sender", None, None, None)


def _accounts_with_invoice(session: Session, tokens: set[str]) -> list[Account]:
    invoice_like = [t for t in tokens if any(ch.isdigit() for ch in t)]
    if not invoice_like:
        return []
    accounts = session.execute(select(Account)).scalars().all()
    return [
        account
        for account in accounts
        if {i.strip().upper() for i in str(account.extra.get("invoice_numbers", "")).split(";")}
        & set(invoice_like)
    ]


def _thread_for(session: Session, message: InboundMessage, match: Match, now: datetime) -> Thread:
    if match.thread_id is not None:
        thread = session.get(Thread, match.thread_id)
        if thread is not None:
            return thread
    existing = session.execute(
        select(Thread)
        .where(
            Thread.channel == message.channel,
            func.lower(Thread.address) == message.sender.lower(),
            Thread.account_id.is_(None)
            if match.account_id is None
            else Thread.account_id == match.account_id,
        )
        .order_by(Thread.id.desc())
        .limit(1)
    ).scalar()
    if existing is not None:
        return existing
    thread = Thread(
        debtor_id=match.debtor_id,
        account_id=match.account_id if match.verified else None,
        channel=message.channel,
        address=message.sender,
        subject=message.subject,
        created_at=now,
    )
    session.add(thread)
    session.flush()
    return thread


def store_inbound(session: Session, message: InboundMessage) -> Message | None:
    """Store a message and its match in the caller's transaction; None if it was seen before."""
    seen = session.execute(
        select(Message.id).where(
            Message.channel == message.channel, Message.external_id == message.external_id
        )
    ).first()
    if seen is not None:
        return None
    now = datetime.now(UTC)
    match = match_sender(session, message)
    thread = _thread_for(session, message, match, now)
    headers = {"in_reply_to": message.in_reply_to, "references": list(message.references)}
    if match.account_id and not match.verified:
        headers["unverified_account"] = match.account_id
    row = Message(
        thread_id=thread.id,
        direction="in",
        channel=message.channel,
        external_id=message.external_id,
        sender=message.sender,
        recipient=message.recipient,
        subject=message.subject,
        body=message.body,
        raw=message.raw[:MAX_RAW_BYTES] if message.raw else None,
        headers=headers,
        attachments=[
            {"filename": a.filename, "content_type": a.content_type, "size": a.size}
            for a in message.attachments
        ],
        problems=list(message.problems),
        match_method=match.method,
        status="received",
        received_at=message.received_at.astimezone(UTC),
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    audit.record(
        session,
        "message.received",
        thread_id=thread.id,
        message_id=row.id,
        account_id=thread.account_id,
        data={
            "channel": message.channel,
            "external_id": message.external_id,
            "match": match.method,
            "verified": match.verified,
            "candidates": list(match.candidates),
            "problems": list(message.problems),
            "bytes": len(message.raw),
        },
    )
    return row
