"""End-to-end fixtures: real Dovecot, a real SMTP server, a local Twilio API, `parley serve`."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

import pytest

from tests.support.dovecot import DovecotServer
from tests.support.parley_process import ParleyProcess
from tests.support.smtp_sink import SmtpSink, free_port
from tests.support.twilio_api import FakeTwilioApi

DEBTOR_EMAIL = "dana.whitfield@example.com"
DEBTOR_PHONE = "+12125550101"
TWILIO_NUMBER = "+15550109999"
MAILBOX = "collector@example.test"


def daytime_zone() -> str:
    """A fixed-offset zone where it is now about noon, so quiet hours never hold a reply."""
    offset = 12 - datetime.now(UTC).hour
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"


@pytest.fixture
def scratch() -> Iterator[Path]:
    """Not pytest's tmp_path: Dovecot's unprivileged processes must traverse the folders."""
    root = Path(tempfile.mkdtemp(prefix="parley-e2e-"))
    root.chmod(0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def dovecot(scratch: Path) -> Iterator[DovecotServer]:
    server = DovecotServer(scratch / "dovecot", username=MAILBOX).start()
    yield server
    server.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def twilio() -> Iterator[FakeTwilioApi]:
    with FakeTwilioApi() as api:
        yield api


@pytest.fixture
def accounts_file(scratch: Path) -> Path:
    path = scratch / "accounts.csv"
    path.write_text(
        "account_id,debtor_name,email,phone,balance,currency,due_date,timezone,jurisdiction,"
        "invoice_numbers\n"
        f"A-1001,Dana Whitfield,{DEBTOR_EMAIL},{DEBTOR_PHONE},1250.00,USD,2026-10-01,"
        f"{daytime_zone()},US-NY,INV-1001\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def make_parley(
    scratch: Path,
    dovecot: DovecotServer,
    smtp: SmtpSink,
    twilio: FakeTwilioApi,
    accounts_file: Path,
) -> Iterator[Callable[..., ParleyProcess]]:
    started: list[ParleyProcess] = []

    def make(start: bool = True, **overrides: str) -> ParleyProcess:
        env = {
            "PARLEY_DATA_DIR": str(scratch / "data"),
            "PARLEY_DATABASE_URL": "",
            "PARLEY_IMAP_HOST": dovecot.host,
            "PARLEY_IMAP_PORT": str(dovecot.port),
            "PARLEY_IMAP_USER": dovecot.username,
            "PARLEY_IMAP_PASSWORD": dovecot.password,
            "PARLEY_IMAP_SSL": "false",
            "PARLEY_IMAP_POLL_INTERVAL": "1",
            "PARLEY_SMTP_HOST": smtp.host,
            "PARLEY_SMTP_PORT": str(smtp.port),
            "PARLEY_SMTP_STARTTLS": "false",
            "PARLEY_FROM_ADDRESS": MAILBOX,
            "PARLEY_TWILIO_ACCOUNT_SID": twilio.account_sid,
            "PARLEY_TWILIO_AUTH_TOKEN": twilio.auth_token,
            "PARLEY_TWILIO_FROM_NUMBER": TWILIO_NUMBER,
            "PARLEY_TWILIO_API_BASE": twilio.base_url,
            "PARLEY_OUTBOX_BACKOFF_SECONDS": "[0.5, 1, 2]",
            # Loading the embedding model costs seconds before the worker starts; only the
            # tests of grounded replies turn the knowledge base on (PARLEY_KB_ENABLED="true").
            "PARLEY_KB_ENABLED": "false",
            **overrides,
        }
        process = ParleyProcess(env=env, log=scratch / f"parley-{len(started)}.log")
        if not started:
            imported = process.run_cli("import", "accounts", str(accounts_file))
            assert imported.returncode == 0, imported.stderr
        started.append(process)
        if start:
            process.start()
        return process

    yield make
    for process in started:
        process.stop()


def email_bytes(
    body: str,
    *,
    sender: str = DEBTOR_EMAIL,
    subject: str = "Re: Your account A-1001",
    message_id: str | None = None,
    in_reply_to: str | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = f"Dana Whitfield <{sender}>"
    message["To"] = MAILBOX
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id or make_msgid(domain="mail.example.com")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content(body)
    return bytes(message)


def query(parley: ParleyProcess, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    database = Path(parley.env["PARLEY_DATA_DIR"]) / "parley.db"
    with sqlite3.connect(database, timeout=30) as connection:
        return connection.execute(sql, params).fetchall()


def smtp_port_nobody_listens_on() -> int:
    return free_port()
