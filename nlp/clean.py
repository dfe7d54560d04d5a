"""Keep what the debtor wrote this time; fold away quoted history, signatures and footers.

The classifier must not fire on our own words quoted back ("stop" in our opt-out line, "dispute"
in our validation notice) or on a company's legal footer. Rules, line by line:

- quoted history: every line starting with ">"; and everything from a reply header to the end.
  Reply headers: "On <date>, X wrote:" and its French, German, Spanish, Italian, Dutch and
  Nordic forms, possibly wrapped over three lines; "-----Original Message-----" and the
  forwarded-message separators of the common clients; an Outlook "From: / Sent: / To:" block
  in those languages, with the "____" rule above it. A header with nothing above it (bottom
  posting) removes only the header and the ">" lines. A "wrote:" header followed by ">" lines
  and then the sender's own lines (inline answers) removes only the header and the ">" lines.
- signatures: everything after a "-- " line or a "_____" rule; "Sent from my iPhone"-style
  lines (also "Envoyé de mon iPhone", "Von meinem iPhone gesendet", "Enviado desde mi
  iPhone"); a sign-off line ("Kind regards,", "Cordialement", "Mit freundlichen Grüßen")
  followed by at most five short lines; a last paragraph that is a bare name ("Dana",
  "-Dana Smith", "/B") or a name over title, phone and web lines.
- disclaimers: confidentiality and virus-scan footers (from the first one to the end), and
  "this email originated from outside" banners wherever they are.

If everything looks quoted or removable, the original text is kept: losing a reply is worse
than reading a quote. Input is capped at `RAW_CAP` characters before cleaning (the new text is
at the top, so a 20 MB body loses only history) and the cleaned text at `TEXT_CAP`. Every
pattern is matched against one line, or at most three joined lines of bounded length, so the
time is linear in the body.
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


# Longest line (or joined header) a reply header can be; longer lines are prose.
_HEADER_MAX = 400

# "On <date>, X wrote:" in the languages of the common clients. The verb comes last in
# English, French, Spanish, Italian and Dutch; German Gmail puts it before the name.
_WROTE = (
    r"wrote|writes|a\s+écrit|a\s+ecrit|schrieb|escribió|escribio|ha\s+scritto|scrisse"
    r"|schreef|geschreven|skrev|escreveu|napisał|kirjoitti|írta"
)
_LEAD = r"on|le|am|el|il|op|den|em|w\s+dniu|dnia|in\s+data"
_WROTE_AT_END = re.compile(
    rf"^[\s>]*(?P<lead>(?:{_LEAD})\b)?.{{0,{_HEADER_MAX}}}?\b(?:{_WROTE})\s*(?P<colon>:)?\s*$",
    re.IGNORECASE,
)
_LEAD_WORD = re.compile(rf"^[\s>]*(?:{_LEAD})\b", re.IGNORECASE)
_WROTE_INSIDE = re.compile(
    rf"^[\s>]*(?:{_LEAD})\b.{{0,200}}?\b(?:{_WROTE})\b.{{0,200}}?[@<].{{0,200}}:\s*$", re.IGNORECASE
)
_SEPARATOR = re.compile(
    r"^[\s>]*(?:"
    r"[-=_*]{2,}\s*(?:original\s+message|forwarded\s+message|message\s+d'origine"
    r"|message\s+transféré|message\s+réexpédié|ursprüngliche\s+nachricht|original-nachricht"
    r"|weitergeleitete\s+nachricht|mensaje\s+original|mensaje\s+reenviado|messaggio\s+originale"
    r"|messaggio\s+inoltrato|oprindelig\s+meddelelse|videresendt\s+meddelelse|origineel\s+bericht"
    r"|doorgestuurd\s+bericht|vidarebefordrat\s+meddelande|ursprungligt\s+meddelande)"
    r"\s*[-=_*]{2,}"
    r"|(?:begin\s+forwarded\s+message|forwarded\s+message|début\s+du\s+message\s+réexpédié"
    r"|anfang\s+der\s+weitergeleiteten\s+nachricht|inicio\s+del\s+mensaje\s+reenviado"
    r"|inizio\s+messaggio\s+inoltrato)\s*:"
    r")\s*$",
    re.IGNORECASE,
)
_FROM_WORDS = r"from|de|von|da|van|fra|från|od"
_FIELD_WORDS = (
    rf"{_FROM_WORDS}|sent|date|to|subject|cc|bcc|reply-to|envoyé|à|a|objet|sujet|pour"
    r"|répondre\s+à|gesendet|datum|an|betreff|enviado(?:\s+el)?|fecha|para|asunto|inviato"
    r"|data|oggetto|ogg|sendt|til|emne|verzonden|aan|onderwerp|skickat|till|ämne|dato"
)
_FIELD = re.compile(rf"^[\s>]*\*?(?:{_FIELD_WORDS})\s*:\*?(?:\s|$)", re.IGNORECASE)
_FROM_FIELD = re.compile(rf"^[\s>]*\*?(?:{_FROM_WORDS})\s*:\*?\s*\S", re.IGNORECASE)
_RULE = re.compile(r"^\s*(?:[-_=*]\s?){5,}\s*$")
_DASHES = re.compile(r"^\s*(?:--|—|-- )\s*$")

_SENT_FROM = re.compile(
    r"^\s*(?:sent\s+(?:from|via|using|with)|get\s+outlook\s+for|envoyé\s+(?:de|depuis|à\s+partir\s+de)"
    r"|von\s+meinem\b.{1,40}\bgesendet|gesendet\s+(?:von|mit)|enviado\s+(?:desde|con|de)"
    r"|inviato\s+da|verzonden\s+(?:vanaf|met)|verstuurd\s+vanaf|sendt\s+fra|skickat\s+från"
    r"|download\s+outlook\s+for)\b"
    r"(?P<rest>[^,;]{0,60})$",
    re.IGNORECASE,
)
_CLOSING = (
    r"regards|kind\s+regards|best\s+regards|warm\s+regards|warmest\s+regards|with\s+regards"
    r"|best\s+wishes|best|cheers|sincerely|yours\s+sincerely|yours\s+faithfully|yours\s+truly"
    r"|respectfully|rgds|br|kr|all\s+the\s+best|take\s+care|cordialement|bien\s+cordialement"
    r"|bien\s+à\s+vous|salutations|sincères\s+salutations|meilleures\s+salutations"
    r"|mit\s+freundlichen\s+grüßen|mit\s+freundlichen\s+grüssen|freundliche\s+grüße|mfg"
    r"|viele\s+grüße|beste\s+grüße|liebe\s+grüße|lg|gruß|grüße|saludos|saludos\s+cordiales"
    r"|un\s+saludo|un\s+cordial\s+saludo|atentamente|saluti|cordiali\s+saluti|distinti\s+saluti"
    r"|groet|groeten|met\s+vriendelijke\s+groet|mvh|med\s+venlig\s+hilsen|hilsen"
    r"|med\s+vänlig\s+hälsning|hälsningar|vänliga\s+hälsningar"
)
_THANKS = (
    r"thanks|thank\s+you|many\s+thanks|thanks\s+again|thanks\s+so\s+much|thx|ta|merci"
    r"|merci\s+beaucoup|danke|vielen\s+dank|gracias|muchas\s+gracias|grazie|bedankt|tak"
)
# A closing ends the message even alone; "Thank you!" alone is part of it, "Thanks," is not.
_SIGN_OFF = re.compile(
    rf"^\s*(?:(?:{_CLOSING})\s*[,.!]?|(?:{_THANKS})\s*,|(?:{_THANKS})\s*[.!]?(?P<needs_name>))\s*$",
    re.IGNORECASE,
)
_NAME = re.compile(
    r"^\s*(?:[-/~–—]\s*[\w.'’-]+(?:\s+[\w.'’-]+){0,2}"
    r"|\*?[A-ZÀ-Ý][\w.'’-]*(?:\s+[A-ZÀ-Ý][\w.'’-]*){0,2}\.?\*?)\s*$"
)
_GREETING = re.compile(r"^[\w .'’-]{1,40},$")
_NOT_A_NAME = re.compile(
    r"^\W*(?:ok|okay|yes|no|sure|done|thanks|hello|hi|hey|please|sorry|agreed|fine)\b",
    re.IGNORECASE,
)
_CONTACT = re.compile(
    r"\+?\d[\d ()./-]{6,}\d|https?://|www\.|\S@\S|\|"
    r"|^\s*(?:tel|phone|mobile|mob|cell|fax|direct|t|m|p|e)\s*[:.]",
    re.IGNORECASE,
)
_DISCLAIMER = re.compile(
    r"(?:confidential|privileged).{0,200}(?:intended\s+(?:solely\s+|only\s+)?for|addressee"
    r"|recipient)"
    r"|if\s+you\s+(?:have\s+received\s+this\s+(?:e-?mail|message|communication|transmission)"
    r"|are\s+not\s+the\s+intended\s+recipient)"
    r"|this\s+(?:e-?mail|message|communication)(?:\s+and\s+any\s+(?:files|attachments)[\w ]*)?"
    r"\s+(?:is|are|may\s+be|may\s+contain|contains)\s+(?:confidential|privileged|intended)"
    r"|(?:e-?mail|message)\s+(?:has\s+been|was)\s+(?:scanned|checked)"
    r"|(?:scanned|checked)\s+for\s+viruses|virus-free\.|please\s+consider\s+the\s+environment"
    r"|^\s*disclaimer\s*:?\s*$"
    r"|(?:ce|cet)\s+(?:message|courriel|e-?mail).{0,120}confidentiel"
    r"|si\s+vous\s+avez\s+reçu\s+ce\s+(?:message|courriel|e-?mail)\s+par\s+erreur"
    r"|diese\s+(?:e-?mail|nachricht).{0,120}vertraulich"
    r"|wenn\s+sie\s+nicht\s+der\s+(?:richtige|beabsichtigte)\s+(?:adressat|empfänger)"
    r"|(?:este|el\s+presente)\s+(?:mensaje|correo).{0,120}confidencial"
    r"|si\s+(?:usted\s+)?no\s+es\s+el\s+destinatario"
    r"|questo\s+messaggio.{0,120}riservat",
    re.IGNORECASE | re.DOTALL,
)
_BANNER = re.compile(
    r"originated\s+from\s+outside\s+(?:of\s+)?(?:the|this|our|your)|external\s+sender",
    re.IGNORECASE,
)
_DISCLAIMER_SCAN = 3_000  # a footer reads as one from its opening; longer paragraphs are prose
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> CleanedText:
    """Strip quoted history, signatures and disclaimers from a plain-text body.

    Args:
        text: the decoded body (use `nlp.html.html_to_text` first for HTML-only mail).

    Returns:
        The debtor's own words and the removed pieces in order. Never empty when `text` has
        non-blank content. Never raises on any string.
    """
    truncated = len(text) > RAW_CAP
    body = _CONTROL.sub("", text[:RAW_CAP].replace("\r\n", "\n").replace("\r", "\n"))
    lines = body.split("\n")
    removed: list[Removed] = []

    lines = _drop_banners(lines, removed)
    lines = _cut_history(lines, removed)
    lines = _drop_quoted_lines(lines, removed)
    lines = _cut_at_delimiter(lines, removed)
    lines = _drop_sent_from(lines, removed)
    lines = _drop_disclaimers(lines, removed)
    lines = _cut_sign_off(lines, removed)
    lines = _cut_name_block(lines, removed)

    cleaned = _tidy("\n".join(lines))
    if not cleaned:
        cleaned, removed = _tidy(body), []
    if len(cleaned) > TEXT_CAP:
        cleaned, truncated = cleaned[:TEXT_CAP], True
    return CleanedText(text=cleaned, removed=tuple(removed), truncated=truncated)


def _has_text(lines: list[str]) -> bool:
    return any(x.strip() for x in lines)


def _has_body(lines: list[str]) -> bool:
    """More than a salutation: a cut must never leave only "Hi," or "Hej,"."""
    text = [x.strip() for x in lines if x.strip()]
    return len(text) > 1 or (len(text) == 1 and not _GREETING.match(text[0]))


def _wrote_header(joined: str) -> bool:
    if len(joined) > _HEADER_MAX:
        return False
    match = _WROTE_AT_END.match(joined)
    if match:
        specific = bool(re.search(r"[@<\d]", joined))
        if match["colon"]:
            return bool(match["lead"]) or specific
        return bool(match["lead"]) and specific
    return bool(_WROTE_INSIDE.match(joined))


def _header_at(lines: list[str], i: int) -> tuple[int, str]:
    """(lines the reply header starting at line i spans, its kind); (0, "") when none."""
    line = lines[i]
    if len(line) > _HEADER_MAX or not line.strip():
        return 0, ""
    if _SEPARATOR.match(line):
        return 1, "separator"
    if _FROM_FIELD.match(line) or _FIELD.match(line):
        window = lines[i + 1 : i + 7]
        fields = [x for x in window if len(x) <= _HEADER_MAX and _FIELD.match(x)]
        if _FROM_FIELD.match(line) and fields:
            return 1, "fields"
        if len(fields) >= 2 and any(_FROM_FIELD.match(x) for x in fields):
            return 1, "fields"
    joined = line
    # Only a header that opens with "On"/"Le"/"Am"... wraps: joining any line to the next
    # would turn the sender's last sentence into part of the header under it.
    wraps = bool(_LEAD_WORD.match(line))
    for span in (1, 2, 3):
        if span > 1:
            if not wraps:
                break
            nxt = lines[i + span - 1] if i + span - 1 < len(lines) else ""
            if not nxt.strip() or len(nxt) > _HEADER_MAX:
                break
            joined = f"{joined} {nxt.strip()}"
        if _wrote_header(joined):
            return span, "wrote"
    return 0, ""


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _inline_answers(lines: list[str], start: int) -> bool:
    """After a "wrote:" header: ">" lines, then the sender's own lines, and no older header."""
    j = start
    while j < len(lines) and not lines[j].strip():
        j += 1
    if j >= len(lines) or not _is_quoted(lines[j]):
        return False
    answered = False
    previous = ""
    for k in range(j, len(lines)):
        line = lines[k]
        if _is_quoted(line):
            previous = line
            continue
        if not line.strip():
            previous = ""
            continue
        if _RULE.match(line) or _DASHES.match(line) or _SENT_FROM.match(line):
            break
        if _header_at(lines, k)[0]:
            return False
        # A long quoted line wrapped by the client leaves its tail without ">".
        if len(previous) >= 60 and line.lstrip()[:1].islower():
            continue
        answered = True
        previous = ""
    return answered


