"""Address normalisation and subject keys (shared with the campaign gate)."""

from __future__ import annotations

import hmac

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maysend.errors import InvalidAddress
from maysend.ledger import normalize_address, subject_key
from maysend.ledger.address import keyed

NORMALISED = [
    ("  Ann@Example.COM ", "Ann@example.com"),
    ("first.last+tag@example.org", "first.last+tag@example.org"),
    ("j.doe@EXAMPLE.net.", "j.doe@example.net"),
    ("user@bücher.example", "user@xn--bcher-kva.example"),
    ("user@XN--BCHER-KVA.example", "user@xn--bcher-kva.example"),
    ("u\u0308ser@example.com", "\u00fcser@example.com"),  # NFC
    ('"john doe"@example.com', '"john doe"@example.com'),
]

INVALID = [
    ("", "empty"),
    ("no-at-sign", "no '@'"),
    ("@example.com", "nothing before"),
    ("user@localhost", "no dot"),
    ("user@[192.0.2.1]", "literals"),
    ("us er@example.com", "needs quoting"),
    (".user@example.com", "misplaced dot"),
    ("a..b@example.com", "misplaced dot"),
    ("user@-bad-.example", "invalid label"),
    ("user@example.123", "ends in a number"),
    ("x" * 65 + "@example.com", "local part longer"),
]


@pytest.mark.parametrize(("raw", "expected"), NORMALISED, ids=[n[1] for n in NORMALISED])
def test_normalize(raw: str, expected: str) -> None:
    assert normalize_address(raw) == expected


@pytest.mark.parametrize(("raw", "reason"), INVALID, ids=[i[1] for i in INVALID])
def test_invalid_addresses_say_why(raw: str, reason: str) -> None:
    with pytest.raises(InvalidAddress, match=reason) as caught:
        normalize_address(raw)
    assert caught.value.field == "address"


def test_no_provider_specific_rewriting() -> None:
    assert normalize_address("j.o.e@gmail.example") != normalize_address("joe@gmail.example")


def test_subject_key_is_keyed_and_stable() -> None:
    a = subject_key(" Ann@EXAMPLE.com", "secret-1")
    assert a == subject_key("Ann@example.com", "secret-1")
    assert a != subject_key("Ann@example.com", "secret-2")
    assert len(a) == 64
    assert "ann" not in a.lower()


@settings(max_examples=200, deadline=None)
@given(st.emails())
def test_normalisation_is_idempotent(address: str) -> None:
    try:
        once = normalize_address(address)
    except InvalidAddress:
        return
    assert normalize_address(once) == once


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_text_is_normalised_or_refused(text: str) -> None:
    try:
        result = normalize_address(text)
    except InvalidAddress:
        return
    assert "@" in result
    assert result == result.strip()


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=200), st.text(max_size=300))
def test_keyed_is_hmac_sha256(secret: str, normalized: str) -> None:
    expected = hmac.digest(secret.encode(), normalized.encode(), "sha256").hex()
    assert keyed(normalized, secret) == expected
