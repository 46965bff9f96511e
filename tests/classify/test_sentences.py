"""Labelled sentences: read strictly, and learned by the block model as known blocks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from maysend.classify.sentences import read_sentences, sentence_corpus
from maysend.classify.training import Units, build_vocabulary, design, out_of_fold_top, train
from maysend.errors import InputError

from .test_training import corpus  # noqa: F401  (the small labelled corpus fixture)

PROMOTING = [
    "Treat the whole family to a glasshouse picnic hamper this spring.",
    "A glasshouse picnic hamper makes the perfect gift for garden lovers.",
    "Our glasshouse picnic hamper is back, packed with seasonal treats.",
]
NEUTRAL = [
    "Your parcel was handed to the courier this morning and will arrive tomorrow.",
    "The courier will leave the parcel with a neighbour if nobody is at home.",
    "Your refund was paid back to the card you used for this order.",
]


def _write(directory: Path, lang: str, lines: list[str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{lang}.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_marks_comments_and_subject_rows_are_read(tmp_path: Path) -> None:
    path = _write(tmp_path, "en", ["# a comment", "", "m|Buy one.", "sS|Your order", "mS|Sale"])
    rows = read_sentences(path, "en")
    assert [(r.promotes, r.in_subject, r.text, r.line) for r in rows] == [
        (True, False, "Buy one.", 3),
        (False, True, "Your order", 4),
        (True, True, "Sale", 5),
    ]


@pytest.mark.parametrize("line", ["x|What is this?", "m|", "no bar at all", "M|Shouting"])
def test_a_line_without_a_known_mark_is_refused_with_its_line(tmp_path: Path, line: str) -> None:
    path = _write(tmp_path, "en", ["m|Fine.", line])
    with pytest.raises(InputError) as caught:
        read_sentences(path, "en")
    assert caught.value.context["line"] == 2


def test_languages_are_read_in_a_fixed_order_and_a_missing_file_is_skipped(
    tmp_path: Path,
) -> None:
    _write(tmp_path, "de", ["s|Ihre Rechnung ist da."])
    _write(tmp_path, "en", ["m|Buy one."])
    assert [(s.lang, s.text) for s in sentence_corpus(tmp_path)] == [
        ("en", "Buy one."),
        ("de", "Ihre Rechnung ist da."),
    ]
    assert sentence_corpus(tmp_path / "missing") == []


def test_sentences_teach_the_block_model_what_promotes(
    corpus: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    sentences = tmp_path / "sentences"
    _write(sentences, "en", [f"m|{s}" for s in PROMOTING] + [f"s|{s}" for s in NEUTRAL])
    plain, taught = train(corpus), train(corpus, sentences=sentences)
    assert plain.stats["sentences"] == 0
    assert taught.stats["sentences"] == len(PROMOTING) + len(NEUTRAL)
    assert taught.weights.get("hamper", 0.0) > plain.weights.get("hamper", 0.0)
    assert taught.weights["hamper"] > 0
    assert taught.version != plain.version  # the sentences are part of what was learned
    assert 0.5 <= taught.threshold < 1.0


def test_sentences_are_trained_on_but_never_scored_as_a_messages_blocks() -> None:
    """Out-of-fold scores, which choose the thresholds and the calibration, are the
    messages' own: a sentence row (stored under message 0) must never count as one of
    message 0's blocks, or the strongly promotional sentences below would lift the score
    of that plain service message."""
    service, promoting = {"parcel": 1, "arrives": 1}, {"hamper": 1, "treat": 1}
    features = [service if m % 2 == 0 else promoting for m in range(10)] + [promoting] * 20
    units = Units(
        features=features,
        message=np.array(list(range(10)) + [0] * 20),
        seeded=np.array([m % 2 == 1 for m in range(10)] + [True] * 20),
        labels=np.array([m % 2 for m in range(10)]),
        rule_weight=np.zeros(10),
        has_service=np.zeros(10, dtype=bool),
        fixed=np.array([-1] * 10 + [1] * 20),
    )
    x = design(features, build_vocabulary(features))
    top, _ = out_of_fold_top(x, units)
    assert top[0] < 0 < top[1]  # message 0 scored on its own block only