def _header_start(lines: list[str], i: int) -> int:
    """Include the "____" rule (and blank lines) that Outlook puts above its header block."""
    j = i - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    if j >= 0 and _RULE.match(lines[j]):
        return j
    return i


def _cut_history(lines: list[str], removed: list[Removed]) -> list[str]:
    for i in range(len(lines)):
        span, kind = _header_at(lines, i)
        if not span:
            continue
        if kind in ("wrote", "separator") and _inline_answers(lines, i + span):
            removed.append(Removed(kind="quote", text="\n".join(lines[i : i + span]).strip()))
            return lines[:i] + lines[i + span :]
        start = _header_start(lines, i) if kind != "wrote" else i
        if _has_text([x for x in lines[:start] if not _is_quoted(x)]):
            removed.append(Removed(kind="quote", text="\n".join(lines[start:]).strip()))
            return lines[:start]
        # Bottom posting: the reply sits under the quote. Drop only the header lines; the
        # ">" lines go in the next step.
        removed.append(Removed(kind="quote", text="\n".join(lines[i : i + span]).strip()))
        return lines[:i] + lines[i + span :]
    return lines


def _drop_quoted_lines(lines: list[str], removed: list[Removed]) -> list[str]:
    kept: list[str] = []
    block: list[str] = []
    previous = ""
    for line in lines:
        wrapped_tail = len(previous) >= 60 and line.strip()[:1].islower()
        if _is_quoted(line) or (block and wrapped_tail):
            block.append(line)
            previous = line
            continue
        if block:
            removed.append(Removed(kind="quote", text="\n".join(block)))
            block = []
        kept.append(line)
        previous = ""
    if block:
        removed.append(Removed(kind="quote", text="\n".join(block)))
    return kept


