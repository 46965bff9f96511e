"""The MIME tree: which parts are the body a reader sees, which are attachments.

In a multipart/alternative the richest version is the body (HTML over plain
text); the plain one is kept beside it, read in full should the HTML show no
text and otherwise for what only it says (`Content.add_html`). An
attached message (message/rfc822) is listed, never read as the body. Walking is
iterative, so no nesting depth can exhaust the stack, and an attachment larger
than `max_decode_size` is sized from its encoded length instead of decoded.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass, field
from email.message import Message as MimeMessage

from maysend.message.model import Attachment
from maysend.message.policy import LONGEST_MIME_HEADER, READ_POLICY
from maysend.settings import MessageSettings

_BODY_TYPES = frozenset({"text/plain", "text/html"})
_ATTACHED_MESSAGES = frozenset({"message/rfc822", "message/global"})
_MEDIA_TYPE = re.compile(r"[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+")
_CHARSET = re.compile(r"""\bcharset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)
_BOUNDARY_LINE = re.compile(r"^--([^\s\"\\-][^\s\"\\]{0,69})[ \t]*\r?$", re.MULTILINE)


@dataclass(slots=True)
class Body:
    """A part whose text becomes blocks."""

    part: MimeMessage
    is_html: bool
    fallback: MimeMessage | None = None  # the plain alternative (see Content.add_html)


@dataclass(slots=True)
class Structure:
    bodies: list[Body] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    parts: list[MimeMessage] = field(default_factory=list)  # every part visited

    def mime_defects(self) -> list[str]:
        """The stdlib's defects of every visited part, by class name (read after decoding)."""
        return [type(defect).__name__ for part in self.parts for defect in part.defects]


@dataclass(slots=True)
class _Visit:
    part: MimeMessage
    is_body: bool  # may this part be body text (or is it a resource, an attachment)?
    fallback: MimeMessage | None = None
    salvaged: bool = False


def _raw_header(part: MimeMessage, name: str) -> str | None:
    """A header's raw value without building the policy's header object (which is slow)."""
    for key, value in part.raw_items():
        if key.lower() == name:
            return str(value)
    return None


def content_type(part: MimeMessage) -> str:
    """The part's media type; text/plain when it is invalid, as RFC 2045 says."""
    raw = _raw_header(part, "content-type")
    if raw is None:
        return part.get_default_type()
    kind = raw.partition(";")[0].partition("(")[0].strip().lower()
    return kind if _MEDIA_TYPE.fullmatch(kind) else "text/plain"


def charset_label(part: MimeMessage) -> str | None:
    """The declared charset parameter, if any."""
    found = _CHARSET.search(_raw_header(part, "content-type") or "")
    return found.group(1) if found else None


def _is_attachment(part: MimeMessage) -> bool:
    if "content-disposition" not in part:
        return False
    try:
        disposition = part.get_content_disposition()
        filename = part.get_filename()
    except Exception:  # unparseable disposition: treat the part as content
        return False
    return disposition == "attachment" or (filename is not None and disposition != "inline")


def payload_of(part: MimeMessage) -> list[MimeMessage] | str:
    """The parts of a container, or the still-encoded text of a leaf.

    The stdlib re-decodes 8-bit payloads with the declared charset here, and a
    charset label it cannot even look up (one with a NUL) raises; such a payload
    reads as empty and its bytes are still decoded, as body text, elsewhere.
    """
    if part.is_multipart():
        found = part.get_payload()
        return [p for p in found if isinstance(p, MimeMessage)] if isinstance(found, list) else []
    try:
        payload = part.get_payload()
    except (ValueError, LookupError, UnicodeError):
        return ""
    return payload if isinstance(payload, str) else ""


def _leaves(part: MimeMessage) -> list[MimeMessage]:
    """All non-container parts below `part` (message/* included), iteratively."""
    found: list[MimeMessage] = []
    stack = [part]
    while stack:
        current = stack.pop()
        payload = payload_of(current)
        if isinstance(payload, list):
            stack.extend(reversed(payload))
        else:
            found.append(current)
    return found


def _rank(part: MimeMessage) -> tuple[int, MimeMessage | None]:
    """2 if the alternative holds HTML, 1 plain text, 0 neither; and its plain part."""
    rank, plain = 0, None
    for leaf in _leaves(part):
        kind = content_type(leaf)
        if kind == "text/html" and not _is_attachment(leaf):
            rank = 2
        elif kind == "text/plain" and not _is_attachment(leaf):
            rank, plain = max(rank, 1), plain or leaf
    return rank, plain


