"""The non-raising address checks give exactly what `normalize_address` gave when it raised."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from maysend.errors import InvalidAddress
from maysend.ledger import check_address, check_addresses, normalize_address
from maysend.ledger.address import in_canonical_form

from .address_reference import reference_normalize

Outcome = tuple[str | None, str | None, object]

ATEXT = "abcXYZ019!#$%&'*+/=?^_`{|}~-"
ODD = ' \t."@\\,;:()<>[]\x00\x7f\n\r\x0b\x0c\x85\xa0\u2003\u3000\u200b'
UNICODE = "éßüÅ\u0308\u0301ıİ\ufb01Ωø日本語中文한국어ًا\U0001f600ａＢ０．＠"
IDN = [
    "bücher.example",
    "BÜCHER.example",
    "xn--bcher-kva.example",
    "XN--BCHER-KVA.example",
    "日本語.jp",
    "faß.de",
    "ﬁ.example",
    "例え．テスト",
    "example。com",
    "xn--.example",
    "xn--zz.example",
    "a" * 64 + ".example",
    "é" * 70 + ".example",
    "-x.example",
    "x-.example",
    "example.123",
    "example.com.",
    "example.com..",
    "[192.0.2.1]",
    "[IPv6:2001:db8::1]",
    "localhost",
    "",
    ".",
]
LOCALS = [
    "ann",
    "Ann.Lee+tag",
    '"john doe"',
    '"a\x01b"',
    '"',
    '""',
    '"a"b"',
    ".ann",
    "ann.",
    "a..b",
    "a b",
    "a@b",
    "zoë",
    "zoe\u0308",
    "x" * 64,
    "x" * 65,
    "é" * 32,
    "é" * 33,
    "\U0001f600" * 16,
    "\U0001f600" * 17,
]

text = st.text(alphabet=st.sampled_from(ATEXT + ODD + UNICODE + ".@"), max_size=60)
structured = st.builds(
    lambda pad1, local, domain, pad2: f"{pad1}{local}@{domain}{pad2}",
    st.sampled_from(["", " ", "\t", "\n", "\u3000", "\u200b", "\ufeff"]),
    st.one_of(st.sampled_from(LOCALS), st.text(alphabet=ATEXT + '."é ', max_size=70)),
    st.one_of(
        st.sampled_from(IDN),
        st.lists(st.text(alphabet="abcXYZ09-éü", max_size=66), min_size=1, max_size=5).map(
            ".".join
        ),
    ),
    st.sampled_from(["", " ", "\t", "\r\n", "\xa0", "."]),
)
long_values = st.builds(
    lambda local, label, count: f"{local}@{'.'.join([label] * count)}.example",
    st.sampled_from(["a", "x" * 64, "é" * 32, '"' + "q " * 31 + '"']),
    st.sampled_from(["b" * 63, "ü" * 20, "c"]),
    st.integers(min_value=1, max_value=6),
)
values = st.one_of(st.text(max_size=80), text, structured, long_values)


def reference(raw: str) -> Outcome:
    try:
        return reference_normalize(raw), None, None
    except InvalidAddress as exc:
        return None, exc.message, exc.context.get("value")
    except UnicodeError as exc:  # a lone surrogate: not an InvalidAddress either way
        return None, None, type(exc)


def raised(raw: str) -> Outcome:
    try:
        return normalize_address(raw), None, None
    except InvalidAddress as exc:
        return None, exc.message, exc.context.get("value")
    except UnicodeError as exc:
        return None, None, type(exc)


@settings(max_examples=1500, deadline=None)
@given(values)
@example("x" * 300 + "@example.com")
@example("a@" + ".".join(["b" * 63] * 4) + ".example")
@example("  Ann@Bücher.EXAMPLE.\t")
@example('"john doe"@example.com')
@example("ann@xn--bcher-kva.example")
def test_normalize_address_raises_as_before(raw: str) -> None:
    assert raised(raw) == reference(raw)


@settings(max_examples=1500, deadline=None)
@given(values)
def test_check_address_gives_the_address_or_the_reason_raised(raw: str) -> None:
    address, reason, _ = reference(raw)
    if address is None and reason is None:
        return  # the reference fails with something other than InvalidAddress
    assert check_address(raw) == (address, reason)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), values), max_size=30))
def test_check_addresses_is_check_address_of_each(batch: list[str | None]) -> None:
    expected = [check_address(v) for v in batch]
    addresses, reasons = check_addresses(batch)
    assert list(zip(addresses, reasons, strict=True)) == expected


near_canonical = st.builds(
    lambda local, labels, total: f"{local}@{'.'.join(labels)}"[:total],
    st.one_of(
        st.text(alphabet=ATEXT + ".", max_size=66),
        st.lists(st.text(alphabet=ATEXT, min_size=1, max_size=30), min_size=1, max_size=3).map(
            ".".join
        ),
    ),
    st.one_of(
        st.lists(st.text(alphabet="az09-A.", max_size=64), max_size=5),
        st.lists(st.text(alphabet="az09-", min_size=1, max_size=64), min_size=2, max_size=5),
    ),
    st.integers(min_value=200, max_value=300),
)


@settings(max_examples=3000, deadline=None)
@given(st.one_of(near_canonical, long_values))
@example("x" * 64 + "@a.de")
@example("x" * 65 + "@a.de")
@example("a@1.2x")
@example("a@example.123")
@example("a@xn--zz.example")
@example("a@xn--.example")
@example("a@" + ".".join(["b" * 63] * 3) + "." + "c" * 62)
@example("a@" + ".".join(["b" * 63] * 3) + "." + "c" * 63)
def test_canonical_form_shortcut_is_what_the_checks_return_unchanged(raw: str) -> None:
    """An address the quick test passes is one the part-by-part checks give back as it is."""
    if in_canonical_form(raw):
        assert reference(raw) == (raw, None, None)
    assert raised(raw) == reference(raw)
    assert check_address(raw) == reference(raw)[:2]


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000\n"])
def test_missing_and_blank_values_are_empty(raw: str | None) -> None:
    assert check_address(raw) == (None, "address is empty")
