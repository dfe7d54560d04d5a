"""What a reader of the cleaned text notices: the debtor's reply kept, our quoted words gone."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from nlp.clean import TEXT_CAP, clean_text

OURS = (
    "Dear Dana,\n\nYour balance of $1,240.00 is 45 days past due.\n"
    "Reply STOP to opt out. You may dispute this debt.\n\nAcme Collections"
)
QUOTED = "\n".join(f"> {line}".rstrip() for line in OURS.split("\n"))
ACME = "Acme Collections <billing@acme.example>"
OUTLOOK = (
    f"From: {ACME}\nSent: Monday, March 2, 2026 9:15 AM\nTo: Dana <dana@example.com>\n"
    f"Subject: Your account\n\n{OURS}"
)


def _gone(text: str) -> None:
    """None of our own collection notice survives."""
    for word in ("STOP", "dispute", "past due", "Acme"):
        assert word not in text


@pytest.mark.parametrize(
    "header",
    [
        f"On Mon, Mar 2, 2026 at 9:15 AM {ACME} wrote:",
        f"On Mon, Mar 2, 2026 at 9:15\u202fAM {ACME}\nwrote:",
        "On Mon, Mar 2, 2026 at 9:15 AM Acme Collections <\nbilling@acme.example> wrote:",
        "On 02/03/2026 09:15, Acme Collections wrote:",
        f"Le lun. 2 mars 2026 à 09:15, {ACME} a écrit :",
        "Le lun. 2 mars 2026 à 09:15, Acme <\nbilling@acme.example> a\u00a0écrit\u00a0:",
        f"Am Mo., 2. März 2026 um 09:15 Uhr schrieb {ACME}:",
        "Am Mo., 2. März 2026 um 09:15 Uhr schrieb Acme <\nbilling@acme.example>:",
        f"El lun, 2 mar 2026 a las 9:15, {ACME} escribió:",
        "El lun, 2 mar 2026 a las 9:15, Acme (<\nbilling@acme.example>) escribió:",
    ],
)
def test_reply_header_in_any_client_language_cuts_the_history(header: str) -> None:
    cleaned = clean_text(f"I'll pay $200 on Friday.\n\n{header}\n\n{QUOTED}\n")
    assert cleaned.text == "I'll pay $200 on Friday."
    assert cleaned.removed[0].kind == "quote"


@pytest.mark.parametrize(
    "block",
    [
        OUTLOOK,
        f"________________________________\n{OUTLOOK}",
        f"-----Original Message-----\n{OUTLOOK}",
        OUTLOOK.replace("From:", "*From:*").replace("Sent:", "*Sent:*"),
        f"________________________________\nDe : {ACME}\nEnvoyé : lundi 2 mars 2026 09:15\n"
        f"À : Dana\nObjet : Votre dossier\n\n{OURS}",
        f"Von: {ACME}\nGesendet: Montag, 2. März 2026 09:15\nAn: Dana\nBetreff: Konto\n\n{OURS}",
        f"De: {ACME}\nEnviado el: lunes, 2 de marzo de 2026\nPara: Dana\nAsunto: Cuenta\n\n{OURS}",
        f"-----Message d'origine-----\nDe : {ACME}\nEnvoyé : lundi\n\n{OURS}",
    ],
)
def test_outlook_header_block_cuts_the_history(block: str) -> None:
    cleaned = clean_text(f"This is not my account.\n\n{block}")
    assert cleaned.text == "This is not my account."
    _gone(cleaned.text)


@pytest.mark.parametrize(
    "separator",
    [
        f"---------- Forwarded message ---------\nFrom: {ACME}\nDate: Mon, Mar 2, 2026\n",
        f"Begin forwarded message:\n\nFrom: {ACME}\nSubject: Your account\n",
        f"---------- Message transféré ---------\nDe : {ACME}\n",
        f"---------- Weitergeleitete Nachricht ---------\nVon: {ACME}\n",
        f"---------- Mensaje reenviado ---------\nDe: {ACME}\n",
    ],
)
def test_forwarders_note_is_the_reply_and_the_forwarded_mail_is_not(separator: str) -> None:
    note = "Please see below: my father passed away in January. I am his executor."
    cleaned = clean_text(f"{note}\n\n{separator}\n{OURS}")
    assert cleaned.text == note


def test_bottom_posted_reply_under_the_quote_is_kept() -> None:
    body = f"On Mon, Mar 2, 2026 at 9:15 AM {ACME} wrote:\n{QUOTED}\n\nI will pay next week."
    assert clean_text(body).text == "I will pay next week."
    assert clean_text(f"{QUOTED}\n\nI can pay 100 now.").text == "I can pay 100 now."


def test_interleaved_answers_between_quoted_lines_are_kept() -> None:
    body = (
        "Hi,\n\nAnswers below.\n\n"
        f"On Mon, Mar 2, 2026 at 9:15 AM {ACME} wrote:\n"
        "> Your balance of $1,240.00 is 45 days past due.\n\n"
        "That amount is wrong, I owe $940.\n\n"
        "> Reply STOP to opt out. You may dispute this debt.\n"
        "I do dispute it, in writing.\n\n"
        "> Acme Collections\n"
    )
    cleaned = clean_text(body)
    assert cleaned.text == (
        "Hi,\n\nAnswers below.\n\nThat amount is wrong, I owe $940.\n\nI do dispute it, in writing."
    )
    assert "STOP" not in cleaned.text


def test_history_chain_after_quoted_lines_is_not_mistaken_for_answers() -> None:
    body = (
        f"Paid today.\n\nOn Tue, Mar 3, 2026 at 8:00 AM {ACME} wrote:\n> Still waiting.\n\n"
        f"Older reply from me.\n\nOn Mon, Mar 2, 2026 at 9:15 AM {ACME} wrote:\n\n{OURS}"
    )
    assert clean_text(body).text == "Paid today."


def test_wrapped_tail_of_a_long_quoted_line_is_part_of_the_quote() -> None:
    body = (
        f"This is a test\n\nOn Mon, Mar 2, 2026 at 9:15 AM {ACME} wrote:\n"
        "> Pitchfork occupy vegan pabst hammock. Wayfarers etsy pok pok, kale chips\n"
        "brooklyn four dollar toast street art 3 wolf moon.\n> VIEW ALL MESSAGES\n"
    )
    assert clean_text(body).text == "This is a test"


@pytest.mark.parametrize(
    "line",
    [
        "Sent from my iPhone",
        "Sent from my Samsung Galaxy smartphone.",
        "Sent from Yahoo Mail on Android",
        "Get Outlook for Android<https://aka.ms/AAb9ysg>",
        "Envoyé de mon iPhone",
        "Von meinem iPhone gesendet",
        "Enviado desde mi iPhone",
    ],
)
def test_mobile_sent_from_lines_are_signatures(line: str) -> None:
    cleaned = clean_text(f"Ok I will pay tomorrow\n\n{line}")
    assert cleaned.text == "Ok I will pay tomorrow"
    assert [r.kind for r in cleaned.removed] == ["signature"]


def test_sent_from_in_a_sentence_is_kept() -> None:
    body = "Here is another email\n\nSent from my desk, is much easier than my mobile phone."
    assert clean_text(body).text == body


@pytest.mark.parametrize(
    "signature",
    [
        "-- \nDana Smith\nAcme Ltd\n+1 555 201 3344",
        "--\nDana Smith\nHead of Finance",
        "Kind regards,\nDana Smith\nAccounts Payable\nTel: +1 555 201 3344",
        "Thanks,\nDana",
        "Cordialement,\nDana Martin\n06 12 34 56 78",
        "Mit freundlichen Grüßen\nDana Müller",
        "Saludos cordiales,\nDana García",
        "Dana",
        "-Dana Smith",
        "Dana Smith\nWarehouse Supervisor | Brightline Logistics\nM: 07700 900123",
    ],
)
def test_signature_blocks_are_removed(signature: str) -> None:
    cleaned = clean_text(f"I can pay £50 a week from next Monday.\n\n{signature}")
    assert cleaned.text == "I can pay £50 a week from next Monday."


@pytest.mark.parametrize(
    "footer",
    [
        "CONFIDENTIALITY NOTICE: This email and any attachments are confidential and intended "
        "solely for the addressee. If you have received this email in error, delete it.",
        "This email has been scanned by the Symantec Email Security.cloud service.",
        "Please consider the environment before printing this email.",
        "Ce message et toutes les pièces jointes sont confidentiels et établis à l'intention "
        "exclusive de ses destinataires.",
        "Diese E-Mail enthält vertrauliche und/oder rechtlich geschützte Informationen.",
    ],
)
def test_disclaimers_and_scan_footers_are_removed(footer: str) -> None:
    cleaned = clean_text(f"Please send me an itemised statement.\n\n{footer}")
    assert cleaned.text == "Please send me an itemised statement."
    assert cleaned.removed[0].kind == "disclaimer"


def test_external_sender_banner_above_the_text_is_removed() -> None:
    body = (
        "CAUTION: This email originated from outside of the organization. Do not click links.\n\n"
        "We sent the remittance on 1 March, ref 88121."
    )
    assert clean_text(body).text == "We sent the remittance on 1 March, ref 88121."


@pytest.mark.parametrize(
    "body",
    [
        "On Friday I wrote to you about this and got no answer.\nI paid $300 on Feb 20.",
        "From: my bank statement, the payment left on 3 March.\nSent it to your account.",
        "Thanks for the reminder. I'll pay on the 5th.\n\nThank you!",
        "This is confidential but I lost my job. If you have received my letter, reply.",
        "Here is what I can do:\n- $100 now\n- $100 on the 15th",
        "With regards to the invoice, it was paid in full.",
        "Hej,\n\nSvar.",
        "Thanks",
    ],
)
def test_text_that_only_looks_like_history_or_signature_is_kept(body: str) -> None:
    assert clean_text(body).text == body


@pytest.mark.parametrize(
    "body",
    [
        "I will pay on Friday.\n" * 10_000,
        "x" * 1_000_000,
        "On " + "a " * 500_000,
        "\n".join("On " + "a@b " * 95 + ":" for _ in range(10_000)),
        "\n".join("> " + "quoted " * 20 for _ in range(10_000)),
        "\n".join("From: someone" for _ in range(10_000)),
        "\n\n".join("Dana Smith" for _ in range(10_000)),
        " " * 1_000_000,
        "-" * 1_000_000,
    ],
)
def test_large_and_pathological_bodies_are_fast(body: str) -> None:
    started = time.perf_counter()
    cleaned = clean_text(body)
    assert time.perf_counter() - started < 0.5
    assert len(cleaned.text) <= TEXT_CAP


DATASET = Path(__file__).resolve().parents[2] / "datasets" / "email_cleaning"


def test_every_dataset_email_is_cleaned_without_raising_and_never_to_nothing() -> None:
    for path in sorted(DATASET.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            case = json.loads(line)
            assert clean_text(case["text"]).text.strip(), case["id"]


def test_tuned_dataset_cases_stay_exact() -> None:
    """The cases the rules were written against; the held-out file is left to the bench."""
    misses = []
    for name in ("parley.jsonl", "peers.jsonl"):
        for line in (DATASET / name).read_text(encoding="utf-8").splitlines():
            case = json.loads(line)
            got = " ".join(clean_text(case["text"]).text.split())
            if got != " ".join(case["expected"].split()):
                misses.append(case["id"])
    assert misses == []
