"""One sentence decides: each row is placed in a plain delivery notice and must make it
marketing (one promotional element is enough: domain.md §1) or leave it service.

The sentences are written in the wording companies use rather than in the rules' own
phrasing, one legal category after another (offers, cross-sell, upsell, loyalty,
reactivation, consent requests, newsletters, invitations to ask about a product at the
next visit), next to neutral notices that name prices, fees, discounts already applied,
apps and points. Data: corpus/classify/sentences/<lang>.txt (`maysend.classify.sentences`),
which training also reads as labelled blocks: a row passing here says the whole
classifier (rules, model, decision) reads it right in a message, not that the model
alone would have found it unseen; the held-out split measures that.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from maysend.classify import Classifier, Kind
from maysend.classify.sentences import Sentence, sentence_corpus

from .conftest import from_text

SENTENCES = Path(__file__).parents[2] / "corpus" / "classify" / "sentences"

NOTICE = {
    "en": (
        "Your order 48213 has shipped",
        "Hello Sam,",
        "Your order 48213 has been dispatched and should arrive on Thursday. "
        "You can track it with the link below.",
        "https://shop.example/track/48213",
        "Thanks,\nThe Shop team",
    ),
    "de": (
        "Ihre Bestellung 48213 ist unterwegs",
        "Hallo Frau Berger,",
        "Ihre Bestellung 48213 wurde verschickt und kommt voraussichtlich am Donnerstag an. "
        "Die Sendung verfolgen Sie hier:",
        "https://shop.example/track/48213",
        "Viele Grüße\nIhr Shop-Team",
    ),
}


@pytest.mark.parametrize(
    "sentence",
    sentence_corpus(SENTENCES),
    ids=lambda s: f"{s.lang}-{'m' if s.promotes else 's'}-{s.in_subject}-{s.text[:60]}",
)
def test_one_sentence(classifier: Classifier, sentence: Sentence) -> None:
    subject, greeting, notice, link, closing = NOTICE[sentence.lang]
    if sentence.in_subject:
        message = from_text(f"{subject} – {sentence.text}", greeting, notice, link, closing)
    else:
        message = from_text(subject, greeting, notice, link, sentence.text, closing)
    verdict = classifier.classify(message)
    expected = Kind.MARKETING if sentence.promotes else Kind.SERVICE
    top = [(e.indicator, e.text) for e in verdict.evidence][:4]
    assert verdict.kind is expected, f"{verdict.kind} ({verdict.score:.2f}) {top}"
