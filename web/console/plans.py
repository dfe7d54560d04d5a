"""The plans a collector may offer on a thread: computed by `agent.plans.compute_plan` from the
ledger and `PlanSettings`, never typed in by hand, so every figure a collector inserts into a
draft is one the policy allows and the guard can trace.

The console shows a few standard shapes (3, 6 and `max_months` monthly payments, the lowest
monthly payment the limits allow, and the largest settlement discount) instead of a free-form
calculator: a person picks among offers the agent itself could have made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agent.config import PlanSettings
from agent.facts import AccountFacts
from agent.plans import PlanTerms, Proposal, compute_plan, round_up
from agent.templates import format_money

__all__ = ["OFFERABLE_STATES", "PlanOffers", "PlanOption", "offer_options", "quotes_plan"]

OFFERABLE_STATES = frozenset({"active", "payment_plan"})
"""Legal states in which a new offer may be made (a dispute hold, a cease or an attorney stop
collection; a paid or closed account owes nothing)."""

STANDARD_MONTHS = (3, 6)


@dataclass(frozen=True)
class PlanOption:
    """One offer the policy allows. `key` names it in URLs; the terms are recomputed from the
    key on every request, so a client can never submit figures of its own."""

    key: str
    title: str
    terms: PlanTerms
    needs_approval: bool
    """The policy would not send this on its own (settlement, large balance): the person who
    sends it is the one approving it, and the audit log records who that was."""
    reasons: tuple[str, ...]

    @property
    def instalment(self) -> str:
        return format_money(self.terms.instalments[0].amount, self.terms.currency)

    @property
    def total(self) -> str:
        return format_money(self.terms.total, self.terms.currency)

    @property
    def first_due(self) -> str:
        return self.terms.instalments[0].due.isoformat()


@dataclass(frozen=True)
class PlanOffers:
    """The options for one thread, or none and why (`reason`), for the panel to say."""

    options: tuple[PlanOption, ...]
    reason: str = ""

    def find(self, key: str) -> PlanOption | None:
        return next((o for o in self.options if o.key == key), None)


def offer_options(facts: AccountFacts, *, now: datetime, settings: PlanSettings) -> PlanOffers:
    """Every standard offer for this account today (the debtor's local date), deduplicated.

    An instalment plan whose monthly figure would fall below `min_instalment` is left out
    rather than stretched: the "lowest monthly payment" option already covers that case.
    """
    if not settings.enabled:
        return PlanOffers((), "payment plans are disabled in the configuration (policy.plans)")
    if facts.legal_state not in OFFERABLE_STATES:
        return PlanOffers(
            (), f"no offer may be made while the account is {facts.legal_state.replace('_', ' ')}"
        )
    if facts.balance <= 0:
        return PlanOffers((), "the account has no balance to spread")
    try:
        today = now.astimezone(ZoneInfo(facts.timezone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return PlanOffers(
            (),
            f"the debtor's time zone {facts.timezone!r} is unknown, so instalment dates cannot be "
            "computed; correct the debtor's time zone in the import",
        )

    def outcome(proposal: Proposal) -> tuple[PlanTerms, bool, tuple[str, ...]] | None:
        result = compute_plan(
            proposal, balance=facts.balance, currency=facts.currency, today=today, settings=settings
        )
        if result.terms is None:
            return None
        return result.terms, result.verdict == "escalate", result.reasons

    options: list[PlanOption] = []
    seen: set[tuple[Decimal, ...]] = set()

    def add(key: str, title: str, proposal: Proposal) -> None:
        found = outcome(proposal)
        if found is None:
            return
        terms, approval, reasons = found
        if any(r.endswith(":below_min_instalment") for r in reasons):
            return
        shape = tuple(i.amount for i in terms.instalments)
        if shape in seen:
            return
        seen.add(shape)
        options.append(PlanOption(key, title, terms, approval, reasons))

    for months in sorted(
        {m for m in STANDARD_MONTHS if m < settings.max_months} | {settings.max_months}
    ):
        add(f"months-{months}", f"{months} monthly payments", Proposal(months=months))
    add("lowest", "Lowest monthly payment the limits allow", Proposal())
    if settings.max_settlement_discount > 0:
        floor = round_up(facts.balance * (1 - settings.max_settlement_discount), facts.currency)
        if floor < facts.balance:
            percent = f"{(settings.max_settlement_discount * 100).normalize():f}"
            add("settlement", f"Settlement ({percent}% off)", Proposal(settlement=floor))
    if not options:
        return PlanOffers((), "no plan fits the configured limits for this balance")
    return PlanOffers(tuple(options))


def quotes_plan(text: str, terms: PlanTerms) -> bool:
    """Whether a draft still carries the plan it was started from: every distinct instalment
    figure, as the template writes it. A plan the text no longer quotes is not recorded as
    offered, so the debtor's next "yes" cannot accept terms they never saw."""
    return all(
        format_money(amount, terms.currency) in text
        for amount in {i.amount for i in terms.instalments}
    )
