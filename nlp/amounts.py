"""Money amounts in free text, in the forms debtors write them.

Recognised: symbols and codes before or after the number ("$1,200.50", "£75", "€1.200,50",
"1.200,50 EUR", "CAD 400", "A$90", "USD 1 200"), currency words and slang ("300 euros",
"50 quid", "250 bucks", "1200 dlls"), thousands with k ("2k", "1.5k", "$2k"), numbers in
words before a currency word ("two hundred dollars", "two hundred and fifty pounds"), and
bare numbers where the words around them say money ("I can pay 250", "50 a month": an amount
with `per_period` set; the plan period is the agent's business).

Also: a digit with a scale word ("2 hundred", "3 hunnid", "2 grand"), "euro 860,00" and
"200$", and bare numbers or number words tied to a commitment: after a pay verb in English,
Spanish, Italian, French, Portuguese, German or Polish ("i can send u 150", "pay the 84.50",
"quiero dar 60", "te mando 80", "pay u two fiddy") or before a when ("100 on monday", "50 now",
"250 jan 15").

Currency is an ISO code only when the text says it (symbol, code, word or slang), else None:
a bare "$" (and "dollars", "bucks") is `dollar`, USD by default because that is how debtors who
write it mean it; the caller passes the debtor's own dollar by time zone (`dollar_for_zone`:
AUD in Australia, CAD in Canada, NZD in New Zealand). "A$", "C$", "NZ$", "R$" and "US$" are
their own dollars whatever the zone.

Not amounts: phone numbers, dates, times ("5pm"), ordinals, percentages, counts and durations
("2 kids", "6 months") and references; the caller passes the spans of dates and references to
exclude.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = [
    "MAX_MENTIONS", "AmountMention", "dollar_for_zone", "find_amounts", "parse_number",
    "parse_words",
]

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
    "libras": "GBP", "funtów": "GBP", "funtow": "GBP", "funty": "GBP", "funta": "GBP",
    "dolarów": "USD", "dolarow": "USD",
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
_CODE = (
    r"\b(?:USD|GBP|EUR|CAD|AUD|NZD|MXN|BRL|CHF|PLN|SEK|NOK|DKK|INR|ZAR|JPY)"
    r"|(?<![\d.,]\s)(?<![\d.,])\beuros?\b"
)
_PREFIX = re.compile(
    r"(?P<cur>" + _SYMBOL + r"|" + _CODE + r")\s?(?P<num>" + _SPACED + r"|" + _NUM
    + r")(?P<k>k\b)?(?![\d%])",
    re.I,
)
_SUFFIX_WORDS = (
    r"dollars?|bucks?|dlls?|dls|d[oó]lares|dolar[oó]w|usd|quid|pounds?|sterling|libras"
    r"|funt(?:[oó]w|y|a)|gbp|euros?|eur"
    r"|cad|aud|nzd|mxn|brl|reais|chf|pln|z[lł]oty|złotych|z[lł]|sek|nok|dkk|inr|rupees|zar|jpy"
    r"|yen"
)
_SUFFIX = re.compile(
    r"(?<![\d.,])(?P<num>" + _SPACED + r"|" + _NUM + r")(?P<k>k)?\s?"
    r"(?P<cur>" + _SUFFIX_WORDS + r"|[€£₹¥]|\$(?![\d]))(?![a-z])",
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
_SLANG_TENS = {"fiddy": 50, "fitty": 50}
_DIGIT_SCALES = {
    "hundred": 100, "hunnid": 100, "hundo": 100, "hunned": 100, "thousand": 1000, "grand": 1000,
}
_WORD = r"(?:" + "|".join(
    sorted([*_UNITS, *_TENS, *_SCALES, *_SLANG_TENS], key=len, reverse=True)
) + r")"
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
# "2 hundred", "3 hunnid", "2 grand": a digit with a scale word.
_DIGIT_SCALE = re.compile(
    r"(?<![\d.,])(?P<num>\d{1,3}(?:[.,]\d)?)\s?(?P<scale>hundred|hunnid|hundo|hunned|thousand"
    r"|grand)\b(?:\s+(?P<cur>" + _SUFFIX_WORDS + r")\b)?",
    re.I,
)
# Verbs and phrases of paying, in the languages of the set, that make a following bare number
# money: "i can send u 150", "pay the 84.50", "quiero dar 60", "te mando 80".
_PAY_VERB = (
    r"(?:pay(?:ing)?|send(?:ing)?|offer(?:ing)?|do|manage|afford|settle for|transfer"
    r"|put down|put in|give (?:you|u|ya)|payments? of|instal+ments? of|owe|owed|balance (?:is|of)"
    r"|total (?:is|of)|amount (?:is|of)|only|another|extra|the other|the remaining|cover"
    r"|pag(?:ar|o|ar[eé]|ue|aré|amos)|mand(?:ar|o|aré|are)|dar|doy|abonar|deposit(?:ar|o)"
    r"|pagher[oò]|verser[oò]|payer|paierai|payerai|verserai|envoyer|zahlen|zahle|überweise"
    r"|[uü]berweisen|zapłac(?:ę|ic)|wpłac(?:ę|ic)|betaal|betalen|vou pagar|pagarei|mandar)"
)
_FILLER = (
    r"(?:(?:you|u|ya|ye|te|le|les|vous|ihnen|the|another|around|about|maybe|like|only|just"
    r"|roughly|approx(?:imately)?|at least|you guys)\s+){0,3}"
)
_BARE_CONTEXT = re.compile(
    r"\b" + _PAY_VERB + r"\s+" + _FILLER
    + r"(?P<num>\d{1,6}(?:[.,]\d{1,2})?)(?![\d,.]*\d)" + _NOT_MONEY_AFTER,
    re.I,
)
# "pay u two fiddy", "send you two hundred": number words after a pay verb.
_BARE_WORDS = re.compile(
    r"\b" + _PAY_VERB + r"\s+" + _FILLER + r"(?P<num>" + _WORD + r"(?:(?:[\s-]+|\s+and\s+)"
    + _WORD + r"){0,6})\b" + _NOT_MONEY_AFTER,
    re.I,
)
# "100 on monday", "50 now", "250 jan 15": a bare number right before a when, at the start of
# a clause or after "and"/"then", is what will be paid then.
_BEFORE_WHEN = re.compile(
    r"(?:^|(?<=[.,;:!?\n])|(?<=\band)|(?<=\bthen)|(?<=\bthe)|(?<=\bok)|(?<=\bfine)|(?<=\bnow)"
    r"|(?<=\bgot))\s*"
    r"(?P<num>\d{2,6}(?:[.,]\d{1,2})?)(?=\s+(?:now\b|today\b|tonight\b|tomorrow\b|tmrw\b"
    r"|then\b|this\b|next\b|on\s+(?!(?:it|that|this|top|time|my|the\s+(?:phone|account"
    r"|bill|invoice)))\w|by\s+\w|mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug"
    r"|sep|oct|nov|dec|hoy|mañana|manana|oggi|domani|el\s+\d|il\s+\d))",
    re.I | re.M,
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
        if word in _UNITS or word in _TENS or word in _SLANG_TENS:
            value = _UNITS.get(word, _TENS.get(word, _SLANG_TENS.get(word, 0)))
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


_GENERIC_DOLLAR = frozenset({"$", "dollar", "dollars", "bucks", "buck", "dolares", "dólares"})
_ZONE_DOLLARS = (
    ("Australia/", "AUD"), ("Antarctica/Macquarie", "AUD"), ("Pacific/Auckland", "NZD"),
    ("Pacific/Chatham", "NZD"), ("NZ", "NZD"), ("Canada/", "CAD"), ("America/Toronto", "CAD"),
    ("America/Vancouver", "CAD"), ("America/Edmonton", "CAD"), ("America/Winnipeg", "CAD"),
    ("America/Halifax", "CAD"), ("America/St_Johns", "CAD"), ("America/Regina", "CAD"),
    ("America/Moncton", "CAD"), ("America/Montreal", "CAD"), ("America/Whitehorse", "CAD"),
    ("America/Yellowknife", "CAD"), ("America/Iqaluit", "CAD"),
)


def dollar_for_zone(zone: str | None) -> str:
    """The currency a bare "$" or "dollars" means for a debtor in IANA `zone`: AUD in
    Australia, NZD in New Zealand, CAD in Canada, else USD."""
    for prefix, code in _ZONE_DOLLARS:
        if zone and zone.startswith(prefix):
            return code
    return "USD"


def find_amounts(
    text: str, *, exclude: Iterable[tuple[int, int]] = (), dollar: str = "USD"
) -> list[AmountMention]:
    """Every money amount in reading order.

    Args:
        text: redacted message text.
        exclude: spans (dates, references) whose digits are not money.
        dollar: the currency of a bare "$", "dollars" or "bucks" (see `dollar_for_zone`).
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

    def currency_of(word: str) -> str:
        word = word.lower()
        return dollar if word in _GENERIC_DOLLAR else _CURRENCY[word]

    for m in _PREFIX.finditer(text):
        add(m, currency_of(m.group("cur")), marked=True)
    for m in _SUFFIX.finditer(text):
        add(m, currency_of(m.group("cur")), marked=True)
    for m in _DIGIT_SCALE.finditer(text):
        base = parse_number(m.group("num"))
        if base is not None:
            add(m, currency_of(m.group("cur")) if m.group("cur") else None, marked=True,
                words=base * _DIGIT_SCALES[m.group("scale").lower()])
    for m in _WORDS.finditer(text):
        number = m.group("num").lower()
        if number in ("a", "an") or not (m.group("cur") or number.endswith("grand")):
            continue
        value = parse_words(number)
        if value is not None:
            add(m, currency_of(m.group("cur")) if m.group("cur") else None,
                marked=True, words=value)
    for m in _K.finditer(text):
        add(m, None, marked=False)
    for m in _BARE_CONTEXT.finditer(text):
        add(m, None, marked=False)
    for m in _BARE_WORDS.finditer(text):
        number = m.group("num").lower()
        value = parse_words(number)
        if value is not None and value >= 5 and number not in ("a", "an", "one"):
            add(m, None, marked=False, words=value)
    for m in _BEFORE_WHEN.finditer(text):
        add(m, None, marked=False)
    for m in _PER_PERIOD.finditer(text):
        if _PERIOD_AFTER.match(text[m.end("num") : m.end("num") + 24]):
            add(m, None, marked=False)
    found.sort(key=lambda a: a.start)
    return found
