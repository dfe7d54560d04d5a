"""The labelled sample set: legal triggers must have recall 1.0, and macro-F1 must be >= 0.85.

The set (datasets/triage/sample.jsonl) was written together with the rules, so it is a
regression guard, not an unbiased estimate of accuracy on real replies.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from nlp.triage import LEGAL_TRIGGERS, triage

SAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "triage" / "sample.jsonl"


def _records() -> list[dict[str, Any]]:
    return [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line]


def _predicted(record: dict[str, Any]) -> set[str]:
    result = triage(
        record["text"],
        subject=record.get("subject", ""),
        channel=record["channel"],
        received_at=datetime.fromisoformat(record["received_at"]),
        message_id=record["id"],
    )
    names = set(result.labels) | set(result.vulnerability)
    names |= {r for r in result.reasons if r == "prompt_injection"}
    if record.get("route"):
        assert result.route == record["route"], f"{record['id']}: route {result.route}"
    return names


def _gold(record: dict[str, Any]) -> set[str]:
    return set(record["labels"]) | set(record["vulnerability"]) | set(record.get("flags", []))


def test_sample_set_recall_and_macro_f1() -> None:
    records = _records()
    assert len(records) >= 80
    gold = {r["id"]: _gold(r) for r in records}
    predicted = {r["id"]: _predicted(r) for r in records}
    names = sorted(set().union(*gold.values()))
    rows = []
    f1s = []
    recall: dict[str, float] = {}
    for name in names:
        tp = sum(1 for i in gold if name in gold[i] and name in predicted[i])
        fp = sum(1 for i in gold if name not in gold[i] and name in predicted[i])
        fn = sum(1 for i in gold if name in gold[i] and name not in predicted[i])
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        recall[name] = r
        f1s.append(f1)
        rows.append(f"{name:22} tp={tp:3} fp={fp:3} fn={fn:3} P={p:.2f} R={r:.2f} F1={f1:.2f}")
    macro = sum(f1s) / len(f1s)
    misses = [
        f"{i}: gold={sorted(gold[i])} got={sorted(predicted[i])}"
        for i in gold
        if gold[i] != predicted[i]
    ]
    table = "\n".join([*rows, f"macro-F1={macro:.3f}", *misses])
    legal = {name: recall[name] for name in LEGAL_TRIGGERS if name in recall}
    assert set(legal) == LEGAL_TRIGGERS, f"the sample set must cover every legal trigger\n{table}"
    assert all(r == 1.0 for r in legal.values()), f"legal trigger missed\n{table}"
    assert macro >= 0.85, f"macro-F1 {macro:.3f} < 0.85\n{table}"
