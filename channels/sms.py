"""SMS through Twilio: webhook form in, Messages API out.

Inbound, Twilio posts a signed form to our webhook; `validate_twilio_signature` checks it and
`inbound_from_twilio_form` turns it into an `InboundMessage` (media are listed, never fetched).
Outbound, `TwilioSmsSender` calls the real `twilio` client in a worker thread and maps every
failure to `SendError`:

    SendError(permanent=True)   the request can never succeed as sent: bad credentials,
                                recipient unsubscribed (21610), invalid number (21211), any other
                                4xx except 429, a message that is not an SMS or has no body
    SendError(permanent=False)  retrying may help: 429, 5xx, connection errors and timeouts

`sms_keyword` recognises Twilio's standard opt-out/opt-in/help keywords, which Twilio itself acts
on at the carrier level; Parley must record them so that it stops (or resumes) texting too.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import unicodedata
import urllib.parse
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from channels.base import Attachment, InboundMessage, OutboundMessage, SendError

__all__ = [
    "SmsKeyword",
    "TwilioSmsSender",
    "inbound_from_twilio_form",
    "sms_keyword",
    "validate_twilio_signature",
]

SmsKeyword = Literal["stop", "start", "help"]

TWILIO_API_ORIGIN = "https://api.twilio.com"
"""Where the real client sends; `api_base` replaces this origin and keeps path and query."""

MAX_MEDIA = 10
"""Twilio delivers at most ten media per MMS; a larger NumMedia is a malformed form."""

_KEYWORDS: dict[str, SmsKeyword] = {
    **dict.fromkeys(
        ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"), "stop"
    ),
    **dict.fromkeys(("START", "YES", "UNSTOP"), "start"),
    **dict.fromkeys(("HELP", "INFO"), "help"),
}
_EDGE_JUNK = re.compile(r"^[\W_]+|[\W_]+$")

_KNOWN_ERRORS = {
    20003: "Twilio rejected the credentials: check PARLEY_TWILIO_ACCOUNT_SID and "
    "PARLEY_TWILIO_AUTH_TOKEN",
    21211: "the recipient number is not a valid phone number",
    21408: "the account is not permitted to send SMS to this region",
    21610: "the recipient has unsubscribed (replied STOP); do not text them again",
    21612: "Twilio cannot route a message from this sender to this recipient",
    21614: "the recipient number is not a mobile number",
}


def validate_twilio_signature(
    auth_token: str, url: str, params: Mapping[str, str], signature: str
) -> bool:
    """Tell whether a webhook request really comes from Twilio.

    Twilio signs the full URL it called (scheme, host, path and query, exactly as configured in
    the console) followed by the sorted form fields, with the account's auth token. The URL must
    therefore be the public one Twilio used, not the one a proxy forwarded to us.

    Args:
        auth_token: The account's auth token (the secret, not the account SID).
        url: The full public URL Twilio requested.
        params: The POSTed form fields; a multi-dict with `getlist` is honoured.
        signature: The `X-Twilio-Signature` header; empty means unsigned.

    Returns:
        True only for a signature made with this token over this URL and these fields.
    """
    if not auth_token or not signature:
        return False
    return bool(RequestValidator(auth_token).validate(url, params, signature))


def inbound_from_twilio_form(form: Mapping[str, str], *, received_at: datetime) -> InboundMessage:
    """Normalise one Twilio incoming-message webhook form.

    Nothing is dropped: a form that lacks a field still becomes a message, with the gap named in
    `problems` (`empty_body`, `missing_message_sid`, `missing_sender`, `nul_bytes`,
    `bad_num_media`, `missing_media_url:N`) so that a person can look at it.

    Args:
        form: The webhook's form fields (MessageSid, From, To, Body, NumMedia, MediaUrlN, ...).
        received_at: When our webhook received it (aware UTC).

    Returns:
        The message, with `raw` holding the form re-encoded as Twilio sent it (urlencoded).
    """
    fields = {key: str(form[key]) for key in form}
    raw = urllib.parse.urlencode(sorted(fields.items())).encode("ascii")
    problems: list[str] = []

    external_id = fields.get("MessageSid") or fields.get("SmsSid") or ""
    if not external_id:
        external_id = "missing-sid:" + hashlib.sha256(raw).hexdigest()[:32]
        problems.append("missing_message_sid")
    sender = fields.get("From", "").strip()
    if not sender:
        problems.append("missing_sender")

    body = fields.get("Body", "")
    if "\x00" in body:
        # PostgreSQL text cannot hold NUL; storing would fail and Twilio would retry forever.
        body = body.replace("\x00", "")
        problems.append("nul_bytes")
    if not body.strip():
        problems.append("empty_body")

    attachments, media_problems = _media(fields)
    problems.extend(media_problems)
    return InboundMessage(
        channel="sms",
        external_id=external_id,
        sender=sender,
        recipient=fields.get("To", "").strip(),
        subject="",
        body=body,
        received_at=received_at,
        raw=raw,
        attachments=attachments,
        problems=tuple(problems),
    )


def _media(fields: Mapping[str, str]) -> tuple[tuple[Attachment, ...], list[str]]:
    declared = fields.get("NumMedia", "0").strip() or "0"
    if not declared.isdigit() or int(declared) > MAX_MEDIA:
        return (), ["bad_num_media"]
    attachments: list[Attachment] = []
    problems: list[str] = []
    for index in range(int(declared)):
        url = fields.get(f"MediaUrl{index}", "")
        if not url:
            problems.append(f"missing_media_url:{index}")
            continue
        content_type = fields.get(f"MediaContentType{index}") or "application/octet-stream"
        # The size is unknown: media stay on Twilio's servers and are never fetched here.
        attachments.append(Attachment(filename=url, content_type=content_type, size=0))
    return tuple(attachments), problems


def sms_keyword(body: str) -> SmsKeyword | None:
    """Recognise a whole-message Twilio keyword ("Stop.", " HELP ", "unstop!").

    Only the entire message counts, as on Twilio: "stop calling me at work" is not a keyword and
    is left to triage. Case, surrounding whitespace and punctuation (emoji too) are ignored, and
    compatibility forms are folded (full-width "ＳＴＯＰ" is STOP).
    """
    word = _EDGE_JUNK.sub("", unicodedata.normalize("NFKC", body)).upper()
    return _KEYWORDS.get(word)


class _LocalApiHttpClient(TwilioHttpClient):  # type: ignore[misc]  # twilio ships no types
    """Sends what the client addresses to api.twilio.com to another origin (a local test API).

    `http_client=` is the client's documented extension point, so this covers every request the
    client makes, with its real auth, form encoding and error parsing.
    """

    def __init__(self, api_base: str, *, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.api_base = api_base.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        if url.startswith(TWILIO_API_ORIGIN):
            url = self.api_base + url[len(TWILIO_API_ORIGIN) :]
        return super().request(method, url, *args, **kwargs)


class TwilioSmsSender:
    """Sends SMS through Twilio's Messages API with the official client.

    The client is blocking (requests), so each send runs in a worker thread and never stalls the
    event loop. Sends are not retried here: the outbox owns retries, guided by
    `SendError.permanent`.
    """

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str,
        *,
        api_base: str | None = None,
        status_callback_url: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        """Build the sender.

        Args:
            account_sid: The account SID ("AC..."), PARLEY_TWILIO_ACCOUNT_SID.
            auth_token: The auth token, PARLEY_TWILIO_AUTH_TOKEN.
            from_number: The Twilio number (E.164) or messaging sender to send from.
            api_base: Another origin for the API (PARLEY_TWILIO_API_BASE, e.g.
                http://127.0.0.1:8099); None talks to https://api.twilio.com.
            status_callback_url: Where Twilio should post delivery statuses.
            timeout: Seconds to wait for Twilio before the send counts as a transient failure.

        Raises:
            ValueError: If the account SID, auth token or sender number is empty.
        """
        missing = [
            name
            for name, value in (
                ("PARLEY_TWILIO_ACCOUNT_SID", account_sid),
                ("PARLEY_TWILIO_AUTH_TOKEN", auth_token),
                ("PARLEY_TWILIO_FROM_NUMBER", from_number),
            )
            if not value
        ]
        if missing:
            raise ValueError(f"Twilio SMS needs {', '.join(missing)} to be set")
        self.from_number = from_number
        self.status_callback_url = status_callback_url
        self._http = (
            _LocalApiHttpClient(api_base, timeout=timeout)
            if api_base
            else TwilioHttpClient(timeout=timeout)
        )
        self._client = Client(account_sid, auth_token, http_client=self._http)

    async def send(self, message: OutboundMessage) -> str:
        """Send one SMS and return its Message SID ("SM...").

        Raises:
            SendError: `permanent=True` when Twilio refuses the message for good (or it is not
                a sendable SMS), `permanent=False` when a retry may succeed.
        """
        if message.channel != "sms":
            raise SendError(
                f"TwilioSmsSender only sends SMS, got a {message.channel!r} message",
                permanent=True,
            )
        if not message.body.strip():
            raise SendError("refusing to send an empty SMS", permanent=True)
        return await asyncio.to_thread(self._send_blocking, message)

    def _send_blocking(self, message: OutboundMessage) -> str:
        options: dict[str, Any] = {}
        if self.status_callback_url:
            options["status_callback"] = self.status_callback_url
        try:
            created = self._client.messages.create(
                to=message.to, from_=self.from_number, body=message.body, **options
            )
        except TwilioRestException as exc:
            raise _rest_error(exc.status, exc.code, exc.msg) from exc
        except TwilioServiceException as exc:
            raise _rest_error(exc.status, exc.code, exc.title) from exc
        except requests.RequestException as exc:
            raise SendError(f"could not reach Twilio ({type(exc).__name__}): {exc}") from exc
        except (TwilioException, ValueError) as exc:
            # A malformed answer (not JSON, no sid) from something claiming to be Twilio.
            raise SendError(f"unexpected answer from Twilio: {exc}") from exc
        sid = created.sid
        if not isinstance(sid, str) or not sid:
            raise SendError("Twilio accepted the message but returned no SID")
        return sid

    def close(self) -> None:
        """Release pooled HTTP connections."""
        if self._http.session is not None:
            self._http.session.close()


def _rest_error(status: int, code: int | None, detail: str) -> SendError:
    permanent = 400 <= status < 500 and status not in (408, 429)
    explanation = _KNOWN_ERRORS.get(code or 0, "")
    text = f"Twilio answered HTTP {status}" + (f", error {code}" if code else "")
    text += f": {explanation or detail}"
    if explanation and detail:
        text += f" ({detail})"
    return SendError(text, permanent=permanent)
