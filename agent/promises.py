"""Promises followed against imported payments: a reminder before the date, a verdict after it.

A promise is `kept` when payments made between the promise and its date plus the grace days
cover it, `partly_kept` when they cover some of it, `broken` when they cover none. Payments
are allocated first come, first served to promises in date order, so one payment never keeps
two promises. A verdict is final; only `pending` promises are judged again.

Reminders and follow-ups are unprompted texts: they pass the guard (which also counts them
towards the 7-in-7 cap) and go through the outbox; each is sent at most once per promise and
every step is audited. Accounts whose legal state forbids collection content get nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agent import templates
from agent.config import PromiseSettings
from agent.ledger import load_facts
from agent.policy import Decision, PromiseTerms
from agent.process import Processor
from store import audit, queue
from store.db import Database
from store.models import Account, Debtor, Message, Payment, Promise, PromiseTracking, Thread

__all__ = [
    "CheckSummary",
    "KeptRate",
    "PaymentRecord",
    "PromiseRecord",
    "PromiseStatus",
    "check_promises",
    "evaluate",
    "kept_rate",
]

log = logging.getLogger(__name__)
PromiseStatus = Literal["pending", "kept", "partly_kept", "broken"]
FINAL: frozenset[str] = frozenset({"kept", "partly_kept", "broken"})
# States in which a reminder or a follow-up is collection content that may be sent.
_COLLECTABLE = frozenset({"active", "payment_plan"})


@dataclass(frozen=True, kw_only=True)
class PromiseRecord:
    id: int
    amount: Decimal
    due: date
    made_on: date
    """The debtor-local date the promise was made; earlier payments do not count for it."""
    status: str = "pending"


@dataclass(frozen=True, kw_only=True)
class PaymentRecord:
    amount: Decimal
    paid_on: date
    """Debtor-local date of the payment."""


@dataclass(frozen=True, kw_only=True)
class Judgement:
    status: PromiseStatus
    paid: Decimal


@dataclass(frozen=True, kw_only=True)
class KeptRate:
    kept: int
    partly_kept: int
    broken: int

    @property
    def judged(self) -> int:
        return self.kept + self.partly_kept + self.broken

    @property
    def rate(self) -> float | None:
        """Kept promises over judged ones; None before any promise has been judged."""
        return self.kept / self.judged if self.judged else None


@dataclass
class CheckSummary:
    reminded: int = 0
    followed_up: int = 0
    judged: dict[str, int] = field(default_factory=dict)
    blocked: int = 0


def evaluate(
    promises: Sequence[PromiseRecord],
    payments: Sequence[PaymentRecord],
    *,
    today: date,
    grace_days: int,
) -> dict[int, Judgement]:
    """Judge every promise against the payments (pure; all dates debtor-local)."""
    pool = [[p.amount, p.paid_on] for p in sorted(payments, key=lambda p: p.paid_on)]
    result: dict[int, Judgement] = {}
    for promise in sorted(promises, key=lambda p: (p.due, p.id)):
        deadline = promise.due + timedelta(days=grace_days)
        paid = Decimal("0")
        for entry in pool:
            left, paid_on = entry
            assert isinstance(left, Decimal) and isinstance(paid_on, date)
            if paid >= promise.amount:
                break
            if left <= 0 or paid_on < promise.made_on or paid_on > deadline:
                continue
            taken = min(left, promise.amount - paid)
            entry[0] = left - taken
            paid += taken
        status: PromiseStatus
        if paid >= promise.amount:
            status = "kept"
        elif today <= deadline:
            status = "pending"
        else:
            status = "partly_kept" if paid > 0 else "broken"
        result[promise.id] = Judgement(status=status, paid=paid)
    return result


def kept_rate(session: Session, *, since: datetime | None = None) -> KeptRate:
    """The promise-kept rate for reports: judged promises only, optionally made since a time."""
    query = select(Promise.status, func.count()).group_by(Promise.status)
    if since is not None:
        query = query.where(Promise.created_at >= since)
    counts = {status: int(n) for status, n in session.execute(query).all()}
    return KeptRate(
        kept=counts.get("kept", 0),
        partly_kept=counts.get("partly_kept", 0),
        broken=counts.get("broken", 0),
    )


def check_promises(db: Database, processor: Processor, now: datetime) -> CheckSummary:
    """Judge due promises, remind before the date, follow up broken ones; one account at a time.

    Called periodically by `parley serve` and once by `parley promises check`. Each account is
    its own transaction, so one bad account does not stop the others.
    """
    settings = processor.policy_settings.promises
    summary = CheckSummary()
    with db.transaction() as session:
        account_ids = list(
            session.execute(
                select(Promise.account_id).where(Promise.status == "pending").distinct()
            ).scalars()
        )
    for account_id in account_ids:
        try:
            with db.transaction() as session:
                _check_account(session, processor, account_id, now, settings, summary)
        except Exception:
            log.exception("checking promises of account %s failed", account_id)
    return summary


def _local_date(moment: datetime, zone: str) -> date:
    try:
        return moment.astimezone(ZoneInfo(zone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return moment.date()


def _check_account(
    session: Session,
    processor: Processor,
    account_id: str,
    now: datetime,
    settings: PromiseSettings,
    summary: CheckSummary,
) -> None:
    account = session.get(Account, account_id)
    if account is None:
        return
    debtor = session.get(Debtor, account.debtor_id)
    zone = debtor.timezone if debtor is not None else "UTC"
    today = _local_date(now, zone)
    rows = list(
        session.execute(
            select(Promise)
            .where(Promise.account_id == account_id, Promise.amount.is_not(None))
            .where(Promise.due_date.is_not(None))
            .order_by(Promise.due_date, Promise.id)
        ).scalars()
    )
    payments = [
        PaymentRecord(amount=amount, paid_on=_local_date(paid_at, zone))
        for amount, paid_at in session.execute(
            select(Payment.amount, Payment.paid_at).where(Payment.account_id == account_id)
        ).all()
    ]
    records = [
        PromiseRecord(
            id=row.id,
            amount=row.amount or Decimal("0"),
            due=row.due_date or today,
            made_on=_local_date(row.created_at, zone),
            status=row.status,
        )
        for row in rows
    ]
    judged = evaluate(records, payments, today=today, grace_days=settings.grace_days)
    for row in rows:
        if row.status != "pending":
            continue
        judgement = judged[row.id]
        tracking = session.get(PromiseTracking, row.id)
        if tracking is None:
            tracking = PromiseTracking(promise_id=row.id)
            session.add(tracking)
        tracking.paid_amount = judgement.paid
        message = session.get(Message, row.message_id)
        thread = session.get(Thread, message.thread_id) if message is not None else None
        if judgement.status != "pending":
            row.status = judgement.status
            tracking.resolved_at = now
            summary.judged[judgement.status] = summary.judged.get(judgement.status, 0) + 1
            audit.record(
                session,
                f"promise.{judgement.status}",
                actor="agent",
                thread_id=thread.id if thread else None,
                message_id=row.message_id,
                account_id=account_id,
                data={
                    "promise_id": row.id,
                    "amount": str(row.amount),
                    "due": row.due_date.isoformat() if row.due_date else None,
                    "paid": str(judgement.paid),
                    "grace_days": settings.grace_days,
                },
            )
        if thread is None or account.legal_state not in _COLLECTABLE:
            continue
        if judgement.status == "broken" and settings.send_follow_ups:
            if tracking.followed_up_at is None:
                tracking.followed_up_at = now
                _send(session, processor, account, thread, row, "promise_follow_up", now, summary)
                summary.followed_up += 1
        elif judgement.status == "pending" and settings.send_reminders:
            days_left = (row.due_date - today).days if row.due_date else -1
            unpaid = judgement.paid < (row.amount or Decimal("0"))
            if tracking.reminded_at is None and unpaid and 0 <= days_left <= (
                settings.reminder_days_before
            ):
                tracking.reminded_at = now
                _send(session, processor, account, thread, row, "promise_reminder", now, summary)
                summary.reminded += 1


def _send(
    session: Session,
    processor: Processor,
    account: Account,
    thread: Thread,
    promise: Promise,
    kind: str,
    now: datetime,
    summary: CheckSummary,
) -> None:
    """Render, guard, outbox; a blocked text goes to a person with the failed rules."""
    assert promise.amount is not None and promise.due_date is not None
    facts = load_facts(session, account, now=now)
    terms = PromiseTerms(
        amount=promise.amount, currency=promise.currency or account.currency, date=promise.due_date
    )
    decision = Decision(
        action="reply",
        template=kind,
        reasons=(kind,),
        priority=4,
        escalate=False,
        promise=terms,
        sla_hours=processor.policy_settings.sla_hours[4],
    )
    draft = templates.render(
        kind, thread.channel, facts, decision, processor.policy_settings,
        guard=processor.guard_settings,
    )
    verdict = processor.guarded_send(session, thread=thread, facts=facts, draft=draft, kind=kind)
    audit.record(
        session,
        f"{kind.replace('_', '.', 1)}",
        actor="agent",
        thread_id=thread.id,
        message_id=promise.message_id,
        account_id=account.id,
        data={"promise_id": promise.id, "sent": verdict.allowed},
    )
    if not verdict.allowed:
        summary.blocked += 1
        queue.enqueue(
            session,
            thread_id=thread.id,
            message_id=promise.message_id,
            reasons=[kind, *(f"guard:{f.rule}" for f in verdict.failures)],
            priority=4,
            draft=draft.body,
            account_id=account.id,
        )
