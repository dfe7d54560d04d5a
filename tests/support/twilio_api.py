"""A local HTTP server that speaks the slice of Twilio's REST API Parley uses: sending a Message.

It is a real server on loopback, so the real `twilio` client is exercised end to end (URL
building, HTTP Basic auth, form encoding, JSON and error parsing). It can fail on demand, and it
can post signed delivery-status callbacks the way Twilio does, so a webhook can be tested with
what Twilio would really send.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import threading
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from twilio.request_validator import RequestValidator

API_VERSION = "2010-04-01"
_MESSAGES_PATH = re.compile(
    rf"^/{API_VERSION}/Accounts/(?P<account>AC[0-9a-fA-F]{{32}})/Messages\.json$"
)
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
# GSM 03.38 basic set; anything else makes Twilio send the message as UCS-2.
_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€\f")


def new_account_sid() -> str:
    return "AC" + secrets.token_hex(16)


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake received it."""

    method: str
    path: str
    form: dict[str, str]
    auth: tuple[str, str] | None
    headers: dict[str, str]
    status: int
    """What the fake answered."""
    response: dict[str, Any]
    """The JSON body of the answer (the created Message, or Twilio's error object)."""


@dataclass(frozen=True)
class DeliveredCallback:
    """One status callback the fake posted, and how the receiver answered."""

    url: str
    form: dict[str, str]
    status_code: int | None
    error: str | None = None


@dataclass
class _Failure:
    status: int
    code: int
    message: str


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: list[RecordedRequest] = field(default_factory=list)
    callbacks: list[DeliveredCallback] = field(default_factory=list)
    failures: list[_Failure] = field(default_factory=list)
    callback_threads: list[threading.Thread] = field(default_factory=list)
    changed: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.changed = threading.Condition(self.lock)


_DEFAULT_MESSAGES = {
    400: "Bad Request",
    401: "Authenticate",
    404: "The requested resource was not found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
    20003: "Authenticate",
    21211: "Invalid 'To' Phone Number",
    21610: "Attempt to send to unsubscribed recipient",
}


