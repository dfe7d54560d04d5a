"""Language detection on short SMS and email, and the routing it drives in triage."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nlp.language import NON_ENGLISH_THRESHOLD, detect_language
from nlp.model import Triage
from nlp.triage import triage

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    ["ok thx", "k", "STOP", "no", "no worries", "pls call me", "Dana here", "ok",
     "Hola, I'll pay on Friday", "I will pay la semana que viene", "yes", "👍", "",
     "I lost my job and can't pay until the 15th, sorry"],
)
def test_english_and_no_evidence_stay_english(text: str) -> None:
    guess = detect_language(text)
    assert guess.code == "en" or guess.confidence < NON_ENGLISH_THRESHOLD


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("gracias", "es"),
        ("Puedo pagar 50 el viernes", "es"),
        ("ok voy a pagar el 15 sin falta", "es"),
        ("Je vais payer demain", "fr"),
        ("merci beaucoup", "fr"),
        ("Ich kann nächste Woche zahlen", "de"),
        ("Posso pagar amanhã", "pt"),
        ("Buongiorno, pagherò venerdì il debito", "it"),
        ("Dzień dobry, zapłacę jutro", "pl"),
        ("Goedemorgen, ik betaal vrijdag", "nl"),
        ("Здравствуйте, я заплачу завтра", "ru"),
        ("我明天付款", "zh"),
        ("ありがとうございます", "ja"),
    ],
)
def test_other_languages(text: str, code: str) -> None:
    guess = detect_language(text)
    assert guess.code == code and guess.confidence >= NON_ENGLISH_THRESHOLD


def test_non_english_routes_to_a_person_with_the_language() -> None:
    result = triage("Puedo pagar 50 el viernes", channel="sms", received_at=MONDAY)
    assert result.language == "es"
    assert "language:es" in result.reasons and result.route == "human"
    assert result.to_json()["language"] == "es"


def test_english_stays_auto() -> None:
    result = triage("I'll send $200 next Friday", received_at=MONDAY)
    assert result.language == "en" and result.route == "auto"


def test_legal_triggers_in_other_languages_still_fire() -> None:
    result = triage("no me escriban más", received_at=MONDAY)
    assert "channel_opt_out" in result.labels
    assert "legal_trigger:channel_opt_out" in result.reasons and "language:es" in result.reasons


def test_from_json_accepts_records_without_language() -> None:
    data = triage("ok thanks", received_at=MONDAY).to_json()
    del data["language"]
    assert Triage.from_json(data).language == "en"
