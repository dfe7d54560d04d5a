"""The trained triage head: features in, calibrated probabilities out (numpy only).

The head is small on purpose: a linear (or one-hidden-layer) network over the MiniLM sentence
embedding plus the rule engine's findings as features, trained by `parley train`
(nlp/training.py). It ships as one `.npz` file of arrays and a JSON card beside it (version,
label order, per-label calibration and thresholds, the data it was trained on and its dev
figures), so a result can always name the exact model that produced it.

Three outputs:
- intents: one sigmoid per TAXONOMY label, each Platt-calibrated on the dev split
  (p = sigmoid(a * logit + b)); a label is predicted at or above its `threshold`, and a
  predicted label below its `confident` bar routes the message to a person (`low_confidence`).
- dispute type: a softmax over the TAXONOMY dispute types, used when `dispute` is predicted.
- vulnerability: one sigmoid per vulnerability flag, added to what the rules found.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from nlp.model import DISPUTE_TYPES, LABELS, VULNERABILITIES

__all__ = [
    "ARTIFACT_DIR",
    "Calibration",
    "HeadLoadError",
    "HeadScores",
    "TriageHead",
    "default_artifact",
]

ARTIFACT_DIR = Path(__file__).resolve().parent / "artifacts"
ARTIFACT_NAME = "triage_head"

Array = npt.NDArray[np.float32]


class HeadLoadError(RuntimeError):
    """The trained head is missing or does not match this code; run `parley train`."""


def default_artifact() -> Path:
    """The head shipped with Parley (nlp/artifacts/triage_head.npz)."""
    return ARTIFACT_DIR / f"{ARTIFACT_NAME}.npz"


@dataclass(frozen=True, kw_only=True)
class Calibration:
    """Per-label Platt scaling and decision bars, chosen on the dev split."""

    scale: float = 1.0
    shift: float = 0.0
    threshold: float = 0.5
    confident: float = 0.5


@dataclass(frozen=True, kw_only=True)
class HeadScores:
    """The head's calibrated probabilities for one message."""

    intents: dict[str, float]
    dispute_types: dict[str, float]
    vulnerability: dict[str, float]


def _sigmoid(x: Array) -> Array:
    out: Array = (1.0 / (1.0 + np.exp(-np.clip(x, -40.0, 40.0)))).astype(np.float32)
    return out


def _softmax(x: Array) -> Array:
    z = x - x.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: Array = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
    return out


