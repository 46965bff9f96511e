"""text/plain to blocks: one block per paragraph (text between blank lines).

A signature separator line ("-- ", RFC 3676) starts a block of its own, so the
footer finder can see where the signature begins.
"""

from __future__ import annotations

import re

from maysend.message.visible import visible_line

_PARAGRAPHS = re.compile(r"\n[ \t\r\f\v]*\n|\n(?=-- ?\r?\n)")


def plain_blocks(text: str, budget: int) -> tuple[list[str], bool]:
    """Paragraph texts with whitespace collapsed; True if the text budget ran out."""
    blocks: list[str] = []
    used = 0
    for paragraph in _PARAGRAPHS.split(text):
        line = visible_line(paragraph)
        if line:
            blocks.append(line)
            used += len(line)
            if used > budget:
                return blocks, True
    return blocks, False


__all__ = ["plain_blocks"]
