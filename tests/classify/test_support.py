"""Weak promotional evidence lowers the bar for the model's evidence, and only then."""

from __future__ import annotations

from maysend.classify import Classifier, Kind
from maysend.classify.blockmodel import BlockModel, Calibration

from .conftest import fired, from_text

BLOCK = "What a lovely lovely lovely day out with all of your friends"


def _classifier() -> Classifier:
    model = BlockModel(
        weights={"lovely": 3.0},
        bias=-1.0,
        threshold=0.99,
        calibration=Calibration(promo=1.0, block=1.0, service=0.0, bias=0.0),
        support_threshold=0.5,
        version="test",
    )
    return Classifier(model=model)


def test_the_block_sits_between_the_two_thresholds() -> None:
    classifier = _classifier()
    reading = classifier.read(from_text("Your account", BLOCK))
    (score,) = [s for s in classifier.block_scores(reading) if s.segment.text == BLOCK]
    assert 0.5 < score.probability < 0.99


def test_weak_evidence_and_the_model_together_make_it_marketing() -> None:
    verdict = _classifier().classify(from_text("Your account", BLOCK, "It is cheaper."))
    assert verdict.kind is Kind.MARKETING
    assert {"OFFER_PRICE", "MODEL_PROMOTIONAL_TEXT"} <= fired(verdict)


def test_the_model_alone_below_its_threshold_does_not() -> None:
    verdict = _classifier().classify(from_text("Your account", BLOCK))
    assert verdict.kind is Kind.SERVICE
    assert "MODEL_PROMOTIONAL_TEXT" not in fired(verdict)


def test_weak_evidence_alone_does_not() -> None:
    verdict = _classifier().classify(from_text("Your account", "It is cheaper."))
    assert verdict.kind is Kind.SERVICE


SERVICE_BLOCK = "Your parcel is on its way: a lovely lovely lovely day out with all of your friends"


def test_a_block_of_service_wording_needs_the_full_threshold() -> None:
    """Weak evidence elsewhere lowers the bar for blocks the rules left unnamed, not for a
    block whose own rule hits all name a service purpose (a delivery notice's line)."""
    classifier = _classifier()
    reading = classifier.read(from_text("Your account", SERVICE_BLOCK, "It is cheaper."))
    (score,) = [s for s in classifier.block_scores(reading) if s.segment.text == SERVICE_BLOCK]
    assert 0.5 < score.probability < 0.99
    verdict = classifier.classify(from_text("Your account", SERVICE_BLOCK, "It is cheaper."))
    assert "MODEL_PROMOTIONAL_TEXT" not in fired(verdict)
    assert "DELIVERY" in fired(verdict)
