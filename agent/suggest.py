"""A suggested reply for a queued thread: a draft the collector can edit, never sent by itself.

The issue asks that each escalated item comes with a draft, so the collector starts from
lawful words rather than a blank page. The draft is a template from prompts/ filled with ledger
facts only, chosen by what the message is about (hardship, a call request, anything else), and
checked by the guard as what it will become: a collector's reply. A draft that fails the guard
is still offered (the collector may fix one word) and the audit event names its failed rules;
the guard checks the collector's final text again when it is sent.

No draft is suggested where a template would be the wrong start (COMPLIANCE.md §2): a sender
not verified as the debtor (R20, no debt content to a third party), self-harm risk (R25, a
person writes that one), bankruptcy, deceased, attorney, cease or wrong party, or a message that
could not be read (it may be any of those).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from agent import guard, templates
from agent.config import GuardSettings, PolicySettings
from agent.facts import AccountFacts, TriageView
from agent.policy import LEGAL_TRIGGERS, Decision
from store import audit

__all__ = [
    "CHECKED_AS",
    "NO_TEMPLATE_STATES",
    "Suggestion",
    "choose_template",
    "draft_for_person",
    "suggest",
    "withheld_reason",
]

log = logging.getLogger(__name__)

# The guard kind the suggestion is checked as: it only ever leaves as a collector's reply.
CHECKED_AS = "collector_reply"
# Legal states in which the next words to the debtor (or nobody) are a person's own.
NO_TEMPLATE_STATES = frozenset({"bankruptcy", "deceased", "attorney", "cease", "wrong_party"})
# Triggers of those states: withheld even when the state did not change (a stronger one holds).
_NO_TEMPLATE_LABELS = frozenset(
    label for label, state in LEGAL_TRIGGERS.items() if state in NO_TEMPLATE_STATES
)
# R26: these signals get the softer, forbearance-first draft even without a hardship label.
_DISTRESS_FOR_HARDSHIP = 0.5


@dataclass(frozen=True, kw_only=True)
class Suggestion:
    """A rendered draft and the guard's verdict on it as a collector's reply."""

    template: str
    channel: str
    subject: str | None
    body: str
    verdict: guard.Verdict

    @property
    def failed_rules(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.rule for f in self.verdict.failures))

    def audit_data(self) -> dict[str, Any]:
        send_after = self.verdict.send_after
        return {
            "template": self.template,
            "channel": self.channel,
            "checked_as": CHECKED_AS,
            "allowed": self.verdict.allowed,
            "failed_rules": list(self.failed_rules),
            "failures": [{"rule": f.rule, "reason": f.reason} for f in self.verdict.failures],
            "send_after": send_after.isoformat() if send_after else None,
        }


def withheld_reason(
    triage: TriageView,
    decision: Decision,
    facts: AccountFacts | None,
    *,
    verified: bool,
    unreadable: bool = False,
) -> str | None:
    """Why no draft may be suggested for this message, or None when one may."""
    if facts is None or not verified:
        return "unverified_sender"
    if (
        "self_harm_risk" in triage.vulnerability
        or "self_harm_risk" in decision.reasons
        or decision.priority == 0
    ):
        return "self_harm_risk"
    state = decision.state_change.new_state if decision.state_change else facts.legal_state
    if state in NO_TEMPLATE_STATES:
        return f"legal_state:{state}"
    fired = sorted(triage.labels & _NO_TEMPLATE_LABELS)
    if fired:
        return f"legal_trigger:{fired[0]}"
    if unreadable:
        return "message_unreadable"
    return None


def choose_template(triage: TriageView) -> str:
    """Hardship and vulnerability first (R26/R27 tone), then a call request, else holding."""
    if (
        "hardship" in triage.labels
        or triage.vulnerability
        or triage.distress >= _DISTRESS_FOR_HARDSHIP
    ):
        return "hardship_reply"
    if "callback_request" in triage.labels:
        return "callback_ack"
    return "holding_reply"


def suggest(
    triage: TriageView,
    decision: Decision,
    facts: AccountFacts | None,
    *,
    channel: str,
    verified: bool,
    now: datetime,
    policy_settings: PolicySettings,
    guard_settings: GuardSettings,
    unreadable: bool = False,
    directory: Path = templates.PROMPTS_DIR,
) -> Suggestion | None:
    """The draft for a person, with its guard verdict; None when `withheld_reason` says so.

    Raises:
        templates.TemplateError: the template file is missing or malformed.
    """
    if withheld_reason(triage, decision, facts, verified=verified, unreadable=unreadable):
        return None
    assert facts is not None  # withheld_reason returns a reason for an unverified sender
    name = choose_template(triage)
    draft = templates.render(
        name, channel, facts, None, policy_settings, guard=guard_settings, directory=directory
    )
    verdict = guard.check(
        draft.body, channel=channel, facts=facts, kind=CHECKED_AS, now=now,
        settings=guard_settings,
    )
    return Suggestion(
        template=name, channel=channel, subject=draft.subject, body=draft.body, verdict=verdict
    )


def draft_for_person(
    session: Session,
    triage: TriageView,
    decision: Decision,
    facts: AccountFacts | None,
    *,
    channel: str,
    verified: bool,
    now: datetime,
    policy_settings: PolicySettings,
    guard_settings: GuardSettings,
    thread_id: int,
    message_id: int,
    account_id: str | None,
    unreadable: bool = False,
) -> str:
    """The queue item's draft ("" for none), with an audit event saying what was suggested.

    A broken template file must not stop the message from reaching the queue: it is logged and
    audited, and the item gets no draft.
    """
    reason = withheld_reason(triage, decision, facts, verified=verified, unreadable=unreadable)

    def record(kind: str, data: dict[str, Any]) -> None:
        audit.record(
            session, kind, actor="agent", thread_id=thread_id, message_id=message_id,
            account_id=account_id, data=data,
        )  # fmt: skip

    if reason is not None:
        record("suggestion.withheld", {"reason": reason})
        return ""
    try:
        suggestion = suggest(
            triage, decision, facts, channel=channel, verified=verified, now=now,
            policy_settings=policy_settings, guard_settings=guard_settings,
        )  # fmt: skip
    except templates.TemplateError as exc:
        log.exception("could not draft a suggestion for message %s", message_id)
        record("suggestion.failed", {"error": str(exc)[:2000]})
        return ""
    assert suggestion is not None
    record("suggestion.drafted", suggestion.audit_data())
    return suggestion.body
