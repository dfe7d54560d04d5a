"""CSV imports of accounts and payments: all rows are checked first, then all or nothing lands."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store import audit
from store.models import Account, Debtor, Payment

ACCOUNT_COLUMNS = (
    "account_id",
    "debtor_name",
    "email",
    "phone",
    "balance",
    "currency",
    "due_date",
    "timezone",
    "jurisdiction",
)
PAYMENT_COLUMNS = ("account_id", "amount", "currency", "paid_at", "reference")
PHONE = re.compile(r"^\+[1-9]\d{6,14}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CURRENCY = re.compile(r"^[A-Z]{3}$")


class ImportFileError(Exception):
    """The file cannot be imported; every problem is listed as `file:line: problem`."""

    def __init__(self, problems: list[str]) -> None:
        shown = problems[:20]
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__("nothing was imported:\n" + "\n".join(shown) + more)
        self.problems = problems


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    skipped: int


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise ImportFileError([f"{path}: cannot open: {exc.strerror}"]) from exc
    with handle:
        reader = csv.DictReader(handle)
        header = [name.strip() for name in (reader.fieldnames or [])]
        missing = [name for name in required if name not in header]
        if missing:
            raise ImportFileError([f"{path}:1: missing column(s): {', '.join(missing)}"])
        reader.fieldnames = header
        try:
            for row in reader:
                clean = {key: (value or "").strip() for key, value in row.items() if key}
                yield reader.line_num, clean
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ImportFileError([f"{path}:{reader.line_num}: unreadable CSV: {exc}"]) from exc


def _money(value: str) -> Decimal:
    amount = Decimal(value.replace(",", ""))
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise InvalidOperation
    return amount.quantize(Decimal("0.01"))


def _account_values(row: dict[str, str], where: str, problems: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    start = len(problems)
    for name in ("account_id", "debtor_name"):
        if not row.get(name):
            problems.append(f"{where}: {name} is empty")
    try:
        values["balance"] = _money(row["balance"])
        if values["balance"] < 0:
            problems.append(f"{where}: balance {row['balance']!r} is negative")
    except (InvalidOperation, ValueError):
        problems.append(f"{where}: balance {row['balance']!r} is not an amount like 1234.50")
    if not CURRENCY.match(row["currency"]):
        problems.append(f"{where}: currency {row['currency']!r} is not a 3-letter ISO code")
    try:
        values["due_date"] = date.fromisoformat(row["due_date"])
    except ValueError:
        problems.append(f"{where}: due_date {row['due_date']!r} is not a date like 2026-03-31")
    try:
        ZoneInfo(row["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            f"{where}: unknown time zone {row['timezone']!r} (use an IANA name like "
            "America/New_York)"
        )
    if row["email"] and not EMAIL.match(row["email"]):
        problems.append(f"{where}: email {row['email']!r} is not an address")
    if row["phone"] and not PHONE.match(row["phone"]):
        problems.append(f"{where}: phone {row['phone']!r} is not in E.164 form like +15550100")
    if not row["email"] and not row["phone"]:
        problems.append(f"{where}: an account needs an email or a phone")
    if not row["jurisdiction"]:
        problems.append(f"{where}: jurisdiction is empty")
    return values if len(problems) == start else {}


def _find_debtor(session: Session, row: dict[str, str]) -> Debtor | None:
    email = row["email"].lower() or None
    phone = row["phone"] or None
    for column, value in ((Debtor.email, email), (Debtor.phone, phone)):
        if value is None:
            continue
        found = session.execute(
            select(Debtor).where(func.lower(column) == value, Debtor.name == row["debtor_name"])
        ).scalar()
        if found is not None:
            return found
    return None


def import_accounts(session: Session, path: Path, *, actor: str = "import") -> ImportSummary:
    problems: list[str] = []
    parsed: list[tuple[dict[str, str], dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for line, row in _rows(path, ACCOUNT_COLUMNS):
        where = f"{path}:{line}"
        values = _account_values(row, where, problems)
        if row["account_id"] in seen:
            problems.append(
                f"{where}: account_id {row['account_id']!r} repeats line {seen[row['account_id']]}"
            )
        seen[row["account_id"]] = line
        if values:
            parsed.append((row, values))
    if problems:
        raise ImportFileError(problems)
    now = datetime.now(UTC)
    created = updated = 0
    for row, values in parsed:
        debtor = _find_debtor(session, row)
        if debtor is None:
            debtor = Debtor(name=row["debtor_name"])
            session.add(debtor)
        debtor.email = row["email"].lower() or None
        debtor.phone = row["phone"] or None
        debtor.timezone = row["timezone"]
        debtor.jurisdiction = row["jurisdiction"]
        session.flush()
        extra = {key: value for key, value in row.items() if key not in ACCOUNT_COLUMNS}
        account = session.get(Account, row["account_id"])
        if account is None:
            account = Account(id=row["account_id"], legal_state="active", imported_at=now)
            session.add(account)
            created += 1
        else:
            updated += 1
        account.debtor_id = debtor.id
        account.balance = values["balance"]
        account.currency = row["currency"]
        account.due_date = values["due_date"]
        account.extra = extra
    audit.record(
        session,
        "accounts.imported",
        actor=actor,
        data={"file": path.name, "created": created, "updated": updated},
    )
    return ImportSummary(created, updated, 0)


def import_payments(session: Session, path: Path, *, actor: str = "import") -> ImportSummary:
    """Payments reduce the balance owed.

    A payment is the same payment when account, reference and time agree: standing orders reuse
    one reference every month, so the reference alone would drop real payments.
    """
    problems: list[str] = []
    parsed: list[tuple[dict[str, str], Decimal, datetime]] = []
    for line, row in _rows(path, PAYMENT_COLUMNS):
        where = f"{path}:{line}"
        start = len(problems)
        account = session.get(Account, row["account_id"])
        if account is None:
            problems.append(f"{where}: unknown account_id {row['account_id']!r}; import it first")
        try:
            amount = _money(row["amount"])
            if amount <= 0:
                problems.append(f"{where}: amount {row['amount']!r} must be positive")
        except (InvalidOperation, ValueError):
            problems.append(f"{where}: amount {row['amount']!r} is not an amount like 120.00")
        if account is not None and row["currency"] != account.currency:
            problems.append(
                f"{where}: currency {row['currency']!r} differs from the account's "
                f"{account.currency}"
            )
        try:
            paid_at = datetime.fromisoformat(row["paid_at"])
            if paid_at.tzinfo is None:
                problems.append(f"{where}: paid_at {row['paid_at']!r} needs a UTC offset")
        except ValueError:
            problems.append(
                f"{where}: paid_at {row['paid_at']!r} is not a time like 2026-03-02T10:00:00+00:00"
            )
        if not row["reference"]:
            problems.append(f"{where}: reference is empty")
        if len(problems) == start:
            parsed.append((row, amount, paid_at))
    if problems:
        raise ImportFileError(problems)
    created = skipped = 0
    for row, amount, paid_at in parsed:
        exists = session.execute(
            select(Payment.id).where(
                Payment.account_id == row["account_id"],
                Payment.reference == row["reference"],
                Payment.paid_at == paid_at,
            )
        ).first()
        if exists:
            skipped += 1
            continue
        account = session.get(Account, row["account_id"])
        assert account is not None
        session.add(
            Payment(
                account_id=account.id,
                amount=amount,
                currency=row["currency"],
                paid_at=paid_at,
                reference=row["reference"],
            )
        )
        account.balance = max(Decimal("0.00"), account.balance - amount)
        if account.balance == 0 and account.legal_state == "active":
            account.legal_state = "paid"
        created += 1
        session.flush()
    audit.record(
        session,
        "payments.imported",
        actor=actor,
        data={"file": path.name, "created": created, "skipped": skipped},
    )
    return ImportSummary(created, 0, skipped)
