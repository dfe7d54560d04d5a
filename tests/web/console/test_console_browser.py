"""The console in a real browser (Playwright driving Debian's Chromium) against `parley serve`
with Dovecot, an SMTP server and a local Twilio API: a collector answers the most urgent item,
a compliance reviewer finds and exports it. Screenshots go to test-artifacts/console/."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import (  # noqa: F401  (fixtures used by name)
    DEBTOR_EMAIL,
    accounts_file,
    dovecot,
    email_bytes,
    make_parley,
    query,
    scratch,
    smtp,
    twilio,
)
from tests.support.dovecot import DovecotServer
from tests.support.parley_process import REPO, ParleyProcess, wait_for
from tests.support.smtp_sink import SmtpSink

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts" / "console"
WAIT = 60.0
PASSWORD = "browser-test-password"
TIMEOUT_MS = 30_000

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium)"
)


def add_user(parley: ParleyProcess, email: str, role: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "parley", "users", "add", email, "--role", role],
        cwd=REPO,
        env={**os.environ, "HF_HUB_OFFLINE": "1", **parley.env},
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()


def sign_in(page: object, url: str, email: str) -> None:
    page.goto(f"{url}/login")  # type: ignore[attr-defined]
    page.fill("input[name=email]", email)  # type: ignore[attr-defined]
    page.fill("input[name=password]", PASSWORD)  # type: ignore[attr-defined]
    page.click("form[action='/login'] button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_selector("#logout", timeout=TIMEOUT_MS)  # type: ignore[attr-defined]


def test_collector_and_compliance_in_the_browser(
    make_parley: Callable[..., ParleyProcess],  # noqa: F811
    dovecot: DovecotServer,  # noqa: F811
    smtp: SmtpSink,  # noqa: F811
    browser: object,
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    parley = make_parley()
    add_user(parley, "cora@example.test", "collector")
    add_user(parley, "pat@example.test", "compliance")
    dovecot.append(
        email_bytes(
            "This is not my debt and I dispute it. <script>alert('pwned')</script>",
            message_id="<dispute-1@mail.example.com>",
        )
    )
    wait_for(
        lambda: query(parley, "SELECT id FROM queue_items WHERE status = 'open'"),
        WAIT,
        "the dispute to reach the human queue",
    )
    before = len(smtp.received)
    dialogs: list[str] = []

    context = browser.new_context(accept_downloads=True)  # type: ignore[attr-defined]
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    sign_in(page, parley.url, "cora@example.test")
    page.wait_for_selector("table.queue a.open-item")
    page.screenshot(path=str(ARTIFACTS / "queue.png"), full_page=True)
    page.click("table.queue a.open-item >> nth=0")
    mark = page.wait_for_selector("mark.hl[data-label=dispute]")
    assert mark is not None and mark.inner_text().lower() in "this is not my debt and i dispute it"
    assert "<script>alert('pwned')</script>" in page.inner_text(".timeline")
    page.screenshot(path=str(ARTIFACTS / "thread.png"), full_page=True)

    starter = page.input_value("#draft")
    assert "debt collector" in starter
    page.fill("#draft", "Pay today or we will have you arrested.\n\n" + starter)
    page.click("#check-button")
    page.wait_for_selector("#verdict .denied")
    page.click("#send-button")
    blocked = page.wait_for_selector("#blocked")
    assert blocked is not None and "prohibited_language" in blocked.inner_text()
    page.screenshot(path=str(ARTIFACTS / "blocked.png"), full_page=True)

    lawful = "Thank you. We have paused collection while we look into your dispute.\n\n"
    page.fill("#draft", lawful + starter)
    page.click("#check-button")
    page.wait_for_selector("#verdict .allowed")
    page.click("#send-button")
    page.wait_for_selector("#notice")

    def collector_mail() -> object:
        for mail in smtp.received[before:]:
            body = mail.message.get_body(("plain",)).get_content()
            if "paused collection while we look" in body:
                return mail
        return None

    mail = wait_for(collector_mail, WAIT, "the collector's reply at the SMTP server")
    assert mail.rcpt_tos == (DEBTOR_EMAIL,)  # type: ignore[attr-defined]
    assert mail.message["In-Reply-To"] == "<dispute-1@mail.example.com>"  # type: ignore[attr-defined]
    page.click("#logout")
    page.wait_for_selector("form[action='/login']")

    sign_in(page, parley.url, "pat@example.test")
    page.goto(f"{parley.url}/console/search?q=A-1001")
    page.wait_for_selector("a.transcript-link")
    page.screenshot(path=str(ARTIFACTS / "search.png"), full_page=True)
    page.click("a.transcript-link >> nth=0")
    page.wait_for_selector("#export-jsonl")
    page.screenshot(path=str(ARTIFACTS / "transcript.png"), full_page=True)
    with page.expect_download() as download_info:
        page.click("#export-jsonl")
    exported = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert '"kind":"console.reply_sent"' in exported
    assert '"actor":"cora@example.test"' in exported

    item_id = query(parley, "SELECT id FROM queue_items ORDER BY id LIMIT 1")[0][0]
    csrf = page.get_attribute("meta[name=csrf-token]", "content")
    refused = page.request.post(
        f"{parley.url}/console/items/{item_id}/send",
        form={"text": lawful + starter, "csrf_token": csrf or ""},
    )
    assert refused.status == 403

    page.goto(f"{parley.url}/console/kpis")
    page.wait_for_selector("#chart-dso svg")
    assert page.locator("figure.chart svg").count() >= 4
    page.screenshot(path=str(ARTIFACTS / "kpis.png"), full_page=True)
    assert dialogs == [], "a debtor's script ran in the console"
    context.close()
