"""Payment plans computed from configured limits (R28): accepted, countered or escalated.

A plan is arithmetic on the ledger's balance and `PlanSettings`; no figure comes from the
debtor's text or a model except as the proposal that the arithmetic answers. The debtor's own
proposal ("50 a month", "over 6 months", "settle for 500") is read here with the nlp package's
cleaner and amount finder, then:

- inside the limits: offered back as proposed (`accept`);
- outside them: offered at the nearest terms the limits allow (`counter`);
- anything a person must approve (settlements by default, large balances, weekly periods,
  another currency): `escalate`, with the computed terms as a suggestion for the collector.

Either way the debtor gets an offer and only a clear acceptance on the next reply ("yes that
works", "ok", "deal") makes it a plan; anything grudging or mixed goes to a person.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any, Literal

from agent.config import PlanSettings
from nlp.amounts import find_amounts
from nlp.clean import clean_text

__all__ = [
    "Instalment",
    "PlanOutcome",
    "PlanTerms",
    "PlanTermsError",
    "Proposal",
    "compute_plan",
    "is_acceptance",
    "minor_unit",
    "parse_proposal",
    "round_up",
]

PlanKind = Literal["instalments", "settlement"]
Verdict = Literal["accept", "counter", "escalate"]

# ISO 4217 currencies without minor units; every other currency is rounded to cents (the store
# keeps two decimals, so three-decimal currencies are not supported as such).
_ZERO_DECIMAL = frozenset({"JPY", "KRW", "ISK", "CLP", "VND", "UGX", "XAF", "XOF", "PYG"})

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18, "twenty-four": 24,
    "twenty four": 24, "thirty-six": 36, "thirty six": 36,
}  # fmt: skip
_COUNT = r"(?P<n>\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + ")"
_MONTHS_RE = re.compile(
    rf"\b(?:over|for|in|across|within|spread over|split (?:it )?(?:into|over))\s+(?:the next\s+)?"
    rf"{_COUNT}\s+months?\b"
    rf"|\b{_COUNT.replace('?P<n>', '?P<m>')}\s+(?:monthly\s+)?(?:payments|instal+ments|months)\b",
    re.IGNORECASE,
)
_YEAR_RE = re.compile(r"\b(?:over|for|in|across) (?:a|one|1) year\b", re.IGNORECASE)
_SETTLE_RE = re.compile(
    r"\b(?:settle|settlement|full and final|close (?:it|the account|this) (?:out )?for|"
    r"lump sum|one[- ]off payment of|accept \S+ (?:to close|in full))",
    re.IGNORECASE,
)
_PERIOD_RE = re.compile(
    r"\s*(?:a|per|each|every|/|pm\b|p/m)\s*(?P<unit>month|mo|mth|week|wk|fortnight)\b",
    re.IGNORECASE,
)

# R28: only a clear acceptance accepts. The whole reply must be made of these pieces (plus
# greetings, thanks and a name); "sure whatever, not like I have a choice" is not.
_ACCEPT_PHRASES = (
    r"yes(?: please)?", r"yeah", r"yep", r"ok(?:ay)?", r"deal", r"agreed?", r"i agree",
    r"i accept(?: (?:it|that|this|the (?:plan|offer)))?", r"accepted",
    r"(?:that|this|it) (?:works|is fine|is good|sounds good|suits me)(?: for me)?",
    r"works for me", r"sounds (?:good|great|fine)", r"perfect", r"fine by me",
    r"let'?s do (?:it|that)", r"go ahead", r"i'?ll take (?:it|that|the plan)",
    r"(?:please )?set it up", r"confirmed?", r"i confirm",
)  # fmt: skip
_POLITE = (
    r"many thanks", r"thanks?(?: you)?(?: (?:so|very) much)?", r"thank you", r"cheers",
    r"please", r"hi", r"hello", r"dear \w+", r"great", r"(?:kind |best )?regards", r"best",
)  # fmt: skip
_SEP = r"[\s,.!;:\-\u2013\u2014]*"
_ONLY_PIECES = re.compile(
    rf"(?:{_SEP}\b(?:{'|'.join(_ACCEPT_PHRASES + _POLITE)})\b)+{_SEP}", re.IGNORECASE
)
_HAS_ACCEPT = re.compile(rf"\b(?:{'|'.join(_ACCEPT_PHRASES)})\b", re.IGNORECASE)
_SIGN_OFF = re.compile(r"[-\u2013\u2014 ]*[A-Z][a-z]+(?: [A-Z]\.?| [A-Z][a-z]+)?\.?")
_NOT_A_NAME = frozenset({"no", "not", "nope", "never", "but", "maybe", "later"})
_MAX_ACCEPTANCE_CHARS = 200


class PlanTermsError(ValueError):
    """Stored plan terms cannot be read back; the row was edited by hand or is corrupt."""


@dataclass(frozen=True, kw_only=True)
class Proposal:
    """What the debtor asked for; every part may be missing ("can I get a payment plan?")."""

    instalment: Decimal | None = None
    months: int | None = None
    settlement: Decimal | None = None
    currency: str | None = None
    period: str = "month"
    """`month`, or `week` / `fortnight` when the debtor asked for those (a person decides)."""

    @property
    def empty(self) -> bool:
        return self.instalment is None and self.months is None and self.settlement is None


@dataclass(frozen=True, kw_only=True)
class Instalment:
    amount: Decimal
    due: date


@dataclass(frozen=True, kw_only=True)
class PlanTerms:
    """A computed plan: instalments that add up exactly to `total`, in the account's currency."""

    kind: PlanKind
    currency: str
    balance: Decimal
    """The balance the plan was computed from; a settlement's total is less than this."""
    instalments: tuple[Instalment, ...]

    @property
    def total(self) -> Decimal:
        return sum((i.amount for i in self.instalments), Decimal("0"))

    @property
    def months(self) -> int:
        return len(self.instalments)

    @property
    def amounts(self) -> frozenset[Decimal]:
        return frozenset(i.amount for i in self.instalments) | {self.total}

    @property
    def dates(self) -> frozenset[date]:
        return frozenset(i.due for i in self.instalments)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "currency": self.currency,
            "balance": str(self.balance),
            "instalments": [
                {"amount": str(i.amount), "due": i.due.isoformat()} for i in self.instalments
            ],
        }

    @classmethod
    def from_json(cls, data: Any) -> PlanTerms:
        """Raises PlanTermsError when `data` is not what `to_json` wrote."""
        try:
            kind = data["kind"]
            if kind not in ("instalments", "settlement"):
                raise ValueError(f"unknown plan kind {kind!r}")
            instalments = tuple(
                Instalment(amount=Decimal(i["amount"]), due=date.fromisoformat(i["due"]))
                for i in data["instalments"]
            )
            if not instalments:
                raise ValueError("a plan without instalments")
            return cls(
                kind=kind,
                currency=str(data["currency"]),
                balance=Decimal(data["balance"]),
                instalments=instalments,
            )
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise PlanTermsError(
                f"stored plan terms are unreadable ({exc}); fix or decline the plan row"
            ) from exc


