"""Promise extraction accuracy over the gold promises of labelled triage files.

For every record with a gold `promise`, the message is triaged by the rules and the promise is
taken as the engine takes it when `promise_to_pay` is predicted: the rules' own promise when the
rules fired `promise_to_pay`, else the text's promise (`RuleAnalysis.text_promise`, the model
path). Prints the amount, currency and date exact-match rates (and all three at once) per file,
then the misses: id, gold, got and the text.

    python scripts/promise_extraction.py datasets/triage/train.jsonl datasets/triage/dev.jsonl
    python scripts/promise_extraction.py --quiet datasets/triage/dev.jsonl   # rates only

Do not run it on datasets/triage/test.jsonl while tuning: that split is scored once, at the end.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp.model import Promise  # noqa: E402
from nlp.triage import analyse  # noqa: E402


@dataclass(frozen=True)
class Outcome:
    id: str
    text: str
    gold: Promise
    got: Promise

    @property
    def amount_ok(self) -> bool:
        return self.gold.amount == self.got.amount

    @property
    def currency_ok(self) -> bool:
        return self.gold.currency == self.got.currency

    @property
    def date_ok(self) -> bool:
        return self.gold.date == self.got.date


def _gold(data: dict[str, Any]) -> Promise:
    amount = data.get("amount")
    when = data.get("date")
    return Promise(
        amount=None if amount is None else Decimal(str(amount)),
        currency=data.get("currency"),
        date=None if when is None else date.fromisoformat(when),
    )


def extract(record: dict[str, Any]) -> Promise:
    """The promise the engine returns for this record when promise_to_pay is predicted."""
    received_at = datetime.fromisoformat(record["received_at"])
    zone = record.get("timezone")
    analysis = analyse(
        record["text"], subject=record.get("subject", ""), channel=record.get("channel", "email"),
        received_at=received_at, message_id=record["id"], timezone=zone,
    )
    return analysis.triage.promise or analysis.text_promise or Promise()


def evaluate(path: Path) -> list[Outcome]:
    out: list[Outcome] = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            record = json.loads(line)
            if not record.get("promise"):
                continue
            out.append(Outcome(record["id"], record["text"], _gold(record["promise"]),
                               extract(record)))
    return out


def _show(p: Promise) -> str:
    amount = "-" if p.amount is None else f"{p.amount.normalize():f}"
    return f"{amount} {p.currency or '-'} {p.date.isoformat() if p.date else '-'}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--quiet", action="store_true", help="rates only, no misses")
    args = parser.parse_args(argv)
    for path in args.files:
        if path.name == "test.jsonl":
            print(f"{path}: the held-out split is scored once, at the end; skipped",
                  file=sys.stderr)
            continue
        outcomes = evaluate(path)
        n = len(outcomes) or 1
        amount = sum(o.amount_ok for o in outcomes)
        currency = sum(o.currency_ok for o in outcomes)
        when = sum(o.date_ok for o in outcomes)
        every = sum(o.amount_ok and o.currency_ok and o.date_ok for o in outcomes)
        print(f"{path}: {len(outcomes)} gold promises  amount {amount / n:.3f} ({amount})  "
              f"currency {currency / n:.3f} ({currency})  date {when / n:.3f} ({when})  "
              f"all {every / n:.3f} ({every})")
        if args.quiet:
            continue
        for o in outcomes:
            if o.amount_ok and o.currency_ok and o.date_ok:
                continue
            wrong = ",".join(k for k, ok in (("amount", o.amount_ok), ("currency", o.currency_ok),
                                               ("date", o.date_ok)) if not ok)
            text = " ".join(o.text.split())
            print(f"  {o.id} [{wrong}] gold {_show(o.gold)} | got {_show(o.got)}\n"
                  f"      {text[:300]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
