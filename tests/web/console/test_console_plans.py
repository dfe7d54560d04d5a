"""The plan-offer helper: offers the policy allows, inserted as the agent's own offer text,
sent through the guard and recorded as offered so the debtor's "yes" accepts them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select

from agent import guard
from agent.ledger import load_facts
from store import users
from store.models import Account, OutboxItem, PaymentPlan, Promise, QueueItem, Thread
from tests.web.console.conftest import Console, email
from web.console.plans import PlanOffers

# A-300 (Lee Park, 90.00 USD): a question the agent hands to a person, the account stays active.
CALL_ME = "Hi, could someone from your team call me tomorrow afternoon about my account? Thanks"


def _user(console: Console, role: str) -> users.UserView:
    with console.db.sessions() as session:
        found = next(u for u in users.list_users(session) if u.role == role)
    return found


def _lee_item(console: Console) -> int:
    console.processor.receive(
        email(CALL_ME, external_id="<lee1@example.net>", sender="lee@example.net")
    )
    console.processor.process_pending()
    with console.db.sessions() as session:
        item = session.execute(
            select(QueueItem)
            .join(Thread, Thread.id == QueueItem.thread_id)
            .where(Thread.account_id == "A-300", QueueItem.status == "open")
        ).scalar_one()
        account = session.get(Account, "A-300")
        assert account is not None and account.legal_state == "active"
        return item.id


def _dana_item(console: Console) -> int:
    """The fixture's disputed thread: A-100 is on dispute hold."""
    with console.db.sessions() as session:
        return session.execute(
            select(QueueItem.id)
            .join(Thread, Thread.id == QueueItem.thread_id)
            .where(Thread.account_id == "A-100", QueueItem.status == "open")
        ).scalar_one()


def _offers(console: Console, item_id: int) -> PlanOffers:
    from web.console import ConsoleService

    service = ConsoleService(console.db, console.processor)
    return service.plan_options(item_id, _user(console, "collector"))


def test_active_account_gets_instalment_plans_and_a_settlement_needing_approval(
    console: Console,
) -> None:
    offers = _offers(console, _lee_item(console))
    assert offers.reason == ""
    by_key = {o.key: o for o in offers.options}
    # 90.00 over 3 months is 30.00 a month; over 6 or 12 it would fall under the 25 minimum.
    three = by_key["months-3"].terms
    assert [i.amount for i in three.instalments] == [Decimal("30.00")] * 3
    assert "months-6" not in by_key and "months-12" not in by_key
    lowest = by_key["lowest"].terms
    assert [i.amount for i in lowest.instalments] == [Decimal("25.00")] * 3 + [Decimal("15.00")]
    for option in (by_key["months-3"], by_key["lowest"]):
        assert option.terms.total == Decimal("90.00")
        assert all(i.amount >= Decimal("25") for i in option.terms.instalments[:-1])
        assert not option.needs_approval
    settlement = by_key["settlement"]
    assert settlement.terms.kind == "settlement"
    assert settlement.terms.total == Decimal("72.00")  # the 20% maximum discount
    assert settlement.needs_approval and settlement.title == "Settlement (20% off)"
    assert "plan:escalate:settlement_needs_approval" in settlement.reasons


def test_no_offers_on_dispute_hold_or_cease(console: Console) -> None:
    held = _offers(console, _dana_item(console))
    assert held.options == ()
    assert "dispute hold" in held.reason
    item = _lee_item(console)
    with console.db.transaction() as session:
        account = session.get(Account, "A-300")
        assert account is not None
        account.legal_state = "cease"
    ceased = _offers(console, item)
    assert ceased.options == () and "cease" in ceased.reason


