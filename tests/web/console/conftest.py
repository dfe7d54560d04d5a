"""A console app in process (FastAPI TestClient) over a real database with queued threads."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from agent.config import GuardSettings, PolicySettings
from agent.process import Processor
from channels.base import InboundMessage
from store import users
from store.db import Database
from store.importer import import_accounts
from web.app import WebHandlers, create_app
from web.console import ConsoleService

PASSWORD = "correct horse battery"
ROLES = ("collector", "supervisor", "compliance", "admin")


def email(body: str, *, external_id: str, sender: str = "dana@example.com") -> InboundMessage:
    return InboundMessage(
        channel="email",
        external_id=external_id,
        sender=sender,
        recipient="collections@example.test",
        subject="Re: your account",
        body=body,
        received_at=datetime.now(UTC),
    )


@dataclass
class Console:
    db: Database
    processor: Processor
    client: TestClient

    def login(self, role: str) -> str:
        """Signs in as `<role>@example.test`; returns the session's CSRF token."""
        self.client.cookies.clear()
        form = self.client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token is not None
        response = self.client.post(
            "/login",
            data={"email": f"{role}@example.test", "password": PASSWORD, "csrf_token": token[1]},
        )
        assert response.status_code == 303, response.text
        page = self.client.get(response.headers["location"])
        csrf = re.search(r'<meta name="csrf-token" content="([^"]*)"', page.text)
        assert csrf is not None and csrf[1]
        return csrf[1]

    def open_item(self) -> tuple[int, int]:
        """(queue item id, thread id) of the most urgent open item."""
        with self.db.sessions() as session:
            from reports.queue import QueueFilter, queue_page

            page = queue_page(session, QueueFilter(), now=datetime.now(UTC))
        assert page.rows, "the fixture should have queued something"
        return page.rows[0].id, page.rows[0].thread_id


@pytest.fixture
def console(db: Database, accounts_csv: Path) -> Iterator[Console]:
    with db.transaction() as session:
        import_accounts(session, accounts_csv)
        for role in ROLES:
            users.add_user(session, f"{role}@example.test", role, PASSWORD, actor="test")
    processor = Processor(
        db,
        guard_settings=GuardSettings(),
        policy_settings=PolicySettings(),
        from_address="collections@example.test",
    )
    processor.receive(
        email(
            "This is not my debt, I dispute it. <script>alert('x')</script>\n\n"
            "On Mon, Parley wrote:\n> old text",
            external_id="<m1@example.com>",
        )
    )
    processor.process_pending()
    app = create_app(
        public_url="http://testserver",
        twilio_auth_token="",
        handlers=WebHandlers(
            receive_sms=lambda message: True,
            record_delivery=lambda sid, status, code: None,
            is_ready=lambda: True,
        ),
        console=ConsoleService(db, processor),
    )
    with TestClient(app, follow_redirects=False) as client:
        yield Console(db, processor, client)
