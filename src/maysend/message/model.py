"""The immutable Message model: what maysend knows about one email.

Everything downstream (classifier, policy checks, gate, audit) reads this model
and never the raw bytes, so the parser is the one place that deals with MIME,
charsets and HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class BlockKind(StrEnum):
    """The visual role of a block of visible text."""

    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    TABLE_CELL = "table_cell"
    BUTTON = "button"
    TEXT = "text"  # a plain-text part's paragraph, or loose HTML text


class Region(StrEnum):
    """Where in the message a block sits; evidence reports it."""

    PREHEADER = "preheader"
    BODY = "body"
    FOOTER = "footer"


class LinkKind(StrEnum):
    UNSUBSCRIBE = "unsubscribe"
    APP_STORE = "app_store"
    SOCIAL = "social"
    TRACKING = "tracking"
    MAILTO = "mailto"
    WEB = "web"


class SourceKind(StrEnum):
    MIME = "mime"
    TEMPLATE = "template"


@dataclass(frozen=True, slots=True)
class Address:
    """A parsed mailbox: display name, address and its domain (lower-cased)."""

    address: str
    display_name: str = ""

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2].lower()


@dataclass(frozen=True, slots=True)
class Headers:
    """The headers that matter for compliance, decoded (RFC 2047)."""

    from_: Address | None = None
    reply_to: tuple[Address, ...] = ()
    to: tuple[Address, ...] = ()
    subject: str = ""
    date: datetime | None = None
    message_id: str = ""
    list_unsubscribe: str = ""
    list_unsubscribe_post: str = ""
    list_id: str = ""
    precedence: str = ""
    auto_submitted: str = ""
    feedback_id: str = ""


@dataclass(frozen=True, slots=True)
class Block:
    """One block of visible text, in reading order."""

    index: int
    kind: BlockKind
    text: str
    region: Region = Region.BODY


@dataclass(frozen=True, slots=True)
class Link:
    href: str
    text: str
    domain: str
    kind: LinkKind


@dataclass(frozen=True, slots=True)
class Image:
    src: str
    alt: str


@dataclass(frozen=True, slots=True)
class Attachment:
    """A part that is not body text; large parts are sized, not decoded."""

    filename: str
    content_type: str
    size: int
    is_message: bool = False  # an attached message/rfc822


@dataclass(frozen=True, slots=True)
class Message:
    """One email or campaign template, parsed."""

    headers: Headers
    blocks: tuple[Block, ...] = ()
    links: tuple[Link, ...] = ()
    images: tuple[Image, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    defects: tuple[str, ...] = ()
    source: SourceKind = SourceKind.MIME
    size: int = 0
    has_html: bool = False
    merge_tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def subject(self) -> str:
        return self.headers.subject

    @property
    def preheader(self) -> str:
        return " ".join(b.text for b in self.blocks if b.region is Region.PREHEADER)

    @property
    def body_blocks(self) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.region is Region.BODY)

    @property
    def footer_blocks(self) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.region is Region.FOOTER)

    @property
    def text(self) -> str:
        """All visible text, one block per line."""
        return "\n".join(b.text for b in self.blocks)
