"""Screenshots of the console on the demo portfolio, for the README (docs/screenshots/).

Runs `parley demo` into a scratch data folder, serves that database with `parley serve`, signs in
as the demo supervisor and compliance users in Debian's Chromium, and saves full-page PNGs.
Usage: .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.support.parley_process import ParleyProcess  # noqa: E402

OUT = REPO / "docs" / "screenshots"


def sign_in(page: Page, url: str, email: str, password: str) -> None:
    page.goto(f"{url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state("networkidle")


def main() -> None:
    data = Path(tempfile.mkdtemp(prefix="parley-shots-"))
    env = {**os.environ, "PARLEY_DATA_DIR": str(data), "HF_HUB_OFFLINE": "1"}
    demo = subprocess.run(
        [sys.executable, "-m", "parley", "demo"], cwd=REPO, env=env, capture_output=True, text=True
    )
    demo.check_returncode()
    users = dict(re.findall(r"^\s+(\w+)\s+\S+@demo\.parley\.invalid\s+(\S+)$", demo.stdout, re.M))
    emails = dict(re.findall(r"^\s+(\w+)\s+(\S+@demo\.parley\.invalid)", demo.stdout, re.M))
    parley = ParleyProcess(
        env={"PARLEY_DATA_DIR": str(data), "PARLEY_DATABASE_URL": f"sqlite:///{data / 'demo.db'}"},
        log=data / "serve.log",
    )
    parley.start()
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            sign_in(page, parley.url, emails["supervisor"], users["supervisor"])
            page.goto(f"{parley.url}/console/queue")
            page.screenshot(path=str(OUT / "queue.png"), full_page=True)
            page.click("table.queue a.open-item >> nth=0")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / "thread.png"), full_page=True)
            page.click("#logout")
            sign_in(page, parley.url, emails["compliance"], users["compliance"])
            page.goto(f"{parley.url}/console/kpis")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / "kpis.png"), full_page=True)
            browser.close()
    finally:
        parley.stop()
    print(f"screenshots written to {OUT}")


if __name__ == "__main__":
    main()
