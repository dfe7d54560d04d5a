"""Pure triage: text in, `Triage` out (TAXONOMY.md). No database, no network."""

from nlp.clean import CleanedText, clean_text
from nlp.html import html_to_text
from nlp.model import Evidence, Intent, Money, Promise, ReferenceTriage, Triage
from nlp.references import redact
from nlp.triage import ENGINE, LEGAL_TRIGGERS, triage

__all__ = [
    "ENGINE",
    "LEGAL_TRIGGERS",
    "CleanedText",
    "Evidence",
    "Intent",
    "Money",
    "Promise",
    "ReferenceTriage",
    "Triage",
    "clean_text",
    "html_to_text",
    "redact",
    "triage",
]
