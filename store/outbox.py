"""The outbox: a text that passed the guard is stored first, then sent with retries, once.

Items are claimed (`sending`) in their own transaction before the transport is called. If the
process dies between the transport's acceptance and `mark_sent`, the claim is released after a
timeout and the item is sent again with the same Message-ID, so a receiver can fold the copy.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from store import audit
from store.models import ContactAttempt, Message, OutboxItem, Thread

CLAIM_TIMEOUT = timedelta(minutes=2)


def new_message_id(from_address: str) -> str:
    domain = from_address.rpartition("@")[2] or "parley.invalid"
    return f"<{uuid.uuid4().hex}@{domain}>"


def enqueue(
    session: Session,
    *,
    thread: Thread,
    channel: str,
    recipient: str,
    body: str,
    kind: str,
    author: str,
    from_address: str,
    subject: str = "",
    account_id: str | None = None,
    reply_to: Message | None = None,
    send_after: datetime | None = None,
    data: dict[str, object] | None = None,
) -> OutboxItem:
    now = datetime.now(UTC)
    in_reply_to = None
    references: list[str] = []
    if reply_to is not None and channel == "email" and reply_to.channel == "email":
        in_reply_to = reply_to.external_id
        references = [*reply_to.headers.get("references", []), reply_to.external_id]
    item = OutboxItem(
        thread_id=thread.id,
        account_id=account_id,
        reply_to_message_id=reply_to.id if reply_to is not None else None,
        channel=channel,
        recipient=recipient,
        subject=subject,
        body=body,
        kind=kind,
        author=author,
        message_id_header=new_message_id(from_address) if channel == "email" else None,
        in_reply_to=in_reply_to,
        references=references,
        status="pending",
        attempts=0,
        next_attempt_at=send_after or now,
        created_at=now,
    )
    session.add(item)
    session.flush()
    audit.record(
        session,
        "outbox.queued",
        actor=author,
        thread_id=thread.id,
        message_id=reply_to.id if reply_to is not None else None,
        account_id=account_id,
        data={
            "outbox_id": item.id,
            "channel": channel,
            "kind": kind,
            "body": body,
            "send_after": item.next_attempt_at.isoformat(),
            **(data or {}),
        },
    )
    return item


def claim_due(session: Session, *, now: datetime, limit: int = 20) -> Sequence[OutboxItem]:
    """Mark due items as being sent and return them; stale claims are taken over."""
    stale = now - CLAIM_TIMEOUT
    rows = (
        session.execute(
            select(OutboxItem)
            .where(
                or_(
                    (OutboxItem.status == "pending") & (OutboxItem.next_attempt_at <= now),
                    (OutboxItem.status == "sending") & (OutboxItem.next_attempt_at <= stale),
                )
            )
            .order_by(OutboxItem.next_attempt_at, OutboxItem.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        .scalars()
        .all()
    )
    for item in rows:
        item.status = "sending"
        item.attempts += 1
        item.next_attempt_at = now
    return rows


def mark_sent(session: Session, item_id: int, provider_id: str) -> OutboxItem:
    now = datetime.now(UTC)
    item = session.get(OutboxItem, item_id)
    assert item is not None
    item.status = "sent"
    item.provider_id = provider_id
    item.sent_at = now
    thread = session.get(Thread, item.thread_id)
    assert thread is not None
    message = Message(
        thread_id=item.thread_id,
        direction="out",
        channel=item.channel,
        external_id=item.message_id_header or provider_id,
        sender="parley",
        recipient=item.recipient,
        subject=item.subject,
        body=item.body,
        headers={"outbox_id": item.id, "kind": item.kind, "author": item.author},
        match_method="outbound",
        status="sent",
        received_at=now,
        created_at=now,
    )
    session.add(message)
    if item.account_id is not None:
        session.add(
            ContactAttempt(
                account_id=item.account_id, channel=item.channel, outbox_id=item.id, at=now
            )
        )
    session.flush()
    audit.record(
        session,
        "message.sent",
        actor=item.author,
        thread_id=item.thread_id,
        message_id=message.id,
        account_id=item.account_id,
        data={
            "outbox_id": item.id,
            "channel": item.channel,
            "provider_id": provider_id,
            "attempts": item.attempts,
        },
    )
    return item


def mark_failed(
    session: Session, item_id: int, error: str, *, permanent: bool, retry_in: timedelta | None
) -> OutboxItem:
    """Schedule another attempt, or give up when the error is permanent or retries ran out."""
    item = session.get(OutboxItem, item_id)
    assert item is not None
    item.last_error = error[:2000]
    gave_up = permanent or retry_in is None
    if gave_up:
        item.status = "failed"
    else:
        assert retry_in is not None
        item.status = "pending"
        item.next_attempt_at = datetime.now(UTC) + retry_in
    audit.record(
        session,
        "outbox.failed" if gave_up else "outbox.retry",
        thread_id=item.thread_id,
        account_id=item.account_id,
        data={
            "outbox_id": item.id,
            "error": item.last_error,
            "attempts": item.attempts,
            "next_attempt_at": None if gave_up else item.next_attempt_at.isoformat(),
        },
    )
    return item


def record_delivery(
    session: Session, provider_id: str, status: str, error_code: str | None
) -> bool:
    result = session.execute(
        update(OutboxItem)
        .where(OutboxItem.provider_id == provider_id)
        .values(delivery_status=status)
        .returning(OutboxItem.id, OutboxItem.thread_id, OutboxItem.account_id)
    ).first()
    audit.record(
        session,
        "message.delivery",
        actor="twilio",
        thread_id=result.thread_id if result else None,
        account_id=result.account_id if result else None,
        data={"provider_id": provider_id, "status": status, "error_code": error_code},
    )
    return result is not None
