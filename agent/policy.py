"""What to do with one triaged message: update the legal state, then answer, confirm or escalate.

The model proposes, rules dispose: labels come from triage, but every consequence (which state
wins, what may be sent, who must look) is decided here by the precedence of
/work/shared/COMPLIANCE.md §2. When a case is not clearly safe to answer, it goes to a person;
a false alarm costs a collector a minute, a missed legal trigger is a violation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agent.config import PolicySettings
from agent.facts import LEGAL_STATES, AccountFacts, Action, ThreadContext, TriageView
from agent.plans import PlanTerms, Proposal, compute_plan

__all__ = [
    "LEGAL_TRIGGERS",
    "STATE_PRECEDENCE",
    "Decision",
    "PromiseTerms",
    "StateChange",
    "UnknownLegalStateError",
    "decide",
    "legal_state_after",
]

# COMPLIANCE.md §2: R18 bankruptcy > R19 deceased > R17 attorney > R13 cease > R20 wrong party >
# R14/R16 dispute hold. Lower wins. States not listed (active, payment_plan, paid, closed) carry
# no legal restriction, so any trigger overrides them.
STATE_PRECEDENCE: dict[str, int] = {
    "bankruptcy": 0,
    "deceased": 1,
    "attorney": 2,
    "cease": 3,
    "wrong_party": 4,
    "dispute_hold": 5,
}
_UNRESTRICTED = 99

# label -> the state it puts the account in.
LEGAL_TRIGGERS: dict[str, str] = {
    "bankruptcy": "bankruptcy",
    "deceased": "deceased",
    "attorney_represented": "attorney",
    "cease_communication": "cease",
    "wrong_party": "wrong_party",
    "dispute": "dispute_hold",
    "validation_request": "dispute_hold",
}
# States in which nothing automated may reach the debtor; a person handles the account.
_PERSON_ONLY_STATES = frozenset({"bankruptcy", "deceased", "attorney", "wrong_party"})
# Labels that must never be dropped as an auto-reply or lost behind another rule.
_OVERRIDING_LABELS = frozenset(LEGAL_TRIGGERS) | {"channel_opt_out", "complaint"}
_PROMISE_ONLY = frozenset({"promise_to_pay", "other"})
# An information request (balance, how or where to pay, invoice copy) with nothing else to act on.
_INFO_ONLY = frozenset({"info_request", "other"})
# A plan request may come with a promise ("I can do 50 a month from the 4th") or small talk;
# anything else (hardship, dispute, info request) needs a person's eye first.
_PLAN_ONLY = frozenset({"payment_plan_request", "promise_to_pay", "other"})


class UnknownLegalStateError(ValueError):
    """The account carries a legal state this code does not know; fix the account's row."""


@dataclass(frozen=True, kw_only=True)
class StateChange:
    """A legal state transition the store must apply in the same transaction as its audit event."""

    old_state: str
    new_state: str
    trigger: str
    """The TAXONOMY label that caused it, e.g. `cease_communication`."""
    reason: str
    """Machine-readable, e.g. `legal_trigger:dispute:not_mine`."""


@dataclass(frozen=True, kw_only=True)
class PromiseTerms:
    """A promise to record, checked against the ledger (amount <= balance, date in range)."""

    amount: Decimal
    currency: str
    date: date


@dataclass(frozen=True, kw_only=True)
class Decision:
    """What the agent does with one message, and why.

    `priority` is the queue band (0 self-harm risk, 1 legal triggers and complaints, 2 disputes
    and vulnerable or distressed debtors, 3 low confidence, 4 the rest); `rank` orders items
    inside a band (0-9, lower first; large balances come first). `escalate` also queues the
    thread for a person when a text is sent.
    """

    action: Action
    template: str | None
    reasons: tuple[str, ...]
    priority: int
    rank: int = 5
    escalate: bool
    state_change: StateChange | None = None
    suppress_channels: frozenset[str] = frozenset()
    promise: PromiseTerms | None = None
    plan: PlanTerms | None = None
    """Plan terms offered (`offer_plan`), accepted (`accept_plan`), or suggested to a person."""
    sla_hours: int


