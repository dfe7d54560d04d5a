"""A debtor's email, from the IMAP mailbox to the threaded reply at the SMTP server."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from tests.e2e.conftest import DEBTOR_EMAIL, email_bytes, query
from tests.support.dovecot import DovecotServer
from tests.support.parley_process import ParleyProcess, wait_for
from tests.support.smtp_sink import SmtpSink

WAIT = 60.0


def promise_text() -> str:
    day = datetime.now(UTC).date() + timedelta(days=7)
    return f"Hi, I'll pay $200 on {day:%B} {day.day}. Sorry for the delay.\n\nDana"


def test_email_gets_a_threaded_reply_once(
    make_parley: Callable[..., ParleyProcess], dovecot: DovecotServer, smtp: SmtpSink
) -> None:
    parley = make_parley()
    raw = email_bytes(promise_text(), message_id="<promise-1@mail.example.com>")
    dovecot.append(raw)

    [mail] = smtp.wait_for(1, timeout=WAIT)
    reply = mail.message
    assert reply["In-Reply-To"] == "<promise-1@mail.example.com>"
    assert "<promise-1@mail.example.com>" in reply["References"]
    assert reply["Subject"] == "Re: Your account A-1001"
    assert mail.rcpt_tos == (DEBTOR_EMAIL,)
    body = reply.get_body(("plain",)).get_content()
    assert "$200.00" in body
    assert "debt collector" in body.lower()

    wait_for(lambda: all(b"\\Seen" in flags for _, flags in dovecot.messages()), WAIT, "\\Seen")

    dovecot.append(raw)
    time.sleep(4)
    assert len(smtp.received) == 1
    assert query(parley, "SELECT count(*) FROM messages WHERE direction = 'in'") == [(1,)]

    verify = parley.run_cli("audit", "verify")
    assert verify.returncode == 0, verify.stderr
    kinds = [
        json.loads(line)["kind"] for line in parley.run_cli("audit", "export").stdout.splitlines()
    ]
    for kind in ("message.received", "triage", "decision", "guard.verdict", "message.sent"):
        assert kind in kinds


def test_dovecot_restart_mid_stream_loses_and_doubles_nothing(
    make_parley: Callable[..., ParleyProcess], dovecot: DovecotServer, smtp: SmtpSink
) -> None:
    make_parley()
    dovecot.append(email_bytes(promise_text(), message_id="<before@mail.example.com>"))
    smtp.wait_for(1, timeout=WAIT)
    dovecot.restart()
    dovecot.append(email_bytes(promise_text(), message_id="<after@mail.example.com>"))
    received = smtp.wait_for(2, timeout=WAIT)
    time.sleep(3)
    assert len(smtp.received) == 2
    assert sorted(m.message["In-Reply-To"] for m in received) == [
        "<after@mail.example.com>",
        "<before@mail.example.com>",
    ]


def test_unknown_sender_is_queued_and_never_told_about_the_debt(
    make_parley: Callable[..., ParleyProcess], dovecot: DovecotServer, smtp: SmtpSink
) -> None:
    parley = make_parley()
    dovecot.append(
        email_bytes(
            "What is the balance on account A-1001? I'll pay $200 tomorrow.",
            sender="someone.else@example.org",
            message_id="<stranger@mail.example.org>",
        )
    )
    wait_for(
        lambda: query(parley, "SELECT count(*) FROM queue_items")[0][0] == 1, WAIT, "queue item"
    )
    listing = parley.run_cli("queue", "list", "--json")
    [item] = [json.loads(line) for line in listing.stdout.splitlines()]
    assert "unknown_sender" in item["reasons"]
    time.sleep(2)
    assert smtp.received == []


def test_damaged_mail_is_stored_and_queued_and_the_listener_keeps_going(
    make_parley: Callable[..., ParleyProcess], dovecot: DovecotServer, smtp: SmtpSink
) -> None:
    parley = make_parley()
    broken = [
        b"From: " + DEBTOR_EMAIL.encode() + b"\r\nSubject: broken\r\nMessage-ID: <mime@x>\r\n"
        b'Content-Type: multipart/mixed; boundary="never-closed"\r\n\r\n--never-closed\r\n'
        b"Content-Type: text/plain\r\n\r\nI will pay",
        b"From: " + DEBTOR_EMAIL.encode() + b"\r\nSubject: charset\r\nMessage-ID: <cs@x>\r\n"
        b'Content-Type: text/plain; charset="x-martian"\r\n\r\nPay \xe9\xe8 soon',
        b"From: " + DEBTOR_EMAIL.encode() + b"\r\nSubject: empty\r\nMessage-ID: <empty@x>\r\n\r\n",
        b"From: " + DEBTOR_EMAIL.encode() + b"\r\nSubject: huge\r\nMessage-ID: <huge@x>\r\n"
        b"Content-Type: text/plain\r\n\r\n" + (b"x" * 76 + b"\r\n") * 270_000,
    ]
    for raw in broken:
        dovecot.append(raw)
    html = email_bytes("placeholder", message_id="<html@mail.example.com>")
    html = html.replace(b"text/plain", b"text/html").replace(
        b"placeholder", b"<p>What is my <b>balance</b>?</p>"
    )
    dovecot.append(html)
    dovecot.append(email_bytes(promise_text(), message_id="<after-broken@mail.example.com>"))

    replies = smtp.wait_for(1, timeout=WAIT * 2)
    assert replies[0].message["In-Reply-To"] == "<after-broken@mail.example.com>"
    wait_for(
        lambda: (
            query(parley, "SELECT count(*) FROM messages WHERE status = 'processed'")[0][0] == 6
        ),
        WAIT,
        "all six messages processed",
    )
    problems = dict(query(parley, "SELECT external_id, problems FROM messages"))
    assert "malformed_mime" in problems["<mime@x>"]
    assert "unknown_charset:x-martian" in problems["<cs@x>"]
    assert "empty_body" in problems["<empty@x>"]
    assert "too_large" in problems["<huge@x>"]
    queued = " ".join(r for (r,) in query(parley, "SELECT reasons FROM queue_items"))
    for reason in ("malformed_mime", "unknown_charset", "empty_body", "too_large"):
        assert reason in queued
