from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from agent_fakes import facts

from agent.config import US_MINI_MIRANDA, GuardSettings
from agent.facts import AccountFacts
from agent.guard import RULES, GuardInputError, Verdict, check, sms_segments

SETTINGS = GuardSettings()
TAIL_SMS = f"{US_MINI_MIRANDA} Reply STOP to opt out."
TAIL_EMAIL = f"{US_MINI_MIRANDA}\n{SETTINGS.opt_out_instructions['email']}"
NOON_NY = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)  # 12:00 in New York, a Monday


def run(
    text: str,
    *,
    channel: str = "sms",
    account: AccountFacts | None = None,
    kind: str = "reply",
    now: datetime = NOON_NY,
    settings: GuardSettings = SETTINGS,
    tail: bool = True,
    **fact_changes: Any,
) -> Verdict:
    if account is None and fact_changes.pop("unverified", False) is False:
        account = facts(**fact_changes)
    if tail:
        text = f"{text} {TAIL_SMS}" if channel == "sms" else f"{text}\n\n{TAIL_EMAIL}"
    return check(text, channel=channel, facts=account, kind=kind, now=now, settings=settings)


def rules(verdict: Verdict) -> set[str]:
    return {f.rule for f in verdict.failures}


def test_a_compliant_reply_passes_every_rule() -> None:
    verdict = run("Thanks Dana, your balance is $1,200.00, due on 1 March 2026.")
    assert verdict.allowed, verdict.failures
    assert verdict.send_after is None


def test_every_rule_id_is_declared() -> None:
    assert len(RULES) == len(set(RULES)) == 11


# --- disclosure and opt-out -----------------------------------------------------------------


def test_missing_disclosure_and_opt_out_fail() -> None:
    verdict = run("Thanks, noted.", tail=False)
    assert rules(verdict) == {"disclosure_present", "opt_out_present"}


def test_disclosure_is_matched_across_line_breaks_and_case() -> None:
    text = "Thanks.\n" + US_MINI_MIRANDA.upper().replace(". ", ".\n") + " Reply STOP to opt out."
    assert run(text, tail=False).allowed


def test_opt_out_confirmation_is_exempt_from_disclosure_and_opt_out_line() -> None:
    text = "Parley: you are unsubscribed and will get no more texts. Reply START to resubscribe."
    assert run(text, kind="confirm_opt_out", tail=False).allowed
    assert not run(text, kind="confirm_cease", tail=False).allowed


def test_uk_disclosure_is_taken_for_uk_accounts() -> None:
    text = f"Noted. {SETTINGS.disclosures['UK']} Reply STOP to opt out."
    assert run(text, tail=False, jurisdiction="UK", timezone="Europe/London").allowed
    assert "disclosure_present" in rules(run(text, tail=False))


def test_email_opt_out_instruction_variants() -> None:
    body = f"Thanks.\n\n{US_MINI_MIRANDA}\n"
    assert run(
        body + "Reply UNSUBSCRIBE to stop these emails.", channel="email", tail=False
    ).allowed
    assert "opt_out_present" in rules(run(body, channel="email", tail=False))


# --- prohibited language --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("If you do not pay we will sue you.", "legal_action"),
        ("We won't hesitate to take legal action.", "legal_action"),
        ("You could be arrested for this.", "criminal"),
        ("We will garnish your wages.", "seizure"),
        ("FINAL NOTICE: pay now.", "false_urgency"),
        ("Pay within 48 hours.", "false_urgency"),
        ("We will report you to all three credit bureaus.", "credit_threat"),
        ("Stop being a deadbeat.", "abuse"),
        ("Pay the damn bill.", "profanity"),
        ("Have you thought about a payday loan to clear this?", "pressure_to_borrow"),
        ("As his son you are responsible for this balance.", "family_liability"),
        ("Please text us your card number and CVV.", "card_data"),
        ("I'm a real person, not a bot.", "claims_human"),
        ("Your employer will be told.", "third_party"),
    ],
)
def test_prohibited_language_is_blocked_and_named(text: str, category: str) -> None:
    verdict = run(text)
    failures = [f for f in verdict.failures if f.rule == "prohibited_language"]
    assert failures, text
    assert any(category in f.reason for f in failures)
    assert all(f.excerpt for f in failures)


@pytest.mark.parametrize(
    "text",
    [
        "We will not sue you for this debt.",
        "We never report disputed debts as undisputed to credit bureaus.",
        "You have the right to dispute this debt.",
        "Thank you for your courtesy.",
        "Your payment of $150.00 was received.",
    ],
)
def test_rights_and_negations_pass(text: str) -> None:
    verdict = run(text)
    assert verdict.allowed, verdict.failures


def test_debtor_name_is_not_mistaken_for_a_threat() -> None:
    assert run("Hello Sarah Levy, thanks for writing.", debtor_name="Sarah Levy").allowed
    assert not run("We will levy your account.", debtor_name="Dana Smith").allowed


def test_intended_legal_action_is_allowed_only_when_configured() -> None:
    text = "Our client intends to file a lawsuit."
    assert not run(text).allowed
    settings = GuardSettings(intended_actions=frozenset({"legal_action"}))
    assert run(text, settings=settings).allowed


