"""Card and bank numbers masked, and invoice / account / payment references found.

Debtors paste card numbers, IBANs and sort codes into replies. `redact` masks them (keeping at
most the last four digits, COMPLIANCE R38) and removes CVV, expiry and PIN values before any
other step, so that nothing downstream (triage JSON, evidence excerpts, the console) can carry
them. "Card ending 4821" is not card data and is left alone.

Reference forms returned by `find_references` (uppercase, one spelling per reference):
`INV-1234` / `ACC-55` (prefixed identifiers as written, joined with "-"), `#101` (invoice
numbers: "invoice #101", "invoice no. 101", "#101"), `account 12345678`, `ref 4411` (payment
references and confirmation numbers), `[CARD •••• 1234]` and `[BANK •••• 5678]` (masked).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["MAX_REFERENCES", "RefMention", "find_references", "redact"]

MAX_REFERENCES = 200  # the overlap check is quadratic; a reply names a few references

_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
_SORT_CODE = re.compile(r"\b(sort[- ]?code\s*:?\s*)(\d{2})[- ]?(\d{2})[- ]?(\d{2})\b", re.I)
_ROUTING = re.compile(
    r"\b((?:routing|aba|transit)(?: number| no\.?| #)?\s*:?\s*)(\d{9})\b", re.I
)
_BANK_ACCOUNT = re.compile(
    r"\b((?:bank )?(?:account|acct|a/c)\.?(?: number| no\.?| num| #)?\s*:?\s*)(\d{6,17})\b", re.I
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


def redact(text: str) -> str:
    """Mask card and bank numbers (last four digits kept) and drop CVV, expiry and PIN values.

    Every 13-19 digit run (spaces or dashes allowed) is treated as a card number, Luhn-valid
    or not: a false mask costs nothing, a stored card number is a PCI breach.
    """
    text = _CVV.sub("[CVV REMOVED]", text)
    text = _EXPIRY.sub("[EXPIRY REMOVED]", text)
    text = _PIN.sub("[PIN REMOVED]", text)
    # IBANs first: their digit runs would otherwise look like card numbers.
    text = _IBAN.sub(lambda m: f"[BANK •••• {_last4(m.group())}]", text)
    text = _CARD.sub(lambda m: f"[CARD •••• {_last4(m.group())}]", text)
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
