"""A real SMTP server on loopback (aiosmtpd) that records what it receives.

`stop()` waits until every client connection has closed before stopping the server thread,
so a test that leaves a connection open shows up as a timeout here instead of as an
"unclosed transport" warning in some later test.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

__all__ = ["ReceivedMail", "SmtpSink", "free_port"]


def free_port() -> int:
    """A loopback port nobody listens on right now (aiosmtpd cannot bind port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class ReceivedMail:
    message: EmailMessage
    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.lower() in self.sink.refuse_recipients:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or b""
        if isinstance(envelope.content, bytes) and not raw:
            raw = envelope.content
        parsed = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(parsed, EmailMessage)
        self.sink._record(
            ReceivedMail(parsed, str(envelope.mail_from), tuple(envelope.rcpt_tos), raw)
        )
        return "250 Message accepted"


class _CountingSMTP(SMTP):
    def __init__(self, sink: SmtpSink, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sink = sink

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._sink._connection_change(+1)
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        super().connection_lost(error)
        self._sink._connection_change(-1)


class _Controller(Controller):
    def __init__(self, sink: SmtpSink, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sink = sink

    def factory(self) -> SMTP:
        return _CountingSMTP(self._sink, self.handler, **self.SMTP_kwargs)


class SmtpSink:
    """An SMTP server on 127.0.0.1 for tests; optional AUTH, optional refused recipients."""

    def __init__(
        self,
        *,
        port: int | None = None,
        username: str | None = None,
        password: str | None = None,
        refuse_recipients: frozenset[str] = frozenset(),
    ) -> None:
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.username = username
        self.password = password
        self.refuse_recipients = frozenset(r.lower() for r in refuse_recipients)
        self.received: list[ReceivedMail] = []
        self.open_connections = 0
        self._cond = threading.Condition()
        self._controller: _Controller | None = None

    def start(self) -> SmtpSink:
        kwargs: dict[str, Any] = {
            "hostname": self.host,
            "port": self.port,
            "server_hostname": "sink.parley.test",
            "ready_timeout": 30,
        }
        if self.username is not None:
            kwargs.update(
                authenticator=self._authenticate, auth_require_tls=False, auth_required=True
            )
        self._controller = _Controller(self, _Handler(self), **kwargs)
        self._controller.start()
        return self

    def stop(self, timeout: float = 30) -> None:
        """Wait for clients to hang up, then stop; raises if a client leaves its connection open."""
        if self._controller is None:
            return
        with self._cond:
            closed = self._cond.wait_for(lambda: self.open_connections == 0, timeout)
        self._controller.stop()
        self._controller = None
        if not closed:
            raise AssertionError(
                f"{self.open_connections} SMTP client connection(s) still open after {timeout}s"
            )

    def wait_for(self, count: int, timeout: float = 30) -> list[ReceivedMail]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.received) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"expected {count} messages, received {len(self.received)} in {timeout}s"
                    )
                self._cond.wait(remaining)
            return list(self.received)

    def _record(self, mail: ReceivedMail) -> None:
        with self._cond:
            self.received.append(mail)
            self._cond.notify_all()

    def _connection_change(self, delta: int) -> None:
        with self._cond:
            self.open_connections += delta
            self._cond.notify_all()

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == self.username
            and auth_data.password.decode() == self.password
        )
        return AuthResult(success=ok, handled=False)

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
