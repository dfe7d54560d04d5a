"""HTML mail bodies to plain text, with the standard library only.

Many debtors' clients send HTML-only mail. The classifier needs the words and the line
structure (quoted history and signatures are found line by line), not the markup, so block
elements and <br> become line breaks, script/style/head vanish, entities are decoded and link
text is kept. Malformed HTML never raises: html.parser is lenient and whatever it yields is used.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["HTML_CAP", "html_to_text"]

# The debtor's words are at the top of an HTML body; past this many characters of markup the
# rest (quoted history, inline images as data: URIs) is not parsed.
HTML_CAP = 1_000_000

_DROP = frozenset({"script", "style", "head", "title", "noscript", "template", "svg"})
_BLOCK = frozenset(
    {
        "p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
        "blockquote", "section", "article", "header", "footer", "hr", "pre", "address", "dd",
        "dt", "dl", "form", "fieldset", "center", "body", "html",
    }
)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._dropping = 0
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP:
            self._dropping += 1
        elif tag == "pre":
            self._pre += 1
        if tag in _BLOCK:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        if tag == "blockquote":
            # Quoted history in HTML mail lives in <blockquote>; mark it the way plain-text
            # mail does so that clean_text can strip it with the same rule.
            self.parts.append("\x00bq-start\x00")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP:
            self._dropping = max(0, self._dropping - 1)
        elif tag == "pre":
            self._pre = max(0, self._pre - 1)
        if tag == "blockquote":
            self.parts.append("\x00bq-end\x00")
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "hr") or tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._dropping:
            return
        if not self._pre:
            data = re.sub(r"[ \t\r\n\f]+", " ", data)
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """The readable text of an HTML body: one line per block, blockquotes prefixed with "> ".

    Args:
        html: the HTML source, as decoded text; only the first `HTML_CAP` characters are read.

    Returns:
        Plain text with at most one blank line in a row and no trailing spaces.
    """
    parser = _TextExtractor()
    try:
        parser.feed(html[:HTML_CAP])
        parser.close()
    except AssertionError:
        # html.parser raises AssertionError on a few pathological inputs (e.g. a bare "<!"
        # at the end of a stream); keep whatever it already extracted.
        pass
    raw = "".join(parser.parts).replace("\xa0", " ")
    lines: list[str] = []
    depth = 0
    for chunk in re.split(r"(\x00bq-(?:start|end)\x00)", raw):
        if chunk == "\x00bq-start\x00":
            depth += 1
            continue
        if chunk == "\x00bq-end\x00":
            depth = max(0, depth - 1)
            continue
        # Block tags put a newline on both sides of every blockquote marker, so each chunk
        # starts and ends on a line boundary.
        for line in chunk.split("\n"):
            text = line.strip()
            lines.append(("> " * depth + text).rstrip() if text else "")
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    return "\n".join(out).strip()
