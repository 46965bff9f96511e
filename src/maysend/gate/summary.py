"""What a gate run found, counted: the printed summary and summary.json."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb


@dataclass(frozen=True, slots=True)
class Counts:
    """Recipient counts after normalisation and de-duplication."""

    audience_rows: int
    rejected: int
    duplicates: int
    recipients: int
    by_action: dict[str, int] = field(default_factory=dict)
    by_reason: dict[str, int] = field(default_factory=dict)
    by_jurisdiction: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "audience_rows": self.audience_rows,
            "rejected": self.rejected,
            "duplicates_removed": self.duplicates,
            "recipients": self.recipients,
            "by_action": self.by_action,
            "by_reason": self.by_reason,
            "by_jurisdiction": self.by_jurisdiction,
        }


def read_counts(con: duckdb.DuckDBPyConnection, *, broken_rows: int) -> Counts:
    """Count from the engine's `audience`, `slow` and `decided` tables."""
    rows = _scalar(con, "SELECT count(*) FROM audience") + broken_rows
    rejected = _scalar(con, "SELECT count(*) FROM slow WHERE addr IS NULL") + broken_rows
    recipients = _scalar(con, "SELECT count(*) FROM decided")
    duplicates = _scalar(con, "SELECT coalesce(sum(copies - 1), 0) FROM decided")
    grouped = con.execute(
        "SELECT action, reason_code, jurisdiction, count(*) FROM decided GROUP BY ALL"
    ).fetchall()
    return tally(rows, rejected, duplicates, recipients, grouped)


def tally(
    rows: int,
    rejected: int,
    duplicates: int,
    recipients: int,
    grouped: list[tuple[Any, ...]],
) -> Counts:
    """Counts from (action, reason, jurisdiction, n) groups, in a stable order."""
    by_action: dict[str, int] = {}
    by_reason: dict[str, int] = {}
    by_jurisdiction: dict[str, dict[str, int]] = {}
    for action, reason, jurisdiction, n in sorted(grouped, key=lambda g: (-g[3], g[:3])):
        by_action[action] = by_action.get(action, 0) + n
        by_reason[reason] = by_reason.get(reason, 0) + n
        per = by_jurisdiction.setdefault(jurisdiction or "none", {})
        per[action] = per.get(action, 0) + n
    return Counts(rows, rejected, duplicates, recipients, by_action, by_reason, by_jurisdiction)


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0