def test_collector_sees_the_panel_inserts_a_plan_that_passes_the_guard_and_sends_it(
    console: Console,
) -> None:
    item = _lee_item(console)
    with console.db.sessions() as session:
        thread_id = session.execute(
            select(QueueItem.thread_id).where(QueueItem.id == item)
        ).scalar_one()
    csrf = console.login("collector")
    page = console.client.get(f"/console/threads/{thread_id}")
    assert page.status_code == 200
    assert 'id="plans"' in page.text
    assert 'data-plan="months-3"' in page.text and "3 × $30.00" in page.text
    assert "needs approval" in page.text

    response = console.client.get(f"/console/items/{item}/plans/months-3")
    assert response.status_code == 200
    text = response.json()["text"]
    assert "$30.00" in text and "$90.00" in text

    # Against the ledger alone the plan's figures are unknown; with the plan they pass.
    with console.db.sessions() as session:
        account = session.get(Account, "A-300")
        assert account is not None
        facts = load_facts(session, account)
    bare = guard.check(
        text, channel="email", facts=facts, kind="collector_reply", now=datetime.now(UTC),
        settings=console.processor.guard_settings,
    )  # fmt: skip
    assert {f.rule for f in bare.failures} >= {"amounts_match_ledger"}
    checked = console.client.post(
        f"/console/items/{item}/check", data={"text": text, "plan": "months-3"},
        headers={"x-csrf-token": csrf},
    )  # fmt: skip
    assert checked.json()["allowed"] is True, checked.json()

    sent = console.client.post(
        f"/console/items/{item}/send", data={"text": text, "plan": "months-3", "csrf_token": csrf}
    )
    assert sent.status_code == 303, sent.text
    with console.db.sessions() as session:
        outbox = session.execute(
            select(OutboxItem).where(OutboxItem.author == "collector@example.test")
        ).scalar_one()
        assert outbox.account_id == "A-300" and "$30.00" in outbox.body
        plan = session.execute(
            select(PaymentPlan).where(PaymentPlan.account_id == "A-300")
        ).scalar_one()
        assert plan.status == "offered" and plan.outbox_id == outbox.id
        assert [i["amount"] for i in plan.terms["instalments"]] == ["30.00"] * 3
        # The dispatcher's recheck (ledger only, no console hint) now finds the figures.
        assert console.processor.recheck(session, outbox).allowed


def test_a_plan_the_text_no_longer_quotes_is_not_recorded(console: Console) -> None:
    item = _lee_item(console)
    csrf = console.login("collector")
    text = console.client.get(f"/console/items/{item}/plans/months-3").json()["text"]
    edited = text.replace("$30.00", "$31.00")
    sent = console.client.post(
        f"/console/items/{item}/send", data={"text": edited, "plan": "months-3", "csrf_token": csrf}
    )
    assert sent.status_code == 422
    assert "amounts_match_ledger" in sent.text
    with console.db.sessions() as session:
        assert session.execute(select(PaymentPlan)).first() is None
        sent_by_people = select(OutboxItem).where(OutboxItem.author == "collector@example.test")
        assert session.execute(sent_by_people).first() is None


def test_compliance_may_not_fetch_a_plan_text_and_sees_no_panel(console: Console) -> None:
    item = _lee_item(console)
    console.login("compliance")
    assert console.client.get(f"/console/items/{item}/plans/months-3").status_code == 403
    with console.db.sessions() as session:
        thread_id = session.execute(
            select(QueueItem.thread_id).where(QueueItem.id == item)
        ).scalar_one()
    page = console.client.get(f"/console/threads/{thread_id}")
    assert page.status_code == 200 and 'id="plans"' not in page.text


def test_unknown_plan_key_and_held_account_get_a_clear_refusal(console: Console) -> None:
    console.login("collector")
    held = console.client.get(f"/console/items/{_dana_item(console)}/plans/months-3")
    assert held.status_code == 400 and "dispute hold" in held.text
    item = _lee_item(console)
    unknown = console.client.get(f"/console/items/{item}/plans/months-99")
    assert unknown.status_code == 400 and "not on offer" in unknown.text


def test_the_debtors_yes_accepts_the_plan_a_collector_sent(console: Console) -> None:
    item = _lee_item(console)
    csrf = console.login("collector")
    text = console.client.get(f"/console/items/{item}/plans/months-3").json()["text"]
    sent = console.client.post(
        f"/console/items/{item}/send", data={"text": text, "plan": "months-3", "csrf_token": csrf}
    )
    assert sent.status_code == 303, sent.text
    console.processor.receive(
        email("Yes that works, thanks", external_id="<lee2@example.net>", sender="lee@example.net")
    )
    console.processor.process_pending()
    with console.db.sessions() as session:
        plan = session.execute(select(PaymentPlan)).scalar_one()
        assert plan.status == "accepted"
        promises = (
            session.execute(
                select(Promise).where(Promise.account_id == "A-300").order_by(Promise.due_date)
            )
            .scalars()
            .all()
        )
        assert [p.amount for p in promises] == [Decimal("30.00")] * 3
