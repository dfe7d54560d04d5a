"""Fine-tune MiniLM for triage with low-rank adapters (LoRA), on a CPU, in minutes.

A frozen sentence embedding was trained to place paraphrases together, not to separate "I'm not
refusing to pay, I just can't this month" from a refusal, so a head over it tops out early. Full
fine-tuning would ship 90 MB per model generation; LoRA learns, for chosen weight matrices W, a
rank-r update B @ A (r=8: 6 layers x 5 matrices come to about 200 K numbers, 400 KB in float16)
that is merged into W when the encoder loads, so inference costs nothing extra.

The adapters are trained jointly with a temporary linear head over the pooled embedding plus the
rule features, on the same losses as the shipped head (nlp/training.py), which is then refitted
and calibrated over the adapted embeddings. Batches are drawn in a seeded order from length
buckets (short SMS with short SMS), so an epoch over ~1,200 messages takes under a minute here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from nlp.encoder import Encoder
from nlp.model import DISPUTE_TYPES

__all__ = [
    "ADAPTER_PREFIX", "AdapterSettings", "Targets", "adapter_names", "adapter_pairs",
    "finetune_adapters",
]

Array = npt.NDArray[np.float32]
Progress = Callable[[str, int, int], None]

ADAPTER_PREFIX = "adapter."


@dataclass(frozen=True, kw_only=True)
class AdapterSettings:
    rank: int = 8
    alpha: float = 16.0
    targets: tuple[str, ...] = (
        "attention.self.query",
        "attention.self.value",
        "attention.output.dense",
        "intermediate.dense",
        "output.dense",
    )
    epochs: int = 6
    batch_size: int = 16
    learning_rate: float = 1e-3
    head_learning_rate: float = 3e-3
    weight_decay: float = 0.01
    dropout: float = 0.1
    seed: int = 7


@dataclass(frozen=True, kw_only=True)
class Targets:
    """Training targets in the head's layout (see nlp/training.py `_targets`)."""

    intents: Array
    disputes: npt.NDArray[np.int64]
    vulnerability: Array


def adapter_names(encoder: Encoder, settings: AdapterSettings) -> list[str]:
    layers = sorted({
        int(name.split(".")[2]) for name in encoder.weights if name.startswith("encoder.layer.")
    })
    return [
        f"encoder.layer.{layer}.{target}.weight"
        for layer in layers
        for target in settings.targets
    ]


def _batches(lengths: Sequence[int], size: int, rng: np.random.Generator) -> list[list[int]]:
    """Seeded batches of similar length: shuffle, sort within windows of 8 batches, split."""
    order = rng.permutation(len(lengths)).tolist()
    window = size * 8
    batches: list[list[int]] = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start : start + window], key=lambda i: lengths[i])
        batches += [chunk[i : i + size] for i in range(0, len(chunk), size)]
    rng.shuffle(batches)
    return batches


