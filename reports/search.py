"""The compliance search: conversations by debtor, account, phone or address, date range,
triage label, legal state, guard rule hit and author; paginated in SQL, newest thread first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, Text, and_, cast, exists, func, or_, select
from sqlalchemy.orm import Session

from reports.queue import like_escape
from store.models import (
    Account,
    AuditEvent,
    Debtor,
    Message,
    OutboxItem,
    Thread,
    TriageResult,
)

Q = TypeVar("Q", bound="Select[*tuple[Any, ...]]")
PAGE_SIZE = 50


class SearchError(ValueError):
    """A search field cannot be understood; the message names the field."""


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    """Debtor name, account id, phone number or email address (any part of it)."""
    since: date | None = None
    until: date | None = None
    """Inclusive dates (UTC) of any message in the thread."""
    label: str = ""
    legal_state: str = ""
    guard_rule: str = ""
    author: str = ""
    """`agent` or a collector's email: someone who sent a message in the thread."""

    @property
    def empty(self) -> bool:
        return not any(
            (self.text, self.since, self.until, self.label, self.legal_state, self.guard_rule,
             self.author)
        )  # fmt: skip


@dataclass(frozen=True)
class SearchRow:
    thread_id: int
    channel: str
    address: str
    subject: str
    debtor: str | None
    account_id: str | None
    legal_state: str | None
    created_at: datetime
    last_at: datetime | None
    messages: int


@dataclass(frozen=True)
class SearchPage:
    rows: list[SearchRow]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def parse_date(value: str, field: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise SearchError(f"{field}: {value!r} is not a date like 2026-03-01") from exc


def _where(query: Q, q: SearchQuery) -> Q:
    if q.text:
        needle = f"%{like_escape(q.text.strip().lower())}%"
        query = query.where(
            or_(
                func.lower(Debtor.name).like(needle, escape="\\"),
                func.lower(Thread.account_id).like(needle, escape="\\"),
                func.lower(Thread.address).like(needle, escape="\\"),
                func.lower(Debtor.email).like(needle, escape="\\"),
                func.lower(Debtor.phone).like(needle, escape="\\"),
            )
        )
    if q.since or q.until:
        conditions = [Message.thread_id == Thread.id]
        if q.since:
            conditions.append(Message.received_at >= datetime.combine(q.since, time(), UTC))
        if q.until:
            end = datetime.combine(q.until + timedelta(days=1), time(), UTC)
            conditions.append(Message.received_at < end)
        query = query.where(exists().where(and_(*conditions)))
    if q.label:
        pattern = f'%"label": "{like_escape(q.label)}"%'
        query = query.where(
            exists()
            .where(Message.thread_id == Thread.id, TriageResult.message_id == Message.id)
            .where(cast(TriageResult.result, Text).like(pattern, escape="\\"))
        )
    if q.legal_state:
        query = query.where(Account.legal_state == q.legal_state)
    if q.guard_rule:
        pattern = f'%"rule": "{like_escape(q.guard_rule)}"%'
        query = query.where(
            exists().where(
                AuditEvent.thread_id == Thread.id,
                AuditEvent.kind == "guard.verdict",
                cast(AuditEvent.data, Text).like(pattern, escape="\\"),
            )
        )
    if q.author:
        query = query.where(
            exists().where(
                OutboxItem.thread_id == Thread.id, OutboxItem.author == q.author.strip().lower()
            )
            if q.author.strip().lower() != "agent"
            else exists().where(OutboxItem.thread_id == Thread.id, OutboxItem.author == "agent")
        )
    return query


def search(
    session: Session, q: SearchQuery, *, page: int = 1, page_size: int = PAGE_SIZE
) -> SearchPage:
    page = max(1, page)
    base = (
        select(Thread, Debtor.name, Account.legal_state)
        .outerjoin(Debtor, Debtor.id == Thread.debtor_id)
        .outerjoin(Account, Account.id == Thread.account_id)
    )
    rows = session.execute(
        _where(base, q).order_by(Thread.id.desc()).limit(page_size).offset((page - 1) * page_size)
    ).all()
    counter = (
        select(func.count(Thread.id))
        .select_from(Thread)
        .outerjoin(Debtor, Debtor.id == Thread.debtor_id)
        .outerjoin(Account, Account.id == Thread.account_id)
    )
    total = int(session.execute(_where(counter, q)).scalar() or 0)
    ids = [thread.id for thread, _, _ in rows]
    stats: dict[int, tuple[datetime | None, int]] = {}
    if ids:
        for thread_id, last_at, count in session.execute(
            select(Message.thread_id, func.max(Message.received_at), func.count(Message.id))
            .where(Message.thread_id.in_(ids))
            .group_by(Message.thread_id)
        ).all():
            stats[thread_id] = (last_at, int(count))
    return SearchPage(
        [
            SearchRow(
                thread_id=thread.id,
                channel=thread.channel,
                address=thread.address,
                subject=thread.subject,
                debtor=name,
                account_id=thread.account_id,
                legal_state=state,
                created_at=thread.created_at,
                last_at=_aware(stats.get(thread.id, (None, 0))[0]),
                messages=stats.get(thread.id, (None, 0))[1],
            )
            for thread, name, state in rows
        ],
        total,
        page,
        page_size,
    )


def _aware(value: datetime | None) -> datetime | None:
    """func.max bypasses the UtcTime decorator, so SQLite hands back a naive value or a string."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
