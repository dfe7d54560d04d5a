"""SmtpSender against a real aiosmtpd server on loopback."""

from __future__ import annotations

import asyncio
import gc
import warnings
from collections.abc import Iterator

import pytest

from channels.base import OutboundMessage, SendError
from channels.smtp import SmtpConfigError, SmtpSender
from tests.support.smtp_sink import SmtpSink, free_port

FROM = "Acme Collections <collections@acme.test>"


@pytest.fixture(autouse=True)
def no_unclosed_transports() -> Iterator[None]:
    """The project config ignores ResourceWarning; these tests must not produce any."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        yield
        gc.collect()
    leaks = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert leaks == []


def sender(sink: SmtpSink, **kwargs: object) -> SmtpSender:
    return SmtpSender(
        sink.host,
        sink.port,
        from_address=FROM,
        local_hostname="parley.test",
        timeout=10,
        **kwargs,  # type: ignore[arg-type]
    )


def reply(**kwargs: object) -> OutboundMessage:
    fields: dict[str, object] = {
        "channel": "email",
        "to": "dana@example.com",
        "subject": "Your account A-100",
        "body": "Thank you, Dana. We have noted your payment of $250 on 15 March.",
        "in_reply_to": "<debtor-2@example.com>",
        "references": ("<parley-1@acme.test>",),
    }
    fields.update(kwargs)
    return OutboundMessage(**fields)  # type: ignore[arg-type]


def test_threaded_reply_arrives_with_threading_headers() -> None:
    with SmtpSink() as sink:
        message_id = asyncio.run(sender(sink, reply_to="help@acme.test").send(reply()))
        [mail] = sink.wait_for(1)
    got = mail.message
    assert got["Message-ID"] == message_id
    assert message_id.startswith("<") and message_id.endswith("@acme.test>")
    assert got["In-Reply-To"] == "<debtor-2@example.com>"
    assert got["References"].split() == ["<parley-1@acme.test>", "<debtor-2@example.com>"]
    assert got["Subject"] == "Re: Your account A-100"
    assert got["Reply-To"] == "help@acme.test"
    assert mail.rcpt_tos == ("dana@example.com",)
    assert mail.mail_from == "collections@acme.test"
    assert "payment of $250" in got.get_content()


def test_html_alternative_is_sent_beside_plain_text() -> None:
    with SmtpSink() as sink:
        asyncio.run(sender(sink).send(reply(html_body="<p>Thank you, <b>Dana</b>.</p>")))
        [mail] = sink.wait_for(1)
    assert mail.message.get_content_type() == "multipart/alternative"
    plain = mail.message.get_body(preferencelist=("plain",))
    html = mail.message.get_body(preferencelist=("html",))
    assert plain is not None and "payment of $250" in plain.get_content()
    assert html is not None and "<b>Dana</b>" in html.get_content()


def test_given_message_id_is_kept() -> None:
    with SmtpSink() as sink:
        got = asyncio.run(sender(sink).send(reply(message_id="<outbox-42@acme.test>")))
        [mail] = sink.wait_for(1)
    assert got == "<outbox-42@acme.test>" == mail.message["Message-ID"]


def test_auth_success() -> None:
    with SmtpSink(username="parley", password="s3cret") as sink:
        asyncio.run(sender(sink, username="parley", password="s3cret").send(reply()))
        assert len(sink.wait_for(1)) == 1


def test_unauthenticated_send_to_auth_server_is_refused() -> None:
    with SmtpSink(username="parley", password="s3cret") as sink:
        with pytest.raises(SendError) as caught:
            asyncio.run(sender(sink).send(reply()))
        assert caught.value.permanent
        assert sink.received == []


def test_wrong_password_is_a_config_error_and_closes_cleanly() -> None:
    with SmtpSink(username="parley", password="s3cret") as sink:
        with pytest.raises(SmtpConfigError) as caught:
            asyncio.run(sender(sink, username="parley", password="wrong").send(reply()))
        assert caught.value.permanent
        assert "PARLEY_SMTP_USER" in str(caught.value)
        assert "PARLEY_SMTP_PASSWORD" in str(caught.value)
        assert sink.received == []
    # leaving the `with` waited for the server to see the connection close
    assert sink.open_connections == 0


def test_server_down_is_a_temporary_error() -> None:
    port = free_port()
    down = SmtpSender("127.0.0.1", port, from_address=FROM, local_hostname="parley.test")
    with pytest.raises(SendError) as caught:
        asyncio.run(down.send(reply()))
    assert not caught.value.permanent
    assert not isinstance(caught.value, SmtpConfigError)


def test_server_back_after_outage_accepts_the_retry() -> None:
    sink = SmtpSink()
    down = sender(sink)
    with pytest.raises(SendError):
        asyncio.run(down.send(reply()))
    with sink:
        asyncio.run(down.send(reply()))
        assert len(sink.wait_for(1)) == 1


def test_refused_recipient_is_permanent() -> None:
    sink = SmtpSink(refuse_recipients=frozenset({"gone@example.com"}))
    with sink, pytest.raises(SendError) as caught:
        asyncio.run(sender(sink).send(reply(to="gone@example.com")))
    assert caught.value.permanent
    assert "550" in str(caught.value)


def test_header_injection_is_refused_before_connecting() -> None:
    with SmtpSink() as sink:
        with pytest.raises(SendError) as caught:
            asyncio.run(sender(sink).send(reply(subject="Hi\r\nBcc: everyone@example.com")))
        assert caught.value.permanent
        assert sink.received == []
