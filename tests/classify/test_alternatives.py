"""Both versions of a multipart/alternative count: a reader whose client shows the plain
one reads what only the plain one says (domain.md §1: one promotional element is enough)."""

from __future__ import annotations

from pathlib import Path

from maysend.classify import Classifier, Kind
from maysend.message import parse_file

from .conftest import fired

FIXTURES = Path(__file__).resolve().parents[1] / "corpus"


def test_a_promotion_only_in_the_plain_alternative_makes_the_message_marketing(
    classifier: Classifier,
) -> None:
    verdict = classifier.classify(parse_file(FIXTURES / "36-alternative-plain-says-more.eml"))
    assert verdict.kind is Kind.MARKETING
    follow = [e.where for e in verdict.evidence if e.indicator == "SOCIAL_FOLLOW"]
    assert follow == ["body:3"]  # the block only the plain version has


def test_a_plain_alternative_that_mirrors_the_html_changes_nothing(
    classifier: Classifier,
) -> None:
    message = parse_file(FIXTURES / "03-alternative.eml")
    assert [b.text for b in message.blocks] == [
        "Booking confirmed",
        "Your table for two is booked for Saturday at 19:00.",
        "Reference: ORC-7781",
    ]
    verdict = classifier.classify(message)
    assert verdict.kind is Kind.SERVICE
    assert "SOCIAL_FOLLOW" not in fired(verdict)
