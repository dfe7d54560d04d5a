"""The facts the agent decides on: the ledger's view of one account, the thread, and the triage.

Everything here crosses a seam (store -> agent, nlp -> agent), so it is frozen data or a
structural Protocol. `TriageView` names only what the policy reads, so `nlp.model.Triage`
satisfies it without the agent importing the nlp package's internals.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, Protocol, get_args

__all__ = [
    "ACTIONS",
    "CHANNELS",
    "DISCLOSURE_EXEMPT_KINDS",
    "GUARD_KINDS",
    "LEGAL_STATES",
    "OPT_OUT_NOTICE_EXEMPT_KINDS",
    "AccountFacts",
    "Action",
    "ChannelName",
    "LegalState",
    "PromiseView",
    "ThreadContext",
    "TriageView",
]

ChannelName = Literal["email", "sms"]
CHANNELS: tuple[str, ...] = get_args(ChannelName)

LegalState = Literal[
    "active",
    "dispute_hold",
    "cease",
    "attorney",
    "bankruptcy",
    "deceased",
    "wrong_party",
    "payment_plan",
    "paid",
    "closed",
]
LEGAL_STATES: tuple[str, ...] = get_args(LegalState)

Action = Literal[
    "reply",
    "confirm_promise",
    "acknowledge_dispute",
    "confirm_opt_out",
    "confirm_cease",
    "send_info",
    "offer_plan",
    "accept_plan",
    "escalate",
    "ignore",
]
ACTIONS: tuple[str, ...] = get_args(Action)

# What the guard can be asked to check: every action that sends text, the HELP keyword reply
# and a collector's own reply. `escalate` and `ignore` send nothing, so they are not kinds.
GUARD_KINDS: frozenset[str] = frozenset(
    {"reply", "confirm_promise", "acknowledge_dispute", "confirm_opt_out", "confirm_cease"}
    | {"send_info", "sms_help", "collector_reply"}
    | {"info_reply"}
    | {"plan_offer", "plan_accepted", "promise_reminder", "promise_follow_up"}
    | {"holding_reply", "hardship_reply", "callback_ack"}  # drafts suggested to a person
)
# R07/R20: the HELP reply may reach someone who is not the debtor, so it must not reveal a debt;
# the opt-out confirmation (R06) carries no collection content, only the company's name.
DISCLOSURE_EXEMPT_KINDS: frozenset[str] = frozenset({"confirm_opt_out", "sms_help"})
# Telling someone who has just opted out how to opt out is noise (R09 is met by the confirmation).
OPT_OUT_NOTICE_EXEMPT_KINDS: frozenset[str] = frozenset({"confirm_opt_out"})


@dataclass(frozen=True, kw_only=True)
class AccountFacts:
    """The ledger's view of one account at one moment; the only source of facts in a reply."""

    account_id: str
    debtor_name: str
    balance: Decimal
    currency: str
    """ISO 4217 code of the balance, e.g. `USD`."""
    due_date: date
    timezone: str
    """IANA zone of the debtor's address, e.g. `America/New_York` (never a fixed offset)."""
    jurisdiction: str
    """`US`, `UK`, or a finer code such as `US-NY`; disclosures fall back to the prefix."""
    legal_state: str
    opted_out_channels: frozenset[str] = frozenset()
    contact_attempts_7d: int = 0
    """Proactive outbound attempts in the rolling 7 days (R03), computed by the store."""
    known_amounts: frozenset[Decimal] = frozenset()
    """Every amount a reply may quote: balance, payments, promises and plan instalments."""
    known_dates: frozenset[date] = frozenset()
    attorney_contact: str | None = None

    def with_terms(
        self, *, amounts: Iterable[Decimal] = (), dates: Iterable[date] = ()
    ) -> AccountFacts:
        """These facts plus terms just put on the table (a promise being confirmed), so the
        guard accepts a confirmation that quotes them before the store has recorded them."""
        return dataclasses.replace(
            self,
            known_amounts=self.known_amounts | frozenset(amounts),
            known_dates=self.known_dates | frozenset(dates),
        )


@dataclass(frozen=True, kw_only=True)
class ThreadContext:
    """Where the message came from and whether its sender is verified as the debtor on file."""

    channel: str
    matched: bool
    """True only when the sender's address is verified for the debtor; False means R20 applies."""
    match_method: str | None = None
    received_at: datetime | None = None
    """When the message arrived (aware). Promise dates are judged against its local date; without
    it a promise cannot be confirmed automatically."""


class PromiseView(Protocol):
    """A commitment to pay as triage extracted it; any part may be missing."""

    @property
    def amount(self) -> Decimal | None: ...

    @property
    def currency(self) -> str | None: ...

    @property
    def date(self) -> dt.date | None: ...


class TriageView(Protocol):
    """The part of `nlp.model.Triage` the policy reads (TAXONOMY.md names)."""

    @property
    def labels(self) -> frozenset[str]: ...

    def confidence(self, label: str) -> float: ...

    @property
    def dispute_type(self) -> str | None: ...

    @property
    def vulnerability(self) -> tuple[str, ...]: ...

    @property
    def distress(self) -> float: ...

    @property
    def promise(self) -> PromiseView | None: ...

    @property
    def route(self) -> str: ...

    @property
    def reasons(self) -> tuple[str, ...]: ...
