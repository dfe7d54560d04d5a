"""Promise tracking: kept, partly kept, broken after the grace days; reminder and follow-up."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from agent.config import GuardSettings, PolicySettings
from agent.process import Processor
from agent.promises import PaymentRecord, PromiseRecord, check_promises, evaluate, kept_rate
from channels.base import InboundMessage
from store.db import Database
from store.importer import import_accounts
from store.models import AuditEvent, OutboxItem, Payment, Promise

DUE = date(2026, 3, 6)


def promise(pid: int, amount: str, due: date = DUE) -> PromiseRecord:
    return PromiseRecord(id=pid, amount=Decimal(amount), due=due, made_on=date(2026, 3, 2))


def paid(amount: str, on: date) -> PaymentRecord:
    return PaymentRecord(amount=Decimal(amount), paid_on=on)


def test_a_payment_in_time_keeps_the_promise() -> None:
    result = evaluate([promise(1, "200")], [paid("200", DUE)], today=DUE, grace_days=3)
    assert result[1].status == "kept"


def test_a_payment_inside_the_grace_days_still_keeps_it() -> None:
    late = DUE + timedelta(days=3)
    assert evaluate([promise(1, "200")], [paid("200", late)], today=late, grace_days=3)[
        1
    ].status == "kept"


def test_nothing_paid_is_pending_until_the_grace_days_pass_then_broken() -> None:
    assert evaluate([promise(1, "200")], [], today=DUE + timedelta(days=3), grace_days=3)[
        1
    ].status == "pending"
    assert evaluate([promise(1, "200")], [], today=DUE + timedelta(days=4), grace_days=3)[
        1
    ].status == "broken"


def test_part_paid_is_partly_kept_and_reports_what_was_paid() -> None:
    result = evaluate(
        [promise(1, "200")], [paid("80", DUE)], today=DUE + timedelta(days=10), grace_days=3
    )
    assert result[1].status == "partly_kept" and result[1].paid == Decimal("80")


def test_payments_before_the_promise_or_after_the_grace_days_do_not_count() -> None:
    result = evaluate(
        [promise(1, "200")],
        [paid("200", date(2026, 3, 1)), paid("200", DUE + timedelta(days=5))],
        today=DUE + timedelta(days=6),
        grace_days=3,
    )
    assert result[1].status == "broken"


def test_one_payment_never_keeps_two_promises() -> None:
    result = evaluate(
        [promise(1, "100"), promise(2, "100", DUE + timedelta(days=30))],
        [paid("100", DUE)],
        today=DUE + timedelta(days=40),
        grace_days=3,
    )
    assert result[1].status == "kept" and result[2].status == "broken"


def _processor(db: Database, accounts_csv: Path, when: datetime) -> Processor:
    with db.transaction() as session:
        import_accounts(session, accounts_csv)
    return Processor(
        db,
        guard_settings=GuardSettings(),
        policy_settings=PolicySettings(),
        from_address="collections@example.test",
        clock=lambda: when,
    )


def test_reminder_before_the_date_then_follow_up_once_when_broken(
    db: Database, accounts_csv: Path
) -> None:
    made = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)  # Monday, noon in New York
    processor = _processor(db, accounts_csv, made)
    processor.receive(
        InboundMessage(
            channel="email",
            external_id="<p1@x>",
            sender="dana@example.com",
            recipient="collections@example.test",
            subject="Re: your account",
            body="I'll pay $200 on Friday.",
            received_at=made,
        )
    )
    [outcome] = processor.process_pending()
    assert outcome.action == "confirm_promise"
    assert check_promises(db, processor, made).reminded == 0  # four days out: too early
    thursday = made + timedelta(days=3)
    first = check_promises(db, processor, thursday)
    again = check_promises(db, processor, thursday + timedelta(hours=1))
    assert (first.reminded, again.reminded) == (1, 0)
    broken_day = made + timedelta(days=8)
    summary = check_promises(db, processor, broken_day)
    assert summary.judged == {"broken": 1} and summary.followed_up == 1
    assert check_promises(db, processor, broken_day + timedelta(days=1)).followed_up == 0
    with db.transaction() as session:
        sent = list(session.execute(select(OutboxItem).order_by(OutboxItem.id)).scalars())
        kinds = [o.kind for o in sent]
        assert kinds == ["confirm_promise", "promise_reminder", "promise_follow_up"]
        reminder = sent[1]
        assert "$200.00" in reminder.body and reminder.reply_to_message_id is None
        audited = set(session.execute(select(AuditEvent.kind)).scalars())
        assert {"promise.reminder", "promise.broken", "promise.follow_up"} <= audited
        assert kept_rate(session).rate == 0.0


def test_an_imported_payment_keeps_the_promise_and_no_follow_up_is_sent(
    db: Database, accounts_csv: Path
) -> None:
    made = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
    processor = _processor(db, accounts_csv, made)
    processor.receive(
        InboundMessage(
            channel="email",
            external_id="<p2@x>",
            sender="dana@example.com",
            recipient="collections@example.test",
            subject="Re",
            body="I'll pay $200 on Friday.",
            received_at=made,
        )
    )
    processor.process_pending()
    with db.transaction() as session:
        session.add(
            Payment(
                account_id="A-100",
                amount=Decimal("200.00"),
                currency="USD",
                paid_at=made + timedelta(days=4),
                reference="R-1",
            )
        )
    summary = check_promises(db, processor, made + timedelta(days=4))
    assert summary.judged == {"kept": 1} and summary.reminded == 0
    assert check_promises(db, processor, made + timedelta(days=20)).followed_up == 0
    with db.transaction() as session:
        [row] = session.execute(select(Promise)).scalars().all()
        assert row.status == "kept"
        assert kept_rate(session).rate == 1.0
