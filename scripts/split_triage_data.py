"""Split datasets/triage/raw/*.jsonl into train, dev and test by family (nlp/dataset.py).

Run once after adding labelled data: `python scripts/split_triage_data.py`. It writes
datasets/triage/{train,dev,test}.jsonl and prints the label counts per split, which go in
datasets/triage/README.md. Families that hold near duplicates (cosine >= 0.92 under MiniLM) are
joined before splitting, so a split never sees a near copy of another split's message.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp.dataset import label_counts, load_jsonl, split_by_family  # noqa: E402
from nlp.encoder import Encoder  # noqa: E402
from nlp.model import LABELS  # noqa: E402


def main() -> int:
    data = ROOT / "datasets" / "triage"
    records = load_jsonl(sorted((data / "raw").glob("*.jsonl")))
    splits = split_by_family(records, Encoder())
    for name, rows in splits.items():
        with (data / f"{name}.jsonl").open("w", encoding="utf-8") as out:
            for r in sorted(rows, key=lambda r: r.id):
                out.write(json.dumps(r.raw, ensure_ascii=False) + "\n")
    counts = {name: label_counts(rows) for name, rows in splits.items()}
    print(f"{'label':<22}" + "".join(f"{n:>8}" for n in splits))
    for label in LABELS:
        print(f"{label:<22}" + "".join(f"{counts[n][label]:>8}" for n in splits))
    print(f"{'messages':<22}" + "".join(f"{len(splits[n]):>8}" for n in splits))
    families = {n: len({r.family for r in rows}) for n, rows in splits.items()}
    print(f"{'families':<22}" + "".join(f"{families[n]:>8}" for n in splits))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