def legal_state_after(
    current: str, labels: frozenset[str] | set[str], dispute_type: str | None
) -> StateChange | None:
    """The account's new legal state after a message with these labels, or None if unchanged.

    The strongest trigger in the message wins, and it only replaces a weaker current state:
    a dispute never lifts a bankruptcy, a cease overrides a dispute hold. A channel opt-out is
    not a state (it is a suppression of that channel, see `Decision.suppress_channels`).

    Raises:
        UnknownLegalStateError: `current` is not one of `agent.facts.LEGAL_STATES`.
    """
    if current not in LEGAL_STATES:
        raise UnknownLegalStateError(
            f"unknown legal state {current!r}; expected one of {', '.join(LEGAL_STATES)}"
        )
    fired = [label for label in LEGAL_TRIGGERS if label in labels]
    if dispute_type is not None and "dispute" not in fired:
        fired.append("dispute")  # a dispute type without the label is still a dispute (recall)
    if not fired:
        return None
    trigger = min(fired, key=lambda label: STATE_PRECEDENCE[LEGAL_TRIGGERS[label]])
    new_state = LEGAL_TRIGGERS[trigger]
    if STATE_PRECEDENCE[new_state] >= STATE_PRECEDENCE.get(current, _UNRESTRICTED):
        return None
    reason = f"legal_trigger:{trigger}"
    if trigger == "dispute" and dispute_type:
        reason += f":{dispute_type}"
    return StateChange(old_state=current, new_state=new_state, trigger=trigger, reason=reason)


def decide(
    triage: TriageView,
    facts: AccountFacts | None,
    context: ThreadContext,
    *,
    settings: PolicySettings,
    proposal: Proposal | None = None,
    plan_on_table: PlanTerms | None = None,
    accepts_plan: bool = False,
) -> Decision:
    """Pick the action for one message. Pure: the caller applies state changes and sends.

    Args:
        proposal: the plan terms the message proposes (`agent.plans.parse_proposal`), read only
            when triage says `payment_plan_request`.
        plan_on_table: the plan offered to this account and not yet accepted, expired or
            withdrawn; `accepts_plan` says the message is a clear acceptance
            (`agent.plans.is_acceptance`). Only both together accept it (R28).

    Raises:
        UnknownLegalStateError: the account's stored legal state is not a known one.
    """
    labels = triage.labels
    verified = facts is not None and context.matched
    state_change = (
        legal_state_after(facts.legal_state, labels, triage.dispute_type)
        if facts is not None and verified
        else None
    )
    suppress: set[str] = set()
    reasons: list[str] = []
    if "channel_opt_out" in labels:
        suppress.add(context.channel)
        reasons.append(f"channel_opt_out:{context.channel}")
    if state_change is not None:
        reasons.append(state_change.reason)
        if state_change.new_state == "wrong_party":
            suppress.add(context.channel)  # R20: never write to that address again
    band = _band(triage, facts, state_change, settings)
    build = _Builder(
        band=band,
        rank=_rank(facts, settings),
        sla_hours=settings.sla_hours[band],
        state_change=state_change,
        suppress=frozenset(suppress),
        reasons=reasons,
    )

    if "auto_reply" in labels and not labels & _OVERRIDING_LABELS and not _self_harm(triage):
        return build.make("ignore", reasons=["auto_reply"], escalate=False)  # R44
    if facts is None or not context.matched:
        # R20: nothing that reveals a debt before the sender is verified; a person takes it.
        unverified = [f"legal_trigger:{label}" for label in LEGAL_TRIGGERS if label in labels]
        return build.escalate("unknown_sender", *unverified)
    if _self_harm(triage):
        return build.escalate("self_harm_risk")  # R25: no automated collection text at all

    state = state_change.new_state if state_change else facts.legal_state
    fresh = state_change is not None
    if state in _PERSON_ONLY_STATES:
        return build.escalate(*(() if fresh else (f"legal_state:{state}",)))
    if state == "cease":
        if fresh:
            # R13: one confirmation is allowed; a person still reviews the account.
            return build.make("confirm_cease", template="confirm_cease", escalate=True)
        return build.escalate("legal_state:cease")
    if "channel_opt_out" in labels:
        return _opt_out(triage, facts, context, settings, build)
    if state == "dispute_hold":
        if fresh:
            # R14: acknowledge (no collection content) and queue for verification.
            return build.make("acknowledge_dispute", template="acknowledge_dispute", escalate=True)
        return build.escalate("legal_state:dispute_hold")
    if context.channel in facts.opted_out_channels:
        return build.escalate(f"channel_opted_out:{context.channel}")
    if state in ("paid", "closed"):
        return build.escalate(f"account_{state}")
    if plan_on_table is not None and labels <= {"other"}:
        return _plan_reply(triage, facts, plan_on_table, accepts_plan, build)
    if triage.route != "auto":
        return build.escalate(*(triage.reasons or ("needs_person",)))
    if "payment_plan_request" in labels and labels <= _PLAN_ONLY:
        return _plan(triage, facts, context, settings, proposal or Proposal(), build)
    if "promise_to_pay" in labels and labels <= _PROMISE_ONLY:
        return _promise(triage, facts, context, settings, build)
    if "info_request" in labels and labels <= _INFO_ONLY:
        return _info(triage, facts, settings, build)
    return build.escalate(*(triage.reasons or ("needs_person",)))


