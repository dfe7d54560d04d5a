"""Money amounts in free text, in the forms debtors write them.

Recognised: symbols and codes before or after the number ("$1,200.50", "£75", "€1.200,50",
"1.200,50 EUR", "CAD 400", "A$90", "USD 1 200"), currency words and slang ("300 euros",
"50 quid", "250 bucks", "1200 dlls"), thousands with k ("2k", "1.5k", "$2k"), numbers in
words before a currency word ("two hundred dollars", "two hundred and fifty pounds"), and
bare numbers where the words around them say money ("I can pay 250", "50 a month": an amount
with `per_period` set; the plan period is the agent's business).

Currency is an ISO code only when the text says it (symbol, code, word or slang), else None:
a bare "$" is USD because that is how debtors who write it mean it; "A$", "C$", "NZ$" and
"R$" are their own dollars.

Not amounts: phone numbers, dates, times ("5pm"), ordinals, percentages, counts and durations
("2 kids", "6 months") and references; the caller passes the spans of dates and references to
exclude.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = ["MAX_MENTIONS", "AmountMention", "find_amounts", "parse_number", "parse_words"]

# Past this many amounts the rest are ignored (a pasted statement, hostile input): the overlap
# checks below are quadratic.
MAX_MENTIONS = 200

_NUM = r"\d{1,3}(?:[,.]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
# "USD 1 200": a space (or no-break / thin space) as thousands separator, only next to a
# currency marker, where it cannot be two separate numbers.
_SPACED = r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d{1,2})?(?!\d)"
_CURRENCY = {
    "$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "bucks": "USD",
    "buck": "USD", "dlls": "USD", "dls": "USD", "dll": "USD", "dolares": "USD",
    "dólares": "USD",
    "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "quid": "GBP", "sterling": "GBP",
    "libras": "GBP",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "c$": "CAD", "ca$": "CAD", "can$": "CAD", "cad": "CAD",
    "a$": "AUD", "au$": "AUD", "aud": "AUD",
    "nz$": "NZD", "nzd": "NZD",
    "mx$": "MXN", "mxn": "MXN",
    "r$": "BRL", "brl": "BRL", "reais": "BRL",
    "chf": "CHF", "pln": "PLN", "zł": "PLN", "zl": "PLN", "zloty": "PLN", "złoty": "PLN",
    "złotych": "PLN",
    "sek": "SEK", "nok": "NOK", "dkk": "DKK", "inr": "INR", "₹": "INR", "rupees": "INR",
    "zar": "ZAR", "jpy": "JPY", "¥": "JPY", "yen": "JPY",
}
_SYMBOL = r"(?:(?<![A-Za-z])(?:US|CA|CAN|AU|NZ|MX|[ACR])\$|(?<![A-Za-z])\$|[£€₹¥])"
_CODE = r"\b(?:USD|GBP|EUR|CAD|AUD|NZD|MXN|BRL|CHF|PLN|SEK|NOK|DKK|INR|ZAR|JPY)"
_PREFIX = re.compile(
    r"(?P<cur>" + _SYMBOL + r"|" + _CODE + r")\s?(?P<num>" + _SPACED + r"|" + _NUM
    + r")(?P<k>k\b)?(?![\d%])",
    re.I,
)
_SUFFIX_WORDS = (
    r"dollars?|bucks?|dlls?|dls|d[oó]lares|usd|quid|pounds?|sterling|libras|gbp|euros?|eur"
    r"|cad|aud|nzd|mxn|brl|reais|chf|pln|z[lł]oty|złotych|z[lł]|sek|nok|dkk|inr|rupees|zar|jpy"
    r"|yen"
)
_SUFFIX = re.compile(
    r"(?<![\d.,])(?P<num>" + _SPACED + r"|" + _NUM + r")(?P<k>k)?\s?"
    r"(?P<cur>" + _SUFFIX_WORDS + r"|[€£₹¥])(?![a-z])",
    re.I,
)
_K = re.compile(r"(?<![\w.,$£€])(?P<num>\d{1,4}(?:[.,]\d{1,2})?)(?P<k>k)\b(?!\s*(?:m|km)\b)", re.I)

_UNITS = {
    "zero": 0, "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1000, "grand": 1000}
_WORD = r"(?:" + "|".join(sorted([*_UNITS, *_TENS, *_SCALES], key=len, reverse=True)) + r")"
# Word numbers: "two hundred and fifty pounds", "a hundred bucks", "two grand".
_WORDS = re.compile(
    r"\b(?P<num>" + _WORD + r"(?:(?:[\s-]+|\s+and\s+)" + _WORD + r"){0,6})"
    r"(?:\s+(?P<cur>" + _SUFFIX_WORDS + r"))?\b",
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
    "€1.200"); followed by one or two digits it is the decimal point ("120,50"). Spaces are
    thousands separators ("1 200"): the patterns only allow them in groups of three.
    """
    s = re.sub(r"[\s\u00a0\u202f]", "", text)
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


def parse_words(text: str) -> Decimal | None:
    """A number written in English words to Decimal: "two hundred and fifty" is 250.

    "one fifty" is read as 150 (how people say prices); "two grand" is 2000. None when the
    words are not a number.
    """
    total = current = 0
    last_was_unit = False
    for word in re.split(r"[\s-]+", text.lower()):
        if not word or word == "and":
            continue
        if word in _UNITS or word in _TENS:
            value = _UNITS.get(word, _TENS.get(word, 0))
            if last_was_unit and 0 < current < 10 and value >= 10:
                current = current * 100 + value  # "one fifty"
            else:
                current += value
            last_was_unit = word in _UNITS and value < 10
        elif word == "hundred":
            current = max(current, 1) * 100
            last_was_unit = False
        elif word in ("thousand", "grand"):
            total += max(current, 1) * 1000
            current = 0
            last_was_unit = False
        else:
            return None
    value = total + current
    return Decimal(value) if value > 0 else None


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

    def add(
        m: re.Match[str], currency: str | None, *, marked: bool, words: Decimal | None = None
    ) -> None:
        if len(found) >= MAX_MENTIONS:
            return
        start, end = m.span("num")
        if _overlaps(start, end, taken) or (not marked and _overlaps(start, end, blocked)):
            return
        value = parse_number(m.group("num")) if words is None else words
        if value is None:
            return
        if "k" in m.groupdict() and m.group("k"):
            value *= 1000
        after = max(end, m.end())
        per = bool(_PERIOD_AFTER.match(text[after : after + 24]))
        taken.append((start, end))
        found.append(
            AmountMention(value=value, currency=currency, start=m.start(), end=m.end(),
                          per_period=per)
        )

    for m in _PREFIX.finditer(text):
        add(m, _CURRENCY[m.group("cur").lower()], marked=True)
    for m in _SUFFIX.finditer(text):
        add(m, _CURRENCY[m.group("cur").lower()], marked=True)
    for m in _WORDS.finditer(text):
        number = m.group("num").lower()
        if number in ("a", "an") or not (m.group("cur") or number.endswith("grand")):
            continue
        value = parse_words(number)
        if value is not None:
            add(m, _CURRENCY[m.group("cur").lower()] if m.group("cur") else None,
                marked=True, words=value)
    for m in _K.finditer(text):
        add(m, None, marked=False)
    for m in _BARE_CONTEXT.finditer(text):
        add(m, None, marked=False)
    for m in _PER_PERIOD.finditer(text):
        if _PERIOD_AFTER.match(text[m.end("num") : m.end("num") + 24]):
            add(m, None, marked=False)
    found.sort(key=lambda a: a.start)
    return found
