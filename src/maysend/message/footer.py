"""Best-effort footer: the trailing blocks that carry opt-out, address and legal lines.

The footer matters as evidence: an unsubscribe line there is expected, an offer
there is still an offer. Cues are data (footer.yaml, English and German).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from maysend.errors import ConfigError
from maysend.message.lexicon import any_of, load_data

_FILE = "footer.yaml"
TRAILING = 15  # blocks examined from the end
SHORT = 80  # a block without a cue this short may sit among footer lines
GAP = 3  # ... but no more than this many in a row


def _groups(data: dict[str, Any], key: str) -> list[str]:
    groups = data.get(key)
    if not isinstance(groups, dict):
        raise ConfigError(f"'{key}' must map a group to a list", file=_FILE)
    items: list[str] = []
    for group, values in groups.items():
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ConfigError(f"'{key}' group '{group}' must be a list of strings", file=_FILE)
        items.extend(values)
    return items


@dataclass(frozen=True, slots=True)
class FooterCues:
    words: tuple[str, ...]  # substrings of the lower-cased text
    patterns: re.Pattern[str]  # on the lower-cased text
    exact: re.Pattern[str]  # on the text as written


@cache
def footer_cues() -> FooterCues:
    data = load_data(_FILE)
    return FooterCues(
        words=tuple(word.lower() for word in _groups(data, "words")),
        patterns=any_of(_groups(data, "patterns"), _FILE, flags=0),
        exact=any_of(_groups(data, "exact_patterns"), _FILE, flags=0),
    )


def is_footer_line(text: str) -> bool:
    cues = footer_cues()
    low = text.lower()
    return (
        any(word in low for word in cues.words)
        or cues.patterns.search(low) is not None
        or cues.exact.search(text) is not None
    )


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


__all__ = ["FooterCues", "footer_cues", "footer_start", "is_footer_line"]
