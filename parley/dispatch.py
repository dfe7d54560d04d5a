"""Sends what the outbox holds: re-checks the guard at send time, retries with backoff, once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from agent.process import Processor
from channels.base import BatchSender, OutboundMessage, Sender, SendError
from store import audit, outbox, queue
from store.db import Database
from store.models import OutboxItem

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claimed:
    id: int
    message: OutboundMessage | None
    attempts: int


class Dispatcher:
    def __init__(
        self,
        db: Database,
        processor: Processor,
        senders: Mapping[str, Sender],
        *,
        backoff: Sequence[float] = (1.0, 5.0, 30.0, 120.0),
        max_attempts: int = 8,
    ) -> None:
        self.db = db
        self.processor = processor
        self.senders = senders
        self.backoff = list(backoff) or [1.0]
        self.max_attempts = max_attempts

    def _claim(self, limit: int) -> list[Claimed]:
        """Claim due items and re-check each against the guard in the same transaction."""
        claimed: list[Claimed] = []
        now = datetime.now(UTC)
        with self.db.transaction() as session:
            for item in outbox.claim_due(session, now=now, limit=limit):
                if item.channel not in self.senders:
                    item.status = "pending"
                    item.attempts -= 1
                    item.next_attempt_at = now + timedelta(seconds=30)
                    continue
                verdict = self.processor.recheck(session, item)
                if not verdict.allowed:
                    self._block(session, item, [f"guard:{f.rule}" for f in verdict.failures])
                    continue
                if verdict.send_after is not None and verdict.send_after > now:
                    item.status = "pending"
                    item.attempts -= 1
                    item.next_attempt_at = verdict.send_after
                    continue
                claimed.append(Claimed(item.id, self._outbound(item), item.attempts))
        return claimed

    def _block(self, session: Session, item: OutboxItem, reasons: list[str]) -> None:
        item.status = "blocked"
        audit.record(
            session,
            "outbox.blocked",
            thread_id=item.thread_id,
            account_id=item.account_id,
            data={"outbox_id": item.id, "reasons": reasons},
        )
        queue.enqueue(
            session,
            thread_id=item.thread_id,
            message_id=item.reply_to_message_id,
            reasons=reasons,
            priority=1,
            draft=item.body,
            account_id=item.account_id,
        )

    @staticmethod
    def _outbound(item: OutboxItem) -> OutboundMessage:
        return OutboundMessage(
            channel="sms" if item.channel == "sms" else "email",
            to=item.recipient,
            body=item.body,
            subject=item.subject,
            message_id=item.message_id_header,
            in_reply_to=item.in_reply_to,
            references=tuple(item.references),
        )

    async def run_once(self, limit: int = 20) -> int:
        """Send every due item once; returns how many were handled."""
        claimed = await asyncio.to_thread(self._claim, limit)
        by_channel: dict[str, list[Claimed]] = {}
        for entry in claimed:
            assert entry.message is not None
            by_channel.setdefault(entry.message.channel, []).append(entry)
        for channel, entries in by_channel.items():
            results = await self._send(self.senders[channel], entries)
            for entry, result in zip(entries, results, strict=True):
                if isinstance(result, SendError):
                    log.warning("sending outbox item %s failed: %s", entry.id, result)
                    await asyncio.to_thread(self._failed, entry, result)
                else:
                    await asyncio.to_thread(self._sent, entry.id, result)
        return len(claimed)

    @staticmethod
    async def _send(sender: Sender, entries: list[Claimed]) -> list[str | SendError]:
        messages = [entry.message for entry in entries if entry.message is not None]
        if isinstance(sender, BatchSender) and len(messages) > 1:
            return await sender.send_batch(messages)
        results: list[str | SendError] = []
        for message in messages:
            try:
                results.append(await sender.send(message))
            except SendError as exc:
                results.append(exc)
        return results

    def _sent(self, item_id: int, provider_id: str) -> None:
        with self.db.transaction() as session:
            outbox.mark_sent(session, item_id, provider_id)

    def _failed(self, entry: Claimed, exc: SendError) -> None:
        exhausted = entry.attempts >= self.max_attempts
        retry_in = None
        if not exc.permanent and not exhausted:
            delay = self.backoff[min(entry.attempts - 1, len(self.backoff) - 1)]
            retry_in = timedelta(seconds=delay)
        with self.db.transaction() as session:
            item = outbox.mark_failed(
                session, entry.id, str(exc), permanent=exc.permanent, retry_in=retry_in
            )
            if item.status == "failed":
                queue.enqueue(
                    session,
                    thread_id=item.thread_id,
                    message_id=item.reply_to_message_id,
                    reasons=["send_failed"],
                    priority=2,
                    draft=item.body,
                    account_id=item.account_id,
                )

    async def run(self, stop: asyncio.Event, wake: asyncio.Event, idle: float = 1.0) -> None:
        while not stop.is_set():
            try:
                handled = await self.run_once()
            except Exception:
                log.exception("outbox dispatch failed; retrying")
                handled = 0
            if handled:
                continue
            wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=idle)
