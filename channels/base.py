"""The data that crosses the channel seam, and the one interface every outbound transport has.

Channels know nothing of debt: they turn a transport event into an `InboundMessage` and send an
`OutboundMessage`. Everything else (matching, triage, policy) happens above them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

ChannelName = Literal["email", "sms"]


@dataclass(frozen=True)
class Attachment:
    """An attachment is listed, never opened or executed; its bytes are not kept past the cap."""

    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class InboundMessage:
    """One debtor message, normalised once at the edge.

    `problems` names what went wrong while normalising (for example `malformed_mime`,
    `unknown_charset:x-foo`, `empty_body`, `too_large`, `html_only`) so that the message can still
    be stored and routed to a person with a clear reason instead of being dropped.
    """

    channel: ChannelName
    external_id: str
    sender: str
    recipient: str
    subject: str
    body: str
    received_at: datetime
    raw: bytes = b""
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    problems: tuple[str, ...] = ()
    sender_name: str = ""


@dataclass(frozen=True)
class OutboundMessage:
    """A text ready to leave: it has already passed the guard."""

    channel: ChannelName
    to: str
    body: str
    subject: str = ""
    html_body: str | None = None
    message_id: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)


class SendError(Exception):
    """A send failed; `permanent` says whether retrying can help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Sender(Protocol):
    """Sends one outbound message and returns the transport's id for it (Message-ID, SID)."""

    async def send(self, message: OutboundMessage) -> str: ...


@runtime_checkable
class BatchSender(Protocol):
    """A transport that can send several messages over one connection (SMTP)."""

    async def send(self, message: OutboundMessage) -> str: ...

    async def send_batch(self, messages: Sequence[OutboundMessage]) -> list[str | SendError]: ...
