"""Small stand-ins for the triage result and the ledger, shared by the agent tests."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from agent.facts import AccountFacts


@dataclass(frozen=True)
class FakePromise:
    amount: Decimal | None = None
    currency: str | None = None
    date: date | None = None


@dataclass(frozen=True)
class FakeTriage:
    intents: dict[str, float] = field(default_factory=dict)
    dispute_type: str | None = None
    vulnerability: tuple[str, ...] = ()
    distress: float = 0.0
    promise: FakePromise | None = None
    route: str = "auto"
    reasons: tuple[str, ...] = ()

    @property
    def labels(self) -> frozenset[str]:
        return frozenset(self.intents)

    def confidence(self, label: str) -> float:
        return self.intents.get(label, 0.0)


def triage(*labels: str, confidence: float = 0.95, **kwargs: Any) -> FakeTriage:
    return FakeTriage(intents={label: confidence for label in labels}, **kwargs)


def facts(**changes: Any) -> AccountFacts:
    base = AccountFacts(
        account_id="ACC-20931",
        debtor_name="Dana Levy",
        balance=Decimal("1200.00"),
        currency="USD",
        due_date=date(2026, 3, 1),
        timezone="America/New_York",
        jurisdiction="US",
        legal_state="active",
        known_amounts=frozenset({Decimal("1200.00"), Decimal("150.00")}),
        known_dates=frozenset({date(2026, 3, 1)}),
    )
    return dataclasses.replace(base, **changes)


RECEIVED = datetime.fromisoformat("2026-03-02T15:00:00+00:00")  # a Monday, 10:00 in New York
