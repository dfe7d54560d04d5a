"""`parley serve`: one process with the IMAP listener, the HTTP server, the worker and the outbox.

The IMAP listener is blocking (imapclient) and runs in a thread; everything else shares one
asyncio loop. Inbound messages are stored by whoever receives them (listener or webhook), then
the worker is woken; on start the worker first drains what an earlier run stored but did not
process, and the dispatcher sends what an earlier run queued but did not send.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

import uvicorn

from agent.config import GuardSettings, PolicySettings
from agent.knowledge import ChromaRetriever
from agent.llm import OpenAIRephraser
from agent.process import Processor
from agent.promises import check_promises
from channels.base import InboundMessage, Sender
from channels.imap import ImapListener
from channels.sms import TwilioSmsSender
from channels.smtp import SmtpSender
from parley.context import Parley
from parley.dispatch import Dispatcher
from parley.settings import Settings
from store import outbox
from store.imap_state import DatabaseImapState
from web.app import WebHandlers, create_app
from web.console import ConsoleService

log = logging.getLogger(__name__)


def build_processor(parley: Parley, *, retriever: ChromaRetriever | None = None) -> Processor:
    settings = parley.settings
    return Processor(
        parley.db,
        guard_settings=GuardSettings.model_validate(settings.guard),
        policy_settings=PolicySettings.model_validate(settings.policy),
        from_address=settings.from_address,
        retriever=retriever,
        rephraser=build_rephraser(settings),
    )


def build_retriever(settings: Settings) -> ChromaRetriever | None:
    """Open the knowledge-base index under the data dir and bring it up to date with the files.

    Slow the first time in a process (the embedding model loads, ~7 s on 2 cores); unchanged
    files are not re-embedded. None when the knowledge base is turned off (PARLEY_KB_ENABLED).
    """
    if not settings.kb_enabled:
        log.info("knowledge base off (PARLEY_KB_ENABLED=false): info requests go to a person")
        return None
    retriever = ChromaRetriever(settings.data_dir / "kb", kb_dir=settings.kb_dir)
    report = retriever.index()
    log.info(
        "knowledge base ready: %d chunks (%d files re-indexed, %d removed)",
        report.chunks,
        len(report.indexed),
        len(report.removed),
    )
    return retriever


def build_rephraser(settings: Settings) -> OpenAIRephraser | None:
    if not settings.llm_base_url:
        return None
    return OpenAIRephraser(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key,
        timeout=settings.llm_timeout,
    )


def build_senders(settings: Settings) -> dict[str, Sender]:
    senders: dict[str, Sender] = {}
    if settings.smtp_enabled:
        senders["email"] = SmtpSender(
            settings.smtp_host,
            settings.smtp_port,
            from_address=settings.from_address,
            reply_to=settings.reply_to or None,
            username=settings.smtp_user or None,
            password=settings.smtp_password or None,
            starttls=settings.smtp_starttls,
            use_tls=settings.smtp_tls,
        )
    if settings.sms_enabled:
        senders["sms"] = TwilioSmsSender(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            settings.twilio_from_number,
            api_base=settings.twilio_api_base or None,
            status_callback_url=settings.public_url.rstrip("/") + "/webhooks/twilio/status",
        )
    return senders


@dataclass
class Service:
    parley: Parley
    processor: Processor
    dispatcher: Dispatcher
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    work: asyncio.Event = field(default_factory=asyncio.Event)
    sends: asyncio.Event = field(default_factory=asyncio.Event)
    ready: bool = False
    loop: asyncio.AbstractEventLoop | None = None
    knowledge: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once the knowledge base is loaded (or failed to): the worker waits for it, so every
    info request gets the same grounded answer; webhooks and IMAP store messages meanwhile."""

    async def load_knowledge(self) -> None:
        try:
            self.processor.retriever = await asyncio.to_thread(
                build_retriever, self.parley.settings
            )
        except Exception:
            log.exception("knowledge base unavailable: information requests go to a person")
        finally:
            self.knowledge.set()

    def wake_worker(self) -> None:
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self.work.set)

    def deliver(self, message: InboundMessage) -> bool:
        """Called by the IMAP thread and the webhook: store durably, then wake the worker."""
        stored = self.processor.receive(message)
        self.wake_worker()
        return stored

    def deliver_email(self, message: InboundMessage) -> None:
        """The IMAP listener flags the message only after this returns: it is stored by then."""
        self.deliver(message)

    def record_delivery(self, sid: str, status: str, error_code: str | None) -> None:
        with self.parley.db.transaction() as session:
            outbox.record_delivery(session, sid, status, error_code)

    async def promise_checker(self) -> None:
        """Reminders before a promised date, verdicts and follow-ups after it (agent.promises)."""
        interval = self.processor.policy_settings.promises.check_interval_seconds
        while not self.stop.is_set():
            try:
                summary = await asyncio.to_thread(
                    check_promises, self.parley.db, self.processor, datetime.now(UTC)
                )
                if summary.reminded or summary.followed_up:
                    self.sends.set()
            except Exception:
                log.exception("promise check failed; retrying at the next interval")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), timeout=interval)

    async def worker(self) -> None:
        await self.knowledge.wait()
        while not self.stop.is_set():
            self.work.clear()
            try:
                outcomes = await asyncio.to_thread(self.processor.process_pending, 50)
            except Exception:
                log.exception("worker failed; retrying")
                outcomes = []
            if outcomes:
                self.sends.set()
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.work.wait(), timeout=1.0)


