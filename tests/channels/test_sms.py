"""The SMS channel: Twilio signatures, webhook forms, keywords, and sending with the real client."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from channels.base import OutboundMessage, SendError
from channels.sms import (
    TwilioSmsSender,
    inbound_from_twilio_form,
    sms_keyword,
    validate_twilio_signature,
)
from tests.support.twilio_api import FakeTwilioApi

RECEIVED = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)
FROM_NUMBER = "+15005550006"
DEBTOR = "+15550100001"

# Twilio's own documented example (see research/stack.md).
DOC_TOKEN = "12345"
DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
DOC_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+12349013030",
    "Digits": "1234",
    "From": "+12349013030",
    "To": "+18005551212",
}
DOC_SIGNATURE = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


# Signatures


def test_twilio_documented_example_validates() -> None:
    assert validate_twilio_signature(DOC_TOKEN, DOC_URL, DOC_PARAMS, DOC_SIGNATURE)


def test_twilio_signature_survives_explicit_default_port() -> None:
    url = DOC_URL.replace("mycompany.com", "mycompany.com:443")
    assert validate_twilio_signature(DOC_TOKEN, url, DOC_PARAMS, DOC_SIGNATURE)


@pytest.mark.parametrize(
    ("token", "url", "params", "signature"),
    [
        pytest.param("54321", DOC_URL, DOC_PARAMS, DOC_SIGNATURE, id="other token"),
        pytest.param(
            DOC_TOKEN, DOC_URL, {**DOC_PARAMS, "Digits": "9999"}, DOC_SIGNATURE, id="tampered field"
        ),
        pytest.param(DOC_TOKEN, DOC_URL + "&x=1", DOC_PARAMS, DOC_SIGNATURE, id="other url"),
        pytest.param(
            DOC_TOKEN, DOC_URL, {**DOC_PARAMS, "Extra": "1"}, DOC_SIGNATURE, id="added field"
        ),
        pytest.param(DOC_TOKEN, DOC_URL, DOC_PARAMS, "", id="missing signature"),
        pytest.param("", DOC_URL, DOC_PARAMS, DOC_SIGNATURE, id="no token configured"),
    ],
)
def test_forged_or_altered_requests_are_rejected(
    token: str, url: str, params: dict[str, str], signature: str
) -> None:
    assert not validate_twilio_signature(token, url, params, signature)


# Webhook form -> InboundMessage


def twilio_form(**overrides: str) -> dict[str, str]:
    form = {
        "ToCountry": "US",
        "SmsMessageSid": "SM0123456789abcdef0123456789abcdef",
        "NumMedia": "0",
        "SmsSid": "SM0123456789abcdef0123456789abcdef",
        "SmsStatus": "received",
        "Body": "I can pay $250 on the 15th 🙏",
        "To": FROM_NUMBER,
        "NumSegments": "1",
        "MessageSid": "SM0123456789abcdef0123456789abcdef",
        "AccountSid": "AC" + "0" * 32,
        "From": DEBTOR,
        "ApiVersion": "2010-04-01",
    }
    form.update(overrides)
    return form


def test_inbound_form_becomes_an_sms_message_with_emoji_intact() -> None:
    message = inbound_from_twilio_form(twilio_form(), received_at=RECEIVED)
    assert message.channel == "sms"
    assert message.external_id == "SM0123456789abcdef0123456789abcdef"
    assert message.sender == DEBTOR
    assert message.recipient == FROM_NUMBER
    assert message.body == "I can pay $250 on the 15th 🙏"
    assert message.received_at == RECEIVED
    assert message.problems == ()
    assert message.attachments == ()
    assert b"MessageSid=SM0123456789abcdef0123456789abcdef" in message.raw


def test_mms_media_are_listed_by_url_and_never_fetched() -> None:
    form = twilio_form(
        Body="",
        NumMedia="2",
        MediaUrl0="https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/SM1/Media/ME1",
        MediaContentType0="image/jpeg",
        MediaUrl1="https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/SM1/Media/ME2",
        MediaContentType1="application/pdf",
    )
    message = inbound_from_twilio_form(form, received_at=RECEIVED)
    assert [(a.filename, a.content_type) for a in message.attachments] == [
        (form["MediaUrl0"], "image/jpeg"),
        (form["MediaUrl1"], "application/pdf"),
    ]
    assert message.problems == ("empty_body",)


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"Body": ""}, "empty_body"),
        ({"Body": "   \n"}, "empty_body"),
        ({"Body": "pay\x00ment"}, "nul_bytes"),
        ({"NumMedia": "many"}, "bad_num_media"),
        ({"NumMedia": "1"}, "missing_media_url:0"),
        ({"From": ""}, "missing_sender"),
        ({"MessageSid": "", "SmsSid": ""}, "missing_message_sid"),
    ],
)
def test_bad_forms_still_become_messages_with_the_problem_named(
    overrides: dict[str, str], problem: str
) -> None:
    message = inbound_from_twilio_form(twilio_form(**overrides), received_at=RECEIVED)
    assert problem in message.problems
    assert "\x00" not in message.body
    assert message.external_id


def test_missing_message_sid_gets_a_stable_id_so_redeliveries_dedupe() -> None:
    form = twilio_form(MessageSid="", SmsSid="")
    first = inbound_from_twilio_form(form, received_at=RECEIVED)
    second = inbound_from_twilio_form(dict(reversed(form.items())), received_at=RECEIVED)
    other = inbound_from_twilio_form({**form, "Body": "something else"}, received_at=RECEIVED)
    assert first.external_id == second.external_id != other.external_id


# Keywords


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("STOP", "stop"),
        ("stop", "stop"),
        ("  Stop.  ", "stop"),
        ("STOP!!!", "stop"),
        ("stopall", "stop"),
        ("Unsubscribe", "stop"),
        ("cancel", "stop"),
        ("END", "stop"),
        ("quit", "stop"),
        ("OptOut", "stop"),
        ("revoke", "stop"),
        ("ＳＴＯＰ", "stop"),
        ("stop 🙏", "stop"),
        ("START", "start"),
        ("yes", "start"),
        ("Unstop", "start"),
        ("help?", "help"),
        ("INFO", "help"),
        ("stop calling me at work", None),
        ("please stop", None),
        ("STOP ALL", None),
        ("stopp", None),
        ("yes I can pay on Friday", None),
        ("", None),
        ("🙏", None),
    ],
)
def test_sms_keyword(body: str, expected: str | None) -> None:
    assert sms_keyword(body) == expected


# Sending through the real twilio client against the local fake API


@pytest.fixture
def twilio_api() -> Iterator[FakeTwilioApi]:
    with FakeTwilioApi() as api:
        yield api


@pytest.fixture
def sender(twilio_api: FakeTwilioApi) -> Iterator[TwilioSmsSender]:
    sms = TwilioSmsSender(
        twilio_api.account_sid,
        twilio_api.auth_token,
        FROM_NUMBER,
        api_base=twilio_api.base_url,
        status_callback_url="https://parley.example.com/webhooks/twilio/status",
    )
    yield sms
    sms.close()


def sms(
    body: str = "Thanks, we noted your payment of $250.00 on 15 December.", to: str = DEBTOR
) -> OutboundMessage:
    return OutboundMessage(channel="sms", to=to, body=body)


def send(sender: TwilioSmsSender, message: OutboundMessage) -> str:
    return asyncio.run(sender.send(message))


def test_send_reaches_twilio_with_auth_and_fields_and_returns_the_sid(
    twilio_api: FakeTwilioApi, sender: TwilioSmsSender
) -> None:
    body = "Merci ! Paiement de 250 € noté pour le 15 décembre 🙏"
    sid = send(sender, sms(body))

    [request] = twilio_api.requests
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{twilio_api.account_sid}/Messages.json"
    assert request.auth == (twilio_api.account_sid, twilio_api.auth_token)
    assert request.form["To"] == DEBTOR
    assert request.form["From"] == FROM_NUMBER
    assert request.form["Body"] == body
    assert request.form["StatusCallback"] == "https://parley.example.com/webhooks/twilio/status"
    assert request.status == 201
    assert sid == request.response["sid"]
    assert sid.startswith("SM") and len(sid) == 34


def test_each_send_gets_its_own_sid(sender: TwilioSmsSender, twilio_api: FakeTwilioApi) -> None:
    sids = {send(sender, sms(f"message {n}")) for n in range(3)}
    assert len(sids) == 3
    assert len(twilio_api.messages) == 3


def test_wrong_auth_token_is_a_permanent_error_that_names_the_setting(
    twilio_api: FakeTwilioApi,
) -> None:
    wrong = TwilioSmsSender(
        twilio_api.account_sid, "not-the-token", FROM_NUMBER, api_base=twilio_api.base_url
    )
    try:
        with pytest.raises(SendError) as caught:
            send(wrong, sms())
    finally:
        wrong.close()
    assert caught.value.permanent
    assert "PARLEY_TWILIO_AUTH_TOKEN" in str(caught.value)
    assert twilio_api.messages == []


def test_server_error_is_transient_and_a_retry_succeeds(
    twilio_api: FakeTwilioApi, sender: TwilioSmsSender
) -> None:
    twilio_api.fail_next(1, status=500)
    with pytest.raises(SendError) as caught:
        send(sender, sms())
    assert not caught.value.permanent
    assert "500" in str(caught.value)
    assert send(sender, sms()).startswith("SM")
    assert len(twilio_api.messages) == 1


def test_rate_limit_is_transient(twilio_api: FakeTwilioApi, sender: TwilioSmsSender) -> None:
    twilio_api.fail_next(1, status=429, code=20429, message="Too Many Requests")
    with pytest.raises(SendError) as caught:
        send(sender, sms())
    assert not caught.value.permanent


def test_unsubscribed_recipient_is_permanent(
    twilio_api: FakeTwilioApi, sender: TwilioSmsSender
) -> None:
    twilio_api.fail_next(1, status=400, code=21610)
    with pytest.raises(SendError) as caught:
        send(sender, sms())
    assert caught.value.permanent
    assert "21610" in str(caught.value)
    assert "unsubscribed" in str(caught.value)


def test_invalid_number_is_permanent(twilio_api: FakeTwilioApi, sender: TwilioSmsSender) -> None:
    with pytest.raises(SendError) as caught:
        send(sender, sms(to="555-0100"))
    assert caught.value.permanent
    assert "21211" in str(caught.value)
    assert twilio_api.messages == []


def test_unreachable_api_is_transient() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    sender = TwilioSmsSender(
        "AC" + "0" * 32,
        "token",
        FROM_NUMBER,
        api_base=f"http://127.0.0.1:{closed_port}",
        timeout=10,
    )
    try:
        with pytest.raises(SendError) as caught:
            send(sender, sms())
    finally:
        sender.close()
    assert not caught.value.permanent
    assert "could not reach Twilio" in str(caught.value)


@pytest.mark.parametrize(
    "message",
    [
        OutboundMessage(channel="email", to="dana@example.com", body="Hello", subject="Hi"),
        OutboundMessage(channel="sms", to=DEBTOR, body="   "),
    ],
    ids=["email message", "blank body"],
)
def test_unsendable_messages_fail_permanently_without_calling_twilio(
    twilio_api: FakeTwilioApi, sender: TwilioSmsSender, message: OutboundMessage
) -> None:
    with pytest.raises(SendError) as caught:
        send(sender, message)
    assert caught.value.permanent
    assert twilio_api.requests == []


def test_sender_refuses_incomplete_configuration() -> None:
    with pytest.raises(ValueError, match="PARLEY_TWILIO_FROM_NUMBER"):
        TwilioSmsSender("AC" + "0" * 32, "token", "")
