"""`parley triage --input IN.jsonl --output OUT.jsonl`: batch triage per TAXONOMY.md."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from nlp.batch import triage_jsonl


def register(commands: Any) -> None:
    parser = commands.add_parser("triage", help="triage JSONL records (id, text, ...) to JSONL")
    parser.add_argument("--input", "-i", required=True, help="JSONL file, or - for stdin")
    parser.add_argument("--output", "-o", required=True, help="JSONL file, or - for stdout")
    parser.set_defaults(handler=run)


def _open_in(name: str) -> TextIO:
    return sys.stdin if name == "-" else Path(name).open(encoding="utf-8")


def _open_out(name: str) -> TextIO:
    return sys.stdout if name == "-" else Path(name).open("w", encoding="utf-8")


def run(args: argparse.Namespace) -> int:
    source = _open_in(args.input)
    target = _open_out(args.output)
    errors = 0
    try:
        for line in triage_jsonl(source):
            if "error" in json.loads(line):
                errors += 1
            target.write(line.rstrip("\n") + "\n")
    finally:
        if source is not sys.stdin:
            source.close()
        if target is not sys.stdout:
            target.close()
    if errors:
        print(
            f"parley triage: {errors} record(s) could not be read; see their error field",
            file=sys.stderr,
        )
    return 1 if errors else 0
