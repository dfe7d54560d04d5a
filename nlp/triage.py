"""Text in, `Triage` out: the deterministic, recall-first triage (engine "rules-1").

Steps: clean (quoted history, signatures, footers; capped at 20,000 characters), redact card
and bank numbers, find cues (nlp.rules), extract amounts, dates and references, build the
promise, score distress and sentiment, split by reference when a reply treats several
differently, and decide the route.

Confidence: 0.95 for explicit phrases ("stop contacting me", "my attorney"), 0.9 for clear
ones, 0.8 for indirect ones (a capitalised "STOP" inside a longer SMS, "I'm not paying this"),
0.7 or less for weak cues. A message with no cue gets `other` at 0.9 when it is a short
acknowledgement ("ok thanks") and 0.4 otherwise, which routes it to a person
(`low_confidence`).

Route: `human` when any reason applies, in this order: `self_harm_risk`,
`legal_trigger:<label>` for each legal trigger (plus `dispute` when disputed), `complaint`,
`abusive`, `prompt_injection`, `vulnerability:<name>`, `distress` (hardship with distress
>= 0.5, or distress >= 0.7), `breathing_space`, `data_subject_request`, `low_confidence`
(no confident label, or `other` only on an email longer than three sentences), `truncated`
(the body was cut at the cap), `empty`, `unreadable` (mostly undecodable bytes),
`language:<code>` (confidently not English: the agent answers English only for now; legal
triggers in other languages still fire as labels). Otherwise `auto`.

Dates resolve against the message's date in the debtor's time zone (`timezone`, an IANA name),
which also decides whether "04/05" is 5 April or 4 May (nlp.dates.day_first_zone) and which
dollar a bare "$" is (nlp.amounts.dollar_for_zone).

Promise (`promise_from_text`): every amount is scored by the words around it in its sentence:
a commitment before it ("I'll", "can do", "voy a", "pagherò") or a future after it ("will
follow") counts for it; a payment already made ("We've just sent £2,000"), a negation ("I
won't be able to pay the €480"), "from $50 (to $120)", a description of the debt ("balance of")
and a quoted line count against it; the best wins, the earliest on a tie, none when every one
is a past payment or refused. The date is then scored the same way, near the chosen amount:
"instead", "starting", "until" count for it; a negated ("I wont be able to make friday"), past
("paid on 3 March"), replaced ("from the 26th to July 2nd"), recurring ("every other Friday")
or letter date ("your letter of 5 March") counts against it. "now" right after an amount ("250
now") is the received date. The rule cues of promise_to_pay, when they fired, are commitments
too. The rules triage keeps the promise only when promise_to_pay fired; the engine takes the same
text promise (`RuleAnalysis.text_promise`) when only the model predicts it.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from nlp.amounts import AmountMention, dollar_for_zone, find_amounts
from nlp.clean import clean_text
from nlp.dates import DateMention, day_first_zone, find_dates
from nlp.language import NON_ENGLISH_THRESHOLD, detect_language
from nlp.model import (
    LABELS,
    Evidence,
    Intent,
    Money,
    Promise,
    ReferenceTriage,
    Sentiment,
    Triage,
)
from nlp.references import RefMention, find_references, redact
from nlp.rules import Hit, find_hits, normalise

__all__ = [
    "ENGINE", "LEGAL_TRIGGERS", "RuleAnalysis", "analyse", "promise_from_text", "triage",
]

ENGINE = "rules-1"
MAX_EVIDENCE = 50  # enough for a console to highlight; a hostile body can fire thousands
# Caps applied here as well as in nlp.clean, so that a hostile body stays fast whatever the
# cleaner does: the raw text is cut before cleaning, the cleaned text before the rules.
_RAW_CAP = 200_000
_TEXT_CAP = 20_000
# A body whose visible characters are more than this share of U+FFFD (bytes that did not
# decode), private-use or unassigned code points is binary, not a message.
_UNREADABLE_SHARE = 0.15

LEGAL_TRIGGERS: frozenset[str] = frozenset(
    {
        "cease_communication",
        "channel_opt_out",
        "attorney_represented",
        "bankruptcy",
        "dispute",
        "validation_request",
        "deceased",
        "wrong_party",
        "self_harm_risk",
    }
)

_DISPUTE_PRIORITY = (
    "identity_theft", "already_paid", "not_mine", "wrong_amount", "goods_or_services", "other"
)
_VULN_ORDER = (
    "self_harm_risk", "mental_health", "health", "bereavement", "job_loss",
    "age_or_capability", "domestic_abuse",
)
_VULN_WEIGHT = {"self_harm_risk": 1.0, "mental_health": 0.4, "domestic_abuse": 0.4}
_ACK_WORDS = frozenset(
    {
        "ok", "okay", "k", "kk", "thanks", "thank", "you", "u", "thx", "ty", "cheers", "noted",
        "got", "it", "received", "great", "perfect", "sounds", "good", "will", "do", "understood",
        "cool", "fine", "alright", "all", "right", "yes", "yep", "yeah", "yup", "sure", "no",
        "problem", "np", "much", "appreciated", "appreciate", "brilliant", "lovely", "ta", "done",
        "again", "so", "a", "lot", "mate", "very", "for", "the", "reminder", "message", "info",
        "update", "confirmed", "confirm", "that's", "thats", "deal", "agreed", "agree", "works",
        "👍", "🙏", "🙂", "😊", "👌", "❤️",
    }
)
_POSITIVE = re.compile(
    r"\b(?:thank|thanks|thx|ty|appreciate\w*|great|perfect|brilliant|lovely|glad|helpful"
    r"|wonderful|awesome|kind|cheers|grateful|excellent)\b|[😊🙂👍❤️🙏👌😀😃]",
    re.I,
)
_NEGATIVE = re.compile(
    r"\b(?:angry|annoyed|ridiculous|disgust\w*|fed up|sick of|tired of|hate|terrible|awful"
    r"|outrageous|joke|pathetic|useless|unfair|furious|upset|disappointed|worst|nonsense"
    r"|bullshit|crap)\b|[😡🤬😠😤💩🖕]",
    re.I,
)
_PAST_CUE = re.compile(
    r"\b(?:paid|payed|sent|made|was|were|did|had|lost|received|got|ago|last|already|transferred"
    r"|happened|since|died|passed|started|began|took|went|called|rang)\b",
    re.I,
)
_FUTURE_CUE = re.compile(
    r"\b(?:will|'ll|ll|going to|gonna|can|could|shall|next|plan|promise|expect|should)\b",
    re.I,
)
_CLAUSE = re.compile(r"[.;!?\n]+|,\s*|\s+but\s+|\s+while\s+|\s+whereas\s+|\s+however\s+", re.I)
_SUBJECT_PREFIX = re.compile(r"^\s*(?:(?:re|fwd?|aw|sv|tr)\s*:\s*)+", re.I)
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:automatic reply|auto(?:matic)?[- ]?(?:reply|response)|autoreply|out of (?:the )?"
    r"office|ooo\b|undeliverable|undelivered mail|delivery status notification|mail delivery "
    r"(?:failed|failure|system)|returned mail|failure notice|delivery failure|abwesenheit"
    r"|réponse automatique|respuesta automática|away from (?:the )?office|on (?:annual )?leave)",
    re.I,
)


@dataclass(frozen=True, kw_only=True)
class RuleAnalysis:
    """The rule triage plus what the trained engine reuses instead of recomputing it."""

    triage: Triage
    body: str
    """The cleaned body (quotes, signatures, disclaimers removed), or the subject if empty."""
    text_promise: Promise | None
    """The promise the text states, found even when the rules did not fire promise_to_pay."""


def triage(
    text: str,
    *,
    subject: str = "",
    channel: str = "email",
    received_at: datetime,
    message_id: str = "",
    timezone: str | None = None,
) -> Triage:
    """Triage one message by the rules alone (`analyse` documents the arguments)."""
    return analyse(
        text, subject=subject, channel=channel, received_at=received_at,
        message_id=message_id, timezone=timezone,
    ).triage


def analyse(
    text: str,
    *,
    subject: str = "",
    channel: str = "email",
    received_at: datetime,
    message_id: str = "",
    timezone: str | None = None,
) -> RuleAnalysis:
    """Triage one message by the rules, keeping the cleaned body and the text's promise.

    Args:
        text: the plain-text body (use `nlp.html.html_to_text` first for HTML-only mail). Any
            size: it is cleaned, then only the first 20,000 characters are analysed.
        subject: the email subject, used for autoresponder detection and when the body is empty.
        channel: "email" or "sms"; SMS carrier keywords (STOP, HELP, START) apply to "sms" only.
        received_at: when the message arrived; relative dates resolve against its own date.
            A naive datetime is taken as UTC when `timezone` is given.
        message_id: copied to `Triage.id`.
        timezone: the debtor's IANA zone ("Europe/London"); received_at is converted to it
            before its date is taken ("tomorrow" at 23:30 in New York is the local tomorrow).
            None or an unknown name keeps received_at's own offset.

    Returns:
        The analysis; its triage has `route == "human"` when a person must look, with reasons.
    """
    received = _local_date(received_at, timezone)
    truncated = len(text) > _RAW_CAP
    cleaned = clean_text(text[:_RAW_CAP])
    body = cleaned.text
    if len(body) > _TEXT_CAP:
        body, truncated = body[:_TEXT_CAP], True
    truncated = truncated or cleaned.truncated
    cleaned_body = body.strip() or (subject or "").strip()
    if _unreadable(body):
        # Cues found in decoded noise are noise ("fu" in random bytes is not abuse): a person
        # looks at the raw message instead.
        unreadable = Triage(
            id=message_id,
            intents=(Intent(label="other", confidence=0.3),),
            route="human",
            reasons=("unreadable", "truncated") if truncated else ("unreadable",),
            engine=ENGINE,
            language="und",
        )
        return RuleAnalysis(triage=unreadable, body=cleaned_body, text_promise=None)
    subject_text = _SUBJECT_PREFIX.sub("", subject or "").strip()
    empty = not body.strip()
    if empty and subject_text:
        body = subject_text
    body = normalise(redact(body))

    hits = find_hits(body, channel=channel)
    if subject_text and _AUTO_SUBJECT.search(subject_text):
        hits.append(Hit(target="intent:auto_reply", confidence=0.95, start=0, end=0,
                        excerpt=f"subject: {subject_text[:80]}"))

    refs = find_references(body)
    dates = find_dates(body, received, day_first=day_first_zone(timezone))
    date_spans = [(d.start, d.end) for d in dates]
    amounts = find_amounts(body, exclude=date_spans + [(r.start, r.end) for r in refs],
                           dollar=dollar_for_zone(timezone))

    intents, dispute_type = _intents(hits, body, channel=channel, empty=empty and not subject_text)
    labels: set[str] = {i.label for i in intents}
    if "auto_reply" in labels:
        keep = {"auto_reply"} | (labels & LEGAL_TRIGGERS)
        intents = tuple(i for i in intents if i.label in keep)
        labels = keep & labels
        if "dispute" not in labels:
            dispute_type = None

    vulnerability = _vulnerabilities(hits)
    distress = _distress(hits, labels, vulnerability)
    flags = {h.target.split(":", 1)[1] for h in hits if h.target.startswith("flag:")}
    text_only = promise_from_text(
        body, received, amounts=amounts, dates=dates, refs=refs,
        anchors=[(h.start, h.end) for h in hits if h.target == "intent:promise_to_pay"],
        quoted="\n".join(r.text for r in cleaned.removed if r.kind == "quote"),
    )
    promise = text_only if "promise_to_pay" in labels else None
    per_reference = _per_reference(body, hits, refs, amounts, dates, received)
    evidence = _evidence(hits, labels)
    reasons = _reasons(
        labels, intents, vulnerability, distress, flags, body, channel,
        truncated=truncated, empty=empty and not subject_text,
    )
    language = "en"
    if not (empty and not subject_text):
        guess = detect_language(body)
        language = guess.code if guess.confidence > 0 else "en"
        if guess.code != "en" and guess.confidence >= NON_ENGLISH_THRESHOLD:
            reasons = (*reasons, f"language:{guess.code}")
    result = Triage(
        id=message_id,
        intents=intents,
        dispute_type=dispute_type,  # type: ignore[arg-type]
        distress=distress,
        sentiment=_sentiment(body, labels, distress),
        vulnerability=vulnerability,  # type: ignore[arg-type]
        promise=promise,
        amounts=_unique_money(amounts),
        dates=_resolved_dates(body, dates),
        references=tuple(dict.fromkeys(r.reference for r in refs)),
        per_reference=per_reference,
        route="human" if reasons else "auto",
        reasons=reasons,
        evidence=evidence,
        engine=ENGINE,
        language=language,
    )
    return RuleAnalysis(triage=result, body=cleaned_body, text_promise=text_only)


def _local_date(received_at: datetime, timezone: str | None) -> date:
    """The received date in the debtor's zone; an unknown zone name is ignored, not raised,
    because triage must return a result for every message."""
    if not timezone:
        return received_at.date()
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return received_at.date()
    aware = received_at if received_at.tzinfo is not None else received_at.replace(tzinfo=UTC)
    return aware.astimezone(zone).date()


def _unreadable(body: str) -> bool:
    """Whether the body is mostly bytes that did not decode (binary sent as text)."""
    visible = [ch for ch in body if not ch.isspace()]
    if not visible:
        return False
    bad = sum(
        1 for ch in visible
        if ch == "\ufffd" or 0xE000 <= ord(ch) <= 0xF8FF or 0xD800 <= ord(ch) <= 0xDFFF
        or (ord(ch) < 32) or 0x80 <= ord(ch) < 0xA0
    )
    return bad / len(visible) > _UNREADABLE_SHARE


def _intents(
    hits: list[Hit], body: str, *, channel: str, empty: bool
) -> tuple[tuple[Intent, ...], str | None]:
    best: dict[str, float] = {}
    dispute_types: set[str] = set()
    for h in hits:
        if not h.target.startswith("intent:"):
            continue
        label = h.target.split(":", 1)[1]
        best[label] = max(best.get(label, 0.0), h.confidence)
        if label == "dispute" and h.dispute_type:
            dispute_types.add(h.dispute_type)
    if len(best) > 1:
        best.pop("other", None)
    if not best:
        words = re.sub(r"[^\w\s'👍🙏🙂😊👌❤️]", " ", body.casefold()).split()
        ack = 0 < len(words) <= 12 and all(w in _ACK_WORDS for w in words)
        thanks = (
            0 < len(words) <= 25 and bool(_POSITIVE.search(body)) and not _NEGATIVE.search(body)
        )
        best["other"] = 0.9 if ack else 0.8 if thanks else (0.3 if empty else 0.4)
    dispute_type = None
    if "dispute" in best:
        dispute_type = next((t for t in _DISPUTE_PRIORITY if t in dispute_types), "other")
    intents = tuple(
        Intent(label=label, confidence=round(best[label], 2))  # type: ignore[arg-type]
        for label in LABELS
        if label in best
    )
    return intents, dispute_type


def _vulnerabilities(hits: list[Hit]) -> tuple[str, ...]:
    found = {h.target.split(":", 1)[1] for h in hits if h.target.startswith("vuln:")}
    return tuple(v for v in _VULN_ORDER if v in found)


def _distress(hits: list[Hit], labels: set[str], vulnerability: tuple[str, ...]) -> float:
    weights: list[float] = []
    seen: set[str] = set()
    for h in hits:
        if h.target == "distress" and h.excerpt.lower() not in seen:
            seen.add(h.excerpt.lower())
            weights.append(h.confidence)
    if "hardship" in labels:
        weights.append(0.35)
    weights.extend(_VULN_WEIGHT.get(v, 0.3) for v in vulnerability)
    score = 1.0 - math.prod(1.0 - w for w in weights)
    return round(min(1.0, max(0.0, score)), 2)


def _sentiment(body: str, labels: set[str], distress: float) -> Sentiment:
    negative = len(_NEGATIVE.findall(body))
    positive = len(_POSITIVE.findall(body))
    if labels & {"abusive", "complaint", "cease_communication"} or distress >= 0.3:
        return "negative"
    if "dispute" in labels and positive == 0:
        return "negative"
    if negative > positive:
        return "negative"
    if positive > negative:
        return "positive"
    return "neutral"


def _tense_is_past(body: str, mention: DateMention) -> bool:
    lo_bound = max(0, mention.start - 80)
    breaks = _CLAUSE.finditer(body, lo_bound, mention.start)
    lo = max((m.end() for m in breaks), default=lo_bound)
    nxt = _CLAUSE.search(body, mention.end)
    hi = nxt.start() if nxt else len(body)
    clause = body[max(lo, mention.start - 80) : min(hi, mention.end + 60)]
    if re.match(r"last\b", mention.text, re.I) or mention.text.lower() == "yesterday":
        return True
    return bool(_PAST_CUE.search(clause)) and not _FUTURE_CUE.search(clause)


def _resolved_dates(body: str, dates: list[DateMention]) -> tuple[date, ...]:
    out = [d.past if _tense_is_past(body, d) else d.future for d in dates]
    return tuple(dict.fromkeys(out))


def _unique_money(amounts: list[AmountMention]) -> tuple[Money, ...]:
    seen: dict[tuple[Decimal, str | None], Money] = {}
    for a in amounts:
        seen.setdefault((a.value, a.currency), Money(value=a.value, currency=a.currency))
    return tuple(seen.values())


def _promise(
    body: str,
    anchors: list[Hit],
    amounts: list[AmountMention],
    dates: list[DateMention],
    received: date,
) -> Promise:
    return promise_from_text(
        body, received, amounts=amounts, dates=dates, refs=[],
        anchors=[(h.start, h.end) for h in anchors],
    )


# --- The promise from the text ------------------------------------------------------------

_SENTENCE_BREAK = re.compile(r"[!?;\n]+|\.(?!\d)|\s+but\s+|\s+pero\s+|\s+ma\s+|\s+mais\s+"
                             r"|\s+aber\s+|\s+mas\s+|\s+ale\s+", re.I)
_COMMIT = re.compile(
    r"\b(?:i'?ll|ill|i will|we'?ll|we will|will|i can|we can|can|could|i'?m going to"
    r"|im going to|going to|gonna|shall|intend to|promise|plan to|able to|happy to|i'?d like to"
    r"|let me|would like to|want to|wanna|sending|paying|i'?m paying|expect|to follow"
    r"|voy a|vamos a|le pago|te pago|pagar[eé]|pagaremos|puedo|podemos|quiero|te mando"
    r"|le mando|mandar[eé]|pagher[oò]|pagheremo|posso|possiamo|provvederemo|verser[oò]"
    r"|je vais|nous allons|je paierai|je peux|vou|vamos|pagarei|posso pagar|ich werde"
    r"|wir werden|ich zahle|ich kann|zapłacę|wpłacę|mogę|ik betaal|ik ga|ik kan)\b",
    re.I,
)
_FUTURE_AFTER = re.compile(
    r"\W{0,3}(?:\w+\W+){0,6}?(?:will|'ll|to follow|is going|going to|shall|i will|i'll|ill"
    r"|zapłacę|wpłacę|pagar[eé]|pagher[oò]|pagarei|je paierai|werde|wird|betaal)(?!\w)",
    re.I,
)
_REPEAT = re.compile(
    r"\b(?:the same|same again|same amount|redo|re-do|again|next one|another one|do it again"
    r"|lo mismo|lo stesso|la même|dasselbe|o mesmo)\b",
    re.I,
)
_REPORTED = re.compile(
    r"\b(?:you said|you wrote|your letter|you asked|you offered|you told|you want|you wanted"
    r"|you demanded|your (?:email|offer|notice))\b",
    re.I,
)
_PAID = re.compile(
    r"(?<!\bbe )(?<!\bbeen )(?<!\bget )(?<!\bgets )(?<!\bgot )(?<!\bgetting )"
    r"\b(?:paid|payed|sent|lodged|transferred|wired|deposited|cleared|mailed|posted|deducted"
    r"|took|taken|charged|bounced|returned|was|were|have made|'ve made|made a payment|i made"
    r"|we made|pagu[eé]|mand[eé]|pagamos|pagato|ho pagato|abbiamo pagato|j'ai payé|payé"
    r"|habe bezahlt|bezahlt|überwiesen|paguei|wpłaciłem|wpłaciłam|zapłaciłem|zapłaciłam"
    r"|betaald)\b",
    re.I,
)
_NEGATOR = (
    r"\b(?:can'?t|cannot|cant|won'?t|wont|will not|unable to|not able to|couldn'?t|not"
    r"|don'?t|dont|no puedo|non posso|je ne peux|kann nicht|nie mogę|never)\b"
)
# A negated payment: "I won't be able to pay the €480", "cant do 500" (not "I wont kill myself
# over 600 dollars").
_NEGATION = re.compile(
    _NEGATOR + r"\W+(?:\w+\W+){0,4}?(?:pay|do|afford|manage|send|make|cover|give|find|get"
    r"|pagar|pagare|payer|zahlen|zapłacić)\b",
    re.I,
)
_NEGATED_CUE = re.compile(_NEGATOR + r"\W+(?:\w+\W+){0,3}$", re.I)
_DEBT_WORDS = re.compile(
    r"\b(?:balance|total|owe|owed|outstanding|statement|records show|charged?|fee|fees"
    r"|reissue|credit|invoice|bill|debt|saldo|importe|betrag|from)\W*(?:\w+\W+){0,3}$",
    re.I,
)
_NOW = re.compile(r"\s*(?:right\s+)?(?:now|ahora|ya|adesso|subito|maintenant|jetzt|agora"
                  r"|teraz|nu)\b", re.I)
_INSTEAD = re.compile(r"\b(?:instead|en su lugar|en vez|invece|plutôt|stattdessen)\b", re.I)
_UNTIL_BEFORE = re.compile(r"\b(?:until|till|til|before|after|by|from|starting|on)\s+$", re.I)
_START_BEFORE = re.compile(
    r"\b(?:starting|start(?:ing)? (?:on|from)|from|beginning|commencing|first payment)\s+"
    r"(?:on\s+|from\s+)?(?:the\s+)?$",
    re.I,
)
_EVERY_BEFORE = re.compile(r"\b(?:every|each)\s+(?:other\s+|second\s+)?$", re.I)
_LETTER_BEFORE = re.compile(
    r"\b(?:letter|email|e-mail|notice|statement|message|call|invoice|bill)\s+(?:of|dated|on"
    r"|from)\s+(?:the\s+)?$|\bdated\s+$",
    re.I,
)
_LAST_PAST = re.compile(r"^(?:last\b|yesterday|ayer|ieri|hier|gestern|ontem|wczoraj)", re.I)


def _sentences(body: str) -> list[int]:
    return [0] + [m.end() for m in _SENTENCE_BREAK.finditer(body)]


def _sentence_of(starts: list[int], pos: int) -> int:
    return max(0, bisect.bisect_right(starts, pos) - 1)


def _quoted(body: str, pos: int) -> bool:
    line_start = body.rfind("\n", 0, pos) + 1
    return body[line_start : line_start + 4].lstrip().startswith(">")


def _last(pattern: re.Pattern[str], text: str) -> int:
    """End of the last match of `pattern` in `text`, or -1."""
    return max((m.end() for m in pattern.finditer(text)), default=-1)


def _last_commit(text: str) -> int:
    """End of the last commitment cue in `text` that is not itself negated ("won't be able
    to"), or -1."""
    for m in reversed(list(_COMMIT.finditer(text))):
        if not _NEGATED_CUE.search(text[max(0, m.start() - 30) : m.start()]):
            return m.end()
    return -1


def _amount_score(
    body: str, a: AmountMention, lo: int, hi: int, anchors: Sequence[tuple[int, int]]
) -> float:
    pre = body[max(lo, a.start - 80) : a.start]
    post = body[a.end : min(hi, a.end + 60)]
    commit = _last_commit(pre)
    commit = max(commit, max((e - (a.start - len(pre)) for s, e in anchors
                              if a.start - len(pre) <= s and e <= a.start), default=-1))
    paid = _last(_PAID, pre)
    negated = _last(_NEGATION, pre)
    score = 0.0
    if commit >= 0 and commit > paid:
        score += 3
    elif _FUTURE_AFTER.match(post):
        score += 2
    elif paid >= 0:
        score -= 4
    elif _PAID.search(post[:40]):
        score -= 3
    if negated >= 0 and negated >= commit and len(pre) - negated < 30:
        score -= 5
    if _DEBT_WORDS.search(pre[-40:]) and commit < 0:
        score -= 1
    if re.search(r"\bfrom\s+$", pre, re.I) and re.match(r"\s+to\b", post, re.I):
        score -= 3
    if _quoted(body, a.start):
        score -= 2
    return score


def _date_score(
    body: str,
    d: DateMention,
    lo: int,
    hi: int,
    amount: tuple[int, int] | None,
    same_sentence: bool,
) -> float:
    pre = body[max(lo, d.start - 60) : d.start]
    post = body[d.end : min(hi, d.end + 40)]
    score = 0.0
    if amount is not None:
        if same_sentence:
            score += 3 + (1 if d.start >= amount[1] else 0)
        gap = d.start - amount[1] if d.start >= amount[1] else amount[0] - d.end
        score -= max(0, gap) / 150
    if _LAST_PAST.match(d.text) or re.search(r"\bago\b", post[:12], re.I):
        return score - 8
    commit = _last_commit(pre)
    paid = _last(_PAID, pre)
    if paid > commit:
        score -= 4
    elif commit >= 0:
        score += 1
    near = pre[-40:]
    negated = _last(re.compile(_NEGATOR + r"\W+(?:\w+\W+){0,4}$", re.I), near)
    if negated >= 0 and not _UNTIL_BEFORE.search(near):
        score -= 4
    if re.search(r"\binstead\s+of\s+(?:the\s+)?$", pre, re.I):
        score -= 3
    elif _INSTEAD.search(post[:25]) or _INSTEAD.search(pre[-20:]):
        score += 3
    if _REPORTED.search(pre):
        score -= 3
    if _START_BEFORE.search(pre):
        score += 1
    if _EVERY_BEFORE.search(pre):
        score -= 2
    if _LETTER_BEFORE.search(pre):
        score -= 4
    if re.search(r"\bfrom\s+(?:the\s+)?$", pre, re.I) and re.match(r"\s+(?:to|until)\b", post,
                                                                    re.I):
        score -= 3
    if _quoted(body, d.start):
        score -= 2
    return score


def promise_from_text(
    body: str,
    received: date,
    *,
    day_first: bool = False,
    dollar: str = "USD",
    amounts: Sequence[AmountMention] | None = None,
    dates: Sequence[DateMention] | None = None,
    refs: Sequence[RefMention] | None = None,
    anchors: Sequence[tuple[int, int]] = (),
    quoted: str = "",
) -> Promise:
    """The promise a message makes, from its words alone (whether or not a rule fired).

    Args:
        body: the cleaned, redacted message text (as `triage` analyses it).
        received: the message's date in the debtor's zone; dates resolve forward from it.
        day_first: read "04/05" as 4 May (`nlp.dates.day_first_zone`).
        dollar: the currency of a bare "$" (`nlp.amounts.dollar_for_zone`).
        amounts, dates, refs: the mentions already found in `body`, to save finding them again.
        anchors: spans of commitment cues (the promise_to_pay rule hits), counted as commitments.
        quoted: the quoted history cleaned out of the message; when the body promises to pay an
            invoice without its amount ("INV-2247 - fine, will go out with Friday's payment
            run"), the amount the quote gives that invoice ("INV-2247 ($412.75)") is taken.

    Returns:
        The promise; any part is None when the text does not give it.
    """
    if refs is None:
        refs = find_references(body)
    if dates is None:
        dates = find_dates(body, received, day_first=day_first)
    if amounts is None:
        amounts = find_amounts(
            body, exclude=[(d.start, d.end) for d in dates] + [(r.start, r.end) for r in refs],
            dollar=dollar,
        )
    ref_numbers = {re.sub(r"\D", "", r.reference) for r in refs}
    starts = _sentences(body)

    def bounds(pos: int) -> tuple[int, int, int]:
        i = _sentence_of(starts, pos)
        return i, starts[i], starts[i + 1] if i + 1 < len(starts) else len(body)

    best: AmountMention | None = None
    best_score = -0.5
    for a in amounts:
        if a.currency is None and re.sub(r"\D", "", body[a.start : a.end]) in ref_numbers:
            continue  # "invoice 2231 ... ill pay 2231": a reference said again, not money
        _, lo, hi = bounds(a.start)
        score = _amount_score(body, a, lo, hi, anchors)
        if score > best_score:
            best, best_score = a, score

    focus = None if best is None else (best.start, best.end)
    if best is None and amounts:
        # "Sent £30 this morning, same again on the 20th": a payment made, promised again.
        again = _REPEAT.search(body, amounts[0].end)
        if again is not None:
            before = [a for a in amounts if a.end <= again.start()
                      and not _NEGATION.search(body[max(0, a.start - 40) : a.start])]
            if before:
                best, focus = before[-1], again.span()
    if best is None and quoted:
        best = _quoted_amount(body, quoted)
    candidates = list(dates)
    if best is not None:
        now = _NOW.match(body, best.end, min(len(body), best.end + 20))
        if now:
            candidates.append(DateMention(start=now.start(), end=now.end(), future=received,
                                          past=received, text=now.group().strip()))
    when: DateMention | None = None
    when_score = -2.5
    amount_sentence = bounds(focus[0])[0] if focus is not None else -1
    for d in candidates:
        i, lo, hi = bounds(d.start)
        score = _date_score(body, d, lo, hi, focus, i == amount_sentence)
        if score > when_score or (score == when_score and when is not None
                                  and d.start < when.start):
            when, when_score = d, score
    return Promise(
        amount=None if best is None else best.value,
        currency=None if best is None else best.currency,
        date=None if when is None else when.future,
    )


_PROMISE_LINE = re.compile(
    r"\b(?:will|'ll|ill|going to|gonna|shall|to follow)\b[^\n.]{0,60}?\b(?:pay|paid|go out"
    r"|send|sent|settle|clear|transfer|wire)|\b(?:paying|sending)\b",
    re.I,
)


def _quoted_amount(body: str, quoted: str) -> AmountMention | None:
    """The amount the quoted history gives the one reference that the body promises to pay."""
    promised: list[str] = []
    for line in body.splitlines():
        cue = _PROMISE_LINE.search(line)
        if cue is None or _NEGATED_CUE.search(line[max(0, cue.start() - 30) : cue.start()]):
            continue
        promised.extend(re.sub(r"\W", "", r.reference).upper() for r in find_references(line))
    promised = list(dict.fromkeys(promised))
    if len(promised) != 1:
        return None
    for ref in find_references(quoted):
        if re.sub(r"\W", "", ref.reference).upper() != promised[0]:
            continue
        tail = quoted[ref.end : ref.end + 40]
        money = find_amounts(tail.split("\n", 1)[0].split(",", 1)[0] if "(" not in tail[:4]
                             else tail.split(")", 1)[0] + ")")
        marked = [m for m in money if m.currency is not None]
        if marked:
            return AmountMention(value=marked[0].value, currency=marked[0].currency,
                                 start=len(body), end=len(body))
    return None


def _per_reference(
    body: str,
    hits: list[Hit],
    refs: list[RefMention],
    amounts: list[AmountMention],
    dates: list[DateMention],
    received: date,
) -> tuple[ReferenceTriage, ...]:
    named = [r for r in refs if not r.reference.startswith("[")]
    if len({r.reference for r in named}) < 2:
        return ()
    bounds = [0] + [m.end() for m in _CLAUSE.finditer(body)] + [len(body)]
    clauses = [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]
    owner: dict[int, set[str]] = {}
    current: set[str] = set()
    for ci, (s, e) in enumerate(clauses):
        inside = {r.reference for r in named if s <= r.start < e}
        if inside:
            current = inside
        owner[ci] = set(current)

    starts = [s for s, _ in clauses]

    def clause_of(pos: int) -> int:
        return max(0, bisect.bisect_right(starts, pos) - 1)

    entries: list[ReferenceTriage] = []
    for ref in dict.fromkeys(r.reference for r in named):
        mine = [h for h in hits if h.target.startswith("intent:")
                and ref in owner.get(clause_of(h.start), set())]
        own_amounts = [a for a in amounts if ref in owner.get(clause_of(a.start), set())]
        own_dates = [d for d in dates if ref in owner.get(clause_of(d.start), set())]
        intents, dispute_type = _intents(mine, body, channel="email", empty=False)
        labels = tuple(i.label for i in intents if not (i.label == "other" and i.confidence < 0.9))
        promise_hits = [h for h in mine if h.target == "intent:promise_to_pay"]
        entries.append(
            ReferenceTriage(
                reference=ref,
                labels=labels,
                dispute_type=dispute_type,  # type: ignore[arg-type]
                promise=_promise(body, promise_hits, own_amounts, own_dates, received)
                if promise_hits
                else None,
            )
        )
    if len({(e.labels, e.dispute_type) for e in entries}) < 2:
        return ()
    return tuple(entries)


def _evidence(hits: list[Hit], labels: set[str]) -> tuple[Evidence, ...]:
    out: dict[tuple[str, str], Evidence] = {}
    for h in sorted(hits, key=lambda h: h.start):
        kind, _, name = h.target.partition(":")
        if kind == "intent" and name not in labels:
            continue
        label = name or kind
        out.setdefault((label, h.excerpt), Evidence(label=label, excerpt=h.excerpt[:200]))
    return tuple(out.values())[:MAX_EVIDENCE]


def _reasons(
    labels: set[str],
    intents: tuple[Intent, ...],
    vulnerability: tuple[str, ...],
    distress: float,
    flags: set[str],
    body: str,
    channel: str,
    *,
    truncated: bool,
    empty: bool,
) -> tuple[str, ...]:
    reasons: list[str] = []
    if "self_harm_risk" in vulnerability:
        reasons.append("self_harm_risk")
    reasons.extend(f"legal_trigger:{label}" for label in LABELS
                   if label in labels and label in LEGAL_TRIGGERS)
    if "dispute" in labels:
        reasons.append("dispute")
    for label in ("complaint", "abusive"):
        if label in labels:
            reasons.append(label)
    if "prompt_injection" in flags:
        reasons.append("prompt_injection")
    reasons.extend(f"vulnerability:{v}" for v in vulnerability if v != "self_harm_risk")
    if ("hardship" in labels and distress >= 0.5) or distress >= 0.7:
        reasons.append("distress")
    for flag in ("breathing_space", "data_subject_request"):
        if flag in flags:
            reasons.append(flag)
    top = max((i.confidence for i in intents), default=0.0)
    sentences = len([s for s in re.split(r"[.!?\n]+", body) if len(s.split()) >= 3])
    if top < 0.6 or (labels == {"other"} and channel == "email" and sentences > 3):
        reasons.append("low_confidence")
    if truncated:
        reasons.append("truncated")
    if empty:
        reasons.append("empty")
    return tuple(dict.fromkeys(reasons))
