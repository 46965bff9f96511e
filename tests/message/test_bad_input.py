"""Bad input: clear errors where nothing can be read, defects where something can.

Big and hostile inputs are generated here, never committed. The tests check what
comes back, not how long it took; a regression to quadratic time shows up as a
suite that no longer finishes.
"""

from __future__ import annotations

import pytest

from maysend.errors import MessageError, MessageTooLarge, UnreadableMessage
from maysend.message import Message, Region, parse_bytes, parse_template
from maysend.settings import MessageSettings

HEAD = b"From: a@example.com\nSubject: test\n"


def html_message(html: str) -> bytes:
    return HEAD + b"Content-Type: text/html; charset=utf-8\n\n" + html.encode("utf-8")


def test_too_large_names_size_and_limit() -> None:
    settings = MessageSettings(max_size=1000)
    with pytest.raises(MessageTooLarge) as caught:
        parse_bytes(HEAD + b"\n" + b"x" * 2000, settings=settings)
    assert caught.value.context["limit"] == 1000
    assert caught.value.context["size"] == len(HEAD) + 2001
    assert isinstance(caught.value, MessageError)


@pytest.mark.parametrize(
    "data",
    [b"", b"   \r\n\t\n", b"\x00\x01\x02\x03", b"\x00" * 50 + b"\n\n"],
    ids=["empty", "whitespace", "control-bytes", "nul-bytes"],
)
def test_nothing_readable_is_unreadable(data: bytes) -> None:
    with pytest.raises(UnreadableMessage) as caught:
        parse_bytes(data)
    assert "no headers" in str(caught.value)


def test_text_that_is_not_bytes_is_refused() -> None:
    with pytest.raises(UnreadableMessage, match="must be bytes"):
        parse_bytes("From: a@example.com\n\nhello")  # type: ignore[arg-type]


def test_headers_without_body_still_parse() -> None:
    message = parse_bytes(b"From: Ann <ann@example.com>\nSubject: just headers\n")
    assert message.subject == "just headers"
    assert message.blocks == ()


@pytest.mark.parametrize(
    "html",
    [
        "<div>" * 100_000 + "deep text" + "</div>" * 100_000,
        "<div>" * 100_000 + "deep text",
        "<div></span>" * 20_000 + "deep text",  # end tags that close nothing
        "<table><tr><td>" * 20_000 + "deep text",
        "<ul><li>" * 20_000 + "deep text",
    ],
    ids=["nested-divs", "unclosed-divs", "unmatched-end-tags", "nested-tables", "nested-lists"],
)
def test_deep_nesting_is_flattened(html: str) -> None:
    message = parse_bytes(html_message(html))
    assert "html truncated: nested deeper than 256 levels, flattened" in message.defects
    assert "deep text" in message.text


def test_millions_of_nodes_are_cut() -> None:
    message = parse_bytes(html_message("<b>x</b>" * 1_000_000))
    assert "html truncated: more than 200000 tags" in message.defects
    assert 0 < len(message.text) <= 200_000


def test_thousands_of_options_parse() -> None:
    # DOM mutation events made this quadratic in the HTML library; they are off.
    message = parse_bytes(html_message("<select>" + "<option>x</option>" * 20_000 + "</select>"))
    assert message.text.startswith("x")


def test_limits_follow_settings() -> None:
    settings = MessageSettings(max_html_depth=10, max_html_nodes=50, max_text_chars=20)
    message = parse_bytes(
        html_message("<div>" * 20 + "<p>one two three four five six seven</p>" * 30),
        settings=settings,
    )
    assert "html truncated: nested deeper than 10 levels, flattened" in message.defects
    assert "html truncated: more than 50 tags" in message.defects
    assert "text truncated at 20 characters" in message.defects


def test_plain_text_budget() -> None:
    data = HEAD + b"\n" + b"word " * 10_000 + b"\n\n" + b"more words\n" * 10
    message = parse_bytes(data, settings=MessageSettings(max_text_chars=100))
    assert "text truncated at 100 characters" in message.defects
    assert len(message.text) < 50_100


def _nested_multiparts(depth: int) -> bytes:
    out = HEAD
    for level in range(depth):
        out += b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (level, level)
    out += b"Content-Type: text/plain\n\ninnermost\n"
    for level in reversed(range(depth)):
        out += b"--b%d--\n" % level
    return out


def test_moderate_mime_nesting_is_read() -> None:
    assert parse_bytes(_nested_multiparts(50)).text == "innermost"


def test_mime_nesting_past_the_stack_keeps_the_headers() -> None:
    message = parse_bytes(_nested_multiparts(3000))
    assert message.subject == "test"
    assert "MIME nesting too deep: body not read" in message.defects


def test_attached_messages_nested_past_the_stack() -> None:
    data = b"From: a@example.com\nContent-Type: message/rfc822\n\n" * 3000 + b"\nbody\n"
    message = parse_bytes(data)
    assert message.headers.from_ is not None
    assert "MIME nesting too deep: body not read" in message.defects


def test_many_body_parts_are_capped() -> None:
    part = b"--z\nContent-Type: text/plain\n\nx\n"
    data = HEAD + b"Content-Type: multipart/mixed; boundary=z\n\n" + part * 500 + b"--z--\n"
    message = parse_bytes(data)
    assert len(message.blocks) == 100
    assert "more than 100 body parts: the rest not read" in message.defects


@pytest.mark.parametrize(
    ("header", "defect"),
    [
        (b"To: " + b", ".join(b"u%d@example.com" % i for i in range(5000)), "To: longer than"),
        (b"Subject: " + b"=?utf-8?q?a=C3=A4?= " * 5000, "Subject: longer than"),
        (
            b"Content-Type: text/plain; " + b"; ".join(b"p%d=v" % i for i in range(5000)),
            "Content-Type too long",
        ),
    ],
    ids=["many-recipients", "many-encoded-words", "many-parameters"],
)
def test_huge_headers_are_cut(header: bytes, defect: str) -> None:
    message = parse_bytes(b"From: a@example.com\n" + header + b"\n\nbody\n")
    assert any(found.startswith(defect) or defect in found for found in message.defects)
    assert message.text == "body"


def test_deeply_nested_header_comment() -> None:
    message = parse_bytes(
        b"From: a@example.com\nContent-Type: text/plain " + b"(" * 5000 + b"\n\nok\n"
    )
    assert message.text == "ok"


def test_markers_cannot_be_forged_by_the_input() -> None:
    html = "<p>a\x00Xhidden\x00]b</p><p>c\x1e\x1fd &#0; &#x1e; e</p>"
    message = parse_bytes(html_message(html))
    assert [b.text for b in message.blocks] == ["aXhidden]b", "c d \ufffd e"]


def test_template_with_lone_surrogates() -> None:
    message = parse_template("subject \udc80", html="<p>text \ud800 here</p>")
    assert message.subject == "subject"
    assert message.text == "text here"
    assert isinstance(message, Message)
    assert all(b.region is Region.BODY for b in message.blocks)
