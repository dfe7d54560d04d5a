"""Nothing lost, nothing twice: SMTP down, and Parley killed between storing and replying."""

from __future__ import annotations

import time
from collections.abc import Callable

from tests.e2e.conftest import email_bytes, query
from tests.e2e.test_e2e_email import WAIT, promise_text
from tests.support.dovecot import DovecotServer
from tests.support.parley_process import ParleyProcess, wait_for
from tests.support.smtp_sink import SmtpSink, free_port


def test_smtp_down_the_outbox_retries_and_delivers_once_when_it_is_back(
    make_parley: Callable[..., ParleyProcess], dovecot: DovecotServer
) -> None:
    port = free_port()
    parley = make_parley(PARLEY_SMTP_PORT=str(port))
    dovecot.append(email_bytes(promise_text(), message_id="<down@mail.example.com>"))
    wait_for(
        lambda: (query(parley, "SELECT max(attempts) FROM outbox")[0][0] or 0) >= 2,
        WAIT,
        "two failed attempts",
    )
    sink = SmtpSink(port=port).start()
    try:
        [mail] = sink.wait_for(1, timeout=WAIT)
        assert mail.message["In-Reply-To"] == "<down@mail.example.com>"
        time.sleep(3)
        assert len(sink.received) == 1
        assert query(parley, "SELECT status FROM outbox") == [("sent",)]
        retries = query(parley, "SELECT count(*) FROM audit_events WHERE kind = 'outbox.retry'")
        assert retries[0][0] >= 1
    finally:
        parley.stop()
        sink.stop()


def test_killed_before_the_reply_went_out_it_goes_out_once_after_restart(
    make_parley: Callable[..., ParleyProcess], dovecot: DovecotServer, smtp: SmtpSink
) -> None:
    first = make_parley(PARLEY_SMTP_HOST="")
    dovecot.append(email_bytes(promise_text(), message_id="<crash@mail.example.com>"))
    wait_for(
        lambda: query(first, "SELECT count(*) FROM outbox WHERE status = 'pending'") == [(1,)],
        WAIT,
        "the reply stored in the outbox",
    )
    first.kill()

    second = make_parley()
    [mail] = smtp.wait_for(1, timeout=WAIT)
    assert mail.message["In-Reply-To"] == "<crash@mail.example.com>"
    time.sleep(3)
    assert len(smtp.received) == 1
    assert query(second, "SELECT count(*) FROM messages WHERE direction = 'in'") == [(1,)]
    assert second.run_cli("audit", "verify").returncode == 0
