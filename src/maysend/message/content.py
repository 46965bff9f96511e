"""Collecting the visible content of one message from its text and HTML bodies.

Raw messages and campaign templates both end here, so a template and the mail
it becomes are read by the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from maysend.message.html_blocks import RawBlock, read_html
from maysend.message.links import classify_link
from maysend.message.model import BlockKind, Image, Link, Region
from maysend.message.plain import plain_blocks
from maysend.settings import MessageSettings

_URL = re.compile(r"(?:https?://|mailto:)", re.IGNORECASE)
_URL_END = re.compile(r"""[\s<>"'()\[\]{}]|$""")


def _starts(text: str, needle: str) -> list[int]:
    found = []
    pos = text.find(needle)
    while pos >= 0:
        found.append(pos)
        pos = text.find(needle, pos + len(needle))
    return found


def urls_in(text: str) -> list[str]:
    """http(s) and mailto addresses written in plain text, in reading order.

    The pattern only runs where "://" or "mailto:" occurs: scanning all of a long
    text with it would cost more than the rest of the plain-text reading.
    """
    starts = [max(0, pos - 5) for pos in _starts(text, "://")]
    if "mailto:" in text or "MAILTO:" in text or "Mailto:" in text:
        starts += _starts(text.lower(), "mailto:")
    found: list[str] = []
    for start in sorted(starts):
        match = _URL.search(text, start, start + 12)  # the scheme begins within 5 characters
        if match is not None:
            end = _URL_END.search(text, match.end())
            found.append(text[match.start() : end.start() if end else len(text)])
    return [url.rstrip(".,;:!?") for url in found]


@dataclass(slots=True)
class Content:
    settings: MessageSettings
    blocks: list[RawBlock] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    has_html: bool = False
    used: int = 0  # visible characters so far, against settings.max_text_chars

    def _room(self) -> int:
        return self.settings.max_text_chars - self.used

    def _take(self, blocks: list[RawBlock], truncated: bool) -> None:
        if truncated:
            self.defects.append(f"text truncated at {self.settings.max_text_chars} characters")
        self.blocks.extend(blocks)
        self.used += sum(len(text) for _, _, text in blocks)

    def _plain(self, text: str) -> tuple[list[RawBlock], bool]:
        texts, truncated = plain_blocks(text, self._room())
        return [(BlockKind.TEXT, Region.BODY, t) for t in texts], truncated

    def add_plain(self, text: str) -> None:
        """A text/plain body: paragraphs, and the URLs written in it as links."""
        blocks, truncated = self._plain(text)
        self.links.extend(classify_link(url, "") for url in urls_in(text))
        self._take(blocks, truncated)

    def add_html(
        self, html: str, fallback: Callable[[], str] | None = None, *, want_title: bool = False
    ) -> str:
        """An HTML body; its plain alternative is read only if the HTML shows no text.

        Returns the document's <title> when `want_title` (templates take their subject from it).
        """
        self.has_html = True
        found = read_html(html, self.settings, budget=self._room(), want_title=want_title)
        self.links.extend(found.links)
        self.images.extend(found.images)
        self.defects.extend(found.defects)
        if found.blocks or fallback is None:
            self._take(found.blocks, found.truncated)
        else:
            self._take(*self._plain(fallback()))
        return found.title


__all__ = ["Content"]
