"""What the console can do, as plain methods: each opens one transaction, calls the store,
`reports` and the agent's Processor, and records the console action with the user as actor.

Route handlers only translate HTTP to these calls and back; no rule of the business lives in
them or in a template.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent import guard, policy, templates
from agent.facts import AccountFacts
from agent.ledger import load_facts
from agent.process import GuardBlocked, Processor
from reports import kpis as kpi_report
from reports.contact import ContactReport, contact_report
from reports.queue import QueueFilter, QueuePage, next_item_id, queue_page
from reports.search import SearchPage, SearchQuery, search
from reports.thread import ThreadView, thread_view
from store import audit, queue, users
from store.db import Database
from store.inbox import VERIFIED_METHODS
from store.models import Account, Message, PaymentPlan, QueueItem, Thread
from store.users import SessionInfo, SignIn, UserView
from web.console.plans import PlanOffers, PlanOption, offer_options, quotes_plan

MAX_DRAFT_CHARS = 100_000
"""Far above any channel's limit (the guard's own length rule says by how much); a larger
draft is refused before any rule runs on it."""

DraftUse = Literal["unchanged", "edited", "written", "discarded"]


class ConsoleError(Exception):
    """An action the user asked for cannot be done; the message is shown to them as is."""

    status = 400


class ItemClosed(ConsoleError):
    status = 409


class NotYours(ConsoleError):
    status = 403


@dataclass(frozen=True)
class SendResult:
    outbox_id: int | None
    verdict: guard.Verdict


def draft_use(agent_draft: str, sent: str | None) -> DraftUse:
    """How the person used the agent's draft: the agreement figure on the KPI page."""
    if not agent_draft.strip():
        return "written"
    if sent is None:
        return "discarded"
    return "unchanged" if " ".join(sent.split()) == " ".join(agent_draft.split()) else "edited"


