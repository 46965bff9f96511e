"""Charset decoding: every label a sender writes, right or wrong, comes back as text."""

from __future__ import annotations

import pytest

from maysend.message.charsets import codec_name, decode_text

CASES = [
    ("Grüße".encode(), "utf-8", "Grüße", [], "utf-8"),
    ("Grüße".encode(), "UTF8", "Grüße", [], "utf-8-alias"),
    ("Grüße".encode("latin-1"), "iso-8859-1", "Grüße", [], "latin-1"),
    (b"\x93quoted\x94 \x80", "iso-8859-1", "“quoted” €", [], "latin-1-read-as-windows-1252"),
    (
        b"\x93quoted\x94 \x80 \x81",
        "windows-1252",
        "“quoted” € \x81",
        [],
        "windows-1252-undefined-byte",
    ),
    ("€ Œ".encode("iso-8859-15"), "iso-8859-15", "€ Œ", [], "iso-8859-15"),
    (b"plain", None, "plain", [], "undeclared-ascii"),
    ("Grüße".encode(), None, "Grüße", [], "undeclared-utf-8"),
    (
        b"Caf\xe9",
        None,
        "Café",
        ["no charset declared, decoded as windows-1252"],
        "undeclared-windows-1252",
    ),
    (
        b"Caf\xe9",
        "utf-8",
        "Café",
        ["charset mislabelled: declared utf-8, decoded as windows-1252"],
        "declared-utf-8-is-not",
    ),
    (
        "Grüße".encode(),
        "us-ascii",
        "Grüße",
        ["charset mislabelled: declared us-ascii, decoded as utf-8"],
        "declared-ascii-is-utf-8",
    ),
    (
        b"Caf\xe9",
        "us-ascii",
        "Café",
        ["charset mislabelled: declared us-ascii, decoded as windows-1252"],
        "declared-ascii-is-windows-1252",
    ),
    (
        "Grüße".encode(),
        "iso-2022-jp",
        "Grüße",
        ["charset mislabelled: declared iso-2022-jp, decoded as utf-8"],
        "declared-other-is-utf-8",
    ),
    (b"ok", "x-unknown", "ok", ["unknown charset 'x-unknown', decoded as utf-8"], "unknown"),
    (
        b"Caf\xe9",
        "x-unknown",
        "Café",
        ["unknown charset 'x-unknown', decoded as windows-1252"],
        "unknown-and-not-utf-8",
    ),
    (b"aGk=", "base64", "aGk=", ["unknown charset 'base64', decoded as utf-8"], "binary-codec"),
    (b"a.b", "idna", "a.b", ["unknown charset 'idna', decoded as utf-8"], "idna-is-not-a-charset"),
    ("Grüße".encode("utf-16"), "utf-16", "Grüße", [], "utf-16"),
]


@pytest.mark.parametrize(
    ("data", "label", "text", "defects"),
    [pytest.param(*row[:4], id=row[4]) for row in CASES],
)
def test_decode(data: bytes, label: str | None, text: str, defects: list[str]) -> None:
    assert decode_text(data, label) == (text, defects)


@pytest.mark.parametrize(
    ("label", "name"),
    [("UTF-8", "utf-8"), (' "latin1" ', "iso8859-1"), ("cp1252", "cp1252"), ("rot13", None)],
)
def test_codec_name(label: str, name: str | None) -> None:
    assert codec_name(label) == name
