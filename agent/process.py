"""One inbound message's way through the house: store, triage, decide, guard, outbox or queue.

Each stage of one message runs in one transaction with its audit events, so a crash leaves the
message either untouched (`received`, picked up again on restart) or fully processed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent import guard, policy, templates
from agent.config import GuardSettings, PolicySettings
from agent.facts import AccountFacts, ThreadContext
from agent.ledger import active_suppressions, load_facts
from channels.base import InboundMessage
from channels.sms import sms_keyword
from nlp.model import Triage
from nlp.references import redact
from nlp.triage import triage
from store import audit, outbox, queue
from store.db import Database
from store.inbox import VERIFIED_METHODS, store_inbound
from store.models import (
    Account,
    Debtor,
    LegalStateChange,
    Message,
    OutboxItem,
    Promise,
    Suppression,
    Thread,
    TriageResult,
)
from store.models import Decision as DecisionRow

log = logging.getLogger(__name__)
NEEDS_PERSON_PROBLEMS = ("malformed_mime", "unknown_charset", "empty_body", "too_large")


class GuardBlocked(Exception):
    """A text failed the guard; it was not sent. The message lists every failed rule."""

    def __init__(self, verdict: guard.Verdict) -> None:
        reasons = "; ".join(f"{f.rule}: {f.reason}" for f in verdict.failures)
        super().__init__(f"blocked by the guard: {reasons}")
        self.verdict = verdict


@dataclass(frozen=True)
class Outcome:
    """What happened to one message, for the demo table and the tests."""

    message_id: int
    labels: tuple[str, ...]
    action: str
    reasons: tuple[str, ...]
    reply: str | None
    queued: bool


def redacted(message: InboundMessage) -> InboundMessage:
    """Card, bank and security numbers never reach the store, the audit log or a prompt.

    The raw bytes cannot be masked reliably (MIME encodings), so when the text held such a
    number the raw copy is not kept at all and the message says so in its problems.
    """
    body, subject = redact(message.body), redact(message.subject)
    if body == message.body and subject == message.subject:
        return message
    return replace(
        message,
        body=body,
        subject=subject,
        raw=b"",
        problems=(*message.problems, "raw_dropped:payment_data"),
    )


class Processor:
    def __init__(
        self,
        db: Database,
        *,
        guard_settings: GuardSettings,
        policy_settings: PolicySettings,
        from_address: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db = db
        self.guard_settings = guard_settings
        self.policy_settings = policy_settings
        self.from_address = from_address
        self.clock = clock

    def receive(self, message: InboundMessage) -> bool:
        """Store durably; False when this external id was stored before."""
        with self.db.transaction() as session:
            return store_inbound(session, redacted(message)) is not None

    def pending_ids(self, limit: int = 100) -> list[int]:
        with self.db.transaction() as session:
            return list(
                session.execute(
                    select(Message.id)
                    .where(Message.status == "received", Message.direction == "in")
                    .order_by(Message.id)
                    .limit(limit)
                )
                .scalars()
                .all()
            )

    def process_pending(self, limit: int = 100) -> list[Outcome]:
        return [o for o in (self.process(mid) for mid in self.pending_ids(limit)) if o]

    def process(self, message_id: int) -> Outcome | None:
        try:
            with self.db.transaction() as session:
                return self._process(session, message_id)
        except Exception as exc:
            log.exception("processing message %s failed", message_id)
            with self.db.transaction() as session:
                message = session.get(Message, message_id)
                if message is None or message.status != "received":
                    return None
                message.status = "failed"
                audit.record(
                    session,
                    "message.failed",
                    thread_id=message.thread_id,
                    message_id=message.id,
                    data={"error": f"{type(exc).__name__}: {exc}"[:2000]},
                )
                queue.enqueue(
                    session,
                    thread_id=message.thread_id,
                    message_id=message.id,
                    reasons=["processing_error"],
                    priority=1,
                )
            return Outcome(message_id, (), "escalate", ("processing_error",), None, True)

    def _process(self, session: Session, message_id: int) -> Outcome | None:
        message = session.execute(
            select(Message).where(Message.id == message_id).with_for_update()
        ).scalar()
        if message is None or message.status != "received":
            return None
        thread = session.get(Thread, message.thread_id)
        assert thread is not None
        now = self.clock()
        verified = message.match_method in VERIFIED_METHODS and thread.debtor_id is not None
        account = session.get(Account, thread.account_id) if thread.account_id else None

        result = self._triage(session, message, thread)
        keyword = sms_keyword(message.body) if message.channel == "sms" else None
        if keyword == "start":
            self._lift_sms_opt_out(session, message, thread)
        facts = load_facts(session, account, now=now) if account and verified else None
        context = ThreadContext(
            channel=message.channel,
            matched=verified,
            match_method=message.match_method,
            received_at=message.received_at,
        )
        decision = policy.decide(result, facts, context, settings=self.policy_settings)
        reasons = list(decision.reasons)
        problems = [p for p in message.problems if p.split(":")[0] in NEEDS_PERSON_PROBLEMS]
        if problems and decision.action != "ignore":
            reasons.extend(f"message_problem:{p}" for p in problems)
        session.add(
            DecisionRow(
                message_id=message.id,
                action=decision.action,
                reasons=reasons,
                priority=decision.priority,
                created_at=now,
            )
        )
        audit.record(
            session,
            "decision",
            actor="agent",
            thread_id=thread.id,
            message_id=message.id,
            account_id=thread.account_id,
            data={
                "action": decision.action,
                "template": decision.template,
                "reasons": reasons,
                "priority": decision.priority,
                "escalate": decision.escalate,
            },
        )
        if account is not None and verified and facts is not None:
            if self._apply_state(session, decision, account, message, thread):
                facts = load_facts(session, account, now=now)
            if self._record_promise(session, decision, account, message, thread):
                assert decision.promise is not None
                facts = facts.with_terms(
                    amounts=(decision.promise.amount,), dates=(decision.promise.date,)
                )
        self._apply_suppressions(session, decision, message, thread)

        reply_text: str | None = None
        needs_person = decision.action == "escalate" or decision.escalate or bool(problems)
        template = decision.template
        if keyword == "help" and not template:
            template = "sms_help"
        if template and not problems:
            draft = templates.render(
                template,
                message.channel,
                facts,
                decision,
                self.policy_settings,
                guard=self.guard_settings,
            )
            verdict = self._check(session, draft.body, message.channel, facts, template, thread)
            if verdict.allowed:
                outbox.enqueue(
                    session,
                    thread=thread,
                    channel=message.channel,
                    recipient=thread.address,
                    subject=message.subject or draft.subject or "",
                    body=draft.body,
                    kind=template,
                    author="agent",
                    from_address=self.from_address,
                    account_id=thread.account_id,
                    reply_to=message,
                    send_after=verdict.send_after,
                )
                reply_text = draft.body
            else:
                needs_person = True
                reasons.extend(f"guard:{f.rule}" for f in verdict.failures)
        if needs_person:
            queue.enqueue(
                session,
                thread_id=thread.id,
                message_id=message.id,
                reasons=reasons or ["needs_person"],
                priority=decision.priority,
                account_id=thread.account_id,
            )
        message.status = "processed"
        return Outcome(
            message.id,
            tuple(sorted(result.labels)),
            decision.action,
            tuple(reasons),
            reply_text,
            needs_person,
        )

    def _triage(self, session: Session, message: Message, thread: Thread) -> Triage:
        result = triage(
            message.body,
            subject=message.subject,
            channel=message.channel,
            received_at=message.received_at,
            message_id=str(message.id),
        )
        payload = result.to_json()
        session.add(
            TriageResult(
                message_id=message.id, engine=result.engine, result=payload, created_at=self.clock()
            )
        )
        audit.record(
            session,
            "triage",
            actor=f"nlp:{result.engine}",
            thread_id=thread.id,
            message_id=message.id,
            account_id=thread.account_id,
            data={"engine": result.engine, "result": payload},
        )
        return result

    def _apply_state(
        self,
        session: Session,
        decision: policy.Decision,
        account: Account,
        message: Message,
        thread: Thread,
    ) -> bool:
        change = decision.state_change
        if change is None or change.new_state == account.legal_state:
            return False
        old = account.legal_state
        account.legal_state = change.new_state
        session.add(
            LegalStateChange(
                account_id=account.id,
                message_id=message.id,
                old_state=old,
                new_state=change.new_state,
                reason=change.reason,
                created_at=self.clock(),
            )
        )
        audit.record(
            session,
            "account.legal_state",
            thread_id=thread.id,
            message_id=message.id,
            account_id=account.id,
            data={"from": old, "to": change.new_state, "reason": change.reason},
        )
        return True

    def _record_promise(
        self,
        session: Session,
        decision: policy.Decision,
        account: Account,
        message: Message,
        thread: Thread,
    ) -> bool:
        promise = decision.promise
        if promise is None:
            return False
        session.add(
            Promise(
                account_id=account.id,
                message_id=message.id,
                amount=promise.amount,
                currency=promise.currency or account.currency,
                due_date=promise.date,
                status="pending",
                created_at=self.clock(),
            )
        )
        audit.record(
            session,
            "promise.recorded",
            thread_id=thread.id,
            message_id=message.id,
            account_id=account.id,
            data={
                "amount": str(promise.amount) if promise.amount is not None else None,
                "currency": promise.currency or account.currency,
                "date": promise.date.isoformat() if promise.date else None,
            },
        )
        return True

    def _apply_suppressions(
        self, session: Session, decision: policy.Decision, message: Message, thread: Thread
    ) -> None:
        channels: Iterable[str] = decision.suppress_channels
        addresses = self._debtor_addresses(session, thread, message)
        for channel in channels:
            address = addresses.get(channel)
            if not address:
                continue
            if any(s.channel == channel for s in active_suppressions(session, [address])):
                continue
            session.add(
                Suppression(
                    channel=channel,
                    address=address,
                    kind="opt_out",
                    debtor_id=thread.debtor_id,
                    message_id=message.id,
                    created_at=self.clock(),
                )
            )
            audit.record(
                session,
                "suppression.added",
                thread_id=thread.id,
                message_id=message.id,
                account_id=thread.account_id,
                data={"channel": channel, "address": address, "kind": "opt_out"},
            )

    def _debtor_addresses(
        self, session: Session, thread: Thread, message: Message
    ) -> dict[str, str]:
        addresses = {message.channel: message.sender}
        debtor = session.get(Debtor, thread.debtor_id) if thread.debtor_id else None
        if debtor is not None:
            if debtor.email:
                addresses.setdefault("email", debtor.email)
            if debtor.phone:
                addresses.setdefault("sms", debtor.phone)
        return addresses

    def _lift_sms_opt_out(self, session: Session, message: Message, thread: Thread) -> None:
        for suppression in active_suppressions(session, [message.sender]):
            if suppression.channel == "sms" and suppression.kind == "opt_out":
                suppression.lifted_at = self.clock()
                audit.record(
                    session,
                    "suppression.lifted",
                    thread_id=thread.id,
                    message_id=message.id,
                    account_id=thread.account_id,
                    data={"channel": "sms", "address": message.sender, "by": "START"},
                )

    def _check(
        self,
        session: Session,
        text: str,
        channel: str,
        facts: AccountFacts | None,
        kind: str,
        thread: Thread,
        actor: str = "agent",
    ) -> guard.Verdict:
        verdict = guard.check(
            text,
            channel=channel,
            facts=facts,
            kind=kind,
            now=self.clock(),
            settings=self.guard_settings,
        )
        audit.record(
            session,
            "guard.verdict",
            actor=actor,
            thread_id=thread.id,
            account_id=thread.account_id,
            data={
                "allowed": verdict.allowed,
                "kind": kind,
                "failures": [
                    {"rule": f.rule, "reason": f.reason, "excerpt": f.excerpt}
                    for f in verdict.failures
                ],
                "send_after": verdict.send_after.isoformat() if verdict.send_after else None,
            },
        )
        return verdict

    def reply_from_person(self, item_id: int, text: str, *, actor: str) -> OutboxItem:
        """A collector's reply takes the same path as the agent's: guard, then outbox."""
        with self.db.transaction() as session:
            item = queue.get(session, item_id)
            if item.status != "open":
                raise queue.QueueItemClosed(item_id)
            thread = session.get(Thread, item.thread_id)
            assert thread is not None
            account = session.get(Account, thread.account_id) if thread.account_id else None
            facts = load_facts(session, account) if account else None
            verdict = self._check(
                session, text, thread.channel, facts, "collector_reply", thread, actor=actor
            )
            if verdict.allowed:
                reply_to = session.get(Message, item.message_id) if item.message_id else None
                return outbox.enqueue(
                    session,
                    thread=thread,
                    channel=thread.channel,
                    recipient=thread.address,
                    subject=reply_to.subject if reply_to else thread.subject,
                    body=text,
                    kind="collector_reply",
                    author=actor,
                    from_address=self.from_address,
                    account_id=thread.account_id,
                    reply_to=reply_to,
                    send_after=verdict.send_after,
                )
        raise GuardBlocked(verdict)

    def recheck(self, session: Session, item: OutboxItem) -> guard.Verdict:
        """Re-run the guard at send time: the account's state may have changed since queueing."""
        thread = session.get(Thread, item.thread_id)
        assert thread is not None
        account = session.get(Account, item.account_id) if item.account_id else None
        facts = load_facts(session, account, now=self.clock()) if account else None
        return self._check(session, item.body, item.channel, facts, item.kind, thread)

    def triage_of(self, session: Session, message_id: int) -> dict[str, Any] | None:
        row = session.execute(
            select(TriageResult.result)
            .where(TriageResult.message_id == message_id)
            .order_by(TriageResult.id.desc())
        ).first()
        return dict(row[0]) if row else None