@dataclass
class _Builder:
    """Holds what every branch of `decide` shares, so each branch states only its difference."""

    band: int
    rank: int
    sla_hours: int
    state_change: StateChange | None
    suppress: frozenset[str]
    reasons: list[str]

    def make(
        self,
        action: Action,
        *,
        template: str | None = None,
        escalate: bool,
        reasons: list[str] | tuple[str, ...] = (),
        promise: PromiseTerms | None = None,
        plan: PlanTerms | None = None,
    ) -> Decision:
        merged = tuple(dict.fromkeys([*self.reasons, *reasons]))
        return Decision(
            action=action,
            template=template,
            reasons=merged or ((action,) if action != "escalate" else ("needs_person",)),
            priority=self.band,
            rank=self.rank,
            escalate=escalate or action == "escalate",
            state_change=self.state_change,
            suppress_channels=self.suppress,
            promise=promise,
            plan=plan,
            sla_hours=self.sla_hours,
        )

    def escalate(self, *reasons: str) -> Decision:
        return self.make("escalate", escalate=True, reasons=list(reasons))


def _self_harm(triage: TriageView) -> bool:
    return "self_harm_risk" in triage.vulnerability


_DISTRESSED = 0.5


def _band(
    triage: TriageView,
    facts: AccountFacts | None,
    change: StateChange | None,
    settings: PolicySettings,
) -> int:
    labels = triage.labels
    if _self_harm(triage):
        return 0
    legal = {label for label in LEGAL_TRIGGERS if STATE_PRECEDENCE[LEGAL_TRIGGERS[label]] < 5}
    held = facts is not None and STATE_PRECEDENCE.get(facts.legal_state, _UNRESTRICTED) < 5
    if labels & legal or "complaint" in labels or held:
        return 1
    if labels & {"dispute", "validation_request"} or triage.dispute_type is not None:
        return 2
    if change is not None and change.new_state == "dispute_hold":
        return 2
    # R26: a vulnerable or distressed debtor waits no longer than a dispute does.
    if triage.vulnerability or triage.distress >= _DISTRESSED:
        return 2
    if not labels or min(triage.confidence(label) for label in labels) < (
        settings.min_auto_confidence
    ):
        return 3
    return 4


def _rank(facts: AccountFacts | None, settings: PolicySettings) -> int:
    if facts is None:
        return 5
    if facts.balance >= settings.very_high_balance:
        return 1
    if facts.balance >= settings.high_balance:
        return 3
    return 5


def _opt_out(
    triage: TriageView,
    facts: AccountFacts,
    context: ThreadContext,
    settings: PolicySettings,
    build: _Builder,
) -> Decision:
    """R05/R06: suppress the channel at once; at most one confirmation on it."""
    others = triage.labels - {"channel_opt_out", "other"}
    needs_person = bool(others) or build.state_change is not None
    extra = [f"also:{label}" for label in sorted(others)]
    if triage.confidence("channel_opt_out") < settings.min_auto_confidence:
        needs_person = True
        extra.append("low_confidence:channel_opt_out")
    if context.channel in facts.opted_out_channels:
        reasons = ["already_opted_out", *extra]
        if needs_person:
            return build.escalate(*reasons)
        return build.make("ignore", escalate=False, reasons=reasons)
    if context.channel == "sms" and not settings.send_sms_opt_out_confirmation:
        reasons = ["opt_out_confirmed_by_provider", *extra]
        if needs_person:
            return build.escalate(*reasons)
        return build.make("ignore", escalate=False, reasons=reasons)
    return build.make(
        "confirm_opt_out", template="confirm_opt_out", escalate=needs_person, reasons=extra
    )


def _promise(
    triage: TriageView,
    facts: AccountFacts,
    context: ThreadContext,
    settings: PolicySettings,
    build: _Builder,
) -> Decision:
    """R28: confirm only a complete promise that the ledger can honour; otherwise a person."""
    problem = _promise_problem(triage, facts, context, settings)
    if problem is not None:
        return build.escalate(problem)
    promise = triage.promise
    assert promise is not None and promise.amount is not None and promise.date is not None
    terms = PromiseTerms(amount=promise.amount, currency=facts.currency, date=promise.date)
    return build.make(
        "confirm_promise",
        template="confirm_promise",
        escalate=False,
        reasons=["clear_promise"],
        promise=terms,
    )


