"""The human queue: threads that need a person, most urgent first (self-harm risk, then legal)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from store import audit
from store.models import Account, Debtor, Message, QueueItem, Thread

SLA_BY_PRIORITY = {0: timedelta(hours=1), 1: timedelta(hours=4), 2: timedelta(hours=24)}
DEFAULT_SLA = timedelta(hours=48)


class QueueItemNotFound(LookupError):
    def __init__(self, item_id: int) -> None:
        super().__init__(f"queue item {item_id} does not exist; see `parley queue list`")


class QueueItemClosed(Exception):
    def __init__(self, item_id: int) -> None:
        super().__init__(f"queue item {item_id} is already resolved")


def enqueue(
    session: Session,
    *,
    thread_id: int,
    message_id: int | None,
    reasons: Sequence[str],
    priority: int,
    draft: str = "",
    account_id: str | None = None,
) -> QueueItem:
    """One open item per thread: a new reason on a queued thread joins the existing item."""
    now = datetime.now(UTC)
    item = session.execute(
        select(QueueItem).where(QueueItem.thread_id == thread_id, QueueItem.status == "open")
    ).scalar()
    if item is None:
        item = QueueItem(
            thread_id=thread_id,
            message_id=message_id,
            reasons=list(dict.fromkeys(reasons)),
            priority=priority,
            status="open",
            draft=draft,
            due_at=now + SLA_BY_PRIORITY.get(priority, DEFAULT_SLA),
            created_at=now,
        )
        session.add(item)
    else:
        item.reasons = list(dict.fromkeys([*item.reasons, *reasons]))
        item.message_id = message_id or item.message_id
        if priority < item.priority:
            item.priority = priority
            item.due_at = min(item.due_at, now + SLA_BY_PRIORITY.get(priority, DEFAULT_SLA))
        if draft:
            item.draft = draft
    session.flush()
    audit.record(
        session,
        "queue.enqueued",
        thread_id=thread_id,
        message_id=message_id,
        account_id=account_id,
        data={"queue_item": item.id, "reasons": list(reasons), "priority": priority},
    )
    return item


@dataclass(frozen=True)
class QueueRow:
    id: int
    priority: int
    reasons: list[str]
    channel: str
    address: str
    debtor: str | None
    account_id: str | None
    balance: str | None
    created_at: datetime
    due_at: datetime
    excerpt: str


def list_open(session: Session, *, limit: int = 50, offset: int = 0) -> list[QueueRow]:
    rows = session.execute(
        select(QueueItem, Thread, Debtor, Account, Message)
        .join(Thread, Thread.id == QueueItem.thread_id)
        .outerjoin(Debtor, Debtor.id == Thread.debtor_id)
        .outerjoin(Account, Account.id == Thread.account_id)
        .outerjoin(Message, Message.id == QueueItem.message_id)
        .where(QueueItem.status == "open")
        .order_by(QueueItem.priority, QueueItem.created_at, QueueItem.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return [
        QueueRow(
            id=item.id,
            priority=item.priority,
            reasons=list(item.reasons),
            channel=thread.channel,
            address=thread.address,
            debtor=debtor.name if debtor else None,
            account_id=account.id if account else None,
            balance=f"{account.balance} {account.currency}" if account else None,
            created_at=item.created_at,
            due_at=item.due_at,
            excerpt=" ".join((message.body if message else "").split())[:80],
        )
        for item, thread, debtor, account, message in rows
    ]


def get(session: Session, item_id: int) -> QueueItem:
    item = session.get(QueueItem, item_id)
    if item is None:
        raise QueueItemNotFound(item_id)
    return item


def resolve(session: Session, item_id: int, *, actor: str, outcome: str) -> QueueItem:
    item = get(session, item_id)
    if item.status != "open":
        raise QueueItemClosed(item_id)
    item.status = "resolved"
    item.resolved_at = datetime.now(UTC)
    item.resolved_by = actor
    item.outcome = outcome
    audit.record(
        session,
        "queue.resolved",
        actor=actor,
        thread_id=item.thread_id,
        message_id=item.message_id,
        data={"queue_item": item.id, "outcome": outcome},
    )
    return item
