"""One sentence decides: each row is placed in a plain delivery notice and must make it
marketing (one promotional element is enough: domain.md §1) or leave it service.

The sentences are written in the wording companies use rather than in the rules' own
phrasing, one legal category after another (offers, cross-sell, upsell, loyalty,
reactivation, consent requests, newsletters, invitations to ask about a product at the
next visit), next to neutral notices that name prices, fees, discounts already applied,
apps and points. Data: data/one_sentence_<lang>.txt, `m|` or `s|` per line, `mS|` / `sS|`
to add the sentence to the subject line instead of the body.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from maysend.classify import Classifier, Kind

from .conftest import from_text

DATA = Path(__file__).parent / "data"

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


def _rows() -> list[tuple[str, str, bool, str]]:
    rows = []
    for lang in NOTICE:
        for line in (DATA / f"one_sentence_{lang}.txt").read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            mark, sentence = line.split("|", 1)
            rows.append((lang, mark[0], mark.endswith("S"), sentence.strip()))
    return rows


@pytest.mark.parametrize(
    ("lang", "label", "in_subject", "sentence"),
    _rows(),
    ids=lambda v: v[:60] if isinstance(v, str) else None,
)
def test_one_sentence(
    classifier: Classifier, lang: str, label: str, in_subject: bool, sentence: str
) -> None:
    subject, greeting, notice, link, closing = NOTICE[lang]
    if in_subject:
        message = from_text(f"{subject} – {sentence}", greeting, notice, link, closing)
    else:
        message = from_text(subject, greeting, notice, link, sentence, closing)
    verdict = classifier.classify(message)
    expected = Kind.MARKETING if label == "m" else Kind.SERVICE
    top = [(e.indicator, e.text) for e in verdict.evidence][:4]
    assert verdict.kind is expected, f"{verdict.kind} ({verdict.score:.2f}) {top}"