def test_card_number_echo_is_blocked_without_repeating_it() -> None:
    verdict = run("We received card 4111 1111 1111 1111, thanks.")
    failure = next(f for f in verdict.failures if "card_data" in f.reason)
    assert "1111 1111 1111" not in failure.reason
    assert run("Paid with the card ending 4821, thanks.").allowed


# --- amounts and dates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Your balance is $1,200.00.", True),
        ("Your balance is $1200.", True),
        ("We received 150 dollars.", True),
        ("Your balance is $1,250.00.", False),
        ("You owe USD 99.", False),
        ("Your balance is £1,200.00.", False),
    ],
)
def test_amounts_must_be_on_the_ledger(text: str, ok: bool) -> None:
    verdict = run(text)
    assert ("amounts_match_ledger" not in rules(verdict)) is ok, verdict.failures


def test_a_promise_on_the_table_can_be_quoted() -> None:
    account = facts().with_terms(amounts=[Decimal("200")], dates=[date(2026, 3, 6)])
    assert run("We noted $200.00 on Friday 6 March 2026.", account=account).allowed
    assert not run("We noted $200.00 on Friday 6 March 2026.").allowed


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Due on 1 March 2026.", True),
        ("Due on Sunday 1 March 2026.", True),
        ("Due on March 1, 2026.", True),
        ("Due on 2026-03-01.", True),
        ("Due on 03/01/2026.", True),
        ("Today, 2 March 2026.", True),
        ("Due on 1 March.", True),
        ("Due on 5 March 2026.", False),
        ("Due on Monday 1 March 2026.", False),
        ("Due on 30 February 2026.", False),
        ("Due on 01/03/2026.", False),
    ],
)
def test_dates_must_be_on_the_ledger_or_today(text: str, ok: bool) -> None:
    verdict = run(text)
    assert ("dates_match" not in rules(verdict)) is ok, verdict.failures


def test_uk_dates_are_read_day_first() -> None:
    uk = {"jurisdiction": "UK", "timezone": "Europe/London"}
    text = f"Due on 01/03/2026. {SETTINGS.disclosures['UK']}"
    assert "dates_match" not in rules(run(text, **uk))


# --- state, channel, frequency, third parties -----------------------------------------------


@pytest.mark.parametrize(
    ("state", "kind", "ok"),
    [
        ("active", "confirm_promise", True),
        ("bankruptcy", "confirm_cease", False),
        ("bankruptcy", "collector_reply", False),
        ("deceased", "reply", False),
        ("attorney", "confirm_opt_out", False),
        ("cease", "confirm_cease", True),
        ("cease", "reply", False),
        ("dispute_hold", "acknowledge_dispute", True),
        ("dispute_hold", "confirm_promise", False),
        ("wrong_party", "reply", False),
        ("paid", "confirm_promise", False),
        ("payment_plan", "confirm_promise", True),
    ],
)
def test_legal_state_permits(state: str, kind: str, ok: bool) -> None:
    verdict = run("Noted, thank you.", kind=kind, legal_state=state)
    assert ("legal_state_permits" not in rules(verdict)) is ok, verdict.failures


def test_unknown_legal_state_blocks() -> None:
    assert "legal_state_permits" in rules(run("Noted.", legal_state="mystery"))


def test_opted_out_channel_blocks_all_but_the_confirmation() -> None:
    out = frozenset({"sms"})
    assert "channel_permitted" in rules(run("Noted.", opted_out_channels=out))
    assert run("Noted.", opted_out_channels=out, channel="email").allowed
    confirmation = "Parley: you are unsubscribed and will get no more texts from us."
    assert run(confirmation, opted_out_channels=out, kind="confirm_opt_out", tail=False).allowed


def test_frequency_cap_blocks_at_the_cap_except_confirmations() -> None:
    assert run("Noted.", contact_attempts_7d=6).allowed
    assert "frequency_cap" in rules(run("Noted.", contact_attempts_7d=7))
    assert run("We will stop contacting you.", contact_attempts_7d=9, kind="confirm_cease").allowed


@pytest.mark.parametrize(
    "text",
    ["Hi, about your balance, please call us.", "You owe $1,200.00.", "Your account is overdue."],
)
def test_unverified_recipient_hears_nothing_about_a_debt(text: str) -> None:
    verdict = check(text, channel="sms", facts=None, kind="reply", now=NOON_NY, settings=SETTINGS)
    assert "third_party_disclosure" in rules(verdict)


def test_help_reply_to_an_unverified_number_passes_and_debt_words_do_not() -> None:
    text = "Parley: for help call +1 555 0100. Msg & data rates may apply. Reply STOP to opt out."
    verdict = check(
        text, channel="sms", facts=None, kind="sms_help", now=NOON_NY, settings=SETTINGS
    )
    assert verdict.allowed, verdict.failures
    leak = text + " Your balance is due."
    verdict = check(
        leak, channel="sms", facts=None, kind="sms_help", now=NOON_NY, settings=SETTINGS
    )
    assert "third_party_disclosure" in rules(verdict)


