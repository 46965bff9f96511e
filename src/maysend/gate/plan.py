"""Everything one gate run needs, decided before any recipient is read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from maysend.classify.verdict import Verdict
from maysend.errors import InputError
from maysend.gate.audience import AudienceColumns
from maysend.gate.outcomes import FactModel
from maysend.policy import MessageChecks, PolicyConfig

Step = Callable[[str], None]
"""Told the name of each long step as it starts (the CLI shows it as progress)."""


@dataclass
class GatePlan:
    """The campaign (verdict and message checks, made once), the inputs and the limits.

    `snapshot` is a ledger export (Parquet) taken at `at`; `hash_secret` is the
    key the ledger files subjects under, needed only when the snapshot holds
    subjects as keyed hashes (erased subjects, hash-only ledgers).
    """

    audience: Path
    snapshot: Path
    at: datetime
    verdict: Verdict
    checks: MessageChecks
    config: PolicyConfig
    fact_model: FactModel
    work_dir: Path
    columns: AudienceColumns = field(default_factory=AudienceColumns)
    channel: str = "email"
    purpose: str = "marketing"
    topic: str | None = None
    hash_secret: str | None = None
    memory_limit: str = "4GB"
    threads: int = 2
    keyed_subjects: int = 0

    def count_keyed_subjects(self, count: int) -> None:
        """Note how many snapshot subjects are keyed hashes; they need the ledger's secret."""
        self.keyed_subjects = count
        if count and not self.hash_secret:
            raise InputError(
                "the ledger holds subjects only as keyed hashes (erased or hash-only): "
                "the gate needs the ledger's hash secret to honour them",
                keyed_subjects=count,
            )

    @property
    def similar_products(self) -> frozenset[str]:
        return self.config.similar_products.similar_to(self.config.declared_product)