@dataclass(frozen=True, kw_only=True)
class PlanOutcome:
    """The answer to a proposal. `terms` is None only when nothing sensible can be computed."""

    verdict: Verdict
    terms: PlanTerms | None
    reasons: tuple[str, ...]
    """Machine-readable, e.g. `plan:counter:below_min_instalment`."""


def minor_unit(currency: str) -> Decimal:
    return Decimal("1") if currency.upper() in _ZERO_DECIMAL else Decimal("0.01")


def round_up(amount: Decimal, currency: str) -> Decimal:
    """Up to the currency's smallest unit: instalments never fall short of the balance."""
    return amount.quantize(minor_unit(currency), rounding=ROUND_CEILING)


def parse_proposal(text: str) -> Proposal:
    """Read the terms a debtor proposes from their (redacted) message text."""
    cleaned = clean_text(text).text
    amounts = find_amounts(cleaned)
    months: int | None = None
    match = _MONTHS_RE.search(cleaned)
    if match:
        raw = (match.group("n") or match.group("m")).lower()
        months = int(raw) if raw.isdigit() else _NUMBER_WORDS.get(raw)
    elif _YEAR_RE.search(cleaned):
        months = 12
    settle = _SETTLE_RE.search(cleaned)
    instalment: Decimal | None = None
    settlement: Decimal | None = None
    currency: str | None = None
    period = "month"
    for mention in amounts:
        per = _PERIOD_RE.match(cleaned, mention.end)
        if per is not None and instalment is None:
            instalment = mention.value
            currency = mention.currency or currency
            unit = per.group("unit").lower()
            period = "week" if unit in ("week", "wk") else "fortnight" if unit == "fortnight" else (
                "month"
            )
        elif settle is not None and settlement is None and per is None:
            settlement = mention.value
            currency = mention.currency or currency
    if instalment is None and settlement is None and len(amounts) == 1 and not settle:
        # "I can do 50" in a plan request means 50 a month; with several bare sums the meaning
        # is unclear and the default offer (or the months asked for) answers instead.
        instalment, currency = amounts[0].value, amounts[0].currency
    return Proposal(
        instalment=instalment,
        months=months if months and months > 0 else None,
        settlement=settlement,
        currency=currency,
        period=period,
    )


def is_acceptance(text: str) -> bool:
    """True only for a short reply made entirely of acceptance words and politeness."""
    cleaned = clean_text(text).text.strip()
    if not cleaned or len(cleaned) > _MAX_ACCEPTANCE_CHARS:
        return False
    lines = [line.strip() for line in cleaned.replace("\u2019", "'").splitlines() if line.strip()]
    # A sign-off name on its own last line ("Dana") is not part of the answer.
    last = lines[-1] if len(lines) > 1 else ""
    name = _SIGN_OFF.fullmatch(last) and last.strip(" -.").lower() not in _NOT_A_NAME
    if name and not _ONLY_PIECES.fullmatch(last):
        lines = lines[:-1]
    rest = " ".join(lines)
    return bool(_ONLY_PIECES.fullmatch(rest)) and bool(_HAS_ACCEPT.search(rest))


