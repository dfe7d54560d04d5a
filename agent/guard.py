"""The guard: every outgoing text, whoever wrote it, is checked here just before it is sent.

Each rule is a small function with a stable id (kept in audit events and queue reasons). A
failure blocks the text; the caller queues it for a person with the reasons. The time-of-day
rule (R01) is different: an out-of-hours text is not wrong, it is early, so it sets
`send_after` instead of failing (COMPLIANCE.md §4: separate "block" from "defer").

Run it at send time as well as at draft time: a cease or a bankruptcy notice can arrive in
between, and the facts passed in must be the ledger's at that moment.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agent.config import GuardSettings, ProhibitedPhrase
from agent.facts import (
    CHANNELS,
    DISCLOSURE_EXEMPT_KINDS,
    GUARD_KINDS,
    OPT_OUT_NOTICE_EXEMPT_KINDS,
    AccountFacts,
)

__all__ = [
    "RULES",
    "GuardInputError",
    "RuleFailure",
    "Verdict",
    "check",
    "sms_segments",
]

RULES: tuple[str, ...] = (
    "disclosure_present",
    "opt_out_present",
    "prohibited_language",
    "amounts_match_ledger",
    "dates_match",
    "channel_permitted",
    "legal_state_permits",
    "third_party_disclosure",
    "frequency_cap",
    "allowed_hours",
    "length",
)

# Kinds each legal state still lets out (COMPLIANCE.md §2). None means "everything".
# sms_help carries no debt content and answers a carrier-mandated keyword (R07), so it is never
# blocked by state; the opt-out confirmation (R06) is the one message allowed after a STOP.
# Texts that ask for money or schedule it: nothing is owed on a paid or closed account.
_COLLECTING = frozenset(
    {
        "confirm_promise",
        "plan_offer",
        "plan_accepted",
        "promise_reminder",
        "promise_follow_up",
    }
)
_STATE_ALLOWS: dict[str, frozenset[str] | None] = {
    "bankruptcy": frozenset({"sms_help"}),
    "deceased": frozenset({"sms_help"}),
    "attorney": frozenset({"sms_help"}),
    "cease": frozenset({"confirm_cease", "confirm_opt_out", "sms_help"}),
    "wrong_party": frozenset({"confirm_opt_out", "sms_help"}),
    "dispute_hold": frozenset(
        {"acknowledge_dispute", "confirm_opt_out", "confirm_cease", "sms_help", "collector_reply"}
    ),
    "paid": GUARD_KINDS - _COLLECTING,
    "closed": GUARD_KINDS - _COLLECTING,
    "active": None,
    "payment_plan": None,
}
# Sent on a channel the debtor opted out of, or beyond the frequency cap: only what the law
# expects as the last word (R05, R06, R13) or the carrier requires (R07).
_CONFIRMATIONS = frozenset({"confirm_opt_out", "confirm_cease", "sms_help"})

_NEGATORS = r"(?:not|never|no|won't|wont|don't|dont|cannot|can't|cant)"
_NOT_A_NEGATION = {"hesitate", "wait", "delay", "fail", "stop", "hold", "think", "forget"}
_DEBT_WORDS = re.compile(
    r"\b(debts?|balances?|owe[ds]?|owing|amounts?|payments?|pay|paid|collect\w*|arrears|"
    r"overdue|invoices?|accounts?|outstanding)\b",
    re.IGNORECASE,
)
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?"
_SYMBOLS = {"$": "USD", "£": "GBP", "€": "EUR"}
_WORDS = {"dollar": "USD", "pound": "GBP", "euro": "EUR"}
_MONEY = re.compile(
    rf"(?P<sym>[$£€])\s?(?P<n1>{_NUMBER})"
    rf"|\b(?P<code>USD|GBP|EUR|CAD|AUD)\s?(?P<n2>{_NUMBER})"
    rf"|(?<![\d.,])(?P<n3>{_NUMBER})\s?(?P<word>dollars?|pounds?|euros?|USD|GBP|EUR|CAD|AUD)\b",
    re.IGNORECASE,
)
_MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
_MONTH_RE = "|".join(
    [*_MONTHS, "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sept", "Sep", "Oct", "Nov", "Dec"]
)
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_WD = rf"(?:(?P<wd>{'|'.join(_WEEKDAYS)}),?\s+)?"
_DATE_PATTERNS = (
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b"),
    re.compile(
        rf"\b{_WD}(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{_MONTH_RE})\b"
        r"\.?,?(?:\s+(?P<y>\d{4}))?"
    ),
    re.compile(
        rf"\b{_WD}(?P<mon>{_MONTH_RE})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>\d{{4}}))?"
    ),
    re.compile(r"\b(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4}|\d{2})\b"),
)
_PAN = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = frozenset("^{}\\[~]|€\f")


class GuardInputError(ValueError):
    """The guard was called wrongly (naive time, unknown channel or kind); fix the caller."""


@dataclass(frozen=True, kw_only=True)
class RuleFailure:
    """One broken rule: its stable id, a sentence a collector can act on, and the words."""

    rule: str
    reason: str
    excerpt: str | None = None


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """`allowed` False blocks the text. `send_after` (aware UTC) defers an allowed one."""

    allowed: bool
    failures: tuple[RuleFailure, ...]
    send_after: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class _Ctx:
    text: str
    folded: str
    channel: str
    facts: AccountFacts | None
    kind: str
    now: datetime
    settings: GuardSettings


def check(
    text: str,
    *,
    channel: str,
    facts: AccountFacts | None,
    kind: str,
    now: datetime,
    settings: GuardSettings,
) -> Verdict:
    """Check one outgoing text against every rule.

    Args:
        text: the full body as it will be sent (disclosure and opt-out lines included).
        channel: `email` or `sms`.
        facts: the account's facts now, or None when the recipient is not verified as the debtor
            (then nothing may reveal a debt, R20).
        kind: the template or action name (`confirm_promise`, `confirm_opt_out`, `sms_help`,
            `collector_reply`, ...); some kinds are allowed where others are not.
        now: the intended send time, timezone-aware.
        settings: the deployment's guard settings.

    Raises:
        GuardInputError: `now` is naive, or `channel` / `kind` is unknown.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise GuardInputError("guard.check needs an aware `now` (e.g. datetime.now(UTC))")
    if channel not in CHANNELS:
        raise GuardInputError(f"unknown channel {channel!r}; expected one of {CHANNELS}")
    if kind not in GUARD_KINDS:
        raise GuardInputError(f"unknown kind {kind!r}; expected one of {sorted(GUARD_KINDS)}")
    ctx = _Ctx(
        text=text,
        folded=_fold(text),
        channel=channel,
        facts=facts,
        kind=kind,
        now=now,
        settings=settings,
    )
    failures = [failure for rule in _CONTENT_RULES for failure in rule(ctx)]
    send_after, hour_failures = _allowed_hours(ctx)
    failures.extend(hour_failures)
    return Verdict(allowed=not failures, failures=tuple(failures), send_after=send_after)


