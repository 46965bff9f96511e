"""Arbitrary and mutated bytes: parse_bytes returns a Message or raises a MessageError.

Nothing else may escape (no UnicodeError, RecursionError, IndexError ...), and a
returned Message is well formed: numbered blocks with visible text only.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maysend.errors import MessageError
from maysend.message import Message, parse_bytes
from maysend.message.model import BlockKind, LinkKind, Region

CORPUS = sorted((Path(__file__).resolve().parents[1] / "corpus").glob("*.eml"))
SEEDS = [path.read_bytes() for path in CORPUS]
FUZZ = settings(
    max_examples=150,
    deadline=2000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _unseen(char: str) -> bool:
    """Controls (NUL markers included), surrogates and zero-width padding never reach blocks."""
    return unicodedata.category(char) in {"Cc", "Cs"} or char in "\u200b\u200c\u200d\u2060\ufeff"


def _well_formed(message: Message) -> None:
    assert [b.index for b in message.blocks] == list(range(len(message.blocks)))
    for block in message.blocks:
        assert block.text
        assert block.text == block.text.strip()
        assert not any(_unseen(char) for char in block.text), block.text
        assert isinstance(block.kind, BlockKind)
        assert isinstance(block.region, Region)
    assert all(isinstance(link.kind, LinkKind) for link in message.links)
    assert all(isinstance(defect, str) and defect for defect in message.defects)
    message.headers.subject.encode("utf-8")  # no lone surrogates leak out


def _parse(data: bytes) -> None:
    try:
        message = parse_bytes(data)
    except MessageError:
        return
    _well_formed(message)


@FUZZ
@given(st.binary(max_size=4096))
def test_arbitrary_bytes(data: bytes) -> None:
    _parse(data)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A corpus message with bytes flipped, cut short, or with junk inserted."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        action = draw(st.sampled_from(["flip", "truncate", "insert", "delete"]))
        where = draw(st.integers(0, max(len(data) - 1, 0)))
        if action == "flip" and data:
            data[where] = draw(st.integers(0, 255))
        elif action == "truncate":
            del data[where:]
        elif action == "insert":
            junk = draw(
                st.one_of(
                    st.binary(min_size=1, max_size=64),
                    st.sampled_from(
                        [b"\r\n\r\n", b"--", b"<div>" * 50, b"=?utf-8?b?", b"\x00", b"=\n", b"<"]
                    ),
                )
            )
            data[where:where] = junk
        elif data:
            del data[where : where + draw(st.integers(1, 64))]
    return bytes(data)


@FUZZ
@given(mutated())
def test_mutated_corpus_messages(data: bytes) -> None:
    _parse(data)


@FUZZ
@given(st.text(max_size=2000))
def test_arbitrary_html_body(text: str) -> None:
    head = b"From: a@example.com\nContent-Type: text/html; charset=utf-8\n\n"
    _parse(head + text.encode("utf-8", "surrogatepass"))


_HEADER_TOKENS = st.sampled_from(
    [
        *['"', "<", ">", "@", ",", ";", ":", "(", ")", "\\", "=?utf-8?q?", "=?iso-8859-1?b?"],
        *["?=", "a", "ä", " ", "\t", "example.com", "x=y", "boundary=", "charset=", "*0*="],
        *["utf-8''", "%", "\udcff", "text/html", "multipart/mixed", "message/rfc822", "\r\n "],
        *["[", "]"],
    ]
)
_HEADER_NAMES = st.sampled_from(
    [
        *["From", "To", "Reply-To", "Subject", "Date", "Message-ID", "List-Unsubscribe"],
        *["Content-Type", "Content-Disposition", "Content-Transfer-Encoding", "MIME-Version"],
    ]
)


@FUZZ
@given(
    st.lists(st.tuples(_HEADER_NAMES, st.lists(_HEADER_TOKENS, max_size=40)), max_size=10),
    st.binary(max_size=300),
)
def test_junk_headers(headers: list[tuple[str, list[str]]], body: bytes) -> None:
    lines = "".join(f"{name}: {''.join(value)}\n" for name, value in headers)
    _parse(lines.encode("utf-8", "surrogateescape") + b"\n" + body)
