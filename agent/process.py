"""One inbound message's way through the house: store, triage, decide, guard, outbox or queue.

Each stage of one message runs in one transaction with its audit events, so a crash leaves the
message either untouched (`received`, picked up again on restart) or fully processed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent import guard, plans, policy, suggest, templates
from agent.config import GuardSettings, PolicySettings
from agent.facts import AccountFacts, ThreadContext
from agent.knowledge import Passage, Retriever, select_passages, sms_excerpt
from agent.ledger import active_suppressions, load_facts
from agent.llm import Rephraser, rephrase_within_frame
from channels.base import InboundMessage
from channels.sms import sms_keyword
from nlp.clean import clean_text
from nlp.engine import default_engine
from nlp.model import Triage
from nlp.references import redact
from store import audit, outbox, queue
from store.db import Database
from store.inbox import VERIFIED_METHODS, store_inbound
from store.models import (
    Account,
    Debtor,
    LegalStateChange,
    Message,
    OutboxItem,
    PaymentPlan,
    Promise,
    PromiseTracking,
    Suppression,
    Thread,
    TriageResult,
)
from store.models import Decision as DecisionRow

log = logging.getLogger(__name__)
NEEDS_PERSON_PROBLEMS = ("malformed_mime", "unknown_charset", "empty_body", "too_large")
# Rules a knowledge-base passage itself can break; the others depend on the account, not the text.
_PASSAGE_RULES = frozenset({"prohibited_language", "amounts_match_ledger", "dates_match", "length"})
# Texts the law fixes closely (R06, R07, R13, R14): sent as written, never reworded by a model.
_NOT_REPHRASED = frozenset({"confirm_opt_out", "confirm_cease", "sms_help", "acknowledge_dispute"})


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
        retriever: Retriever | None = None,
        rephraser: Rephraser | None = None,
    ) -> None:
        """`retriever` None: information requests go to a person (no grounded replies).
        `rephraser` None: templates are sent as written (Parley is complete without an LLM)."""
        self.db = db
        self.retriever = retriever
        self.rephraser = rephraser
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

        debtor = session.get(Debtor, thread.debtor_id) if thread.debtor_id else None
        result = self._triage(session, message, thread, debtor)
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
        offered = self._plan_on_table(session, account, now) if facts is not None else None
        on_table = plans.PlanTerms.from_json(offered.terms) if offered is not None else None
        decision = policy.decide(
            result,
            facts,
            context,
            settings=self.policy_settings,
            proposal=(
                plans.parse_proposal(message.body)
                if "payment_plan_request" in result.labels
                else None
            ),
            plan_on_table=on_table,
            accepts_plan=on_table is not None and plans.is_acceptance(message.body),
        )
        if decision.action == "send_info" and self.retriever is None:
            decision = replace(
                decision,
                action="escalate",
                template=None,
                escalate=True,
                reasons=(*decision.reasons, "no_knowledge_base"),
            )
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
        plan_row: PaymentPlan | None = None
        if account is not None and verified and facts is not None:
            if self._apply_state(session, decision, account, message, thread):
                if account.legal_state not in ("active", "payment_plan"):
                    self._withdraw_offers(session, account, message, thread, account.legal_state)
                facts = load_facts(session, account, now=now)
            plan_row = self._record_plan(session, decision, account, message, thread, offered)
            if decision.plan is not None and decision.action in ("offer_plan", "accept_plan"):
                facts = facts.with_terms(amounts=decision.plan.amounts, dates=decision.plan.dates)
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
        draft = (
            self._draft(session, template, message, thread, facts, decision)
            if template and not problems
            else None
        )
        if template and not problems and draft is None:
            needs_person = True
            reasons.append("no_grounding")
        if template and draft is not None:
            verdict = self._check(session, draft.body, message.channel, facts, template, thread)
            if verdict.allowed:
                sent = outbox.enqueue(
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
                if plan_row is not None and decision.action == "offer_plan":
                    plan_row.outbox_id = sent.id
            else:
                needs_person = True
                reasons.extend(f"guard:{f.rule}" for f in verdict.failures)
        if plan_row is not None and decision.action == "offer_plan" and plan_row.outbox_id is None:
            # An offer the debtor never saw must not be accepted by their next "ok".
            self._close_plan(session, plan_row, "expired", message, "offer_not_sent")
        if needs_person:
            person_draft = self._plan_draft(decision, message.channel, facts)
            if not person_draft and reply_text is None:
                person_draft = suggest.draft_for_person(
                    session, result, decision, facts, channel=message.channel,
                    verified=verified, now=now, policy_settings=self.policy_settings,
                    guard_settings=self.guard_settings, thread_id=thread.id,
                    message_id=message.id, account_id=thread.account_id,
                    unreadable=bool(problems),
                )  # fmt: skip
            queue.enqueue(
                session,
                thread_id=thread.id,
                message_id=message.id,
                reasons=reasons or ["needs_person"],
                priority=decision.priority,
                draft=person_draft,
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

    def _draft(
        self,
        session: Session,
        template: str,
        message: Message,
        thread: Thread,
        facts: AccountFacts | None,
        decision: policy.Decision,
    ) -> templates.Draft | None:
        """The reply's text: the template, grounded in passages for an info reply, then
        reworded by the LLM when one is configured and its wording is safe.

        None when an email info reply finds no passage to ground it: a person answers instead.
        An SMS has room for a passage's first sentence at most (the disclosure takes half of two
        segments); when none fits, the text gives the ledger balance and the payment link only.
        """
        channel = message.channel
        passages: list[Passage] = []

        def render(chosen: Sequence[Passage] = ()) -> templates.Draft:
            texts = [sms_excerpt(p.text) if channel == "sms" else p.text for p in chosen]
            return templates.render(
                template,
                channel,
                facts,
                decision,
                self.policy_settings,
                guard=self.guard_settings,
                passages=texts,
            )

        def failed_rules(text: str) -> tuple[str, ...]:
            verdict = guard.check(
                text,
                channel=channel,
                facts=facts,
                kind=template,
                now=self.clock(),
                settings=self.guard_settings,
            )
            return tuple(f.rule for f in verdict.failures)

        if template == "info_reply":
            if self.retriever is None:
                return None
            try:
                passages = select_passages(
                    self.retriever,
                    clean_text(message.body).text,
                    fits=lambda chosen: not _PASSAGE_RULES & set(failed_rules(render(chosen).body)),
                    limit=2 if channel == "email" else 1,
                )
            except Exception:
                log.exception("knowledge base search failed for message %s", message.id)
            audit.record(
                session,
                "reply.grounded",
                thread_id=thread.id,
                message_id=message.id,
                account_id=thread.account_id,
                data={
                    "template": template,
                    "sources": [p.source for p in passages],
                    "headings": [p.heading for p in passages],
                    "chunk_ids": [p.chunk_id for p in passages],
                    "scores": [p.score for p in passages],
                },
            )
            if not passages and channel == "email":
                return None
        draft = render(passages)
        if self.rephraser is not None and template not in _NOT_REPHRASED:
            result = rephrase_within_frame(
                draft.body, channel=channel, rephraser=self.rephraser, allowed=failed_rules
            )
            audit.record(
                session,
                "llm.rephrase",
                actor=f"llm:{self.rephraser.name}",
                thread_id=thread.id,
                message_id=message.id,
                account_id=thread.account_id,
                data={
                    "template": template,
                    "used": result.used_llm,
                    "reason": result.reason,
                    "failed_rules": list(result.failed_rules),
                },
            )
            draft = replace(draft, body=result.text)
        return draft

    def _triage(
        self, session: Session, message: Message, thread: Thread, debtor: Debtor | None
    ) -> Triage:
        # Relative dates ("Friday", "the 15th") are the debtor's, so resolve them in their zone.
        result = default_engine().triage(
            message.body,
            subject=message.subject,
            channel=message.channel,
            received_at=message.received_at,
            message_id=str(message.id),
            timezone=debtor.timezone if debtor is not None else None,
        )
        # The explained form keeps the words behind each label, for the console to highlight.
        payload = result.to_json(explain=True)
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

    def _plan_on_table(
        self, session: Session, account: Account | None, now: datetime
    ) -> PaymentPlan | None:
        """The account's live offer; an offer past its validity expires here (audited)."""
        if account is None:
            return None
        rows = session.execute(
            select(PaymentPlan)
            .where(PaymentPlan.account_id == account.id, PaymentPlan.status == "offered")
            .order_by(PaymentPlan.id.desc())
        ).scalars()
        live: PaymentPlan | None = None
        for row in rows:
            if live is None and row.expires_at > now:
                try:
                    plans.PlanTerms.from_json(row.terms)
                except plans.PlanTermsError:
                    log.warning("payment plan %s has unreadable terms; expiring it", row.id)
                else:
                    live = row
                    continue
            self._close_plan(session, row, "expired", None, "offer_expired")
        return live

    def _close_plan(
        self,
        session: Session,
        row: PaymentPlan,
        status: str,
        message: Message | None,
        reason: str,
    ) -> None:
        row.status = status
        row.decided_at = self.clock()
        if message is not None:
            row.response_message_id = message.id
        audit.record(
            session,
            f"plan.{status}",
            thread_id=row.thread_id,
            message_id=message.id if message is not None else None,
            account_id=row.account_id,
            data={"plan_id": row.id, "reason": reason},
        )

    def _withdraw_offers(
        self, session: Session, account: Account, message: Message, thread: Thread, state: str
    ) -> None:
        """R13/R14/R17/R18: a legal trigger takes every offer off the table; "ok" accepts none."""
        rows = session.execute(
            select(PaymentPlan).where(
                PaymentPlan.account_id == account.id, PaymentPlan.status == "offered"
            )
        ).scalars()
        for row in rows:
            self._close_plan(session, row, "expired", message, f"legal_state:{state}")

    def _record_plan(
        self,
        session: Session,
        decision: policy.Decision,
        account: Account,
        message: Message,
        thread: Thread,
        offered: PaymentPlan | None,
    ) -> PaymentPlan | None:
        """Store an offer (replacing an older one) or apply an acceptance: plan and promises."""
        plan = decision.plan
        if plan is None:
            return None
        now = self.clock()
        if decision.action == "offer_plan":
            if offered is not None:
                self._close_plan(session, offered, "expired", message, "superseded")
            row = PaymentPlan(
                account_id=account.id,
                thread_id=thread.id,
                message_id=message.id,
                kind=plan.kind,
                verdict="counter" if any(":counter:" in r for r in decision.reasons) else "accept",
                status="offered",
                terms=plan.to_json(),
                created_at=now,
                expires_at=now + timedelta(days=self.policy_settings.plans.offer_valid_days),
            )
            session.add(row)
            session.flush()
            audit.record(
                session,
                "plan.offered",
                thread_id=thread.id,
                message_id=message.id,
                account_id=account.id,
                data={"plan_id": row.id, "verdict": row.verdict, "terms": row.terms,
                      "reasons": list(decision.reasons)},
            )
            return row
        if decision.action == "accept_plan" and offered is not None:
            self._close_plan(session, offered, "accepted", message, "debtor_accepted")
            for instalment in plan.instalments:
                promise = Promise(
                    account_id=account.id,
                    message_id=message.id,
                    amount=instalment.amount,
                    currency=plan.currency,
                    due_date=instalment.due,
                    status="pending",
                    created_at=now,
                )
                session.add(promise)
                session.flush()
                session.add(PromiseTracking(promise_id=promise.id, plan_id=offered.id))
            audit.record(
                session,
                "promise.recorded",
                thread_id=thread.id,
                message_id=message.id,
                account_id=account.id,
                data={"plan_id": offered.id, "instalments": len(plan.instalments)},
            )
            return offered
        return None

    def _plan_draft(
        self, decision: policy.Decision, channel: str, facts: AccountFacts | None
    ) -> str:
        """A plan a person must approve comes with the computed offer as an editable draft."""
        if decision.action != "escalate" or decision.plan is None or facts is None:
            return ""
        terms = facts.with_terms(amounts=decision.plan.amounts, dates=decision.plan.dates)
        try:
            return templates.render(
                "plan_offer", channel, terms, decision, self.policy_settings,
                guard=self.guard_settings,
            ).body
        except templates.TemplateError:
            log.exception("could not draft the plan offer for a person")
            return ""

    def guarded_send(
        self,
        session: Session,
        *,
        thread: Thread,
        facts: AccountFacts,
        draft: templates.Draft,
        kind: str,
        author: str = "agent",
    ) -> guard.Verdict:
        """An unprompted text (a reminder, a follow-up): the guard, then the outbox if allowed.

        It is not an answer to a message, so it counts towards the 7-in-7 cap (R03).
        """
        verdict = self._check(session, draft.body, thread.channel, facts, kind, thread)
        if verdict.allowed:
            outbox.enqueue(
                session,
                thread=thread,
                channel=thread.channel,
                recipient=thread.address,
                subject=draft.subject or thread.subject or "",
                body=draft.body,
                kind=kind,
                author=author,
                from_address=self.from_address,
                account_id=thread.account_id,
                send_after=verdict.send_after,
            )
        return verdict

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

    def reply_from_person(
        self,
        item_id: int,
        text: str,
        *,
        actor: str,
        resolve_as: str | None = None,
        plan: plans.PlanTerms | None = None,
        plan_reasons: Sequence[str] = (),
    ) -> OutboxItem:
        """A collector's reply takes the same path as the agent's: guard, then outbox.

        With `resolve_as`, the queue item is closed in the same transaction as the send, so two
        people answering the same item at once cannot both send. With `plan` (terms computed by
        `plans.compute_plan`, which the text quotes), the guard accepts the plan's figures and
        the plan is recorded as offered with this outbox item, as for the agent's own offers, so
        the debtor's "yes" accepts it and the dispatcher's recheck still finds its figures.
        """
        with self.db.transaction() as session:
            item = queue.get(session, item_id)
            if item.status != "open":
                raise queue.QueueItemClosed(item_id)
            thread = session.get(Thread, item.thread_id)
            assert thread is not None
            account = session.get(Account, thread.account_id) if thread.account_id else None
            facts = load_facts(session, account) if account else None
            if plan is not None and facts is not None:
                facts = facts.with_terms(amounts=plan.amounts, dates=plan.dates)
            verdict = self._check(
                session, text, thread.channel, facts, "collector_reply", thread, actor=actor
            )
            if verdict.allowed:
                reply_to = session.get(Message, item.message_id) if item.message_id else None
                sent = outbox.enqueue(
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
                if plan is not None and account is not None and reply_to is not None:
                    offer = policy.Decision(
                        action="offer_plan",
                        template="plan_offer",
                        reasons=(*plan_reasons, f"plan:offered_by:{actor}"),
                        priority=4,
                        escalate=False,
                        plan=plan,
                        sla_hours=0,
                    )
                    offered = self._plan_on_table(session, account, self.clock())
                    row = self._record_plan(session, offer, account, reply_to, thread, offered)
                    if row is not None:
                        row.outbox_id = sent.id
                if resolve_as is not None:
                    queue.resolve(session, item_id, actor=actor, outcome=resolve_as)
                return sent
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
