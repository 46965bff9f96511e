"""Best-effort footer: the trailing blocks that carry opt-out, address and legal lines.

The footer matters as evidence: an unsubscribe line there is expected, an offer
there is still an offer. Cues are data (footer.yaml, English and German).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from maysend.errors import ConfigError
from maysend.message.lexicon import any_of, load_data

_FILE = "footer.yaml"
TRAILING = 15  # blocks examined from the end
SHORT = 80  # a block without a cue this short may sit among footer lines
GAP = 3  # ... but no more than this many in a row


def _patterns(data: dict[str, Any], key: str) -> re.Pattern[str]:
    groups = data.get(key)
    if not isinstance(groups, dict):
        raise ConfigError(f"'{key}' must map a group to a list of patterns", file=_FILE)
    patterns: list[str] = []
    for group, items in groups.items():
        if not isinstance(items, list) or not all(isinstance(p, str) for p in items):
            raise ConfigError(f"'{key}' group '{group}' must be a list of strings", file=_FILE)
        patterns.extend(items)
    return any_of(patterns, _FILE, flags=0)


@cache
def footer_cues() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(cues for lower-cased text, cues for text as written)."""
    data = load_data(_FILE)
    return _patterns(data, "cues"), _patterns(data, "exact_cues")


def is_footer_line(text: str) -> bool:
    lower, exact = footer_cues()
    return lower.search(text.lower()) is not None or exact.search(text) is not None


def footer_start(texts: Sequence[str], first: int) -> int | None:
    """Index of the first footer block, never before `first`; None when there is none."""
    start: int | None = None
    gap = 0
    for i in range(len(texts) - 1, max(first, len(texts) - TRAILING) - 1, -1):
        text = texts[i]
        if is_footer_line(text):
            start, gap = i, 0
        elif len(text) <= SHORT and gap < GAP:
            gap += 1
        else:
            break
    return start


__all__ = ["footer_cues", "footer_start", "is_footer_line"]
