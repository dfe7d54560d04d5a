"""The append-only, hash-chained audit log: record, verify, export.

Each event's hash is sha256 over the previous event's hash and the event's canonical JSON, so
changing, removing or reordering any row breaks every hash after it. Appends serialise on the
single `audit_head` row (row lock on PostgreSQL; SQLite serialises writers by itself).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

from sqlalchemy import event as sa_event
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from store.models import AuditEvent, AuditHead

GENESIS = "0" * 64
EXPORT_FIELDS = (
    "id",
    "at",
    "kind",
    "actor",
    "thread_id",
    "message_id",
    "account_id",
    "data",
    "prev_hash",
    "hash",
)


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_hash(prev_hash: str, body: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(body)).encode("utf-8")).hexdigest()


def _body(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "kind": event.kind,
        "actor": event.actor,
        "thread_id": event.thread_id,
        "message_id": event.message_id,
        "account_id": event.account_id,
        "data": event.data,
    }


@dataclass(frozen=True)
class PendingEvent:
    at: datetime
    kind: str
    actor: str
    thread_id: int | None
    message_id: int | None
    account_id: str | None
    data: dict[str, Any]

    def body(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(timespec="microseconds"),
            "kind": self.kind,
            "actor": self.actor,
            "thread_id": self.thread_id,
            "message_id": self.message_id,
            "account_id": self.account_id,
            "data": self.data,
        }


def record(
    session: Session,
    kind: str,
    *,
    actor: str = "parley",
    thread_id: int | None = None,
    message_id: int | None = None,
    account_id: str | None = None,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> PendingEvent:
    """Add an event to the caller's transaction; it is chained and written when that commits.

    Writing at commit keeps the chain head locked for one short moment per transaction instead
    of from the first event to the commit, and a rolled-back change leaves no event behind.
    """
    event = PendingEvent(
        at=(at or datetime.now(UTC)).astimezone(UTC),
        kind=kind,
        actor=actor,
        thread_id=thread_id,
        message_id=message_id,
        account_id=account_id,
        data=json.loads(canonical(data or {})),
    )
    session.info.setdefault(_PENDING, []).append(event)
    return event


_PENDING = "parley.audit.pending"


@sa_event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    pending: list[PendingEvent] = session.info.pop(_PENDING, [])
    if not pending:
        return
    head = session.execute(
        select(AuditHead.last_hash).where(AuditHead.id == 1).with_for_update()
    ).first()
    if head is None:
        session.execute(insert(AuditHead).values(id=1, last_hash=GENESIS, last_id=0))
        prev = GENESIS
    else:
        prev = head[0]
    rows = []
    for item in pending:
        digest = event_hash(prev, item.body())
        rows.append(
            {
                "at": item.at,
                "kind": item.kind,
                "actor": item.actor,
                "thread_id": item.thread_id,
                "message_id": item.message_id,
                "account_id": item.account_id,
                "data": item.data,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    # One multi-row INSERT; ids ascend in list order, which is the chain's order.
    session.execute(insert(AuditEvent), rows)
    last_id = session.execute(select(func.max(AuditEvent.id))).scalar_one()
    session.execute(
        update(AuditHead).where(AuditHead.id == 1).values(last_hash=prev, last_id=last_id)
    )


@sa_event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    problem: str = ""


def verify(session: Session, batch_size: int = 5000) -> Verification:
    """Walk the chain from the start; name the first event whose hash or link does not hold."""
    expected_prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        rows = (
            session.execute(
                select(AuditEvent)
                .where(AuditEvent.id > last_id)
                .order_by(AuditEvent.id)
                .limit(batch_size)
            )
            .scalars()
            .all()
        )
        if not rows:
            break
        for event in rows:
            if event.prev_hash != expected_prev:
                return Verification(
                    False,
                    checked,
                    event.id,
                    f"event {event.id} ({event.kind}) does not follow the previous event: "
                    "an event before it was removed or reordered",
                )
            if event_hash(event.prev_hash, _body(event)) != event.hash:
                return Verification(
                    False,
                    checked,
                    event.id,
                    f"event {event.id} ({event.kind}) was changed after it was written",
                )
            expected_prev = event.hash
            checked += 1
            last_id = event.id
        session.expunge_all()
    head = session.get(AuditHead, 1)
    if head is not None and head.last_hash != expected_prev:
        return Verification(
            False,
            checked,
            head.last_id,
            f"the chain ends before event {head.last_id}: the newest events were removed",
        )
    return Verification(True, checked)


def as_dict(event: AuditEvent) -> dict[str, Any]:
    return {"id": event.id, **_body(event), "prev_hash": event.prev_hash, "hash": event.hash}


def events(
    session: Session,
    *,
    thread_id: int | None = None,
    account_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    batch_size: int = 5000,
) -> Iterator[AuditEvent]:
    """Stream matching events in chain order without loading the whole log."""
    last_id = 0
    while True:
        query = select(AuditEvent).where(AuditEvent.id > last_id)
        if thread_id is not None:
            query = query.where(AuditEvent.thread_id == thread_id)
        if account_id is not None:
            query = query.where(AuditEvent.account_id == account_id)
        if since is not None:
            query = query.where(AuditEvent.at >= since)
        if until is not None:
            query = query.where(AuditEvent.at < until)
        rows = session.execute(query.order_by(AuditEvent.id).limit(batch_size)).scalars().all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def write_jsonl(rows: Iterable[AuditEvent], out: TextIO) -> int:
    count = 0
    for event in rows:
        out.write(canonical(as_dict(event)) + "\n")
        count += 1
    return count


def write_csv(rows: Iterable[AuditEvent], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS)
    writer.writeheader()
    count = 0
    for event in rows:
        row = as_dict(event)
        row["data"] = canonical(row["data"])
        writer.writerow(row)
        count += 1
    return count


def export_text(rows: Iterable[AuditEvent], fmt: str) -> str:
    buffer = io.StringIO()
    (write_csv if fmt == "csv" else write_jsonl)(rows, buffer)
    return buffer.getvalue()