def _cut_at_delimiter(lines: list[str], removed: list[Removed]) -> list[str]:
    """A "-- " line or a "_____" rule under the text starts a signature or a list footer."""
    for i, line in enumerate(lines):
        if (_DASHES.match(line) or _RULE.match(line)) and _has_text(lines[:i]):
            removed.append(Removed(kind="signature", text="\n".join(lines[i:]).strip()))
            return lines[:i]
    return lines


def _drop_sent_from(lines: list[str], removed: list[Removed]) -> list[str]:
    kept = []
    for line in lines:
        match = _SENT_FROM.match(line) if len(line) <= 120 else None
        if match and len(match["rest"].split()) <= 6:
            removed.append(Removed(kind="signature", text=line.strip()))
        else:
            kept.append(line)
    return kept


def _paragraphs(lines: list[str]) -> list[list[str]]:
    out: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            out[-1].append(line)
        elif out[-1]:
            out.append([])
    return [p for p in out if p]


def _drop_banners(lines: list[str], removed: list[Removed]) -> list[str]:
    """Mail gateways put "this email originated from outside" above or below the text."""
    paragraphs = _paragraphs(lines)
    if len(paragraphs) < 2:
        return lines
    kept: list[list[str]] = []
    for para in paragraphs:
        text = "\n".join(para)
        if len(text) <= 600 and _BANNER.search(text) and not _is_quoted(para[0]):
            removed.append(Removed(kind="disclaimer", text=text.strip()))
        else:
            kept.append(para)
    return _join(kept) if len(kept) < len(paragraphs) else lines


