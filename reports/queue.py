"""The collector's queue page: open items, most urgent first, filtered and paginated in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, Text, cast, func, or_, select
from sqlalchemy.orm import Session

from store.models import Account, Debtor, QueueAssignment, QueueItem, Thread, User

Q = TypeVar("Q", bound="Select[*tuple[Any, ...]]")
PAGE_SIZE = 50
REASON_FILTERS = (
    "self_harm_risk",
    "legal_trigger",
    "dispute",
    "complaint",
    "abusive",
    "distress",
    "vulnerability",
    "prompt_injection",
    "low_confidence",
    "guard",
    "message_problem",
    "processing_error",
)


@dataclass(frozen=True)
class QueueFilter:
    reason: str = ""
    channel: str = ""
    assignee: str = ""
    """An email, `unassigned`, or empty for everyone."""
    visible_to: str = ""
    """A collector's email: only items that are unassigned or theirs (supervisors see all)."""


@dataclass(frozen=True)
class QueueRow:
    id: int
    thread_id: int
    priority: int
    reasons: list[str]
    channel: str
    address: str
    debtor: str | None
    account_id: str | None
    balance: str | None
    created_at: datetime
    due_at: datetime
    waiting: timedelta
    sla_left: timedelta
    assignee: str | None

    @property
    def breached(self) -> bool:
        return self.sla_left.total_seconds() < 0


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(query: Q, flt: QueueFilter) -> Q:
    query = query.where(QueueItem.status == "open")
    if flt.reason:
        # reasons is a JSON list of strings; matching `"<reason>` finds it whether it is a whole
        # reason or the prefix of one (legal_trigger:cease_communication).
        query = query.where(
            cast(QueueItem.reasons, Text).like(f'%"{like_escape(flt.reason)}%', escape="\\")
        )
    if flt.channel:
        query = query.where(Thread.channel == flt.channel)
    if flt.assignee == "unassigned":
        query = query.where(QueueAssignment.user_id.is_(None))
    elif flt.assignee:
        query = query.where(User.email == flt.assignee.lower())
    if flt.visible_to:
        query = query.where(
            or_(QueueAssignment.user_id.is_(None), User.email == flt.visible_to.lower())
        )
    return query


def queue_page(
    session: Session, flt: QueueFilter, *, page: int = 1, now: datetime, page_size: int = PAGE_SIZE
) -> QueuePage:
    page = max(1, page)
    base = (
        select(QueueItem, Thread, Debtor, Account, User.email)
        .join(Thread, Thread.id == QueueItem.thread_id)
        .outerjoin(Debtor, Debtor.id == Thread.debtor_id)
        .outerjoin(Account, Account.id == Thread.account_id)
        .outerjoin(QueueAssignment, QueueAssignment.queue_item_id == QueueItem.id)
        .outerjoin(User, User.id == QueueAssignment.user_id)
    )
    rows = session.execute(
        _filtered(base, flt)
        .order_by(QueueItem.priority, QueueItem.created_at, QueueItem.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    counter = (
        select(func.count(QueueItem.id))
        .select_from(QueueItem)
        .join(Thread, Thread.id == QueueItem.thread_id)
        .outerjoin(QueueAssignment, QueueAssignment.queue_item_id == QueueItem.id)
        .outerjoin(User, User.id == QueueAssignment.user_id)
    )
    total = int(session.execute(_filtered(counter, flt)).scalar() or 0)
    return QueuePage(
        [
            QueueRow(
                id=item.id,
                thread_id=thread.id,
                priority=item.priority,
                reasons=[str(r) for r in item.reasons],
                channel=thread.channel,
                address=thread.address,
                debtor=debtor.name if debtor else None,
                account_id=account.id if account else None,
                balance=f"{account.balance} {account.currency}" if account else None,
                created_at=item.created_at,
                due_at=item.due_at,
                waiting=now - item.created_at,
                sla_left=item.due_at - now,
                assignee=email,
            )
            for item, thread, debtor, account, email in rows
        ],
        total,
        page,
        page_size,
    )


def next_item_id(session: Session, after_id: int | None = None) -> int | None:
    """The most urgent open item other than `after_id`, for the "next item" shortcut."""
    query = select(QueueItem.id).where(QueueItem.status == "open")
    if after_id is not None:
        query = query.where(QueueItem.id != after_id)
    row = session.execute(
        query.order_by(QueueItem.priority, QueueItem.created_at, QueueItem.id).limit(1)
    ).first()
    return int(row[0]) if row else None


def open_item_for_thread(session: Session, thread_id: int) -> int | None:
    row = session.execute(
        select(QueueItem.id).where(QueueItem.thread_id == thread_id, QueueItem.status == "open")
    ).first()
    return int(row[0]) if row else None
