"""Money amounts in free text: "$250", "250 dollars", "USD 250", "£120.50", "120 quid",
"300 euros", "€1.200,50", and bare numbers where the words around them say money ("I can pay
250", "50 a month"). Currency is None when the text does not say it.

Not amounts: phone numbers, dates, times ("5pm"), ordinals, percentages, durations ("3 months")
and references; the caller passes the spans of dates and references to exclude.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = ["MAX_MENTIONS", "AmountMention", "find_amounts", "parse_number"]

# Past this many amounts the rest are ignored (a pasted statement, hostile input): the overlap
# checks below are quadratic.
MAX_MENTIONS = 200

_NUM = r"\d{1,3}(?:[,.]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_CURRENCY = {
    "$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "bucks": "USD",
    "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "quid": "GBP",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
}
_PREFIX = re.compile(
    r"(?P<cur>US\$|[$£€]|\b(?:USD|GBP|EUR))\s?(?P<num>" + _NUM + r")(?P<k>k\b)?", re.I
)
_SUFFIX = re.compile(
    r"(?<![\d.,])(?P<num>" + _NUM + r")(?P<k>k)?\s?"
    r"(?P<cur>dollars?|bucks|usd|quid|pounds?|gbp|euros?|eur|€|£)(?![a-z])",
    re.I,
)
_NOT_MONEY_AFTER = (
    r"(?!\s*(?:%|percent|pm\b|am\b|p\.m|a\.m|th\b|st\b|nd\b|rd\b|days?\b|weeks?\b|months?\b"
    r"|years?\b|yrs?\b|hours?\b|hrs?\b|mins?\b|minutes?\b|times\b|people\b|kids\b|children\b"
    r"|invoices?\b|bills?\b|payments?\b|instal\w*|of (?:them|these|those|the)\b"
    r"|[/:]\d|[.,]\d{3}))"
)
_BARE_CONTEXT = re.compile(
    r"\b(?:pay(?:ing)?|send(?:ing)?|offer(?:ing)?|do|manage|afford|settle for|transfer"
    r"|put down|give you|payments? of|instal+ments? of|owe|owed|balance (?:is|of)|total (?:is|of)"
    r"|amount (?:is|of)|only|another|extra)\s+(?:you\s+|around\s+|about\s+|maybe\s+|like\s+"
    r"|only\s+|just\s+)?(?P<num>\d{1,6}(?:[.,]\d{1,2})?)(?![\d,.]*\d)" + _NOT_MONEY_AFTER,
    re.I,
)
_PER_PERIOD = re.compile(
    r"(?<![\d.,/])(?P<num>\d{1,6}(?:[.,]\d{1,2})?)(?=\s*(?:a|per|each|every|/|pm\b|p/m))", re.I
)
_PERIOD_AFTER = re.compile(
    r"\s*(?:a|per|each|every|/|pm\b|p/m)\s*(?:month|mo|mth|week|wk|fortnight)\b", re.I
)
_PHONE = re.compile(
    r"(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)[\s.-]?)?\d{2,5}[\s.-]\d{3,4}[\s.-]?\d{3,4}(?!\d)"
    r"|\+\d{9,14}\b|\b0\d{9,10}\b"
)


@dataclass(frozen=True, kw_only=True)
class AmountMention:
    """An amount and where it was found; `per_period` marks "50 a month" forms."""

    value: Decimal
    currency: str | None
    start: int
    end: int
    per_period: bool = False


def parse_number(text: str) -> Decimal | None:
    """A written number to Decimal, accepting US ("1,200.50") and EU ("1.200,50") forms.

    A single separator followed by exactly three digits is a thousands separator ("1,200",
    "€1.200"); followed by one or two digits it is the decimal point ("120,50").
    """
    s = text.strip()
    if "," in s and "." in s:
        decimal_sep = "," if s.rfind(",") > s.rfind(".") else "."
        thousands = "." if decimal_sep == "," else ","
        s = s.replace(thousands, "").replace(decimal_sep, ".")
    elif "," in s or "." in s:
        sep = "," if "," in s else "."
        groups = s.split(sep)
        is_thousands = len(groups) > 2 or len(groups[-1]) == 3
        s = s.replace(sep, "" if is_thousands else ".")
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def _overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)


def find_amounts(text: str, *, exclude: Iterable[tuple[int, int]] = ()) -> list[AmountMention]:
    """Every money amount in reading order.

    Args:
        text: redacted message text.
        exclude: spans (dates, references) whose digits are not money.
    """
    blocked = list(exclude)[: 4 * MAX_MENTIONS]
    for n, phone in enumerate(_PHONE.finditer(text)):
        if n >= MAX_MENTIONS:
            break
        blocked.append((phone.start(), phone.end()))
    found: list[AmountMention] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match[str], currency: str | None, *, marked: bool) -> None:
        if len(found) >= MAX_MENTIONS:
            return
        start, end = m.span("num")
        if _overlaps(start, end, taken) or (not marked and _overlaps(start, end, blocked)):
            return
        value = parse_number(m.group("num"))
        if value is None:
            return
        if "k" in m.groupdict() and m.group("k"):
            value *= 1000
        per = bool(_PERIOD_AFTER.match(text[end : end + 24]))
        taken.append((start, end))
        found.append(
            AmountMention(value=value, currency=currency, start=m.start(), end=m.end(),
                          per_period=per)
        )

    for m in _PREFIX.finditer(text):
        add(m, _CURRENCY[m.group("cur").lower()], marked=True)
    for m in _SUFFIX.finditer(text):
        add(m, _CURRENCY[m.group("cur").lower()], marked=True)
    for m in _BARE_CONTEXT.finditer(text):
        add(m, None, marked=False)
    for m in _PER_PERIOD.finditer(text):
        if _PERIOD_AFTER.match(text[m.end("num") : m.end("num") + 24]):
            add(m, None, marked=False)
    found.sort(key=lambda a: a.start)
    return found
