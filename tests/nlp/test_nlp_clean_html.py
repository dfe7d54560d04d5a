"""Quoted history, signatures and footers are folded away; HTML becomes readable text."""

from __future__ import annotations

from nlp.clean import TEXT_CAP, clean_text
from nlp.html import html_to_text

GMAIL = """I'll pay $50 on Friday.

On Mon, 2 Mar 2026 at 09:00, Parley Collections <collections@example.com> wrote:
> Your balance is $400. Reply STOP to opt out.
> You may dispute this debt.
"""

GMAIL_WRAPPED = """Thanks, paying tomorrow.

On Mon, Mar 2, 2026 at 9:00 AM Parley Collections <collections@example.com>
wrote:

> Your balance is $400.
"""

OUTLOOK = """Please call me after 5pm.

________________________________
From: Parley Collections <collections@example.com>
Sent: Monday, March 2, 2026 9:00 AM
To: Dana Smith <dana@example.org>
Subject: Your account

Your balance is $400. Reply STOP to opt out.
"""

OUTLOOK_ORIGINAL = """I already paid this.

-----Original Message-----
From: Parley Collections
Sent: 02 March 2026 09:00
Subject: Reminder

You can dispute this debt in writing.
"""

APPLE = """Can I do 50 a month?

Sent from my iPhone

> On 2 Mar 2026, at 09:00, Parley Collections <collections@example.com> wrote:
>
> Your balance is $400.
"""

BOTTOM_POSTED = """On Mon, 2 Mar 2026 at 09:00, Parley wrote:
> Your balance is $400.

I will pay next week.
"""


def test_gmail_quote_is_removed() -> None:
    cleaned = clean_text(GMAIL)
    assert cleaned.text == "I'll pay $50 on Friday."
    assert [r.kind for r in cleaned.removed] == ["quote"]
    assert "Reply STOP" in cleaned.removed[0].text


def test_gmail_header_wrapped_over_two_lines() -> None:
    assert clean_text(GMAIL_WRAPPED).text == "Thanks, paying tomorrow."


def test_outlook_block_is_removed() -> None:
    assert clean_text(OUTLOOK).text == "Please call me after 5pm."
    assert clean_text(OUTLOOK_ORIGINAL).text == "I already paid this."


def test_apple_mail_quote_and_sent_from_are_removed() -> None:
    cleaned = clean_text(APPLE)
    assert cleaned.text == "Can I do 50 a month?"
    kinds = {r.kind for r in cleaned.removed}
    assert kinds == {"quote", "signature"}


def test_bottom_posted_reply_is_kept() -> None:
    assert clean_text(BOTTOM_POSTED).text == "I will pay next week."


def test_signature_after_dash_dash_and_sign_off_are_removed() -> None:
    cleaned = clean_text("I'll pay Friday.\n\n-- \nDana Smith\nAcme Ltd\n+1 555 201 3344")
    assert cleaned.text == "I'll pay Friday."
    sign_off = clean_text("I'll pay Friday.\n\nKind regards,\nDana Smith\nAccounts Manager")
    assert sign_off.text == "I'll pay Friday."


def test_disclaimer_is_removed() -> None:
    body = (
        "Please send me an itemised statement.\n\n"
        "This email and any attachments are confidential and intended solely for the "
        "addressee. If you have received this email in error please notify the sender."
    )
    cleaned = clean_text(body)
    assert cleaned.text == "Please send me an itemised statement."
    assert cleaned.removed[0].kind == "disclaimer"


def test_everything_quoted_keeps_the_original() -> None:
    body = "> I will pay Friday\n> thanks"
    assert clean_text(body).text == body


def test_thanks_alone_is_not_stripped_to_nothing() -> None:
    assert clean_text("Thanks").text == "Thanks"


def test_huge_body_is_capped() -> None:
    cleaned = clean_text("I will pay. " * 2_000_000)
    assert cleaned.truncated
    assert len(cleaned.text) <= TEXT_CAP


def test_control_characters_are_dropped() -> None:
    assert clean_text("I\x00 will\x07 pay").text == "I will pay"


def test_html_to_text_keeps_words_and_lines() -> None:
    html = (
        "<html><head><title>t</title><style>p {color: red}</style></head><body>"
        "<p>Hi &amp; hello,</p><p>I&#39;ll pay <b>$50</b> on Friday.<br>Pay here: "
        "<a href='https://x.example'>my link</a></p><script>alert('x')</script>"
        "<div>Thanks</div></body></html>"
    )
    text = html_to_text(html)
    assert text.splitlines() == [
        "Hi & hello,",
        "",
        "I'll pay $50 on Friday.",
        "Pay here: my link",
        "",
        "Thanks",
    ]
    assert "alert" not in text and "color" not in text


def test_html_blockquote_is_marked_as_quote_and_cleaned() -> None:
    html = (
        "<div>Stop contacting me.</div><div>On Mon, Parley wrote:</div>"
        "<blockquote><p>You owe $400.</p></blockquote>"
    )
    text = html_to_text(html)
    assert "> You owe $400." in text
    assert clean_text(text).text == "Stop contacting me."


def test_malformed_html_does_not_raise() -> None:
    assert html_to_text("<p>I will <b>pay</p></div><!").startswith("I will pay")
    assert html_to_text("") == ""
