"""`parley train` and `parley eval`: rebuild the triage model and measure an engine.

`parley train` reads datasets/triage/train.jsonl and dev.jsonl (the splits written by
scripts/split_triage_data.py), fits the head and writes nlp/artifacts/triage_head.npz and .json,
with a progress bar. `parley eval --data FILE.jsonl` prints per-label precision, recall and F1,
macro-F1, legal-trigger recall and precision, promise amount and date exact match and the
calibration error; `--json` prints the same as one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from nlp.classifier import default_artifact
from nlp.dataset import label_counts, load_jsonl
from nlp.encoder import Encoder
from nlp.engine import TriageEngine
from nlp.evaluate import evaluate, format_report
from nlp.training import TrainingSettings, request_for, train_head

DATA = Path("datasets/triage")


def register(commands: Any) -> None:
    train = commands.add_parser("train", help="rebuild the triage model from the labelled set")
    train.add_argument("--train", type=Path, default=DATA / "train.jsonl")
    train.add_argument("--dev", type=Path, default=DATA / "dev.jsonl")
    train.add_argument("--output", type=Path, default=default_artifact(),
                       help="where to write the head (.npz and .json beside it)")
    train.add_argument("--hidden", type=int, default=TrainingSettings.hidden,
                       help="hidden units (0: a linear head)")
    train.add_argument("--epochs", type=int, default=TrainingSettings.epochs)
    train.add_argument("--c", type=float, default=TrainingSettings.c,
                       help="inverse regularisation strength, as in logistic regression")
    train.add_argument("--adapter-rank", type=int, default=TrainingSettings.adapter_rank,
                       help="fine-tune MiniLM with LoRA adapters of this rank (0: frozen encoder)")
    train.add_argument("--adapter-epochs", type=int, default=TrainingSettings.adapter_epochs)
    train.add_argument("--generation", type=int, default=TrainingSettings.generation,
                       help="the model generation named in its version string")
    train.set_defaults(handler=run_train)

    ev = commands.add_parser("eval", help="score the triage against a labelled JSONL file")
    ev.add_argument("--data", type=Path, required=True, help="labelled JSONL (datasets/triage)")
    ev.add_argument("--model", type=Path, default=None, help="a head other than the shipped one")
    ev.add_argument("--rules-only", action="store_true", help="score the rule triage alone")
    ev.add_argument("--json", action="store_true", help="print one JSON object")
    ev.add_argument("--errors", type=int, default=0, metavar="N",
                    help="also print up to N misclassified messages")
    ev.set_defaults(handler=run_eval)


class _Bar:
    """A one-line progress bar on stderr (no dependency, works in CI logs too)."""

    def __init__(self) -> None:
        self.stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / max(total, 1))
        end = "\n" if done >= total else ""
        print(f"\r{stage:<16} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}",
              end=end, file=sys.stderr, flush=True)


def run_train(args: argparse.Namespace) -> int:
    train = load_jsonl(args.train)
    dev = load_jsonl(args.dev)
    print(f"train {len(train)} messages, dev {len(dev)}", file=sys.stderr)
    settings = TrainingSettings(
        hidden=args.hidden, epochs=args.epochs, c=args.c,
        generation=args.generation, adapter_rank=args.adapter_rank,
        adapter_epochs=args.adapter_epochs,
    )
    engine = TriageEngine(encoder=Encoder())
    head, card = train_head(train, dev, engine, settings=settings, progress=_Bar())
    head.card["train_label_counts"] = label_counts(train)
    path = head.save(args.output)
    scored = TriageEngine.load(path).score_many(
        [request_for(r) for r in dev]
    )
    dev_report = evaluate(dev, scored)
    head.card["dev"] = {k: v for k, v in dev_report.items() if k not in ("per_label", "legal")}
    head.save(args.output)
    print(f"wrote {path} (version {head.version})")
    print(f"dev: macro-F1 {dev_report['macro_f1']:.3f}, legal recall "
          f"{dev_report['legal_recall']:.3f}, ECE {card['dev_ece']:.3f} "
          f"(before calibration {card['dev_ece_before_calibration']:.3f})")
    return 0


def run_eval(args: argparse.Namespace) -> int:
    gold = load_jsonl(args.data)
    engine = TriageEngine.rules_only() if args.rules_only else TriageEngine.load(args.model)
    scored = engine.score_many([request_for(r) for r in gold])
    report = evaluate(gold, scored)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(format_report(report))
    if args.errors:
        shown = 0
        for g, s in zip(gold, scored, strict=True):
            if set(g.labels) != set(s.triage.labels) and shown < args.errors:
                shown += 1
                print(f"\n{g.id} gold {sorted(g.labels)} got {sorted(s.triage.labels)}"
                      f"\n  {g.text[:300]!r}", file=sys.stderr)
    return 0
