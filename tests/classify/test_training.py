"""Training is reproducible and reads only what it is given; eval counts correctly."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from maysend.classify import Classifier, Kind
from maysend.classify.blockmodel import BlockModel
from maysend.classify.corpus import labelled_corpus, read_label
from maysend.classify.evaluation import Confusion
from maysend.classify.training import Units, choose_threshold, train
from maysend.errors import InputError
from maysend.message import parse_bytes

from .conftest import eml

MARKETING = [
    (
        "Summer sale",
        "Up to 50% off all garden furniture this weekend only. Shop now while stocks last.",
    ),
    (
        "We miss you",
        "It has been a while since your last visit. Come back and enjoy 20% off your next order.",
    ),
    (
        "New arrivals",
        "Discover our new autumn collection, handpicked for you by our stylists this season.",
    ),
    (
        "Refer a friend",
        "Invite your friends and you both get £20 when they place their first order with us.",
    ),
    (
        "Your order",
        "Your order has been dispatched. You might also like our matching cushions from £12.",
    ),
    (
        "Ihre Vorteile",
        "Sichern Sie sich jetzt 15 % Rabatt auf Ihren nächsten Einkauf in unserem Shop online.",
    ),
]
SERVICE = [
    (
        "Your order",
        "Your order has been dispatched and will arrive on Thursday between nine and one.",
    ),
    (
        "Password reset",
        "We received a request to reset the password for your account at our service.",
    ),
    (
        "Your bill",
        "Your bill for May is ready. We will collect the amount by Direct Debit on the first.",
    ),
    (
        "Maintenance",
        "Online banking will be unavailable on Sunday between two and four in the morning.",
    ),
    (
        "Ihre Rechnung",
        "Anbei erhalten Sie Ihre Rechnung für den Monat Mai, der Betrag wird eingezogen.",
    ),
    (
        "Your statement",
        "Your monthly statement is now available to view in your online account area.",
    ),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    rows = [(s, t, "marketing") for s, t in MARKETING] + [(s, t, "service") for s, t in SERVICE]
    for n, (subject, text, label) in enumerate(rows):
        lang = "de" if subject.startswith("Ihre") else "en"
        path = root / lang / f"{n:03d}.eml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(eml(subject, text=text, label=label))
    return root


def test_training_twice_gives_the_same_model(corpus: Path, tmp_path: Path) -> None:
    first, second = train(corpus), train(corpus)
    assert first.weights == second.weights
    assert (first.bias, first.threshold, first.calibration) == (
        second.bias,
        second.threshold,
        second.calibration,
    )
    first.save(tmp_path / "a.joblib")
    second.save(tmp_path / "b.joblib")
    assert (tmp_path / "a.joblib").read_bytes() == (tmp_path / "b.joblib").read_bytes()
    loaded = BlockModel.load(tmp_path / "a.joblib")
    a, b = Classifier(model=first), Classifier(model=loaded)
    for subject, text in MARKETING + SERVICE:
        message = parse_bytes(eml(subject, text=text))
        assert a.classify(message) == b.classify(message)


def test_version_names_the_corpus(corpus: Path, tmp_path: Path) -> None:
    model = train(corpus)
    assert len(model.version) == 16
    changed = tmp_path / "changed"
    changed.mkdir()
    for path in sorted(corpus.rglob("*.eml"))[:-1]:
        (changed / path.name).write_bytes(path.read_bytes())
    assert train(changed).version != model.version
    assert Classifier(model=model).classify(parse_bytes(eml("x", text="y"))).model_version == (
        model.version
    )


def test_labels_are_read_from_headers(corpus: Path) -> None:
    items = labelled_corpus(corpus)
    assert sum(i.label is Kind.MARKETING for i in items) == len(MARKETING)
    assert {i.language for i in items} == {"en", "de"}


def test_an_unlabelled_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "x.eml"
    path.write_bytes(eml("No label", text="Hello"))
    with pytest.raises(InputError, match="X-Maysend-Label"):
        read_label(path, tmp_path)


def test_confusion_arithmetic() -> None:
    c = Confusion()
    for labelled, classified in [
        (Kind.MARKETING, Kind.MARKETING),
        (Kind.MARKETING, Kind.MARKETING),
        (Kind.MARKETING, Kind.SERVICE),
        (Kind.SERVICE, Kind.MARKETING),
        (Kind.SERVICE, Kind.SERVICE),
    ]:
        c.add(labelled, classified)
    assert (c.tp, c.fn, c.fp, c.tn) == (2, 1, 1, 1)
    assert c.precision == pytest.approx(2 / 3)
    assert c.recall == pytest.approx(2 / 3)
    assert c.f1 == pytest.approx(2 / 3)


def test_shipped_model_is_small_and_loads() -> None:
    from maysend.classify.engine import shipped_model_path

    path = shipped_model_path()
    assert path.stat().st_size < 50 * 1024 * 1024
    model = BlockModel.load(path)
    assert model.weights
    assert 0.5 <= model.threshold < 1.0
    assert model.stats["messages"] >= 300


def test_a_missing_or_corrupt_model_is_a_classifier_error(tmp_path: Path) -> None:
    from maysend.classify import ClassifierSettings
    from maysend.errors import ClassifierError

    with pytest.raises(ClassifierError, match="maysend train"):
        Classifier(ClassifierSettings(model_path=tmp_path / "none.joblib"))
    (tmp_path / "bad.joblib").write_bytes(b"not a model")
    with pytest.raises(ClassifierError):
        Classifier(ClassifierSettings(model_path=tmp_path / "bad.joblib"))


def test_block_threshold_is_the_lowest_step_within_the_service_budget() -> None:
    """The threshold moves in small steps, so that retraining on a slightly larger corpus
    does not jump by a whole hundredth and flip every text scored in between."""
    probabilities = [0.97, 0.97, 0.955] + [0.1] * 197  # 200 service messages, 1% = 2
    top = np.array([math.log(p / (1 - p)) for p in probabilities])
    units = Units(
        features=[],
        message=np.arange(200),
        seeded=np.zeros(200, dtype=bool),
        labels=np.zeros(200, dtype=int),
        rule_weight=np.zeros(200),
        has_service=np.zeros(200, dtype=bool),
        fixed=np.full(200, -1),
    )
    assert choose_threshold(units, top, max_fpr=0.01) == 0.9575
    assert choose_threshold(units, top, max_fpr=0.0149) == 0.9575
    assert choose_threshold(units, top, max_fpr=0.02) == 0.5  # all three within the budget
