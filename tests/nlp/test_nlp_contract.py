"""The triage JSON contract (TAXONOMY.md), round-trips, huge bodies and the batch command."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import get_args

import pytest

from nlp.batch import triage_jsonl
from nlp.model import DisputeType, Label, Triage, TriageFormatError, Vulnerability
from nlp.triage import LEGAL_TRIGGERS, triage

RECEIVED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[2]
TAXONOMY_CANDIDATES = [REPO / "TAXONOMY.md", REPO / "docs" / "TAXONOMY.md",
                       Path("/work/shared/TAXONOMY.md")]

KEYS = {
    "id", "intents", "dispute_type", "distress", "sentiment", "vulnerability", "promise",
    "amounts", "dates", "references", "per_reference", "route", "reasons", "language",
}


def _taxonomy() -> str:
    for path in TAXONOMY_CANDIDATES:
        if path.exists():
            return path.read_text(encoding="utf-8")
    pytest.skip("TAXONOMY.md not found next to the repository")


def test_labels_match_taxonomy_md() -> None:
    text = _taxonomy()
    intents = text.split("## Intents", 1)[1].split("## Dispute types", 1)[0]
    assert set(re.findall(r"^\| `(\w+)` \|", intents, re.M)) == set(get_args(Label))
    disputes = text.split("## Dispute types", 1)[1].split("##", 1)[0]
    assert set(re.findall(r"`(\w+)`", disputes)) == set(get_args(DisputeType)) | {"dispute"}
    flags = text.split("## Flags and scores", 1)[1].split("## Extracted facts", 1)[0]
    vulnerability_line = next(line for line in flags.splitlines() if "`vulnerability`" in line)
    vulnerability_text = vulnerability_line + flags.split(vulnerability_line, 1)[1][:300]
    named = set(re.findall(r"`(\w+)`", vulnerability_text.split("always routes", 1)[0]))
    assert named - {"vulnerability"} == set(get_args(Vulnerability))


def test_legal_triggers_are_taxonomy_names() -> None:
    assert set(get_args(Label)) | {"self_harm_risk"} >= LEGAL_TRIGGERS
    assert {"cease_communication", "channel_opt_out", "attorney_represented", "bankruptcy",
            "dispute", "validation_request", "deceased", "wrong_party",
            "self_harm_risk"} == LEGAL_TRIGGERS


def _assert_contract(d: dict[str, object]) -> None:
    assert set(d) == KEYS
    assert isinstance(d["id"], str)
    intents = d["intents"]
    assert isinstance(intents, list) and intents
    for intent in intents:
        assert set(intent) == {"label", "confidence"}
        assert intent["label"] in get_args(Label)
        assert isinstance(intent["confidence"], float) and 0.0 <= intent["confidence"] <= 1.0
    assert d["dispute_type"] is None or d["dispute_type"] in get_args(DisputeType)
    assert isinstance(d["distress"], float) and 0.0 <= d["distress"] <= 1.0
    assert d["sentiment"] in ("negative", "neutral", "positive")
    assert isinstance(d["vulnerability"], list)
    assert all(v in get_args(Vulnerability) for v in d["vulnerability"])
    promise = d["promise"]
    if promise is not None:
        assert isinstance(promise, dict) and set(promise) == {"amount", "currency", "date"}
        assert promise["amount"] is None or re.fullmatch(r"-?\d+\.\d\d", promise["amount"])
        assert promise["date"] is None or re.fullmatch(r"\d{4}-\d\d-\d\d", promise["date"])
    amounts = d["amounts"]
    assert isinstance(amounts, list)
    for money in amounts:
        assert set(money) == {"value", "currency"}
        assert re.fullmatch(r"-?\d+\.\d\d", money["value"])
        assert money["currency"] is None or re.fullmatch(r"[A-Z]{3}", money["currency"])
    assert isinstance(d["dates"], list)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", x) for x in d["dates"])
    assert isinstance(d["references"], list) and all(isinstance(x, str) for x in d["references"])
    per_reference = d["per_reference"]
    assert isinstance(per_reference, list)
    for entry in per_reference:
        assert set(entry) == {"reference", "labels", "dispute_type", "promise"}
    assert d["route"] in ("auto", "human")
    assert isinstance(d["reasons"], list) and all(isinstance(x, str) for x in d["reasons"])
    json.dumps(d)


@pytest.mark.parametrize(
    "text",
    [
        "I'll send $200 next Friday",
        "paying #101 Friday, #102 is wrong",
        "I lost my job and I'm desperate, can I pay £20 a week from 1 April?",
        "STOP",
        "",
    ],
)
def test_to_json_follows_the_contract_and_round_trips(text: str) -> None:
    result = triage(text, channel="sms", received_at=RECEIVED, message_id="m-1")
    data = result.to_json()
    _assert_contract(data)
    assert Triage.from_json(json.loads(json.dumps(data))).to_json() == data
    explained = result.to_json(explain=True)
    assert explained["engine"] == "rules-1"
    assert Triage.from_json(explained) == result


def test_from_json_names_the_bad_field() -> None:
    data = triage("ok", received_at=RECEIVED).to_json()
    data["intents"] = [{"label": "promise_to_pya", "confidence": 0.9}]
    with pytest.raises(TriageFormatError, match="promise_to_pya"):
        Triage.from_json(data)
    with pytest.raises(TriageFormatError, match="intents"):
        Triage.from_json({"id": "x"})


def test_twenty_megabyte_body_completes_and_routes_to_a_person() -> None:
    body = "Stop contacting me.\n" + ("lorem ipsum dolor sit amet " * 800_000)
    assert len(body) > 20_000_000
    result = triage(body, received_at=RECEIVED)
    assert "cease_communication" in result.labels
    assert result.route == "human"
    assert "truncated" in result.reasons


def test_batch_jsonl_keeps_going_after_bad_lines() -> None:
    lines = [
        json.dumps({"id": "a", "text": "I'll send $200 next Friday",
                    "received_at": "2026-03-02T09:00:00+00:00"}),
        "{not json",
        "",
        json.dumps({"id": "c", "text": 42}),
        json.dumps({"id": "d", "text": "STOP", "channel": "fax"}),
        json.dumps({"id": "e", "text": "hi", "received_at": "2026-03-02T09:00:00"}),
        json.dumps({"id": "f", "text": "STOP", "channel": "sms",
                    "received_at": "2026-03-02T09:00:00Z", "subject": ""}),
    ]
    out = [json.loads(line) for line in triage_jsonl(lines)]
    assert [o["id"] for o in out] == ["a", None, "c", "d", "e", "f"]
    assert out[0]["promise"] == {"amount": "200.00", "currency": "USD", "date": "2026-03-06"}
    assert out[1]["error"].startswith("line 2: not valid JSON")
    assert out[2]["error"] == "line 4: field text must be a string (the message body)"
    assert "line 5: channel 'fax'" in out[3]["error"]
    assert "line 6" in out[4]["error"] and "offset" in out[4]["error"]
    assert out[5]["intents"] == [{"label": "channel_opt_out", "confidence": 0.98}]
    _assert_contract(out[0])
    _assert_contract(out[5])


@pytest.mark.parametrize(
    "body",
    [
        " " * 5_000_000,
        "a    " * 1_000_000,
        "3/15 " * 400_000,
        "#101 #102 is wrong, paying " * 100_000,
        "1" * 5_000_000,
        "😭" * 1_000_000,
        "> stop\n" * 500_000,
    ],
    ids=["spaces", "spaced-words", "dates", "references", "digits", "emoji", "quoted"],
)
def test_hostile_bodies_complete_and_go_to_a_person(body: str) -> None:
    result = triage(body, channel="sms", received_at=RECEIVED)
    assert result.route == "human"
    assert "truncated" in result.reasons
    assert len(result.dates) <= 200 and len(result.references) <= 200
