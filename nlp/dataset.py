"""The labelled triage data: reading it, checking it, and splitting it by family.

A record is one debtor message with its gold triage (datasets/triage/README.md):
`{"id", "family", "channel", "received_at", "timezone"?, "subject"?, "text", "labels",
"dispute_type", "vulnerability", "promise", "language"?}`. Records are split by `family` (a
situation or author voice, with its paraphrases), and families whose messages are near
duplicates of each other are joined first, so no split holds a near copy of another's message.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from nlp.model import DISPUTE_TYPES, LABELS, VULNERABILITIES

__all__ = ["DatasetError", "LabelledMessage", "load_jsonl", "split_by_family"]


class DatasetError(ValueError):
    """A labelled record is malformed; the message names the file, line and field."""


@dataclass(frozen=True, kw_only=True)
class LabelledMessage:
    """One message with its gold triage."""

    id: str
    family: str
    channel: str
    received_at: datetime
    timezone: str | None
    subject: str
    text: str
    labels: frozenset[str]
    dispute_type: str | None
    vulnerability: frozenset[str]
    promise_amount: Decimal | None
    promise_currency: str | None
    promise_date: str | None
    has_promise: bool
    language: str
    raw: dict[str, Any]


def _record(data: Any, where: str) -> LabelledMessage:
    if not isinstance(data, dict):
        raise DatasetError(f"{where}: each line must be a JSON object")

    def need(key: str) -> Any:
        if key not in data:
            raise DatasetError(f"{where}: missing field {key!r}")
        return data[key]

    labels = need("labels")
    if not isinstance(labels, list) or not labels:
        raise DatasetError(f"{where}: labels must be a non-empty list of TAXONOMY labels")
    unknown = [lb for lb in labels if lb not in LABELS]
    if unknown:
        raise DatasetError(f"{where}: unknown label(s) {unknown}; use TAXONOMY.md names")
    dispute_type = data.get("dispute_type")
    if dispute_type is not None and dispute_type not in DISPUTE_TYPES:
        raise DatasetError(f"{where}: dispute_type {dispute_type!r} is not a TAXONOMY type")
    vulnerability = data.get("vulnerability") or []
    bad = [v for v in vulnerability if v not in VULNERABILITIES]
    if bad:
        raise DatasetError(f"{where}: unknown vulnerability {bad}")
    try:
        received = datetime.fromisoformat(str(need("received_at")).replace("Z", "+00:00"))
    except ValueError as exc:
        raise DatasetError(f"{where}: received_at is not ISO 8601 with an offset") from exc
    if received.tzinfo is None:
        raise DatasetError(f"{where}: received_at needs a UTC offset")
    promise = data.get("promise")
    amount: Decimal | None = None
    if isinstance(promise, dict) and promise.get("amount") is not None:
        try:
            amount = Decimal(str(promise["amount"]))
        except InvalidOperation as exc:
            raise DatasetError(f"{where}: promise amount {promise['amount']!r}") from exc
    return LabelledMessage(
        id=str(need("id")),
        family=str(data.get("family") or data["id"]),
        channel=str(data.get("channel") or "email"),
        received_at=received,
        timezone=data.get("timezone") or None,
        subject=str(data.get("subject") or ""),
        text=str(need("text")),
        labels=frozenset(labels),
        dispute_type=dispute_type,
        vulnerability=frozenset(vulnerability),
        promise_amount=amount,
        promise_currency=promise.get("currency") if isinstance(promise, dict) else None,
        promise_date=promise.get("date") if isinstance(promise, dict) else None,
        has_promise=isinstance(promise, dict),
        language=str(data.get("language") or "en"),
        raw=data,
    )


def load_jsonl(paths: Path | Sequence[Path]) -> list[LabelledMessage]:
    """Read labelled records from one or more JSONL files.

    Raises:
        DatasetError: a line is not JSON or not a valid labelled record (file:line says where).
    """
    out: list[LabelledMessage] = []
    for path in [paths] if isinstance(paths, Path) else paths:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                where = f"{path}:{number}"
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise DatasetError(f"{where}: not valid JSON ({exc.msg})") from exc
                out.append(_record(data, where))
    return out


def split_by_family(
    records: Sequence[LabelledMessage],
    embed: Callable[[list[str]], npt.NDArray[np.float32]],
    *,
    shares: tuple[float, float] = (0.70, 0.15),
    near_duplicate: float = 0.92,
) -> dict[str, list[LabelledMessage]]:
    """Assign whole families to train/dev/test; near-duplicate families are joined first.

    The assignment hashes the (joined) family name, so adding records elsewhere does not move
    existing families between splits.
    """
    parent: dict[str, str] = {r.family: r.family for r in records}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    vectors = embed([r.text for r in records])
    similarity = vectors @ vectors.T
    rows, cols = np.nonzero(np.triu(similarity >= near_duplicate, k=1))
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        a, b = find(records[i].family), find(records[j].family)
        if a != b:
            parent[max(a, b)] = min(a, b)

    splits: dict[str, list[LabelledMessage]] = {"train": [], "dev": [], "test": []}
    for record in records:
        root = find(record.family)
        bucket = int(hashlib.sha256(root.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
        name = (
            "train" if bucket < shares[0]
            else "dev" if bucket < shares[0] + shares[1]
            else "test"
        )
        splits[name].append(record)
    return splits


def label_counts(records: Iterable[LabelledMessage]) -> dict[str, int]:
    counts = dict.fromkeys(LABELS, 0)
    for r in records:
        for lb in r.labels:
            counts[lb] += 1
    return counts


__all__ += ["label_counts"]
