"""Reads debtor mail from an IMAP folder and hands each message to `deliver`, at least once.

The order of steps is the guarantee: fetch with BODY.PEEK (the server sets no flag), deliver
(which stores durably and returns only then), then flag \\Seen or move the message, then
save the last UID. A crash anywhere before the flag means the message comes again, and the
store ignores a Message-ID it already has; nothing is ever flagged without being stored.

Blocking (imapclient), meant for a thread: `run()` loops until `stop_event` is set, using
IDLE when the server has it and polling otherwise, and reconnects with backoff after any
network error or server restart. `run_once()` drains what is there and returns.

Errors:

    ImapError          the server could not be reached or broke the protocol; retry later
      ImapConfigError  login refused or the folder does not exist; fix the settings
"""

from __future__ import annotations

import imaplib
import logging
import ssl as ssl_module
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from channels.base import InboundMessage
from channels.mime import parse_email

__all__ = ["ImapConfigError", "ImapError", "ImapListener", "ImapStateStore", "MemoryImapState"]

log = logging.getLogger(__name__)

_SEEN = b"\\Seen"


class ImapError(Exception):
    """The IMAP server could not be reached or answered wrongly; retrying later can help."""


class ImapConfigError(ImapError):
    """Login refused or folder missing; a person must fix the IMAP settings."""


class ImapStateStore(Protocol):
    """Where the listener remembers (UIDVALIDITY, last delivered UID) per mailbox key."""

    def load(self, key: str) -> tuple[int, int] | None: ...

    def save(self, key: str, uidvalidity: int, last_uid: int) -> None: ...


class MemoryImapState:
    """An `ImapStateStore` in a dict, for tests and `--once` runs without a database."""

    def __init__(self) -> None:
        self._rows: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def load(self, key: str) -> tuple[int, int] | None:
        with self._lock:
            return self._rows.get(key)

    def save(self, key: str, uidvalidity: int, last_uid: int) -> None:
        with self._lock:
            self._rows[key] = (uidvalidity, last_uid)


# Messages fetched per round trip: few round trips, yet a batch of 10 MB mails fits in memory.
FETCH_BATCH = 10


@dataclass(frozen=True)
class _DrainResult:
    delivered: int
    failed: bool


