"""The trained model: a linear score per block and a calibrated score per message.

The artifact holds plain data only (feature weights as a dict, a few floats, the
feature spec and a version), so scoring needs no scikit-learn at run time and a
block is scored with one pass over its features. How it is trained, and why per
block, is in `maysend.classify.training`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import joblib

from maysend.classify.features import BlockScorer, FeatureSpec, Featurizer
from maysend.errors import ClassifierError

FORMAT = 1


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


@dataclass(frozen=True, slots=True)
class Calibration:
    """Platt-style logistic map from message features to P(marketing)."""

    promo: float
    block: float
    service: float
    bias: float

    def probability(self, promo_weight: float, block_logit: float, has_service: bool) -> float:
        x = self.promo * min(promo_weight, 3.0) + self.block * block_logit
        return sigmoid(x + self.service * float(has_service) + self.bias)


@dataclass(frozen=True, slots=True)
class BlockModel:
    weights: dict[str, float]
    bias: float
    threshold: float  # block probability at which MODEL_PROMOTIONAL_TEXT fires
    calibration: Calibration
    support_threshold: float = 1.0  # the same, where weak promotional evidence is present
    pair_threshold: float = 1.0  # the same, where at least two blocks reach it
    spec: FeatureSpec = field(default_factory=FeatureSpec)
    version: str = ""
    stats: dict[str, Any] = field(default_factory=dict)

    def scorer(self) -> BlockScorer:
        return BlockScorer(Featurizer(self.spec), self.weights, self.bias)

    def save(self, path: Path) -> None:
        """Write the artifact; the same model always writes the same bytes."""
        data = {
            "format": FORMAT,
            "version": self.version,
            "bias": self.bias,
            "threshold": self.threshold,
            "support_threshold": self.support_threshold,
            "pair_threshold": self.pair_threshold,
            "calibration": asdict(self.calibration),
            "spec": asdict(self.spec),
            "stats": self.stats,
            "weights": dict(sorted(self.weights.items())),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(data, path, compress=3)

    @classmethod
    def load(cls, path: Path) -> BlockModel:
        try:
            data = joblib.load(path)
            if data.get("format") != FORMAT:
                raise ClassifierError("model artifact has an unknown format", path=str(path))
            return cls(
                weights=dict(data["weights"]),
                bias=float(data["bias"]),
                threshold=float(data["threshold"]),
                support_threshold=float(data.get("support_threshold", data["threshold"])),
                pair_threshold=float(data.get("pair_threshold", 1.0)),
                calibration=Calibration(**data["calibration"]),
                spec=FeatureSpec(**data["spec"]),
                version=str(data["version"]),
                stats=dict(data["stats"]),
            )
        except ClassifierError:
            raise
        except Exception as error:  # joblib/pickle raise many kinds on a corrupt file
            raise ClassifierError(f"cannot load model: {error}", path=str(path)) from error


__all__ = ["BlockModel", "Calibration", "sigmoid"]
