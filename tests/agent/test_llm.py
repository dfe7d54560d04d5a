"""The optional LLM: its wording is used only when the guard passes and every figure is kept.

The "model" is a local server speaking the OpenAI chat API (tests/support/openai_api.py), reached
through the real LangChain client; the knowledge base is a fixed fake here (the real index is
tested in test_knowledge.py), so these tests need no embedding model.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from agent.config import GuardSettings, PolicySettings
from agent.guard import sms_segments
from agent.knowledge import Passage
from agent.llm import OpenAIRephraser, figures, rephrase_within_frame
from agent.process import Processor
from channels.base import InboundMessage, OutboundMessage
from parley.dispatch import Dispatcher
from store.db import Database
from store.importer import import_accounts
from store.models import AuditEvent, QueueItem
from tests.support.openai_api import FakeOpenAIApi, Messages, draft_of

NOON_NEW_YORK = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
PAY_ONLINE = Passage(
    source="payment-methods.md",
    heading="Paying online",
    text="The quickest way to pay is our secure payment portal, linked in every message we "
    "send you. You can pay by debit card or directly from your bank account.",
    score=0.7,
    chunk_id="payment-methods.md#1:abc",
)
DRAFT = (
    "Hello Dana, the balance on your account ending 100 is $1,250.00, due Thursday 1 October "
    "2026.\n\nThis is a communication from a debt collector.\n"
)


class FixedRetriever:
    def __init__(self, passages: list[Passage]) -> None:
        self.passages = passages
        self.queries: list[str] = []

    def search(self, query: str, k: int) -> list[Passage]:
        self.queries.append(query)
        return self.passages[:k]


class Recorder:
    def __init__(self) -> None:
        self.sent: list[OutboundMessage] = []

    async def send(self, message: OutboundMessage) -> str:
        self.sent.append(message)
        return f"SM{len(self.sent):032d}"


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAIApi]:
    with FakeOpenAIApi() as api:
        yield api


def rephraser(api: FakeOpenAIApi) -> OpenAIRephraser:
    return OpenAIRephraser(base_url=api.base_url, model="fake-model", api_key="k", timeout=10)


def friendlier(messages: Messages) -> str:
    return "Hi there! " + draft_of(messages)


def test_figures_reads_amounts_and_dates_as_values() -> None:
    amounts, dates = figures("Pay $1,250.00 or USD 20 on 1 October 2026 or October 1, 2026.")
    assert sorted(amounts) == [20, 1250]
    assert len(set(dates)) == 1 and len(dates) == 2


def test_safe_wording_is_used(fake_llm: FakeOpenAIApi) -> None:
    fake_llm.reply = friendlier
    result = rephrase_within_frame(
        DRAFT, channel="email", rephraser=rephraser(fake_llm), allowed=lambda text: ()
    )
    assert result.used_llm and result.text.startswith("Hi there! Hello Dana")
    [request] = fake_llm.requests
    assert request["model"] == "fake-model" and request["temperature"] == 0
    assert request["messages"][0]["role"] == "system"
    assert "Keep every fact exactly" in request["messages"][0]["content"]
    sent_headers = {name.lower(): value for name, value in fake_llm.headers[0].items()}
    assert sent_headers.get("authorization") == "Bearer k"


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (lambda m: draft_of(m).replace("$1,250.00", "$125.00"), "figures_changed"),
        (lambda m: draft_of(m).replace("Thursday 1 October 2026", "tomorrow"), "figures_changed"),
        (lambda m: draft_of(m) + "\nPay $50 extra today.", "figures_changed"),
        (lambda m: "", "empty"),
    ],
    ids=["wrong_amount", "dropped_date", "invented_amount", "empty"],
)
def test_changed_figures_keep_the_template(
    fake_llm: FakeOpenAIApi, reply: Callable[[Messages], str], reason: str
) -> None:
    fake_llm.reply = reply
    result = rephrase_within_frame(
        DRAFT, channel="email", rephraser=rephraser(fake_llm), allowed=lambda text: ()
    )
    assert not result.used_llm and result.text == DRAFT and result.reason == reason


def test_guard_failure_keeps_the_template(fake_llm: FakeOpenAIApi) -> None:
    fake_llm.reply = lambda m: draft_of(m) + "Pay or we will have you arrested."
    result = rephrase_within_frame(
        DRAFT,
        channel="email",
        rephraser=rephraser(fake_llm),
        allowed=lambda text: ("prohibited_language",) if "arrested" in text else (),
    )
    assert not result.used_llm and result.text == DRAFT
    assert result.reason == "guard:prohibited_language"


def test_server_error_keeps_the_template() -> None:
    with FakeOpenAIApi(status=500) as api:
        result = rephrase_within_frame(
            DRAFT, channel="sms", rephraser=rephraser(api), allowed=lambda text: ()
        )
    assert not result.used_llm and result.text == DRAFT and result.reason.startswith("llm_error")


def test_unreachable_server_keeps_the_template() -> None:
    with FakeOpenAIApi() as api:
        url = api.base_url
    result = rephrase_within_frame(
        DRAFT,
        channel="sms",
        rephraser=OpenAIRephraser(base_url=url, model="m", timeout=5),
        allowed=lambda text: (),
    )
    assert not result.used_llm and result.reason.startswith("llm_error")


# --- through the Processor: grounded info replies, with and without the model -----------------


def make_processor(db: Database, accounts_csv: Path, **extra: Any) -> Processor:
    with db.transaction() as session:
        import_accounts(session, accounts_csv)
    return Processor(
        db,
        guard_settings=GuardSettings(),
        policy_settings=PolicySettings(company_name="Acme Recovery Services"),
        from_address="collections@example.test",
        clock=lambda: NOON_NEW_YORK,
        **extra,
    )


def ask(processor: Processor, body: str, channel: str = "email") -> list[OutboundMessage]:
    processor.receive(
        InboundMessage(
            channel=channel,
            external_id=f"<{body[:20]}@x>",
            sender="dana@example.com" if channel == "email" else "+15550100001",
            recipient="collections@example.test",
            subject="Re: your account" if channel == "email" else "",
            body=body,
            received_at=NOON_NEW_YORK,
        )
    )
    processor.process_pending()
    recorder = Recorder()
    dispatcher = Dispatcher(processor.db, processor, {"email": recorder, "sms": recorder})
    while asyncio.run(dispatcher.run_once()):
        pass
    return recorder.sent


def events(db: Database, kind: str) -> list[dict[str, Any]]:
    with db.transaction() as session:
        rows = session.execute(select(AuditEvent).where(AuditEvent.kind == kind)).scalars()
        return [dict(row.data) for row in rows]


def test_info_reply_quotes_ledger_and_passage_and_records_sources(
    db: Database, accounts_csv: Path
) -> None:
    retriever = FixedRetriever([PAY_ONLINE])
    processor = make_processor(db, accounts_csv, retriever=retriever)
    [sent] = ask(processor, "What is my balance and how can I pay?")
    assert "$1,250.00" in sent.body and "secure payment portal" in sent.body
    assert "debt collector" in sent.body
    assert retriever.queries == ["What is my balance and how can I pay?"]
    [grounded] = events(db, "reply.grounded")
    assert grounded["sources"] == ["payment-methods.md"]
    assert grounded["chunk_ids"] == ["payment-methods.md#1:abc"]


def test_sms_info_reply_fits_two_segments(db: Database, accounts_csv: Path) -> None:
    short = Passage(source="faq.md", heading="Pay", text="Pay online or by phone. More.", score=0.8)
    processor = make_processor(db, accounts_csv, retriever=FixedRetriever([short]))
    [sent] = ask(processor, "how do I pay this", channel="sms")
    assert "$1,250.00" in sent.body and "Pay online or by phone." in sent.body
    assert "More." not in sent.body  # an SMS quotes only the passage's first sentence
    assert "Reply STOP" in sent.body and sms_segments(sent.body) <= 2
    assert events(db, "reply.grounded")[0]["sources"] == ["faq.md"]


def test_sms_too_short_for_a_passage_gives_balance_and_link(
    db: Database, accounts_csv: Path
) -> None:
    processor = make_processor(db, accounts_csv, retriever=FixedRetriever([PAY_ONLINE]))
    [sent] = ask(processor, "how do I pay this", channel="sms")
    assert "$1,250.00" in sent.body and "https://pay.parley.invalid" in sent.body
    assert "secure payment portal" not in sent.body and sms_segments(sent.body) <= 2
    assert events(db, "reply.grounded")[0]["sources"] == []


def test_passage_the_guard_rejects_is_not_quoted(db: Database, accounts_csv: Path) -> None:
    bad = Passage(
        source="old.md", heading="x", text="Pay $99 now or we will take you to court.", score=0.9
    )
    processor = make_processor(db, accounts_csv, retriever=FixedRetriever([bad, PAY_ONLINE]))
    [sent] = ask(processor, "how can I pay?")
    assert "court" not in sent.body and "$99" not in sent.body
    assert "secure payment portal" in sent.body
    assert events(db, "reply.grounded")[0]["sources"] == ["payment-methods.md"]


def test_no_passage_or_no_knowledge_base_goes_to_a_person(
    db: Database, accounts_csv: Path
) -> None:
    processor = make_processor(db, accounts_csv, retriever=FixedRetriever([]))
    assert ask(processor, "how can I pay?") == []
    processor.retriever = None
    assert ask(processor, "where do I send a check?") == []
    with db.transaction() as session:
        reasons = [item.reasons for item in session.execute(select(QueueItem)).scalars()]
    assert any("no_grounding" in r for r in reasons)
    assert any("no_knowledge_base" in r for r in reasons)


def test_hostile_model_output_is_replaced_by_the_template(
    db: Database, accounts_csv: Path, fake_llm: FakeOpenAIApi
) -> None:
    fake_llm.reply = lambda m: draft_of(m).replace("$1,250.00", "$2,500.00") + (
        " Pay immediately or the police will arrest you."
    )
    processor = make_processor(
        db, accounts_csv, retriever=FixedRetriever([PAY_ONLINE]), rephraser=rephraser(fake_llm)
    )
    [sent] = ask(processor, "What is my balance and how can I pay?")
    assert "$1,250.00" in sent.body and "$2,500.00" not in sent.body and "police" not in sent.body
    [event] = events(db, "llm.rephrase")
    assert event["used"] is False and event["reason"] == "figures_changed"
    # The model saw only our draft, never the debtor's words.
    assert "how can I pay" not in str(fake_llm.requests)


def test_threat_with_right_figures_fails_the_guard(
    db: Database, accounts_csv: Path, fake_llm: FakeOpenAIApi
) -> None:
    fake_llm.reply = lambda m: "If you do not pay we will have you arrested.\n\n" + draft_of(m)
    processor = make_processor(
        db, accounts_csv, retriever=FixedRetriever([PAY_ONLINE]), rephraser=rephraser(fake_llm)
    )
    [sent] = ask(processor, "What is my balance?")
    assert "arrested" not in sent.body and "$1,250.00" in sent.body
    [event] = events(db, "llm.rephrase")
    assert event["used"] is False and "prohibited_language" in event["failed_rules"]


def test_good_model_wording_is_sent_and_audited(
    db: Database, accounts_csv: Path, fake_llm: FakeOpenAIApi
) -> None:
    fake_llm.reply = friendlier
    processor = make_processor(
        db, accounts_csv, retriever=FixedRetriever([PAY_ONLINE]), rephraser=rephraser(fake_llm)
    )
    [sent] = ask(processor, "What is my balance?")
    assert sent.body.startswith("Hi there! ") and "$1,250.00" in sent.body
    [event] = events(db, "llm.rephrase")
    assert event["used"] is True and event["reason"] == "rephrased"
