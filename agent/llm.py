"""The optional LLM: it may rephrase a finished draft, never write one.

The draft already says everything (ledger figures, the passages that ground it, the required
disclosure); the model only changes the wording. Its output is used only when it passes the
guard and keeps every amount and date of the draft, no more and no fewer: a model that invents
a figure, drops the disclosure or adds a threat is ignored and the template text is sent. The
model never sees the debtor's message, so text written to steer it ("ignore your
instructions") has no way in.

Any OpenAI-compatible chat server works (PARLEY_LLM_BASE_URL, PARLEY_LLM_MODEL,
PARLEY_LLM_API_KEY), through LangChain's ChatOpenAI; langchain-openai is imported only when a
rephraser is built.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

__all__ = [
    "FRAME",
    "LlmConfigError",
    "OpenAIRephraser",
    "Rephrased",
    "Rephraser",
    "figures",
    "rephrase_within_frame",
]

FRAME = (
    "You rewrite messages from a debt collection agency to a customer so they read warmly, "
    "plainly and politely. Rules you must follow:\n"
    "1. Keep every fact exactly: every amount of money, every date, the account reference, "
    "links and phone numbers, written exactly as in the draft.\n"
    "2. Add no facts, amounts, dates, promises, deadlines or consequences that are not in the "
    "draft. Never threaten, never pressure, never mention courts, credit reports or law "
    "enforcement.\n"
    "3. Copy the final paragraph of the draft (the legal notice and how to opt out) word for "
    "word.\n"
    "4. Keep roughly the same length; for a text message stay as short as the draft.\n"
    "Reply with the rewritten message only, without a subject line or commentary."
)

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?"
_MONEY = re.compile(
    rf"[$£€]\s?(?P<a>{_NUMBER})"
    rf"|\b(?:USD|GBP|EUR|CAD|AUD)\s?(?P<b>{_NUMBER})"
    rf"|(?<![\d.,])(?P<c>{_NUMBER})\s?(?:dollars?|pounds?|euros?|USD|GBP|EUR|CAD|AUD)\b",
    re.IGNORECASE,
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATES = (
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b"),
    re.compile(
        rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+(?P<y>\d{{4}})\b",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b{_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})\b", re.IGNORECASE
    ),
    re.compile(r"\b(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})\b"),
)


class LlmConfigError(ValueError):
    """The LLM settings are incomplete; the message names the variable to set."""


class Rephraser(Protocol):
    """Rewrites a draft's wording; `name` is recorded in the audit log (e.g. the model)."""

    @property
    def name(self) -> str: ...

    def rephrase(self, text: str, *, channel: str) -> str: ...


@dataclass(frozen=True, kw_only=True)
class Rephrased:
    """The text to send and whether the model's wording was used, with the reason if not."""

    text: str
    used_llm: bool
    reason: str
    """`rephrased`, or why the template was kept: `llm_error:...`, `guard:<rule>,...`,
    `figures_changed`, `empty`."""
    failed_rules: tuple[str, ...] = ()


class OpenAIRephraser:
    """An OpenAI-compatible chat server through LangChain (temperature 0, no retries)."""

    def __init__(
        self, *, base_url: str, model: str, api_key: str = "", timeout: float = 20.0
    ) -> None:
        if not base_url or not model:
            raise LlmConfigError(
                "an LLM needs both PARLEY_LLM_BASE_URL and PARLEY_LLM_MODEL; "
                "unset PARLEY_LLM_BASE_URL to run without one"
            )
        from langchain_openai import ChatOpenAI
        from pydantic import SecretStr

        self._model = model
        self._chat = ChatOpenAI(
            base_url=base_url,
            model=model,
            api_key=SecretStr(api_key or "not-needed"),
            timeout=timeout,
            max_retries=0,
            temperature=0,
        )

    @property
    def name(self) -> str:
        return self._model

    def rephrase(self, text: str, *, channel: str) -> str:
        from langchain_core.messages import HumanMessage, SystemMessage

        medium = "a text message (SMS)" if channel == "sms" else "an email body"
        reply = self._chat.invoke(
            [SystemMessage(content=FRAME), HumanMessage(content=f"Draft ({medium}):\n\n{text}")]
        )
        content: Any = reply.content
        if isinstance(content, list):
            content = "".join(
                part.get("text", "") if isinstance(part, dict) else str(part) for part in content
            )
        return str(content)


def figures(text: str) -> tuple[list[Decimal], list[date | str]]:
    """Every money amount and every date written in `text`, in order.

    A date that does not parse stays as its text, so it still has to appear unchanged.
    """
    amounts: list[Decimal] = []
    for match in _MONEY.finditer(text):
        raw = match.group("a") or match.group("b") or match.group("c")
        try:
            amounts.append(Decimal(raw.replace(",", "")))
        except InvalidOperation:
            continue
    dates: list[date | str] = []
    taken: list[tuple[int, int]] = []
    for pattern in _DATES:
        for match in pattern.finditer(text):
            if any(start < match.end() and match.start() < end for start, end in taken):
                continue
            taken.append(match.span())
            dates.append(_as_date(match) or match.group(0))
    return amounts, dates


def _as_date(match: re.Match[str]) -> date | None:
    found = match.groupdict()
    try:
        if found.get("mon"):
            month = next(
                i for i, name in enumerate(_MONTHS, 1) if name == found["mon"][:3].lower()
            )
        else:
            month = int(found["m"])
        return date(int(found["y"]), month, int(found["d"]))
    except (StopIteration, ValueError):
        return None


def _same_figures(draft: str, candidate: str) -> bool:
    want_amounts, want_dates = figures(draft)
    got_amounts, got_dates = figures(candidate)
    return set(want_amounts) == set(got_amounts) and set(want_dates) == set(got_dates)


def rephrase_within_frame(
    draft: str,
    *,
    channel: str,
    rephraser: Rephraser,
    allowed: Callable[[str], tuple[str, ...]],
) -> Rephrased:
    """The model's wording when it is safe, else the draft. Never raises for the model's sake.

    Args:
        draft: the full text as the template rendered it (it already passes the guard).
        allowed: the guard for this message: returns the failed rule ids (empty when allowed).
    """
    try:
        candidate = rephraser.rephrase(draft, channel=channel).strip()
    except Exception as exc:  # any transport or server failure: the template is complete
        return Rephrased(text=draft, used_llm=False, reason=f"llm_error:{type(exc).__name__}")
    if not candidate:
        return Rephrased(text=draft, used_llm=False, reason="empty")
    if channel == "email":
        candidate += "\n"
    if not _same_figures(draft, candidate):
        return Rephrased(text=draft, used_llm=False, reason="figures_changed")
    failed = allowed(candidate)
    if failed:
        return Rephrased(
            text=draft,
            used_llm=False,
            reason="guard:" + ",".join(failed),
            failed_rules=failed,
        )
    return Rephrased(text=candidate, used_llm=True, reason="rephrased")
