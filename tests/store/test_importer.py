from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from store.db import Database
from store.importer import ImportFileError, import_accounts, import_payments
from store.models import Account, Debtor, Payment


def test_accounts_import_keeps_extra_columns_and_is_repeatable(
    db: Database, accounts_csv: Path
) -> None:
    with db.transaction() as session:
        first = import_accounts(session, accounts_csv)
    with db.transaction() as session:
        second = import_accounts(session, accounts_csv)
        account = session.get(Account, "A-100")
        assert account is not None
        assert account.balance == Decimal("1250.00")
        assert account.extra["invoice_numbers"] == "INV-1001;INV-1002"
        assert session.scalar(select(func.count()).select_from(Debtor)) == 3
    assert (first.created, second.updated) == (3, 3)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("A-9,X,x@example.com,,12.5x,USD,2026-01-01,UTC,US", "balance '12.5x'"),
        ("A-9,X,x@example.com,,12.50,USD,2026-01-01,Mars/Olympus,US", "unknown time zone"),
        ("A-9,X,x@example.com,,12.50,USD,01/02/2026,UTC,US", "due_date"),
        ("A-9,X,,,12.50,USD,2026-01-01,UTC,US", "needs an email or a phone"),
    ],
)
def test_bad_row_names_file_and_line_and_imports_nothing(
    db: Database, tmp_path: Path, line: str, problem: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "account_id,debtor_name,email,phone,balance,currency,due_date,timezone,jurisdiction\n"
        "A-1,Good Row,good@example.com,,10.00,USD,2026-01-01,UTC,US\n" + line + "\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFileError) as caught, db.transaction() as session:
        import_accounts(session, path)
    assert "bad.csv:3: " in str(caught.value) and problem in str(caught.value)
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Account)) == 0


def test_missing_column_is_named(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "cols.csv"
    path.write_text("account_id,debtor_name,email\nA-1,X,x@example.com\n", encoding="utf-8")
    expected = r"cols\.csv:1: missing column\(s\): phone"
    with pytest.raises(ImportFileError, match=expected), db.transaction() as session:
        import_accounts(session, path)


def test_payments_reduce_balance_once(db: Database, accounts_csv: Path, tmp_path: Path) -> None:
    payments = tmp_path / "payments.csv"
    payments.write_text(
        "account_id,amount,currency,paid_at,reference\n"
        "A-100,250.00,USD,2026-11-02T10:00:00-05:00,PAY-1\n"
        "A-300,90.00,USD,2026-11-03T10:00:00-10:00,PAY-2\n",
        encoding="utf-8",
    )
    with db.transaction() as session:
        import_accounts(session, accounts_csv)
        import_payments(session, payments)
    with db.transaction() as session:
        again = import_payments(session, payments)
        assert again.skipped == 2
        a100 = session.get(Account, "A-100")
        a300 = session.get(Account, "A-300")
        assert a100 is not None and a300 is not None
        assert a100.balance == Decimal("1000.00")
        assert a300.balance == Decimal("0.00") and a300.legal_state == "paid"
        assert session.scalar(select(func.count()).select_from(Payment)) == 2


def test_payment_for_unknown_account_is_refused(
    db: Database, accounts_csv: Path, tmp_path: Path
) -> None:
    payments = tmp_path / "p.csv"
    payments.write_text(
        "account_id,amount,currency,paid_at,reference\nNOPE,1.00,USD,2026-11-02T10:00:00Z,R\n",
        encoding="utf-8",
    )
    with db.transaction() as session:
        import_accounts(session, accounts_csv)
    expected = r"p\.csv:2: unknown account_id 'NOPE'"
    with pytest.raises(ImportFileError, match=expected), db.transaction() as session:
        import_payments(session, payments)


def test_standing_order_reusing_a_reference_is_two_payments(
    db: Database, accounts_csv: Path, tmp_path: Path
) -> None:
    payments = tmp_path / "standing.csv"
    payments.write_text(
        "account_id,amount,currency,paid_at,reference\n"
        "A-200,40.00,GBP,2026-09-01T09:00:00+01:00,SO-OKAFOR\n"
        "A-200,40.00,GBP,2026-10-01T09:00:00+01:00,SO-OKAFOR\n",
        encoding="utf-8",
    )
    with db.transaction() as session:
        import_accounts(session, accounts_csv)
        summary = import_payments(session, payments)
        account = session.get(Account, "A-200")
        assert account is not None
        assert summary.created == 2 and account.balance == Decimal("400.50")