# --- hours ----------------------------------------------------------------------------------


def _at(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


@pytest.mark.parametrize(
    ("zone", "now", "send_after"),
    [
        # New York, winter (UTC-5): 12:00 local sends now; 21:00 local waits for 08:00 next day.
        ("America/New_York", "2026-01-15T17:00:00+00:00", None),
        ("America/New_York", "2026-01-16T02:00:00+00:00", "2026-01-16T13:00:00+00:00"),
        ("America/New_York", "2026-01-15T12:59:59+00:00", "2026-01-15T13:00:00+00:00"),
        ("America/New_York", "2026-01-16T01:59:00+00:00", None),  # 20:59 local
        # DST starts in New York on 8 March 2026: 07:30 EDT waits for 08:00 EDT (12:00 UTC).
        ("America/New_York", "2026-03-08T11:30:00+00:00", "2026-03-08T12:00:00+00:00"),
        # 23:00 EST on 7 March: the next 08:00 is already EDT, 12:00 UTC, not 13:00.
        ("America/New_York", "2026-03-08T04:00:00+00:00", "2026-03-08T12:00:00+00:00"),
        # DST ends on 1 November 2026: 22:00 EDT on 31 October waits for 08:00 EST (13:00 UTC).
        ("America/New_York", "2026-11-01T02:00:00+00:00", "2026-11-01T13:00:00+00:00"),
        # London, BST starts 29 March 2026: 07:00 BST waits for 08:00 BST (07:00 UTC).
        ("Europe/London", "2026-03-29T06:00:00+00:00", "2026-03-29T07:00:00+00:00"),
        ("Europe/London", "2026-03-28T21:30:00+00:00", "2026-03-29T07:00:00+00:00"),
        # Honolulu has no DST (UTC-10): 18:00 UTC is 08:00 local.
        ("Pacific/Honolulu", "2026-07-01T17:59:00+00:00", "2026-07-01T18:00:00+00:00"),
        ("Pacific/Honolulu", "2026-07-01T18:00:00+00:00", None),
        ("Pacific/Honolulu", "2026-07-02T07:00:00+00:00", "2026-07-02T18:00:00+00:00"),
    ],
)
def test_out_of_hours_is_deferred_not_blocked(zone: str, now: str, send_after: str | None) -> None:
    verdict = run("Noted.", now=_at(now), timezone=zone)
    assert verdict.allowed, verdict.failures
    assert verdict.send_after == (_at(send_after) if send_after else None)


def test_unknown_zone_uses_every_continental_zone() -> None:
    text = "Parley: for help call +1 555 0100. Reply STOP to opt out."
    # 09:00 in New York is 06:00 in Los Angeles: wait for 08:00 Pacific (16:00 UTC).
    verdict = check(
        text,
        channel="sms",
        facts=None,
        kind="sms_help",
        now=_at("2026-01-15T14:00:00+00:00"),
        settings=SETTINGS,
    )
    assert verdict.allowed
    assert verdict.send_after == _at("2026-01-15T16:00:00+00:00")


def test_bad_time_zone_on_the_account_blocks_with_a_fix() -> None:
    verdict = run("Noted.", timezone="Mars/Olympus")
    assert "allowed_hours" in rules(verdict)
    assert "IANA" in verdict.failures[-1].reason


# --- length and input -----------------------------------------------------------------------


def test_sms_segments_count_gsm_and_ucs2() -> None:
    assert sms_segments("a" * 160) == 1
    assert sms_segments("a" * 161) == 2
    assert sms_segments("a" * 306) == 2
    assert sms_segments("a" * 307) == 3
    assert sms_segments("€" * 153) == 2  # extension characters take two septets
    assert sms_segments("🙂" + "a" * 60) == 1
    assert sms_segments("é" * 160) == 1  # é is in the GSM alphabet
    assert sms_segments("ł" * 134) == 2
    assert sms_segments("ł" * 135) == 3


def test_long_sms_and_empty_text_fail_length() -> None:
    assert "length" in rules(run("Noted. " * 30))
    assert "length" in rules(run("🙂 Noted, thank you for your message." * 2))
    assert "length" in rules(run("   ", tail=False))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"now": datetime(2026, 1, 1, 12, 0)}, "aware"),
        ({"channel": "fax"}, "channel"),
        ({"kind": "escalate"}, "kind"),
    ],
)
def test_wrong_calls_are_refused_clearly(changes: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {
        "channel": "sms",
        "facts": facts(),
        "kind": "reply",
        "now": NOON_NY,
        "settings": SETTINGS,
    }
    args.update(changes)
    with pytest.raises(GuardInputError, match=message):
        check("Noted.", **args)


@pytest.mark.parametrize(
    "kind", ["confirm_promise", "plan_offer", "plan_accepted", "promise_reminder"]
)
@pytest.mark.parametrize("state", ["paid", "closed"])
def test_nothing_that_collects_goes_to_a_paid_or_closed_account(kind: str, state: str) -> None:
    assert "legal_state_permits" in rules(run("Noted, thank you.", kind=kind, legal_state=state))
