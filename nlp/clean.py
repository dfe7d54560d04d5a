"""Keep what the debtor wrote this time; fold away quoted history, signatures and footers.

The classifier must not fire on our own words quoted back ("stop" in our opt-out line, "dispute"
in our validation notice) or on a company's legal footer. Rules, line by line:

- quoted history: every line starting with ">"; and everything from a reply header to the end
  ("On <date>, X wrote:" in Gmail/Apple style, possibly wrapped over two lines; "-----Original
  Message-----"; an Outlook "From: ... Sent:/Date: ..." block; "Begin forwarded message:";
  an Outlook "________" rule followed by From:). A header with nothing above it (bottom
  posting) only removes the header itself and the ">" lines.
- signatures: everything after a "-- " line; "Sent from my iPhone"-style lines; a sign-off line
  ("Kind regards,") followed by at most four short lines (name, title, phone) at the end.
- disclaimers: paragraphs that read like confidentiality or legal footers.

If everything looks quoted or removable, the original text is kept: losing a reply is worse
than reading a quote. Input is capped at `RAW_CAP` characters before cleaning (the new text is
at the top, so a 20 MB body loses only history) and the cleaned text at `TEXT_CAP`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["RAW_CAP", "TEXT_CAP", "CleanedText", "Removed", "clean_text"]

RAW_CAP = 200_000
TEXT_CAP = 20_000

RemovedKind = Literal["quote", "signature", "disclaimer"]


@dataclass(frozen=True, kw_only=True)
class Removed:
    """One piece that was taken out, so that a console can show it folded."""

    kind: RemovedKind
    text: str


@dataclass(frozen=True, kw_only=True)
class CleanedText:
    """The text to analyse, what was removed, and whether a cap cut the input."""

    text: str
    removed: tuple[Removed, ...] = ()
    truncated: bool = False


_REPLY_HEADER = re.compile(
    r"^\s*(?:"
    r"on\b.{0,300}\b(?:wrote|writes|a écrit|schrieb|escribió)\s*:?"
    r"|-{2,}\s*original message\s*-{2,}"
    r"|-{2,}\s*forwarded message\s*-{2,}"
    r"|begin forwarded message\s*:"
    r"|_{8,}"
    r")\s*$",
    re.IGNORECASE,
)
_HEADER_FIELD = re.compile(r"^\s*\*?(from|sent|date|to|subject|cc)\s*:\*?\s", re.IGNORECASE)
_SENT_FROM = re.compile(
    r"^\s*(?:sent from (?:my )?(?:iphone|ipad|android|samsung|galaxy|mobile|phone|blackberry"
    r"|yahoo mail|mail for windows|outlook)|get outlook for (?:ios|android)"
    r"|sent via .{1,40}|sent from [\w ]{1,30} (?:device|phone|mobile))\b.*$",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"^\s*(?:thanks|thank you|many thanks|thanks again|regards|kind regards|best regards"
    r"|warm regards|best wishes|best|cheers|sincerely|yours sincerely|yours faithfully"
    r"|yours truly|respectfully|thx|rgds|all the best|take care)\s*[,.!]?\s*$",
    re.IGNORECASE,
)
_DISCLAIMER = re.compile(
    r"(?:confidential|privileged).{0,200}(?:intended (?:solely )?for|addressee|recipient)"
    r"|if you (?:have received|are not the intended)"
    r"|this (?:e-?mail|message|communication)(?: and any (?:files|attachments)[\w ]*)?"
    r" (?:is|are|may be|may contain) (?:confidential|privileged|intended)"
    r"|please consider the environment before printing"
    r"|disclaimer\s*:",
    re.IGNORECASE | re.DOTALL,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> CleanedText:
    """Strip quoted history, signatures and disclaimers from a plain-text body.

    Args:
        text: the decoded body (use `nlp.html.html_to_text` first for HTML-only mail).

    Returns:
        The debtor's own words and the removed pieces in order. Never empty when `text` has
        non-blank content.
    """
    truncated = len(text) > RAW_CAP
    body = _CONTROL.sub("", text[:RAW_CAP].replace("\r\n", "\n").replace("\r", "\n"))
    lines = body.split("\n")
    removed: list[Removed] = []

    lines = _cut_history(lines, removed)
    lines = _drop_quoted_lines(lines, removed)
    lines = _cut_signature(lines, removed)
    lines = _drop_disclaimers(lines, removed)

    cleaned = _tidy("\n".join(lines))
    if not cleaned:
        cleaned, removed = _tidy(body), []
    if len(cleaned) > TEXT_CAP:
        cleaned, truncated = cleaned[:TEXT_CAP], True
    return CleanedText(text=cleaned, removed=tuple(removed), truncated=truncated)


def _header_at(lines: list[str], i: int) -> int:
    """How many lines the reply header starting at line i spans (0: none)."""
    line = lines[i]
    if _REPLY_HEADER.match(line):
        if line.strip().startswith("_") and not any(
            _HEADER_FIELD.match(x) for x in lines[i + 1 : i + 3]
        ):
            return 0
        return 1
    nxt = lines[i + 1] if i + 1 < len(lines) else ""
    if (
        re.match(r"^\s*on\b", line, re.IGNORECASE)
        and nxt
        and _REPLY_HEADER.match(f"{line} {nxt}")
    ):
        return 2
    if re.match(r"^\s*\*?from\s*:", line, re.IGNORECASE):
        window = lines[i + 1 : i + 5]
        if any(re.match(r"^\s*\*?(sent|date)\s*:", x, re.IGNORECASE) for x in window):
            return 1
    return 0


def _cut_history(lines: list[str], removed: list[Removed]) -> list[str]:
    for i in range(len(lines)):
        if len(lines[i]) > 400:
            continue
        span = _header_at(lines, i)
        if not span:
            continue
        if any(x.strip() for x in lines[:i]):
            removed.append(Removed(kind="quote", text="\n".join(lines[i:]).strip()))
            return lines[:i]
        # Bottom posting: the reply sits under the quote. Drop only the header lines; the
        # ">" lines go in the next step.
        removed.append(Removed(kind="quote", text="\n".join(lines[i : i + span]).strip()))
        return lines[:i] + lines[i + span :]
    return lines


def _drop_quoted_lines(lines: list[str], removed: list[Removed]) -> list[str]:
    kept: list[str] = []
    block: list[str] = []
    for line in lines:
        if line.lstrip().startswith(">"):
            block.append(line)
            continue
        if block:
            removed.append(Removed(kind="quote", text="\n".join(block)))
            block = []
        kept.append(line)
    if block:
        removed.append(Removed(kind="quote", text="\n".join(block)))
    return kept


def _cut_signature(lines: list[str], removed: list[Removed]) -> list[str]:
    for i, line in enumerate(lines):
        if line.rstrip() in ("--", "—") and any(x.strip() for x in lines[:i]):
            removed.append(Removed(kind="signature", text="\n".join(lines[i:]).strip()))
            return lines[:i]
    kept = []
    for line in lines:
        if _SENT_FROM.match(line):
            removed.append(Removed(kind="signature", text=line.strip()))
        else:
            kept.append(line)
    lines = kept
    nonblank = [i for i, x in enumerate(lines) if x.strip()]
    for pos in nonblank[-5:]:
        tail = [x for x in lines[pos + 1 :] if x.strip()]
        if (
            _SIGN_OFF.match(lines[pos])
            and len(tail) <= 4
            and all(len(x.strip()) <= 60 for x in tail)
            and any(x.strip() for x in lines[:pos])
        ):
            removed.append(Removed(kind="signature", text="\n".join(lines[pos:]).strip()))
            return lines[:pos]
    return lines


def _drop_disclaimers(lines: list[str], removed: list[Removed]) -> list[str]:
    paragraphs = re.split(r"\n\s*\n", "\n".join(lines))
    kept: list[str] = []
    for para in paragraphs:
        if _DISCLAIMER.search(para) and kept and any(p.strip() for p in kept):
            removed.append(Removed(kind="disclaimer", text=para.strip()))
        else:
            kept.append(para)
    return "\n\n".join(kept).split("\n")


def _tidy(text: str) -> str:
    # Line by line rather than one regex: "[ \t]+\n" is quadratic on long runs of spaces.
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()