def sms_segments(text: str) -> int:
    """How many SMS parts `text` is sent as: GSM-7 160/153 septets, else UCS-2 70/67 units."""
    if all(c in _GSM_BASIC or c in _GSM_EXTENDED for c in text):
        units = sum(2 if c in _GSM_EXTENDED else 1 for c in text)
        single, multi = 160, 153
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi = 70, 67
    if units <= single:
        return 1 if units else 0
    return math.ceil(units / multi)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.split()).casefold()


def _excerpt(text: str, start: int, end: int, *, width: int = 30) -> str:
    lo, hi = max(0, start - width), min(len(text), end + width)
    return ("…" if lo else "") + text[lo:hi] + ("…" if hi < len(text) else "")


# --- content rules ---------------------------------------------------------------------------


def _disclosure_present(ctx: _Ctx) -> Iterator[RuleFailure]:
    """R08: the jurisdiction's collection disclosure, word for word."""
    if ctx.facts is None or ctx.kind in DISCLOSURE_EXEMPT_KINDS:
        return
    required = ctx.settings.disclosure_for(ctx.facts.jurisdiction)
    if _fold(required) not in ctx.folded:
        yield RuleFailure(
            rule="disclosure_present",
            reason=f"the {ctx.facts.jurisdiction} collection disclosure is missing (R08); "
            f"add: {required}",
        )