def finetune_adapters(
    encoder: Encoder,
    texts: Sequence[str],
    extra: Array,
    targets: Targets,
    *,
    settings: AdapterSettings | None = None,
    progress: Progress | None = None,
) -> dict[str, Array]:
    """Train LoRA adapters; returns arrays named `adapter.<weight name>.a` / `.b` (B scaled).

    `extra` holds the non-embedding feature columns (rule cues) for each text, already in the
    layout of nlp/features.py; they feed the temporary head so the adapters learn what the rules
    miss rather than what they already catch.
    """
    import torch

    settings = settings or AdapterSettings()
    report: Progress = progress or (lambda stage, done, total: None)
    torch.manual_seed(settings.seed)
    rng = np.random.default_rng(settings.seed)
    f = torch.nn.functional

    names = adapter_names(encoder, settings)
    base = encoder.weights
    lora_a = torch.nn.ParameterDict()
    lora_b = torch.nn.ParameterDict()
    for i, name in enumerate(names):
        out_dim, in_dim = base[name].shape
        a = torch.empty(settings.rank, in_dim)
        torch.nn.init.kaiming_uniform_(a, a=math.sqrt(5))
        lora_a[str(i)] = torch.nn.Parameter(a)
        lora_b[str(i)] = torch.nn.Parameter(torch.zeros(out_dim, settings.rank))
    scaling = settings.alpha / settings.rank

    mean = extra.mean(axis=0)
    spread = extra.std(axis=0) + 1e-3
    side = torch.tensor((extra - mean) / spread, dtype=torch.float32)
    width = int(base["embeddings.word_embeddings.weight"].shape[1]) + side.shape[1]
    heads = torch.nn.ModuleDict({
        "intents": torch.nn.Linear(width, targets.intents.shape[1]),
        "dispute": torch.nn.Linear(width, len(DISPUTE_TYPES)),
        "vulnerability": torch.nn.Linear(width, targets.vulnerability.shape[1]),
    })
    y = torch.tensor(targets.intents)
    v = torch.tensor(targets.vulnerability)
    d = torch.tensor(targets.disputes)
    pos_weight = ((y.shape[0] - y.sum(0).clamp(min=1.0)) / y.sum(0).clamp(min=1.0)).clamp(max=20.0)
    v_weight = ((v.shape[0] - v.sum(0).clamp(min=1.0)) / v.sum(0).clamp(min=1.0)).clamp(max=20.0)

    optimizer = torch.optim.AdamW(
        [
            {"params": list(lora_a.parameters()) + list(lora_b.parameters()),
             "lr": settings.learning_rate},
            {"params": list(heads.parameters()), "lr": settings.head_learning_rate},
        ],
        weight_decay=settings.weight_decay,
    )
    ids = encoder.token_ids(texts)
    lengths = [len(t) for t in ids]
    steps_per_epoch = math.ceil(len(ids) / settings.batch_size)
    total = steps_per_epoch * settings.epochs
    warmup = max(1, total // 10)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda step: (step + 1) / warmup if step < warmup
        else max(0.0, (total - step) / max(1, total - warmup)),
    )
    step = 0
    for _epoch in range(settings.epochs):
        for batch in _batches(lengths, settings.batch_size, rng):
            adapted = {
                name: base[name]
                + scaling * (lora_b[str(i)] @ lora_a[str(i)])
                for i, name in enumerate(names)
            }
            pooled = encoder.forward([ids[j] for j in batch], weights=adapted)
            h = torch.cat([pooled * math.sqrt(pooled.shape[1]), side[batch]], dim=1)
            h = f.dropout(h, settings.dropout)
            loss = f.binary_cross_entropy_with_logits(
                heads["intents"](h), y[batch], pos_weight=pos_weight
            )
            loss = loss + 0.5 * f.binary_cross_entropy_with_logits(
                heads["vulnerability"](h), v[batch], pos_weight=v_weight
            )
            has_dispute = d[batch] >= 0
            if bool(has_dispute.any()):
                loss = loss + 0.5 * f.cross_entropy(
                    heads["dispute"](h[has_dispute]), d[batch][has_dispute]
                )
            optimizer.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            torch.nn.utils.clip_grad_norm_(
                list(lora_a.parameters()) + list(lora_b.parameters()) + list(heads.parameters()),
                1.0,
            )
            optimizer.step()
            scheduler.step()
            step += 1
            report("fine-tuning", step, total)

    adapters: dict[str, Array] = {}
    for i, name in enumerate(names):
        adapters[f"{ADAPTER_PREFIX}{name}.a"] = lora_a[str(i)].detach().numpy().copy()
        adapters[f"{ADAPTER_PREFIX}{name}.b"] = (scaling * lora_b[str(i)]).detach().numpy().copy()
    return adapters


def adapter_pairs(weights: dict[str, Array]) -> dict[str, tuple[Array, Array]]:
    """The (A, B) pair per encoder weight name, from a head's arrays (empty without adapters)."""
    pairs: dict[str, tuple[Array, Array]] = {}
    for key, a in weights.items():
        if key.startswith(ADAPTER_PREFIX) and key.endswith(".a"):
            name = key[len(ADAPTER_PREFIX) : -2]
            pairs[name] = (a, weights[f"{ADAPTER_PREFIX}{name}.b"])
    return pairs
