"""The feature row the trained head reads: the sentence embedding plus what the rules found.

The rule engine's findings are features rather than a separate vote, so the head learns how far
to trust each cue (an explicit "stop contacting me" is near certain; a lone "STOP" inside a
longer SMS is not) while the embedding carries the paraphrases no cue list foresaw. The order of
the columns is part of the artifact: changing it means retraining (`FEATURE_VERSION`).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from nlp.encoder import DIMENSION
from nlp.model import DISPUTE_TYPES, LABELS, VULNERABILITIES, Triage

__all__ = ["FEATURE_NAMES", "FEATURE_VERSION", "WIDTH", "feature_row"]

FEATURE_VERSION = 1
FEATURE_NAMES: tuple[str, ...] = (
    tuple(f"embedding:{i}" for i in range(DIMENSION))
    + tuple(f"rule:{label}" for label in LABELS)
    + tuple(f"rule_dispute:{kind}" for kind in DISPUTE_TYPES)
    + tuple(f"rule_vulnerability:{name}" for name in VULNERABILITIES)
    + ("channel:sms", "distress", "has_amount", "has_date", "short")
)
WIDTH = len(FEATURE_NAMES)


def feature_row(
    embedding: npt.NDArray[np.float32], rules: Triage, *, channel: str, words: int
) -> npt.NDArray[np.float32]:
    """One feature row for the head, from the message's embedding and its rule triage."""
    row = np.zeros(WIDTH, dtype=np.float32)
    row[:DIMENSION] = embedding
    at = DIMENSION
    for intent in rules.intents:
        row[at + LABELS.index(intent.label)] = intent.confidence
    at += len(LABELS)
    if rules.dispute_type is not None:
        row[at + DISPUTE_TYPES.index(rules.dispute_type)] = 1.0
    at += len(DISPUTE_TYPES)
    for name in rules.vulnerability:
        row[at + VULNERABILITIES.index(name)] = 1.0
    at += len(VULNERABILITIES)
    row[at] = 1.0 if channel == "sms" else 0.0
    row[at + 1] = rules.distress
    row[at + 2] = 1.0 if rules.amounts else 0.0
    row[at + 3] = 1.0 if rules.dates else 0.0
    row[at + 4] = 1.0 if words <= 6 else 0.0
    return row
