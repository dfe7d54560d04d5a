"""LoRA fine-tuning of MiniLM: adapters train, ship inside the head, and load merged."""

from __future__ import annotations

import json
import os
import random
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from nlp.encoder import Encoder, EncoderLoadError
from nlp.engine import TriageEngine
from nlp.finetune import AdapterSettings, Targets, adapter_pairs, finetune_adapters
from parley.cli import main

os.environ.setdefault("HF_HUB_OFFLINE", "1")
DATA = Path(__file__).resolve().parents[2] / "datasets" / "triage"

TEXTS = [
    "STOP", "stop texting me", "I'll pay $50 on Friday", "will send 200 next week",
    "this is not my debt", "never had an account with you", "what is my balance?",
    "how do I pay online?",
]


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return Encoder()


def _targets(count: int) -> Targets:
    intents = np.zeros((count, 18), np.float32)
    for i in range(count):
        intents[i, i // 2] = 1.0
    return Targets(
        intents=intents,
        disputes=np.full(count, -1, np.int64),
        vulnerability=np.zeros((count, 7), np.float32),
    )


def test_adapters_move_embeddings_and_merge_equals_training_forward(encoder: Encoder) -> None:
    settings = AdapterSettings(rank=2, epochs=3, batch_size=4,
                               targets=("attention.self.query", "attention.self.value"))
    adapters = finetune_adapters(
        encoder, TEXTS, np.zeros((len(TEXTS), 3), np.float32), _targets(len(TEXTS)),
        settings=settings,
    )
    assert len(adapters) == 2 * 2 * 6  # (A, B) x two matrices x six layers
    pairs = adapter_pairs(adapters)
    adapted = Encoder(encoder.path, adapters=pairs)
    before, after = encoder(TEXTS), adapted(TEXTS)
    assert np.allclose(np.linalg.norm(after, axis=1), 1.0, atol=1e-5)
    assert float(np.abs(after - before).max()) > 1e-3

    import torch

    overrides = {
        name: encoder.weights[name] + torch.from_numpy(b) @ torch.from_numpy(a)
        for name, (a, b) in pairs.items()
    }
    with torch.inference_mode():
        on_the_fly = encoder.forward(encoder.token_ids(TEXTS[:1]), weights=overrides).numpy()
    assert np.allclose(on_the_fly, after[:1], atol=1e-5)


def test_an_adapter_that_does_not_fit_is_refused(encoder: Encoder) -> None:
    wrong = {"encoder.layer.0.attention.self.query.weight": (
        np.zeros((2, 100), np.float32), np.zeros((384, 2), np.float32))}
    with pytest.raises(EncoderLoadError, match="retrain"):
        Encoder(encoder.path, adapters=wrong)


def test_parley_train_with_adapters_ships_them_in_the_head(tmp_path: Path) -> None:
    lines = (DATA / "train.jsonl").read_text(encoding="utf-8").splitlines()
    random.Random(5).shuffle(lines)
    (tmp_path / "train.jsonl").write_text("\n".join(lines[:48]) + "\n", encoding="utf-8")
    dev_lines = (DATA / "dev.jsonl").read_text(encoding="utf-8").splitlines()[:24]
    (tmp_path / "dev.jsonl").write_text("\n".join(dev_lines) + "\n", encoding="utf-8")
    out = tmp_path / "head" / "triage_head"
    assert main(["train", "--train", str(tmp_path / "train.jsonl"),
                 "--dev", str(tmp_path / "dev.jsonl"), "--output", str(out),
                 "--adapter-rank", "2", "--adapter-epochs", "1"]) == 0
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["settings"]["adapter_rank"] == 2
    with np.load(out.with_suffix(".npz")) as arrays:
        adapter_arrays = [k for k in arrays.files if k.startswith("adapter.")]
    assert len(adapter_arrays) == 2 * 5 * 6

    engine = TriageEngine.load(out.with_suffix(".npz"))
    assert engine.encoder is not None
    base = Encoder()
    text = ["I can pay 40 pounds on the 15th"]
    assert float(np.abs(engine.encoder(text) - base(text)).max()) > 1e-4
    result = engine.triage(text[0], received_at=datetime(2026, 3, 2))
    assert result.engine == card["version"]
