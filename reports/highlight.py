"""Mark in a message the words that made triage fire, and fold quoted history away.

The result is plain data (text pieces and their label) so the template escapes every piece;
no HTML is ever built from a debtor's text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_QUOTE_START = re.compile(
    r"^(?:>|On .{0,200}wrote:\s*$|-{2,}\s*Original Message\s*-{2,}|From: .+$)",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass(frozen=True)
class Piece:
    text: str
    label: str | None = None
    """The triage label (or vulnerability) whose evidence this piece is; None for plain text."""


def split_quoted(body: str) -> tuple[str, str]:
    """(the new text, the quoted history) of an email body; the history may be empty."""
    match = _QUOTE_START.search(body)
    if match is None or match.start() == 0:
        return body, ""
    return body[: match.start()].rstrip(), body[match.start() :]


def _pattern(excerpt: str) -> re.Pattern[str] | None:
    words = excerpt.replace("…", " ").split()
    if not words:
        return None
    return re.compile(r"\s+".join(re.escape(w) for w in words), re.IGNORECASE)


def highlight(text: str, evidence: Iterable[tuple[str, str]]) -> list[Piece]:
    """Split `text` into pieces, marking the first match of each (label, excerpt)."""
    spans: list[tuple[int, int, str]] = []
    for label, excerpt in evidence:
        pattern = _pattern(excerpt[:200])
        if pattern is None:
            continue
        match = pattern.search(text)
        if match is None:
            continue
        start, end = match.span()
        if any(start < e and s < end for s, e, _ in spans):
            continue
        spans.append((start, end, label))
    spans.sort()
    pieces: list[Piece] = []
    position = 0
    for start, end, label in spans:
        if start > position:
            pieces.append(Piece(text[position:start]))
        pieces.append(Piece(text[start:end], label))
        position = end
    if position < len(text):
        pieces.append(Piece(text[position:]))
    return pieces
