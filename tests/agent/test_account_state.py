"""A person lifts a dispute hold by marking validation sent; other states refuse. The account's
picture lists balance, legal history, suppressions, promises and plans (SQLite and PostgreSQL).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from agent.account_state import (
    AccountNotFoundError,
    AccountStateError,
    NotOnDisputeHoldError,
    describe,
    mark_validation_sent,
)
from agent.config import GuardSettings, PolicySettings
from agent.process import Processor
from channels.base import InboundMessage
from parley.commands.account_cmd import format_summary
from store import audit
from store.db import Database
from store.importer import import_accounts
from store.models import (
    Account,
    AuditEvent,
    LegalStateChange,
    Message,
    Promise,
    Suppression,
)

NOON_NEW_YORK = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


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


def _email(processor: Processor, body: str, external_id: str) -> None:
    assert processor.receive(
        InboundMessage(
            channel="email",
            external_id=external_id,
            sender="dana@example.com",
            recipient="collections@example.test",
            subject="Re: your account",
            body=body,
            received_at=NOON_NEW_YORK,
        )
    )
    processor.process_pending()


def _state(db: Database, account_id: str = "A-100") -> str:
    with db.transaction() as session:
        account = session.get(Account, account_id)
        assert account is not None
        return account.legal_state


def _set_state(db: Database, state: str, account_id: str = "A-100") -> None:
    with db.transaction() as session:
        account = session.get(Account, account_id)
        assert account is not None
        account.legal_state = state


def test_validation_sent_lifts_the_hold_with_the_actor_recorded(processor: Processor) -> None:
    db = processor.db
    _email(processor, "This is not my debt. Send me proof that I owe it.", "<d1@x>")
    assert _state(db) == "dispute_hold"
    later = NOON_NEW_YORK + timedelta(days=5)
    change = mark_validation_sent(
        db, "A-100", actor="alice@example.test", note="validation letter posted", now=later
    )
    assert (change.old_state, change.new_state) == ("dispute_hold", "active")
    assert _state(db) == "active"
    with db.transaction() as session:
        rows = session.execute(
            select(LegalStateChange).order_by(LegalStateChange.id)
        ).scalars().all()
        assert [(r.old_state, r.new_state) for r in rows] == [
            ("active", "dispute_hold"),
            ("dispute_hold", "active"),
        ]
        assert rows[1].reason == "validation_sent by alice@example.test: validation letter posted"
        assert rows[1].message_id is None and rows[1].created_at == later
        event = session.execute(
            select(AuditEvent)
            .where(AuditEvent.kind == "account.legal_state")
            .order_by(AuditEvent.id.desc())
        ).scalars().first()
        assert event is not None and event.actor == "alice@example.test"
        assert event.data == {
            "from": "dispute_hold",
            "to": "active",
            "reason": "validation_sent",
            "note": "validation letter posted",
        }
        assert audit.verify(session).ok


def test_after_validation_the_agent_answers_again(processor: Processor) -> None:
    _email(processor, "This is not my debt.", "<d1@x>")
    _email(processor, "What is my balance?", "<d2@x>")  # still on hold: a person
    mark_validation_sent(processor.db, "A-100", actor="alice@example.test")
    day = date(2026, 3, 9)
    assert processor.receive(
        InboundMessage(
            channel="email", external_id="<d3@x>", sender="dana@example.com",
            recipient="collections@example.test", subject="Re: your account",
            body=f"I'll pay $200 on {day:%B} {day.day}.", received_at=NOON_NEW_YORK,
        )
    )  # fmt: skip
    outcomes = processor.process_pending()
    assert [o.action for o in outcomes] == ["confirm_promise"]


@pytest.mark.parametrize("state", ["active", "cease", "bankruptcy", "attorney", "payment_plan"])
def test_other_states_are_refused_and_left_alone(processor: Processor, state: str) -> None:
    _set_state(processor.db, state)
    with pytest.raises(NotOnDisputeHoldError, match=f"is in '{state}', not 'dispute_hold'"):
        mark_validation_sent(processor.db, "A-100", actor="alice@example.test")
    assert _state(processor.db) == state
    with processor.db.transaction() as session:
        assert session.execute(select(LegalStateChange)).first() is None


def test_unknown_account_empty_actor_and_huge_note_are_clear_errors(
    processor: Processor,
) -> None:
    with pytest.raises(AccountNotFoundError, match="no account 'A-999'"):
        mark_validation_sent(processor.db, "A-999", actor="alice@example.test")
    _set_state(processor.db, "dispute_hold")
    with pytest.raises(AccountStateError, match="say who sent"):
        mark_validation_sent(processor.db, "A-100", actor="  ")
    with pytest.raises(AccountStateError, match="keep it under"):
        mark_validation_sent(processor.db, "A-100", actor="alice", note="x" * 5000)
    assert _state(processor.db) == "dispute_hold"
    with pytest.raises(AccountNotFoundError):
        describe(processor.db, "A-999")


def test_describe_lists_the_whole_picture(processor: Processor) -> None:
    db = processor.db
    _email(processor, "can I pay 50 a month?", "<p1@x>")  # a plan offer (countered)
    _email(processor, "I dispute this amount, it is wrong.", "<p2@x>")  # hold; offer withdrawn
    mark_validation_sent(db, "A-100", actor="alice@example.test", note="letter sent")
    with db.transaction() as session:
        first = session.execute(select(Message.id).order_by(Message.id)).scalars().first()
        session.add(
            Promise(
                account_id="A-100", message_id=first, amount=Decimal("200.00"), currency="USD",
                due_date=date(2026, 3, 9), status="pending", created_at=NOON_NEW_YORK,
            )
        )  # fmt: skip
        session.add(
            Suppression(
                channel="sms", address="+15550100001", kind="opt_out", created_at=NOON_NEW_YORK
            )
        )
    summary = describe(db, "A-100")
    assert summary.balance == Decimal("1250.00") and summary.currency == "USD"
    assert summary.legal_state == "active"
    assert [(h.old_state, h.new_state) for h in summary.history] == [
        ("active", "dispute_hold"),
        ("dispute_hold", "active"),
    ]
    assert [(s.channel, s.kind) for s in summary.suppressions] == [("sms", "opt_out")]
    assert [(p.amount, p.status) for p in summary.promises] == [(Decimal("200.00"), "pending")]
    assert [(p.status, p.instalments) for p in summary.plans] == [("expired", 12)]
    assert summary.plans[0].total == "1250.00 USD"
    text = "\n".join(format_summary(summary))
    assert "legal state: active" in text
    assert "dispute_hold -> active  validation_sent by alice@example.test: letter sent" in text
    assert "sms +15550100001 opt_out" in text
    assert "instalments  expired  12 instalment(s), total 1250.00 USD" in text


def test_describe_says_none_for_an_untouched_account(processor: Processor) -> None:
    text = "\n".join(format_summary(describe(processor.db, "A-300")))
    assert "balance: 90.00 USD, due 2026-11-01" in text
    for section in ("legal state history:", "suppressions:", "promises:", "payment plans:"):
        assert f"{section}\n  none" in text
