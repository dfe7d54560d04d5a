"""More multi-turn scenarios through the real servers (issue 4's evidence list): dispute then
validation, a message at 23:30 debtor time, a distressed debtor, a promise then nothing."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from store.queue import DEFAULT_SLA, SLA_BY_PRIORITY
from tests.e2e.conftest import daytime_zone, email_bytes, query
from tests.support.dovecot import DovecotServer
from tests.support.parley_process import ParleyProcess, wait_for
from tests.support.smtp_sink import SmtpSink

WAIT = 60.0
SETTLE = 5.0  # long enough for a dispatcher polling every second to have sent anything due


def body_of(sink: SmtpSink, index: int) -> str:
    part = sink.received[index].message.get_body(("plain",))
    assert part is not None, "the mail has no text/plain part"
    return str(part.get_content())


def processed(parley: ParleyProcess, count: int) -> Callable[[], bool]:
    return lambda: query(
        parley, "SELECT count(*) FROM messages WHERE direction = 'in' AND status = 'processed'"
    ) == [(count,)]


def night_zone() -> str:
    """A fixed-offset zone where it is now 23:xx, past the 21:00 end of allowed hours."""
    offset = 23 - datetime.now(UTC).hour
    if offset > 14:
        offset -= 24
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"


def stored_time(value: str) -> datetime:
    """A UtcTime column as SQLite returns it to plain sqlite3 (UTC, with or without offset)."""
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def test_dispute_then_validation_sent_by_a_person(
    make_parley: Callable[..., ParleyProcess], dovecot: DovecotServer, smtp: SmtpSink
) -> None:
    parley = make_parley()
    dovecot.append(
        email_bytes("This is not my debt. Send me proof that I owe it.", message_id="<dv1@x.com>")
    )
    smtp.wait_for(1, timeout=WAIT)
    assert "received your message disputing" in body_of(smtp, 0)
    wait_for(processed(parley, 1), WAIT, "the dispute processed")
    assert query(parley, "SELECT legal_state FROM accounts") == [("dispute_hold",)]

    sent = parley.run_cli(
        "account", "validation-sent", "A-1001",
        "--note", "validation letter and statement posted", "--as", "alice@example.test",
    )  # fmt: skip
    assert sent.returncode == 0, sent.stderr
    assert "dispute_hold -> active" in sent.stdout
    assert query(parley, "SELECT legal_state FROM accounts") == [("active",)]
    assert query(
        parley, "SELECT old_state, new_state, reason FROM legal_state_changes ORDER BY id"
    ) == [
        ("active", "dispute_hold", "legal_trigger:dispute:not_mine"),
        ("dispute_hold", "active",
         "validation_sent by alice@example.test: validation letter and statement posted"),
    ]  # fmt: skip
    assert query(
        parley, "SELECT actor FROM audit_events WHERE kind = 'account.legal_state' ORDER BY id"
    ) == [("parley",), ("alice@example.test",)]

    again = parley.run_cli("account", "validation-sent", "A-1001", "--as", "alice@example.test")
    assert again.returncode == 2
    assert "is in 'active', not 'dispute_hold'" in again.stderr
    shown = parley.run_cli("account", "show", "A-1001")
    assert shown.returncode == 0, shown.stderr
    assert "legal state: active" in shown.stdout
    assert "dispute_hold -> active  validation_sent by alice@example.test" in shown.stdout
    verify = parley.run_cli("audit", "verify")
    assert verify.returncode == 0, verify.stderr


def test_a_message_at_2330_debtor_time_is_answered_at_0800(
    make_parley: Callable[..., ParleyProcess],
    dovecot: DovecotServer,
    smtp: SmtpSink,
    scratch: Path,
) -> None:
    zone_name = night_zone()
    zone = ZoneInfo(zone_name)
    local_now = datetime.now(zone)
    assert local_now.hour in (23, 0), (zone_name, local_now)  # 0: the hour turned just now
    night = scratch / "night.csv"
    night.write_text(
        "account_id,debtor_name,email,phone,balance,currency,due_date,timezone,jurisdiction,"
        "invoice_numbers\n"
        f"A-2002,Noor Haddad,noor.haddad@example.com,+12125550177,800.00,USD,2026-12-01,"
        f"{zone_name},US-NY,INV-2002\n",
        encoding="utf-8",
    )
    parley = make_parley(start=False)
    imported = parley.run_cli("import", "accounts", str(night))
    assert imported.returncode == 0, imported.stderr
    parley.start()

    day = local_now.date() + timedelta(days=7)
    dovecot.append(
        email_bytes(
            f"I'll pay $200 on {day:%B} {day.day}.",
            sender="noor.haddad@example.com",
            subject="Re: Your account A-2002",
            message_id="<late@x.com>",
        )
    )
    rows = wait_for(
        lambda: query(parley, "SELECT status, next_attempt_at, kind FROM outbox"),
        WAIT,
        "the reply in the outbox",
    )
    ((status, next_attempt, kind),) = rows
    assert kind == "confirm_promise"
    first_local_day = local_now.date() + timedelta(days=1 if local_now.hour >= 8 else 0)
    eight = datetime.combine(first_local_day, datetime.min.time(), tzinfo=zone) + timedelta(hours=8)
    assert stored_time(next_attempt) == eight.astimezone(UTC)
    assert stored_time(next_attempt).astimezone(zone).hour == 8
    time.sleep(SETTLE)
    assert smtp.received == []
    assert query(parley, "SELECT status FROM outbox") == [("pending",)]
    assert status == "pending"


def test_distressed_debtor_gets_a_person_and_a_lawful_suggested_draft(
    make_parley: Callable[..., ParleyProcess],
    dovecot: DovecotServer,
    smtp: SmtpSink,
    scratch: Path,
) -> None:
    parley = make_parley()
    dovecot.append(
        email_bytes(
            "I lost my job and I can't sleep, I don't know what to do", message_id="<sad@x.com>"
        )
    )
    wait_for(processed(parley, 1), WAIT, "the message processed")
    ((priority, stored_reasons, draft, due_at, created_at),) = query(
        parley, "SELECT priority, reasons, draft, due_at, created_at FROM queue_items"
    )
    reasons = json.loads(stored_reasons)
    assert "vulnerability:job_loss" in reasons and "distress" in reasons
    # Not the self-harm band (which gets no template draft); the due time follows the band's SLA.
    assert priority > 0
    sla = SLA_BY_PRIORITY.get(priority, DEFAULT_SLA)
    assert stored_time(due_at) - stored_time(created_at) == sla
    assert "hardship programme" in draft and "Dana Whitfield" in draft
    assert "$" not in draft  # no amount pressed on a debtor in hardship
    assert query(
        parley,
        "SELECT json_extract(data, '$.template'), json_extract(data, '$.allowed') "
        "FROM audit_events WHERE kind = 'suggestion.drafted'",
    ) == [("hardship_reply", 1)]
    draft_file = scratch / "draft.txt"
    draft_file.write_text(draft, encoding="utf-8")
    checked = parley.run_cli(
        "guard", "check", "--account", "A-1001", "--channel", "email", "--file", str(draft_file)
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    time.sleep(SETTLE)
    assert query(parley, "SELECT count(*) FROM outbox") == [(0,)]
    assert smtp.received == []


def test_promise_then_nothing_is_broken_and_followed_up_once(
    make_parley: Callable[..., ParleyProcess], dovecot: DovecotServer, smtp: SmtpSink
) -> None:
    parley = make_parley()
    today = datetime.now(ZoneInfo(daytime_zone())).date()
    day: date = today + timedelta(days=7)
    dovecot.append(email_bytes(f"I'll pay $200 on {day:%B} {day.day}.", message_id="<pn@x.com>"))
    smtp.wait_for(1, timeout=WAIT)
    assert "$200.00" in body_of(smtp, 0)
    wait_for(lambda: query(parley, "SELECT count(*) FROM promises") == [(1,)], WAIT, "promise")

    # Three grace days after the date, at this same time of day (so around noon for the debtor).
    later = (datetime.now(UTC) + timedelta(days=7 + 3 + 1)).isoformat()
    checked = parley.run_cli("promises", "check", "--at", later)
    assert checked.returncode == 0, checked.stderr
    assert "1 broken" in checked.stdout and "follow-ups: 1" in checked.stdout
    smtp.wait_for(2, timeout=WAIT)
    follow_up = body_of(smtp, 1)
    assert "We have not yet seen the payment of $200.00" in follow_up
    assert query(parley, "SELECT status FROM promises") == [("broken",)]

    again = parley.run_cli("promises", "check", "--at", later)
    assert again.returncode == 0, again.stderr
    assert "follow-ups: 0" in again.stdout
    time.sleep(SETTLE)
    assert len(smtp.received) == 2
    assert query(parley, "SELECT count(*) FROM outbox WHERE kind = 'promise_follow_up'") == [(1,)]
