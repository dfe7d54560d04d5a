"""Scores a triage engine against labelled messages, the figures the issue sets targets for.

- per intent: precision, recall, F1 and support; macro-F1 over the intents present in the gold;
- legal triggers (COMPLIANCE.md's list, self-harm risk included): micro recall and precision
  over every (message, trigger) pair, and per trigger;
- dispute type accuracy over the gold disputes (a missed dispute counts as wrong);
- promise amount / currency / date exact match over the gold promises (null == null matches);
- expected calibration error of the intent confidences (10 equal-width bins over every
  message x label probability) when the engine exposes probabilities;
- how many messages were routed to a person.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np

from nlp.dataset import LabelledMessage
from nlp.engine import Scored
from nlp.model import LABELS
from nlp.triage import LEGAL_TRIGGERS

__all__ = ["TARGETS", "evaluate", "expected_calibration_error", "format_report"]

TARGETS = {
    "macro_f1": 0.90,
    "legal_recall": 0.99,
    "legal_precision": 0.90,
    "dispute_type_accuracy": 0.85,
    "promise_amount_exact": 0.95,
    "promise_date_exact": 0.93,
    "self_harm_recall": 1.0,
}


def expected_calibration_error(
    probabilities: Sequence[float], outcomes: Sequence[bool], bins: int = 10
) -> float:
    """Mean |confidence - accuracy| over equal-width bins, weighted by bin size."""
    p = np.asarray(probabilities, dtype=np.float64)
    y = np.asarray(outcomes, dtype=np.float64)
    if p.size == 0:
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = index == b
        if mask.any():
            total += mask.sum() / p.size * abs(p[mask].mean() - y[mask].mean())
    return float(total)


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else (1.0 if fn == 0 else 0.0)
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _same_amount(a: Decimal | None, b: Decimal | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and a == b)


def evaluate(gold: Sequence[LabelledMessage], predicted: Sequence[Scored]) -> dict[str, Any]:
    """Every figure of the module docstring, as a JSON-ready dict."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted must be the same length, in the same order")
    per_label: dict[str, dict[str, float]] = {}
    for label in LABELS:
        tp = fp = fn = 0
        for g, s in zip(gold, predicted, strict=True):
            has, got = label in g.labels, label in s.triage.labels
            tp += has and got
            fp += got and not has
            fn += has and not got
        precision, recall, f1 = _prf(tp, fp, fn)
        per_label[label] = {
            "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "support": tp + fn, "predicted": tp + fp,
        }
    present = [lb for lb in LABELS if per_label[lb]["support"] > 0]
    macro = float(np.mean([per_label[lb]["f1"] for lb in present])) if present else 0.0

    legal: dict[str, dict[str, float]] = {}
    ltp = lfp = lfn = 0
    for trigger in sorted(LEGAL_TRIGGERS):
        tp = fp = fn = 0
        for g, s in zip(gold, predicted, strict=True):
            if trigger == "self_harm_risk":
                has = trigger in g.vulnerability
                got = trigger in s.triage.vulnerability
            else:
                has, got = trigger in g.labels, trigger in s.triage.labels
            tp += has and got
            fp += got and not has
            fn += has and not got
        precision, recall, _ = _prf(tp, fp, fn)
        legal[trigger] = {"precision": round(precision, 4), "recall": round(recall, 4),
                          "support": tp + fn}
        ltp, lfp, lfn = ltp + tp, lfp + fp, lfn + fn
    legal_precision, legal_recall, _ = _prf(ltp, lfp, lfn)

    disputes = [(g, s) for g, s in zip(gold, predicted, strict=True) if "dispute" in g.labels]
    dispute_ok = sum(1 for g, s in disputes if s.triage.dispute_type == g.dispute_type)
    promises = [
        (g, s) for g, s in zip(gold, predicted, strict=True) if "promise_to_pay" in g.labels
    ]

    def promise_rate(check: Any) -> float:
        return round(sum(1 for g, s in promises if check(g, s)) / len(promises), 4) \
            if promises else 1.0

    amount_exact = promise_rate(lambda g, s: _same_amount(
        g.promise_amount, s.triage.promise.amount if s.triage.promise else None))
    currency_exact = promise_rate(lambda g, s: g.promise_currency == (
        s.triage.promise.currency if s.triage.promise else None))
    date_exact = promise_rate(lambda g, s: g.promise_date == (
        s.triage.promise.date.isoformat() if s.triage.promise and s.triage.promise.date
        else None))

    probabilities: list[float] = []
    outcomes: list[bool] = []
    for g, s in zip(gold, predicted, strict=True):
        confidences: dict[str, float] = (
            s.scores.intents if s.scores is not None
            else {str(i.label): i.confidence for i in s.triage.intents}
        )
        for label in LABELS:
            probabilities.append(confidences.get(label, 0.0))
            outcomes.append(label in g.labels)
    self_harm = legal["self_harm_risk"]
    language_ok = sum(
        1 for g, s in zip(gold, predicted, strict=True)
        if (g.language == "en") == (not any(r.startswith("language:") for r in s.triage.reasons))
    )
    return {
        "messages": len(gold),
        "engine": predicted[0].triage.engine if predicted else "",
        "macro_f1": round(macro, 4),
        "per_label": per_label,
        "legal_recall": round(legal_recall, 4),
        "legal_precision": round(legal_precision, 4),
        "legal": legal,
        "self_harm_recall": self_harm["recall"],
        "self_harm_cases": self_harm["support"],
        "dispute_type_accuracy": round(dispute_ok / len(disputes), 4) if disputes else 1.0,
        "disputes": len(disputes),
        "promise_amount_exact": amount_exact,
        "promise_currency_exact": currency_exact,
        "promise_date_exact": date_exact,
        "promises": len(promises),
        "ece": round(expected_calibration_error(probabilities, outcomes), 4),
        "routed_to_person": sum(1 for s in predicted if s.triage.route == "human"),
        "non_english_flagged_correctly": round(language_ok / len(gold), 4) if gold else 1.0,
    }


