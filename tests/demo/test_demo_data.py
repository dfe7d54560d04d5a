"""The bundled demo data must agree with itself and with the triage contract.

`parley demo` imports these files and pushes every inbox line through the pipeline. If any
message is matched to no account, has an impossible time or uses a label that is not in the
taxonomy, the demo table is wrong and nobody notices. These checks catch those errors here.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from nlp import model as nlp_model
from store.db import Database
from store.importer import import_accounts, import_payments
from store.models import Account, Debtor

DEMO = Path(__file__).resolve().parents[2] / "demo"

# The label names of TAXONOMY.md, as the triage contract in nlp/model.py spells them.
LABELS = frozenset(nlp_model.LABELS)
DISPUTE_TYPES = frozenset(nlp_model.DISPUTE_TYPES)
ACCOUNT_HEADER = [
    "account_id",
    "debtor_name",
    "email",
    "phone",
    "balance",
    "currency",
    "due_date",
    "timezone",
    "jurisdiction",
    "invoice_numbers",
    "product",
]
PAYMENT_HEADER = ["account_id", "amount", "currency", "paid_at", "reference"]
INBOX_KEYS = {"id", "channel", "from", "subject", "body", "received_at", "expect"}
INBOX_OPTIONAL = {"html", "charset", "unknown_sender", "expect_dispute_type", "note"}
FICTIONAL_PHONE = re.compile(r"^(\+1[2-9]\d{2}55501\d{2}|\+447700900\d{3})$")
EMAIL = re.compile(r"^[a-z0-9._-]+@example\.(com|org|net)$")
INVOICE = re.compile(r"^INV-\d{4}$")
WINDOW = (date(2026, 11, 23), date(2026, 12, 4))


def _money(text: str) -> Decimal:
    """Parse an amount that has exactly two decimal places, as the importer expects."""
    assert re.fullmatch(r"\d+\.\d{2}", text), f"{text!r} is not an amount like 1234.50"
    return Decimal(text)


def _read_csv(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with (DEMO / name).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


@pytest.fixture(scope="module")
def accounts() -> dict[str, dict[str, str]]:
    header, rows = _read_csv("accounts.csv")
    assert header == ACCOUNT_HEADER
    ids = [row["account_id"] for row in rows]
    assert len(ids) == len(set(ids)), "duplicate account_id"
    return {row["account_id"]: row for row in rows}


@pytest.fixture(scope="module")
def payments() -> list[dict[str, str]]:
    header, rows = _read_csv("payments.csv")
    assert header == PAYMENT_HEADER
    return rows


@pytest.fixture(scope="module")
def inbox() -> list[dict[str, Any]]:
    lines = (DEMO / "inbox.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert all(isinstance(record, dict) for record in records)
    return records


def _contacts(accounts: dict[str, dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    found: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in accounts.values():
        found[row["email"]].append(row)
        found[row["phone"]].append(row)
    return found


def test_accounts_are_well_formed(accounts: dict[str, dict[str, str]]) -> None:
    assert 35 <= len(accounts) <= 50
    for account_id, row in accounts.items():
        where = f"accounts.csv {account_id}"
        assert row["debtor_name"].strip(), where
        assert EMAIL.match(row["email"]), f"{where}: email {row['email']!r}"
        assert FICTIONAL_PHONE.match(row["phone"]), f"{where}: phone {row['phone']!r}"
        balance = _money(row["balance"])
        assert Decimal("80") <= balance <= Decimal("25000"), where
        due = date.fromisoformat(row["due_date"])
        assert date(2026, 1, 1) <= due < date(2026, 12, 1), where
        ZoneInfo(row["timezone"])
        invoices = row["invoice_numbers"].split(";")
        assert invoices and all(INVOICE.match(number) for number in invoices), where
        assert row["product"].strip(), where
        if row["jurisdiction"] == "UK":
            assert (row["currency"], row["timezone"]) == ("GBP", "Europe/London"), where
            assert row["phone"].startswith("+44"), where
        else:
            assert re.fullmatch(r"US-[A-Z]{2}", row["jurisdiction"]), where
            assert row["currency"] == "USD" and row["phone"].startswith("+1"), where
            assert row["timezone"].split("/")[0] in {"America", "Pacific"}, where


def test_portfolio_mixes_countries_zones_and_amounts(accounts: dict[str, dict[str, str]]) -> None:
    rows = list(accounts.values())
    assert {row["currency"] for row in rows} == {"USD", "GBP"}
    assert len({row["timezone"] for row in rows}) >= 5
    assert "Pacific/Honolulu" in {row["timezone"] for row in rows}
    balances = [_money(row["balance"]) for row in rows]
    assert min(balances) < Decimal("100") and max(balances) > Decimal("20000")
    invoices = [number for row in rows for number in row["invoice_numbers"].split(";")]
    assert len(invoices) == len(set(invoices)), "an invoice number belongs to two accounts"


def test_exactly_one_debtor_holds_two_accounts(accounts: dict[str, dict[str, str]]) -> None:
    shared = {contact: rows for contact, rows in _contacts(accounts).items() if len(rows) > 1}
    assert len(shared) == 2, f"expected one shared email and one shared phone: {sorted(shared)}"
    pairs = {tuple(sorted(row["account_id"] for row in rows)) for rows in shared.values()}
    assert len(pairs) == 1, "the shared email and phone must belong to the same two accounts"
    names = {row["debtor_name"] for rows in shared.values() for row in rows}
    assert len(names) == 1, "the two accounts must be the same person"


def test_payments_match_their_accounts(
    accounts: dict[str, dict[str, str]], payments: list[dict[str, str]]
) -> None:
    assert len(payments) >= 25
    paid: defaultdict[str, Decimal] = defaultdict(Decimal)
    references: set[tuple[str, str]] = set()
    for row in payments:
        account = accounts.get(row["account_id"])
        assert account is not None, f"payment for unknown account {row['account_id']}"
        amount = _money(row["amount"])
        assert amount > 0
        assert row["currency"] == account["currency"], row
        paid_at = datetime.fromisoformat(row["paid_at"])
        assert paid_at.tzinfo is not None, f"{row['paid_at']} has no UTC offset"
        assert paid_at.year == 2026 and paid_at.date() < WINDOW[0], row
        local = paid_at.astimezone(ZoneInfo(account["timezone"]))
        assert paid_at.utcoffset() == local.utcoffset(), f"{row['paid_at']}: wrong offset"
        # The importer skips a second payment with the same reference on the same account.
        key = (row["account_id"], row["reference"])
        assert row["reference"] and key not in references, f"reference reused: {key}"
        references.add(key)
        paid[row["account_id"]] += amount
    for account_id, total in paid.items():
        assert total <= _money(accounts[account_id]["balance"]), f"{account_id} overpaid"
    paid_off = [a for a, total in paid.items() if total == _money(accounts[a]["balance"])]
    assert len(paid_off) == 1, f"expected one full payoff, got {paid_off}"
    assert any(total < _money(accounts[a]["balance"]) for a, total in paid.items())


def test_inbox_lines_are_well_formed(inbox: list[dict[str, Any]]) -> None:
    assert len(inbox) >= 40
    ids = [record["id"] for record in inbox]
    assert len(ids) == len(set(ids)), "duplicate inbox id"
    for record in inbox:
        where = f"inbox {record.get('id')}"
        keys = set(record)
        required = INBOX_KEYS - ({"subject"} if record["channel"] == "sms" else set())
        assert required <= keys <= INBOX_KEYS | INBOX_OPTIONAL, f"{where}: keys {sorted(keys)}"
        assert re.fullmatch(r"d-\d{2,3}", record["id"]), where
        assert isinstance(record["body"], str) and record["body"].strip(), where
        received = datetime.fromisoformat(record["received_at"])
        assert received.tzinfo is not None, f"{where}: received_at needs a UTC offset"
        assert WINDOW[0] <= received.date() <= WINDOW[1], where
        if record["channel"] == "sms":
            assert re.fullmatch(r"\+[1-9]\d{6,14}", record["from"]), where
            assert not keys & {"subject", "html", "charset"}, f"{where}: email-only field"
            assert len(record["body"]) <= 480, f"{where}: too long for an SMS"
        else:
            assert record["channel"] == "email", where
            assert "@" in record["from"] and record["subject"].strip(), where


def test_senders_are_in_the_portfolio_unless_marked_unknown(
    accounts: dict[str, dict[str, str]], inbox: list[dict[str, Any]]
) -> None:
    contacts = _contacts(accounts)
    unknown = [record["id"] for record in inbox if record.get("unknown_sender")]
    assert len(unknown) == 3
    for record in inbox:
        rows = contacts.get(record["from"], [])
        if record.get("unknown_sender"):
            assert not rows, f"{record['id']} is marked unknown but matches {rows[0]}"
            continue
        assert rows, f"{record['id']}: sender {record['from']!r} is not in accounts.csv"
        received = datetime.fromisoformat(record["received_at"])
        zone = ZoneInfo(rows[0]["timezone"])
        assert received.utcoffset() == received.astimezone(zone).utcoffset(), (
            f"{record['id']}: received_at offset is not the debtor's local offset"
        )


def test_every_taxonomy_label_and_dispute_type_is_expected_somewhere(
    inbox: list[dict[str, Any]],
) -> None:
    seen: set[str] = set()
    types: set[str] = set()
    for record in inbox:
        expect = record["expect"]
        assert isinstance(expect, list) and expect, record["id"]
        assert set(expect) <= LABELS, f"{record['id']}: not taxonomy labels: {expect}"
        seen.update(expect)
        if "dispute" in expect:
            assert record.get("expect_dispute_type") in DISPUTE_TYPES, record["id"]
            types.add(record["expect_dispute_type"])
        else:
            assert "expect_dispute_type" not in record, record["id"]
    assert seen == LABELS, f"labels no message expects: {sorted(LABELS - seen)}"
    assert types == DISPUTE_TYPES, f"dispute types not covered: {sorted(DISPUTE_TYPES - types)}"
    assert sum(len(record["expect"]) > 1 for record in inbox) >= 5


def test_inbox_exercises_the_hard_cases(inbox: list[dict[str, Any]]) -> None:
    bodies = {record["id"]: record["body"] for record in inbox}
    text = "\n".join(bodies.values())
    assert any(body.strip() == "STOP" for body in bodies.values())
    assert any(body.strip() == "START" for body in bodies.values())
    assert any(body.strip() == "HELP" for body in bodies.values())
    assert "ignore your previous instructions" in text.lower()
    assert re.search(r"^On .+ wrote:$", text, re.MULTILINE), "no Gmail quoted history"
    assert re.search(r"^From: .+\nSent: ", text, re.MULTILINE), "no Outlook quoted history"
    assert "quid" in text and "£" in text
    assert any(ord(ch) > 0xFFFF for ch in text), "no emoji"
    assert "INV-1042" in text and "INV-1043" in text
    assert any("self_harm_risk" in record.get("note", "") for record in inbox)


def test_html_and_charset_messages_can_be_sent_as_declared(inbox: list[dict[str, Any]]) -> None:
    html = [record for record in inbox if record.get("html")]
    assert html, "no HTML-only mail"
    for record in html:
        assert record["html"] is True
        assert re.search(r"<(html|p|div)\b", record["body"]), record["id"]
    charsets = {record["charset"]: record for record in inbox if "charset" in record}
    assert set(charsets) == {"iso-8859-1", "x-unknown-8bit"}
    for record in charsets.values():
        body: str = record["body"]
        # x-unknown-8bit bodies are sent as Latin-1 bytes, so both must encode that way.
        body.encode("iso-8859-1")
        assert any(ord(ch) > 127 for ch in body), f"{record['id']}: charset would not matter"


def test_money_in_the_files_parses_as_decimal(
    accounts: dict[str, dict[str, str]], payments: list[dict[str, str]]
) -> None:
    for value in [row["balance"] for row in accounts.values()] + [
        row["amount"] for row in payments
    ]:
        try:
            amount = Decimal(value)
        except InvalidOperation:
            pytest.fail(f"{value!r} is not a decimal amount")
        assert amount.as_tuple().exponent == -2, value


def test_demo_portfolio_imports_cleanly(db: Database) -> None:
    """What `parley demo` does first: both files load, payments reduce balances."""
    with db.transaction() as session:
        accounts = import_accounts(session, DEMO / "accounts.csv")
        payments = import_payments(session, DEMO / "payments.csv")
    assert (accounts.created, payments.created, payments.skipped) == (40, 31, 0)
    with db.transaction() as session:
        paid_off = session.get(Account, "A-1012")
        assert paid_off is not None and paid_off.balance == Decimal("0.00")
        assert paid_off.legal_state == "paid"
        first, second = session.get(Account, "A-1007"), session.get(Account, "A-1008")
        assert first is not None and second is not None
        assert first.debtor_id == second.debtor_id
        assert session.scalar(select(func.count()).select_from(Debtor)) == 39
        assert first.extra == {"invoice_numbers": "INV-1039", "product": "Roofing repair"}
