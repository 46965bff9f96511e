"""Raw RFC 5322 / MIME bytes to a Message.

Nothing here raises on a damaged message that can still be read: what was wrong
goes into `Message.defects` (the stdlib's own defects by class name, and
maysend's in words). Only input that is too large, or holds neither headers nor
any readable text, raises a MessageError.
"""

from __future__ import annotations

import email
import email.parser
from email.message import Message as MimeMessage
from functools import cache

from maysend.errors import MessageTooLarge, UnreadableMessage
from maysend.message.assemble import blocks_with_footer, merge_tags_of
from maysend.message.charsets import decode_text
from maysend.message.content import Content
from maysend.message.headers import read_headers
from maysend.message.model import Message, SourceKind
from maysend.message.parts import Body, Structure, charset_label, read_structure
from maysend.message.policy import READ_POLICY
from maysend.settings import MessageSettings

MAX_BODIES = 100  # body parts read; a message with more is broken or hostile


@cache
def default_settings() -> MessageSettings:
    """Settings from the environment, read once (parsing must not pay for it per message)."""
    return MessageSettings()


def _read_mime(data: bytes) -> tuple[MimeMessage, Structure | None, list[str]]:
    policy = READ_POLICY
    try:
        return email.message_from_bytes(data, policy=policy), None, []
    except RecursionError:
        head = email.parser.BytesParser(policy=policy).parsebytes(data, headersonly=True)
        return head, Structure(), ["MIME nesting too deep: body not read"]


def _part_text(part: MimeMessage, defects: list[str]) -> str:
    try:
        data = part.get_payload(decode=True)
    except (ValueError, LookupError, UnicodeError) as exc:  # not expected; never fatal
        defects.append(f"body part not decodable ({type(exc).__name__})")
        data = b""
    text, found = decode_text(data if isinstance(data, bytes) else b"", charset_label(part))
    defects.extend(found)
    return text


def _read_body(body: Body, content: Content) -> None:
    text = _part_text(body.part, content.defects)
    if not body.is_html:
        content.add_plain(text)
        return
    plain = body.fallback
    content.add_html(text, None if plain is None else lambda: _part_text(plain, content.defects))


def _checked(data: object, settings: MessageSettings) -> bytes:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise UnreadableMessage("a raw message must be bytes", given=type(data).__name__)
    raw = bytes(data)
    if len(raw) > settings.max_size:
        raise MessageTooLarge(
            "message exceeds the size limit", size=len(raw), limit=settings.max_size
        )
    if not raw.strip():
        raise UnreadableMessage("empty input: no headers and no text", size=len(raw))
    return raw


def parse_bytes(data: bytes, *, settings: MessageSettings | None = None) -> Message:
    """Parse one raw message. Raises MessageTooLarge or UnreadableMessage, nothing else."""
    settings = settings or default_settings()
    raw = _checked(data, settings)
    mime, structure, defects = _read_mime(raw)
    headers, header_defects = read_headers(mime)
    structure = structure or read_structure(mime, settings)
    content = Content(settings)
    for body in structure.bodies[:MAX_BODIES]:
        _read_body(body, content)
    if len(structure.bodies) > MAX_BODIES:
        defects.append(f"more than {MAX_BODIES} body parts: the rest not read")
    if not mime.keys() and not content.blocks:
        raise UnreadableMessage("no headers and no readable text", size=len(raw))
    found = defects + header_defects + structure.defects + content.defects
    blocks = blocks_with_footer(content.blocks, content.unseen)
    return Message(
        headers=headers,
        blocks=blocks,
        links=tuple(content.links),
        images=tuple(content.images),
        attachments=tuple(structure.attachments),
        defects=tuple(dict.fromkeys(found + structure.mime_defects())),
        source=SourceKind.MIME,
        size=len(raw),
        has_html=content.has_html,
        merge_tags=merge_tags_of(headers.subject, blocks, content.links, content.images),
    )


__all__ = ["default_settings", "parse_bytes"]
