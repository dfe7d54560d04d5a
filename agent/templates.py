"""Reply drafts from the text files in prompts/, filled only with ledger facts.

Templates use `string.Template` (`$name` / `${name}`): substitution is plain text, so a debtor
name such as `${balance}` or `{0.__class__}` is printed as written and never evaluated. Every
value comes from `AccountFacts`, the decision or the settings, never from the debtor's text.

A file is `prompts/<template>.<channel>.txt`. Email files start with a `Subject:` line and a
blank line. The jurisdiction's collection disclosure (R08) and the channel's opt-out
instructions (R09) are appended here, so a template cannot forget them; the opt-out
confirmation and the HELP reply are exempt (see `agent.facts.DISCLOSURE_EXEMPT_KINDS`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from string import Template

from agent.config import GuardSettings, PolicySettings
from agent.facts import (
    CHANNELS,
    DISCLOSURE_EXEMPT_KINDS,
    OPT_OUT_NOTICE_EXEMPT_KINDS,
    AccountFacts,
)
from agent.plans import PlanTerms
from agent.policy import Decision

__all__ = [
    "FIELDS",
    "PROMPTS_DIR",
    "Draft",
    "LoadedTemplate",
    "MissingFieldError",
    "TemplateError",
    "UnknownTemplateError",
    "format_date",
    "format_money",
    "load_template",
    "render",
]

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
CURRENCY_SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€"}
FIELDS: frozenset[str] = frozenset(
    {
        "company_name", "payment_url", "phone",
        "debtor_name", "first_name", "account_ref", "balance", "due_date", "currency",
        "amount", "date",
        "passages",
        "plan_summary", "plan_brief", "plan_schedule", "plan_total", "plan_first_date",
    }
)  # fmt: skip


class TemplateError(Exception):
    """A reply template cannot be used; the message names the file and what to fix."""


class UnknownTemplateError(TemplateError):
    """No file for this template and channel in prompts/."""


class MissingFieldError(TemplateError):
    """The template needs a value this decision or account does not have."""


@dataclass(frozen=True, kw_only=True)
class Draft:
    """A reply ready for the guard. `subject` is None for SMS."""

    template: str
    channel: str
    subject: str | None
    body: str


@dataclass(frozen=True, kw_only=True)
class LoadedTemplate:
    """A checked template file: the subject (email only) and the body."""

    subject: Template | None
    body: Template


def format_money(amount: Decimal, currency: str) -> str:
    """`$1,234.50`, `£80.00`, `€12.00`; other currencies as `CAD 10.00`."""
    text = f"{amount:,.2f}"
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    return f"{symbol}{text}" if symbol else f"{currency.upper()} {text}"


def format_date(value: date) -> str:
    """`Friday 6 March 2026`: unambiguous on both sides of the Atlantic, unlike 03/06/2026."""
    return f"{value:%A} {value.day} {value:%B} {value.year}"


def load_template(name: str, channel: str, *, directory: Path = PROMPTS_DIR) -> LoadedTemplate:
    """Read and check one template file.

    Raises:
        UnknownTemplateError: there is no `<name>.<channel>.txt` in `directory`.
        TemplateError: the file is malformed or uses a field not in `FIELDS`.
    """
    if channel not in CHANNELS or not name.replace("_", "").isalnum():
        raise UnknownTemplateError(f"no template {name!r} for channel {channel!r}")
    path = directory / f"{name}.{channel}.txt"
    if not path.is_file():
        available = sorted(p.name for p in directory.glob("*.txt"))
        raise UnknownTemplateError(
            f"no template file {path}; add it or pick one of: {', '.join(available)}"
        )
    text = path.read_text(encoding="utf-8")
    subject: Template | None = None
    if channel == "email":
        first, sep, rest = text.partition("\n")
        if not first.startswith("Subject:") or not sep:
            raise TemplateError(f"{path}: an email template starts with a 'Subject: ...' line")
        subject = Template(first.removeprefix("Subject:").strip())
        text = rest.lstrip("\n")
    body = Template(text.strip())
    for template in (subject, body):
        if template is None:
            continue
        if not template.is_valid():
            raise TemplateError(f"{path}: a '$' is not followed by a field name; write '$$'")
        unknown = set(template.get_identifiers()) - FIELDS
        if unknown:
            raise TemplateError(
                f"{path}: unknown field(s) {sorted(unknown)}; use only {sorted(FIELDS)}"
            )
    return LoadedTemplate(subject=subject, body=body)


def render(
    template_name: str,
    channel: str,
    facts: AccountFacts | None,
    decision: Decision | None,
    settings: PolicySettings,
    *,
    guard: GuardSettings | None = None,
    directory: Path = PROMPTS_DIR,
    passages: Sequence[str] = (),
) -> Draft:
    """Fill a template and append the disclosure and opt-out lines the guard will look for.

    Pass the deployment's `guard` settings: the disclosure and opt-out texts come from there,
    and the guard checks for exactly those texts (the defaults are used when it is None).
    `passages` fill `${passages}`: knowledge-base text chosen by the caller (agent.knowledge),
    the company's own reviewed words, never the debtor's or a model's.

    Raises:
        UnknownTemplateError: no such template for this channel.
        MissingFieldError: the template needs account facts or promise terms that are absent.
        TemplateError: the template file is malformed.
    """
    guard = guard or GuardSettings()
    loaded = load_template(template_name, channel, directory=directory)
    values = _values(facts, decision, settings)
    values["passages"] = ("\n\n" if channel == "email" else " ").join(
        " ".join(p.split()) if channel == "sms" else p.strip() for p in passages
    )
    subject = _fill(loaded.subject, values, template_name) if loaded.subject else None
    body = _fill(loaded.body, values, template_name)
    tail: list[str] = []
    if template_name not in DISCLOSURE_EXEMPT_KINDS:
        if facts is None:
            raise MissingFieldError(
                f"template {template_name!r} carries the collection disclosure and needs the "
                "account's facts; a sender who is not verified must get no such reply (R20)"
            )
        tail.append(guard.disclosure_for(facts.jurisdiction))
    if template_name not in OPT_OUT_NOTICE_EXEMPT_KINDS:
        tail.append(guard.opt_out_instructions[channel])
    if channel == "sms":
        text = " ".join([" ".join(body.split()), *tail])
    else:
        text = ("\n\n".join([body, "\n".join(tail)]) if tail else body) + "\n"
    return Draft(template=template_name, channel=channel, subject=subject, body=text)


def _values(
    facts: AccountFacts | None, decision: Decision | None, settings: PolicySettings
) -> dict[str, str]:
    values = {
        "company_name": settings.company_name,
        "payment_url": settings.payment_url,
        "phone": settings.phone,
    }
    if facts is not None:
        values.update(
            debtor_name=facts.debtor_name.strip(),
            first_name=(facts.debtor_name.split() or [""])[0],
            account_ref=facts.account_id[-4:],
            balance=format_money(facts.balance, facts.currency),
            due_date=format_date(facts.due_date),
            currency=facts.currency.upper(),
        )
    plan = decision.plan if decision is not None else None
    if plan is not None:
        values.update(_plan_values(plan))
    promise = decision.promise if decision is not None else None
    if promise is not None:
        values.update(
            amount=format_money(promise.amount, promise.currency),
            date=format_date(promise.date),
        )
    return values


def _plan_values(plan: PlanTerms) -> dict[str, str]:
    """Plan terms as words; every figure is one the guard finds among the plan's amounts."""
    first, last = plan.instalments[0], plan.instalments[-1]
    money = [format_money(i.amount, plan.currency) for i in plan.instalments]
    short_date = f"{first.due.day} {first.due:%b} {first.due.year}"  # SMS: two segments
    if plan.kind == "settlement" or plan.months == 1:
        closes = " to settle the account" if plan.kind == "settlement" else ""
        summary = f"a single payment of {money[0]} on {format_date(first.due)}{closes}"
        brief = f"one payment of {money[0]} on {short_date}{closes}"
    elif first.amount == last.amount:
        summary = f"{plan.months} monthly payments of {money[0]}, the first on " + format_date(
            first.due
        )
        brief = f"{plan.months} monthly payments of {money[0]} from {short_date}"
    else:
        summary = (
            f"{plan.months} monthly payments ({plan.months - 1} of {money[0]} and a last one of "
            f"{money[-1]}), the first on {format_date(first.due)}"
        )
        brief = (
            f"{plan.months} monthly payments ({plan.months - 1} of {money[0]}, last {money[-1]}) "
            f"from {short_date}"
        )
    schedule = "\n".join(
        f"  {format_date(i.due)}: {m}" for i, m in zip(plan.instalments, money, strict=True)
    )
    return {
        "plan_summary": summary,
        "plan_brief": brief,
        "plan_schedule": schedule,
        "plan_total": format_money(plan.total, plan.currency),
        "plan_first_date": format_date(first.due),
    }


def _fill(template: Template, values: dict[str, str], name: str) -> str:
    try:
        return template.substitute(values)
    except KeyError as exc:
        raise MissingFieldError(
            f"template {name!r} needs {exc.args[0]!r}, which this decision or account lacks"
        ) from exc
