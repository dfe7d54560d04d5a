"""The contact report for one account: attempts per channel per 7 days, any send outside the
allowed hours in the debtor's zone (there should be none), and suppressions with their start."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from agent.config import AllowedHours
from store.models import Account, ContactAttempt, Debtor, Message, Suppression, Thread

WINDOWS = 8


class AccountNotFound(LookupError):
    def __init__(self, account_id: str) -> None:
        super().__init__(f"account {account_id!r} does not exist; check the id on the thread page")


@dataclass(frozen=True)
class WindowRow:
    start: datetime
    end: datetime
    counts: dict[str, int]


@dataclass(frozen=True)
class OffHoursSend:
    message_id: int
    channel: str
    sent_at: datetime
    local_time: str


@dataclass(frozen=True)
class SuppressionRow:
    channel: str
    address: str
    kind: str
    since: datetime
    lifted_at: datetime | None


@dataclass(frozen=True)
class ContactReport:
    account_id: str
    debtor: str
    timezone: str
    legal_state: str
    windows: list[WindowRow]
    total_sent: int
    off_hours: list[OffHoursSend]
    suppressions: list[SuppressionRow]


def contact_report(
    session: Session, account_id: str, *, allowed: AllowedHours, now: datetime
) -> ContactReport:
    account = session.get(Account, account_id)
    if account is None:
        raise AccountNotFound(account_id)
    debtor = session.get(Debtor, account.debtor_id)
    assert debtor is not None
    windows: list[WindowRow] = []
    for index in range(WINDOWS):
        end = now - timedelta(days=7 * index)
        start = end - timedelta(days=7)
        counts = {
            channel: int(count)
            for channel, count in session.execute(
                select(ContactAttempt.channel, func.count())
                .where(
                    ContactAttempt.account_id == account_id,
                    ContactAttempt.at >= start,
                    ContactAttempt.at < end,
                )
                .group_by(ContactAttempt.channel)
            ).all()
        }
        windows.append(WindowRow(start, end, counts))
    try:
        zone = ZoneInfo(debtor.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("America/New_York")
    thread_ids = select(Thread.id).where(Thread.account_id == account_id)
    sent = list(
        session.execute(
            select(Message).where(Message.thread_id.in_(thread_ids), Message.direction == "out")
        ).scalars()
    )
    off_hours = []
    for message in sent:
        local = message.received_at.astimezone(zone)
        if not allowed.start <= local.hour < allowed.end:
            off_hours.append(
                OffHoursSend(message.id, message.channel, message.received_at, f"{local:%H:%M}")
            )
    addresses = [a.lower() for a in (debtor.email, debtor.phone) if a]
    suppressions = [
        SuppressionRow(s.channel, s.address, s.kind, s.created_at, s.lifted_at)
        for s in session.execute(
            select(Suppression)
            .where(
                or_(
                    func.lower(Suppression.address).in_(addresses),
                    Suppression.debtor_id == debtor.id,
                )
            )
            .order_by(Suppression.created_at)
        ).scalars()
    ]
    return ContactReport(
        account_id=account.id,
        debtor=debtor.name,
        timezone=debtor.timezone,
        legal_state=account.legal_state,
        windows=windows,
        total_sent=len(sent),
        off_hours=off_hours,
        suppressions=suppressions,
    )
