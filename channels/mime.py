"""Email bytes in, one `InboundMessage` out; one `OutboundMessage` in, an email out.

Inbound mail is hostile input: broken MIME, charsets nobody has heard of, HTML-only bodies,
20 MB attachments. `parse_email` never raises: whatever it could not handle is named in
`InboundMessage.problems`, so the message is still stored and a person sees why. Attachments
are listed and never opened. Quote and signature stripping is left to `nlp`.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import format_datetime, getaddresses, make_msgid, parsedate_to_datetime
from html.parser import HTMLParser

from channels.base import Attachment, InboundMessage, OutboundMessage

__all__ = ["TRUNCATED_BODY_CHARS", "build_email", "html_to_text", "parse_email"]

TRUNCATED_BODY_CHARS = 100_000
"""How much body text a too-large message keeps: plenty for a reply, safe for triage."""

_MSG_ID = re.compile(r"<[^<>\s]+>")
_REPLY_PREFIX = re.compile(r"^\s*(re|aw|sv)(\[\d+\])?\s*:", re.IGNORECASE)
_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
     "blockquote", "pre", "hr", "ul", "ol", "section", "article", "header", "footer"}
)
_HIDDEN_TAGS = frozenset({"script", "style", "head", "title", "template", "noscript"})


def parse_email(
    raw: bytes,
    *,
    received_at: datetime | None = None,
    max_bytes: int = 10_000_000,
    max_attachment_bytes: int = 10_000_000,
) -> InboundMessage:
    """Normalise one raw RFC 5322 message; never raises on bad input.

    Args:
        raw: the message exactly as fetched from the mailbox.
        received_at: when the server received it (IMAP INTERNALDATE). It wins over the
            sender-controlled Date header; without it the Date header is used, else now.
        max_bytes: larger messages are parsed only up to this size (problem `too_large`),
            their body is cut to `TRUNCATED_BODY_CHARS` and `raw` keeps only this prefix.
        max_attachment_bytes: attachments above this decoded size are still listed, with the
            problem `attachment_too_large:<filename>`.

    Returns:
        The message, with `problems` naming anything that went wrong.
    """
    problems: list[str] = []
    too_large = len(raw) > max_bytes
    kept = raw[:max_bytes] if too_large else raw
    if too_large:
        problems.append("too_large")
    try:
        message = BytesParser(policy=policy.default).parsebytes(kept)
    except Exception:  # the parser is meant to record defects, but has had crash bugs
        return _unparseable(raw, kept, received_at, problems)

    body_parts, attachment_parts = _split_parts(message)
    body, html_only = _body_text(body_parts, problems)
    if html_only:
        problems.append("html_only")
    body = body.replace("\x00", "")
    if too_large and len(body) > TRUNCATED_BODY_CHARS:
        marker = f"\n[truncated: the message exceeded {max_bytes} bytes]"
        body = body[:TRUNCATED_BODY_CHARS] + marker
    if not body.strip():
        problems.append("empty_body")

    attachments = tuple(
        _attachment(part, problems, max_attachment_bytes) for part in attachment_parts
    )
    # Checked after decoding: bad base64 padding is only found (and recorded) by decoding.
    if not too_large and _has_defects(message):
        # A cut message is malformed by our own hand; `too_large` already says so.
        problems.append("malformed_mime")
    sender_name, sender = _first_address(message, "From")
    _, recipient = _first_address(message, "To")
    if not sender:
        problems.append("missing_sender")
    message_ids = _MSG_ID.findall(_header(message, "Message-ID"))
    in_reply_to = _MSG_ID.findall(_header(message, "In-Reply-To"))
    return InboundMessage(
        channel="email",
        external_id=message_ids[0] if message_ids else _synthetic_id(raw),
        sender=sender,
        recipient=recipient,
        subject=_one_line(_header(message, "Subject")),
        body=body,
        received_at=_received_at(message, received_at),
        raw=kept,
        in_reply_to=in_reply_to[0] if in_reply_to else None,
        references=tuple(_MSG_ID.findall(_header(message, "References"))),
        attachments=attachments,
        problems=tuple(dict.fromkeys(problems)),
        sender_name=sender_name,
    )


def build_email(
    message: OutboundMessage, *, from_address: str, reply_to: str | None
) -> EmailMessage:
    """Turn a guarded reply into an email that threads under the debtor's message.

    References carry the original References plus the original Message-ID (RFC 5322 3.6.4),
    so mail clients put the reply in the same conversation.

    Raises:
        ValueError: a header value contains a line break (header injection) or the
            recipient is not an email address.
    """
    if "@" not in message.to or any(c in message.to for c in "\r\n"):
        raise ValueError(f"not an email address: {message.to!r}")
    email = EmailMessage(policy=policy.SMTP)
    email["From"] = from_address
    email["To"] = message.to
    if reply_to:
        email["Reply-To"] = reply_to
    subject = message.subject.strip()
    if message.in_reply_to and not _REPLY_PREFIX.match(subject):
        subject = f"Re: {subject}" if subject else "Re:"
    email["Subject"] = subject
    email["Date"] = format_datetime(datetime.now(UTC))
    domain = from_address.rpartition("@")[2].strip(" >") or "parley.invalid"
    email["Message-ID"] = _bracketed(message.message_id) or make_msgid(domain=domain)
    in_reply_to = _bracketed(message.in_reply_to)
    references = [ref for ref in (_bracketed(r) for r in message.references) if ref]
    if in_reply_to:
        email["In-Reply-To"] = in_reply_to
        references.append(in_reply_to)
    if references:
        email["References"] = " ".join(dict.fromkeys(references))
    managed = {name.lower() for name in email}
    for name, value in message.headers.items():
        if name.lower() in managed:
            raise ValueError(f"header {name!r} is set by build_email; do not pass it in headers")
        email[name] = value
    email.set_content(message.body)
    if message.html_body is not None:
        email.add_alternative(message.html_body, subtype="html")
    return email


def html_to_text(html: str) -> str:
    """Readable text from HTML mail: block elements become line breaks, scripts vanish."""
    converter = _HtmlText()
    try:
        converter.feed(html)
        converter.close()
    except Exception:  # html.parser is lenient, but a crash must not lose the message
        return re.sub(r"<[^>]*>", " ", html)
    return converter.text()


class _HtmlText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._chunks: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
        elif tag in _BLOCK_TAGS:
            self._chunks.append("\n")
            if tag == "li":
                self._chunks.append("- ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self._chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCK_TAGS:
            self._chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._chunks.append(re.sub(r"\s+", " ", data))

    def text(self) -> str:
        lines = (line.strip() for line in "".join(self._chunks).split("\n"))
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _unparseable(
    raw: bytes, kept: bytes, received_at: datetime | None, problems: list[str]
) -> InboundMessage:
    problems.append("malformed_mime")
    body = kept.decode("utf-8", errors="replace").replace("\x00", "")[:TRUNCATED_BODY_CHARS]
    return InboundMessage(
        channel="email",
        external_id=_synthetic_id(raw),
        sender="",
        recipient="",
        subject="",
        body=body,
        received_at=_utc(received_at) if received_at else datetime.now(UTC),
        raw=kept,
        problems=tuple(dict.fromkeys([*problems, "missing_sender"])),
    )


def _has_defects(message: Message) -> bool:
    return any(part.defects for part in _walk(message))


def _walk(message: Message) -> Iterator[Message]:
    yield message
    if message.is_multipart():
        payload = message.get_payload()
        if isinstance(payload, list):
            for part in payload:
                if isinstance(part, Message):
                    yield from _walk(part)


def _split_parts(message: Message) -> tuple[list[Message], list[Message]]:
    """Inline text leaves are body; every other leaf (and any attached email) is an attachment."""
    body: list[Message] = []
    attachments: list[Message] = []

    def visit(part: Message) -> None:
        content_type = part.get_content_type()
        if content_type == "message/rfc822" and part is not message:
            attachments.append(part)
            return
        if part.is_multipart():
            payload = part.get_payload()
            for child in payload if isinstance(payload, list) else []:
                if isinstance(child, Message):
                    visit(child)
            return
        is_attachment = part.get_content_disposition() == "attachment" or bool(_filename(part))
        # A multipart without a usable boundary arrives as one text leaf: its text is the body.
        if not is_attachment and (_is_text(part) or part.get_content_maintype() == "multipart"):
            body.append(part)
        else:
            attachments.append(part)

    visit(message)
    return body, attachments


def _body_text(parts: list[Message], problems: list[str]) -> tuple[str, bool]:
    plain = [p for p in parts if p.get_content_type() != "text/html"]
    if plain:
        return "\n".join(_decode_text(p, problems) for p in plain).strip(), False
    html = [p for p in parts if p.get_content_type() == "text/html"]
    if html:
        return "\n".join(html_to_text(_decode_text(p, problems)) for p in html).strip(), True
    return "", False


def _is_text(part: Message) -> bool:
    return part.get_content_type() in ("text/plain", "text/html")


def _decode_text(part: Message, problems: list[str]) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        problems.append("malformed_mime")
        payload = None
    if not isinstance(payload, bytes):
        raw_payload = part.get_payload()
        return raw_payload if isinstance(raw_payload, str) else ""
    charset = part.get_content_charset() or "us-ascii"
    try:
        if codecs.lookup(charset).name == "ascii":
            # Mail labelled ASCII (or unlabelled) is often UTF-8 or Latin-1 in practice.
            return _utf8_or_latin1(payload)
        return payload.decode(charset)
    except LookupError:
        problems.append(f"unknown_charset:{charset}")
    except UnicodeDecodeError:
        problems.append(f"undecodable_text:{charset}")
    return _utf8_or_latin1(payload)


def _utf8_or_latin1(payload: bytes) -> str:
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        # Latin-1 maps every byte, so nothing is lost; UTF-8 was the better guess but failed.
        return payload.decode("latin-1")


def _attachment(part: Message, problems: list[str], max_attachment_bytes: int) -> Attachment:
    content_type = part.get_content_type()
    filename = _filename(part)
    try:
        if content_type == "message/rfc822":
            inner = part.get_payload(0)
            size = len(inner.as_bytes()) if isinstance(inner, Message) else 0
            filename = filename or "forwarded-message.eml"
        else:
            payload = part.get_payload(decode=True)
            size = len(payload) if isinstance(payload, bytes) else 0
    except Exception:
        problems.append("malformed_mime")
        size = 0
    if size > max_attachment_bytes:
        problems.append(f"attachment_too_large:{filename}")
    return Attachment(filename=filename, content_type=content_type, size=size)


def _filename(part: Message) -> str:
    try:
        return _one_line(part.get_filename() or "")
    except Exception:
        return ""


def _header(message: Message, name: str) -> str:
    """A header as text; falls back to the undecoded value when the header parser chokes."""
    try:
        value = message.get(name)
        return "" if value is None else str(value)
    except Exception:
        for key, raw_value in message.raw_items():
            if key.lower() == name.lower():
                return str(raw_value)
        return ""


def _first_address(message: Message, name: str) -> tuple[str, str]:
    try:
        header = message.get(name)
        addresses: tuple[Address, ...] = getattr(header, "addresses", ())
        for address in addresses:
            if address.addr_spec and "@" in address.addr_spec:
                return address.display_name, address.addr_spec.lower()
    except Exception:
        pass
    for display, addr in getaddresses([_header(message, name)]):
        if "@" in addr:
            return display, addr.lower()
    return "", ""


def _received_at(message: Message, received_at: datetime | None) -> datetime:
    if received_at is not None:
        return _utc(received_at)
    date = _header(message, "Date")
    if date:
        try:
            return _utc(parsedate_to_datetime(date))
        except (TypeError, ValueError, IndexError, OverflowError):
            pass
    return datetime.now(UTC)


def _utc(moment: datetime) -> datetime:
    # A naive time (RFC 5322 "-0000") means the zone is unknown; UTC is the honest guess.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _synthetic_id(raw: bytes) -> str:
    return f"<{hashlib.sha256(raw).hexdigest()}@parley.invalid>"


def _bracketed(message_id: str | None) -> str | None:
    if not message_id or not message_id.strip():
        return None
    value = message_id.strip()
    return value if value.startswith("<") else f"<{value}>"


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\x00", "")).strip()
