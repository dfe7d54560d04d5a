"""Money in the forms debtors write it, and the numbers that are not money."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from nlp.amounts import find_amounts, parse_words
from nlp.triage import triage

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def amounts_of(text: str) -> list[tuple[Decimal, str | None]]:
    return [(m.value, m.currency) for m in triage(text, received_at=MONDAY).amounts]


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("I can pay $1,200.50", "1200.50", "USD"),
        ("Ich zahle 1.200,50 EUR", "1200.50", "EUR"),
        ("I'll send 300 euros", "300", "EUR"),
        ("I'll give you 50 quid", "50", "GBP"),
        ("Can pay £75 tomorrow", "75", "GBP"),
        ("I can do 1.5k", "1500", None),
        ("I can pay 2k", "2000", None),
        ("I'll send two hundred dollars", "200", "USD"),
        ("I can pay two hundred and fifty pounds", "250", "GBP"),
        ("I'll send 250 bucks", "250", "USD"),
        ("I can pay CAD 400", "400", "CAD"),
        ("I can pay A$90", "90", "AUD"),
        ("I can do 50 a month", "50", None),
        ("I'll wire USD 1 200", "1200", "USD"),
        ("le puedo mandar 1200 dlls", "1200", "USD"),
        ("I can pay 80", "80", None),
        ("I can do 400 CAD", "400", "CAD"),
        ("NZ$50 is all I have", "50", "NZD"),
        ("I'll send one fifty dollars", "150", "USD"),
    ],
)
def test_money_forms(text: str, value: str, currency: str | None) -> None:
    assert amounts_of(text) == [(Decimal(value), currency)]


def test_per_period_amount_is_marked_but_still_an_amount() -> None:
    (found,) = find_amounts("I can do 50 quid a month")
    assert (found.value, found.currency, found.per_period) == (Decimal("50"), "GBP", True)


@pytest.mark.parametrize(
    "text",
    [
        "I have 2 kids and no work",
        "It will take me 6 months",
        "Call me after 5pm",
        "Call me on 07700 900123",
        "Call me at (555) 201-3344",
        "Interest went up 25% this year",
        "I'll pay on 04/15",
        "I'll pay on the 15th",
        "Paid, ref 4411",
        "Paying invoice #1012 soon",
        "I lost a pound of weight",
        "The sun is out",
    ],
)
def test_numbers_that_are_not_money(text: str) -> None:
    assert amounts_of(text) == []


def test_counts_next_to_money_are_left_out() -> None:
    assert amounts_of("I have 2 kids but I can pay 50 a month from the 15th") == [
        (Decimal("50"), None)
    ]


@pytest.mark.parametrize(
    ("words", "value"),
    [("two hundred and fifty", 250), ("a hundred", 100), ("two grand", 2000),
     ("one fifty", 150), ("twenty five", 25), ("one thousand two hundred", 1200)],
)
def test_parse_words(words: str, value: int) -> None:
    assert parse_words(words) == Decimal(value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("i can send u 150 then", "150"),
        ("100 on monday", "100"),
        ("i can do 2 hundred on the 15th", "200"),
        ("ok so i can do 3 hunnid now", "300"),
        ("Ill pay u two fiddy on the 20th", "250"),
        ("quiero dar 60 hoy", "60"),
        ("te mando 80 ok?", "80"),
        ("ill pay the 84.50 but not the fees", "84.50"),
        ("ok whatever. 100 on the 20th", "100"),
    ],
)
def test_bare_numbers_tied_to_a_commitment(text: str, value: str) -> None:
    assert [(m.value, m.currency) for m in find_amounts(text)] == [(Decimal(value), None)]


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("pagamento della fattura (euro 860,00)", "860.00", "EUR"),
        ("ich werde 1.200,50 EUR überweisen", "1200.50", "EUR"),
        ("zapłacę 100 funtów w piątek", "100", "GBP"),
    ],
)
def test_foreign_money_forms(text: str, value: str, currency: str) -> None:
    assert [(m.value, m.currency) for m in find_amounts(text)] == [(Decimal(value), currency)]


@pytest.mark.parametrize(
    ("zone", "currency"),
    [("Australia/Sydney", "AUD"), ("America/Toronto", "CAD"), ("Pacific/Auckland", "NZD"),
     ("America/Chicago", "USD"), (None, "USD")],
)
def test_bare_dollar_is_the_debtors_dollar(zone: str | None, currency: str) -> None:
    result = triage("Will pay $120 next Tuesday", received_at=MONDAY, timezone=zone)
    assert [(m.value, m.currency) for m in result.amounts] == [(Decimal("120"), currency)]
    assert find_amounts("je vais payer 200$ jeudi", dollar="CAD")[0].currency == "CAD"
    assert find_amounts("I can pay US$90", dollar="AUD")[0].currency == "USD"


@pytest.mark.parametrize(
    "text",
    ["I have 2 kids and 3 on the way", "call me at 10 on monday", "i am 30 on friday lol"],
)
def test_bare_numbers_without_a_commitment_are_not_money(text: str) -> None:
    assert find_amounts(text) == []
