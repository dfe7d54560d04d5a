"""Dates resolved against the received date in the debtor's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from nlp.dates import day_first_zone, find_dates
from nlp.triage import triage

MONDAY = date(2026, 3, 2)
FRIDAY = date(2026, 3, 6)


def first(text: str, received: date, *, day_first: bool = False) -> date | None:
    found = find_dates(text, received, day_first=day_first)
    return found[0].future if found else None


@pytest.mark.parametrize(
    ("text", "received", "expected"),
    [
        ("next Friday", MONDAY, date(2026, 3, 6)),
        ("next Friday", FRIDAY, date(2026, 3, 13)),
        ("this Friday", MONDAY, date(2026, 3, 6)),
        ("Friday", MONDAY, date(2026, 3, 6)),
        ("fri", MONDAY, date(2026, 3, 6)),
        ("tomorrow", MONDAY, date(2026, 3, 3)),
        ("tmrw", MONDAY, date(2026, 3, 3)),
        ("the 15th", MONDAY, date(2026, 3, 15)),
        ("on the 3rd", MONDAY, date(2026, 3, 3)),
        ("on the 1st", MONDAY, date(2026, 4, 1)),
        ("15th of April", MONDAY, date(2026, 4, 15)),
        ("April 15", MONDAY, date(2026, 4, 15)),
        ("04/15", MONDAY, date(2026, 4, 15)),
        ("04/05", MONDAY, date(2026, 4, 5)),
        ("end of the month", MONDAY, date(2026, 3, 31)),
        ("end of month", MONDAY, date(2026, 3, 31)),
        ("EOM", date(2026, 2, 10), date(2026, 2, 28)),
        ("in two weeks", MONDAY, date(2026, 3, 16)),
        ("in 2 wks", MONDAY, date(2026, 3, 16)),
        ("in 10 days", MONDAY, date(2026, 3, 12)),
        ("on sat", MONDAY, date(2026, 3, 7)),
    ],
)
def test_resolves_forward(text: str, received: date, expected: date) -> None:
    assert first(text, received) == expected


@pytest.mark.parametrize("text", ["next week", "payday", "on payday", "the sun is out",
                                  "I was sat there", "soon"])
def test_no_date(text: str) -> None:
    assert find_dates(text, MONDAY) == []


def test_day_first_zones_read_day_month() -> None:
    assert first("04/05", MONDAY, day_first=True) == date(2026, 5, 4)
    assert first("04/15", MONDAY, day_first=True) == date(2026, 4, 15)  # 15 cannot be a month
    assert day_first_zone("Europe/London") and day_first_zone("Australia/Sydney")
    assert day_first_zone("America/Mexico_City")
    for zone in ("America/New_York", "America/Los_Angeles", "US/Eastern", None, "UTC",
                 "Asia/Tokyo", "Not/AZone"):
        assert not day_first_zone(zone)


def test_triage_timezone_converts_received_at() -> None:
    # 02:30 UTC on Saturday 7 March is still Friday 6 March in New York.
    received = datetime(2026, 3, 7, 2, 30, tzinfo=UTC)
    local = triage("I'll pay next Friday", received_at=received, timezone="America/New_York")
    assert local.promise is not None and local.promise.date == date(2026, 3, 13)
    utc = triage("I'll pay next Friday", received_at=received)
    assert utc.promise is not None and utc.promise.date == date(2026, 3, 13)
    tomorrow = triage("I'll pay tomorrow", received_at=received, timezone="America/New_York")
    assert tomorrow.promise is not None and tomorrow.promise.date == date(2026, 3, 7)


def test_triage_timezone_decides_numeric_order() -> None:
    received = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    london = triage("I'll pay on 04/05", received_at=received, timezone="Europe/London")
    chicago = triage("I'll pay on 04/05", received_at=received, timezone="America/Chicago")
    assert london.dates == (date(2026, 5, 4),) and chicago.dates == (date(2026, 4, 5),)


def test_unknown_or_missing_zone_does_not_raise() -> None:
    naive = datetime(2026, 3, 2, 23, 30)
    assert triage("pay tomorrow", received_at=naive, timezone="Mars/Olympus").dates == (
        date(2026, 3, 3),)
    assert triage("I'll pay tomorrow", received_at=naive, timezone="Asia/Tokyo").dates == (
        date(2026, 3, 4),)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ok ill start with 50 quid on friday 17th", date(2026, 3, 17)),
        ("Fri the 13th", date(2026, 3, 13)),
        ("ok voy a pagar el 15 sin falta", date(2026, 3, 15)),
        ("quiero dar 60 hoy", MONDAY),
        ("pagherò entro il 20 ottobre", date(2026, 10, 20)),
        ("nueva año, le pago todo el 15 de enero", date(2027, 1, 15)),
        ("bis Ende des Monats", date(2026, 3, 31)),
        ("am 15. März", date(2026, 3, 15)),
        ("Le pago 100 dolares el viernes", FRIDAY),
        ("je vais payer jeudi prochain", date(2026, 3, 5)),
        ("pago 120 euro lunedì prossimo", date(2026, 3, 9)),
        ("Vou pagar 150 euros no dia 20", date(2026, 3, 20)),
        ("vou pagar amanhã", date(2026, 3, 3)),
        ("zapłacę do końca kwietnia", date(2026, 4, 30)),
        ("Ik betaal vrijdag", FRIDAY),
        ("I'll pay on the last day of the month", date(2026, 3, 31)),
        ("I'll wire it within two weeks", date(2026, 3, 16)),
        ("Paying tmrw morning", date(2026, 3, 3)),
        ("I'll pay it 2morow", date(2026, 3, 3)),
        ("starting this Thursday", date(2026, 3, 5)),
    ],
)
def test_more_date_forms(text: str, expected: date) -> None:
    assert first(text, MONDAY) == expected


@pytest.mark.parametrize(
    "text", ["Guten Morgen", "el 15% de interés", "i am 30 days late", "Black friday deals? lol"]
)
def test_more_non_dates(text: str) -> None:
    assert find_dates(text, MONDAY) == []
