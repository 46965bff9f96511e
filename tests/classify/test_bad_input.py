"""Bad input gets a verdict with the right flags (or a clear error), never a crash."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maysend.classify import PROMOTIONAL, Category, Classifier, Kind
from maysend.errors import MessageError
from maysend.message import Message, parse_bytes
from maysend.message.model import Block, BlockKind, Headers, Image

from .conftest import eml, from_html, from_text


def test_empty_body_is_a_gap_that_fails_closed(classifier: Classifier) -> None:
    verdict = classifier.classify(parse_bytes(eml("Quick update", text="")))
    assert verdict.gap is not None
    assert verdict.kind is Kind.MARKETING  # a gap is never passed off as service
    assert "EMPTY_BODY" in verdict.flags


def test_nothing_at_all_is_a_gap(classifier: Classifier) -> None:
    verdict = classifier.classify(Message(headers=Headers()))
    assert verdict.gap is not None
    assert "NO_TEXT" in verdict.flags
    assert verdict.language == "unknown"


def test_image_only_html_without_alt_text_is_a_gap(classifier: Classifier) -> None:
    html = '<html><body><a href="https://shop.example/x"><img src="https://cdn.example/a.png"></a></body></html>'
    verdict = classifier.classify(parse_bytes(eml("This week", html=html)))
    assert verdict.gap is not None
    assert "IMAGE_ONLY" in verdict.flags


def test_image_alt_text_is_read(classifier: Classifier) -> None:
    message = Message(
        headers=Headers(subject="For you"),
        images=(
            Image(src="https://cdn.example/banner.png", alt="Summer sale: 40% off everything"),
        ),
        has_html=True,
    )
    verdict = classifier.classify(message)
    assert verdict.kind is Kind.MARKETING
    assert verdict.gap is None
    assert any(e.where == "image_alt:0" for e in verdict.evidence)


def test_unsupported_language_without_promotion_is_a_gap(classifier: Classifier) -> None:
    verdict = classifier.classify(
        from_text(
            "Votre commande",
            "Bonjour, votre commande a bien été expédiée et sera livrée jeudi prochain "
            "à votre adresse. Merci de votre confiance.",
        )
    )
    assert verdict.language == "fr"
    assert "LANGUAGE_UNSUPPORTED" in verdict.flags
    assert verdict.gap is not None


def test_unsupported_language_with_clear_promotion_is_marketing(classifier: Classifier) -> None:
    verdict = classifier.classify(
        from_text(
            "Soldes d'été",
            "Profitez de nos soldes: 50 % off sur toute la collection, download our app.",
        )
    )
    assert verdict.kind is Kind.MARKETING
    assert verdict.gap is None


def test_mixed_language_is_flagged(classifier: Classifier) -> None:
    verdict = classifier.classify(
        from_text(
            "Your order / Ihre Bestellung",
            "Thank you for your order. We will send it to you with our courier this week.",
            "Vielen Dank für Ihre Bestellung. Wir werden sie in dieser Woche mit dem Paketdienst "
            "an Sie senden, bitte haben Sie etwas Geduld.",
        )
    )
    assert "MIXED_LANGUAGE" in verdict.flags
    assert verdict.language in {"en", "de"}


def test_twenty_megabyte_message_is_truncated_not_refused(classifier: Classifier) -> None:
    paragraph = "Your statement for March is attached. Nothing else is needed from you.\n\n"
    data = eml("Your statement", text=paragraph * (20 * 1024 * 1024 // len(paragraph)))
    assert len(data) > 20 * 1024 * 1024
    verdict = classifier.classify(parse_bytes(data))
    assert "TRUNCATED" in verdict.flags
    assert verdict.kind is Kind.SERVICE


def test_promotion_past_the_budget_is_not_missed_silently(classifier: Classifier) -> None:
    line = "Account information, nothing more. " * 20
    filler = tuple(Block(i, BlockKind.TEXT, line) for i in range(200))
    tail = (Block(200, BlockKind.TEXT, "Get 50% off today only"),)
    verdict = classifier.classify(Message(headers=Headers(subject="Info"), blocks=filler + tail))
    assert "TRUNCATED" in verdict.flags  # the reader is told that not everything was read


def test_html_bomb_and_junk_never_crash(classifier: Classifier) -> None:
    bomb = "<div>" * 5000 + "Get 20% off" + "</div>" * 5000
    verdict = classifier.classify(from_html("Deep", bomb))
    assert verdict.kind is Kind.MARKETING


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_give_a_verdict_or_a_message_error(
    classifier: Classifier, data: bytes
) -> None:
    try:
        message = parse_bytes(data)
    except MessageError:
        return
    verdict = classifier.classify(message)
    assert 0.0 <= verdict.score <= 1.0
    assert verdict.kind in {Kind.MARKETING, Kind.SERVICE}
    assert verdict.gap is None or verdict.kind is Kind.MARKETING


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(max_size=200), max_size=8), st.text(max_size=100))
def test_any_text_gives_a_consistent_verdict(
    classifier: Classifier, blocks: list[str], subject: str
) -> None:
    message = Message(
        headers=Headers(subject=subject),
        blocks=tuple(Block(i, BlockKind.TEXT, t) for i, t in enumerate(blocks)),
    )
    verdict = classifier.classify(message)
    decisive = any(
        e.category in PROMOTIONAL and (e.weight >= 1.0 or e.category is Category.MODEL)
        for e in verdict.evidence
    )
    assert decisive <= (verdict.kind is Kind.MARKETING)  # one element makes it marketing
    assert all(e.text for e in verdict.evidence if e.category.value != "channel_nudge")
    assert verdict.to_dict("x")["kind"] == verdict.kind.value