_OPT_OUT_CUES = {
    "sms": re.compile(r"\b(?:reply|text|send)\s+\W?(?:stop|unsubscribe)\b"),
    "email": re.compile(r"\b(?:reply|write|click|email)\b[^.]{0,80}\b(?:stop|unsubscribe)\b"),
}


def _opt_out_present(ctx: _Ctx) -> Iterator[RuleFailure]:
    """R09: every email and SMS says how to stop messages on that channel."""
    if ctx.kind in OPT_OUT_NOTICE_EXEMPT_KINDS:
        return
    configured = _fold(ctx.settings.opt_out_instructions[ctx.channel])
    if configured in ctx.folded or _OPT_OUT_CUES[ctx.channel].search(ctx.folded):
        return
    yield RuleFailure(
        rule="opt_out_present",
        reason=f"no opt-out instructions for {ctx.channel} (R09); add: "
        f"{ctx.settings.opt_out_instructions[ctx.channel]}",
    )


@lru_cache(maxsize=8)
def _compiled(
    phrases: tuple[ProhibitedPhrase, ...],
) -> tuple[tuple[ProhibitedPhrase, re.Pattern[str]], ...]:
    return tuple(
        (phrase, re.compile(rf"(?<![\w'])(?:{phrase.pattern})(?![\w'])", re.IGNORECASE))
        for phrase in phrases
    )


def _negated(before: str) -> bool:
    words = re.findall(r"[\w']+", before.casefold())[-3:]
    for back in range(1, len(words) + 1):
        if re.fullmatch(_NEGATORS, words[-back]):
            return not any(w in _NOT_A_NEGATION for w in words[len(words) - back + 1 :])
    return False


def _prohibited_language(ctx: _Ctx) -> Iterator[RuleFailure]:
    """R31-R37, R39: threats, false urgency, abuse, pressure, card data, claims to be human."""
    original = text = unicodedata.normalize("NFKC", ctx.text).replace("\u2019", "'")
    if ctx.facts is not None:
        # A debtor called "Levy" or "Court" is not a threat: blank the name before scanning.
        for part in ctx.facts.debtor_name.split():
            if len(part) > 1:
                text = re.sub(rf"\b{re.escape(part)}\b", " " * len(part), text, flags=re.I)
    hits: dict[str, list[tuple[str, int, int]]] = {}
    for phrase, pattern in _compiled(ctx.settings.prohibited):
        if phrase.unless_intended and phrase.unless_intended in ctx.settings.intended_actions:
            continue
        for match in pattern.finditer(text):
            if phrase.negatable and _negated(text[max(0, match.start() - 40) : match.start()]):
                continue
            hits.setdefault(phrase.category, []).append((match.group(0), *match.span()))
    for match in _PAN.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        if 13 <= len(digits) <= 19 and _luhn(digits):
            hits.setdefault("card_data", []).append((f"card number ending {digits[-4:]}", 0, 0))
    for category, found in hits.items():
        words = ", ".join(dict.fromkeys(f"'{w.lower()}'" for w, _, _ in found))
        _, start, end = found[0]
        yield RuleFailure(
            rule="prohibited_language",
            reason=f"prohibited language ({category}): {words}",
            excerpt=_excerpt(original, start, end) if end else None,
        )


