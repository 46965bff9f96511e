"""From a recipient's consent-fact columns to the policy's outcome, once per combination.

The engines (DuckDB, Spark) compute, for every recipient, the same discrete
facts `maysend.policy.consent_facts` would (see `FactModel`), carried as the
`KEY_COLUMNS`: the two countries, the status and one integer whose bits are the
yes/no facts (`FactModel.flags`), so that joins and groupings carry four
columns, not a dozen. This module unpacks each distinct combination, turns it
into `ConsentFacts`, asks `maysend.policy.decide_facts` once, and returns rows
to join back. No legal rule is evaluated anywhere else in the gate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pyarrow as pa

from maysend.classify.verdict import Verdict
from maysend.errors import PolicyError
from maysend.ledger.state import EventType, Status
from maysend.policy import (
    ConsentFacts,
    JurisdictionChoice,
    MessageChecks,
    PolicyConfig,
    choose_jurisdiction,
    decide_facts,
    recipient_country,
    required_windows,
)
from maysend.policy.rules import Window

BASE_FLAGS = ("confirmed", "purchase", "product_similar", "refusal_offered", "inquiry")
KEY_COLUMNS = ("country", "ledger_country", "status", "flags")
MAX_FLAGS = 63  # the bits of a signed 64-bit integer
OUTCOME_COLUMNS = ("action", "reason_code", "citation", "jurisdiction", "kind", "country_code")
SEND_COLUMNS = ("address", "row", "country", "jurisdiction", "reason_code")
SUPPRESSED_COLUMNS = (*SEND_COLUMNS[:4], "action", "reason_code", "citation")


def window_column(name: str) -> str:
    """The engines' column for one window flag (names come from the policy's data)."""
    return "w_" + "".join(c if c.isalnum() else "_" for c in name.lower())


@dataclass(frozen=True, slots=True)
class FactModel:
    """What the engines must compute: the countries, the status, and the yes/no facts (the
    base flags plus one per window) packed as the bits of `flags`."""

    windows: Mapping[str, Window]

    @property
    def flags(self) -> tuple[str, ...]:
        """The yes/no fact columns, in bit order: bit i of `flags` is `flags[i]`."""
        names = BASE_FLAGS + tuple(window_column(n) for n in sorted(self.windows))
        if len(names) > MAX_FLAGS:
            raise PolicyError(
                f"the policy asks for {len(names)} yes/no facts; the gate packs {MAX_FLAGS}"
            )
        return names

    def unpack(self, key: Mapping[str, Any]) -> dict[str, Any]:
        """The fact columns of one combination of KEY_COLUMNS. Every recipient is answered:
        a subject the snapshot has no row for is answered with status 'none'."""
        bits = int(key["flags"])
        flags = {name: bool(bits >> i & 1) for i, name in enumerate(self.flags)}
        rest = {c: key[c] for c in KEY_COLUMNS if c != "flags"}
        return {**rest, "answered": True, **flags}

    def facts(
        self, row: Mapping[str, Any], choice: JurisdictionChoice, config: PolicyConfig
    ) -> ConsentFacts | None:
        """The ConsentFacts of one combination, for the jurisdiction chosen for it."""
        if not row["answered"] or choice.code is None:
            return None
        own = config.jurisdiction(choice.code).route_windows()
        inside = {n for n in own if row[window_column(n)]}
        purchase = bool(row["purchase"])
        return ConsentFacts(
            status=Status(row["status"]),
            confirmed=bool(row["confirmed"]),
            purchase=purchase,
            purchase_within=frozenset(n for n in inside if own[n].event is EventType.PURCHASE),
            product_declared=bool((config.declared_product or "").strip()),
            product_similar=purchase and bool(row["product_similar"]),
            refusal_offered=purchase and bool(row["refusal_offered"]),
            inquiry=bool(row["inquiry"]),
            inquiry_within=frozenset(n for n in inside if own[n].event is EventType.INQUIRY),
        )


def outcome_schema(keys: pa.Schema) -> pa.Schema:
    """The outcome table's schema: the engine's KEY_COLUMNS, then OUTCOME_COLUMNS as text."""
    return pa.schema([*keys, *(pa.field(c, pa.string()) for c in OUTCOME_COLUMNS)])


def fact_model(config: PolicyConfig) -> FactModel:
    return FactModel(required_windows(config))


def decide_combinations(
    rows: Iterable[Mapping[str, Any]],
    *,
    model: FactModel,
    checks: MessageChecks,
    verdict: Verdict,
    config: PolicyConfig,
) -> list[dict[str, Any]]:
    """One outcome row per distinct combination of KEY_COLUMNS, plus OUTCOME_COLUMNS."""
    choose = lru_cache(maxsize=None)(lambda country: choose_jurisdiction(country, config))
    out: list[dict[str, Any]] = []
    for key in rows:
        row = model.unpack(key)
        choice = choose(recipient_country(row["country"], row["ledger_country"]))
        outcome = decide_facts(checks, verdict, choice, model.facts(row, choice, config), config)
        out.append(
            {
                **{c: key[c] for c in KEY_COLUMNS},
                "action": outcome.action.value,
                "reason_code": outcome.code,
                "citation": outcome.citation,
                "jurisdiction": outcome.jurisdiction or "",
                "kind": outcome.kind.value if outcome.kind else "",
                "country_code": choice.country,
            }
        )
    return out


__all__ = [
    "BASE_FLAGS",
    "KEY_COLUMNS",
    "MAX_FLAGS",
    "OUTCOME_COLUMNS",
    "SEND_COLUMNS",
    "SUPPRESSED_COLUMNS",
    "FactModel",
    "decide_combinations",
    "fact_model",
    "outcome_schema",
    "window_column",
]
