from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from agent_fakes import facts

from agent.config import GuardSettings, PlanSettings, PolicySettings
from agent.guard import check, sms_segments
from agent.plans import Proposal, compute_plan
from agent.policy import Decision, PromiseTerms
from agent.templates import (
    PROMPTS_DIR,
    MissingFieldError,
    TemplateError,
    UnknownTemplateError,
    format_date,
    format_money,
    load_template,
    render,
)

SETTINGS = PolicySettings()
GUARD = GuardSettings()
NOON_NY = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
TEMPLATES = sorted(p.name.removesuffix(".txt").split(".") for p in PROMPTS_DIR.glob("*.txt"))
# The longest weekday and month, a five-figure amount and a longer company name.
WORST = Decision(
    action="confirm_promise",
    template="confirm_promise",
    reasons=("clear_promise",),
    priority=4,
    escalate=False,
    sla_hours=48,
    promise=PromiseTerms(amount=Decimal("99999.99"), currency="USD", date=date(2026, 9, 30)),
    plan=compute_plan(
        Proposal(months=12),
        balance=Decimal("1199999.87"),
        currency="USD",
        today=date(2026, 9, 23),
        settings=PlanSettings(approval_balance=Decimal("9999999")),
    ).terms,
)


def test_every_action_that_sends_has_its_templates() -> None:
    names = {tuple(t) for t in TEMPLATES}
    for action in ("confirm_promise", "acknowledge_dispute", "confirm_cease", "confirm_opt_out"):
        assert {(action, "email"), (action, "sms")} <= names
    assert ("sms_help", "sms") in names


def test_format_money_and_date() -> None:
    assert format_money(Decimal("1234.5"), "USD") == "$1,234.50"
    assert format_money(Decimal("80"), "gbp") == "£80.00"
    assert format_money(Decimal("10"), "CAD") == "CAD 10.00"
    assert format_date(date(2026, 3, 6)) == "Friday 6 March 2026"


@pytest.mark.parametrize(("name", "channel"), TEMPLATES)
def test_every_template_renders_and_passes_the_guard(name: str, channel: str) -> None:
    settings = PolicySettings(company_name="Northwind Recoveries")
    assert WORST.plan is not None
    account = facts().with_terms(
        amounts=[Decimal("99999.99"), *WORST.plan.amounts],
        dates=[date(2026, 9, 30), *WORST.plan.dates],
    )
    draft = render(name, channel, account, WORST, settings, guard=GUARD)
    verdict = check(
        draft.body, channel=channel, facts=account, kind=name, now=NOON_NY, settings=GUARD
    )
    assert verdict.allowed, (draft.body, verdict.failures)
    assert "Northwind Recoveries" in draft.body
    if channel == "sms":
        assert draft.subject is None
        assert sms_segments(draft.body) <= 2, len(draft.body)
    else:
        assert draft.subject


def test_promise_confirmation_quotes_the_terms_and_the_disclosure() -> None:
    draft = render("confirm_promise", "email", facts(), WORST, SETTINGS)
    assert draft.subject == "Your payment of $99,999.99 on Wednesday 30 September 2026"
    assert "Hello Dana Levy," in draft.body
    assert "account ending 0931" in draft.body
    assert GUARD.disclosures["US"] in draft.body
    assert draft.body.rstrip().endswith(GUARD.opt_out_instructions["email"])


def test_opt_out_confirmation_has_no_disclosure_and_no_debt() -> None:
    draft = render("confirm_opt_out", "sms", facts(), None, SETTINGS)
    assert "debt" not in draft.body.lower()
    assert "STOP" not in draft.body
    assert SETTINGS.company_name in draft.body


def test_uk_account_gets_the_uk_disclosure() -> None:
    draft = render("confirm_cease", "sms", facts(jurisdiction="UK"), None, SETTINGS)
    assert GUARD.disclosures["UK"] in draft.body
    assert GUARD.disclosures["US"] not in draft.body


def test_help_renders_without_an_account_but_collection_templates_do_not() -> None:
    assert "Reply STOP" in render("sms_help", "sms", None, None, SETTINGS).body
    with pytest.raises(MissingFieldError):
        render("confirm_cease", "sms", None, None, SETTINGS)


def test_promise_template_without_terms_is_refused() -> None:
    with pytest.raises(MissingFieldError, match="amount"):
        render("confirm_promise", "sms", facts(), None, SETTINGS)


def test_a_hostile_debtor_name_is_printed_not_evaluated() -> None:
    name = "${company_name} {0.__class__} $amount"
    draft = render("confirm_cease", "email", facts(debtor_name=name), None, SETTINGS)
    assert f"Hello {name}," in draft.body


def test_unknown_template_and_channel_name_the_choices() -> None:
    with pytest.raises(UnknownTemplateError, match=r"confirm_promise\.sms\.txt"):
        render("send_info", "sms", facts(), None, SETTINGS)
    with pytest.raises(UnknownTemplateError):
        render("../config/x", "sms", facts(), None, SETTINGS)
    with pytest.raises(UnknownTemplateError):
        render("sms_help", "fax", facts(), None, SETTINGS)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Hello $balance_due", "unknown field"),
        ("Costs $ 5", "not followed by a field name"),
    ],
)
def test_bad_template_files_are_refused(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "x.sms.txt").write_text(text, encoding="utf-8")
    with pytest.raises(TemplateError, match=message):
        load_template("x", "sms", directory=tmp_path)


def test_email_template_needs_a_subject_line(tmp_path: Path) -> None:
    (tmp_path / "x.email.txt").write_text("Hello\n\nbody", encoding="utf-8")
    with pytest.raises(TemplateError, match="Subject"):
        load_template("x", "email", directory=tmp_path)
