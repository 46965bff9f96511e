"""The readable pieces of a message, each with the place evidence will name.

Subject, preheader, body and footer blocks, link anchor texts and image alt
texts are read separately so that every hit says where it was
(`subject`, `preheader`, `body:N`, `footer:N`, `link:N`, `image_alt:N`).
A body block that is a link's whole anchor (a button, a "New in: autumn
knitwear" line under a notice) is read once, as the block it is, and is also
a link: indicators that count in links count there too (`Segment.is_link`).
A character budget bounds the work on huge messages; what is cut is flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from maysend.classify.indicators import Where
from maysend.message.model import LinkKind, Message, Region

_REGION = {Region.PREHEADER: Where.PREHEADER, Region.BODY: Where.BODY, Region.FOOTER: Where.FOOTER}


class Segment(NamedTuple):
    """One readable piece. A tuple rather than a frozen dataclass: a message has a
    hundred or more of them, and a frozen dataclass costs several times more to build."""

    where: str  # what Evidence.where reports
    part: Where
    text: str
    order: int  # reading order; the subject comes first
    link_kind: LinkKind | None = None
    href: str = ""
    is_link: bool = False  # a body block that is a link's whole anchor text


@dataclass(frozen=True, slots=True)
class Segments:
    items: tuple[Segment, ...]
    truncated: bool

    @property
    def readable(self) -> tuple[Segment, ...]:
        """Text a reader sees as content: everything but link and image-alt duplicates."""
        return tuple(s for s in self.items if s.part not in {Where.LINK, Where.IMAGE_ALT})


# A block that holds an amount and nothing else ("-£5.00", "−0,59 €", "£17.85", "-10 %", "free",
# "inklusive"): the value
# of a receipt or bill row (a table cell, or a line of its own), read together with the block
# before it (the row's label), so that "Spring Sale (15% off boots)" is read as the line it is,
# an amount taken off, by the rules and by the model alike.
_AMOUNT = re.compile(
    r"[-−–]? ?(?:[€£$¥]|eur|chf|gbp|usd)? ?[-−]?\d[\d.,' ]*(?:[€£$¥%]|eur|euro|chf|gbp|usd)?"
    r"|free|included|kostenlos|gratis|inklusive|inkl\.?",  # a row's price written as a word
    re.IGNORECASE,
)
_AMOUNT_CHARS = 32  # longer blocks are never only an amount: no regex needed


def _block_where(region: Region, index: int) -> str:
    return "preheader" if region is Region.PREHEADER else f"{region.value}:{index}"


def segments_of(message: Message, budget: int) -> Segments:
    """Cut `message` into segments, reading at most `budget` characters of text."""
    items: list[Segment] = []
    used = 0
    truncated = False

    def take(text: str) -> str:
        nonlocal used, truncated
        room = budget - used
        if len(text) > room:
            truncated = True
            text = text[: max(room, 0)]
        used += len(text)
        return text

    if message.subject.strip():
        items.append(Segment("subject", Where.SUBJECT, take(message.subject), -1))
    after_block = False  # the last segment is a block's (not the subject)
    anchors = {link.text.strip() for link in message.links}
    for block in message.blocks:
        text = take(block.text)
        if not text.strip():
            continue
        part = _REGION[block.region]
        if (
            after_block
            and len(text) <= _AMOUNT_CHARS
            and items[-1].part is part
            and _AMOUNT.fullmatch(text.strip())
        ):
            items[-1] = items[-1]._replace(text=f"{items[-1].text} {text.strip()}")
            continue
        where = _block_where(block.region, block.index)
        is_link = part is Where.BODY and text.strip() in anchors
        items.append(Segment(where, part, text, block.index, is_link=is_link))
        after_block = True
    blocks = {b.text for b in message.blocks} if message.links else set()
    body = message.text if message.links else ""
    for i, link in enumerate(message.links):
        anchor = link.text.strip()
        # An anchor already read as part of a block is not read twice (most anchors are a
        # whole block, a set look-up; the rest are searched for in the text).
        text = take(anchor) if anchor and anchor not in blocks and anchor not in body else ""
        if text or link.kind in {LinkKind.APP_STORE, LinkKind.SOCIAL}:
            items.append(Segment(f"link:{i}", Where.LINK, text, 10**6 + i, link.kind, link.href))
    for i, image in enumerate(message.images):
        alt = take(image.alt.strip())
        if alt:
            items.append(Segment(f"image_alt:{i}", Where.IMAGE_ALT, alt, 2 * 10**6 + i))
    return Segments(tuple(items), truncated)


__all__ = ["Segment", "Segments", "segments_of"]
