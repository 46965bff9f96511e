"""text/plain to blocks: one block per paragraph (text between blank lines).

A signature separator line ("-- ", RFC 3676) starts a block of its own, so the
footer finder can see where the signature begins.
"""

from __future__ import annotations

import re

_PARAGRAPHS = re.compile(r"\n[ \t\r\f\v]*\n|\n(?=-- ?\r?\n)")
# Characters no reader sees: controls, zero-width padding, and lone surrogates.
_UNSEEN = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f\u00ad\u034f\u180e\u200b-\u200d\u2060\ufeff\ud800-\udfff]"
)


def plain_blocks(text: str, budget: int) -> tuple[list[str], bool]:
    """Paragraph texts with whitespace collapsed; True if the text budget ran out."""
    blocks: list[str] = []
    used = 0
    for paragraph in _PARAGRAPHS.split(_UNSEEN.sub("", text)):
        line = " ".join(paragraph.split())
        if line:
            blocks.append(line)
            used += len(line)
            if used > budget:
                return blocks, True
    return blocks, False


__all__ = ["plain_blocks"]