def format_report(report: dict[str, Any]) -> str:
    """The report as the aligned text tables `parley eval` prints."""
    lines = [f"{report['messages']} messages, engine {report['engine']}", ""]
    lines.append(f"{'label':<22}{'precision':>10}{'recall':>10}{'f1':>8}{'support':>9}")
    for label, row in report["per_label"].items():
        if row["support"] or row["predicted"]:
            lines.append(
                f"{label:<22}{row['precision']:>10.3f}{row['recall']:>10.3f}{row['f1']:>8.3f}"
                f"{row['support']:>9}"
            )
    lines.append("")
    lines.append(f"{'legal trigger':<22}{'precision':>10}{'recall':>10}{'support':>17}")
    for trigger, row in report["legal"].items():
        lines.append(
            f"{trigger:<22}{row['precision']:>10.3f}{row['recall']:>10.3f}{row['support']:>17}"
        )
    lines.append("")
    rows = [
        ("macro-F1 (intents)", report["macro_f1"], "macro_f1"),
        ("legal-trigger recall", report["legal_recall"], "legal_recall"),
        ("legal-trigger precision", report["legal_precision"], "legal_precision"),
        ("self-harm recall", report["self_harm_recall"], "self_harm_recall"),
        ("dispute-type accuracy", report["dispute_type_accuracy"], "dispute_type_accuracy"),
        ("promise amount exact", report["promise_amount_exact"], "promise_amount_exact"),
        ("promise currency exact", report["promise_currency_exact"], ""),
        ("promise date exact", report["promise_date_exact"], "promise_date_exact"),
        ("calibration error (ECE)", report["ece"], ""),
    ]
    lines.append(f"{'figure':<26}{'value':>8}{'target':>9}  met")
    for name, value, key in rows:
        target = TARGETS.get(key)
        met = "" if target is None else ("yes" if value >= target else "NO")
        shown = "" if target is None else f"{target:.2f}"
        lines.append(f"{name:<26}{value:>8.3f}{shown:>9}  {met}")
    lines.append(
        f"\nrouted to a person: {report['routed_to_person']} of {report['messages']}; "
        f"disputes {report['disputes']}, promises {report['promises']}, "
        f"self-harm cases {report['self_harm_cases']}"
    )
    return "\n".join(lines)
