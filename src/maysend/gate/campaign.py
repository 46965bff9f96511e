"""One campaign through the gate: classify once, snapshot the ledger, decide everyone.

Outputs are written into a staging folder beside `out_dir` and moved into
place only when the whole run succeeded: a run that fails (ledger
unreachable, unreadable audience) leaves no send list behind, and never a
send list built without consent data.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from maysend.classify.verdict import Kind, Verdict
from maysend.errors import InputError, LedgerUnavailable
from maysend.gate import duckdb_engine
from maysend.gate.audience import AudienceColumns
from maysend.gate.outcomes import fact_model
from maysend.gate.plan import GatePlan, Step
from maysend.gate.summary import Counts
from maysend.ledger import Ledger
from maysend.message import Message, load_message
from maysend.policy import check_message, load_policy
from maysend.settings import LedgerSettings, PolicySettings

OUTPUTS = ("send.parquet", "suppressed.parquet", "rejected.csv", "summary.json")
ENGINES = ("duckdb", "spark")
Classifier = Callable[[Message], Verdict]


@dataclass(frozen=True, slots=True)
class GateRequest:
    message: Path
    audience: Path
    out_dir: Path
    at: datetime | None = None
    declared: Kind | None = None
    product: str | None = None
    topic: str | None = None
    db_url: str | None = None
    snapshot: Path | None = None
    engine: str = "duckdb"
    columns: AudienceColumns = field(default_factory=AudienceColumns)
    memory_limit: str = "4GB"
    policy: PolicySettings | None = None
    ledger: LedgerSettings | None = None


@dataclass(frozen=True, slots=True)
class GateReport:
    """The run's verdict, counts and the one figure a mislabelled campaign must show."""

    source: str
    verdict: Verdict
    declared: Kind | None
    at: datetime
    engine: str
    counts: Counts
    out_dir: Path
    topic: str | None = None

    @property
    def label_disputed(self) -> bool:
        return self.declared is not None and self.declared is not self.verdict.kind

    @property
    def unlawful_if_trusted(self) -> int:
        """Recipients with no lawful basis for marketing: who a trusted 'service' label reaches."""
        if not (self.label_disputed and self.verdict.kind is Kind.MARKETING):
            return 0
        return self.counts.by_action.get("suppress", 0)

    def to_dict(self) -> dict[str, Any]:
        top = sorted(self.verdict.evidence, key=lambda e: -e.weight)[:5]
        return {
            "message": self.source,
            "at": self.at.isoformat(),
            "engine": self.engine,
            "topic": self.topic,
            "declared": self.declared.value if self.declared else None,
            "verdict": {
                "kind": self.verdict.kind.value,
                "score": round(self.verdict.score, 4),
                "language": self.verdict.language,
                "gap": self.verdict.gap,
                "top_evidence": [
                    {"indicator": e.indicator, "category": e.category.value, "text": e.text}
                    for e in top
                ],
            },
            "label_disputed": self.label_disputed,
            "unlawful_if_trusted": self.unlawful_if_trusted,
            **self.counts.to_dict(),
            "outputs": {name: str(self.out_dir / name) for name in OUTPUTS},
        }


def run_gate(
    request: GateRequest, *, classify: Classifier, step: Step = lambda _: None
) -> GateReport:
    """Decide a whole audience; raise (writing nothing) when it cannot be done safely."""
    if request.engine not in ENGINES:
        raise InputError(f"unknown engine {request.engine!r}", engines=", ".join(ENGINES))
    at = (request.at or datetime.now(UTC)).astimezone(UTC)
    topic = (request.topic or "").strip().lower() or None  # as the ledger files topics
    step("classifying the message")
    message = load_message(request.message)
    verdict = classify(message)
    config = load_policy(request.policy, product=request.product)
    request.out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".gate-", dir=request.out_dir))
    try:
        step("taking the ledger snapshot")
        snapshot, secret = ledger_snapshot(request, at, work)
        plan = GatePlan(
            audience=request.audience,
            snapshot=snapshot,
            at=at,
            verdict=verdict,
            checks=check_message(message, config),
            config=config,
            fact_model=fact_model(config),
            work_dir=work,
            columns=request.columns,
            topic=topic,
            hash_secret=secret,
            memory_limit=request.memory_limit,
        )
        counts = run_engine(request.engine, plan, work, step)
        report = GateReport(
            str(request.message),
            verdict,
            request.declared,
            at,
            request.engine,
            counts,
            request.out_dir,
            topic,
        )
        write_summary(report, work)
        publish(work, request.out_dir)
        return report
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_engine(engine: str, plan: GatePlan, staging: Path, step: Step) -> Counts:
    if engine == "spark":
        from maysend.gate.spark_engine import run as run_spark  # optional, slow to import

        counts: Counts = run_spark(plan, staging, step)
        return counts
    return duckdb_engine.run(plan, staging, step)


def ledger_snapshot(request: GateRequest, at: datetime, work: Path) -> tuple[Path, str | None]:
    """A Parquet snapshot of the ledger at `at`, and the key its subjects are filed under."""
    settings = request.ledger or LedgerSettings()
    if request.snapshot is not None:
        if not request.snapshot.is_file():
            raise LedgerUnavailable(
                "the ledger snapshot does not exist", file=str(request.snapshot)
            )
        return request.snapshot, settings.hash_secret
    url = request.db_url or settings.database_url
    with Ledger.open(url, settings=settings) as ledger:
        if ledger.head()[0] == 0:
            raise LedgerUnavailable(
                "the ledger holds no events: refusing to decide a campaign without consent data",
                db=url,
            )
        path = work / "ledger.parquet"
        ledger.export(path, at=at)
        return path, ledger.keyring.secret


def write_summary(report: GateReport, staging: Path) -> None:
    (staging / "summary.json").write_text(json.dumps(report.to_dict(), indent=2) + "\n")


def publish(staging: Path, out_dir: Path) -> None:
    """Move the finished outputs into `out_dir`, replacing an earlier run's."""
    for name in OUTPUTS:
        (staging / name).replace(out_dir / name)


__all__ = ["ENGINES", "OUTPUTS", "GateReport", "GateRequest", "run_gate"]
