from __future__ import annotations

from datetime import UTC, datetime

import pytest
from agent_fakes import facts
from pydantic import ValidationError

from agent.config import US_MINI_MIRANDA, GuardSettings, PolicySettings
from agent.facts import ThreadContext
from agent.policy import decide


def test_defaults_are_the_rulebooks_numbers() -> None:
    guard = GuardSettings()
    assert (guard.allowed_hours.start, guard.allowed_hours.end) == (8, 21)
    assert guard.frequency_cap == 7
    assert guard.disclosure_for("US-NY") == US_MINI_MIRANDA
    assert guard.disclosure_for("ZZ") == US_MINI_MIRANDA
    assert guard.opt_out_instructions["sms"] == "Reply STOP to opt out."
    assert PolicySettings().min_auto_confidence == 0.8


def test_yaml_sections_load_and_typos_fail_loudly() -> None:
    guard = GuardSettings.model_validate({"allowed_hours": {"start": 9, "end": 20}})
    assert guard.allowed_hours.start == 9
    with pytest.raises(ValidationError, match="frequncy_cap"):
        GuardSettings.model_validate({"frequncy_cap": 3})
    with pytest.raises(ValidationError, match="end"):
        GuardSettings.model_validate({"allowed_hours": {"start": 21, "end": 8}})
    with pytest.raises(ValidationError, match="not a valid regex"):
        GuardSettings.model_validate({"prohibited": [{"category": "x", "pattern": "(unclosed"}]})
    with pytest.raises(ValidationError, match="default_jurisdiction"):
        GuardSettings.model_validate({"disclosures": {"UK": "x"}})
    with pytest.raises(ValidationError, match="bands"):
        PolicySettings.model_validate({"sla_hours": {0: 1}})


def test_the_real_triage_result_satisfies_the_policy() -> None:
    model = pytest.importorskip("nlp.model")
    result = model.Triage(
        id="m-1",
        intents=(model.Intent(label="cease_communication", confidence=0.95),),
        route="human",
    )
    context = ThreadContext(channel="email", matched=True, received_at=datetime.now(UTC))
    decision = decide(result, facts(), context, settings=PolicySettings())
    assert decision.action == "confirm_cease"
