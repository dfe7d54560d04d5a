"""Collection KPIs computed from the store, with the definition printed next to each figure.

The same `compute()` feeds the console's KPI page and `parley kpis [--json]`. Windows are the
last 30 days for rates and the last 8 weeks for trends, ending at `now`.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from reports.promises import judge
from store.models import (
    Account,
    AuditEvent,
    LegalStateChange,
    Message,
    OutboxItem,
    Payment,
    Promise,
    QueueItem,
    TriageResult,
)

WINDOW = timedelta(days=30)
WEEKS = 8

DEFINITIONS = {
    "dso_days": "Days sales outstanding, as a collections agency can measure it: the "
    "balance-weighted average number of days open balances are past their due date.",
    "cei_percent": "Collection effectiveness index over the last 30 days: collected in the "
    "period / (collected in the period + balance still open at its end) x 100.",
    "promise_kept_rate": "Promises to pay kept / promises judged (kept + broken). A promise is "
    "kept when payments from its making to its date plus 3 days cover it, broken when that "
    "date has passed without.",
    "automation_rate": "Share of inbound messages in the last 30 days that the agent answered "
    "with no person: an agent reply was queued and the message never went to the human queue.",
    "first_response_hours": "Median hours from a thread's first inbound message to the first "
    "reply sent in it (threads started in the last 30 days).",
    "dispute_cycle_days": "Median days from an account entering dispute_hold to leaving it; "
    "open disputes are counted separately.",
    "queue_open": "Open items in the human queue now.",
    "sla_breaches": "Open items past their SLA due time now, plus items resolved in the last "
    "30 days after theirs.",
    "label_mix": "Triage labels per ISO week over the last 8 weeks.",
    "draft_agreement": "What collectors did with the agent's draft when they handled an item: "
    "sent unchanged, edited then sent, discarded (resolved without sending it), or wrote "
    "from a blank draft.",
}


@dataclass(frozen=True)
class Kpis:
    at: datetime
    dso_days: float | None
    dso_trend: list[tuple[str, float | None]]
    cei_percent: float | None
    promises_kept: int
    promises_broken: int
    promises_pending: int
    promise_kept_rate: float | None
    inbound_30d: int
    automated_30d: int
    automation_rate: float | None
    first_response_hours: float | None
    first_response_threads: int
    dispute_cycle_days: float | None
    disputes_closed: int
    disputes_open: int
    queue_open: int
    sla_breaches_open: int
    sla_breaches_resolved_30d: int
    label_mix: dict[str, dict[str, int]]
    draft_agreement: dict[str, int]
    definitions: dict[str, str] = field(default_factory=lambda: dict(DEFINITIONS))

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["at"] = self.at.isoformat()
        out["dso_trend"] = [{"week_end": w, "dso_days": v} for w, v in self.dso_trend]
        return out


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _dso(session: Session, at: datetime, payments_after: dict[str, Decimal]) -> float | None:
    """Balance as of `at` is today's balance plus what was paid since (accounts imported by
    then only)."""
    weighted = Decimal(0)
    total = Decimal(0)
    for account_id, balance, due in session.execute(
        select(Account.id, Account.balance, Account.due_date).where(Account.imported_at <= at)
    ).all():
        open_then = balance + payments_after.get(account_id, Decimal(0))
        if open_then <= 0:
            continue
        days = max(0, (at.date() - due).days)
        weighted += open_then * days
        total += open_then
    return round(float(weighted / total), 1) if total else None


def _payments_after(session: Session, at: datetime) -> dict[str, Decimal]:
    return {
        account_id: Decimal(amount)
        for account_id, amount in session.execute(
            select(Payment.account_id, func.sum(Payment.amount))
            .where(Payment.paid_at > at)
            .group_by(Payment.account_id)
        ).all()
    }


def compute(session: Session, *, now: datetime | None = None) -> Kpis:
    now = now or datetime.now(UTC)
    since = now - WINDOW

    trend: list[tuple[str, float | None]] = []
    for weeks_back in range(WEEKS - 1, -1, -1):
        at = now - timedelta(weeks=weeks_back)
        trend.append((at.date().isoformat(), _dso(session, at, _payments_after(session, at))))
    dso = trend[-1][1]

    collected = Decimal(
        session.execute(select(func.sum(Payment.amount)).where(Payment.paid_at > since)).scalar()
        or 0
    )
    open_balance = Decimal(
        session.execute(select(func.sum(Account.balance)).where(Account.balance > 0)).scalar() or 0
    )
    cei = (
        round(float(collected / (collected + open_balance) * 100), 1)
        if collected + open_balance
        else None
    )

    payments_by_account: dict[str, list[tuple[Decimal, datetime]]] = {}
    for account_id, amount, at in session.execute(
        select(Payment.account_id, Payment.amount, Payment.paid_at)
    ).all():
        payments_by_account.setdefault(account_id, []).append((amount, at))
    status_counts: Counter[str] = Counter(
        judge(p, payments_by_account.get(p.account_id, []), today=now.date()).status
        for p in session.execute(select(Promise)).scalars()
    )
    kept, broken = status_counts["kept"], status_counts["broken"]

    inbound = int(
        session.execute(
            select(func.count(Message.id)).where(
                Message.direction == "in",
                Message.status == "processed",
                Message.received_at >= since,
            )
        ).scalar()
        or 0
    )
    automated = int(
        session.execute(
            select(func.count(Message.id)).where(
                Message.direction == "in",
                Message.status == "processed",
                Message.received_at >= since,
                exists().where(
                    OutboxItem.reply_to_message_id == Message.id, OutboxItem.author == "agent"
                ),
                ~exists().where(
                    and_(AuditEvent.message_id == Message.id, AuditEvent.kind == "queue.enqueued")
                ),
            )
        ).scalar()
        or 0
    )

    first_in = (
        select(Message.thread_id, func.min(Message.received_at).label("first_in"))
        .where(Message.direction == "in", Message.received_at >= since)
        .group_by(Message.thread_id)
        .subquery()
    )
    first_out = (
        select(Message.thread_id, func.min(Message.received_at).label("first_out"))
        .where(Message.direction == "out")
        .group_by(Message.thread_id)
        .subquery()
    )
    waits: list[float] = []
    for first_in_at, first_out_at in session.execute(
        select(first_in.c.first_in, first_out.c.first_out).join(
            first_out, first_out.c.thread_id == first_in.c.thread_id
        )
    ).all():
        start, end = _aware(first_in_at), _aware(first_out_at)
        if start and end and end >= start:
            waits.append((end - start).total_seconds() / 3600)

    cycles: list[float] = []
    open_disputes = 0
    entered: dict[str, datetime] = {}
    for account_id, old, new, at in session.execute(
        select(
            LegalStateChange.account_id,
            LegalStateChange.old_state,
            LegalStateChange.new_state,
            LegalStateChange.created_at,
        ).order_by(LegalStateChange.id)
    ).all():
        if new == "dispute_hold":
            entered[account_id] = at
        elif old == "dispute_hold" and account_id in entered:
            cycles.append((at - entered.pop(account_id)).total_seconds() / 86400)
    open_disputes = int(
        session.execute(
            select(func.count(Account.id)).where(Account.legal_state == "dispute_hold")
        ).scalar()
        or 0
    )

    queue_open = int(
        session.execute(select(func.count(QueueItem.id)).where(QueueItem.status == "open")).scalar()
        or 0
    )
    breaches_open = int(
        session.execute(
            select(func.count(QueueItem.id)).where(
                QueueItem.status == "open", QueueItem.due_at < now
            )
        ).scalar()
        or 0
    )
    breaches_resolved = int(
        session.execute(
            select(func.count(QueueItem.id)).where(
                QueueItem.status == "resolved",
                QueueItem.resolved_at >= since,
                QueueItem.resolved_at > QueueItem.due_at,
            )
        ).scalar()
        or 0
    )

    mix: dict[str, dict[str, int]] = {}
    week_start = now - timedelta(weeks=WEEKS)
    for created_at, result in session.execute(
        select(TriageResult.created_at, TriageResult.result).where(
            TriageResult.created_at >= week_start
        )
    ).all():
        year, week, _ = created_at.isocalendar()
        key = f"{year}-W{week:02d}"
        bucket = mix.setdefault(key, {})
        for intent in result.get("intents", []):
            label = str(intent.get("label"))
            bucket[label] = bucket.get(label, 0) + 1

    agreement: Counter[str] = Counter()
    for (data,) in session.execute(
        select(AuditEvent.data).where(
            AuditEvent.kind.in_(("console.reply_sent", "console.resolved")),
            AuditEvent.at >= since,
        )
    ).all():
        draft = data.get("draft") if isinstance(data, dict) else None
        if draft:
            agreement[str(draft)] += 1

    return Kpis(
        at=now,
        dso_days=dso,
        dso_trend=trend,
        cei_percent=cei,
        promises_kept=kept,
        promises_broken=broken,
        promises_pending=status_counts["pending"] + status_counts["open"],
        promise_kept_rate=_ratio(kept, kept + broken),
        inbound_30d=inbound,
        automated_30d=automated,
        automation_rate=_ratio(automated, inbound),
        first_response_hours=round(statistics.median(waits), 2) if waits else None,
        first_response_threads=len(waits),
        dispute_cycle_days=round(statistics.median(cycles), 2) if cycles else None,
        disputes_closed=len(cycles),
        disputes_open=open_disputes,
        queue_open=queue_open,
        sla_breaches_open=breaches_open,
        sla_breaches_resolved_30d=breaches_resolved,
        label_mix=dict(sorted(mix.items())),
        draft_agreement={k: agreement[k] for k in ("unchanged", "edited", "discarded", "written")},
    )


def _aware(value: datetime | str | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
