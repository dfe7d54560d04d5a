"""Opt-outs and cease requests in free text and in other languages; their near misses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nlp.triage import triage

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def labels(text: str, channel: str = "email") -> frozenset[str]:
    return triage(text, channel=channel, received_at=MONDAY).labels


CHANNEL_OPT_OUT = [
    ("email", "please stop emailing me"),
    ("email", "no more emails"),
    ("email", "text me instead"),
    ("email", "don't call my work"),
    ("email", "do not contact me at work"),
    ("email", "Please don't contact me at home, email is fine"),
    ("email", "only contact me by post"),
    ("email", "take me off your mailing list"),
    ("sms", "stop messaging me on whatsapp"),
    ("sms", "stop calling me at work"),
    ("email", "Don't ever call me again."),
    # es / fr / pt / de / it / nl / pl
    ("email", "no me escriban más"),
    ("sms", "dejen de llamarme"),
    ("sms", "BAJA"),
    ("sms", "baja por favor"),
    ("email", "BAJA"),
    ("sms", "ya no me manden mensajes por favor"),
    ("email", "arrêtez de m'écrire"),
    ("email", "Ne m'appelez plus"),
    ("sms", "ARRÊT"),
    ("sms", "parem de me mandar mensagens"),
    ("sms", "não me liguem mais"),
    ("email", "hören Sie auf, mich anzurufen"),
    ("email", "Schreiben Sie mir nicht mehr"),
    ("sms", "STOPP"),
    ("sms", "non chiamatemi più"),
    ("sms", "bel me niet meer"),
    ("sms", "przestańcie dzwonić"),
]
CEASE = [
    ("email", "leave me alone"),
    ("email", "I want no further contact"),
    ("email", "do not contact me again"),
    ("email", "do not contact me at all"),
    ("email", "I don't want to hear from you again"),
    ("sms", "dejen de molestarme!!! no me vuelvan a contactar"),
    ("email", "no me contacten más"),
    ("email", "déjenme en paz"),
    ("email", "ne me contactez plus"),
    ("email", "Laissez-moi tranquille"),
    ("sms", "parem de me contatar"),
    ("email", "hören Sie auf, mich zu kontaktieren"),
    ("email", "Lassen Sie mich in Ruhe"),
    ("email", "non contattatemi più"),
    ("email", "neem geen contact meer met mij op"),
]


@pytest.mark.parametrize(("channel", "text"), CHANNEL_OPT_OUT)
def test_channel_opt_out(channel: str, text: str) -> None:
    result = triage(text, channel=channel, received_at=MONDAY)
    assert "channel_opt_out" in result.labels, sorted(result.labels)
    assert "legal_trigger:channel_opt_out" in result.reasons


@pytest.mark.parametrize(("channel", "text"), CEASE)
def test_cease(channel: str, text: str) -> None:
    result = triage(text, channel=channel, received_at=MONDAY)
    assert "cease_communication" in result.labels, sorted(result.labels)
    assert result.route == "human"


@pytest.mark.parametrize(
    "text",
    ["do not contact me at work", "stop calling me at work", "don't call my work",
     "text me instead", "only contact me by post"],
)
def test_a_limited_request_is_not_a_cease(text: str) -> None:
    assert "cease_communication" not in labels(text)


def test_text_me_instead_in_an_email_is_an_opt_out_and_a_callback() -> None:
    assert {"channel_opt_out", "callback_request"} <= labels("text me instead")


@pytest.mark.parametrize(
    ("channel", "text"),
    [
        ("sms", "stop worrying"),
        ("sms", "stop worrying lol im paying friday"),
        ("email", "I can't stop thinking about it"),
        ("email", "stop adding fees"),
        ("email", "I got no text from you about the new balance"),
        ("email", "I have had no contact details for the lender"),
        ("sms", "no me llamo Dana"),
        ("email", "La cuota más baja que puedo pagar es 50"),
        ("sms", "Puedo pagar 50 el viernes"),
    ],
)
def test_near_misses(channel: str, text: str) -> None:
    found = labels(text, channel)
    assert not found & {"channel_opt_out", "cease_communication"}, sorted(found)


@pytest.mark.parametrize(
    ("label", "channel", "text"),
    [
        ("channel_opt_out", "sms", "remove my number from ur list mate"),
        ("channel_opt_out", "sms", "Dont know a Brittany. Lose my number"),
        ("channel_opt_out", "sms", "New number, dont know any Tasha. Pls remove"),
        ("channel_opt_out", "sms", "Remove"),
        ("channel_opt_out", "email", "Only text me please"),
        ("channel_opt_out", "email", "I dont want anymore emails about this"),
        ("channel_opt_out", "sms", "pls dont text before noon"),
        ("channel_opt_out", "sms", "Please dont call my father he is a heart patient"),
        ("channel_opt_out", "email", "Could you text me rather than email?"),
        ("channel_opt_out", "sms", "Call my cell not my house phone"),
        ("channel_opt_out", "sms", "por favor no vuelvan a llamar"),
        ("cease_communication", "sms", "Stop disturbing me abeg"),
        ("cease_communication", "email", "I no longer wish to be contacted by your agency."),
        ("cease_communication", "sms", "dont ever text or call me again u got that"),
        ("cease_communication", "email", "I want all communication regarding this account to stop"),
        ("cease_communication", "email", "Do not contact me at this address or any other."),
        ("cease_communication", "email", "I do not consent to any further communication."),
        ("cease_communication", "sms", "Stay away from me. No more calls texts letters NOTHING"),
    ],
)
def test_reasonable_means(label: str, channel: str, text: str) -> None:
    assert label in labels(text, channel)
