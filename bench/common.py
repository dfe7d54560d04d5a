"""Shared pieces of the benchmarks: the servers, an account file, and the result table."""

from __future__ import annotations

import json
import platform
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.e2e.conftest import daytime_zone  # noqa: E402

RESULTS = REPO / "bench" / "results"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 0.5) * 1000, 1),
        "p95_ms": round(percentile(values, 0.95) * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
        "mean_ms": round(statistics.fmean(values) * 1000, 1),
    }


def accounts_csv(path: Path, count: int) -> list[tuple[str, str, str]]:
    """`count` debtors in a zone where it is daytime now; returns (account, email, phone)."""
    zone = daytime_zone()
    rows = []
    lines = ["account_id,debtor_name,email,phone,balance,currency,due_date,timezone,jurisdiction"]
    for n in range(count):
        account = f"B-{n:05d}"
        email = f"debtor{n}@bench.example.com"
        phone = f"+1555{n:07d}"
        lines.append(f"{account},Debtor {n},{email},{phone},5000.00,USD,2026-10-01,{zone},US-NY")
        rows.append((account, email, phone))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return rows


def report(name: str, rows: list[tuple[str, str]], data: dict[str, Any]) -> Path:
    width = max(len(label) for label, _ in rows)
    print(f"\n{name}")
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{name}.json"
    payload = {
        "benchmark": name,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": _cpus()},
        **data,
    }
    out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"  written to {out.relative_to(REPO)}")
    return out


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))
