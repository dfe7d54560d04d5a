"""Console latency over HTTP with a signed-in session: queue page, thread page, compliance search.

Seeds a store directly (Core bulk inserts) with N threads and M messages (a triage result for
each inbound message, an open queue item per thread), serves the real app with uvicorn on
loopback and times requests with httpx. SQLite always; PostgreSQL too when reachable.
Usage: .venv/bin/python -m bench.console [--threads 10000] [--messages 50000] [--requests 200]
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import insert

from agent.config import GuardSettings, PolicySettings
from agent.process import Processor
from bench.common import report, summary
from store import users
from store.db import Database
from store.models import Account, Debtor, Message, QueueItem, Thread, TriageResult
from tests.support.http import ServerThread
from web.app import WebHandlers, create_app
from web.console import ConsoleService

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PASSWORD = "bench-password-123"
LABELS = ("dispute", "promise_to_pay", "hardship", "info_request", "cease_communication", "other")


def seed(db: Database, threads: int, messages: int) -> None:
    now = datetime.now(UTC)
    rng = random.Random(7)
    per_thread = max(1, messages // threads)
    with db.transaction() as session:
        users.add_user(session, "bench@example.test", "supervisor", PASSWORD, actor="bench")
        session.execute(
            insert(Debtor),
            [
                {"id": n + 1, "name": f"Debtor {n}", "email": f"d{n}@bench.example.com",
                 "phone": f"+1555{n:07d}", "timezone": "America/New_York", "jurisdiction": "US"}
                for n in range(threads)
            ],
        )  # fmt: skip
        session.execute(
            insert(Account),
            [
                {"id": f"B-{n:05d}", "debtor_id": n + 1, "balance": Decimal("500.00"),
                 "currency": "USD", "due_date": date(2026, 1, 1), "legal_state": "active",
                 "extra": {}, "imported_at": now - timedelta(days=60)}
                for n in range(threads)
            ],
        )  # fmt: skip
        session.execute(
            insert(Thread),
            [
                {"id": n + 1, "debtor_id": n + 1, "account_id": f"B-{n:05d}", "channel": "email",
                 "address": f"d{n}@bench.example.com", "subject": f"Re: account B-{n:05d}",
                 "created_at": now - timedelta(hours=threads - n)}
                for n in range(threads)
            ],
        )  # fmt: skip
        rows: list[dict[str, Any]] = []
        triage: list[dict[str, Any]] = []
        message_id = 0
        for n in range(threads):
            for k in range(per_thread):
                message_id += 1
                inbound = k % 2 == 0
                at = now - timedelta(hours=threads - n, minutes=-k)
                rows.append(
                    {"id": message_id, "thread_id": n + 1, "direction": "in" if inbound else "out",
                     "channel": "email", "external_id": f"<{message_id}@bench>",
                     "sender": f"d{n}@bench.example.com", "recipient": "c@bench",
                     "subject": "Re: account", "body": "I can't pay this month, it is not mine. "
                     * 5, "headers": {}, "attachments": [], "problems": [],
                     "match_method": "email", "status": "processed", "received_at": at,
                     "created_at": at}
                )  # fmt: skip
                if inbound:
                    label = rng.choice(LABELS)
                    triage.append(
                        {"message_id": message_id, "engine": "rules-1", "created_at": at,
                         "result": {"intents": [{"label": label, "confidence": 0.9}],
                                    "evidence": [{"label": label, "excerpt": "not mine"}],
                                    "route": "human", "reasons": [label]}}
                    )  # fmt: skip
            if len(rows) >= 5000:
                session.execute(insert(Message), rows)
                session.execute(insert(TriageResult), triage)
                rows, triage = [], []
        if rows:
            session.execute(insert(Message), rows)
            session.execute(insert(TriageResult), triage)
        session.execute(
            insert(QueueItem),
            [
                {"thread_id": n + 1, "message_id": None, "reasons": [rng.choice(LABELS)],
                 "priority": rng.randint(0, 4), "status": "open", "draft": "",
                 "due_at": now + timedelta(hours=4), "created_at": now - timedelta(minutes=n)}
                for n in range(threads)
            ],
        )  # fmt: skip


def measure(db: Database, threads: int, requests: int) -> dict[str, dict[str, float]]:
    processor = Processor(
        db,
        guard_settings=GuardSettings(),
        policy_settings=PolicySettings(),
        from_address="c@bench",
    )
    server = ServerThread()
    app = create_app(
        public_url=server.url,
        twilio_auth_token="",
        handlers=WebHandlers(
            receive_sms=lambda m: True, record_delivery=lambda s, t, c: None, is_ready=lambda: True
        ),
        console=ConsoleService(db, processor),
    )
    server.start(app)
    rng = random.Random(11)
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            form = client.get("/login").text
            token = form.split('name="csrf_token" value="')[1].split('"')[0]
            signed = client.post(
                "/login",
                data={"email": "bench@example.test", "password": PASSWORD, "csrf_token": token},
            )
            assert signed.status_code == 303, signed.text
            pages = max(1, threads // 50)
            targets = {
                "queue page": lambda: f"/console/queue?page={rng.randint(1, min(pages, 200))}",
                "thread page": lambda: f"/console/threads/{rng.randint(1, threads)}",
                "compliance search": lambda: f"/console/search?q=Debtor+{rng.randint(0, threads)}",
            }
            results = {}
            for name, url in targets.items():
                client.get(url())
                timings = []
                for _ in range(requests):
                    start = time.perf_counter()
                    response = client.get(url())
                    timings.append(time.perf_counter() - start)
                    assert response.status_code == 200, (name, response.status_code)
                results[name] = summary(timings)
            return results
    finally:
        server.stop()


def postgres_url() -> tuple[str, str] | None:
    name = f"parley_bench_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        return None
    return name, f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="parley-bench-console-"))
    backends: dict[str, dict[str, dict[str, float]]] = {}
    try:
        targets: list[tuple[str, str, str | None]] = [
            ("sqlite", f"sqlite:///{root / 'parley.db'}", None)
        ]
        pg = postgres_url()
        if pg is not None:
            targets.append(("postgresql", pg[1], pg[0]))
        for backend, url, pg_name in targets:
            db = Database(url)
            try:
                db.upgrade()
                started = time.perf_counter()
                seed(db, args.threads, args.messages)
                print(f"{backend}: seeded in {time.perf_counter() - started:.1f} s")
                # A live database has planner statistics; a freshly bulk-loaded one has none
                # until autovacuum gets to it, so gather them as an operator would after a load.
                with db.engine.connect() as connection:
                    connection.exec_driver_sql("ANALYZE")
                    connection.commit()
                backends[backend] = measure(db, args.threads, args.requests)
            finally:
                db.dispose()
                if pg_name:
                    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                        admin.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
    finally:
        shutil.rmtree(root, ignore_errors=True)
    rows = [
        (f"{backend} {name}", f"p50 {s['p50_ms']} ms  p95 {s['p95_ms']} ms  max {s['max_ms']} ms")
        for backend, figures in backends.items()
        for name, s in figures.items()
    ]
    report(
        "console",
        rows,
        {"threads": args.threads, "messages": args.messages, "requests": args.requests,
         "results": backends},
    )  # fmt: skip


if __name__ == "__main__":
    main()