class ImapListener:
    """Delivers every new message of one IMAP folder once it is stored, then marks it done."""

    def __init__(
        self,
        host: str,
        port: int,
        username: str,
        password: str,
        *,
        ssl: bool,
        folder: str = "INBOX",
        processed_folder: str | None = None,
        state: ImapStateStore,
        deliver: Callable[[InboundMessage], None],
        idle_timeout: float = 60,
        poll_interval: float = 5,
        reconnect_backoff: Sequence[float] = (1, 2, 5, 10, 30),
        stop_event: threading.Event,
        timeout: float = 60,
        ssl_context: ssl_module.SSLContext | None = None,
    ) -> None:
        if not reconnect_backoff:
            raise ValueError("reconnect_backoff needs at least one delay")
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.ssl = ssl
        self.folder = folder
        self.processed_folder = processed_folder
        self.state = state
        self.deliver = deliver
        # RFC 2177: re-issue IDLE at least every 29 minutes or the server may drop us.
        self.idle_timeout = min(idle_timeout, 29 * 60)
        self.poll_interval = poll_interval
        self.reconnect_backoff = tuple(reconnect_backoff)
        self.stop_event = stop_event
        self.timeout = timeout
        self.ssl_context = ssl_context

    @property
    def state_key(self) -> str:
        """Identifies the mailbox in the state store: one row per server, user and folder."""
        return f"imap://{self.username}@{self.host}:{self.port}/{self.folder}"

    def run(self) -> None:
        """Deliver new mail until `stop_event` is set; never raises for network trouble."""
        failures = 0
        while not self.stop_event.is_set():
            try:
                client = self._connect()
            except ImapError as exc:
                failures = self._back_off(failures, exc)
                continue
            try:
                failures = 0
                self._serve(client)
            except (OSError, imaplib.IMAP4.error, ImapError) as exc:
                failures = self._back_off(failures, exc)
            finally:
                self._close(client)
        log.info("IMAP listener for %s stopped", self.state_key)

    def run_once(self) -> int:
        """Connect, deliver what is new, disconnect; returns how many were delivered.

        Raises:
            ImapConfigError: login refused or folder missing.
            ImapError: the server could not be reached or a delivery failed (the message
                stays unflagged and is offered again on the next run).
        """
        client = self._connect()
        try:
            result = self._drain(client)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise ImapError(f"IMAP session with {self.host}:{self.port} failed: {exc}") from exc
        finally:
            self._close(client)
        if result.failed:
            raise ImapError(
                f"delivered {result.delivered} message(s), then a delivery failed; "
                "the rest stays unflagged for the next run"
            )
        return result.delivered

    def _back_off(self, failures: int, exc: Exception) -> int:
        delay = self.reconnect_backoff[min(failures, len(self.reconnect_backoff) - 1)]
        level = logging.ERROR if isinstance(exc, ImapConfigError) else logging.WARNING
        log.log(level, "IMAP %s: %s; reconnecting in %ss", self.state_key, exc, delay)
        self.stop_event.wait(delay)
        return failures + 1

    def _connect(self) -> IMAPClient:
        try:
            client = IMAPClient(
                self.host,
                port=self.port,
                ssl=self.ssl,
                ssl_context=self.ssl_context,
                timeout=self.timeout,
            )
        except (OSError, imaplib.IMAP4.error) as exc:
            raise ImapError(f"cannot connect to IMAP {self.host}:{self.port}: {exc}") from exc
        # INTERNALDATE as an aware datetime, not converted to this machine's local time.
        client.normalise_times = False
        try:
            client.login(self.username, self.password)
            if not client.folder_exists(self.folder):
                raise ImapConfigError(
                    f"IMAP folder {self.folder!r} does not exist for {self.username}; "
                    "check PARLEY_IMAP_FOLDER"
                )
            if self.processed_folder and not client.folder_exists(self.processed_folder):
                self._create_processed_folder(client)
        except LoginError as exc:
            self._close(client)
            if "UNAVAILABLE" in str(exc):  # RFC 5530: the server's auth backend is down
                raise ImapError(f"IMAP login temporarily unavailable: {exc}") from exc
            raise ImapConfigError(
                f"the IMAP server {self.host}:{self.port} refused the login for "
                f"{self.username!r} ({exc}); check PARLEY_IMAP_USER and PARLEY_IMAP_PASSWORD"
            ) from exc
        except ImapConfigError:
            self._close(client)
            raise
        except (OSError, imaplib.IMAP4.error) as exc:
            self._close(client)
            raise ImapError(f"IMAP session with {self.host}:{self.port} failed: {exc}") from exc
        log.info("IMAP connected to %s", self.state_key)
        return client

    def _create_processed_folder(self, client: IMAPClient) -> None:
        assert self.processed_folder is not None
        try:
            client.create_folder(self.processed_folder)
        except imaplib.IMAP4.error as exc:
            raise ImapConfigError(
                f"cannot create the IMAP folder {self.processed_folder!r} ({exc}); check "
                "PARLEY_IMAP_PROCESSED_FOLDER (the server's hierarchy separator may differ)"
            ) from exc

    def _close(self, client: IMAPClient) -> None:
        try:
            client.logout()
        except Exception:  # the connection may already be dead; the socket still gets closed
            try:
                client.shutdown()
            except Exception:
                log.debug("IMAP socket already closed", exc_info=True)

    def _serve(self, client: IMAPClient) -> None:
        idle = client.has_capability("IDLE")
        if not idle:
            log.info("IMAP server %s has no IDLE; polling every %ss", self.host, self.poll_interval)
        while not self.stop_event.is_set():
            result = self._drain(client)
            if result.delivered and not result.failed:
                # Mail that arrived while we drained was announced before IDLE began, and IDLE
                # will not announce it again: drain until a pass finds nothing new.
                continue
            # After a failed delivery, wait no longer than the poll interval before retrying.
            if idle and not result.failed:
                self._idle(client)
            else:
                self._poll_wait(client)

    def _idle(self, client: IMAPClient) -> None:
        client.idle()
        started = time.monotonic()
        news: list[Any] = []
        while not self.stop_event.is_set() and not news:
            # The poll interval also bounds IDLE: a message appended between the last empty
            # drain and the IDLE command is never announced, so look again at least this often.
            if time.monotonic() - started >= min(self.idle_timeout, self.poll_interval):
                break
            news = client.idle_check(timeout=1)
        client.idle_done()

    def _poll_wait(self, client: IMAPClient) -> None:
        deadline = time.monotonic() + self.poll_interval
        while not self.stop_event.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self.stop_event.wait(min(1.0, remaining))
        if not self.stop_event.is_set():
            client.noop()

    def _drain(self, client: IMAPClient) -> _DrainResult:
        # SELECT (again) rather than STATUS: RFC 3501 advises against STATUS on the selected
        # folder, and SELECT reports UIDVALIDITY and UIDNEXT as of now.
        selected = client.select_folder(self.folder)
        uidvalidity = int(selected[b"UIDVALIDITY"])
        uidnext = int(selected.get(b"UIDNEXT", 1))
        saved = self.state.load(self.state_key)
        fresh = saved is None or saved[0] != uidvalidity
        if not fresh:
            assert saved is not None
            last_uid = saved[1]
            # "n:*" always matches the highest UID, even below n (RFC 3501 6.4.8).
            uids = [u for u in client.search(["UID", f"{last_uid + 1}:*"]) if u > last_uid]
        else:
            if saved is not None:
                log.warning(
                    "IMAP UIDVALIDITY of %s changed (%s -> %s): the server renumbered the "
                    "folder; taking messages not yet \\Seen instead of replaying all of it",
                    self.state_key,
                    saved[0],
                    uidvalidity,
                )
            last_uid = 0
            uids = list(client.search(["UNSEEN"]))
        delivered = 0
        ordered = sorted(uids)
        for start in range(0, len(ordered), FETCH_BATCH):
            batch = ordered[start : start + FETCH_BATCH]
            done, failed = self._deliver_batch(client, batch)
            if done:
                # Flag and remember only what deliver() has stored.
                self._mark_done(client, done)
                last_uid = max(last_uid, *done)
                self.state.save(self.state_key, uidvalidity, last_uid)
                delivered += len(done)
            if failed or self.stop_event.is_set():
                return _DrainResult(delivered, failed=failed)
        if fresh:
            # Every unseen message is delivered; older seen ones are history, not news.
            self.state.save(self.state_key, uidvalidity, max(last_uid, uidnext - 1))
        return _DrainResult(delivered, failed=False)

    def _deliver_batch(self, client: IMAPClient, batch: list[int]) -> tuple[list[int], bool]:
        """Fetch a batch in one round trip and deliver in UID order; stop at the first failure."""
        fetched_all = client.fetch(batch, ["BODY.PEEK[]", "INTERNALDATE"])
        done: list[int] = []
        for uid in batch:
            if self.stop_event.is_set():
                return done, False
            fetched = fetched_all.get(uid)
            if fetched is None:  # expunged by someone else since the search
                continue
            message = parse_email(
                bytes(fetched.get(b"BODY[]") or b""), received_at=_internal_date(fetched)
            )
            try:
                self.deliver(message)
            except Exception:
                log.exception(
                    "IMAP %s: delivering UID %s (%s) failed; it stays unflagged and is retried",
                    self.state_key,
                    uid,
                    message.external_id,
                )
                return done, True
            done.append(uid)
        return done, False

    def _mark_done(self, client: IMAPClient, uids: list[int]) -> None:
        client.add_flags(uids, [_SEEN], silent=True)
        if not self.processed_folder:
            return
        if client.has_capability("MOVE"):
            client.move(uids, self.processed_folder)
            return
        # RFC 6851's fallback: copy, mark deleted, and expunge only this UID when UIDPLUS
        # allows it (a plain EXPUNGE would also remove messages others marked \Deleted).
        client.copy(uids, self.processed_folder)
        client.delete_messages(uids, silent=True)
        if client.has_capability("UIDPLUS"):
            client.uid_expunge(uids)
        else:
            client.expunge()


def _internal_date(fetched: dict[bytes, Any]) -> datetime | None:
    value = fetched.get(b"INTERNALDATE")
    return value if isinstance(value, datetime) else None
