"""Cross-validation classifies every training message once, by a model that did not see it."""

from __future__ import annotations

from pathlib import Path

import pytest

from maysend.classify import crossval
from maysend.classify.corpus import read_label

from .conftest import eml

OFFERS = ["20% off all boots", "Free delivery this weekend", "Refer a friend for £20"]
NOTICES = ["Your order was dispatched", "Your bill is ready", "Your password was changed"]
ANGEBOTE = ["20 % Rabatt auf alle Schuhe", "Jetzt versandkostenfrei bis Sonntag", "Gewinnspiel"]
HINWEISE = ["Ihre Bestellung wurde versandt", "Ihre Rechnung ist da", "Passwort geändert"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cv")
    for lang, promo, plain in (("en", OFFERS, NOTICES), ("de", ANGEBOTE, HINWEISE)):
        for n in range(12):
            writer = "wa" if n % 2 else "wb"
            label = "marketing" if n < 6 else "service"
            text = (promo if n < 6 else plain)[n % 3]
            path = root / lang / f"{lang}{writer}-{n:03d}-case.eml"
            path.parent.mkdir(parents=True, exist_ok=True)
            body = f"{text}. Thank you for being with us for so many years now."
            path.write_bytes(eml(text, text=body, label=label))
    return root


def test_writer_is_the_name_before_the_first_dash(corpus: Path) -> None:
    path = next(corpus.rglob("enwa-*.eml"))
    assert crossval.writer_of(read_label(path, corpus)) == "enwa"


@pytest.mark.parametrize("scheme", crossval.SCHEMES)
def test_every_message_is_classified_once(corpus: Path, scheme: str) -> None:
    loaded = crossval.load(corpus)
    report = crossval.cross_validate(loaded, scheme)
    assert report.overall.total == len(loaded.items) == 24
    assert set(report.by_language) == {"en", "de"}
    assert report.overall.tp + report.overall.fn == 12