class ConsoleService:
    def __init__(self, db: Database, processor: Processor) -> None:
        self.db = db
        self.processor = processor

    def now(self) -> datetime:
        return self.processor.clock()

    # --- sign-in -------------------------------------------------------------------------------

    def sign_in(self, email: str, password: str, client: str) -> tuple[SignIn, str, str]:
        with self.db.transaction() as session:
            result = users.authenticate(session, email, password, client=client)
            if result.user is None:
                return result, "", ""
            token, csrf = users.open_session(session, result.user.id)
            return result, token, csrf

    def session_for(self, token: str) -> SessionInfo | None:
        with self.db.sessions() as session:
            return users.lookup_session(session, token)

    def sign_out(self, token: str, actor: str) -> None:
        with self.db.transaction() as session:
            users.close_session(session, token, actor=actor)

    def change_password(self, user: UserView, password: str) -> None:
        with self.db.transaction() as session:
            users.set_password(session, user.email, password, actor=user.email)

    # --- queue and threads ---------------------------------------------------------------------

    def queue(self, flt: QueueFilter, page: int) -> QueuePage:
        with self.db.sessions() as session:
            return queue_page(session, flt, page=page, now=self.now())

    def next_thread(self, after_item: int | None) -> int | None:
        with self.db.sessions() as session:
            item_id = next_item_id(session, after_item)
            if item_id is None:
                return None
            item = session.get(QueueItem, item_id)
            return item.thread_id if item else None

    def thread(self, thread_id: int, user: UserView, *, transcript: bool = False) -> ThreadView:
        with self.db.transaction() as session:
            view = thread_view(session, thread_id, now=self.now(), with_audit=transcript)
            audit.record(
                session,
                "console.transcript_viewed" if transcript else "console.thread_viewed",
                actor=user.email,
                thread_id=thread_id,
                account_id=view.account.account_id if view.account else None,
            )
            return view

    def starter_draft(self, view: ThreadView) -> str:
        """The agent's draft when it left one; else a greeting and the lines every reply needs
        (disclosure, opt-out), so the person writes only the middle."""
        if view.open_item_draft.strip():
            return view.open_item_draft
        settings = self.processor.guard_settings
        disclosure = settings.disclosure_for(view.jurisdiction) if view.jurisdiction else ""
        opt_out = settings.opt_out_instructions.get(view.channel, "")
        if view.channel == "sms":
            return f"{disclosure} {opt_out}".strip()
        name = (view.debtor_name or "").split(" ")[0]
        greeting = f"Hello {name}," if name else "Hello,"
        return f"{greeting}\n\n\n\n{disclosure}\n{opt_out}\n"

    def preview(self, item_id: int, text: str, plan_key: str = "") -> guard.Verdict:
        """The guard's verdict on a draft without sending it (not an audit event: it runs as
        the person types; the verdict on the text actually sent is recorded at send). With the
        key of an inserted plan, the plan's figures count as quotable, as they will at send."""
        if len(text) > MAX_DRAFT_CHARS:
            return _too_long(text)
        with self.db.sessions() as session:
            item = queue.get(session, item_id)
            thread = session.get(Thread, item.thread_id)
            assert thread is not None
            account = session.get(Account, thread.account_id) if thread.account_id else None
            facts = load_facts(session, account, now=self.now()) if account else None
            chosen = self._chosen_plan(session, item, plan_key, text) if plan_key else None
            if chosen is not None and facts is not None:
                facts = facts.with_terms(amounts=chosen.terms.amounts, dates=chosen.terms.dates)
            return guard.check(
                text,
                channel=thread.channel,
                facts=facts,
                kind="collector_reply",
                now=self.now(),
                settings=self.processor.guard_settings,
            )

    def send(self, item_id: int, text: str, user: UserView, plan_key: str = "") -> SendResult:
        """Guard, outbox, then the item is resolved as replied; a blocked text changes nothing
        but the audit log (the verdict and the attempt are recorded).

        `plan_key` names the plan the collector inserted (`plan_options`); its terms are
        recomputed here, and recorded as offered only if the text still quotes them."""
        if len(text) > MAX_DRAFT_CHARS:
            verdict = _too_long(text)
            self._record_blocked(item_id, user, verdict)
            return SendResult(None, verdict)
        agent_draft = self._check_open(item_id, user)
        chosen: PlanOption | None = None
        if plan_key:
            with self.db.sessions() as session:
                chosen = self._chosen_plan(session, queue.get(session, item_id), plan_key, text)
        try:
            sent = self.processor.reply_from_person(
                item_id,
                text,
                actor=user.email,
                resolve_as="replied",
                plan=chosen.terms if chosen else None,
                plan_reasons=chosen.reasons if chosen else (),
            )
        except queue.QueueItemClosed as exc:
            raise ItemClosed(self._closed_message(item_id)) from exc
        except GuardBlocked as blocked:
            self._record_blocked(item_id, user, blocked.verdict)
            return SendResult(None, blocked.verdict)
        with self.db.transaction() as session:
            item = queue.get(session, item_id)
            plan_id = session.execute(
                select(PaymentPlan.id).where(PaymentPlan.outbox_id == sent.id)
            ).scalar()
            audit.record(
                session,
                "console.reply_sent",
                actor=user.email,
                thread_id=item.thread_id,
                data={
                    "queue_item": item_id,
                    "outbox_id": sent.id,
                    "draft": draft_use(agent_draft, text),
                    "plan": {"key": chosen.key, "plan_id": plan_id} if chosen else None,
                },
            )
        return SendResult(sent.id, guard.Verdict(allowed=True, failures=()))

    # --- plan offers ----------------------------------------------------------------------------

    def plan_options(self, item_id: int, user: UserView) -> PlanOffers:
        """The offers the policy allows on this item's account today, or none and why.

        `user` is accepted for symmetry with the other item actions; listing offers changes
        nothing, so it is not an audit event (sending one is, with its plan)."""
        del user
        with self.db.sessions() as session:
            offers, _ = self._offers(session, self._item(session, item_id))
            return offers

    def plan_draft(self, item_id: int, key: str, user: UserView) -> str:
        """The plan_offer template filled with the plan named `key`, for the draft box: the
        same words and figures the agent sends when it offers a plan itself."""
        del user
        with self.db.sessions() as session:
            item = self._item(session, item_id)
            offers, facts = self._offers(session, item)
            option = offers.find(key)
            if option is None or facts is None:
                raise ConsoleError(
                    f"plan {key!r} is not on offer for this account now"
                    + (f" ({offers.reason})" if offers.reason else "")
                    + "; reload the page to see the current options"
                )
            thread = session.get(Thread, item.thread_id)
            assert thread is not None
            offer = policy.Decision(
                action="offer_plan",
                template="plan_offer",
                reasons=option.reasons,
                priority=4,
                escalate=False,
                plan=option.terms,
                sla_hours=0,
            )
            quotable = facts.with_terms(amounts=option.terms.amounts, dates=option.terms.dates)
            try:
                return templates.render(
                    "plan_offer",
                    thread.channel,
                    quotable,
                    offer,
                    self.processor.policy_settings,
                    guard=self.processor.guard_settings,
                ).body
            except templates.TemplateError as exc:
                raise ConsoleError(
                    f"the plan_offer template for {thread.channel} cannot be filled ({exc}); "
                    "fix prompts/plan_offer.*.txt"
                ) from exc

    def _item(self, session: Session, item_id: int) -> QueueItem:
        try:
            return queue.get(session, item_id)
        except queue.QueueItemNotFound as exc:
            raise ConsoleError(str(exc)) from exc

    def _offers(self, session: Session, item: QueueItem) -> tuple[PlanOffers, AccountFacts | None]:
        """R20/R28: offers only to a verified debtor, on an account that may get one."""
        thread = session.get(Thread, item.thread_id)
        assert thread is not None
        message = session.get(Message, item.message_id) if item.message_id else None
        if message is None:
            return PlanOffers((), "this item answers no message, so no offer can be made"), None
        if thread.debtor_id is None or message.match_method not in VERIFIED_METHODS:
            return (
                PlanOffers(
                    (),
                    "the sender is not verified as the debtor on file; no account details or "
                    "offers may be sent to them",
                ),
                None,
            )
        account = session.get(Account, thread.account_id) if thread.account_id else None
        if account is None:
            return PlanOffers((), "this thread is not linked to an account"), None
        facts = load_facts(session, account, now=self.now())
        offers = offer_options(facts, now=self.now(), settings=self.processor.policy_settings.plans)
        return offers, facts

    def _chosen_plan(
        self, session: Session, item: QueueItem, key: str, text: str
    ) -> PlanOption | None:
        """The named plan if it is still on offer and `text` still quotes it."""
        option = self._offers(session, item)[0].find(key)
        return option if option is not None and quotes_plan(text, option.terms) else None

    def resolve(self, item_id: int, outcome: str, user: UserView) -> None:
        outcome = " ".join(outcome.split())[:500]
        if not outcome:
            raise ConsoleError("say how the item was resolved (the outcome field is empty)")
        agent_draft = self._check_open(item_id, user)
        with self.db.transaction() as session:
            try:
                item = queue.resolve(session, item_id, actor=user.email, outcome=outcome)
            except queue.QueueItemClosed as exc:
                raise ItemClosed(self._closed_message(item_id)) from exc
            audit.record(
                session,
                "console.resolved",
                actor=user.email,
                thread_id=item.thread_id,
                data={
                    "queue_item": item_id,
                    "outcome": outcome,
                    "draft": draft_use(agent_draft, None) if agent_draft.strip() else None,
                },
            )

    def claim(self, item_id: int, user: UserView) -> None:
        with self.db.transaction() as session:
            self._assign(session, item_id, user.email, user, claim=True)

    def assign(self, item_id: int, assignee: str, user: UserView) -> None:
        with self.db.transaction() as session:
            self._assign(session, item_id, assignee, user, claim=False)

    def _assign(
        self, session: Session, item_id: int, email: str, user: UserView, *, claim: bool
    ) -> None:
        try:
            users.assign(session, item_id, email, actor=user.email, claim=claim)
        except (users.AssignmentError, users.UserNotFound) as exc:
            raise ConsoleError(str(exc)) from exc

    def workers(self) -> list[UserView]:
        with self.db.sessions() as session:
            return [
                u
                for u in users.list_users(session)
                if u.active and u.role in ("collector", "supervisor")
            ]

    def _check_open(self, item_id: int, user: UserView) -> str:
        """The item's agent draft; raises when the item is closed or a collector would act on
        an item someone else holds (supervisors may act on any)."""
        with self.db.sessions() as session:
            try:
                item = queue.get(session, item_id)
            except queue.QueueItemNotFound as exc:
                raise ConsoleError(str(exc)) from exc
            if item.status != "open":
                raise ItemClosed(self._closed_message(item_id, item))
            holder = users.assignee_of(session, item_id)
            if user.role == "collector" and holder not in (None, user.email):
                raise NotYours(
                    f"queue item {item_id} is assigned to {holder}; ask a supervisor to reassign it"
                )
            return item.draft or ""

    def _closed_message(self, item_id: int, item: QueueItem | None = None) -> str:
        if item is None:
            with self.db.sessions() as session:
                item = session.get(QueueItem, item_id)
        who = item.resolved_by if item and item.resolved_by else "someone else"
        when = f" at {item.resolved_at:%Y-%m-%d %H:%M} UTC" if item and item.resolved_at else ""
        outcome = f" ({item.outcome})" if item and item.outcome else ""
        return (
            f"queue item {item_id} was already resolved by {who}{when}{outcome}; nothing was sent"
        )

    def _record_blocked(self, item_id: int, user: UserView, verdict: guard.Verdict) -> None:
        with self.db.transaction() as session:
            item = session.get(QueueItem, item_id)
            audit.record(
                session,
                "console.reply_blocked",
                actor=user.email,
                thread_id=item.thread_id if item else None,
                data={
                    "queue_item": item_id,
                    "failures": [{"rule": f.rule, "excerpt": f.excerpt} for f in verdict.failures],
                },
            )

    # --- compliance ----------------------------------------------------------------------------

    def search(self, q: SearchQuery, page: int, user: UserView) -> SearchPage:
        with self.db.transaction() as session:
            result = search(session, q, page=page)
            if not q.empty:
                audit.record(
                    session,
                    "console.searched",
                    actor=user.email,
                    data={
                        "text": q.text[:200],
                        "since": q.since.isoformat() if q.since else None,
                        "until": q.until.isoformat() if q.until else None,
                        "label": q.label,
                        "legal_state": q.legal_state,
                        "guard_rule": q.guard_rule,
                        "author": q.author,
                        "results": result.total,
                    },
                )
            return result

    def verify(self, user: UserView) -> audit.Verification:
        with self.db.sessions() as session:
            result = audit.verify(session)
        with self.db.transaction() as session:
            audit.record(
                session,
                "console.audit_verified",
                actor=user.email,
                data={"ok": result.ok, "checked": result.checked, "first_bad": result.first_bad_id},
            )
        return result

    def export(
        self,
        fmt: str,
        user: UserView,
        *,
        thread_id: int | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> str:
        """The same rows and format as `parley audit export`."""
        if fmt not in ("jsonl", "csv"):
            raise ConsoleError(f"unknown export format {fmt!r}; use jsonl or csv")
        start = datetime.combine(since, time(), UTC) if since else None
        end = datetime.combine(until + timedelta(days=1), time(), UTC) if until else None
        with self.db.sessions() as session:
            text = audit.export_text(
                audit.events(session, thread_id=thread_id, since=start, until=end), fmt
            )
        with self.db.transaction() as session:
            audit.record(
                session,
                "console.exported",
                actor=user.email,
                thread_id=thread_id,
                data={
                    "format": fmt,
                    "since": since.isoformat() if since else None,
                    "until": until.isoformat() if until else None,
                    "bytes": len(text.encode("utf-8")),
                },
            )
        return text

    def kpis(self) -> kpi_report.Kpis:
        with self.db.sessions() as session:
            return kpi_report.compute(session, now=self.now())

    def contact_report(self, account_id: str, user: UserView) -> ContactReport:
        with self.db.transaction() as session:
            report = contact_report(
                session,
                account_id,
                allowed=self.processor.guard_settings.allowed_hours,
                now=self.now(),
            )
            audit.record(session, "console.contact_report", actor=user.email, account_id=account_id)
            return report

    # --- users ---------------------------------------------------------------------------------

    def users(self) -> list[UserView]:
        with self.db.sessions() as session:
            return users.list_users(session)

    def add_user(self, email: str, role: str, user: UserView) -> tuple[UserView, str]:
        password = users.generate_password()
        with self.db.transaction() as session:
            try:
                added = users.add_user(
                    session, email, role, password, actor=user.email, must_change_password=True
                )
            except users.UserError as exc:
                raise ConsoleError(str(exc)) from exc
        return added, password

    def disable_user(self, email: str, user: UserView) -> None:
        if email.strip().lower() == user.email:
            raise ConsoleError("you cannot disable yourself; ask another admin")
        with self.db.transaction() as session:
            try:
                users.disable_user(session, email, actor=user.email)
            except users.UserNotFound as exc:
                raise ConsoleError(str(exc)) from exc

    def thread_of_item(self, item_id: int) -> int | None:
        with self.db.sessions() as session:
            return session.execute(
                select(QueueItem.thread_id).where(QueueItem.id == item_id)
            ).scalar()


def _too_long(text: str) -> guard.Verdict:
    return guard.Verdict(
        allowed=False,
        failures=(
            guard.RuleFailure(
                rule="length",
                reason=f"the draft has {len(text):,} characters; no channel sends more than "
                f"{MAX_DRAFT_CHARS:,} (email's own limit is lower); shorten it",
            ),
        ),
    )
