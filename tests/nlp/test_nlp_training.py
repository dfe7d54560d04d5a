"""`parley train` and `parley eval` on a small labelled set, and the evaluation arithmetic."""

from __future__ import annotations

import json
import os
import random
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from nlp.dataset import DatasetError, load_jsonl, split_by_family
from nlp.engine import Scored
from nlp.evaluate import evaluate, expected_calibration_error
from nlp.model import Intent, Promise, Triage
from parley.cli import main

os.environ.setdefault("HF_HUB_OFFLINE", "1")
DATA = Path(__file__).resolve().parents[2] / "datasets" / "triage"


def _subset(source: Path, target: Path, count: int) -> Path:
    lines = source.read_text(encoding="utf-8").splitlines()
    random.Random(3).shuffle(lines)
    target.write_text("\n".join(lines[:count]) + "\n", encoding="utf-8")
    return target


def test_train_then_eval_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    train = _subset(DATA / "train.jsonl", tmp_path / "train.jsonl", 240)
    dev = _subset(DATA / "dev.jsonl", tmp_path / "dev.jsonl", 80)
    out = tmp_path / "head" / "triage_head"
    assert main(["train", "--train", str(train), "--dev", str(dev), "--output", str(out)]) == 0
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["version"].startswith("minilm-head-1+")
    assert card["train_messages"] == 240 and card["dev_messages"] == 80
    assert set(card["calibration"]) >= {"promise_to_pay", "cease_communication"}
    assert 0.0 <= card["dev_ece"] <= 0.2
    err = capsys.readouterr().err
    assert "training" in err and "#" in err  # the progress bar

    assert main(["eval", "--data", str(dev), "--model", str(out.with_suffix(".npz")),
                 "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["messages"] == 80
    assert report["engine"] == card["version"]
    assert {"macro_f1", "legal_recall", "promise_amount_exact", "promise_date_exact", "ece"} \
        <= set(report)
    assert main(["eval", "--data", str(dev), "--rules-only"]) == 0
    table = capsys.readouterr().out
    assert "macro-F1" in table and "legal-trigger recall" in table and "rules-1" in table


def test_training_is_reproducible(tmp_path: Path) -> None:
    train = _subset(DATA / "train.jsonl", tmp_path / "train.jsonl", 120)
    dev = _subset(DATA / "dev.jsonl", tmp_path / "dev.jsonl", 40)
    versions = []
    for name in ("a", "b"):
        out = tmp_path / name / "triage_head"
        assert main(["train", "--train", str(train), "--dev", str(dev), "--output", str(out),
                     "--epochs", "60"]) == 0
        versions.append(json.loads(out.with_suffix(".json").read_text())["version"])
    assert versions[0] == versions[1]


def test_a_bad_record_names_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        json.dumps({"id": "a", "received_at": "2026-03-02T09:00:00+00:00", "text": "x",
                    "labels": ["promise_to_pya"]}) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"bad.jsonl:1: unknown label"):
        load_jsonl(path)


def test_near_duplicates_never_straddle_splits(tmp_path: Path) -> None:
    rows = []
    for i in range(40):
        rows.append({"id": f"a{i}", "family": f"f{i}", "received_at": "2026-03-02T09:00:00Z",
                     "text": f"message number {i} about a totally different topic {i * 7}",
                     "labels": ["other"]})
    rows.append({"id": "dup", "family": "f-dup", "received_at": "2026-03-02T09:00:00Z",
                 "text": "message number 3 about a totally different topic 21",
                 "labels": ["other"]})
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    records = load_jsonl(path)

    def embed(texts: list[str]) -> np.ndarray:  # type: ignore[type-arg]
        vectors = np.zeros((len(texts), 64), np.float32)
        for i, t in enumerate(texts):
            vectors[i, hash(t) % 64] = 1.0
        return vectors

    splits = split_by_family(records, embed)
    where = {r.id: name for name, rs in splits.items() for r in rs}
    assert where["dup"] == where["a3"]
    assert sum(len(v) for v in splits.values()) == 41


def test_ece_is_zero_when_confidence_matches_accuracy() -> None:
    assert expected_calibration_error([0.95] * 20 + [0.05] * 20,
                                      [True] * 19 + [False] + [False] * 19 + [True]) < 1e-9
    assert expected_calibration_error([0.9] * 10, [False] * 10) == pytest.approx(0.9)


def test_evaluate_counts_misses_and_promise_parts(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    gold_rows = [
        {"id": "1", "received_at": "2026-03-02T09:00:00Z", "text": "x",
         "labels": ["promise_to_pay"], "promise": {"amount": "200.00", "currency": "USD",
                                                   "date": "2026-03-06"}},
        {"id": "2", "received_at": "2026-03-02T09:00:00Z", "text": "y",
         "labels": ["cease_communication"]},
    ]
    path.write_text("\n".join(json.dumps(r) for r in gold_rows) + "\n", encoding="utf-8")
    gold = load_jsonl(path)
    predicted = [
        Scored(triage=Triage(id="1", intents=(Intent(label="promise_to_pay", confidence=0.9),),
                             promise=Promise(amount=None, currency="USD",
                                             date=datetime(2026, 3, 6, tzinfo=UTC).date())),
               scores=None),
        Scored(triage=Triage(id="2", intents=(Intent(label="other", confidence=0.5),)),
               scores=None),
    ]
    report = evaluate(gold, predicted)
    assert report["legal_recall"] == 0.0
    assert report["legal"]["cease_communication"]["support"] == 1
    assert report["promise_amount_exact"] == 0.0
    assert report["promise_date_exact"] == 1.0
    assert report["per_label"]["promise_to_pay"]["f1"] == 1.0
