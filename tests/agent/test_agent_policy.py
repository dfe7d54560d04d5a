from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from agent_fakes import RECEIVED, FakePromise, facts, triage

from agent.config import PolicySettings
from agent.facts import ThreadContext
from agent.policy import UnknownLegalStateError, decide, legal_state_after

SETTINGS = PolicySettings()
SMS = ThreadContext(channel="sms", matched=True, match_method="phone", received_at=RECEIVED)
EMAIL = ThreadContext(channel="email", matched=True, match_method="email", received_at=RECEIVED)


# --- legal_state_after ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "labels", "expected"),
    [
        ("active", {"dispute"}, "dispute_hold"),
        ("active", {"validation_request"}, "dispute_hold"),
        ("payment_plan", {"cease_communication"}, "cease"),
        ("dispute_hold", {"cease_communication"}, "cease"),
        ("dispute_hold", {"attorney_represented"}, "attorney"),
        ("cease", {"bankruptcy"}, "bankruptcy"),
        ("active", {"dispute", "bankruptcy", "cease_communication"}, "bankruptcy"),
        ("active", {"deceased", "attorney_represented"}, "deceased"),
        ("active", {"wrong_party", "dispute"}, "wrong_party"),
        ("paid", {"dispute"}, "dispute_hold"),
    ],
)
def test_the_strongest_trigger_wins(current: str, labels: set[str], expected: str) -> None:
    change = legal_state_after(current, frozenset(labels), None)
    assert change is not None
    assert (change.old_state, change.new_state) == (current, expected)


@pytest.mark.parametrize(
    ("current", "labels"),
    [
        ("bankruptcy", {"dispute"}),
        ("attorney", {"cease_communication"}),
        ("cease", {"dispute"}),
        ("dispute_hold", {"dispute"}),
        ("active", {"channel_opt_out"}),
        ("active", {"promise_to_pay", "hardship"}),
    ],
)
def test_weaker_or_no_trigger_changes_nothing(current: str, labels: set[str]) -> None:
    assert legal_state_after(current, frozenset(labels), None) is None


def test_dispute_type_names_the_reason_and_counts_without_the_label() -> None:
    change = legal_state_after("active", frozenset({"other"}), "not_mine")
    assert change is not None
    assert change.new_state == "dispute_hold"
    assert change.reason == "legal_trigger:dispute:not_mine"


def test_unknown_state_is_refused_with_the_known_ones() -> None:
    with pytest.raises(UnknownLegalStateError, match="dispute_hold"):
        legal_state_after("frozen", frozenset({"dispute"}), None)


# --- decide ---------------------------------------------------------------------------------


def _promise(amount: str, day: date, currency: str | None = "USD") -> FakePromise:
    return FakePromise(amount=Decimal(amount), currency=currency, date=day)


def test_clear_promise_is_confirmed_with_its_terms() -> None:
    t = triage("promise_to_pay", promise=_promise("200", date(2026, 3, 6)))
    decision = decide(t, facts(), SMS, settings=SETTINGS)
    assert decision.action == "confirm_promise"
    assert decision.template == "confirm_promise"
    assert not decision.escalate
    assert decision.promise is not None
    assert (decision.promise.amount, decision.promise.date) == (Decimal("200"), date(2026, 3, 6))
    assert decision.reasons == ("clear_promise",)
    assert decision.priority == 4


@pytest.mark.parametrize(
    ("promise", "reason"),
    [
        (_promise("1500", date(2026, 3, 6)), "promise_exceeds_balance"),
        (_promise("200", date(2026, 2, 20)), "promise_date_in_past"),
        (_promise("200", date(2026, 6, 1)), "promise_date_beyond_policy"),
        (_promise("200", date(2026, 3, 6), "GBP"), "promise_currency_mismatch"),
        (FakePromise(amount=Decimal("200")), "promise_incomplete"),
        (None, "promise_incomplete"),
    ],
)
def test_promises_the_ledger_cannot_honour_go_to_a_person(
    promise: FakePromise | None, reason: str
) -> None:
    decision = decide(triage("promise_to_pay", promise=promise), facts(), SMS, settings=SETTINGS)
    assert decision.action == "escalate"
    assert decision.escalate
    assert reason in decision.reasons
    assert decision.promise is None


