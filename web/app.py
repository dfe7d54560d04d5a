"""The HTTP face of Parley: Twilio's webhooks and a health check.

The app only checks that a request is genuine and well-formed, turns it into a channel value and
hands it to the callables in `WebHandlers`; storing, triage and replies live behind them. In
particular a STOP is not answered here with TwiML: the pipeline sends its confirmation through
the guard and the outbox like any other reply.

Status codes Twilio sees, and why:

    200  stored (or already stored: a redelivery is acknowledged the same way)
    403  the X-Twilio-Signature does not match: the handler is never called
    413  the form is larger than the limit (1 MiB)
    415  not a urlencoded form (Twilio only sends those)
    500  storing failed: Twilio retries the webhook, so nothing is lost
"""

from __future__ import annotations

import logging
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import ImmutableMultiDict

from channels.base import InboundMessage
from channels.sms import inbound_from_twilio_form, validate_twilio_signature
from web.console import ConsoleService, install_console

__all__ = ["EMPTY_TWIML", "MAX_FORM_BYTES", "WebHandlers", "create_app"]

log = logging.getLogger(__name__)

MAX_FORM_BYTES = 1024 * 1024
"""A Twilio webhook form is a few kilobytes; anything near this is not from Twilio."""

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
"""Tells Twilio "received, send nothing back"; replies go out through the outbox instead."""

SMS_WEBHOOK_PATH = "/webhooks/twilio/sms"
STATUS_WEBHOOK_PATH = "/webhooks/twilio/status"


@dataclass(frozen=True)
class WebHandlers:
    """What the app needs from the rest of Parley; each runs in a worker thread, so it may block.

    Attributes:
        receive_sms: Stores the message durably before returning. Returns False when the
            MessageSid was already stored. Raises when storing failed, so that the webhook
            answers 500 and Twilio delivers again.
        record_delivery: Records a delivery status (sid, status, Twilio error code or None).
        is_ready: True once the service can accept traffic.
    """

    receive_sms: Callable[[InboundMessage], bool]
    record_delivery: Callable[[str, str, str | None], None]
    is_ready: Callable[[], bool]


class _FormTooLarge(Exception):
    """The request body went past the form size limit."""


class _NotAForm(Exception):
    """The request body is not application/x-www-form-urlencoded."""


def create_app(
    *,
    public_url: str,
    twilio_auth_token: str,
    handlers: WebHandlers,
    console: ConsoleService | None = None,
) -> FastAPI:
    """Build the app.

    Args:
        public_url: The origin (and optional path prefix) Twilio calls, exactly as configured in
            the Twilio console, e.g. https://parley.example.com. Signatures are checked against
            it, not against the Host header, which a proxy may have rewritten.
        twilio_auth_token: The secret Twilio signs webhooks with. Empty means every webhook is
            refused (403), which is right when SMS is not configured.
        handlers: The storage and readiness callables.
        console: When given, the browser console (/login, /console/...) is served too; its
            cookies are Secure when public_url is https.

    Raises:
        ValueError: If public_url is not an absolute http(s) URL.
    """
    parsed = urllib.parse.urlsplit(public_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(
            f"public_url must be an absolute http(s) URL such as https://parley.example.com "
            f"(PARLEY_PUBLIC_URL), got {public_url!r}"
        )
    base = public_url.rstrip("/")
    if not twilio_auth_token:
        log.warning("no Twilio auth token (PARLEY_TWILIO_AUTH_TOKEN): Twilio webhooks get 403")

    app = FastAPI(title="Parley", docs_url=None, redoc_url=None, openapi_url=None)

    async def signed_form(request: Request) -> ImmutableMultiDict[str, str] | Response:
        try:
            form = await _read_form(request, MAX_FORM_BYTES)
        except _FormTooLarge:
            return PlainTextResponse(f"form body over {MAX_FORM_BYTES} bytes", status_code=413)
        except _NotAForm as exc:
            return PlainTextResponse(str(exc), status_code=415)
        url = base + request.url.path + (f"?{request.url.query}" if request.url.query else "")
        signature = request.headers.get("x-twilio-signature", "")
        if not validate_twilio_signature(twilio_auth_token, url, form, signature):
            log.warning(
                "refused %s from %s: %s X-Twilio-Signature for %s",
                request.url.path,
                request.client.host if request.client else "?",
                "bad" if signature else "missing",
                url,
            )
            return PlainTextResponse("invalid X-Twilio-Signature", status_code=403)
        return form

    @app.post(SMS_WEBHOOK_PATH)
    async def twilio_sms(request: Request) -> Response:
        form = await signed_form(request)
        if isinstance(form, Response):
            return form
        message = inbound_from_twilio_form(form, received_at=datetime.now(UTC))
        try:
            stored = await run_in_threadpool(handlers.receive_sms, message)
        except Exception:
            log.exception(
                "could not store SMS %s; answering 500 so Twilio retries", message.external_id
            )
            return PlainTextResponse("could not store the message; retry", status_code=500)
        if not stored:
            log.info("SMS %s was already stored; acknowledging the redelivery", message.external_id)
        return Response(EMPTY_TWIML, media_type="text/xml")

    @app.post(STATUS_WEBHOOK_PATH)
    async def twilio_status(request: Request) -> Response:
        form = await signed_form(request)
        if isinstance(form, Response):
            return form
        sid = str(form.get("MessageSid") or form.get("SmsSid") or "")
        status = str(form.get("MessageStatus") or form.get("SmsStatus") or "")
        if not sid or not status:
            return PlainTextResponse("MessageSid and MessageStatus are required", status_code=400)
        error_code = str(form.get("ErrorCode") or "") or None
        try:
            await run_in_threadpool(handlers.record_delivery, sid, status, error_code)
        except Exception:
            log.exception("could not record delivery status %s for %s", status, sid)
            return PlainTextResponse("could not record the status; retry", status_code=500)
        return Response(status_code=204)

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        try:
            ready = await run_in_threadpool(handlers.is_ready)
        except Exception:
            log.exception("readiness check failed")
            ready = False
        if ready:
            return JSONResponse({"status": "ok"})
        return JSONResponse({"status": "starting"}, status_code=503)

    if console is not None:
        install_console(app, console, secure_cookies=parsed.scheme == "https")
    return app


async def _read_form(request: Request, limit: int) -> ImmutableMultiDict[str, str]:
    """Read a urlencoded body without ever holding more than `limit` bytes of it.

    The Content-Length is checked first, then the stream is counted, because a chunked request
    has no length to trust.
    """
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise _NotAForm(
            f"expected application/x-www-form-urlencoded, got {content_type or 'no content type'}"
        )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _FormTooLarge(declared)
    size = 0
    chunks: list[bytes] = []
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _FormTooLarge(str(size))
        chunks.append(chunk)
    # Percent-escapes carry the UTF-8 text; stray raw bytes are replaced, never fatal.
    text = b"".join(chunks).decode("utf-8", errors="replace")
    return ImmutableMultiDict(urllib.parse.parse_qsl(text, keep_blank_values=True))
