"""The package exports a small named surface, and its docstring shows how to use it."""

from __future__ import annotations

import maysend.classify as classify


def test_public_surface() -> None:
    assert set(classify.__all__) == {
        "PROMOTIONAL",
        "Category",
        "Classifier",
        "ClassifierSettings",
        "Evidence",
        "Kind",
        "PrimaryPurpose",
        "ServiceBasis",
        "Verdict",
        "classify",
        "load_classifier",
    }
    assert all(hasattr(classify, name) for name in classify.__all__)
    assert "load_classifier" in (classify.__doc__ or "")
    assert "classify(message)" in (classify.__doc__ or "")


def test_default_classifier_is_built_once() -> None:
    assert classify.load_classifier() is classify.load_classifier()