def _info(
    triage: TriageView, facts: AccountFacts, settings: PolicySettings, build: _Builder
) -> Decision:
    """Answer a verified debtor's question from the ledger (the balance) and the knowledge base.

    Only on an account in good standing: any legal state was handled before this point, and a
    debtor on a plan or in hardship gets a person, who can answer with the whole picture.
    """
    if facts.legal_state != "active":
        return build.escalate(f"info_request_in:{facts.legal_state}")
    if triage.confidence("info_request") < settings.min_auto_confidence:
        return build.escalate("low_confidence:info_request")
    if triage.vulnerability:
        return build.escalate(*(f"vulnerability:{v}" for v in triage.vulnerability))
    return build.make("send_info", template="info_reply", escalate=False, reasons=["info_request"])


def _promise_problem(
    triage: TriageView, facts: AccountFacts, context: ThreadContext, settings: PolicySettings
) -> str | None:
    promise = triage.promise
    if not settings.auto_confirm_promises:
        return "auto_confirm_disabled"
    if triage.confidence("promise_to_pay") < settings.min_auto_confidence:
        return "low_confidence:promise_to_pay"
    if promise is None or promise.amount is None or promise.date is None:
        return "promise_incomplete"
    if promise.amount <= 0:
        return "promise_amount_invalid"
    if promise.currency is not None and promise.currency.upper() != facts.currency.upper():
        return "promise_currency_mismatch"
    if promise.amount > facts.balance:
        return "promise_exceeds_balance"
    if context.received_at is None:
        return "promise_date_unverifiable"
    try:
        today = context.received_at.astimezone(ZoneInfo(facts.timezone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return "unknown_timezone"
    if promise.date < today:
        return "promise_date_in_past"
    if promise.date > today + timedelta(days=settings.max_promise_days):
        return "promise_date_beyond_policy"
    return None


def _plan_reply(
    triage: TriageView,
    facts: AccountFacts,
    plan: PlanTerms,
    accepts: bool,
    build: _Builder,
) -> Decision:
    """R28: the reply to an offer. Only a clear, calm acceptance accepts; the rest is a person's.

    Triage often has low confidence on a bare "ok" (it could mean anything), so this runs before
    the route check; it stays safe because nothing but an unclassified reply gets here and the
    text itself must be acceptance words only.
    """
    unsafe = set(triage.reasons) - {"low_confidence"}
    if not accepts or unsafe or triage.vulnerability or facts.legal_state != "active":
        why = "plan_reply_unclear" if not accepts else "plan_acceptance_needs_person"
        return build.escalate(why, *sorted(unsafe))
    decision = build.make(
        "accept_plan", template="plan_accepted", escalate=False, reasons=["plan_accepted"],
        plan=plan,
    )
    change = StateChange(
        old_state=facts.legal_state,
        new_state="payment_plan",
        trigger="plan_acceptance",
        reason="plan_accepted",
    )
    return replace(decision, state_change=change, reasons=(*decision.reasons, change.reason))


def _plan(
    triage: TriageView,
    facts: AccountFacts,
    context: ThreadContext,
    settings: PolicySettings,
    proposal: Proposal,
    build: _Builder,
) -> Decision:
    """R28: offer the debtor's own terms when inside the limits, the nearest ones when not."""
    limits = settings.plans
    if not limits.enabled:
        return build.escalate("plans_disabled")
    if facts.legal_state != "active":
        return build.escalate(f"plan_request_in:{facts.legal_state}")
    if triage.confidence("payment_plan_request") < settings.min_auto_confidence:
        return build.escalate("low_confidence:payment_plan_request")
    if context.received_at is None:
        return build.escalate("plan_date_unverifiable")
    try:
        today = context.received_at.astimezone(ZoneInfo(facts.timezone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return build.escalate("unknown_timezone")
    outcome = compute_plan(
        proposal, balance=facts.balance, currency=facts.currency, today=today, settings=limits
    )
    if outcome.verdict == "escalate" or outcome.terms is None:
        decision = build.escalate(*outcome.reasons)
        return replace(decision, plan=outcome.terms)
    return build.make(
        "offer_plan",
        template="plan_offer",
        escalate=False,
        reasons=list(outcome.reasons),
        plan=outcome.terms,
    )
