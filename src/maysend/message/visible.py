"""Text as a reader sees it: whitespace collapsed, invisible characters gone.

Senders pad preheaders with zero-width characters and junk can carry control
characters; neither is text anyone reads, and neither should reach evidence.
"""

from __future__ import annotations

import re

# Controls (C0 but the whitespace ones, DEL, C1), soft hyphen, zero-width and
# direction marks, byte-order mark, and lone surrogates from undecodable input.
_UNSEEN = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff]"
)


def visible_line(text: str) -> str:
    """One line of visible text; printable text (nearly all of it) takes the fast path."""
    line = " ".join(text.split())
    if line.isprintable():
        return line
    return " ".join(_UNSEEN.sub("", line).split())


__all__ = ["visible_line"]