class FakeTwilioApi:
    """Twilio's Messages API on 127.0.0.1, for one account.

    Use as a context manager; `base_url` is what `TwilioSmsSender(api_base=...)` needs.
    `requests` lists every request received (including refused ones), `messages` the ones that
    created a message.
    """

    def __init__(
        self,
        account_sid: str | None = None,
        auth_token: str | None = None,
        *,
        send_status_callbacks: bool = False,
        callback_statuses: tuple[str, ...] = ("sent", "delivered"),
    ) -> None:
        self.account_sid = account_sid or new_account_sid()
        self.auth_token = auth_token or secrets.token_hex(16)
        self.send_status_callbacks = send_status_callbacks
        self.callback_statuses = callback_statuses
        self._state = _State()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._callback_client = httpx.Client(timeout=30.0)

    def __enter__(self) -> FakeTwilioApi:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving, wait for callbacks in flight, release the socket and the client."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(30)
        self._server.server_close()
        with self._state.lock:
            pending = list(self._state.callback_threads)
        for thread in pending:
            thread.join(60)
        self._callback_client.close()

    # What tests ask of the fake

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._state.lock:
            return list(self._state.requests)

    @property
    def messages(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.status == 201]

    @property
    def callbacks(self) -> list[DeliveredCallback]:
        with self._state.lock:
            return list(self._state.callbacks)

    def fail_next(
        self, count: int = 1, *, status: int = 500, code: int | None = None, message: str = ""
    ) -> None:
        """Answer the next `count` authenticated send requests with this Twilio error."""
        failure = _Failure(
            status=status,
            code=code or status,
            message=message or _DEFAULT_MESSAGES.get(code or status, "Error"),
        )
        with self._state.lock:
            self._state.failures.extend(failure for _ in range(count))

    def wait_for_callbacks(self, count: int, timeout: float = 30.0) -> list[DeliveredCallback]:
        """Block until `count` status callbacks were posted (answered or failed)."""
        with self._state.changed:
            done = self._state.changed.wait_for(
                lambda: len(self._state.callbacks) >= count, timeout=timeout
            )
            callbacks = list(self._state.callbacks)
        if not done:
            raise AssertionError(
                f"expected {count} status callbacks within {timeout} s, got {callbacks}"
            )
        return callbacks

    def sign(self, url: str, form: dict[str, str]) -> str:
        """The X-Twilio-Signature Twilio would send with this form to this URL."""
        return str(RequestValidator(self.auth_token).compute_signature(url, form))

    # Serving

    def _handle(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, Any], dict[str, str] | None]:
        """Returns (status, JSON body, form of a created message or None)."""
        form = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        auth = _basic_auth(headers.get("authorization", ""))
        status, payload, created = self._answer(method, path, form, auth)
        with self._state.lock:
            self._state.requests.append(
                RecordedRequest(method, path, form, auth, headers, status, payload)
            )
        return status, payload, created

    def _answer(
        self, method: str, path: str, form: dict[str, str], auth: tuple[str, str] | None
    ) -> tuple[int, dict[str, Any], dict[str, str] | None]:
        match = _MESSAGES_PATH.match(path)
        if method != "POST" or match is None:
            return 404, _error(404, 20404, f"The requested resource {path} was not found"), None
        if auth != (self.account_sid, self.auth_token) or match["account"] != self.account_sid:
            return 401, _error(401, 20003, "Authenticate"), None
        with self._state.lock:
            failure = self._state.failures.pop(0) if self._state.failures else None
        if failure is not None:
            return failure.status, _error(failure.status, failure.code, failure.message), None
        to, sender, body = form.get("To", ""), form.get("From", ""), form.get("Body", "")
        if not to:
            return 400, _error(400, 21604, "A 'To' phone number is required."), None
        if not sender:
            return 400, _error(400, 21603, "A 'From' phone number is required."), None
        if not body and not form.get("MediaUrl"):
            return 400, _error(400, 21602, "Message body is required."), None
        if not _E164.match(to):
            return 400, _error(400, 21211, f"Invalid 'To' Phone Number: {to}"), None
        return 201, self._message(form), form

    def _message(self, form: dict[str, str]) -> dict[str, Any]:
        sid = "SM" + secrets.token_hex(16)
        now = format_datetime(datetime.now(UTC), usegmt=True).replace("GMT", "+0000")
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}"
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": form["Body"],
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": form["From"],
            "messaging_service_sid": None,
            "num_media": "0",
            "num_segments": str(num_segments(form["Body"])),
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "queued",
            "subresource_uris": {"media": f"{uri}/Media.json"},
            "to": form["To"],
            "uri": f"{uri}.json",
        }

    def _schedule_callbacks(self, form: dict[str, str], message: dict[str, Any]) -> None:
        url = form.get("StatusCallback")
        if not self.send_status_callbacks or not url:
            return
        thread = threading.Thread(target=self._post_callbacks, args=(url, message), daemon=True)
        with self._state.lock:
            self._state.callback_threads.append(thread)
        thread.start()

    def _post_callbacks(self, url: str, message: dict[str, Any]) -> None:
        for status in self.callback_statuses:
            form = {
                "AccountSid": self.account_sid,
                "ApiVersion": API_VERSION,
                "From": message["from"],
                "MessageSid": message["sid"],
                "MessageStatus": status,
                "SmsSid": message["sid"],
                "SmsStatus": status,
                "To": message["to"],
            }
            headers = {"X-Twilio-Signature": self.sign(url, form), "User-Agent": "TwilioProxy/1.1"}
            try:
                response = self._callback_client.post(url, data=form, headers=headers)
                record = DeliveredCallback(url, form, response.status_code)
            except httpx.HTTPError as exc:
                record = DeliveredCallback(url, form, None, f"{type(exc).__name__}: {exc}")
            with self._state.changed:
                self._state.callbacks.append(record)
                self._state.changed.notify_all()


def num_segments(body: str) -> int:
    """How many SMS segments Twilio bills for `body` (GSM-7: 160/153, else UCS-2: 70/67)."""
    if all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in body):
        units = sum(2 if ch in _GSM_EXTENDED else 1 for ch in body)
        single, multi = 160, 153
    else:
        units = len(body.encode("utf-16-le")) // 2
        single, multi = 70, 67
    if units <= single:
        return 1
    return -(-units // multi)


def _error(status: int, code: int, message: str) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def _basic_auth(header: str) -> tuple[str, str] | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if sep else None


def _handler_class(fake: FakeTwilioApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {key.lower(): value for key, value in self.headers.items()}
            path = urllib.parse.urlsplit(self.path).path
            status, payload, created = fake._handle(method, path, headers, body)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            if status == 401:
                self.send_header("WWW-Authenticate", 'Basic realm="Twilio API"')
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
            if created is not None:
                # Like Twilio: the status callback comes after the create call has returned.
                fake._schedule_callbacks(created, payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
