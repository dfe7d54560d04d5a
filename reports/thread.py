"""One conversation as a person reads it: every message of the debtor's account, email and SMS
in one timeline, each inbound message with its triage labels and the words that fired them,
and the account beside it (balance, payments, promises, legal state, suppressions, attempts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from nlp.triage import triage
from reports.highlight import Piece, highlight, split_quoted
from reports.promises import PromiseStatus, account_promises
from store.models import (
    Account,
    AuditEvent,
    ContactAttempt,
    Debtor,
    LegalStateChange,
    Message,
    OutboxItem,
    Payment,
    QueueItem,
    Suppression,
    Thread,
    TriageResult,
)
from store.users import assignee_of

MAX_TIMELINE = 200


class ThreadNotFound(LookupError):
    def __init__(self, thread_id: int) -> None:
        super().__init__(f"thread {thread_id} does not exist")


@dataclass(frozen=True)
class LabelView:
    label: str
    confidence: float


@dataclass(frozen=True)
class TriageView:
    engine: str
    labels: list[LabelView]
    vulnerability: list[str]
    distress: float
    route: str
    reasons: list[str]
    evidence: list[tuple[str, str]]
    evidence_recomputed: bool
    """True when the stored result had no evidence and the excerpts were found again here."""


@dataclass(frozen=True)
class Entry:
    message_id: int
    thread_id: int
    direction: str
    channel: str
    sender: str
    recipient: str
    subject: str
    at: datetime
    author: str
    pieces: list[Piece]
    quoted: str
    problems: list[str]
    triage: TriageView | None


@dataclass(frozen=True)
class PendingSend:
    outbox_id: int
    channel: str
    author: str
    status: str
    body: str
    next_attempt_at: datetime


@dataclass(frozen=True)
class AccountPanel:
    account_id: str
    balance: Decimal
    currency: str
    due_date: str
    legal_state: str
    payments: list[tuple[datetime, Decimal, str]]
    promises: list[PromiseStatus]
    legal_changes: list[tuple[datetime, str, str, str]]
    attempts_7d: dict[str, int]
    attempts_total: int


@dataclass(frozen=True)
class SuppressionView:
    channel: str
    address: str
    kind: str
    since: datetime
    lifted_at: datetime | None


@dataclass(frozen=True)
class ThreadView:
    thread_id: int
    channel: str
    address: str
    subject: str
    debtor_name: str | None
    debtor_email: str | None
    debtor_phone: str | None
    debtor_timezone: str | None
    jurisdiction: str | None
    account: AccountPanel | None
    suppressions: list[SuppressionView]
    entries: list[Entry]
    pending: list[PendingSend]
    open_item_id: int | None
    open_item_reasons: list[str]
    open_item_priority: int | None
    open_item_draft: str
    open_item_assignee: str | None
    audit: list[dict[str, Any]] = field(default_factory=list)


def _triage_view(result: dict[str, Any], engine: str, body: str, channel: str) -> TriageView:
    evidence = [(str(e["label"]), str(e["excerpt"])) for e in result.get("evidence", [])]
    recomputed = False
    if not evidence and body.strip():
        # Results stored without `explain` carry no excerpts; the rules engine is deterministic,
        # so running it again on the stored (redacted) text finds the same words.
        again = triage(body, channel=channel, received_at=datetime.now(UTC))
        evidence = [(e.label, e.excerpt) for e in again.evidence]
        recomputed = True
    return TriageView(
        engine=str(result.get("engine", engine)),
        labels=[
            LabelView(str(i["label"]), float(i.get("confidence", 0)))
            for i in result.get("intents", [])
        ],
        vulnerability=[str(v) for v in result.get("vulnerability", [])],
        distress=float(result.get("distress", 0) or 0),
        route=str(result.get("route", "")),
        reasons=[str(r) for r in result.get("reasons", [])],
        evidence=evidence,
        evidence_recomputed=recomputed,
    )


def thread_view(
    session: Session, thread_id: int, *, now: datetime, with_audit: bool = False
) -> ThreadView:
    thread = session.get(Thread, thread_id)
    if thread is None:
        raise ThreadNotFound(thread_id)
    debtor = session.get(Debtor, thread.debtor_id) if thread.debtor_id else None
    account = session.get(Account, thread.account_id) if thread.account_id else None
    # The account's other threads (its SMS beside its email) join this one's timeline.
    if account is not None:
        thread_ids = list(
            session.execute(select(Thread.id).where(Thread.account_id == account.id)).scalars()
        )
    else:
        thread_ids = [thread.id]
    messages = list(
        session.execute(
            select(Message)
            .where(Message.thread_id.in_(thread_ids))
            .order_by(Message.received_at.desc(), Message.id.desc())
            .limit(MAX_TIMELINE)
        ).scalars()
    )
    messages.reverse()
    inbound_ids = [m.id for m in messages if m.direction == "in"]
    results: dict[int, tuple[str, dict[str, Any]]] = {}
    if inbound_ids:
        for message_id, engine, result in session.execute(
            select(TriageResult.message_id, TriageResult.engine, TriageResult.result)
            .where(TriageResult.message_id.in_(inbound_ids))
            .order_by(TriageResult.id)
        ):
            results[message_id] = (engine, dict(result))
    entries: list[Entry] = []
    for m in messages:
        body = m.body or ""
        main, quoted = split_quoted(body) if m.channel == "email" else (body, "")
        view = None
        if m.id in results:
            engine, result = results[m.id]
            view = _triage_view(result, engine, body, m.channel)
        author = str(m.headers.get("author", "")) if m.direction == "out" else m.sender
        entries.append(
            Entry(
                message_id=m.id,
                thread_id=m.thread_id,
                direction=m.direction,
                channel=m.channel,
                sender=m.sender,
                recipient=m.recipient,
                subject=m.subject,
                at=m.received_at,
                author=author,
                pieces=highlight(main, view.evidence if view else []),
                quoted=quoted,
                problems=[str(p) for p in m.problems],
                triage=view,
            )
        )
    pending = [
        PendingSend(o.id, o.channel, o.author, o.status, o.body, o.next_attempt_at)
        for o in session.execute(
            select(OutboxItem)
            .where(OutboxItem.thread_id.in_(thread_ids), OutboxItem.status != "sent")
            .order_by(OutboxItem.id)
        ).scalars()
    ]
    item = session.execute(
        select(QueueItem).where(QueueItem.thread_id == thread.id, QueueItem.status == "open")
    ).scalar()
    addresses = [
        a.lower()
        for a in (
            debtor.email if debtor else None,
            debtor.phone if debtor else None,
            thread.address,
        )
        if a
    ]
    suppressions = [
        SuppressionView(s.channel, s.address, s.kind, s.created_at, s.lifted_at)
        for s in session.execute(
            select(Suppression)
            .where(
                or_(
                    func.lower(Suppression.address).in_(addresses),
                    Suppression.debtor_id == (debtor.id if debtor else -1),
                )
            )
            .order_by(Suppression.created_at)
        ).scalars()
    ]
    audit_rows: list[dict[str, Any]] = []
    if with_audit:
        audit_rows = [
            {
                "id": e.id,
                "at": e.at,
                "kind": e.kind,
                "actor": e.actor,
                "message_id": e.message_id,
                "data": e.data,
            }
            for e in session.execute(
                select(AuditEvent)
                .where(AuditEvent.thread_id.in_(thread_ids))
                .order_by(AuditEvent.id)
                .limit(2000)
            ).scalars()
        ]
    return ThreadView(
        thread_id=thread.id,
        channel=thread.channel,
        address=thread.address,
        subject=thread.subject,
        debtor_name=debtor.name if debtor else None,
        debtor_email=debtor.email if debtor else None,
        debtor_phone=debtor.phone if debtor else None,
        debtor_timezone=debtor.timezone if debtor else None,
        jurisdiction=debtor.jurisdiction if debtor else None,
        account=_panel(session, account, now) if account else None,
        suppressions=suppressions,
        entries=entries,
        pending=pending,
        open_item_id=item.id if item else None,
        open_item_reasons=[str(r) for r in item.reasons] if item else [],
        open_item_priority=item.priority if item else None,
        open_item_draft=item.draft if item else "",
        open_item_assignee=assignee_of(session, item.id) if item else None,
        audit=audit_rows,
    )


def _panel(session: Session, account: Account, now: datetime) -> AccountPanel:
    payments = [
        (at, amount, reference)
        for at, amount, reference in session.execute(
            select(Payment.paid_at, Payment.amount, Payment.reference)
            .where(Payment.account_id == account.id)
            .order_by(Payment.paid_at.desc())
            .limit(20)
        ).all()
    ]
    changes = [
        (c.created_at, c.old_state, c.new_state, c.reason)
        for c in session.execute(
            select(LegalStateChange)
            .where(LegalStateChange.account_id == account.id)
            .order_by(LegalStateChange.created_at)
        ).scalars()
    ]
    attempts_7d: dict[str, int] = {
        channel: int(count)
        for channel, count in session.execute(
            select(ContactAttempt.channel, func.count())
            .where(
                ContactAttempt.account_id == account.id,
                ContactAttempt.at >= now - timedelta(days=7),
            )
            .group_by(ContactAttempt.channel)
        ).all()
    }
    total = session.execute(
        select(func.count())
        .select_from(ContactAttempt)
        .where(ContactAttempt.account_id == account.id)
    ).scalar()
    return AccountPanel(
        account_id=account.id,
        balance=account.balance,
        currency=account.currency,
        due_date=account.due_date.isoformat(),
        legal_state=account.legal_state,
        payments=payments,
        promises=account_promises(session, account.id, today=now.date()),
        legal_changes=changes,
        attempts_7d=attempts_7d,
        attempts_total=int(total or 0),
    )
