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
_WORD = re.compile(r"[^\W\d_]{2,}")  # words of two letters or more: what a reader reads
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
    unseen: list[RawBlock] = field(default_factory=list)  # only in the plain alternative
    links: list[Link] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    has_html: bool = False
    used: int = 0  # visible characters so far, against settings.max_text_chars

    def _room(self) -> int:
        return self.settings.max_text_chars - self.used

    def _take(
        self, blocks: list[RawBlock], truncated: bool, into: list[RawBlock] | None = None
    ) -> None:
        """Keep `blocks` (in the body, or `into`), spending the text budget on them."""
        if truncated:
            self.defects.append(f"text truncated at {self.settings.max_text_chars} characters")
        (self.blocks if into is None else into).extend(blocks)
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
        """An HTML body; its plain alternative in full if the HTML shows no text, else only
        the paragraphs that say what the HTML does not (`_take_unseen`).

        Returns the document's <title> when `want_title` (templates take their subject from it).
        """
        self.has_html = True
        found = read_html(html, self.settings, budget=self._room(), want_title=want_title)
        self.links.extend(found.links)
        self.images.extend(found.images)
        self.defects.extend(found.defects)
        if found.blocks or fallback is None:
            self._take(found.blocks, found.truncated)
            if fallback is not None:
                self._take_unseen(fallback(), found.blocks, found.links, found.images)
        else:
            self._take(*self._plain(fallback()))
        return found.title

    def _take_unseen(
        self, plain: str, shown: list[RawBlock], links: list[Link], images: list[Image]
    ) -> None:
        """The paragraphs of the plain alternative that say something the HTML does not.

        A reader whose client shows the plain version reads them, so a promotion
        placed only there ("Follow us on Instagram" under an HTML footer of bare
        icons) counts. A paragraph is new when it has a word that occurs nowhere in
        the HTML's text, link texts and addresses or image alt texts; the usual
        plain rendering of the same mail (wrapped lines, bracketed URLs) adds none.
        """
        shown_text = " ".join(
            [
                *(text for _, _, text in shown),
                *(f"{link.text} {link.href}" for link in links),
                *(image.alt for image in images),
            ]
        )
        seen = set(_WORD.findall(shown_text.lower()))
        within = len(plain) <= self.settings.max_text_chars  # else the cut must be reported
        if within and seen.issuperset(_WORD.findall(_without_urls(plain).lower())):
            return  # a mirror (the usual case): nothing to split into paragraphs
        # The whole plain version is compared, not only what is left of the text budget: a
        # mirror of a long HTML body must not read as text cut off. Only new paragraphs
        # spend the budget; one that no longer fits is the cut.
        texts, truncated = plain_blocks(plain, self.settings.max_text_chars)
        room = self._room()
        unseen: list[RawBlock] = []
        for text in texts:
            if seen.issuperset(_WORD.findall(_without_urls(text).lower())):
                continue
            if len(text) > room:
                truncated = True
                break
            unseen.append((BlockKind.TEXT, Region.BODY, text))
            room -= len(text)
        self._take(unseen, truncated, into=self.unseen)


def _without_urls(text: str) -> str:
    for url in urls_in(text):
        text = text.replace(url, " ")
    return text


__all__ = ["Content"]
