"""End-to-end email latency and throughput: IMAP APPEND to the reply at the SMTP server.

Real Dovecot, real aiosmtpd, `parley serve` as a subprocess on SQLite (or PARLEY_DATABASE_URL).
Latency: single emails appended one at a time. Throughput: a burst appended at once, timed until
every reply has arrived. Usage: .venv/bin/python bench/email_pipeline.py [--single 50] [--burst 500]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from bench.common import accounts_csv, report, summary
from tests.support.dovecot import DovecotServer
from tests.support.parley_process import ParleyProcess
from tests.support.smtp_sink import SmtpSink

MAILBOX = "collector@example.test"


def promise_email(n: int, sender: str) -> bytes:
    day = datetime.now(UTC).date() + timedelta(days=7)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = MAILBOX
    message["Subject"] = "Re: your account"
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = f"<bench-{n}@bench.example.com>"
    message.set_content(
        f"Hello,\n\nI'll pay $120 on {day:%B} {day.day}. Thanks for your patience.\n\n"
        "Best regards,\nA debtor\n\n> On Monday you wrote:\n> Your balance is overdue.\n"
    )
    return bytes(message)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--single", type=int, default=50)
    parser.add_argument("--burst", type=int, default=500)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="parley-bench-"))
    root.chmod(0o755)
    dovecot = DovecotServer(root / "dovecot", username=MAILBOX).start()
    smtp = SmtpSink().start()
    debtors = accounts_csv(root / "accounts.csv", 100)
    parley = ParleyProcess(
        env={
            "PARLEY_DATA_DIR": str(root / "data"),
            "PARLEY_IMAP_HOST": dovecot.host,
            "PARLEY_IMAP_PORT": str(dovecot.port),
            "PARLEY_IMAP_USER": dovecot.username,
            "PARLEY_IMAP_PASSWORD": dovecot.password,
            "PARLEY_IMAP_SSL": "false",
            "PARLEY_SMTP_HOST": smtp.host,
            "PARLEY_SMTP_PORT": str(smtp.port),
            "PARLEY_SMTP_STARTTLS": "false",
            "PARLEY_FROM_ADDRESS": MAILBOX,
        },
        log=root / "parley.log",
    )
    try:
        imported = parley.run_cli("import", "accounts", str(root / "accounts.csv"))
        assert imported.returncode == 0, imported.stderr
        parley.start()
        # Warm-up: the first message waits for the knowledge base to load (about 8 s once per
        # process); steady-state latency is what the figures below describe.
        dovecot.append(promise_email(99_999, debtors[0][1]))
        smtp.wait_for(1, timeout=120)
        latencies = []
        for n in range(args.single):
            _, email, _ = debtors[n % len(debtors)]
            started = time.perf_counter()
            dovecot.append(promise_email(n, email))
            smtp.wait_for(n + 2, timeout=60)
            latencies.append(time.perf_counter() - started)
        already = len(smtp.received)
        burst = [
            promise_email(10_000 + n, debtors[n % len(debtors)][1]) for n in range(args.burst)
        ]
        client = dovecot.client()  # one connection, as an MTA delivering a busy morning
        started = time.perf_counter()
        for raw in burst:
            client.append("INBOX", raw)
        appended = time.perf_counter() - started
        client.logout()
        smtp.wait_for(already + args.burst, timeout=600)
        elapsed = time.perf_counter() - started
    finally:
        parley.stop()
        smtp.stop()
        dovecot.stop()
    single = summary(latencies)
    rate = args.burst / elapsed
    report(
        "email_pipeline",
        [
            ("single email, APPEND to reply at SMTP, p50", f"{single['p50_ms']} ms"),
            ("single email, APPEND to reply at SMTP, p95", f"{single['p95_ms']} ms"),
            (f"burst of {args.burst}: appending took", f"{appended:.1f} s"),
            (f"burst of {args.burst}: all replies after", f"{elapsed:.1f} s"),
            ("sustained throughput", f"{rate:.1f} emails/s"),
            ("targets", "p95 < 1000 ms, >= 50 emails/s"),
        ],
        {"single": single, "burst": {"n": args.burst, "seconds": elapsed, "per_second": rate}},
    )
    if os.environ.get("BENCH_KEEP"):
        print(f"  kept {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
