"""`parley demo`: the main job on embedded defaults, with a bundled portfolio and inbox."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from parley.context import open_parley
from parley.demo import run_demo
from parley.settings import load_settings


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "demo", help="import the demo portfolio and run the demo inbox through the pipeline"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """The demo uses its own database file, made fresh each run, so real data is never touched."""
    settings = load_settings()
    if not settings.database_url:
        demo_db = (settings.data_dir / "demo.db").resolve()
        for suffix in ("", "-wal", "-shm"):
            demo_db.with_name(demo_db.name + suffix).unlink(missing_ok=True)
        settings = settings.model_copy(update={"database_url": f"sqlite:///{demo_db}"})
    parley = open_parley(settings)
    try:
        return run_demo(parley, sys.stdout)
    finally:
        parley.close()
