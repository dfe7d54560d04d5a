"""The rule engine: phrase cues with negation, plus the rules a phrase table cannot express.

`find_hits` returns every cue that fired with its position, so that triage can explain each
label and split a reply by reference. Rules written in code here:

- SMS keywords (COMPLIANCE R06/R07): the whole text, normalised (case-folded, punctuation and
  emoji stripped), is or starts with STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE,
  OPTOUT or OPT OUT, or their Spanish/French/Portuguese/German/Italian forms (BAJA, ALTO, PARE,
  ARRÊT, STOPP, BASTA), with only filler around it ("stop pls", "STOP!!! 🛑", "ok just stop",
  "baja por favor") → channel_opt_out 0.98;
  an upper-case STOP/STOPALL/UNSUBSCRIBE/OPTOUT/REVOKE word inside a longer SMS → 0.8
  (the one confirmation text asks about scope). "stop worrying lol im paying friday" is not
  an opt-out. START/UNSTOP/YES are opt-ins, never opt-outs; HELP/INFO → info_request.
- deceased only when the person who died is the debtor: a relative's or the account holder's
  death, or estate/executor/probate wording; not a pet or a phone, and not when the writer is
  plainly the debtor talking about their own loss (that is bereavement).
- "I'm not Dana" (a capitalised name) → wrong_party.
- "power of attorney" is a capability signal, not a lawyer representing the debtor.
- negation: a negatable cue is cancelled by not/never/n't/without within the four words
  before it in the same clause (for promises and callbacks also inside the match: "I'll never
  pay"); "no" cancels only when
  it is the word right before ("no dispute" but not "No I dispute this").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from nlp.lexicon import CUES, Cue

__all__ = ["Hit", "SmsKeyword", "find_hits", "normalise", "sms_keyword"]

SmsKeyword = Literal["opt_out", "opt_in", "help"]


@dataclass(frozen=True, kw_only=True)
class Hit:
    """One cue that fired: `target` is "intent:<label>", "vuln:<name>", "flag:<reason>" or
    "distress"; `confidence` is the label confidence (or the distress weight)."""

    target: str
    confidence: float
    start: int
    end: int
    excerpt: str
    dispute_type: str | None = None


def _compile(cue: Cue, *, folded: bool) -> re.Pattern[str]:
    # Matching lower-cased text without re.I is about twice as fast in CPython's engine; the
    # re.I variant is kept for the rare text whose lower-casing changes its length.
    flags = re.M if cue.case_sensitive or folded else re.I | re.M
    return re.compile("|".join(f"(?:{p})" for p in cue.patterns), flags)


_COMPILED: tuple[tuple[Cue, re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (cue, _compile(cue, folded=True), _compile(cue, folded=False)) for cue in CUES
)

_NEGATOR = re.compile(
    r"\b(?:not|never|dont|doesnt|didnt|wont|isnt|wasnt|arent|cant|cannot|without|nor|hardly"
    r"|nothing to do with)\b|n't\b",
    re.I,
)
_CLAUSE_BREAK = re.compile(r"[.!?;,:\n]|\bbut\b|\bhowever\b|\bthough\b", re.I)
_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "“": '"', "”": '"', "´": "'"})


def normalise(text: str) -> str:
    """Straighten quotes (same length, so offsets stay valid)."""
    return text.translate(_QUOTES)


def _negated(text: str, start: int, end: int, *, inside: bool) -> bool:
    head = text[max(0, start - 80) : start]
    breaks = list(_CLAUSE_BREAK.finditer(head))
    if breaks:
        head = head[breaks[-1].end() :]
    words = head.split()
    window = " ".join(words[-4:])
    if _NEGATOR.search(window) or (inside and _NEGATOR.search(text[start:end])):
        return True
    return bool(words) and words[-1].lower() == "no"


# Carrier keywords, with the Spanish, French, Portuguese, German, Italian and Dutch words that
# debtors send the same way ("BAJA", "ARRÊT", "PARE", "STOPP").
_OPT_OUT_WORDS = ("stopall", "stop all", "stop", "unsubscribe", "cancel", "end", "quit",
                  "revoke", "optout", "opt out", "baja", "darme de baja", "dar de baja",
                  "alto", "parar", "pare", "parem", "cancelar", "arret", "arrêt", "arrêter",
                  "arreter", "stopp", "basta", "desinscribir", "desuscribir", "remove")
_OPT_IN_WORDS = frozenset({"start", "unstop", "yes", "subscribe"})
_HELP_WORDS = frozenset({"help", "info"})
_FILLER = frozenset(
    {
        "please", "pls", "plz", "plez", "now", "it", "thanks", "thank", "you", "thx", "ty",
        "me", "texting", "texts", "text", "txt", "txts", "messages", "messaging", "msgs", "all",
        "this", "number", "sending", "them", "these", "immediately", "asap", "already", "sms",
        "contacting", "calling", "ok", "okay", "just", "the", "to", "my", "from", "list", "out",
        "mate", "yall", "guys", "ffs", "again", "por", "favor", "porfa", "gracias", "ya",
        "svp", "merci", "bitte", "danke", "obrigado", "obrigada", "ahora", "maintenant",
    }
)
_LEADING_FILLER = frozenset(
    {
        "ok", "okay", "please", "pls", "plz", "just", "now", "so", "oh", "omg", "can", "could",
        "you", "u", "will", "would", "seriously", "hey", "hi", "hello", "for", "gods", "god's",
        "sake", "ffs", "and", "yes", "no", "i", "said", "already", "again",
    }
)
_IN_SMS_CAPS = re.compile(r"\b(?:STOP|STOPALL|UNSUBSCRIBE|OPTOUT|OPT OUT|REVOKE|BAJA|STOPP)\b")


def _fold(text: str) -> str:
    """Case-folded words only: punctuation, emoji and extra spaces removed."""
    return " ".join(re.sub(r"[^\w\s-]|_", " ", text.casefold()).replace("-", " ").split())


def sms_keyword(text: str) -> SmsKeyword | None:
    """The carrier keyword an SMS is, if any (COMPLIANCE R06/R07)."""
    folded = _fold(text)
    if not folded:
        return None
    words = folded.split()
    while len(words) > 1 and words[0] in _LEADING_FILLER:
        words = words[1:]
    folded = " ".join(words)
    if folded in _OPT_IN_WORDS:
        return "opt_in"
    if folded in _HELP_WORDS:
        return "help"
    for keyword in _OPT_OUT_WORDS:
        kw = keyword.split()
        if words[: len(kw)] == kw and all(w in _FILLER for w in words[len(kw) :]):
            return "opt_out"
    return None


_PET_OR_THING = re.compile(
    r"\b(?:dog|doggy|cat|kitty|pet|puppy|kitten|hamster|horse|fish|goldfish|bird|parrot"
    r"|rabbit|bunny|guinea pig|tortoise|phone|battery|car|laptop|computer|plant|tv|printer"
    r"|engine|hopes?|dream|signal|wifi|internet)\b",
    re.I,
)
_DEATH = re.compile(
    r"\b(?:passed away|passed on|has passed|had passed|died|dead|deceased|death|no longer with"
    r" us|lost (?:his|her) (?:battle|fight)|killed in)\b",
    re.I,
)
_NOT_DEATH = re.compile(
    r"\bto death\b|\bdeath threats?\b|\bdead (?:end|line|serious|broke|tired)\b|\bdeadline\b"
    r"|\bover my dead body\b|\bdead to me\b",
    re.I,
)
_ESTATE = re.compile(
    r"\b(?:estate of|(?:his|her|their|the) estate|executor|executrix|administrator of|probate"
    r"|personal representative|death certificate|the deceased|letters of administration)\b",
    re.I,
)
_THIRD_PERSON = re.compile(
    r"\b(?:my (?:late )?(?:father|dad|mother|mum|mom|mam|husband|wife|son|daughter|brother"
    r"|sister|partner|spouse|grandmother|grandfather|grandma|grandpa|nan|gran|granny|uncle"
    r"|aunt|auntie|stepfather|stepmother|stepdad|stepmum|stepmom|fiance|fiancee|boyfriend"
    r"|girlfriend|father-in-law|mother-in-law)|(?:he|she) (?:has |had )?(?:passed|died)"
    r"|the (?:account ?holder|debtor|customer|person you)|(?:mr|mrs|ms|miss)\.? [A-Z])\b",
    re.I,
)
_THEIR_DEBT = re.compile(
    r"\b(?:his|her|their) (?:account|debt|balance|bill|loan|card|name|affairs|mail|letters"
    r"|phone|number)\b|\b(?:he|she) (?:owed|had an? (?:account|loan|card))\b|\bin (?:his|her)"
    r" name\b|\bwas (?:his|hers)\b|\baddressed to (?:him|her)\b",
    re.I,
)
_WRITER_IS_DEBTOR = re.compile(
    r"\b(?:my|our) (?:account|debt|balance|bills?|payments?|loan|card|arrears|rent|mortgage)\b"
    r"|\bi (?:owe|can pay|will pay|'ll pay|can'?t (?:pay|afford)|need (?:more )?time)\b"
    r"|\b(?:i'?m|i am) (?:struggling|behind)\b",
    re.I,
)
_NOT_A_NAME = frozenset(
    {
        "Sure", "Able", "Going", "Paying", "Refusing", "Disputing", "The", "A", "Interested",
        "Happy", "Aware", "Working", "Okay", "Ok", "Well", "Trying", "Saying", "Asking",
        "Rich", "Made", "Gonna", "Lying", "Joking", "Responsible", "Liable", "Your", "Him",
        "Her", "That", "This", "Here", "Home", "Available", "Bankrupt", "Dead", "Stupid",
    }
)
_IM_NOT_NAME = re.compile(
    r"\b(?:I'?m|I am|im|Im|this is not|this isn'?t|It'?s not) ([A-Z][a-z]+)\b")
_POWER_OF = re.compile(r"power\s+of\s*$", re.I)


def _power_of_attorney(text: str, m: re.Match[str]) -> bool:
    at = m.group().lower().find("attorney")
    if at < 0:
        return False
    return bool(_POWER_OF.search(text[max(0, m.start() + at - 16) : m.start() + at]))


def _sentences(text: str) -> list[tuple[int, int]]:
    spans = []
    start = 0
    for m in re.finditer(r"[.!?\n]+", text):
        spans.append((start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _deceased_hits(text: str) -> list[Hit]:
    hits: list[Hit] = []
    writer_is_debtor = bool(_WRITER_IS_DEBTOR.search(text))
    their_debt = bool(_THEIR_DEBT.search(text))
    estate = _ESTATE.search(text)
    if estate:
        hits.append(Hit(target="intent:deceased", confidence=0.95, start=estate.start(),
                        end=estate.end(), excerpt=estate.group()))
    for s, e in _sentences(text):
        sentence = text[s:e]
        death = _DEATH.search(sentence)
        if not death or _NOT_DEATH.search(sentence) or _PET_OR_THING.search(sentence):
            continue
        subject = _THIRD_PERSON.search(sentence)
        start, end = s + death.start(), s + death.end()
        if subject:
            if writer_is_debtor and not their_debt:
                continue
            start, end = min(start, s + subject.start()), max(end, s + subject.end())
            hits.append(Hit(target="intent:deceased", confidence=0.9, start=start, end=end,
                            excerpt=text[start:end]))
        elif re.search(r"\bdeceased\b", sentence, re.I) or their_debt:
            hits.append(Hit(target="intent:deceased", confidence=0.8, start=start, end=end,
                            excerpt=text[start:end]))
    return hits


def find_hits(text: str, *, channel: str = "email") -> list[Hit]:
    """Every cue that fired on `text` (already cleaned, redacted and `normalise`d)."""
    hits: list[Hit] = []
    lowered = text.lower()
    same_length = len(lowered) == len(text)
    for cue, on_lowered, on_text in _COMPILED:
        if cue.case_sensitive or not same_length:
            matches = on_text.finditer(text)
        else:
            matches = on_lowered.finditer(lowered)
        for m in matches:
            if not m.group().strip():
                continue
            if cue.negatable and _negated(text, m.start(), m.end(), inside=cue.negation_inside):
                continue
            if cue.target == "intent:attorney_represented" and _power_of_attorney(text, m):
                continue
            hits.append(
                Hit(target=cue.target, confidence=cue.confidence, start=m.start(), end=m.end(),
                    excerpt=text[m.start() : m.end()].strip(), dispute_type=cue.dispute_type)
            )
    hits.extend(_deceased_hits(text))
    for m in _IM_NOT_NAME.finditer(text):
        if m.group(1) not in _NOT_A_NAME:
            hits.append(Hit(target="intent:wrong_party", confidence=0.9, start=m.start(),
                            end=m.end(), excerpt=m.group()))
    if channel == "sms":
        keyword = sms_keyword(text)
        if keyword == "opt_out":
            hits.append(Hit(target="intent:channel_opt_out", confidence=0.98, start=0,
                            end=len(text), excerpt=text.strip()))
        elif keyword == "help":
            hits.append(Hit(target="intent:info_request", confidence=0.95, start=0,
                            end=len(text), excerpt=text.strip()))
        elif keyword == "opt_in":
            hits = [h for h in hits if h.target != "intent:channel_opt_out"]
            hits.append(Hit(target="intent:other", confidence=0.95, start=0, end=len(text),
                            excerpt=text.strip()))
        else:
            for m in _IN_SMS_CAPS.finditer(text):
                hits.append(Hit(target="intent:channel_opt_out", confidence=0.8,
                                start=m.start(), end=m.end(), excerpt=m.group()))
    elif _fold(text) in ("unsubscribe", "stop", "stop all", "opt out", "optout", "remove me",
                         "baja", "stopp", "arret", "arrêt"):
        hits.append(Hit(target="intent:channel_opt_out", confidence=0.98, start=0,
                        end=len(text), excerpt=text.strip()))
    return hits
