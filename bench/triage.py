"""Triage speed: the bare encoder and the full triage side by side, in the same run.

Targets (issue 3): full triage of typical replies at >= 0.8x the bare encoder's batched
throughput; one message at a time p50 <= 40 ms; model load <= 3 s; resident memory <= 1.5 GB.
Absolute speeds differ between machines, so the ratio to the encoder measured in the same
process is the figure that matters.

The messages are the labelled set's own (datasets/triage/*.jsonl): typical replies, email and
SMS, including long emails with quoted history. Full triage runs in the batches `parley triage`
uses (nlp.batch.BATCH). Model load is measured in a fresh interpreter
(imports included), since that is what `parley serve` pays at start.

Run: `python -m bench.triage` (about a minute).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench.common import REPO, percentile, report
from nlp.batch import BATCH

DATA = REPO / "datasets" / "triage"

LOAD_SCRIPT = """
import time
started = time.perf_counter()
from nlp.engine import TriageEngine
engine = TriageEngine.load()
loaded = time.perf_counter() - started
from datetime import datetime, timezone
engine.triage("I'll pay $50 on Friday", received_at=datetime.now(timezone.utc))
print(loaded, time.perf_counter() - started)
"""


def _messages() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for name in ("dev.jsonl", "test.jsonl", "train.jsonl"):
        path = DATA / name
        if path.exists():
            rows.extend(json.loads(line) for line in path.read_text().splitlines() if line)
    return rows


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    from datetime import datetime

    from nlp.engine import TriageEngine, TriageRequest, embedding_text

    load_runs = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", LOAD_SCRIPT], cwd=REPO, capture_output=True, text=True,
            check=True, env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"},
        )
        loaded, first = (float(x) for x in out.stdout.split())
        load_runs.append((loaded, first))
    load_s = sorted(x for x, _ in load_runs)[1]
    first_s = sorted(y for _, y in load_runs)[1]

    engine = TriageEngine.load()
    assert engine.encoder is not None
    records = _messages()[:768]
    requests = [
        TriageRequest(
            text=r["text"], subject=r.get("subject", ""), channel=r.get("channel", "email"),
            received_at=datetime.fromisoformat(r["received_at"]), message_id=r["id"],
            timezone=r.get("timezone"),
        )
        for r in records
    ]
    texts = [embedding_text(r) for r in requests]
    engine.triage_many(requests[:64])  # warm up both paths
    engine.encoder(texts[:64])

    encoder_rates, triage_rates = [], []
    for _ in range(3):
        started = time.perf_counter()
        engine.encoder(texts, batch_size=32)
        encoder_rates.append(len(texts) / (time.perf_counter() - started))
        started = time.perf_counter()
        for i in range(0, len(requests), BATCH):
            engine.triage_many(requests[i : i + BATCH])
        triage_rates.append(len(requests) / (time.perf_counter() - started))
    encoder_rate = sorted(encoder_rates)[1]
    triage_rate = sorted(triage_rates)[1]

    single_encoder, single_triage = [], []
    for r, text in zip(requests[:200], texts[:200], strict=True):
        started = time.perf_counter()
        engine.encoder([text])
        single_encoder.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        engine.triage_many([r])
        single_triage.append((time.perf_counter() - started) * 1000)

    rules_only = TriageEngine.rules_only()
    started = time.perf_counter()
    rules_only.triage_many(requests)
    rules_rate = len(requests) / (time.perf_counter() - started)

    ratio = triage_rate / encoder_rate
    rss = _rss_mib()
    report(
        "triage",
        [
            ("messages", f"{len(requests)} (labelled set: email and SMS)"),
            ("encoder only, batched", f"{encoder_rate:.1f} messages/s"),
            ("full triage, batched", f"{triage_rate:.1f} messages/s "
             f"({ratio:.2f}x the encoder; target >= 0.80x)"),
            ("rules alone", f"{rules_rate:.1f} messages/s"),
            ("encoder only, one message", f"p50 {percentile(single_encoder, 0.5):.1f} ms, "
             f"p95 {percentile(single_encoder, 0.95):.1f} ms"),
            ("full triage, one message", f"p50 {percentile(single_triage, 0.5):.1f} ms, "
             f"p95 {percentile(single_triage, 0.95):.1f} ms (target p50 <= 40 ms)"),
            ("model load (fresh process)", f"{load_s:.2f} s, first result at {first_s:.2f} s "
             "(target <= 3 s)"),
            ("resident memory (peak)", f"{rss:.0f} MiB (target <= 1536 MiB)"),
        ],
        {
            "messages": len(requests),
            "engine": engine.version,
            "encoder_messages_per_s": round(encoder_rate, 1),
            "triage_messages_per_s": round(triage_rate, 1),
            "triage_to_encoder_ratio": round(ratio, 3),
            "rules_messages_per_s": round(rules_rate, 1),
            "single_encoder_ms": {"p50": round(percentile(single_encoder, 0.5), 2),
                                  "p95": round(percentile(single_encoder, 0.95), 2)},
            "single_triage_ms": {"p50": round(percentile(single_triage, 0.5), 2),
                                 "p95": round(percentile(single_triage, 0.95), 2)},
            "model_load_s": round(load_s, 3),
            "first_result_s": round(first_s, 3),
            "peak_rss_mib": round(rss, 1),
        },
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
