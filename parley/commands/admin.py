"""`parley init` and `parley import accounts|payments FILE`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from parley.context import open_parley
from store.importer import import_accounts, import_payments


def register(commands: Any) -> None:
    init = commands.add_parser("init", help="create the data folder and the database schema")
    init.set_defaults(handler=run_init)

    imports = commands.add_parser("import", help="import accounts or payments from CSV")
    kinds = imports.add_subparsers(dest="kind", required=True, metavar="KIND")
    accounts = kinds.add_parser("accounts", help="account_id, debtor_name, email, phone, ...")
    accounts.add_argument("file", type=Path)
    accounts.set_defaults(handler=run_import_accounts)
    payments = kinds.add_parser("payments", help="account_id, amount, currency, paid_at, reference")
    payments.add_argument("file", type=Path)
    payments.set_defaults(handler=run_import_payments)


def run_init(args: argparse.Namespace) -> int:
    parley = open_parley()
    print(f"database ready: {parley.db.engine.url.render_as_string(hide_password=True)}")
    parley.close()
    return 0


def run_import_accounts(args: argparse.Namespace) -> int:
    parley = open_parley()
    try:
        with parley.db.transaction() as session:
            summary = import_accounts(session, args.file)
    finally:
        parley.close()
    print(f"{args.file}: {summary.created} accounts created, {summary.updated} updated")
    return 0


def run_import_payments(args: argparse.Namespace) -> int:
    parley = open_parley()
    try:
        with parley.db.transaction() as session:
            summary = import_payments(session, args.file)
    finally:
        parley.close()
    print(f"{args.file}: {summary.created} payments imported, {summary.skipped} already known")
    return 0
