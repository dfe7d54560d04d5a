"""Policy and guard knobs, with safe defaults (loaded from config/parley.yaml `guard:`/`policy:`).

Every default is the conservative choice from /work/shared/COMPLIANCE.md: a deployment that
configures nothing gets the US mini-Miranda, the 08:00-21:00 window and the 7-in-7 cap.
Unknown keys are refused, so a misspelt knob fails loudly instead of silently keeping a default.
"""

from __future__ import annotations

import re
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "US_MINI_MIRANDA",
    "AllowedHours",
    "GuardSettings",
    "PlanSettings",
    "PolicySettings",
    "ProhibitedPhrase",
    "PromiseSettings",
]

# R08: 12 CFR 1006.18(e), 15 USC 1692e(11).
US_MINI_MIRANDA = (
    "This is a communication from a debt collector. This is an attempt to collect a debt and any "
    "information obtained will be used for that purpose."
)
UK_DISCLOSURE = "This is a communication from a debt collection agency."


class ProhibitedPhrase(BaseModel):
    """One regex family of the R31-R39 lexicon, matched case-insensitively on word boundaries.

    `negatable` lets "we will not sue you" pass: a hit directly preceded by a negation is not
    a threat. `unless_intended` names the action a person can mark lawful and intended (R32), in
    which case the family no longer blocks.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    category: str
    pattern: str
    negatable: bool = False
    unless_intended: str | None = None

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(
                f"prohibited phrase pattern {value!r} is not a valid regex: {exc}"
            ) from exc
        return value


def _phrases(category: str, *patterns: str, **options: object) -> list[ProhibitedPhrase]:
    return [ProhibitedPhrase.model_validate({"category": category, "pattern": p, **options})
            for p in patterns]


DEFAULT_PROHIBITED: tuple[ProhibitedPhrase, ...] = tuple(
    _phrases(
        "criminal",
        r"arrest(?:ed|s)?", r"warrants?", r"jail", r"prison", r"police", r"sheriff",
        r"criminal", r"crimes?", r"fraud charges?", r"prosecut\w*",
        negatable=True,
    )
    + _phrases(
        "legal_action",
        r"sue(?:d|s)?(?: you)?", r"lawsuits?", r"court", r"legal action", r"judge?ments?",
        r"our (?:attorneys?|lawyers?|solicitors?)", r"legal department", r"proceedings issued",
        negatable=True, unless_intended="legal_action",
    )
    + _phrases(
        "seizure",
        r"garnish\w*", r"wage attachment", r"seiz(?:e|ed|ure)", r"repossess\w*", r"levy",
        r"bailiffs?", r"enforcement agents?", r"send someone to your (?:home|house)",
        negatable=True, unless_intended="seizure",
    )
    + _phrases(
        "impersonation",
        r"officer", r"agent of the state", r"government", r"federal", r"IRS",
        r"court[- ]appointed", r"(?:we are|this is) (?:the|a) credit (?:bureau|reference agency)",
    )
    + _phrases(
        "false_urgency",
        r"final notice", r"last chance", r"immediately", r"today only",
        r"within \d+ hours", r"act now", r"avoid further action", r"forced to escalate",
        r"further consequences",
    )
    + _phrases(
        "credit_threat",
        r"report(?:ed|ing)? (?:you )?to (?:all three |the )?credit (?:bureaus?|agencies|"
        r"reference agencies)",
        r"(?:ruin|destroy)\w* your credit", r"blacklist\w*",
        negatable=True,
    )
    + _phrases(
        "abuse",
        r"deadbeats?", r"liars?", r"thie(?:f|ves)", r"scam(?:mer)?s?", r"people like you",
    )
    + _phrases(
        "profanity",
        r"fuck\w*", r"shit\w*", r"bitch\w*", r"bastards?", r"assholes?", r"arseholes?",
        r"damn\w*", r"crap", r"piss\w*", r"cunts?", r"wankers?", r"bollocks",
    )
    + _phrases(
        "third_party",
        r"your (?:employer|boss|family|neighbou?rs?|spouse|wife|husband|parents?)"
        r" (?:knows?|will (?:be told|know|hear))",
        r"(?:we have|we've) (?:contacted|told|informed) your \w+",
    )
    + _phrases(
        "family_liability",
        r"as (?:his|her|their) (?:son|daughter|child|wife|husband|spouse|relative|heir)",
        r"you are (?:now )?(?:personally )?(?:responsible|liable) for (?:his|her|their|this)"
        r" (?:debt|balance|account)",
    )
    + _phrases(
        "pressure_to_borrow",
        r"payday loans?", r"borrow (?:from|money)", r"take out a loan", r"credit card to pay",
        r"sell your (?:house|home|car|possessions|belongings)", r"pay in full today",
    )
    + _phrases(
        "card_data",
        r"card number", r"cvv", r"cvc", r"security code", r"pin(?: number)?",
        r"online banking password",
    )
    + _phrases("claims_human", r"real person", r"not a bot", r"i'?m (?:a )?human", r"i am human")
)

class AllowedHours(BaseModel):
    """R01: contact only in [start, end) debtor-local time; whole hours, 24-hour clock."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: int = Field(default=8, ge=0, le=23)
    end: int = Field(default=21, ge=1, le=24)

    @model_validator(mode="after")
    def _ordered(self) -> AllowedHours:
        if self.end <= self.start:
            raise ValueError(
                f"guard.allowed_hours: end ({self.end}) must be after start ({self.start})"
            )
        return self


