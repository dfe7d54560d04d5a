"""An information request by email gets a reply grounded in the ledger and the knowledge base.

`parley serve` loads the embedding model and indexes knowledge_base/ once at start; on a loaded
2-core machine that alone can take tens of seconds, hence the long wait.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.e2e.conftest import email_bytes, query
from tests.support.dovecot import DovecotServer
from tests.support.parley_process import ParleyProcess
from tests.support.smtp_sink import SmtpSink

WAIT = 180.0
PAYMENT_METHODS = ("payment portal", "debit card", "bank transfer", "by phone", "check")

pytestmark = pytest.mark.timeout(600)


def test_balance_and_how_to_pay_is_answered_from_ledger_and_knowledge_base(
    make_parley: Callable[..., ParleyProcess], dovecot: DovecotServer, smtp: SmtpSink
) -> None:
    parley = make_parley(PARLEY_KB_ENABLED="true")
    dovecot.append(
        email_bytes(
            "Hi, what is my balance and how can I pay?\n\nDana",
            message_id="<info-1@mail.example.com>",
        )
    )

    [mail] = smtp.wait_for(1, timeout=WAIT)
    body = mail.message.get_body(("plain",)).get_content()
    assert "$1,250.00" in body  # the ledger's balance
    assert any(method in body for method in PAYMENT_METHODS), body
    assert "debt collector" in body.lower()
    assert mail.message["In-Reply-To"] == "<info-1@mail.example.com>"

    events = [json.loads(line) for line in parley.run_cli("audit", "export").stdout.splitlines()]
    [grounded] = [e for e in events if e["kind"] == "reply.grounded"]
    assert grounded["data"]["sources"] and grounded["data"]["chunk_ids"]
    assert query(parley, "SELECT action FROM decisions") == [("send_info",)]
    assert parley.run_cli("audit", "verify").returncode == 0
