"""ImapListener against a real Dovecot on loopback."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from channels.base import InboundMessage
from channels.imap import ImapConfigError, ImapError, ImapListener, MemoryImapState
from tests.support.dovecot import DovecotServer

SEEN = b"\\Seen"


def mail(n: int, subject: str = "About my account") -> bytes:
    return (
        f"From: Dana Whitfield <dana@example.com>\r\nTo: collector@example.test\r\n"
        f"Subject: {subject} {n}\r\nMessage-ID: <reply-{n}@example.com>\r\n"
        f"Date: Tue, 03 Mar 2026 10:00:00 +0000\r\n\r\nI can pay $250 on the 15th. ({n})\r\n"
    ).encode()


class Inbox:
    """Plays the store: records deliveries, can be told to fail, can look at the server."""

    def __init__(self) -> None:
        self.messages: list[InboundMessage] = []
        self.fail = False
        self.on_deliver: Callable[[InboundMessage], None] | None = None
        self._cond = threading.Condition()

    def __call__(self, message: InboundMessage) -> None:
        if self.on_deliver is not None:
            self.on_deliver(message)
        if self.fail:
            raise RuntimeError("database unavailable")
        with self._cond:
            self.messages.append(message)
            self._cond.notify_all()

    @property
    def ids(self) -> list[str]:
        with self._cond:
            return [m.external_id for m in self.messages]

    def wait_for(self, count: int, timeout: float = 30) -> list[str]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"{len(self.messages)} of {count} delivered: {self.ids}")
                self._cond.wait(remaining)
        return self.ids


def listener(
    server: DovecotServer,
    inbox: Inbox,
    state: MemoryImapState,
    stop: threading.Event | None = None,
    **kwargs: object,
) -> ImapListener:
    options: dict[str, object] = {
        "idle_timeout": 60,
        "poll_interval": 60,
        "reconnect_backoff": (0.2, 0.5, 1),
        "timeout": 15,
    }
    options.update(kwargs)
    return ImapListener(
        server.host,
        server.port,
        server.username,
        server.password,
        ssl=False,
        state=state,
        deliver=inbox,
        stop_event=stop or threading.Event(),
        **options,  # type: ignore[arg-type]
    )


@contextmanager
def running(imap: ImapListener) -> Iterator[threading.Thread]:
    thread = threading.Thread(target=imap.run, name="test-imap", daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        imap.stop_event.set()
        thread.join(30)
        assert not thread.is_alive(), "run() did not return within 30 s of stop_event"


def flags(server: DovecotServer, folder: str = "INBOX") -> dict[int, tuple[bytes, ...]]:
    return dict(server.messages(folder))


def test_message_is_delivered_once_and_flagged_only_after_delivery(dovecot: DovecotServer) -> None:
    uid = dovecot.append(mail(1))
    inbox, state = Inbox(), MemoryImapState()
    seen_during_delivery: list[bool] = []
    inbox.on_deliver = lambda _: seen_during_delivery.append(SEEN in flags(dovecot)[uid])

    assert listener(dovecot, inbox, state).run_once() == 1
    assert seen_during_delivery == [False]
    assert SEEN in flags(dovecot)[uid]
    [message] = inbox.messages
    assert message.external_id == "<reply-1@example.com>"
    assert message.sender == "dana@example.com"
    assert "pay $250" in message.body
    assert message.received_at.tzinfo is not None

    assert listener(dovecot, inbox, state).run_once() == 0
    assert inbox.ids == ["<reply-1@example.com>"]


def test_failed_delivery_leaves_message_unflagged_and_retries(dovecot: DovecotServer) -> None:
    uid = dovecot.append(mail(1))
    inbox, state = Inbox(), MemoryImapState()
    inbox.fail = True
    with pytest.raises(ImapError):
        listener(dovecot, inbox, state).run_once()
    assert SEEN not in flags(dovecot)[uid]

    inbox.fail = False
    assert listener(dovecot, inbox, state).run_once() == 1
    assert inbox.ids == ["<reply-1@example.com>"]
    assert SEEN in flags(dovecot)[uid]


def test_restart_resumes_from_saved_state(dovecot: DovecotServer) -> None:
    first = dovecot.append(mail(1))
    inbox, state = Inbox(), MemoryImapState()
    listener(dovecot, inbox, state).run_once()
    # Someone marks it unread again in their mail client: the saved UID, not the flag, decides.
    client = dovecot.client()
    client.select_folder("INBOX")
    client.remove_flags([first], [SEEN])
    client.logout()
    dovecot.restart()
    dovecot.append(mail(2))

    assert listener(dovecot, inbox, state).run_once() == 1
    assert inbox.ids == ["<reply-1@example.com>", "<reply-2@example.com>"]


def test_first_run_skips_mail_already_read(dovecot: DovecotServer) -> None:
    dovecot.append(mail(1), flags=(SEEN,))
    dovecot.append(mail(2))
    inbox, state = Inbox(), MemoryImapState()
    assert listener(dovecot, inbox, state).run_once() == 1
    assert inbox.ids == ["<reply-2@example.com>"]
    dovecot.append(mail(3), flags=(SEEN,))  # read by a person before Parley saw it: still new
    assert listener(dovecot, inbox, state).run_once() == 1
    assert inbox.ids[-1] == "<reply-3@example.com>"


def test_uidvalidity_change_takes_unseen_mail_only(dovecot: DovecotServer) -> None:
    dovecot.append(mail(1))
    inbox, state = Inbox(), MemoryImapState()
    imap = listener(dovecot, inbox, state)
    imap.run_once()
    old = dovecot.uidvalidity()
    dovecot.stop()
    dovecot.wipe_mail()
    dovecot.start()
    dovecot.append(mail(1), flags=(SEEN,))  # restored from a backup, already handled
    dovecot.append(mail(2))
    assert dovecot.uidvalidity() != old

    assert listener(dovecot, inbox, state).run_once() == 1
    assert inbox.ids == ["<reply-1@example.com>", "<reply-2@example.com>"]
    assert state.load(imap.state_key) == (dovecot.uidvalidity(), 2)


def test_unparseable_message_is_still_delivered(dovecot: DovecotServer) -> None:
    dovecot.append(b"this is not\r\n\r\n an email \xff\xfe at all")
    inbox = Inbox()
    assert listener(dovecot, inbox, MemoryImapState()).run_once() == 1
    [message] = inbox.messages
    assert message.external_id.endswith("@parley.invalid>")
    assert message.problems


def test_idle_push_delivers_message_appended_while_idle(dovecot: DovecotServer) -> None:
    dovecot.append(mail(1))
    inbox = Inbox()
    # Neither the IDLE renewal (60 s) nor polling can explain a delivery within 20 s.
    imap = listener(dovecot, inbox, MemoryImapState(), idle_timeout=60, poll_interval=600)
    with running(imap):
        inbox.wait_for(1)
        time.sleep(1)  # let it enter IDLE
        dovecot.append(mail(2))
        assert inbox.wait_for(2, timeout=20) == ["<reply-1@example.com>", "<reply-2@example.com>"]


def test_reconnects_after_server_restart_without_loss_or_duplicates(
    dovecot: DovecotServer,
) -> None:
    dovecot.append(mail(1))
    inbox = Inbox()
    imap = listener(dovecot, inbox, MemoryImapState(), idle_timeout=60, poll_interval=600)
    with running(imap):
        inbox.wait_for(1)
        time.sleep(1)
        dovecot.restart()
        dovecot.append(mail(2))
        dovecot.append(mail(3))
        inbox.wait_for(3)
        time.sleep(2)  # a duplicate would show up here
    assert inbox.ids == [f"<reply-{n}@example.com>" for n in (1, 2, 3)]
    assert all(SEEN in f for f in flags(dovecot).values())


def test_polls_when_server_has_no_idle(
    dovecot_factory: Callable[..., DovecotServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = dovecot_factory(without=("IDLE",))

    def no_idle(self: object) -> None:
        raise AssertionError("IDLE used although the server does not offer it")

    monkeypatch.setattr("imapclient.IMAPClient.idle", no_idle)
    inbox = Inbox()
    imap = listener(server, inbox, MemoryImapState(), idle_timeout=600, poll_interval=0.5)
    with running(imap):
        time.sleep(1)
        server.append(mail(1))
        server.append(mail(2))
        assert inbox.wait_for(2, timeout=20) == ["<reply-1@example.com>", "<reply-2@example.com>"]


@pytest.mark.parametrize("without", [(), ("MOVE",)], ids=["move", "copy-delete-expunge"])
def test_processed_folder_receives_delivered_mail(
    dovecot_factory: Callable[..., DovecotServer], without: tuple[str, ...]
) -> None:
    server = dovecot_factory(without=without)
    other = server.append(mail(99, "Unrelated"))
    client = server.client()
    client.select_folder("INBOX")
    client.add_flags([other], [SEEN, b"\\Deleted"])  # someone else's pending delete
    client.logout()
    server.append(mail(1))
    server.append(mail(2))
    inbox = Inbox()
    imap = listener(server, inbox, MemoryImapState(), processed_folder="Parley-Done")
    assert imap.run_once() == 2

    assert list(flags(server)) == [other]  # only our messages left INBOX
    done = server.messages("Parley-Done")
    assert len(done) == 2
    assert all(SEEN in f for _, f in done)


def test_wrong_password_is_a_config_error(dovecot: DovecotServer) -> None:
    imap = listener(dovecot, Inbox(), MemoryImapState())
    imap.password = "wrong"
    with pytest.raises(ImapConfigError, match="PARLEY_IMAP_PASSWORD"):
        imap.run_once()


def test_invalid_processed_folder_is_a_config_error(dovecot: DovecotServer) -> None:
    dovecot.append(mail(1))
    imap = listener(dovecot, Inbox(), MemoryImapState(), processed_folder="Parley/Done")
    with pytest.raises(ImapConfigError, match="PARLEY_IMAP_PROCESSED_FOLDER"):
        imap.run_once()
    assert SEEN not in flags(dovecot)[1]


def test_run_returns_promptly_when_stopped_while_server_is_down(dovecot: DovecotServer) -> None:
    dovecot.stop()
    imap = listener(dovecot, Inbox(), MemoryImapState(), reconnect_backoff=(30,))
    with running(imap):
        time.sleep(1)
    # `running` asserts that run() returned after stop_event, despite the 30 s backoff
