from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from agent.process import redacted
from channels.base import InboundMessage
from store.db import Database
from store.inbox import store_inbound
from store.models import Message


def test_card_number_never_reaches_the_store(db: Database) -> None:
    message = InboundMessage(
        channel="email",
        external_id="<card@x>",
        sender="dana@example.com",
        recipient="collections@example.test",
        subject="payment",
        body="Take it from my card 4111 1111 1111 1111, cvv 123",
        received_at=datetime(2026, 3, 2, 10, tzinfo=UTC),
        raw=b"Subject: payment\r\n\r\nTake it from my card 4111 1111 1111 1111, cvv 123",
    )
    with db.transaction() as session:
        store_inbound(session, redacted(message))
    with db.transaction() as session:
        stored = session.execute(select(Message)).scalar_one()
        assert "4111 1111 1111 1111" not in stored.body
        assert "1111" in stored.body
        assert not stored.raw
        assert "raw_dropped:payment_data" in stored.problems


def test_plain_message_is_kept_whole() -> None:
    message = InboundMessage(
        channel="sms",
        external_id="SM1",
        sender="+15550100",
        recipient="+15550199",
        subject="",
        body="I'll pay $200 on Friday",
        received_at=datetime(2026, 3, 2, 10, tzinfo=UTC),
        raw=b"Body=...",
    )
    assert redacted(message) is message
