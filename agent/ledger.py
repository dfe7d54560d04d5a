"""Reads from the store the ledger facts a decision and the guard may rely on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agent.facts import AccountFacts
from agent.plans import PlanTerms, PlanTermsError
from store.models import (
    Account,
    ContactAttempt,
    Debtor,
    OutboxItem,
    Payment,
    PaymentPlan,
    Promise,
    Suppression,
)


def active_suppressions(session: Session, addresses: list[str]) -> list[Suppression]:
    wanted = [a.lower() for a in addresses if a]
    if not wanted:
        return []
    return list(
        session.execute(
            select(Suppression).where(
                func.lower(Suppression.address).in_(wanted), Suppression.lifted_at.is_(None)
            )
        )
        .scalars()
        .all()
    )


def load_facts(session: Session, account: Account, *, now: datetime | None = None) -> AccountFacts:
    now = now or datetime.now(UTC)
    debtor = session.get(Debtor, account.debtor_id)
    assert debtor is not None
    suppressions = active_suppressions(session, [debtor.email or "", debtor.phone or ""])
    opted_out = frozenset(s.channel for s in suppressions if s.kind == "opt_out")
    payments = session.execute(
        select(Payment.amount).where(Payment.account_id == account.id)
    ).scalars()
    promises = session.execute(
        select(Promise.amount, Promise.due_date).where(Promise.account_id == account.id)
    ).all()
    # Regulation F's 7-in-7 cap counts the collector's own attempts: answers to the debtor's
    # messages are not attempts to communicate (R03), so only unprompted sends count.
    attempts = session.scalar(
        select(func.count())
        .select_from(ContactAttempt)
        .join(OutboxItem, OutboxItem.id == ContactAttempt.outbox_id)
        .where(
            ContactAttempt.account_id == account.id,
            ContactAttempt.at >= now - timedelta(days=7),
            OutboxItem.reply_to_message_id.is_(None),
        )
    )
    amounts: set[Decimal] = {account.balance, *payments}
    amounts.update(amount for amount, _ in promises if amount is not None)
    dates = {account.due_date, *(due for _, due in promises if due is not None)}
    # R33: the plan on the table (offered or accepted) is quotable, instalment by instalment.
    plan_terms = session.execute(
        select(PaymentPlan.terms).where(
            PaymentPlan.account_id == account.id,
            PaymentPlan.status.in_(("offered", "accepted")),
        )
    ).scalars()
    for stored in plan_terms:
        try:
            terms = PlanTerms.from_json(stored)
        except PlanTermsError:
            continue  # an unreadable plan quotes nothing; the guard then blocks its figures
        amounts.update(terms.amounts)
        dates.update(terms.dates)
    return AccountFacts(
        account_id=account.id,
        debtor_name=debtor.name,
        balance=account.balance,
        currency=account.currency,
        due_date=account.due_date,
        timezone=debtor.timezone,
        jurisdiction=debtor.jurisdiction,
        legal_state=account.legal_state,
        opted_out_channels=opted_out,
        contact_attempts_7d=int(attempts or 0),
        known_amounts=frozenset(amounts),
        known_dates=frozenset(dates),
        attorney_contact=account.extra.get("attorney_contact") or None,
    )
