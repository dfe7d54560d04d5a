"""`parley serve`: run the whole service until interrupted."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from parley.context import open_parley
from parley.service import serve


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "serve", help="IMAP listener, SMS webhooks, worker and outbox in one process"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    parley = open_parley()
    try:
        asyncio.run(serve(parley))
    finally:
        parley.close()
    return 0
