"""Suggested drafts for escalated threads: the right words, never sent, withheld where a person
must write, and checked by the guard (on SQLite and PostgreSQL through the Processor)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from agent_fakes import facts, triage
from sqlalchemy import select

from agent.config import GuardSettings, PolicySettings
from agent.facts import ThreadContext
from agent.policy import decide
from agent.process import Processor
from agent.suggest import choose_template, suggest, withheld_reason
from channels.base import InboundMessage
from store.db import Database
from store.importer import import_accounts
from store.models import AuditEvent, OutboxItem, QueueItem, Suppression

NOON_NEW_YORK = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
GUARD = GuardSettings()
POLICY = PolicySettings(company_name="Acme Recovery Services")
VERIFIED = ThreadContext(channel="email", matched=True, received_at=NOON_NEW_YORK)


def _decide(view: Any, account: Any = None, context: ThreadContext = VERIFIED) -> Any:
    return decide(view, account if account is not None else facts(), context, settings=POLICY)


def test_template_follows_what_the_message_is_about() -> None:
    assert choose_template(triage("hardship")) == "hardship_reply"
    assert choose_template(triage("other", vulnerability=("bereavement",))) == "hardship_reply"
    assert choose_template(triage("complaint", distress=0.8)) == "hardship_reply"
    assert choose_template(triage("callback_request")) == "callback_ack"
    assert choose_template(triage("hardship", "callback_request")) == "hardship_reply"
    assert choose_template(triage("complaint")) == "holding_reply"


@pytest.mark.parametrize(
    ("view", "state", "expected"),
    [
        (triage("other", vulnerability=("self_harm_risk",), distress=1.0), "active",
         "self_harm_risk"),
        (triage("bankruptcy"), "active", "legal_state:bankruptcy"),
        (triage("deceased"), "active", "legal_state:deceased"),
        (triage("attorney_represented"), "active", "legal_state:attorney"),
        (triage("cease_communication"), "active", "legal_state:cease"),
        (triage("wrong_party"), "active", "legal_state:wrong_party"),
        (triage("other", confidence=0.4), "cease", "legal_state:cease"),
        (triage("other", confidence=0.4), "attorney", "legal_state:attorney"),
        # a weaker trigger on a stronger state changes nothing, and still no draft
        (triage("cease_communication"), "bankruptcy", "legal_state:bankruptcy"),
    ],
)  # fmt: skip
def test_no_draft_where_a_person_must_write(view: Any, state: str, expected: str) -> None:
    account = facts(legal_state=state)
    decision = _decide(view, account)
    assert withheld_reason(view, decision, account, verified=True) == expected
    suggested = suggest(
        view, decision, account, channel="email", verified=True, now=NOON_NEW_YORK,
        policy_settings=POLICY, guard_settings=GUARD,
    )  # fmt: skip
    assert suggested is None


def test_no_draft_for_an_unverified_sender_or_an_unreadable_message() -> None:
    view = triage("hardship")
    stranger = ThreadContext(channel="email", matched=False, received_at=NOON_NEW_YORK)
    decision = decide(view, None, stranger, settings=POLICY)
    assert withheld_reason(view, decision, None, verified=False) == "unverified_sender"
    assert withheld_reason(view, decision, facts(), verified=False) == "unverified_sender"
    decision = _decide(view)
    assert withheld_reason(view, decision, facts(), verified=True, unreadable=True) == (
        "message_unreadable"
    )


@pytest.mark.parametrize("channel", ["email", "sms"])
def test_hardship_draft_points_to_the_programme_and_passes_the_guard(channel: str) -> None:
    view = triage("hardship", vulnerability=("job_loss",), distress=0.7)
    decision = _decide(view)
    assert decision.action == "escalate"
    suggested = suggest(
        view, decision, facts(), channel=channel, verified=True, now=NOON_NEW_YORK,
        policy_settings=POLICY, guard_settings=GUARD,
    )  # fmt: skip
    assert suggested is not None
    assert suggested.template == "hardship_reply"
    assert "hardship programme" in suggested.body
    assert "$" not in suggested.body  # no amount pressed on a debtor in hardship (R27)
    assert GUARD.disclosure_for("US") in suggested.body
    assert suggested.verdict.allowed, suggested.verdict.failures
    assert suggested.audit_data()["allowed"] is True


def test_a_draft_that_fails_the_guard_is_still_offered_with_its_rules() -> None:
    account = facts(opted_out_channels=frozenset({"email"}), contact_attempts_7d=9)
    view = triage("callback_request")
    decision = _decide(view, account)
    suggested = suggest(
        view, decision, account, channel="email", verified=True, now=NOON_NEW_YORK,
        policy_settings=POLICY, guard_settings=GUARD,
    )  # fmt: skip
    assert suggested is not None and suggested.template == "callback_ack"
    assert not suggested.verdict.allowed
    assert set(suggested.failed_rules) == {"channel_permitted", "frequency_cap"}
    assert suggested.audit_data()["failed_rules"] == list(suggested.failed_rules)


# --- through the Processor, on SQLite and PostgreSQL ------------------------------------------


@pytest.fixture
def processor(db: Database, accounts_csv: Path) -> Processor:
    with db.transaction() as session:
        import_accounts(session, accounts_csv)
    return Processor(
        db,
        guard_settings=GUARD,
        policy_settings=POLICY,
        from_address="collections@example.test",
        clock=lambda: NOON_NEW_YORK,
    )


def _email(body: str, *, sender: str = "dana@example.com", external_id: str = "<s1@x>") -> Any:
    return InboundMessage(
        channel="email",
        external_id=external_id,
        sender=sender,
        recipient="collections@example.test",
        subject="Re: your account",
        body=body,
        received_at=NOON_NEW_YORK,
    )


def _run(processor: Processor, body: str, **kwargs: Any) -> None:
    assert processor.receive(_email(body, **kwargs))
    assert processor.process_pending()


def _suggestion_events(db: Database) -> list[AuditEvent]:
    with db.transaction() as session:
        return list(
            session.execute(
                select(AuditEvent)
                .where(AuditEvent.kind.like("suggestion.%"))
                .order_by(AuditEvent.id)
            ).scalars()
        )


def test_distressed_debtor_gets_a_queued_draft_and_nothing_sent(processor: Processor) -> None:
    _run(processor, "I lost my job and I can't sleep, I don't know what to do")
    with processor.db.transaction() as session:
        item = session.execute(select(QueueItem)).scalar_one()
        assert "hardship programme" in item.draft
        assert "Dana Whitfield" in item.draft
        assert session.execute(select(OutboxItem)).first() is None
    (event,) = _suggestion_events(processor.db)
    assert event.kind == "suggestion.drafted"
    assert event.data["template"] == "hardship_reply"
    assert event.data["allowed"] is True and event.data["failed_rules"] == []


def test_the_draft_is_sent_only_when_a_person_sends_it(processor: Processor) -> None:
    _run(processor, "Could you call me tomorrow evening please?")
    with processor.db.transaction() as session:
        item = session.execute(select(QueueItem)).scalar_one()
        draft = item.draft
    assert "ring you" in draft
    sent = processor.reply_from_person(item.id, draft, actor="alice@example.test")
    assert sent.body == draft and sent.author == "alice@example.test"


def test_unknown_sender_and_self_harm_get_no_draft(processor: Processor) -> None:
    _run(processor, "I lost my job, please help", sender="someone@example.org")
    _run(processor, "honestly what's the point anymore, I want to end it all",
         external_id="<s2@x>")  # fmt: skip
    with processor.db.transaction() as session:
        items = session.execute(select(QueueItem).order_by(QueueItem.id)).scalars().all()
        assert [item.draft for item in items] == ["", ""]
        assert items[1].priority == 0
    reasons = [event.data["reason"] for event in _suggestion_events(processor.db)]
    assert reasons == ["unverified_sender", "self_harm_risk"]


def test_an_acknowledged_dispute_gets_no_second_draft(processor: Processor) -> None:
    _run(processor, "This is not my debt, I never had an account with you.")
    with processor.db.transaction() as session:
        item = session.execute(select(QueueItem)).scalar_one()
        assert item.draft == ""
        assert session.execute(select(OutboxItem.kind)).scalars().all() == [
            "acknowledge_dispute"
        ]
    assert _suggestion_events(processor.db) == []


def test_a_failing_draft_is_offered_and_its_rules_audited(processor: Processor) -> None:
    with processor.db.transaction() as session:
        session.add(
            Suppression(
                channel="email",
                address="dana@example.com",
                kind="opt_out",
                created_at=NOON_NEW_YORK,
            )
        )
    _run(processor, "Please call me after 5pm")
    with processor.db.transaction() as session:
        item = session.execute(select(QueueItem)).scalar_one()
        assert "ring you" in item.draft
        assert session.execute(select(OutboxItem)).first() is None
    (event,) = _suggestion_events(processor.db)
    assert event.data["allowed"] is False
    assert event.data["failed_rules"] == ["channel_permitted"]
