"""The triage result: the contract between nlp, the agent, the store and the evaluation tools.

Label names, dispute types and vulnerability names are exactly those of
/work/shared/TAXONOMY.md; `to_json` produces exactly its JSON form (amounts as strings with two
decimals, dates ISO), and `from_json` reads it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, cast, get_args

Label = Literal[
    "promise_to_pay",
    "payment_made",
    "payment_plan_request",
    "hardship",
    "dispute",
    "validation_request",
    "cease_communication",
    "channel_opt_out",
    "attorney_represented",
    "bankruptcy",
    "deceased",
    "wrong_party",
    "info_request",
    "callback_request",
    "complaint",
    "abusive",
    "auto_reply",
    "other",
]
DisputeType = Literal[
    "not_mine", "already_paid", "wrong_amount", "identity_theft", "goods_or_services", "other"
]
Vulnerability = Literal[
    "health",
    "bereavement",
    "job_loss",
    "mental_health",
    "self_harm_risk",
    "age_or_capability",
    "domestic_abuse",
]
Sentiment = Literal["negative", "neutral", "positive"]
Route = Literal["auto", "human"]

LABELS: tuple[str, ...] = get_args(Label)
DISPUTE_TYPES: tuple[str, ...] = get_args(DisputeType)
VULNERABILITIES: tuple[str, ...] = get_args(Vulnerability)
SENTIMENTS: tuple[str, ...] = get_args(Sentiment)

_CENT = Decimal("0.01")


class TriageFormatError(ValueError):
    """A triage JSON object does not follow TAXONOMY.md; the message names the bad field."""


@dataclass(frozen=True, kw_only=True)
class Intent:
    """One label with the rule engine's confidence (0.95 explicit phrase, 0.7 weaker cue)."""

    label: Label
    confidence: float


@dataclass(frozen=True, kw_only=True)
class Money:
    """An amount as written; `currency` is an ISO code, or None when the text did not say."""

    value: Decimal
    currency: str | None = None


@dataclass(frozen=True, kw_only=True)
class Promise:
    """A commitment to pay: any part may be unknown. `date` is never before the message."""

    amount: Decimal | None = None
    currency: str | None = None
    date: date | None = None


@dataclass(frozen=True, kw_only=True)
class ReferenceTriage:
    """What one reply says about one invoice or account when it treats several differently."""

    reference: str
    labels: tuple[Label, ...]
    dispute_type: DisputeType | None = None
    promise: Promise | None = None


@dataclass(frozen=True, kw_only=True)
class Evidence:
    """The words that made a label (or vulnerability, or reason) fire, for the console."""

    label: str
    excerpt: str


