"""Email cleaning accuracy: Parley's `clean_text` against the Python peers on the same emails.

Every case in `datasets/email_cleaning/*.jsonl` has a raw body and the reply a person sees in
it (no quote, signature or disclaimer). Each system gets the raw body and is scored on:

- exact: its output equals the expected reply after whitespace normalisation;
- F1: token-level F1 (bag of lower-cased word and punctuation tokens) against the expected reply,
  so a system that keeps one stray signature line loses a little, not everything.

Peers are run in their best documented setting: `email_reply_parser.EmailReplyParser.parse_reply`;
mail-parser-reply's first reply `.body` (the text without headers, signatures and disclaimers)
with every language of the dataset enabled; quotequail's expanded parts of `quote(...,
quote_intro_line=True)`. A peer that is not installed is reported as such; one that raises on a
case scores that case as an empty reply. Install them with `pip install -e '.[bench]'`.

Usage: .venv/bin/python -m bench.email_cleaning [--show-misses parley]
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import REPO, report
from nlp.clean import clean_text

DATASET = REPO / "datasets" / "email_cleaning"
MAILPARSER_LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "da", "sv"]

Cleaner = Callable[[str], str]


@dataclass(frozen=True, kw_only=True)
class Case:
    """One email of the dataset and the reply a person reads in it."""

    id: str
    source: str
    text: str
    expected: str


@dataclass(frozen=True, kw_only=True)
class Score:
    """One system's result over the dataset."""

    system: str
    version: str
    cases: int
    exact: float
    f1: float
    ms_per_email: float
    errors: int
    misses: tuple[str, ...]
    by_origin: dict[str, dict[str, float]]


def load_cases(folder: Path = DATASET) -> list[Case]:
    """Every case of every JSONL file in the dataset folder, in file order."""
    cases = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                cases.append(
                    Case(id=row["id"], source=row["source"], text=row["text"],
                         expected=row["expected"])
                )
    return cases


def normalise(text: str) -> str:
    """Whitespace-insensitive form: blank lines and indentation do not change what is read."""
    return " ".join(text.split())


_TOKEN = re.compile(r"\w+|[^\w\s]")


def token_f1(predicted: str, expected: str) -> float:
    """Bag-of-tokens F1; two empty texts agree."""
    got = Counter(_TOKEN.findall(predicted.lower()))
    want = Counter(_TOKEN.findall(expected.lower()))
    if not got and not want:
        return 1.0
    overlap = sum((got & want).values())
    if not overlap:
        return 0.0
    precision = overlap / sum(got.values())
    recall = overlap / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def systems() -> dict[str, tuple[str, Cleaner | None]]:
    """Name -> (version, cleaner); cleaner is None when the package is not installed."""
    from importlib.metadata import PackageNotFoundError, version

    def _version(dist: str) -> str:
        try:
            return version(dist)
        except PackageNotFoundError:
            return "not installed"

    found: dict[str, tuple[str, Cleaner | None]] = {
        "parley": (_version("parley"), lambda text: clean_text(text).text)
    }

    try:
        from email_reply_parser import EmailReplyParser as ZapierParser

        def zapier(text: str) -> str:
            return str(ZapierParser.parse_reply(text) or "")

        found["email-reply-parser"] = (_version("email-reply-parser"), zapier)
    except ImportError:
        found["email-reply-parser"] = ("not installed", None)

    try:
        from mailparser_reply import EmailReplyParser as MailParser

        parser = MailParser(languages=MAILPARSER_LANGUAGES)

        def mailparser(text: str) -> str:
            message = parser.read(text)
            return str(message.replies[0].body) if message.replies else ""

        found["mail-parser-reply"] = (_version("mail-parser-reply"), mailparser)
    except ImportError:
        found["mail-parser-reply"] = ("not installed", None)

    try:
        import quotequail

        def quail(text: str) -> str:
            parts = quotequail.quote(text, quote_intro_line=True)
            return "\n".join(part for expanded, part in parts if expanded)

        found["quotequail"] = (_version("quotequail"), quail)
    except ImportError:
        found["quotequail"] = ("not installed", None)
    return found


