"""Card and bank numbers masked, and invoice / account / payment references found.

Debtors paste card numbers, IBANs and sort codes into replies. `redact` masks them (keeping at
most the last four digits, COMPLIANCE R38) and removes CVV, expiry and PIN values before any
other step, so that nothing downstream (triage JSON, evidence excerpts, the console) can carry
them. "Card ending 4821" is not card data and is left alone.

What is masked: 13-19 digit runs (spaces or dashes allowed) that pass the Luhn check (card
numbers; a 16-digit invoice or payment reference fails it and is kept); IBANs that pass the
ISO 7064 mod-97 check (with or without spaces); a UK sort code with its account number, with
the words ("sort code 12-34-56 account 12345678") or as the bare pair ("12-34-56 12345678");
US routing and account numbers named as such ("routing 021000021, account 123456789"); any
account number within 80 characters of bank wording.

Reference forms returned by `find_references` (uppercase, one spelling per reference):
`INV-1234` / `ACC-55` (prefixed identifiers as written, joined with "-"), `#101` (invoice
numbers: "invoice #101", "invoice no. 101", "#101"), `account 12345678`, `ref 4411` (payment
references and confirmation numbers), `[CARD •••• 1234]` and `[BANK •••• 5678]` (masked).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "MAX_REFERENCES", "RefMention", "find_references", "iban_valid", "luhn_valid", "redact"
]

MAX_REFERENCES = 200  # the overlap check is quadratic; a reply names a few references

_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
_IBAN = re.compile(
    r"\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4}){2,7}(?:[ -]?[A-Z0-9]{1,4})?\b", re.I
)
_SORT_CODE = re.compile(r"\b(sort[- ]?code\s*:?\s*)(\d{2})[- ]?(\d{2})[- ]?(\d{2})\b", re.I)
# "12-34-56 12345678", "12-34-56 / 12345678", "12-34-56, acc 12345678": the UK pair without
# the words. The dashes make it a sort code, not a date or a phone number.
_SORT_PAIR = re.compile(
    r"(?<![\d-])(\d{2})-(\d{2})-(\d{2})(\s*(?:[,/;]|and|&)?\s*(?:(?:account|acct|acc|a/c)"
    r"\.?(?: number| no\.?| num| #)?\s*:?\s*)?)(\d{8})(?!\d)",
    re.I,
)
_ROUTING = re.compile(
    r"\b((?:routing|aba|transit)(?: number| no\.?| #)?\s*(?:is|:|#|-)?\s*)(\d{9})\b", re.I
)
_BANK_ACCOUNT = re.compile(
    r"\b((?:bank )?(?:account|acct|a/c)\.?(?: number| no\.?| num| #)?\s*(?:is|:|#|-)?\s*)"
    r"(\d{6,17})\b",
    re.I,
)
_BANK_CONTEXT = re.compile(r"\b(?:bank|sort[- ]?code|routing|aba|iban|swift|bic|checking)\b", re.I)
_CVV = re.compile(r"\b(?:cvv2?|cvc2?|csc|security code|card code)\s*(?:is|:|-)?\s*\d{3,4}\b", re.I)
_EXPIRY = re.compile(
    r"\b(?:exp(?:iry|ires|iration)?(?: date)?|valid (?:thru|through|until))\.?\s*(?:is|:|-)?\s*"
    r"\d{1,2}\s*/\s*\d{2,4}\b",
    re.I,
)
_PIN = re.compile(r"\bpin(?: number| code| no\.?)?\s*(?:is|:|-)?\s*\d{4,6}\b", re.I)


def _last4(digits: str) -> str:
    return re.sub(r"\D", "", digits)[-4:]


def luhn_valid(digits: str) -> bool:
    """The Luhn check every payment card number passes (ISO/IEC 7812); digits only."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_valid(text: str) -> bool:
    """The ISO 13616 check: the country and check digits moved to the end, letters as numbers,
    the whole number mod 97 is 1. Catches every single-character typo."""
    s = re.sub(r"[\s-]", "", text).upper()
    if not 15 <= len(s) <= 34 or not s.isalnum():
        return False
    moved = s[4:] + s[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def redact(text: str) -> str:
    """Mask card and bank numbers (last four digits kept) and drop CVV, expiry and PIN values.

    A 13-19 digit run is a card number only when it passes the Luhn check: debtors quote long
    invoice and payment references that must stay readable, and a card number that fails the
    check is a typo no one can charge. IBANs likewise need their mod-97 check.
    """
    text = _CVV.sub("[CVV REMOVED]", text)
    text = _EXPIRY.sub("[EXPIRY REMOVED]", text)
    text = _PIN.sub("[PIN REMOVED]", text)
    # IBANs first: their digit runs would otherwise look like card numbers.
    text = _IBAN.sub(
        lambda m: f"[BANK •••• {_last4(m.group())}]" if iban_valid(m.group()) else m.group(),
        text,
    )

    def card(m: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", m.group())
        return f"[CARD •••• {digits[-4:]}]" if luhn_valid(digits) else m.group()

    text = _CARD.sub(card, text)
    text = _SORT_PAIR.sub(lambda m: f"[BANK •••• {m.group(5)[-4:]}]", text)
    text = _SORT_CODE.sub(lambda m: f"{m.group(1)}[BANK •••• {m.group(3)}{m.group(4)}]", text)
    text = _ROUTING.sub(lambda m: f"{m.group(1)}[BANK •••• {m.group(2)[-4:]}]", text)

    def bank_account(m: re.Match[str]) -> str:
        window = text[max(0, m.start() - 80) : m.end() + 80]
        if _BANK_CONTEXT.search(window):
            return f"{m.group(1)}[BANK •••• {m.group(2)[-4:]}]"
        return m.group()

    return _BANK_ACCOUNT.sub(bank_account, text)


@dataclass(frozen=True, kw_only=True)
class RefMention:
    """A reference and where it was found in the (redacted) text."""

    reference: str
    start: int
    end: int


_ID = r"[A-Z]{0,4}\d[\w-]*"
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\[(?:CARD|BANK) •••• \d{1,4}\]"), "masked"),
    (re.compile(r"\b(INV|ACC|ACCT|CUST|LN|LOAN)[-_ #]?(\d[\w-]*)\b", re.I), "prefixed"),
    (
        re.compile(
            r"\binv(?:oice)?s?\.?\s*(?:no\.?|number|num|nr|#)?\s*:?\s*#?\s*(" + _ID + r")\b",
            re.I,
        ),
        "invoice",
    ),
    (
        re.compile(
            r"\bacc(?:oun)?t\.?\s*(?:no\.?|number|num|nr|#|ref)\s*:?\s*#?\s*(" + _ID + r")\b",
            re.I,
        ),
        "account",
    ),
    (
        re.compile(
            r"\b(?:ref(?:erence)?|confirmation|conf|transaction|txn|receipt|tracking)\.?\s*"
            r"(?:no\.?|number|num|nr|#|code|id)?\s*:?\s*#?\s*([A-Z]{0,4}\d[\w-]{2,})\b",
            re.I,
        ),
        "payment",
    ),
    (re.compile(r"(?<![\w&#])#\s?([A-Z]{0,3}\d{2,}[\w-]*)\b", re.I), "hash"),
)


def _normalise(kind: str, m: re.Match[str]) -> str:
    if kind == "masked":
        return m.group()
    if kind == "prefixed":
        prefix = m.group(1).upper()
        return f"{'INV' if prefix == 'INV' else prefix}-{m.group(2).upper()}"
    ident = m.group(1).upper()
    if kind in ("invoice", "hash"):
        return f"#{ident}" if ident.isdigit() else ident
    if kind == "account":
        return f"account {ident}"
    return f"ref {ident}"


def find_references(text: str) -> list[RefMention]:
    """Invoice, account and payment references in reading order, each once.

    Run it on `redact`ed text: raw card numbers are never returned.
    """
    taken: list[tuple[int, int]] = []
    found: list[RefMention] = []
    for pattern, kind in _PATTERNS:
        for m in pattern.finditer(text):
            if len(found) >= MAX_REFERENCES:
                break
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append(RefMention(reference=_normalise(kind, m), start=m.start(), end=m.end()))
    found.sort(key=lambda r: r.start)
    return found