def test_promise_date_is_judged_in_the_debtors_local_day() -> None:
    # 02:00 UTC on 3 March is still 2 March in Honolulu: a promise for 2 March is not past.
    late = ThreadContext(
        channel="sms",
        matched=True,
        received_at=datetime.fromisoformat("2026-03-03T02:00:00+00:00"),
    )
    t = triage("promise_to_pay", promise=_promise("200", date(2026, 3, 2)))
    hawaii = facts(timezone="Pacific/Honolulu")
    assert decide(t, hawaii, late, settings=SETTINGS).action == "confirm_promise"
    assert decide(t, facts(timezone="Europe/London"), late, settings=SETTINGS).action == "escalate"


def test_promise_without_received_time_is_not_confirmed() -> None:
    context = ThreadContext(channel="sms", matched=True)
    t = triage("promise_to_pay", promise=_promise("200", date(2026, 3, 6)))
    decision = decide(t, facts(), context, settings=SETTINGS)
    assert decision.action == "escalate"
    assert "promise_date_unverifiable" in decision.reasons


def test_promise_with_hardship_is_for_a_person_and_low_confidence_ranks_band_3() -> None:
    t = triage("promise_to_pay", "hardship", promise=_promise("200", date(2026, 3, 6)))
    assert decide(t, facts(), SMS, settings=SETTINGS).action == "escalate"
    weak = triage("promise_to_pay", confidence=0.6, promise=_promise("200", date(2026, 3, 6)))
    decision = decide(weak, facts(), SMS, settings=SETTINGS)
    assert decision.action == "escalate"
    assert decision.priority == 3
    assert "low_confidence:promise_to_pay" in decision.reasons


@pytest.mark.parametrize(
    "context",
    [ThreadContext(channel="sms", matched=False, received_at=RECEIVED), SMS],
)
def test_unknown_sender_is_escalated_without_any_reply(context: ThreadContext) -> None:
    account = facts() if not context.matched else None
    t = triage("info_request", "promise_to_pay", promise=_promise("200", date(2026, 3, 6)))
    decision = decide(t, account, context, settings=SETTINGS)
    assert decision.action == "escalate"
    assert decision.template is None
    assert "unknown_sender" in decision.reasons
    assert decision.promise is None
    assert decision.state_change is None


def test_unknown_sender_with_a_legal_trigger_is_urgent_and_still_honours_stop() -> None:
    t = triage("bankruptcy", "channel_opt_out")
    decision = decide(t, None, ThreadContext(channel="sms", matched=False), settings=SETTINGS)
    assert decision.action == "escalate"
    assert decision.priority == 1
    assert "legal_trigger:bankruptcy" in decision.reasons
    assert decision.suppress_channels == {"sms"}


def test_auto_reply_is_ignored_but_not_when_it_carries_a_legal_trigger() -> None:
    decision = decide(triage("auto_reply"), facts(), EMAIL, settings=SETTINGS)
    assert (decision.action, decision.escalate, decision.template) == ("ignore", False, None)
    assert decision.reasons == ("auto_reply",)
    decision = decide(
        triage("auto_reply", "attorney_represented"), facts(), EMAIL, settings=SETTINGS
    )
    assert decision.action == "escalate"


def test_self_harm_goes_first_with_no_automated_text() -> None:
    t = triage("cease_communication", vulnerability=("self_harm_risk",))
    decision = decide(t, facts(), SMS, settings=SETTINGS)
    assert decision.action == "escalate"
    assert decision.template is None
    assert decision.priority == 0
    assert decision.sla_hours == SETTINGS.sla_hours[0]
    assert decision.state_change is not None and decision.state_change.new_state == "cease"


def test_new_cease_is_confirmed_once_and_queued() -> None:
    first = decide(triage("cease_communication"), facts(), EMAIL, settings=SETTINGS)
    assert (first.action, first.template) == ("confirm_cease", "confirm_cease")
    assert first.escalate
    assert first.priority == 1
    again = decide(
        triage("cease_communication"), facts(legal_state="cease"), EMAIL, settings=SETTINGS
    )
    assert again.action == "escalate"
    assert "legal_state:cease" in again.reasons