class GuardSettings(BaseModel):
    """What every outgoing text is checked against (see agent/guard.py for the rules)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    allowed_hours: AllowedHours = AllowedHours()
    fallback_timezones: tuple[str, ...] = (
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Phoenix",
        "America/Los_Angeles",
    )
    """R01: when the debtor's zone is unknown, send only inside the window in every one of these."""
    frequency_cap: int = Field(default=7, ge=0)
    """R03 [policy]: proactive attempts per account per rolling 7 days."""
    disclosures: dict[str, str] = Field(
        default_factory=lambda: {"US": US_MINI_MIRANDA, "UK": UK_DISCLOSURE}
    )
    """Per jurisdiction; `US-NY` falls back to `US`, an unknown one to `default_jurisdiction`."""
    default_jurisdiction: str = "US"
    opt_out_instructions: dict[str, str] = Field(
        default_factory=lambda: {
            "sms": "Reply STOP to opt out.",
            "email": "To stop emails from us, reply with the word STOP or write to "
            "optout@parley.invalid.",
        }
    )
    prohibited: tuple[ProhibitedPhrase, ...] = DEFAULT_PROHIBITED
    intended_actions: frozenset[str] = frozenset()
    """R32: `legal_action` / `seizure` only when a person has marked them lawful and intended."""
    max_sms_segments: int = Field(default=2, ge=1)
    max_email_chars: int = Field(default=20_000, ge=100)

    @field_validator("opt_out_instructions")
    @classmethod
    def _both_channels(cls, value: dict[str, str]) -> dict[str, str]:
        missing = {"sms", "email"} - set(value)
        if missing:
            raise ValueError(
                f"guard.opt_out_instructions needs a text for {sorted(missing)} (R09)"
            )
        return value

    @model_validator(mode="after")
    def _default_disclosure_exists(self) -> GuardSettings:
        if self.default_jurisdiction not in self.disclosures:
            raise ValueError(
                f"guard.disclosures has no text for default_jurisdiction "
                f"{self.default_jurisdiction!r}; add one or change the default"
            )
        return self

    def disclosure_for(self, jurisdiction: str) -> str:
        """The disclosure for `US-NY`, else `US`, else the default jurisdiction's."""
        code = jurisdiction.strip().upper()
        for key in (code, code.split("-")[0]):
            if key in self.disclosures:
                return self.disclosures[key]
        return self.disclosures[self.default_jurisdiction]


class PlanSettings(BaseModel):
    """R28: the limits inside which a plan is computed; anything outside goes to a person.

    The defaults are deliberately modest: twelve months, no instalment under 25, settlements
    computed but always approved by a person, and large balances always seen by a person.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    """False sends every plan request to a person, as before plans existed."""
    min_instalment: Decimal = Field(default=Decimal("25"), gt=0)
    max_months: int = Field(default=12, ge=1, le=120)
    max_settlement_discount: Decimal = Field(default=Decimal("0.20"), ge=0, lt=1)
    """A settlement may ask at most this share less than the balance (0.20 = 20% off)."""
    settlement_requires_approval: bool = True
    """A settlement (paying less than owed) is computed, then a person approves it."""
    approval_balance: Decimal = Field(default=Decimal("5000"), gt=0)
    """Plans on balances at or above this need a person's approval."""
    first_payment_days: int = Field(default=7, ge=0, le=60)
    """The first instalment falls this many days after the request (debtor-local date)."""
    offer_valid_days: int = Field(default=14, ge=1)
    """An offer not accepted within this many days expires; a later "ok" accepts nothing."""


class PromiseSettings(BaseModel):
    """How promises are followed: a reminder before the date, a verdict after the grace days."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    grace_days: int = Field(default=3, ge=0, le=60)
    """A promise is judged (kept, partly kept, broken) this many days after its date."""
    reminder_days_before: int = Field(default=2, ge=0, le=30)
    """Send one reminder when the date is this close (0 turns reminders into same-day ones)."""
    send_reminders: bool = True
    send_follow_ups: bool = True
    check_interval_seconds: float = Field(default=60.0, gt=0)
    """How often `parley serve` checks promises."""


class PolicySettings(BaseModel):
    """How far the agent may act on its own, and what a reply says about the company."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    auto_confirm_promises: bool = True
    """Confirm a clear promise (amount and date, amount <= balance) without a person."""
    max_promise_days: int = Field(default=30, ge=0)
    """A promised date further than this from the message's local date goes to a person."""
    min_auto_confidence: float = Field(default=0.8, ge=0.0, le=1.0)
    send_sms_opt_out_confirmation: bool = True
    """Set False when Twilio Advanced Opt-Out already answers STOP: only one confirmation (R06)."""
    company_name: str = "Parley Recoveries"
    payment_url: str = "https://pay.parley.invalid"
    phone: str = "+1 555 0100"
    sla_hours: dict[int, int] = Field(
        default_factory=lambda: {0: 1, 1: 4, 2: 24, 3: 24, 4: 48}
    )
    """Hours a person has to pick up a queue item, per priority band."""
    high_balance: Decimal = Decimal("1000")
    very_high_balance: Decimal = Decimal("5000")
    """Balances at or above these move an item up inside its priority band."""
    plans: PlanSettings = PlanSettings()
    promises: PromiseSettings = PromiseSettings()

    @field_validator("sla_hours")
    @classmethod
    def _every_band(cls, value: dict[int, int]) -> dict[int, int]:
        missing = {0, 1, 2, 3, 4} - set(value)
        if missing:
            raise ValueError(f"policy.sla_hours needs hours for priority bands {sorted(missing)}")
        return value
