"""The headers that matter for compliance, decoded (RFC 2047) and forgiving.

Address and date headers go through the standard library's RFC 5322 parser
(`email.policy.default`), which raises on some malformed values; those fall back
to the older, tolerant routines and the failure becomes a defect. Plain
unstructured headers skip the parser unless they hold encoded words, which keeps
header reading cheap. Raw 8-bit header bytes are read as UTF-8, else Windows-1252.
"""

from __future__ import annotations

import email.header
import email.utils
import re
from datetime import datetime
from email.message import Message as MimeMessage

from maysend.message.charsets import windows_1252
from maysend.message.model import Address, Headers
from maysend.message.policy import READ_POLICY

_FACTORY = READ_POLICY.header_factory
_WANTED = frozenset(
    [
        "from",
        "reply-to",
        "to",
        "subject",
        "date",
        "message-id",
        "list-unsubscribe",
        "list-unsubscribe-post",
        "list-id",
        "precedence",
        "auto-submitted",
        "feedback-id",
    ]
)
_ATOM = r"[^<>\s@\",;:()\\\[\]]+"
_SIMPLE_MAILBOX = re.compile(
    rf"\s*(?:([^\"<>,;:@()\\\[\]=]*?)\s*<({_ATOM}@{_ATOM})>|({_ATOM}@{_ATOM}))\s*"
)
# The strict parser's time grows faster than linearly with a value's length: long
# values (thousands of recipients) are read with the lenient routines, huge ones cut.
STRICT_LIMIT = 2048
MAX_HEADER = 16384
_SINGLE = frozenset({"from", "subject", "date", "message-id"})  # RFC 5322: at most once


def _raw_text(value: str, name: str, defects: list[str]) -> str:
    """Unfold a raw header value, cut it if huge, recover 8-bit bytes kept as surrogates."""
    value = value.replace("\r", "").replace("\n", "")
    if len(value) > MAX_HEADER:
        defects.append(f"{name}: longer than {MAX_HEADER} characters, the rest not read")
        value = value[:MAX_HEADER]
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        raw = value.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        defects.append(f"{name}: 8-bit header not utf-8, decoded as windows-1252")
        return windows_1252(raw)


def _decoded_words(value: str, name: str, defects: list[str]) -> str:
    """RFC 2047 encoded words decoded; the value unchanged if they cannot be."""
    if "=?" not in value:
        return value.strip()
    try:
        if len(value) > STRICT_LIMIT:
            raise ValueError("too long for the strict parser")
        header = _FACTORY(name, value)
        defects.extend(f"{name}: {type(d).__name__}" for d in header.defects)
        return str(header).strip()
    except Exception as exc:  # the stdlib parser raises arbitrary errors on junk
        if len(value) <= STRICT_LIMIT:
            defects.append(f"{name}: unparseable ({type(exc).__name__})")
    try:
        return str(email.header.make_header(email.header.decode_header(value))).strip()
    except Exception:  # same: decode_header raises on malformed encoded words
        return value.strip()


def _addresses(value: str, name: str, defects: list[str]) -> tuple[Address, ...]:
    simple = _SIMPLE_MAILBOX.fullmatch(value)
    if simple is not None:  # one plain mailbox: no need for the full RFC 5322 parser
        address = simple.group(2) or simple.group(3)
        return (Address(address=address, display_name=(simple.group(1) or "").strip()),)
    try:
        if len(value) > STRICT_LIMIT:
            raise ValueError("too long for the strict parser")
        header = _FACTORY(name, value)
        defects.extend(f"{name}: {type(d).__name__}" for d in header.defects)
        pairs = [(a.display_name, a.addr_spec) for a in header.addresses]
    except Exception as exc:  # the stdlib parser raises arbitrary errors on junk
        if len(value) <= STRICT_LIMIT:
            defects.append(f"{name}: unparseable ({type(exc).__name__}), read leniently")
        pairs = [
            (_decoded_words(display, name, defects), address)
            for display, address in email.utils.getaddresses([value])
        ]
    found = tuple(
        Address(address=address.strip(), display_name=display.strip())
        for display, address in pairs
        if _usable(address.strip())
    )
    if len(found) < len(pairs):
        defects.append(f"{name}: {len(pairs) - len(found)} address(es) without a usable mailbox")
    return found


def _usable(address: str) -> bool:
    """local@domain with both sides present (the parser returns junk as addresses too)."""
    local, at, domain = address.rpartition("@")
    return bool(at and local.strip('"') and domain) and '"' not in domain and "<" not in domain


def _date(value: str, defects: list[str]) -> datetime | None:
    """The Date header as the policy reads it (RFC 5322 date-time, obsolete forms too)."""
    try:
        return email.utils.parsedate_to_datetime(value)
    except (ValueError, TypeError, IndexError, OverflowError):
        defects.append("Date: not a date")
        return None


def read_headers(mime: MimeMessage) -> tuple[Headers, list[str]]:
    """The compliance headers of `mime` and the defects found reading them."""
    defects: list[str] = []
    raw: dict[str, tuple[str, str]] = {}
    for name, value in mime.raw_items():
        key = name.lower()
        if key not in _WANTED:
            continue
        if key in raw:
            if key in _SINGLE:
                defects.append(f"duplicate {name} header, first one used")
            continue
        raw[key] = (name, _raw_text(str(value), name, defects))

    def text(key: str) -> str:
        return _decoded_words(raw[key][1], raw[key][0], defects) if key in raw else ""

    def addresses(key: str) -> tuple[Address, ...]:
        return _addresses(raw[key][1], raw[key][0], defects) if key in raw else ()

    senders = addresses("from")
    headers = Headers(
        from_=senders[0] if senders else None,
        reply_to=addresses("reply-to"),
        to=addresses("to"),
        subject=text("subject"),
        date=_date(raw["date"][1], defects) if "date" in raw else None,
        message_id=text("message-id"),
        list_unsubscribe=text("list-unsubscribe"),
        list_unsubscribe_post=text("list-unsubscribe-post"),
        list_id=text("list-id"),
        precedence=text("precedence"),
        auto_submitted=text("auto-submitted"),
        feedback_id=text("feedback-id"),
    )
    return headers, defects


__all__ = ["read_headers"]