@pytest.mark.parametrize(
    ("label", "state"),
    [("bankruptcy", "bankruptcy"), ("deceased", "deceased"), ("attorney_represented", "attorney")],
)
def test_bankruptcy_death_and_attorney_send_nothing(label: str, state: str) -> None:
    decision = decide(triage(label, "promise_to_pay"), facts(), SMS, settings=SETTINGS)
    assert decision.action == "escalate"
    assert decision.template is None
    assert decision.priority == 1
    assert decision.state_change is not None and decision.state_change.new_state == state


def test_promise_on_an_account_in_bankruptcy_is_not_confirmed() -> None:
    t = triage("promise_to_pay", promise=_promise("200", date(2026, 3, 6)))
    decision = decide(t, facts(legal_state="bankruptcy"), SMS, settings=SETTINGS)
    assert decision.action == "escalate"
    assert "legal_state:bankruptcy" in decision.reasons


def test_dispute_is_acknowledged_and_queued_then_not_acknowledged_again() -> None:
    t = triage("dispute", dispute_type="wrong_amount")
    decision = decide(t, facts(), EMAIL, settings=SETTINGS)
    assert (decision.action, decision.escalate, decision.priority) == (
        "acknowledge_dispute",
        True,
        2,
    )
    assert decision.state_change is not None
    again = decide(t, facts(legal_state="dispute_hold"), EMAIL, settings=SETTINGS)
    assert again.action == "escalate"


def test_promise_during_dispute_hold_gets_no_confirmation() -> None:
    t = triage("promise_to_pay", promise=_promise("200", date(2026, 3, 6)))
    decision = decide(t, facts(legal_state="dispute_hold"), SMS, settings=SETTINGS)
    assert decision.action == "escalate"


def test_sms_stop_is_suppressed_and_confirmed_once() -> None:
    decision = decide(triage("channel_opt_out"), facts(), SMS, settings=SETTINGS)
    assert (decision.action, decision.template, decision.escalate) == (
        "confirm_opt_out",
        "confirm_opt_out",
        False,
    )
    assert decision.suppress_channels == {"sms"}
    assert decision.state_change is None
    second = decide(
        triage("channel_opt_out"),
        facts(opted_out_channels=frozenset({"sms"})),
        SMS,
        settings=SETTINGS,
    )
    assert second.action == "ignore"
    assert "already_opted_out" in second.reasons


def test_provider_confirmation_replaces_ours() -> None:
    settings = PolicySettings(send_sms_opt_out_confirmation=False)
    decision = decide(triage("channel_opt_out"), facts(), SMS, settings=settings)
    assert decision.action == "ignore"
    assert decision.suppress_channels == {"sms"}


def test_opt_out_with_a_dispute_confirms_the_opt_out_and_queues_the_dispute() -> None:
    decision = decide(triage("channel_opt_out", "dispute"), facts(), SMS, settings=SETTINGS)
    assert decision.action == "confirm_opt_out"
    assert decision.escalate
    assert decision.state_change is not None
    assert decision.state_change.new_state == "dispute_hold"
    assert decision.priority == 2


def test_wrong_party_suppresses_the_address_and_sends_nothing() -> None:
    decision = decide(triage("wrong_party"), facts(), SMS, settings=SETTINGS)
    assert decision.action == "escalate"
    assert decision.suppress_channels == {"sms"}


def test_everything_else_goes_to_a_person_with_reasons() -> None:
    t = triage("info_request", route="human", reasons=("info_request",))
    decision = decide(t, facts(), EMAIL, settings=SETTINGS)
    assert decision.action == "escalate"
    assert decision.reasons == ("info_request",)
    assert decide(triage("other"), facts(), EMAIL, settings=SETTINGS).reasons == ("needs_person",)


def test_complaint_ranks_with_legal_triggers_and_large_balances_rank_first_in_band() -> None:
    small = decide(triage("complaint"), facts(), EMAIL, settings=SETTINGS)
    large = decide(triage("complaint"), facts(balance=Decimal("9000")), EMAIL, settings=SETTINGS)
    assert small.priority == large.priority == 1
    assert large.rank < small.rank
