"""Web addresses written out in text are one token: the words of their paths are not the
message's words ("/win-mac-2.zip" asks nobody to win, "/free-returns" offers nothing)."""

from __future__ import annotations

import pytest

from maysend.classify import Classifier, Kind
from maysend.classify.matching import _is_label
from maysend.classify.text import WEB_ADDRESS, normalise, span_of, tokens

from .conftest import fired, from_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Download: https://get.example/pro7/win-mac-2.zip",
            ["Download", "https://get.example/pro7/win-mac-2.zip"],
        ),
        ("See www.shop.example/sale.", ["See", "www.shop.example/sale"]),
        ("(https://x.example/a?b=1), then", ["https://x.example/a?b=1", "then"]),
        ("HTTPS://X.EXAMPLE/Free", ["HTTPS://X.EXAMPLE/Free"]),
        ("https alone is a word", ["https", "alone", "is", "a", "word"]),
    ],
)
def test_a_web_address_is_one_token(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


def test_every_web_address_reads_as_one_word() -> None:
    assert {normalise(t) for t in tokens("https://a.example/x www.b.example")} == {WEB_ADDRESS}
    assert normalise("https") == "https"


def test_quotes_still_cover_the_address() -> None:
    text = "Track it: https://shop.example/track/48213 today"
    assert span_of(text, 2, 3) == "https://shop.example/track/48213 today"


@pytest.mark.parametrize(
    "line",
    [
        "Download the installer: https://download.example/pro7/win-mac-2.zip",
        "Returns: https://shop.example/help/free-returns-policy",
        "Your receipt: https://shop.example/orders/48213?utm_campaign=summer-sale-20-off",
    ],
)
def test_words_in_a_path_are_not_evidence(classifier: Classifier, line: str) -> None:
    verdict = classifier.classify(
        from_text("Your order 48213", "Hello Sam,", "Your order 48213 has shipped.", line)
    )
    assert verdict.kind is Kind.SERVICE, fired(verdict)


def test_the_text_around_an_address_still_counts(classifier: Classifier) -> None:
    verdict = classifier.classify(
        from_text(
            "Your order 48213",
            "Your order 48213 has shipped.",
            "Get 20% off your next order: https://shop.example/next",
        )
    )
    assert verdict.kind is Kind.MARKETING
    assert "OFFER_DISCOUNT" in fired(verdict)


def test_a_line_that_is_only_an_address_is_not_a_row_label(classifier: Classifier) -> None:
    """A short line without a sentence end is read with the block after it as a table row
    ("Rate" | "Flash Sale"); a bare address is not such a label."""
    reading = classifier.read(
        from_text("Your order 48213", "Track it:", "https://shop.example/t/1", "Thanks, Sam")
    )
    address = next(i for i, s in enumerate(reading.segments.items) if "://" in s.text)
    assert not _is_label(reading.segments.items, list(reading.tokens), address)