@dataclass(frozen=True, kw_only=True)
class Triage:
    """The triage of one message. `route` and `reasons` say whether a person must look."""

    id: str
    intents: tuple[Intent, ...]
    dispute_type: DisputeType | None = None
    distress: float = 0.0
    sentiment: Sentiment = "neutral"
    vulnerability: tuple[Vulnerability, ...] = ()
    promise: Promise | None = None
    amounts: tuple[Money, ...] = ()
    dates: tuple[date, ...] = ()
    references: tuple[str, ...] = ()
    per_reference: tuple[ReferenceTriage, ...] = ()
    route: Route = "human"
    reasons: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    engine: str = "rules-1"
    # ISO 639-1 code of the message ("und" when unreadable); records written before the field
    # existed read back as "en".
    language: str = "en"

    @property
    def labels(self) -> frozenset[str]:
        return frozenset(intent.label for intent in self.intents)

    def confidence(self, label: str) -> float:
        """The confidence of `label`, 0.0 when it was not found."""
        return max((i.confidence for i in self.intents if i.label == label), default=0.0)

    def to_json(self, *, explain: bool = False) -> dict[str, Any]:
        """The TAXONOMY.md JSON object plus `language` (the brief of the language routing
        added it; TAXONOMY.md does not list it yet). `explain=True` adds `engine` and
        `evidence` (for the audit log and the console)."""
        out: dict[str, Any] = {
            "id": self.id,
            "intents": [{"label": i.label, "confidence": i.confidence} for i in self.intents],
            "dispute_type": self.dispute_type,
            "distress": self.distress,
            "sentiment": self.sentiment,
            "vulnerability": list(self.vulnerability),
            "promise": _promise_json(self.promise),
            "amounts": [
                {"value": _money_str(m.value), "currency": m.currency} for m in self.amounts
            ],
            "dates": [d.isoformat() for d in self.dates],
            "references": list(self.references),
            "per_reference": [
                {
                    "reference": r.reference,
                    "labels": list(r.labels),
                    "dispute_type": r.dispute_type,
                    "promise": _promise_json(r.promise),
                }
                for r in self.per_reference
            ],
            "route": self.route,
            "reasons": list(self.reasons),
            "language": self.language,
        }
        if explain:
            out["engine"] = self.engine
            out["evidence"] = [{"label": e.label, "excerpt": e.excerpt} for e in self.evidence]
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Triage:
        """Read a TAXONOMY.md JSON object back.

        Raises:
            TriageFormatError: a field is missing or has a value the taxonomy does not allow.
        """
        try:
            intents = tuple(
                Intent(
                    label=_choice(i["label"], LABELS, "label"), confidence=float(i["confidence"])
                )
                for i in data["intents"]
            )
            per_reference = tuple(
                ReferenceTriage(
                    reference=str(r["reference"]),
                    labels=tuple(_choice(x, LABELS, "label") for x in r["labels"]),
                    dispute_type=_opt_choice(r.get("dispute_type"), DISPUTE_TYPES, "dispute_type"),
                    promise=_promise_from(r.get("promise")),
                )
                for r in data.get("per_reference", [])
            )
            return cls(
                id=str(data["id"]),
                intents=intents,
                dispute_type=_opt_choice(data.get("dispute_type"), DISPUTE_TYPES, "dispute_type"),
                distress=float(data["distress"]),
                sentiment=_choice(data["sentiment"], SENTIMENTS, "sentiment"),
                vulnerability=tuple(
                    _choice(v, VULNERABILITIES, "vulnerability") for v in data["vulnerability"]
                ),
                promise=_promise_from(data.get("promise")),
                amounts=tuple(
                    Money(value=_decimal(a["value"]), currency=a.get("currency"))
                    for a in data["amounts"]
                ),
                dates=tuple(date.fromisoformat(d) for d in data["dates"]),
                references=tuple(str(r) for r in data["references"]),
                per_reference=per_reference,
                route=_choice(data["route"], ("auto", "human"), "route"),
                reasons=tuple(str(r) for r in data["reasons"]),
                evidence=tuple(
                    Evidence(label=str(e["label"]), excerpt=str(e["excerpt"]))
                    for e in data.get("evidence", [])
                ),
                engine=str(data.get("engine", "rules-1")),
                language=str(data.get("language") or "en"),
            )
        except TriageFormatError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise TriageFormatError(
                f"not a TAXONOMY.md triage object ({type(exc).__name__}: {exc}); "
                "check the field named here against the JSON example in TAXONOMY.md"
            ) from exc


def _money_str(value: Decimal) -> str:
    return str(value.quantize(_CENT))


def _promise_json(promise: Promise | None) -> dict[str, Any] | None:
    if promise is None:
        return None
    return {
        "amount": None if promise.amount is None else _money_str(promise.amount),
        "currency": promise.currency,
        "date": None if promise.date is None else promise.date.isoformat(),
    }


def _promise_from(data: Any) -> Promise | None:
    if data is None:
        return None
    amount = data.get("amount")
    when = data.get("date")
    return Promise(
        amount=None if amount is None else _decimal(amount),
        currency=data.get("currency"),
        date=None if when is None else date.fromisoformat(when),
    )


def _decimal(text: Any) -> Decimal:
    try:
        return Decimal(str(text))
    except InvalidOperation as exc:
        raise TriageFormatError(f"amount {text!r} is not a decimal number like '200.00'") from exc


def _choice(value: Any, allowed: tuple[str, ...], field: str) -> Any:
    if value not in allowed:
        raise TriageFormatError(f"{field} {value!r} is not one of {', '.join(allowed)}")
    return cast(str, value)


def _opt_choice(value: Any, allowed: tuple[str, ...], field: str) -> Any:
    return None if value is None else _choice(value, allowed, field)
