"""Putting the pieces together: block indexes, the footer region, merge tags.

Shared by raw messages and campaign templates so both come out the same shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from maysend.message.footer import footer_start
from maysend.message.html_blocks import RawBlock
from maysend.message.model import Block, Image, Link, Region

# Merge tags of the common sending tools: {{first_name}}, *|FNAME|*, %%name%%.
_MERGE_TAG = re.compile(
    r"\{\{\s*[^{}\n]{1,64}?\s*\}\}|\*\|[A-Za-z0-9_:. -]{1,64}\|\*|%%[A-Za-z0-9_.:-]{1,64}%%"
)
_OPENERS = ("{{", "*|", "%%")


def blocks_with_footer(*runs: list[RawBlock]) -> tuple[Block, ...]:
    """Number the blocks of `runs`, one after another, and give each run's trailing footer
    blocks the FOOTER region: a footer is found within the text it ends (the HTML body, then
    what only the plain alternative says), not only at the very end of the message."""
    regions: list[Region] = []
    for raw in runs:
        regions.extend(_regions(raw))
    every = [block for raw in runs for block in raw]
    return tuple(
        Block(i, kind, text, region)
        for i, ((kind, _, text), region) in enumerate(zip(every, regions, strict=True))
    )


def _regions(raw: list[RawBlock]) -> list[Region]:
    first_body = next((i for i, (_, region, _) in enumerate(raw) if region is Region.BODY), None)
    start = None
    if first_body is not None:
        start = footer_start([text for _, _, text in raw], first_body + 1)
    footer_from = len(raw) if start is None else start
    body, footer = Region.BODY, Region.FOOTER
    return [
        footer if i >= footer_from and region is body else region
        for i, (_, region, _) in enumerate(raw)
    ]


def merge_tags_in(texts: Iterable[str]) -> tuple[str, ...]:
    """Distinct merge tags in order of first appearance, exactly as written."""
    found: dict[str, None] = {}
    for text in texts:
        if any(opener in text for opener in _OPENERS):
            found.update(dict.fromkeys(_MERGE_TAG.findall(text)))
    return tuple(found)


def merge_tags_of(
    subject: str, blocks: Iterable[Block], links: Iterable[Link], images: Iterable[Image]
) -> tuple[str, ...]:
    """Merge tags where a reader or a click would meet them: subject, text, links, images."""
    texts = [subject, *(b.text for b in blocks), *(link.href for link in links)]
    texts += [f"{image.src} {image.alt}" for image in images]
    return merge_tags_in(["\n".join(texts)])


__all__ = ["blocks_with_footer", "merge_tags_in", "merge_tags_of"]