def compute_plan(
    proposal: Proposal,
    *,
    balance: Decimal,
    currency: str,
    today: date,
    settings: PlanSettings,
) -> PlanOutcome:
    """Answer a proposal with terms inside `settings`, or say why a person must.

    Args:
        proposal: what the debtor asked for (`parse_proposal`), possibly empty.
        balance: the ledger's balance now.
        currency: the account's currency; amounts in another currency go to a person.
        today: the debtor's local date; the first instalment is `first_payment_days` later.
        settings: the configured limits.
    """
    first = today + timedelta(days=settings.first_payment_days)
    if balance <= 0:
        return PlanOutcome(verdict="escalate", terms=None, reasons=("plan:no_balance",))
    if proposal.currency is not None and proposal.currency.upper() != currency.upper():
        return PlanOutcome(
            verdict="escalate", terms=None, reasons=("plan:escalate:currency_mismatch",)
        )
    if proposal.settlement is not None and proposal.settlement < balance:
        outcome = _settlement(proposal.settlement, balance, currency, first, settings)
    elif proposal.settlement is not None:
        # "Settle for" the whole balance or more is simply paying in full.
        in_full = Proposal(instalment=balance, currency=proposal.currency)
        outcome = _instalments(in_full, balance, currency, first, settings)
    else:
        outcome = _instalments(proposal, balance, currency, first, settings)
    approval: list[str] = []
    if proposal.period != "month":
        approval.append(f"plan:escalate:period_{proposal.period}")
    if balance >= settings.approval_balance:
        approval.append("plan:escalate:balance_needs_approval")
    settling = outcome.terms is not None and outcome.terms.kind == "settlement"
    if settling and settings.settlement_requires_approval:
        approval.append("plan:escalate:settlement_needs_approval")
    if approval:
        return PlanOutcome(
            verdict="escalate", terms=outcome.terms, reasons=(*approval, *outcome.reasons)
        )
    return outcome


def _settlement(
    offered: Decimal, balance: Decimal, currency: str, first: date, settings: PlanSettings
) -> PlanOutcome:
    floor = round_up(balance * (1 - settings.max_settlement_discount), currency)
    amount = round_up(offered, currency)
    if amount >= floor:
        verdict: Verdict = "accept"
        reasons: tuple[str, ...] = ("plan:accept:settlement_within_discount",)
    else:
        verdict, amount = "counter", floor
        reasons = ("plan:counter:settlement_discount_too_large",)
    terms = PlanTerms(
        kind="settlement",
        currency=currency,
        balance=balance,
        instalments=(Instalment(amount=amount, due=first),),
    )
    return PlanOutcome(verdict=verdict, terms=terms, reasons=reasons)


def _instalments(
    proposal: Proposal,
    balance: Decimal,
    currency: str,
    first: date,
    settings: PlanSettings,
) -> PlanOutcome:
    min_instalment = round_up(settings.min_instalment, currency)
    # The smallest monthly figure that clears the balance within max_months.
    floor = max(min_instalment, round_up(balance / settings.max_months, currency))
    reasons: list[str] = []
    asked_amount = round_up(proposal.instalment, currency) if proposal.instalment else None
    if asked_amount is not None and asked_amount <= 0:
        asked_amount = None
    if asked_amount is not None:
        instalment = max(asked_amount, min(floor, balance))
        if asked_amount < min_instalment and asked_amount < balance:
            reasons.append("plan:counter:below_min_instalment")
        elif asked_amount < floor and asked_amount < balance:
            reasons.append("plan:counter:beyond_max_months")
        instalment = min(instalment, balance)
    elif proposal.months is not None:
        months = min(proposal.months, settings.max_months)
        if proposal.months > settings.max_months:
            reasons.append("plan:counter:beyond_max_months")
        instalment = round_up(balance / months, currency)
        if instalment < min_instalment:
            instalment = min(min_instalment, balance)
            reasons.append("plan:counter:below_min_instalment")
    else:
        # No terms proposed: the lowest monthly figure the limits allow (R27: no pressure).
        instalment = min(floor, balance)
    count = int((balance / instalment).to_integral_value(rounding=ROUND_CEILING))
    amounts = [instalment] * count
    amounts[-1] = balance - instalment * (count - 1)
    terms = PlanTerms(
        kind="instalments",
        currency=currency,
        balance=balance,
        instalments=tuple(
            Instalment(amount=amount, due=_add_months(first, n))
            for n, amount in enumerate(amounts)
        ),
    )
    if reasons:
        return PlanOutcome(verdict="counter", terms=terms, reasons=tuple(reasons))
    accepted = "plan:accept:as_proposed" if not proposal.empty else "plan:offer:default"
    return PlanOutcome(verdict="accept", terms=terms, reasons=(accepted,))


def _add_months(start: date, months: int) -> date:
    """Same day each month, or the month's last day when it is shorter (31 Jan -> 28 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, monthrange(year, month)[1]))
