"""The tamper-evident hash chain over events, and its verification.

hash = sha256(canonical content + prev_hash), where the canonical content is
every stored column (the evidence through its digest). Ids are assigned under
the chain lock, gap-free from 1, and `chain_head` records the last id and hash,
so `verify` can say which event was changed (its hash no longer matches),
removed (a gap, or the next event's prev_hash points elsewhere) or inserted
(an id the ledger never issued, or a link that does not follow). Evidence is
checked against its digest; evidence may be missing only when a later erasure
of the same subject (itself on the chain) explains it.

The chain is unkeyed: someone able to rewrite every row after a change and the
head can make a consistent forgery. Copying the head hash elsewhere from time
to time (`Ledger.head()`) closes that gap.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from maysend.ledger.events import canonical_json, format_time
from maysend.ledger.schema import chain_head, events, evidence

GENESIS = "0" * 64
CHAINED = (
    "id",
    "subject",
    "channel",
    "purpose",
    "topic",
    "type",
    "occurred_at",
    "recorded_at",
    "source",
    "country",
    "notice_version",
    "product",
    "refusal_offered",
    "evidence_digest",
    "idempotency_key",
)


def content(row: Mapping[str, Any]) -> str:
    """The canonical text of an event row that its hash covers."""
    return canonical_json(chained_values(row))


def chained_values(row: Mapping[str, Any]) -> list[Any]:
    """The CHAINED values of a stored row, times in `format_time` spelling."""
    values = [
        format_time(row[name]) if isinstance(row[name], datetime) else row[name] for name in CHAINED
    ]
    values[CHAINED.index("refusal_offered")] = bool(row["refusal_offered"])
    return values


def link(row: Mapping[str, Any], prev_hash: str) -> str:
    return link_values(chained_values(row), prev_hash)


def link_values(values: Sequence[Any], prev_hash: str) -> str:
    """The hash of an event from its CHAINED values (what `chained_values` gives for its row).

    Appending builds the values straight from the event it is about to store,
    without a row mapping in between.
    """
    return hashlib.sha256((canonical_json(values) + prev_hash).encode("utf-8")).hexdigest()


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(slots=True)
class Verification:
    """What `verify` found: `problems` name the events, empty when the chain is intact."""

    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_chain(connection: sa.Connection, batch: int = 10_000) -> Verification:
    """Walk the events in id order and report every break, naming the event ids."""
    result = Verification()
    head_id, head_hash = connection.execute(
        sa.select(chain_head.c.last_id, chain_head.c.last_hash).where(chain_head.c.id == 1)
    ).one()
    expected_id, prev = 1, GENESIS
    rows = connection.execution_options(stream_results=True, yield_per=batch).execute(
        sa.select(events).order_by(events.c.id)
    )
    for row in rows.mappings():
        _check_row(row, expected_id, prev, head_id, result)
        expected_id, prev = row["id"] + 1, row["hash"]
        result.checked += 1
    if expected_id - 1 < head_id:
        result.problems.append(f"events {expected_id}..{head_id} removed (the ledger issued them)")
    elif expected_id - 1 == head_id and prev != head_hash:
        result.problems.append(f"event {head_id}: does not match the recorded chain head")
    _check_evidence(connection, result)
    return result


def _check_row(
    row: Mapping[Any, Any], expected_id: int, prev: str, head_id: int, result: Verification
) -> None:
    event_id = row["id"]
    if event_id > head_id:
        result.problems.append(f"event {event_id}: inserted (id never issued by the ledger)")
    elif event_id > expected_id:
        gap = f"{expected_id}" if event_id == expected_id + 1 else f"{expected_id}..{event_id - 1}"
        result.problems.append(f"event {gap}: removed")
    elif row["prev_hash"] != prev:
        result.problems.append(
            f"event {event_id}: does not follow event {event_id - 1} "
            f"(event {event_id - 1} rewritten, or one inserted before {event_id})"
        )
    if link(row, row["prev_hash"]) != row["hash"]:
        result.problems.append(f"event {event_id}: changed (content does not match its hash)")


def _check_evidence(connection: sa.Connection, result: Verification) -> None:
    joined = sa.select(events.c.id, events.c.evidence_digest, evidence.c.body).select_from(
        events.outerjoin(evidence, evidence.c.event_id == events.c.id)
    )
    rows = connection.execute(
        joined.where(events.c.evidence_digest.is_not(None) | evidence.c.body.is_not(None))
    )
    for event_id, stored_digest, body in rows:
        if body is None:
            _missing_evidence(connection, event_id, result)
        elif stored_digest is None or digest(body) != stored_digest:
            result.problems.append(f"event {event_id}: evidence changed")


def _missing_evidence(connection: sa.Connection, event_id: int, result: Verification) -> None:
    later = events.alias("later")
    explained = connection.execute(
        sa.select(sa.func.count())
        .select_from(events.join(later, later.c.subject == events.c.subject))
        .where(
            events.c.id == event_id,
            later.c.type == "erase",
            later.c.occurred_at >= events.c.occurred_at,
        )
    ).scalar_one()
    if not explained:
        result.problems.append(f"event {event_id}: evidence removed")


__all__ = [
    "CHAINED",
    "GENESIS",
    "Verification",
    "chained_values",
    "content",
    "digest",
    "link",
    "link_values",
    "verify_chain",
]
