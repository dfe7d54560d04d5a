"""The `parley` console command: one subcommand per job, each defined in parley/commands/."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from parley.commands import (
    account_cmd,
    admin,
    audit_cmd,
    demo_cmd,
    guard_cmd,
    kb_cmd,
    kpis_cmd,
    promises_cmd,
    queue_cmd,
    serve_cmd,
    train_cmd,
    triage_cmd,
    users_cmd,
)
from parley.settings import SettingsError
from store.db import DatabaseError
from store.importer import ImportFileError

COMMAND_MODULES = (
    admin, audit_cmd, demo_cmd, guard_cmd, kb_cmd, promises_cmd, queue_cmd, serve_cmd, triage_cmd,
    users_cmd, kpis_cmd, account_cmd, train_cmd,
)
USER_ERRORS = (SettingsError, DatabaseError, ImportFileError, LookupError, ValueError, OSError)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parley",
        description="Parley: a conversational collections agent for email and SMS replies.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log at debug level")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.handler(args) or 0)
    except USER_ERRORS as exc:
        print(f"parley {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
