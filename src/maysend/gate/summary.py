"""What a gate run found, counted: the printed summary and summary.json."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


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


def combination_groups(
    combinations: Sequence[Mapping[str, Any]], outcomes: Sequence[Mapping[str, Any]]
) -> list[tuple[Any, ...]]:
    """(action, reason, jurisdiction, recipients, copies) per combination of facts: the counts
    come from the pass that found the combinations, so no pass over the recipients is added."""
    return [
        (o["action"], o["reason_code"], o["jurisdiction"], c["recipients"], c["copies"])
        for c, o in zip(combinations, outcomes, strict=True)
    ]


def from_groups(groups: list[tuple[Any, ...]], rejected: int) -> Counts:
    """Counts from (action, reason, jurisdiction, recipients, copies) groups: every audience row
    was rejected, a copy, or a recipient."""
    recipients = sum(int(g[3]) for g in groups)
    duplicates = sum(int(g[4] or 0) for g in groups)
    rows = recipients + duplicates + rejected
    return tally(rows, rejected, duplicates, recipients, [tuple(g[:4]) for g in groups])


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
