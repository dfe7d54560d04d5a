"""The Processor and the Dispatcher on SQLite and PostgreSQL, with a recording transport."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from agent.config import GuardSettings, PolicySettings
from agent.process import Processor
from channels.base import InboundMessage, OutboundMessage, SendError
from parley.dispatch import Dispatcher
from store import audit
from store.db import Database
from store.importer import import_accounts
from store.models import Account, Message, OutboxItem, QueueItem, Suppression

NOON_NEW_YORK = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


class Recorder:
    def __init__(self, fail: list[SendError] | None = None) -> None:
        self.sent: list[OutboundMessage] = []
        self.fail = fail or []

    async def send(self, message: OutboundMessage) -> str:
        if self.fail:
            raise self.fail.pop(0)
        self.sent.append(message)
        return message.message_id or f"SM{len(self.sent):032d}"


@pytest.fixture
def processor(db: Database, accounts_csv: Path) -> Processor:
    with db.transaction() as session:
        import_accounts(session, accounts_csv)
    return Processor(
        db,
        guard_settings=GuardSettings(),
        policy_settings=PolicySettings(),
        from_address="collections@example.test",
        clock=lambda: NOON_NEW_YORK,
    )


def email(
    body: str, *, sender: str = "dana@example.com", external_id: str = "<m1@x>"
) -> InboundMessage:
    return InboundMessage(
        channel="email",
        external_id=external_id,
        sender=sender,
        recipient="collections@example.test",
        subject="Re: your account",
        body=body,
        received_at=NOON_NEW_YORK,
    )


def sms(body: str, *, external_id: str = "SM1") -> InboundMessage:
    return InboundMessage(
        channel="sms",
        external_id=external_id,
        sender="+15550100001",
        recipient="+15550109999",
        subject="",
        body=body,
        received_at=NOON_NEW_YORK,
    )


def dispatch(processor: Processor, recorder: Recorder) -> None:
    dispatcher = Dispatcher(
        processor.db, processor, {"email": recorder, "sms": recorder}, backoff=[0]
    )
    while asyncio.run(dispatcher.run_once()):
        pass


def test_promise_is_confirmed_threaded_and_recorded(processor: Processor) -> None:
    assert processor.receive(email("I'll pay $200 on March 6th."))
    assert not processor.receive(email("I'll pay $200 on March 6th."))
    [outcome] = processor.process_pending()
    assert outcome.action == "confirm_promise" and not outcome.queued
    recorder = Recorder()
    dispatch(processor, recorder)
    [sent] = recorder.sent
    assert sent.to == "dana@example.com" and sent.in_reply_to == "<m1@x>"
    assert "$200.00" in sent.body and "debt collector" in sent.body
    with processor.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 2
        assert audit.verify(session).ok


def test_unknown_sender_is_queued_and_nothing_is_sent(processor: Processor) -> None:
    processor.receive(email("What's the balance on A-100?", sender="nosy@example.net"))
    [outcome] = processor.process_pending()
    assert outcome.queued and "unknown_sender" in outcome.reasons and outcome.reply is None
    recorder = Recorder()
    dispatch(processor, recorder)
    assert recorder.sent == []


def test_stop_confirms_once_then_blocks_texts(processor: Processor) -> None:
    processor.receive(sms("STOP"))
    processor.process_pending()
    processor.receive(sms("I'll pay $200 on March 6th", external_id="SM2"))
    [second] = processor.process_pending()
    recorder = Recorder()
    dispatch(processor, recorder)
    assert len(recorder.sent) == 1 and "STOP" not in recorder.sent[0].body.split()[0]
    assert second.queued
    with processor.db.transaction() as session:
        [suppression] = session.execute(select(Suppression)).scalars().all()
        assert (suppression.channel, suppression.address) == ("sms", "+15550100001")


def test_cease_changes_the_legal_state_and_later_replies_are_blocked_at_send_time(
    processor: Processor,
) -> None:
    processor.receive(email("I'll pay $200 on March 6th."))
    processor.process_pending()
    processor.receive(email("Stop contacting me. Cease all communication.", external_id="<m2@x>"))
    processor.process_pending()
    recorder = Recorder()
    dispatch(processor, recorder)
    kinds = [m.body for m in recorder.sent]
    assert not any("$200.00" in body for body in kinds), "promise confirmation sent under cease"
    with processor.db.transaction() as session:
        account = session.get(Account, "A-100")
        assert account is not None and account.legal_state == "cease"
        statuses = set(session.execute(select(OutboxItem.status)).scalars())
        assert "blocked" in statuses


def test_transient_send_failure_is_retried_and_sent_once(processor: Processor) -> None:
    processor.receive(email("I'll pay $200 on March 6th."))
    processor.process_pending()
    recorder = Recorder(fail=[SendError("connection refused"), SendError("timeout")])
    dispatch(processor, recorder)
    assert len(recorder.sent) == 1
    with processor.db.transaction() as session:
        item = session.execute(select(OutboxItem)).scalar_one()
        assert (item.status, item.attempts) == ("sent", 3)


def test_permanent_failure_goes_to_a_person(processor: Processor) -> None:
    processor.receive(email("I'll pay $200 on March 6th."))
    processor.process_pending()
    recorder = Recorder(fail=[SendError("550 no such user", permanent=True)])
    dispatch(processor, recorder)
    assert recorder.sent == []
    with processor.db.transaction() as session:
        item = session.execute(select(QueueItem)).scalar_one()
        assert "send_failed" in item.reasons


def test_collector_reply_passes_the_guard_or_is_refused(processor: Processor) -> None:
    from agent.process import GuardBlocked

    processor.receive(email("Can someone call me about this?"))
    processor.process_pending()
    with processor.db.transaction() as session:
        item_id = session.execute(select(QueueItem.id)).scalar_one()
    with pytest.raises(GuardBlocked, match="prohibited_language"):
        processor.reply_from_person(item_id, "Pay now or we will have you arrested.", actor="ann")
    disclosure = GuardSettings().disclosure_for("US-NY")
    lawful = (
        f"Hello Dana, we will call you tomorrow afternoon.\n\n{disclosure}\n"
        + (GuardSettings().opt_out_instructions["email"])
    )
    item = processor.reply_from_person(item_id, lawful, actor="ann")
    assert item.author == "ann"
