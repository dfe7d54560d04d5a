"""A web app served by uvicorn on loopback, with in-memory handlers standing in for the store."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from channels.base import InboundMessage
from tests.support.http import ServerThread, serve_in_thread
from web.app import WebHandlers, create_app

TWILIO_AUTH_TOKEN = "f3c1e0b2a9d84c7e9a1b2c3d4e5f6a7b"


class StorageDown(Exception):
    """The stand-in store is failing, as a database that went away would."""


@dataclass
class RecordingHandlers:
    """Keeps what the app hands over, deduplicating on external id like the real store."""

    ready: bool = False
    storage_down: bool = False
    received: list[InboundMessage] = field(default_factory=list)
    stored: dict[str, InboundMessage] = field(default_factory=dict)
    deliveries: list[tuple[str, str, str | None]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def receive_sms(self, message: InboundMessage) -> bool:
        with self.lock:
            self.received.append(message)
            if self.storage_down:
                raise StorageDown("database unavailable")
            if message.external_id in self.stored:
                return False
            self.stored[message.external_id] = message
            return True

    def record_delivery(self, sid: str, status: str, error_code: str | None) -> None:
        with self.lock:
            if self.storage_down:
                raise StorageDown("database unavailable")
            self.deliveries.append((sid, status, error_code))

    def is_ready(self) -> bool:
        return self.ready

    def web_handlers(self) -> WebHandlers:
        return WebHandlers(
            receive_sms=self.receive_sms,
            record_delivery=self.record_delivery,
            is_ready=self.is_ready,
        )


@pytest.fixture
def handlers() -> RecordingHandlers:
    return RecordingHandlers()


@pytest.fixture
def server(handlers: RecordingHandlers) -> Iterator[ServerThread]:
    """The app on a real server whose public URL is its own loopback origin."""

    def make_app(url: str) -> object:
        return create_app(
            public_url=url, twilio_auth_token=TWILIO_AUTH_TOKEN, handlers=handlers.web_handlers()
        )

    with serve_in_thread(make_app) as running:
        yield running


@pytest.fixture
def client(server: ServerThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30.0) as http:
        yield http
