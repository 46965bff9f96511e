"""Replies: text quoted from the customer's message is their words, not the sender's.

The model does not read quoted blocks ("> ..."), so a customer asking about a sale price
does not make the shop's answer promotional; the indicators still read them, so a
promotion dressed up as a quote is still found.
"""

from __future__ import annotations

from maysend.classify import Classifier, Kind
from maysend.classify.engine import is_quoted

from .conftest import fired, from_text

REPLY = (
    "Re: Sale price on my order 90217?",
    "Hello Pat,",
    "Thank you for your email. We have refunded the difference of £18.00 to the card you "
    "paid with; it should reach your account within five working days.",
    "Case reference: 55120",
    "> On 6 Jan 2026, Pat wrote:\n> I bought the Ashby lamp last week for £78 and now see it "
    "in your sale at £60. Can I get the sale price?",
)


def test_quoted_text_is_recognised() -> None:
    assert is_quoted("> On 6 Jan, Pat wrote:")
    assert is_quoted("   > nested quote")
    assert not is_quoted("Prices from £5 > the old ones")


def test_the_model_does_not_read_the_customers_quoted_words(classifier: Classifier) -> None:
    message = from_text(*REPLY)
    reading = classifier.read(message)
    quoted = [i for i, s in enumerate(reading.segments.items) if is_quoted(s.text)]
    assert quoted, "the quoted block is a segment of its own"
    assert not set(quoted) & set(reading.units)
    assert classifier.classify(message).kind is Kind.SERVICE


def test_a_promotion_dressed_as_a_quote_is_still_found(classifier: Classifier) -> None:
    message = from_text(
        "Re: your order",
        "Thanks for your order, it ships today.",
        "> Get 20% off everything this weekend with code SPRING20.",
    )
    verdict = classifier.classify(message)
    assert "OFFER_DISCOUNT" in fired(verdict) or "OFFER_VOUCHER" in fired(verdict)
    assert verdict.kind is Kind.MARKETING