def _choose(children: list[MimeMessage]) -> tuple[MimeMessage | None, MimeMessage | None]:
    """The last richest alternative, and a plain-text alternative to fall back on."""
    best: MimeMessage | None = None
    best_rank = -1
    fallback: MimeMessage | None = None
    for child in children:
        rank, plain = _rank(child)
        if rank >= best_rank:
            best, best_rank = child, rank
        if rank == 1:
            fallback = plain
    return best, fallback if best_rank == 2 else None


def _encoded_size(part: MimeMessage) -> int:
    payload = payload_of(part)
    if not isinstance(payload, str):
        return 0
    cte = str(part.get("content-transfer-encoding", "")).strip().lower()
    if cte == "base64":
        return (len(payload) - payload.count("\n") - payload.count("\r")) * 3 // 4
    return len(payload)


def _attachment(part: MimeMessage, kind: str, settings: MessageSettings) -> Attachment:
    try:
        filename = part.get_filename() or ""
    except Exception:  # malformed RFC 2231 parameters
        filename = ""
    if kind in _ATTACHED_MESSAGES or part.is_multipart():
        size = sum(_encoded_size(leaf) for leaf in _leaves(part))
        return Attachment(filename, kind, size, is_message=kind in _ATTACHED_MESSAGES)
    size = _encoded_size(part)
    if size <= settings.max_decode_size:
        try:
            decoded = part.get_payload(decode=True)
        except (ValueError, LookupError, UnicodeError):  # not expected; keep the estimate
            decoded = None
        size = len(decoded) if isinstance(decoded, bytes) else size
    return Attachment(filename, kind, size)


def _salvage(part: MimeMessage, kind: str) -> MimeMessage | None:
    """Re-read a multipart whose boundary is missing, guessing it from the first delimiter."""
    payload = payload_of(part)
    found = _BOUNDARY_LINE.search(payload) if isinstance(payload, str) else None
    if found is None:
        return None
    try:
        head = f'Content-Type: {kind}; boundary="{found.group(1)}"\r\n\r\n'.encode()
        body = payload.encode("ascii", "surrogateescape") if isinstance(payload, str) else b""
    except UnicodeEncodeError:
        return None
    try:
        return email.message_from_bytes(head + body, policy=READ_POLICY)
    except RecursionError:
        return None


def _container(visit: _Visit, kind: str, children: list[MimeMessage], stack: list[_Visit]) -> None:
    """Queue a multipart's children, deciding which of them may be body text."""
    if kind == "multipart/alternative" and visit.is_body:
        chosen, fallback = _choose(children)
        if chosen is not None:
            stack.append(_Visit(chosen, True, fallback))
        return
    for index in range(len(children) - 1, -1, -1):
        # In multipart/related only the root (first) part is content; the rest are resources.
        is_body = visit.is_body and (kind != "multipart/related" or index == 0)
        stack.append(_Visit(children[index], is_body, visit.fallback))


def _visit(visit: _Visit, out: Structure, stack: list[_Visit], settings: MessageSettings) -> None:
    part = visit.part
    kind = content_type(part)
    if len(_raw_header(part, "content-type") or "") > LONGEST_MIME_HEADER:
        out.defects.append(f"{kind} Content-Type too long: parameters past the limit ignored")
    payload = payload_of(part)
    if kind.startswith("multipart/"):
        if isinstance(payload, list):
            _container(visit, kind, payload, stack)
            return
        salvaged = None if visit.salvaged else _salvage(part, kind)
        if salvaged is not None:
            out.defects.append(f"{kind} without a usable boundary: boundary guessed from body")
            stack.append(_Visit(salvaged, visit.is_body, visit.fallback, salvaged=True))
        elif visit.is_body:
            out.defects.append(f"{kind} without a usable boundary: read as plain text")
            out.bodies.append(Body(part, is_html=False))
        return
    if visit.is_body and kind in _BODY_TYPES and not _is_attachment(part):
        is_html = kind == "text/html"
        out.bodies.append(Body(part, is_html, visit.fallback if is_html else None))
        return
    out.attachments.append(_attachment(part, kind, settings))


def read_structure(root: MimeMessage, settings: MessageSettings) -> Structure:
    """Body parts and attachments of `root`, with every part's MIME defects."""
    out = Structure()
    stack = [_Visit(root, True)]
    while stack:
        visit = stack.pop()
        out.parts.append(visit.part)
        _visit(visit, out, stack, settings)
    return out


__all__ = ["Body", "Structure", "charset_label", "content_type", "payload_of", "read_structure"]