def _luhn(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = int(char) * (2 if i % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _money(text: str) -> Iterator[tuple[Decimal, str | None, int, int]]:
    for match in _MONEY.finditer(text):
        number = match.group("n1") or match.group("n2") or match.group("n3")
        if match.group("sym"):
            currency: str | None = _SYMBOLS[match.group("sym")]
        elif match.group("code"):
            currency = match.group("code").upper()
        else:
            word = match.group("word").lower().rstrip("s")
            currency = _WORDS.get(word, word.upper())
        try:
            value = Decimal(number.replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the regex only admits digits
            continue
        yield value, currency, match.start(), match.end()


def _amounts_match_ledger(ctx: _Ctx) -> Iterator[RuleFailure]:
    """R33: every money amount is one the ledger knows (balance, payments, promises, plans)."""
    facts = ctx.facts
    if facts is None:
        return  # third_party_disclosure blocks any amount to an unverified recipient
    known = facts.known_amounts | {facts.balance}
    for value, currency, start, end in _money(ctx.text):
        excerpt = _excerpt(ctx.text, start, end)
        if currency is not None and currency != facts.currency.upper():
            yield RuleFailure(
                rule="amounts_match_ledger",
                reason=f"amount {ctx.text[start:end]} is in {currency}, the account is in "
                f"{facts.currency}",
                excerpt=excerpt,
            )
        elif value not in known:
            yield RuleFailure(
                rule="amounts_match_ledger",
                reason=f"amount {ctx.text[start:end]} is not on the ledger (balance, payments, "
                "promises or plan); quote the ledger's figure",
                excerpt=excerpt,
            )


def _local_today(ctx: _Ctx) -> date:
    if ctx.facts is not None:
        try:
            return ctx.now.astimezone(ZoneInfo(ctx.facts.timezone)).date()
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ctx.now.astimezone(UTC).date()


def _dates_in(text: str, us_order: bool) -> Iterator[tuple[str, date | None, bool, str | None]]:
    """(as written, the date or None if impossible, year given, weekday written)."""
    seen: list[tuple[int, int]] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in seen):
                continue
            seen.append(match.span())
            groups = match.groupdict()
            if groups.get("a"):
                first, second = int(groups["a"]), int(groups["b"])
                month, day = (first, second) if us_order else (second, first)
            else:
                day = int(groups["d"])
                mon = groups.get("mon")
                month = _month_number(mon) if mon else int(groups["m"])
            year_text = groups.get("y")
            year = int(year_text) if year_text else 2000  # 2000 is a leap year: 29 Feb parses
            if year_text and len(year_text) == 2:
                year += 2000
            try:
                found: date | None = date(year, month, day)
            except ValueError:
                found = None
            yield match.group(0), found, bool(year_text), groups.get("wd")


def _month_number(name: str) -> int:
    return next(i for i, full in enumerate(_MONTHS, 1) if full.startswith(name[:3]))


def _on_ledger(found: date, has_year: bool, allowed: set[date] | frozenset[date]) -> bool:
    if has_year:
        return found in allowed
    return any((d.month, d.day) == (found.month, found.day) for d in allowed)


def _dates_match(ctx: _Ctx) -> Iterator[RuleFailure]:
    """R33: every explicit date is on the ledger, the due date, or today (debtor-local)."""
    facts = ctx.facts
    if facts is None:
        return
    allowed = facts.known_dates | {facts.due_date, _local_today(ctx)}
    us_order = facts.jurisdiction.upper().startswith("US")
    for written, found, has_year, weekday in _dates_in(ctx.text, us_order):
        if found is None:
            yield RuleFailure(
                rule="dates_match", reason=f"{written!r} is not a real date", excerpt=written
            )
        elif not _on_ledger(found, has_year, allowed):
            yield RuleFailure(
                rule="dates_match",
                reason=f"date {written!r} is not on the ledger (due date, promise or plan)",
                excerpt=written,
            )
        elif has_year and weekday and _WEEKDAYS[found.weekday()] != weekday:
            yield RuleFailure(
                rule="dates_match",
                reason=f"{written!r}: {found.isoformat()} is a {_WEEKDAYS[found.weekday()]}",
                excerpt=written,
            )


def _channel_permitted(ctx: _Ctx) -> Iterator[RuleFailure]:
    """R05/R06: nothing on an opted-out channel except the one confirmation."""
    if ctx.facts is None or ctx.kind in _CONFIRMATIONS:
        return
    if ctx.channel in ctx.facts.opted_out_channels:
        yield RuleFailure(
            rule="channel_permitted",
            reason=f"the debtor opted out of {ctx.channel}; use another channel or a person",
        )


def _legal_state_permits(ctx: _Ctx) -> Iterator[RuleFailure]:
    """COMPLIANCE.md §2: what each legal state still lets out."""
    if ctx.facts is None:
        return
    state = ctx.facts.legal_state
    if state not in _STATE_ALLOWS:
        yield RuleFailure(
            rule="legal_state_permits",
            reason=f"unknown legal state {state!r}: nothing is sent until it is corrected",
        )
        return
    allowed = _STATE_ALLOWS[state]
    if allowed is not None and ctx.kind not in allowed:
        yield RuleFailure(
            rule="legal_state_permits",
            reason=f"account is in {state}: {ctx.kind} may not be sent"
            + (f" (allowed: {', '.join(sorted(allowed))})" if allowed else "; a person handles it"),
        )


def _third_party_disclosure(ctx: _Ctx) -> Iterator[RuleFailure]:
    """R20/R35: no debt content to an unverified recipient, nor in no-collection-content kinds."""
    if ctx.facts is not None and ctx.kind not in DISCLOSURE_EXEMPT_KINDS:
        return
    words = [m.group(0) for m in _DEBT_WORDS.finditer(ctx.text)]
    words += [ctx.text[s:e] for _, _, s, e in _money(ctx.text)]
    if words:
        who = "a recipient not verified as the debtor" if ctx.facts is None else f"a {ctx.kind}"
        yield RuleFailure(
            rule="third_party_disclosure",
            reason=f"mentions a debt to {who}: "
            + ", ".join(dict.fromkeys(f"'{w.lower()}'" for w in words)),
            excerpt=words[0],
        )


def _frequency_cap(ctx: _Ctx) -> Iterator[RuleFailure]:
    """R03 [policy]: at most `frequency_cap` attempts per account in a rolling 7 days."""
    if ctx.facts is None or ctx.kind in _CONFIRMATIONS:
        return
    if ctx.facts.contact_attempts_7d >= ctx.settings.frequency_cap:
        yield RuleFailure(
            rule="frequency_cap",
            reason=f"{ctx.facts.contact_attempts_7d} contact attempts in the last 7 days "
            f"(cap {ctx.settings.frequency_cap}); wait or let a person decide",
        )


def _length(ctx: _Ctx) -> Iterator[RuleFailure]:
    if not ctx.text.strip():
        yield RuleFailure(rule="length", reason="the text is empty")
        return
    if ctx.channel == "sms":
        parts = sms_segments(ctx.text)
        if parts > ctx.settings.max_sms_segments:
            yield RuleFailure(
                rule="length",
                reason=f"SMS is {parts} segments (max {ctx.settings.max_sms_segments}: "
                "306 GSM-7 characters, 134 with emoji or other non-GSM characters)",
            )
    elif len(ctx.text) > ctx.settings.max_email_chars:
        yield RuleFailure(
            rule="length",
            reason=f"email is {len(ctx.text)} characters (max {ctx.settings.max_email_chars})",
        )


_CONTENT_RULES: tuple[Callable[[_Ctx], Iterator[RuleFailure]], ...] = (
    _disclosure_present,
    _opt_out_present,
    _prohibited_language,
    _amounts_match_ledger,
    _dates_match,
    _channel_permitted,
    _legal_state_permits,
    _third_party_disclosure,
    _frequency_cap,
    _length,
)


# --- R01: the hour --------------------------------------------------------------------------


def _allowed_hours(ctx: _Ctx) -> tuple[datetime | None, list[RuleFailure]]:
    """R01: inside [start, end) local time in every candidate zone, or the next such instant."""
    names = [ctx.facts.timezone] if ctx.facts is not None else list(ctx.settings.fallback_timezones)
    try:
        zones = [ZoneInfo(name) for name in names]
    except (ZoneInfoNotFoundError, ValueError):
        return None, [
            RuleFailure(
                rule="allowed_hours",
                reason=f"unknown time zone in {names}; set the debtor's IANA zone "
                "(e.g. America/New_York)",
            )
        ]
    hours = ctx.settings.allowed_hours
    moment = ctx.now.astimezone(UTC)
    for _ in range(4 * len(zones) + 4):
        moved = False
        for zone in zones:
            local = moment.astimezone(zone)
            if hours.start <= local.hour < hours.end:
                continue
            day = local.date() if local.hour < hours.start else local.date() + timedelta(days=1)
            moment = datetime.combine(day, time(hours.start), tzinfo=zone).astimezone(UTC)
            moved = True
        if not moved:
            return (None if moment == ctx.now.astimezone(UTC) else moment), []
    return None, [
        RuleFailure(
            rule="allowed_hours",
            reason=f"no hour is inside {hours.start}:00-{hours.end}:00 in every zone {names}",
        )
    ]
