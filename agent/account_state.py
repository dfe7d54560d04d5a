"""What a person does to an account's legal state, and the account's whole picture for them.

A dispute puts the account on hold (R14/R16) "until a person marks validation sent": debtor text
never lifts the hold, only `mark_validation_sent`, called by someone who has sent the
verification. The change is a `LegalStateChange` row naming that person, with its audit event in
the same transaction, exactly like the changes triage causes in `agent.process`.

`LegalStateChange` has no actor column, so the actor (and the note) are written into its
`reason` as well as into the audit event, where `actor` is a field of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select

from agent.plans import PlanTerms, PlanTermsError
from agent.policy import StateChange
from store import audit
from store.db import Database
from store.models import (
    Account,
    Debtor,
    LegalStateChange,
    PaymentPlan,
    Promise,
    Suppression,
)

__all__ = [
    "MAX_NOTE_CHARS",
    "AccountNotFoundError",
    "AccountStateError",
    "AccountSummary",
    "NotOnDisputeHoldError",
    "PlanLine",
    "PromiseLine",
    "StateLine",
    "SuppressionLine",
    "describe",
    "mark_validation_sent",
]

MAX_NOTE_CHARS = 2000


class AccountStateError(ValueError):
    """A person's change to an account's legal state was refused; the message says why."""


class AccountNotFoundError(LookupError):
    def __init__(self, account_id: str) -> None:
        super().__init__(
            f"no account {account_id!r}; check the id (as imported with `parley import accounts`)"
        )
        self.account_id = account_id


class NotOnDisputeHoldError(AccountStateError):
    def __init__(self, account_id: str, state: str) -> None:
        super().__init__(
            f"account {account_id} is in {state!r}, not 'dispute_hold': marking validation sent "
            "only lifts a dispute hold; nothing was changed"
        )
        self.account_id = account_id
        self.state = state


def mark_validation_sent(
    db: Database,
    account_id: str,
    *,
    actor: str,
    note: str | None = None,
    now: datetime | None = None,
) -> StateChange:
    """A person sent the debt's verification: the dispute hold ends and the account is active.

    Raises:
        AccountNotFoundError: no such account.
        NotOnDisputeHoldError: the account is in any other state (a cease or a bankruptcy must
            never be lifted this way).
        AccountStateError: the actor is empty or the note is too long.
    """
    actor = actor.strip()
    if not actor:
        raise AccountStateError("say who sent the validation (e.g. --as alice@example.com)")
    note = (note or "").strip() or None
    if note is not None and len(note) > MAX_NOTE_CHARS:
        raise AccountStateError(
            f"the note has {len(note):,} characters; keep it under {MAX_NOTE_CHARS:,} "
            "(attach documents in the document system and reference them here)"
        )
    now = now or datetime.now(UTC)
    with db.transaction() as session:
        account = session.execute(
            select(Account).where(Account.id == account_id).with_for_update()
        ).scalar()
        if account is None:
            raise AccountNotFoundError(account_id)
        if account.legal_state != "dispute_hold":
            raise NotOnDisputeHoldError(account_id, account.legal_state)
        change = StateChange(
            old_state="dispute_hold",
            new_state="active",
            trigger="validation_sent",
            reason="validation_sent",
        )
        account.legal_state = change.new_state
        session.add(
            LegalStateChange(
                account_id=account.id,
                message_id=None,
                old_state=change.old_state,
                new_state=change.new_state,
                reason=f"{change.reason} by {actor}" + (f": {note}" if note else ""),
                created_at=now,
            )
        )
        audit.record(
            session,
            "account.legal_state",
            actor=actor,
            account_id=account.id,
            data={
                "from": change.old_state,
                "to": change.new_state,
                "reason": change.reason,
                "note": note,
            },
        )
    return change


@dataclass(frozen=True)
class StateLine:
    at: datetime
    old_state: str
    new_state: str
    reason: str
    message_id: int | None


@dataclass(frozen=True)
class SuppressionLine:
    channel: str
    address: str
    kind: str
    since: datetime
    lifted_at: datetime | None


@dataclass(frozen=True)
class PromiseLine:
    id: int
    amount: Decimal | None
    currency: str | None
    due: date | None
    status: str


@dataclass(frozen=True)
class PlanLine:
    id: int
    kind: str
    status: str
    created_at: datetime
    instalments: int
    total: str | None
    """`1250.00 USD`; None when the stored terms cannot be read."""


@dataclass(frozen=True)
class AccountSummary:
    """One account as a collector needs to see it before acting on it."""

    account_id: str
    debtor_name: str
    email: str | None
    phone: str | None
    timezone: str
    jurisdiction: str
    balance: Decimal
    currency: str
    due_date: date
    legal_state: str
    history: tuple[StateLine, ...]
    suppressions: tuple[SuppressionLine, ...]
    promises: tuple[PromiseLine, ...]
    plans: tuple[PlanLine, ...]


def describe(db: Database, account_id: str) -> AccountSummary:
    """Balance, legal state and its history, suppressions, promises and plans of one account.

    Raises:
        AccountNotFoundError: no such account.
    """
    with db.transaction() as session:
        account = session.get(Account, account_id)
        if account is None:
            raise AccountNotFoundError(account_id)
        debtor = session.get(Debtor, account.debtor_id)
        assert debtor is not None
        history = session.execute(
            select(LegalStateChange)
            .where(LegalStateChange.account_id == account_id)
            .order_by(LegalStateChange.created_at, LegalStateChange.id)
        ).scalars()
        addresses = [a.lower() for a in (debtor.email, debtor.phone) if a]
        suppressions = session.execute(
            select(Suppression)
            .where(
                (Suppression.debtor_id == debtor.id)
                | func.lower(Suppression.address).in_(addresses)
            )
            .order_by(Suppression.created_at, Suppression.id)
        ).scalars()
        promises = session.execute(
            select(Promise)
            .where(Promise.account_id == account_id)
            .order_by(Promise.due_date, Promise.id)
        ).scalars()
        plans = session.execute(
            select(PaymentPlan)
            .where(PaymentPlan.account_id == account_id)
            .order_by(PaymentPlan.created_at, PaymentPlan.id)
        ).scalars()
        return AccountSummary(
            account_id=account.id,
            debtor_name=debtor.name,
            email=debtor.email,
            phone=debtor.phone,
            timezone=debtor.timezone,
            jurisdiction=debtor.jurisdiction,
            balance=account.balance,
            currency=account.currency,
            due_date=account.due_date,
            legal_state=account.legal_state,
            history=tuple(
                StateLine(h.created_at, h.old_state, h.new_state, h.reason, h.message_id)
                for h in history
            ),
            suppressions=tuple(
                SuppressionLine(s.channel, s.address, s.kind, s.created_at, s.lifted_at)
                for s in suppressions
            ),
            promises=tuple(
                PromiseLine(p.id, p.amount, p.currency, p.due_date, p.status) for p in promises
            ),
            plans=tuple(_plan_line(p) for p in plans),
        )


def _plan_line(plan: PaymentPlan) -> PlanLine:
    """An unreadable plan is still listed, without figures (the guard quotes none of them)."""
    try:
        terms = PlanTerms.from_json(plan.terms)
    except PlanTermsError:
        return PlanLine(plan.id, plan.kind, plan.status, plan.created_at, 0, None)
    return PlanLine(
        plan.id, plan.kind, plan.status, plan.created_at, terms.months,
        f"{terms.total} {terms.currency}",
    )  # fmt: skip