def _imap_thread(service: Service, stop: threading.Event) -> threading.Thread | None:
    settings = service.parley.settings
    if not settings.email_enabled:
        log.info("no IMAP host configured (PARLEY_IMAP_HOST): email intake is off")
        return None
    listener = ImapListener(
        settings.imap_host,
        settings.imap_port,
        settings.imap_user,
        settings.imap_password,
        ssl=settings.imap_ssl,
        folder=settings.imap_folder,
        processed_folder=settings.imap_processed_folder or None,
        state=DatabaseImapState(service.parley.db),
        deliver=service.deliver_email,
        idle_timeout=settings.imap_idle_timeout,
        poll_interval=settings.imap_poll_interval,
        stop_event=stop,
    )
    thread = threading.Thread(target=listener.run, name="imap-listener", daemon=True)
    thread.start()
    return thread


async def serve(parley: Parley) -> None:
    settings = parley.settings
    processor = build_processor(parley)
    senders = build_senders(settings)
    dispatcher = Dispatcher(
        parley.db,
        processor,
        senders,
        backoff=settings.outbox_backoff_seconds,
        max_attempts=settings.outbox_max_attempts,
    )
    service = Service(parley, processor, dispatcher)
    service.loop = asyncio.get_running_loop()
    handlers = WebHandlers(
        receive_sms=service.deliver,
        record_delivery=service.record_delivery,
        is_ready=lambda: service.ready,
    )
    app = create_app(
        public_url=settings.public_url,
        twilio_auth_token=settings.twilio_auth_token,
        handlers=handlers,
        console=ConsoleService(parley.db, processor),
    )
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=settings.http_host,
            port=settings.http_port,
            log_level="warning",
            lifespan="off",
        )
    )
    # uvicorn captures SIGINT/SIGTERM while it serves and re-raises them once it has stopped;
    # these handlers then stop the worker, the outbox and the IMAP listener.
    for sig in (signal.SIGINT, signal.SIGTERM):
        service.loop.add_signal_handler(sig, service.stop.set)

    imap_stop = threading.Event()
    imap = _imap_thread(service, imap_stop)
    tasks = [
        asyncio.create_task(server.serve(), name="http"),
        asyncio.create_task(service.worker(), name="worker"),
        asyncio.create_task(service.load_knowledge(), name="knowledge"),
        asyncio.create_task(service.promise_checker(), name="promises"),
        asyncio.create_task(dispatcher.run(service.stop, service.sends), name="outbox"),
    ]
    while not server.started and not tasks[0].done():
        await asyncio.sleep(0.05)
    service.ready = True
    log.info(
        "parley serving on http://%s:%s (email in: %s, email out: %s, sms: %s)",
        settings.http_host,
        settings.http_port,
        "on" if imap else "off",
        "on" if "email" in senders else "off",
        "on" if "sms" in senders else "off",
    )
    stopping = asyncio.create_task(service.stop.wait())
    await asyncio.wait([stopping, tasks[0]], return_when=asyncio.FIRST_COMPLETED)
    service.stop.set()
    log.info("stopping")
    imap_stop.set()
    server.should_exit = True
    await asyncio.gather(*tasks, return_exceptions=True)
    if imap is not None:
        await asyncio.to_thread(imap.join, 10)
    for sender in senders.values():
        close = getattr(sender, "close", None)
        if close is not None:
            close()
