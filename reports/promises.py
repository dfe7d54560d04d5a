"""Promise status judged from the ledger: kept when payments after it cover it by its date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import Payment, Promise

GRACE = timedelta(days=3)


@dataclass(frozen=True)
class PromiseStatus:
    id: int
    account_id: str
    amount: Decimal | None
    currency: str | None
    due_date: date | None
    made_at: datetime
    status: str
    """`pending`, `kept` or `broken`; `open` for a promise with no date to judge it by."""
    paid: Decimal


def judge(
    promise: Promise, payments: list[tuple[Decimal, datetime]], *, today: date
) -> PromiseStatus:
    """Payments from the promise's creation to its date plus grace count towards it."""
    if promise.status in ("kept", "broken"):
        status = promise.status
    elif promise.due_date is None:
        status = "open"
    else:
        status = "pending"
    deadline = promise.due_date + GRACE if promise.due_date else None
    paid = sum(
        (
            amount
            for amount, at in payments
            if at >= promise.created_at - timedelta(days=1)
            and (deadline is None or at.date() <= deadline)
        ),
        Decimal(0),
    )
    if status in ("pending", "open"):
        target = promise.amount
        if (target is not None and paid >= target and paid > 0) or (target is None and paid > 0):
            status = "kept"
        elif deadline is not None and today > deadline:
            status = "broken"
    return PromiseStatus(
        promise.id,
        promise.account_id,
        promise.amount,
        promise.currency,
        promise.due_date,
        promise.created_at,
        status,
        paid,
    )


def account_promises(session: Session, account_id: str, *, today: date) -> list[PromiseStatus]:
    payments = [
        (amount, at)
        for amount, at in session.execute(
            select(Payment.amount, Payment.paid_at).where(Payment.account_id == account_id)
        ).all()
    ]
    promises = session.execute(
        select(Promise).where(Promise.account_id == account_id).order_by(Promise.created_at.desc())
    ).scalars()
    return [judge(p, payments, today=today) for p in promises]
