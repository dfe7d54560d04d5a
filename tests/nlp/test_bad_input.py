"""Bad input: triage returns a result routed to a person, never raises, and stays fast.

The 5 s bound is a guard against catastrophic backtracking, not a speed target (each case
runs in well under a second here; benchmarks measure real speed).
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime

import pytest

from nlp.model import Triage
from nlp.triage import triage

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GUARD_SECONDS = 5.0


def _garbage(n: int) -> str:
    rng = random.Random(7)
    return bytes(rng.getrandbits(8) for _ in range(n)).decode("utf-8", errors="replace")


CASES = {
    "empty": ("", {"empty"}),
    "blank": ("   \n\t  ", {"empty"}),
    "one_megabyte": (("I will pay next week. " * 50_000)[:1_000_000], {"truncated"}),
    "only_emoji": ("😭🙏💔" * 1_000, set()),
    "binary_garbage": (_garbage(300_000), {"unreadable"}),
    "short_binary": (_garbage(400), {"unreadable"}),
    "mixed_scripts": ("Hola я заплачу 明天 pay £50 مرحبا שלום " * 2_000, {"truncated"}),
    "repeated_lines": ("please call me back\n" * 10_000, {"truncated"}),
    "single_line_no_spaces": ("a" * 1_000_000, {"truncated"}),
    "digits_and_dashes": ("1-" * 500_000, {"truncated"}),
    "money_like_run": ("x$1,2" * 200_000, {"truncated"}),
    "date_like_run": ("04/15/" * 200_000, {"truncated"}),
    "nested_quotes": ("> " * 100_000 + "stop", set()),
}


@pytest.mark.parametrize("channel", ["email", "sms"])
@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_returns_a_result_quickly(name: str, channel: str) -> None:
    text, reasons = CASES[name]
    started = time.perf_counter()
    result = triage(text, channel=channel, received_at=MONDAY, message_id=name)
    elapsed = time.perf_counter() - started
    assert elapsed < GUARD_SECONDS, f"{name}: {elapsed:.2f}s"
    assert isinstance(result, Triage) and result.intents
    assert reasons <= set(result.reasons), result.reasons
    if reasons:
        assert result.route == "human"
    assert Triage.from_json(result.to_json()).to_json() == result.to_json()


def test_binary_noise_fires_no_cues() -> None:
    result = triage(_garbage(300_000), received_at=MONDAY)
    assert result.labels == {"other"} and result.language == "und"
    assert result.amounts == () and result.references == ()


def test_a_little_mojibake_is_still_read() -> None:
    result = triage("I can pay \ufffd50 on Friday, sorry for the delay", received_at=MONDAY)
    assert "unreadable" not in result.reasons and "promise_to_pay" in result.labels


def test_truncated_body_keeps_the_legal_trigger_at_the_start() -> None:
    result = triage("Stop contacting me.\n" + "x" * 1_000_000, received_at=MONDAY)
    assert "cease_communication" in result.labels
    assert "truncated" in result.reasons and result.route == "human"
