"""patterns.yaml tests itself: every group's `match` and `no_match` examples."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from maysend.policy.checks import PATTERN_GROUPS, matches

from .factory import config

PATTERNS = yaml.safe_load(
    (Path(__file__).parents[2] / "src/maysend/policy/patterns.yaml").read_text(encoding="utf-8")
)
POLICY = config()
EXAMPLES = [
    (group, text, expected)
    for group, spec in PATTERNS.items()
    for expected, key in ((True, "match"), (False, "no_match"))
    for text in spec[key]
]


@pytest.mark.parametrize(
    ("group", "text", "expected"),
    EXAMPLES,
    ids=[f"{g}:{'+' if e else '-'}:{t[:30]}" for g, t, e in EXAMPLES],
)
def test_pattern_examples(group: str, text: str, expected: bool) -> None:
    assert matches(POLICY, group, text) is expected


def test_every_group_has_both_kinds_of_example() -> None:
    assert set(PATTERNS) == PATTERN_GROUPS
    assert all(spec["match"] and spec["no_match"] for spec in PATTERNS.values())