def _origin(case: Case) -> str:
    """parley (own, tuned on), heldout (own, written after tuning), peers (their test emails)."""
    prefix = case.id.split("/", 1)[0]
    return prefix if prefix in ("parley", "heldout") else "peers"


def score(name: str, version: str, cleaner: Cleaner, cases: list[Case]) -> Score:
    """Run one system over every case; an exception scores that case as an empty reply."""
    exact: list[bool] = []
    f1s: list[float] = []
    misses: list[str] = []
    errors = 0
    per_origin: dict[str, list[tuple[bool, float]]] = {}
    elapsed = 0.0
    for case in cases:
        started = time.perf_counter()
        try:
            output = cleaner(case.text)
        except Exception:  # a peer's bug must not stop the comparison
            output, errors = "", errors + 1
        elapsed += time.perf_counter() - started
        hit = normalise(output) == normalise(case.expected)
        f1 = token_f1(output, case.expected)
        exact.append(hit)
        f1s.append(f1)
        per_origin.setdefault(_origin(case), []).append((hit, f1))
        if not hit:
            misses.append(case.id)
    return Score(
        system=name,
        version=version,
        cases=len(cases),
        exact=round(100 * sum(exact) / len(cases), 1),
        f1=round(sum(f1s) / len(cases), 3),
        ms_per_email=round(1000 * elapsed / len(cases), 3),
        errors=errors,
        misses=tuple(misses),
        by_origin={
            origin: {
                "cases": len(rows),
                "exact": round(100 * sum(h for h, _ in rows) / len(rows), 1),
                "f1": round(sum(f for _, f in rows) / len(rows), 3),
            }
            for origin, rows in per_origin.items()
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--show-misses", metavar="SYSTEM", help="print the outputs a system got wrong"
    )
    args = parser.parse_args()
    cases = load_cases()
    results: list[Score] = []
    missing: list[str] = []
    found = systems()
    for name, (version, cleaner) in found.items():
        if cleaner is None:
            missing.append(name)
            continue
        results.append(score(name, version, cleaner, cases))

    header = f"{'exact':>7} {'F1':>6} {'cases':>5} {'ms/email':>9}  by origin (exact %, F1)"
    rows = [("system", header)]
    for s in results:
        origins = "; ".join(
            f"{origin} {v['exact']:.1f} {v['f1']:.3f}" for origin, v in sorted(s.by_origin.items())
        )
        rows.append(
            (f"{s.system} {s.version}",
             f"{s.exact:>6.1f}% {s.f1:>6.3f} {s.cases:>5} {s.ms_per_email:>9.3f}  {origins}")
        )
    rows += [(name, "not installed (pip install -e '.[bench]')") for name in missing]

    if args.show_misses:
        cleaner = found.get(args.show_misses, ("", None))[1]
        if cleaner is not None:
            by_id = {c.id: c for c in cases}
            for s in results:
                if s.system == args.show_misses:
                    for miss in s.misses:
                        print(f"--- {miss}\n{cleaner(by_id[miss].text)!r}\n"
                              f"expected {by_id[miss].expected!r}")

    data: dict[str, Any] = {
        "dataset": {
            "cases": len(cases),
            "by_origin": dict(Counter(_origin(c) for c in cases)),
            "path": str(DATASET.relative_to(REPO)),
        },
        "metrics": "exact: equal after whitespace normalisation; f1: mean token-level F1",
        "systems": {
            s.system: {
                "version": s.version,
                "cases": s.cases,
                "exact_pct": s.exact,
                "mean_f1": s.f1,
                "ms_per_email": s.ms_per_email,
                "errors": s.errors,
                "by_origin": s.by_origin,
                "misses": list(s.misses),
            }
            for s in results
        },
        "not_installed": missing,
    }
    report("email_cleaning", rows, data)


if __name__ == "__main__":
    main()
