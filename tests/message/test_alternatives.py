"""The plain alternative beside an HTML body: read for what only it says, within the budget."""

from __future__ import annotations

from email.message import EmailMessage

from maysend.message import Region, parse_bytes
from maysend.settings import MessageSettings

PARAGRAPHS = [f"Paragraph {n} of the notice about your account statement." for n in range(8)]


def _alternative(plain: list[str], html: list[str]) -> bytes:
    mail = EmailMessage()
    mail["From"] = "bank@example.net"
    mail["To"] = "reader@example.org"
    mail["Subject"] = "Your statement"
    mail.set_content("\n\n".join(plain))
    mail.add_alternative("".join(f"<p>{p}</p>" for p in html), subtype="html")
    return mail.as_bytes()


def _budget(html: list[str]) -> MessageSettings:
    """A text budget the HTML body just fits."""
    return MessageSettings(max_text_chars=sum(len(p) for p in html) + 10)


def test_a_mirror_of_a_body_that_fills_the_budget_is_not_text_cut_off() -> None:
    message = parse_bytes(_alternative(PARAGRAPHS, PARAGRAPHS), settings=_budget(PARAGRAPHS))
    assert [b.text for b in message.blocks] == PARAGRAPHS
    assert not any("truncated" in d for d in message.defects)


def test_a_new_plain_paragraph_that_does_not_fit_is_reported_as_cut() -> None:
    plain = [*PARAGRAPHS, "Follow us on Instagram for first looks at new arrivals."]
    message = parse_bytes(_alternative(plain, PARAGRAPHS), settings=_budget(PARAGRAPHS))
    assert [b.text for b in message.blocks] == PARAGRAPHS
    assert any("truncated" in d for d in message.defects)


def test_a_new_plain_paragraph_that_fits_follows_the_html_body() -> None:
    plain = [*PARAGRAPHS, "Follow us on Instagram for first looks at new arrivals."]
    message = parse_bytes(_alternative(plain, PARAGRAPHS))
    assert message.blocks[-1].text == plain[-1]
    assert message.blocks[-1].region is Region.BODY
    assert [b.text for b in message.blocks[:-1]] == PARAGRAPHS
