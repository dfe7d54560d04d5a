"""SMS webhook latency: a signed Twilio POST to `parley serve`, and the reply at the Twilio API.

Real HTTP against `parley serve` (SQLite), the real twilio client pointed at a local server that
speaks Twilio's Messages API. Usage: .venv/bin/python -m bench.sms_webhook [--messages 200]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from bench.common import accounts_csv, report, summary
from tests.support.parley_process import ParleyProcess, wait_for
from tests.support.twilio_api import FakeTwilioApi

TWILIO_NUMBER = "+15550109999"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="parley-bench-sms-"))
    debtors = accounts_csv(root / "accounts.csv", 100)
    day = datetime.now(UTC).date() + timedelta(days=5)
    with FakeTwilioApi() as twilio:
        parley = ParleyProcess(
            env={
                "PARLEY_DATA_DIR": str(root / "data"),
                "PARLEY_TWILIO_ACCOUNT_SID": twilio.account_sid,
                "PARLEY_TWILIO_AUTH_TOKEN": twilio.auth_token,
                "PARLEY_TWILIO_FROM_NUMBER": TWILIO_NUMBER,
                "PARLEY_TWILIO_API_BASE": twilio.base_url,
            },
            log=root / "parley.log",
        )
        imported = parley.run_cli("import", "accounts", str(root / "accounts.csv"))
        assert imported.returncode == 0, imported.stderr
        parley.start()
        url = f"{parley.url}/webhooks/twilio/sms"
        webhook: list[float] = []
        reply: list[float] = []
        try:
            with httpx.Client(timeout=30) as client:
                for n in range(args.messages):
                    _, _, phone = debtors[n % len(debtors)]
                    form = {
                        "MessageSid": f"SM{n:032d}",
                        "AccountSid": twilio.account_sid,
                        "From": phone,
                        "To": TWILIO_NUMBER,
                        "Body": f"ill pay $40 on {day:%B} {day.day} 🙏",
                        "NumMedia": "0",
                    }
                    headers = {"X-Twilio-Signature": twilio.sign(url, form)}
                    started = time.perf_counter()
                    response = client.post(url, data=form, headers=headers)
                    webhook.append(time.perf_counter() - started)
                    assert response.status_code == 200, response.text
                    wait_for(lambda n=n: len(twilio.messages) > n, 60, "the reply")
                    reply.append(time.perf_counter() - started)
        finally:
            parley.stop()
    hook, out = summary(webhook), summary(reply)
    report(
        "sms_webhook",
        [
            ("webhook answered (store + 200 TwiML), p50", f"{hook['p50_ms']} ms"),
            ("webhook answered (store + 200 TwiML), p95", f"{hook['p95_ms']} ms"),
            ("reply at the Twilio API, p50", f"{out['p50_ms']} ms"),
            ("reply at the Twilio API, p95", f"{out['p95_ms']} ms"),
            ("target", "webhook p95 < 300 ms"),
        ],
        {"webhook": hook, "reply": out},
    )
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
