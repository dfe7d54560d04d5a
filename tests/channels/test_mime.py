"""parse_email on the ugly cases, and build_email's threading round trip."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from channels.base import OutboundMessage
from channels.mime import TRUNCATED_BODY_CHARS, build_email, html_to_text, parse_email

HEAD = (
    b"From: Dana Whitfield <Dana.Whitfield@Example.COM>\r\n"
    b"To: Collections <collections@acme.test>\r\n"
    b"Subject: Re: Your account A-100\r\n"
    b"Message-ID: <reply-1@example.com>\r\n"
    b"Date: Tue, 03 Mar 2026 10:00:00 -0500\r\n"
)


def test_plain_message_is_normalised() -> None:
    raw = HEAD + b"Content-Type: text/plain; charset=utf-8\r\n\r\nI can pay $250 \xe2\x82\xac.\r\n"
    message = parse_email(raw)
    assert message.channel == "email"
    assert message.sender == "dana.whitfield@example.com"
    assert message.sender_name == "Dana Whitfield"
    assert message.recipient == "collections@acme.test"
    assert message.subject == "Re: Your account A-100"
    assert message.body == "I can pay $250 €."
    assert message.external_id == "<reply-1@example.com>"
    assert message.received_at == datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
    assert message.problems == ()
    assert message.raw == raw


def test_server_receive_time_wins_over_date_header() -> None:
    internal = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)
    message = parse_email(HEAD + b"\r\nhello\r\n", received_at=internal)
    assert message.received_at == internal


def test_unparsable_date_falls_back_to_now() -> None:
    before = datetime.now(UTC)
    message = parse_email(b"From: a@example.com\r\nDate: someday soon\r\n\r\nhi\r\n")
    assert before <= message.received_at <= datetime.now(UTC)


def test_unknown_charset_decodes_and_is_reported() -> None:
    raw = HEAD + b"Content-Type: text/plain; charset=x-unknown\r\n\r\nJe paierai le 15 ao\xfbt.\r\n"
    message = parse_email(raw)
    assert message.body == "Je paierai le 15 août."
    assert "unknown_charset:x-unknown" in message.problems


def test_unknown_charset_holding_utf8_decodes_as_utf8() -> None:
    raw = HEAD + b"Content-Type: text/plain; charset=x-foo\r\n\r\nna\xc3\xafve \xf0\x9f\x99\x82\r\n"
    message = parse_email(raw)
    assert message.body == "naïve 🙂"
    assert message.problems == ("unknown_charset:x-foo",)


def test_bytes_to_bytes_codec_name_is_treated_as_unknown() -> None:
    raw = HEAD + b"Content-Type: text/plain; charset=zlib\r\n\r\nplain words\r\n"
    message = parse_email(raw)
    assert message.body == "plain words"
    assert "unknown_charset:zlib" in message.problems


def test_missing_boundary_recovers_text_and_reports_malformed() -> None:
    raw = HEAD + b"Content-Type: multipart/mixed\r\n\r\nPlease stop calling me at work.\r\n"
    message = parse_email(raw)
    assert "Please stop calling me at work." in message.body
    assert "malformed_mime" in message.problems


def test_broken_headers_never_raise() -> None:
    raw = (
        b"From: =?utf-8?q?broken <<<@@>\r\n"
        b" continuation without header\r\n"
        b"Subject: =?x-nope?B?!!!?=\r\n"
        b"Message-ID: not an id at all\r\n"
        b"References: <a@b> garbage <c@d\r\n"
        b"\r\nbody survives\r\n"
    )
    message = parse_email(raw)
    assert "body survives" in message.body
    assert message.references == ("<a@b>",)
    assert message.external_id.endswith("@parley.invalid>")


def test_header_only_garbage_still_yields_a_message() -> None:
    message = parse_email(b"\x00\xff\xfe not mail")
    assert "not mail" in message.body
    assert "\x00" not in message.body
    assert "malformed_mime" in message.problems


def test_empty_body_is_reported() -> None:
    message = parse_email(HEAD + b"Content-Type: text/plain\r\n\r\n   \r\n")
    assert message.body == ""
    assert "empty_body" in message.problems
    assert parse_email(b"").problems.count("empty_body") == 1


def test_html_only_mail_becomes_text() -> None:
    html = (
        b"<html><head><style>p {color: red}</style><title>t</title></head><body>"
        b"<p>I lost my job.</p><p>Can I pay <b>$50</b>&nbsp;a month?</p>"
        b"<ul><li>one</li><li>two</li></ul><script>alert(1)</script></body></html>"
    )
    message = parse_email(HEAD + b"Content-Type: text/html; charset=utf-8\r\n\r\n" + html)
    assert "html_only" in message.problems
    assert "I lost my job." in message.body
    assert "Can I pay $50 a month?" in message.body
    assert "- one" in message.body
    assert "alert" not in message.body and "color" not in message.body
    assert "<" not in message.body


def test_plain_part_is_preferred_over_html() -> None:
    email = EmailMessage()
    email["From"] = "dana@example.com"
    email.set_content("plain version")
    email.add_alternative("<p>html version</p>", subtype="html")
    message = parse_email(email.as_bytes())
    assert message.body == "plain version"
    assert "html_only" not in message.problems


def test_quoted_history_is_kept_for_nlp() -> None:
    raw = HEAD + b"\r\nYes, agreed.\r\n\r\nOn Monday Acme wrote:\r\n> Can you pay?\r\n"
    assert "> Can you pay?" in parse_email(raw).body


def _with_attachment(size: int) -> bytes:
    email = EmailMessage()
    email["From"] = "dana@example.com"
    email["Message-ID"] = "<att@example.com>"
    email.set_content("See the attached receipt.")
    email.add_attachment(
        b"%PDF-" + b"\x00" * (size - 5), maintype="application", subtype="pdf",
        filename="receipt.pdf",
    )
    forwarded = EmailMessage()
    forwarded["Subject"] = "old letter"
    forwarded.set_content("forwarded text")
    email.add_attachment(forwarded)
    return email.as_bytes()


def test_attachments_are_listed_not_inlined() -> None:
    message = parse_email(_with_attachment(1234))
    assert message.body == "See the attached receipt."
    pdf, eml = message.attachments
    assert (pdf.filename, pdf.content_type, pdf.size) == ("receipt.pdf", "application/pdf", 1234)
    assert eml.content_type == "message/rfc822"
    assert "forwarded text" not in message.body
    assert message.problems == ()


def test_attachment_over_the_cap_is_reported() -> None:
    message = parse_email(_with_attachment(2000), max_attachment_bytes=1000)
    assert "attachment_too_large:receipt.pdf" in message.problems
    assert message.attachments[0].size == 2000


def test_twenty_megabyte_message_with_attachment_is_listed() -> None:
    raw = _with_attachment(15_000_000)  # base64 makes it about 20 MB on the wire
    assert len(raw) > 20_000_000
    started = time.monotonic()
    message = parse_email(raw, max_bytes=25_000_000)
    assert time.monotonic() - started < 60  # generous: a loaded 2-core machine
    assert message.attachments[0].size == 15_000_000
    assert message.body == "See the attached receipt."
    assert "too_large" not in message.problems


def test_message_over_the_default_cap_keeps_its_text_and_says_too_large() -> None:
    raw = _with_attachment(15_000_000)
    message = parse_email(raw)
    assert "too_large" in message.problems
    assert "See the attached receipt." in message.body
    assert len(message.raw) <= 10_000_000


def test_twenty_megabyte_message_over_the_limit_is_cut() -> None:
    line = b"I will pay next week, I promise. " * 2 + b"\r\n"
    raw = HEAD + b"Content-Type: text/plain\r\n\r\n" + line * (20_000_000 // len(line))
    assert len(raw) > 19_000_000
    message = parse_email(raw, max_bytes=5_000_000)
    assert "too_large" in message.problems
    assert len(message.raw) == 5_000_000
    assert message.body.startswith("I will pay next week")
    assert len(message.body) < TRUNCATED_BODY_CHARS + 200
    assert "truncated" in message.body
    assert message.external_id == "<reply-1@example.com>"


def test_base64_body_with_bad_padding() -> None:
    body = base64.b64encode(b"Ich zahle morgen.").rstrip(b"=")[:-1]
    raw = HEAD + b"Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n" + body
    message = parse_email(raw)
    assert message.body.startswith("Ich zahle")
    assert "malformed_mime" in message.problems


def test_missing_message_id_gets_a_stable_synthetic_id() -> None:
    raw = b"From: dana@example.com\r\nSubject: hi\r\n\r\nhello\r\n"
    first, second = parse_email(raw), parse_email(raw)
    assert first.external_id == second.external_id
    assert first.external_id.startswith("<") and first.external_id.endswith("@parley.invalid>")
    assert parse_email(raw + b"!").external_id != first.external_id


def test_threading_headers_are_parsed_with_brackets() -> None:
    raw = HEAD + (
        b"In-Reply-To: <parley-2@acme.test>\r\n"
        b"References: <parley-1@acme.test>\r\n <parley-2@acme.test>\r\n\r\nok\r\n"
    )
    message = parse_email(raw)
    assert message.in_reply_to == "<parley-2@acme.test>"
    assert message.references == ("<parley-1@acme.test>", "<parley-2@acme.test>")


def test_build_email_threads_under_the_debtor_message() -> None:
    inbound = parse_email(
        HEAD + b"References: <parley-1@acme.test>\r\nIn-Reply-To: <parley-1@acme.test>\r\n"
        b"\r\nCan I pay in two parts?\r\n"
    )
    outbound = OutboundMessage(
        channel="email",
        to=inbound.sender,
        subject=inbound.subject,
        body="Yes: two payments of $625.",
        html_body="<p>Yes: two payments of $625.</p>",
        in_reply_to=inbound.external_id,
        references=inbound.references,
    )
    email = build_email(outbound, from_address="collections@acme.test", reply_to="help@acme.test")
    round_trip = parse_email(email.as_bytes())
    assert round_trip.in_reply_to == "<reply-1@example.com>"
    assert round_trip.references == ("<parley-1@acme.test>", "<reply-1@example.com>")
    assert round_trip.subject == "Re: Your account A-100"  # not "Re: Re:"
    assert round_trip.body == "Yes: two payments of $625."
    assert round_trip.sender == "collections@acme.test"
    assert round_trip.external_id.endswith("@acme.test>")
    parsed = BytesParser(policy=policy.default).parsebytes(email.as_bytes())
    assert parsed["Reply-To"] == "help@acme.test"
    assert parsed["Date"] is not None


def test_build_email_adds_re_once_and_only_for_replies() -> None:
    def subject(text: str, in_reply_to: str | None) -> str:
        message = OutboundMessage(
            channel="email", to="d@example.com", body="x", subject=text, in_reply_to=in_reply_to
        )
        return str(build_email(message, from_address="c@acme.test", reply_to=None)["Subject"])

    assert subject("Your account", "<a@b>") == "Re: Your account"
    assert subject("RE: Your account", "<a@b>") == "RE: Your account"
    assert subject("Your account", None) == "Your account"


def test_html_to_text_handles_broken_markup() -> None:
    assert html_to_text("<p>unclosed <b>bold<div>next") == "unclosed bold\nnext"
