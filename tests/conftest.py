"""Shared fixtures: a fresh database per test on SQLite and on the local PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from store.db import Database

os.environ.setdefault("HF_HUB_OFFLINE", "1")
PG_ADMIN = os.environ.get("PARLEY_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
REPO = Path(__file__).resolve().parent.parent


def _postgres_database() -> Iterator[str]:
    name = f"parley_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            raise RuntimeError(f"PostgreSQL must run in CI: {exc}") from exc
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN}: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        server = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'parley.db'}"
    else:
        yield from _postgres_database()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def accounts_csv(tmp_path: Path) -> Path:
    path = tmp_path / "accounts.csv"
    path.write_text(
        "account_id,debtor_name,email,phone,balance,currency,due_date,timezone,jurisdiction,"
        "invoice_numbers\n"
        "A-100,Dana Whitfield,dana@example.com,+15550100001,1250.00,USD,2026-10-01,"
        "America/New_York,US-NY,INV-1001;INV-1002\n"
        "A-200,Sam Okafor,sam@example.org,+447700900123,480.50,GBP,2026-09-15,Europe/London,UK,"
        "INV-2001\n"
        "A-300,Lee Park,lee@example.net,+15550100003,90.00,USD,2026-11-01,Pacific/Honolulu,US-HI,"
        "\n",
        encoding="utf-8",
    )
    return path