def _drop_disclaimers(lines: list[str], removed: list[Removed]) -> list[str]:
    """A legal or virus-scan footer runs to the end of the mail: cut from the first one."""
    paragraphs = _paragraphs(lines)
    for n, para in enumerate(paragraphs):
        text = "\n".join(para)
        if n and _DISCLAIMER.search(text[:_DISCLAIMER_SCAN]):
            removed.append(
                Removed(kind="disclaimer", text="\n\n".join("\n".join(p) for p in paragraphs[n:]))
            )
            return _join(paragraphs[:n])
    return lines


def _join(paragraphs: list[list[str]]) -> list[str]:
    out: list[str] = []
    for para in paragraphs:
        if out:
            out.append("")
        out.extend(para)
    return out


def _cut_sign_off(lines: list[str], removed: list[Removed]) -> list[str]:
    nonblank = [i for i, x in enumerate(lines) if x.strip()]
    for pos in nonblank[-6:]:
        match = _SIGN_OFF.match(lines[pos]) if len(lines[pos]) <= 60 else None
        if not match or not _has_body(lines[:pos]):
            continue
        tail = [x for x in lines[pos + 1 :] if x.strip()]
        if match["needs_name"] is not None and (not tail or _SIGN_OFF.match(tail[0])):
            continue
        if len(tail) <= 5 and all(len(x.strip()) <= 60 for x in tail):
            removed.append(Removed(kind="signature", text="\n".join(lines[pos:]).strip()))
            return lines[:pos]
    return lines


def _cut_name_block(lines: list[str], removed: list[Removed]) -> list[str]:
    """A last paragraph that is a bare name, or a name over title, phone and web lines."""
    paragraphs = _paragraphs(lines)
    if len(paragraphs) < 2 or not _has_body(_join(paragraphs[:-1])):
        return lines
    last = paragraphs[-1]
    if len(last) > 6 or any(len(x.strip()) > 60 for x in last):
        return lines
    first = last[0].strip()
    if (
        not _NAME.match(first)
        or _SIGN_OFF.match(first)
        or _NOT_A_NAME.match(first)
        or first.endswith((":", "?", "!"))
    ):
        return lines
    if len(last) > 1 and not any(_CONTACT.search(x) for x in last[1:]):
        return lines
    removed.append(Removed(kind="signature", text="\n".join(last).strip()))
    return _join(paragraphs[:-1])


def _tidy(text: str) -> str:
    # Line by line rather than one regex: "[ \t]+\n" is quadratic on long runs of spaces.
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()
