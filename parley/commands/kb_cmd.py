"""`parley kb index` and `parley kb search QUERY`: keep and try the knowledge-base index.

Staff edit the Markdown in knowledge_base/ (PARLEY_KB_DIR), run `parley kb index` to see what
changed, and `parley kb search "how can I pay"` to see which passages a question would ground a
reply in. `parley serve` re-indexes changed files by itself at start.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from typing import Any

from agent.knowledge import ChromaRetriever, KnowledgeBaseError
from parley.settings import load_settings


def register(commands: Any) -> None:
    parser = commands.add_parser("kb", help="index or search the knowledge base (knowledge_base/)")
    actions = parser.add_subparsers(dest="kb_command", required=True, metavar="ACTION")
    index = actions.add_parser("index", help="re-index changed files, drop deleted ones")
    index.set_defaults(handler=run_index)
    search = actions.add_parser("search", help="the passages closest in meaning to QUERY")
    search.add_argument("query", help="a question as a debtor would ask it")
    search.add_argument("-k", type=int, default=3, help="how many passages (default 3)")
    search.add_argument("--json", action="store_true", help="print JSON instead of text")
    search.set_defaults(handler=run_search)


def _open() -> ChromaRetriever:
    settings = load_settings()
    return ChromaRetriever(settings.data_dir / "kb", kb_dir=settings.kb_dir)


def run_index(args: argparse.Namespace) -> int:
    try:
        report = _open().index()
    except KnowledgeBaseError as exc:
        print(f"parley kb index: {exc}", file=sys.stderr)
        return 2
    for name in report.indexed:
        print(f"indexed    {name}")
    for name in report.removed:
        print(f"removed    {name}")
    print(
        f"{report.chunks} chunks; {len(report.indexed)} file(s) indexed, "
        f"{len(report.unchanged)} unchanged, {len(report.removed)} removed"
    )
    return 0


def run_search(args: argparse.Namespace) -> int:
    if args.k < 1:
        print("parley kb search: -k must be at least 1", file=sys.stderr)
        return 2
    try:
        retriever = _open()
        retriever.index()
        passages = retriever.search(args.query, args.k)
    except KnowledgeBaseError as exc:
        print(f"parley kb search: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([vars(p) for p in passages], indent=2))
        return 0
    if not passages:
        print("no passages (is knowledge_base/ empty?)")
        return 1
    for rank, p in enumerate(passages, 1):
        print(f"{rank}. {p.score:.3f}  {p.source} > {p.heading}  [{p.chunk_id}]")
        print(textwrap.indent(textwrap.fill(p.text, 96), "   "))
    return 0