@dataclass(kw_only=True)
class TriageHead:
    """A trained head: `weights` holds the arrays, `card` the JSON metadata."""

    weights: dict[str, Array]
    labels: tuple[str, ...] = LABELS
    dispute_types: tuple[str, ...] = DISPUTE_TYPES
    vulnerabilities: tuple[str, ...] = VULNERABILITIES
    calibration: dict[str, Calibration] = field(default_factory=dict)
    dispute_temperature: float = 1.0
    vulnerability_thresholds: dict[str, float] = field(default_factory=dict)
    card: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """`minilm-head-<n>+<8 hex of the weights>`: changes whenever the weights do."""
        return str(self.card.get("version", "minilm-head-unversioned"))

    def logits(self, features: Array) -> tuple[Array, Array, Array]:
        """Raw outputs (intents, dispute types, vulnerability) for a batch of feature rows."""
        w = self.weights
        if "input.mean" in w:
            features = (features - w["input.mean"]) / w["input.scale"]
        hidden = features
        if "hidden.weight" in w:
            hidden = np.maximum(features @ w["hidden.weight"] + w["hidden.bias"], 0.0)
        intents = hidden @ w["intents.weight"] + w["intents.bias"]
        disputes = hidden @ w["dispute.weight"] + w["dispute.bias"]
        vulnerability = hidden @ w["vulnerability.weight"] + w["vulnerability.bias"]
        return intents, disputes, vulnerability

    def calibrated(self, intent_logits: Array) -> Array:
        """Platt-scaled intent probabilities, one column per label."""
        scale = np.array(
            [self.calibration.get(lb, Calibration()).scale for lb in self.labels], np.float32
        )
        shift = np.array(
            [self.calibration.get(lb, Calibration()).shift for lb in self.labels], np.float32
        )
        return _sigmoid(intent_logits * scale + shift)

    def predict(self, features: Array) -> list[HeadScores]:
        """Calibrated probabilities for each feature row."""
        intents, disputes, vulnerability = self.logits(features.astype(np.float32))
        p_intents = self.calibrated(intents)
        p_disputes = _softmax(disputes / max(self.dispute_temperature, 1e-3))
        p_vulnerability = _sigmoid(vulnerability)
        return [
            HeadScores(
                intents={lb: float(p_intents[i, j]) for j, lb in enumerate(self.labels)},
                dispute_types={
                    t: float(p_disputes[i, j]) for j, t in enumerate(self.dispute_types)
                },
                vulnerability={
                    v: float(p_vulnerability[i, j]) for j, v in enumerate(self.vulnerabilities)
                },
            )
            for i in range(features.shape[0])
        ]

    def save(self, path: Path) -> Path:
        """Write `<path>.npz` and `<path>.json`; the version is derived from the weights."""
        path = path.with_suffix("")
        path.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        for name in sorted(self.weights):
            digest.update(name.encode())
            digest.update(np.ascontiguousarray(self.weights[name], dtype=np.float32).tobytes())
        generation = int(self.card.get("generation", 1))
        self.card["version"] = f"minilm-head-{generation}+{digest.hexdigest()[:8]}"
        self.card["labels"] = list(self.labels)
        self.card["dispute_types"] = list(self.dispute_types)
        self.card["vulnerabilities"] = list(self.vulnerabilities)
        self.card["calibration"] = {
            lb: {"scale": c.scale, "shift": c.shift, "threshold": c.threshold,
                 "confident": c.confident}
            for lb, c in self.calibration.items()
        }
        self.card["dispute_temperature"] = self.dispute_temperature
        self.card["vulnerability_thresholds"] = self.vulnerability_thresholds
        arrays: dict[str, Any] = {k: v.astype(np.float16) for k, v in self.weights.items()}
        np.savez_compressed(path.with_suffix(".npz"), **arrays)
        path.with_suffix(".json").write_text(
            json.dumps(self.card, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        return path.with_suffix(".npz")

    @classmethod
    def load(cls, path: Path | None = None) -> TriageHead:
        """Read a head written by `save`.

        Raises:
            HeadLoadError: the files are missing, unreadable, or name labels this code lacks.
        """
        npz = (path or default_artifact()).with_suffix(".npz")
        card_path = npz.with_suffix(".json")
        try:
            card = json.loads(card_path.read_text(encoding="utf-8"))
            with np.load(npz) as arrays:
                weights = {k: arrays[k].astype(np.float32) for k in arrays.files}
        except (OSError, ValueError) as exc:
            raise HeadLoadError(
                f"cannot read the triage model {npz} ({exc}); run `parley train` to build it"
            ) from exc
        labels = tuple(card.get("labels", ()))
        if set(labels) - set(LABELS) or not labels:
            raise HeadLoadError(
                f"{card_path} names labels this version of Parley does not know; "
                "retrain with `parley train`"
            )
        return cls(
            weights=weights,
            labels=labels,
            dispute_types=tuple(card["dispute_types"]),
            vulnerabilities=tuple(card["vulnerabilities"]),
            calibration={lb: Calibration(**c) for lb, c in card.get("calibration", {}).items()},
            dispute_temperature=float(card.get("dispute_temperature", 1.0)),
            vulnerability_thresholds={
                k: float(v) for k, v in card.get("vulnerability_thresholds", {}).items()
            },
            card=card,
        )
