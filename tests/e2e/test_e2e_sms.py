"""A debtor's SMS: Twilio's signed webhook in, the reply out through Twilio's Messages API."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx

from tests.e2e.conftest import DEBTOR_PHONE, TWILIO_NUMBER, query
from tests.support.parley_process import ParleyProcess, wait_for
from tests.support.twilio_api import FakeTwilioApi

WAIT = 60.0


def post_sms(
    parley: ParleyProcess, twilio: FakeTwilioApi, sid: str, body: str, *, forge: bool = False
) -> httpx.Response:
    url = f"{parley.url}/webhooks/twilio/sms"
    form = {
        "MessageSid": sid,
        "AccountSid": twilio.account_sid,
        "From": DEBTOR_PHONE,
        "To": TWILIO_NUMBER,
        "Body": body,
        "NumMedia": "0",
    }
    signature = twilio.sign(url, form)
    if forge:
        form["Body"] = body + " (changed in transit)"
    return httpx.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=30)


def promise_sms() -> str:
    day = datetime.now(UTC).date() + timedelta(days=5)
    return f"hi its dana, ill pay $150 on {day:%B} {day.day} 👍"


def test_signed_sms_gets_its_reply_through_the_twilio_api_once(
    make_parley: Callable[..., ParleyProcess], twilio: FakeTwilioApi
) -> None:
    parley = make_parley()
    first = post_sms(parley, twilio, "SM" + "a" * 32, promise_sms())
    assert first.status_code == 200
    assert first.text.endswith("<Response></Response>")
    again = post_sms(parley, twilio, "SM" + "a" * 32, promise_sms())
    assert again.status_code == 200

    [sent] = wait_for(lambda: twilio.messages, WAIT, "the reply at the Twilio API")
    assert sent.form["To"] == DEBTOR_PHONE
    assert sent.form["From"] == TWILIO_NUMBER
    assert "$150.00" in sent.form["Body"]
    time.sleep(3)
    assert len(twilio.messages) == 1
    assert query(parley, "SELECT count(*) FROM messages WHERE direction = 'in'") == [(1,)]
    stored = query(parley, "SELECT body FROM messages WHERE direction = 'in'")[0][0]
    assert "👍" in stored


def test_forged_signature_gets_403_and_nothing_is_stored(
    make_parley: Callable[..., ParleyProcess], twilio: FakeTwilioApi
) -> None:
    parley = make_parley()
    forged = post_sms(parley, twilio, "SM" + "b" * 32, "STOP", forge=True)
    assert forged.status_code == 403
    unsigned = httpx.post(
        f"{parley.url}/webhooks/twilio/sms",
        data={"MessageSid": "SM" + "c" * 32, "From": DEBTOR_PHONE, "Body": "hi"},
        timeout=30,
    )
    assert unsigned.status_code == 403
    time.sleep(2)
    assert query(parley, "SELECT count(*) FROM messages") == [(0,)]
    assert twilio.messages == []


def test_stop_is_confirmed_once_and_then_nothing_more_is_texted(
    make_parley: Callable[..., ParleyProcess], twilio: FakeTwilioApi
) -> None:
    parley = make_parley()
    assert post_sms(parley, twilio, "SM" + "d" * 32, "STOP").status_code == 200
    [confirmation] = wait_for(lambda: twilio.messages, WAIT, "the opt-out confirmation")
    assert "unsubscribed" in confirmation.form["Body"]
    assert post_sms(parley, twilio, "SM" + "e" * 32, promise_sms()).status_code == 200
    wait_for(
        lambda: query(parley, "SELECT count(*) FROM messages WHERE status = 'processed'") == [(2,)],
        WAIT,
        "both messages processed",
    )
    time.sleep(3)
    assert len(twilio.messages) == 1
    reasons = " ".join(r for (r,) in query(parley, "SELECT reasons FROM queue_items"))
    assert "channel_opted_out:sms" in reasons
    assert query(parley, "SELECT channel, address FROM suppressions WHERE lifted_at IS NULL") == [
        ("sms", DEBTOR_PHONE)
    ]
