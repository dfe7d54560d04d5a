"""Benchmark: the agent's decision plus its reply (retrieval included, no LLM), and the guard.

Targets from issue 4: decision plus reply p95 <= 150 ms; guard <= 5 ms per text. Triage is
done beforehand (it has its own benchmark); the database is left out so the figure is the
agent's own cost. The knowledge base is the shipped one, indexed into a scratch folder; the
model load is reported separately since a running service pays it once.

Run: .venv/bin/python -m bench.agent_decision [--rounds N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from agent import guard, policy, templates
from agent.config import GuardSettings, PolicySettings
from agent.facts import AccountFacts, ThreadContext
from agent.knowledge import KB_DIR, ChromaRetriever, Passage, select_passages, sms_excerpt
from bench.common import report, summary
from nlp.triage import triage

NOW = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
MESSAGES = [
    ("email", "What is my balance and how can I pay?"),
    ("email", "Can you send me a copy of the invoice please"),
    ("sms", "how do I pay this"),
    ("email", "where do I send a check?"),
    ("email", "I'll pay $200 on March 6th."),
    ("sms", "I can pay 100 on March 10"),
    ("email", "This is not my debt. I never had an account with them."),
    ("email", "Please stop contacting me."),
    ("sms", "STOP"),
    ("email", "I lost my job and I really can't pay anything right now"),
]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args(argv)
    facts = AccountFacts(
        account_id="A-100",
        debtor_name="Dana Whitfield",
        balance=Decimal("1250.00"),
        currency="USD",
        due_date=date(2026, 10, 1),
        timezone="America/New_York",
        jurisdiction="US-NY",
        legal_state="active",
    )
    guard_settings, policy_settings = GuardSettings(), PolicySettings()
    triaged = [(ch, text, triage(text, channel=ch, received_at=NOW)) for ch, text in MESSAGES]

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        retriever = ChromaRetriever(Path(scratch), kb_dir=KB_DIR)
        loaded = time.perf_counter() - started
        indexed = retriever.index()
        index_s = time.perf_counter() - started - loaded
        retriever.search("warm up the query path", 1)  # first query pays one-off setup

        decisions: list[float] = []
        guards: list[float] = []
        drafts: list[tuple[str, str, str]] = []
        for _ in range(args.rounds):
            for channel, text, result in triaged:
                t0 = time.perf_counter()
                context = ThreadContext(channel=channel, matched=True, received_at=NOW)
                decision = policy.decide(result, facts, context, settings=policy_settings)
                if decision.template is not None:
                    kind = decision.template

                    def render(
                        chosen: Sequence[Passage],
                        ch: str = channel,
                        k: str = kind,
                        d: policy.Decision = decision,
                    ) -> templates.Draft:
                        texts_ = [sms_excerpt(p.text) if ch == "sms" else p.text for p in chosen]
                        return templates.render(
                            k,
                            ch,
                            facts,
                            d,
                            policy_settings,
                            guard=guard_settings,
                            passages=texts_,
                        )

                    chosen: list[Passage] = []
                    if kind == "info_reply":
                        chosen = select_passages(
                            retriever,
                            text,
                            fits=lambda p, r=render, ch=channel: (
                                guard.check(
                                    r(p).body,
                                    channel=ch,
                                    facts=facts,
                                    kind="info_reply",
                                    now=NOW,
                                    settings=guard_settings,
                                ).allowed
                            ),
                            limit=2 if channel == "email" else 1,
                        )
                    draft = render(chosen)
                    guard.check(
                        draft.body,
                        channel=channel,
                        facts=facts,
                        kind=kind,
                        now=NOW,
                        settings=guard_settings,
                    )
                    drafts.append((channel, kind, draft.body))
                decisions.append(time.perf_counter() - t0)
        for channel, kind, body in drafts:
            t0 = time.perf_counter()
            guard.check(
                body, channel=channel, facts=facts, kind=kind, now=NOW, settings=guard_settings
            )
            guards.append(time.perf_counter() - t0)

    decision_stats, guard_stats = summary(decisions), summary(guards)
    rows = [
        ("model load + open index (once per process)", f"{loaded:.1f} s"),
        (f"index build ({indexed.chunks} chunks)", f"{index_s:.2f} s"),
        (
            "decision + reply p50 / p95",
            f"{decision_stats['p50_ms']} / {decision_stats['p95_ms']} ms"
            f" (target p95 <= 150 ms; n={decision_stats['n']})",
        ),
        (
            "guard per text p50 / p95",
            f"{guard_stats['p50_ms']} / {guard_stats['p95_ms']} ms"
            f" (target <= 5 ms; n={guard_stats['n']})",
        ),
    ]
    report(
        "agent_decision",
        rows,
        {
            "model_load_s": round(loaded, 2),
            "index_build_s": round(index_s, 2),
            "decision_plus_reply": decision_stats,
            "guard_per_text": guard_stats,
            "targets": {"decision_plus_reply_p95_ms": 150, "guard_p95_ms": 5},
        },
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
