"""`parley kpis [--json]`: the console's KPI figures, with their definitions."""

from __future__ import annotations

import argparse
import json
from typing import Any

from parley.context import open_parley
from reports.kpis import compute


def register(commands: Any) -> None:
    parser = commands.add_parser("kpis", help="collection KPIs computed from the store")
    parser.add_argument("--json", action="store_true", help="one JSON object")
    parser.set_defaults(handler=run)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def _num(value: float | None, unit: str) -> str:
    return "—" if value is None else f"{value} {unit}"


def run(args: argparse.Namespace) -> int:
    parley = open_parley()
    try:
        with parley.db.sessions() as session:
            kpis = compute(session)
    finally:
        parley.close()
    if args.json:
        print(json.dumps(kpis.to_json(), indent=2, default=str))
        return 0
    rows = [
        ("DSO", _num(kpis.dso_days, "days"), "dso_days"),
        ("CEI (30 d)", _num(kpis.cei_percent, "%"), "cei_percent"),
        (
            "Promises kept",
            f"{_pct(kpis.promise_kept_rate)} ({kpis.promises_kept} kept, "
            f"{kpis.promises_broken} broken, {kpis.promises_pending} pending)",
            "promise_kept_rate",
        ),
        (
            "Automation rate",
            f"{_pct(kpis.automation_rate)} ({kpis.automated_30d} of {kpis.inbound_30d})",
            "automation_rate",
        ),
        ("First response", _num(kpis.first_response_hours, "h (median)"), "first_response_hours"),
        (
            "Dispute cycle",
            f"{_num(kpis.dispute_cycle_days, 'days (median)')}, {kpis.disputes_open} open",
            "dispute_cycle_days",
        ),
        ("Queue", f"{kpis.queue_open} open, {kpis.sla_breaches_open} past SLA", "queue_open"),
        (
            "Draft agreement",
            ", ".join(f"{k} {v}" for k, v in kpis.draft_agreement.items()),
            "draft_agreement",
        ),
    ]
    for name, value, key in rows:
        print(f"{name:17} {value}")
        print(f"{'':17} {kpis.definitions[key]}")
    print(
        "DSO trend:       "
        + ", ".join(f"{w} {v if v is not None else '—'}" for w, v in kpis.dso_trend)
    )
    return 0
