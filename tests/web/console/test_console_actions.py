"""What a collector and a compliance reviewer notice: sends, blocks, bad input, races."""

from __future__ import annotations

from sqlalchemy import func, select

from store.models import AuditEvent, OutboxItem, QueueItem
from tests.web.console.conftest import Console

PERSON_SENDS = select(func.count()).select_from(OutboxItem).where(OutboxItem.author != "agent")
LAWFUL = "Thank you for telling us. We have paused collection while we look into your dispute."


def draft_for(console: Console, thread_id: int) -> str:
    page = console.client.get(f"/console/threads/{thread_id}")
    assert page.status_code == 200
    return page.text


def test_debtor_script_is_shown_as_text_and_evidence_is_highlighted(console: Console) -> None:
    _, thread_id = console.open_item()
    console.login("collector")
    html = draft_for(console, thread_id)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert '<mark class="hl" data-label="dispute"' in html
    assert "quoted history" in html


def test_unlawful_text_is_blocked_with_its_rule_and_nothing_is_queued(console: Console) -> None:
    item_id, thread_id = console.open_item()
    csrf = console.login("collector")
    starter = console.client.get(f"/console/threads/{thread_id}").text
    assert "This is a communication from a debt collector" in starter
    text = "Pay now or we will have you arrested.\n\n" + _footer(console)
    response = console.client.post(
        f"/console/items/{item_id}/send", data={"text": text, "csrf_token": csrf}
    )
    assert response.status_code == 422
    assert "prohibited_language" in response.text
    assert "arrested" in response.text
    with console.db.sessions() as session:
        assert session.scalar(PERSON_SENDS) == 0
        assert session.get(QueueItem, item_id).status == "open"  # type: ignore[union-attr]


def test_lawful_reply_is_queued_once_and_the_item_resolved(console: Console) -> None:
    item_id, _ = console.open_item()
    csrf = console.login("collector")
    text = LAWFUL + "\n\n" + _footer(console)
    check = console.client.post(
        f"/console/items/{item_id}/check", data={"text": text, "csrf_token": csrf}
    )
    assert check.json()["allowed"], check.json()
    response = console.client.post(
        f"/console/items/{item_id}/send", data={"text": text, "csrf_token": csrf}
    )
    assert response.status_code == 303, response.text[:500]
    again = console.client.post(
        f"/console/items/{item_id}/send", data={"text": text, "csrf_token": csrf}
    )
    assert again.status_code == 409
    assert "already resolved by collector@example.test" in again.text
    with console.db.sessions() as session:
        assert session.scalar(PERSON_SENDS) == 1
        sent = session.execute(
            select(AuditEvent.data).where(AuditEvent.kind == "console.reply_sent")
        ).scalar_one()
        assert sent["draft"] == "written"


def test_a_one_megabyte_draft_gets_a_clear_refusal(console: Console) -> None:
    item_id, _ = console.open_item()
    csrf = console.login("supervisor")
    response = console.client.post(
        f"/console/items/{item_id}/send", data={"text": "x" * 1_000_000, "csrf_token": csrf}
    )
    assert response.status_code == 422
    assert "1,000,000 characters" in response.text
    with console.db.sessions() as session:
        assert session.scalar(PERSON_SENDS) == 0


def test_resolving_an_item_someone_else_resolved_says_who(console: Console) -> None:
    item_id, _ = console.open_item()
    csrf = console.login("supervisor")
    first = console.client.post(
        f"/console/items/{item_id}/resolve", data={"outcome": "called", "csrf_token": csrf}
    )
    assert first.status_code == 303
    csrf = console.login("collector")
    second = console.client.post(
        f"/console/items/{item_id}/resolve", data={"outcome": "dup", "csrf_token": csrf}
    )
    assert second.status_code == 409
    assert "supervisor@example.test" in second.text


def test_failed_login_is_recorded_and_compliance_can_search_and_export(console: Console) -> None:
    console.client.cookies.clear()
    form = console.client.get("/login").text
    token = form.split('name="csrf_token" value="')[1].split('"')[0]
    bad = console.client.post(
        "/login",
        data={"email": "compliance@example.test", "password": "wrong", "csrf_token": token},
    )
    assert bad.status_code == 401
    _, thread_id = console.open_item()
    console.login("compliance")
    found = console.client.get("/console/search", params={"q": "A-100"})
    assert f"#{thread_id}" in found.text
    export = console.client.get(
        "/console/audit/export", params={"thread_id": thread_id, "format": "jsonl"}
    )
    assert export.status_code == 200
    assert '"kind":"triage"' in export.text
    with console.db.sessions() as session:
        kinds = set(session.execute(select(AuditEvent.kind, AuditEvent.actor)).all())
    assert ("console.login_failed", "compliance@example.test") in kinds
    assert ("console.exported", "compliance@example.test") in kinds


def test_kpi_page_renders_svg_charts(console: Console) -> None:
    console.login("supervisor")
    page = console.client.get("/console/kpis")
    assert page.status_code == 200
    assert page.text.count("<svg") >= 4


def _footer(console: Console) -> str:
    settings = console.processor.guard_settings
    return settings.disclosure_for("US-NY") + "\n" + settings.opt_out_instructions["email"]
