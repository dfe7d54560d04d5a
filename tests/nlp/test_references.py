"""Card and bank numbers masked before anything is stored; references kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nlp.references import find_references, iban_valid, luhn_valid, redact
from nlp.triage import triage

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "masked", "gone"),
    [
        ("card 4111 1111 1111 1111 please", "[CARD •••• 1111]", "4111 1111"),
        ("card 4111-1111-1111-1111", "[CARD •••• 1111]", "4111-1111"),
        ("amex 378282246310005", "[CARD •••• 0005]", "3782822"),
        ("IBAN GB29NWBK60161331926819", "[BANK •••• 6819]", "60161331"),
        ("iban gb29 nwbk 6016 1331 9268 19", "[BANK •••• 6819]", "6016 1331"),
        ("DE89 3704 0044 0532 0130 00", "[BANK •••• 3000]", "3704 0044"),
        ("12-34-56 12345678", "[BANK •••• 5678]", "12345678"),
        ("sort code 12-34-56, account number 87654321", "[BANK •••• 4321]", "87654321"),
        ("routing 021000021 account 123456789", "[BANK •••• 6789]", "021000021"),
        ("my routing number is 021000021 and checking account # 0012345678",
         "[BANK •••• 5678]", "0012345678"),
    ],
)
def test_masked(text: str, masked: str, gone: str) -> None:
    out = redact(text)
    assert masked in out and gone not in out


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("Paid, ref 1234567890123456", "ref 1234567890123456"),  # 16 digits, fails Luhn
        ("payment reference 4111111111111112", "ref 4111111111111112"),
        ("invoice 1234567890123", "#1234567890123"),
        ("Please check INV-1234", "INV-1234"),
    ],
)
def test_references_that_are_not_card_numbers_are_kept(text: str, reference: str) -> None:
    assert redact(text) == text
    assert reference in [r.reference for r in find_references(redact(text))]


def test_invalid_iban_and_dates_are_left_alone() -> None:
    assert redact("GB29NWBK60161331926818") == "GB29NWBK60161331926818"
    assert redact("paid 2026-03-15 12345678") == "paid 2026-03-15 12345678"


def test_checks() -> None:
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert iban_valid("GB29 NWBK 6016 1331 9268 19") and not iban_valid("GB00NWBK60161331926819")


def test_nothing_unmasked_reaches_the_triage_json() -> None:
    text = ("Take it from 4111 1111 1111 1111, or sort code 12-34-56 87654321, "
            "IBAN DE89370400440532013000, ref 1234567890123456")
    dumped = str(triage(text, received_at=MONDAY).to_json(explain=True))
    for raw in ("4111 1111", "87654321", "370400440532", "DE89"):
        assert raw not in dumped
    assert "ref 1234567890123456" in dumped
