"""Email in, an immutable Message out: headers, visible blocks, links, images, defects.

Raw MIME (bytes, .eml, mbox) and campaign templates (subject plus HTML/text, or a
template file) come out the same shape, so everything downstream reads one model.
"""

from __future__ import annotations

from maysend.message.mime import parse_bytes
from maysend.message.model import (
    Address,
    Attachment,
    Block,
    BlockKind,
    Headers,
    Image,
    Link,
    LinkKind,
    Message,
    Region,
    SourceKind,
)
from maysend.message.serial import message_to_dict
from maysend.message.sources import iter_mbox, load_message, parse_file
from maysend.message.template import parse_template

__all__ = [
    "Address",
    "Attachment",
    "Block",
    "BlockKind",
    "Headers",
    "Image",
    "Link",
    "LinkKind",
    "Message",
    "Region",
    "SourceKind",
    "iter_mbox",
    "load_message",
    "message_to_dict",
    "parse_bytes",
    "parse_file",
    "parse_template",
]
