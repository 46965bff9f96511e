"""A Message as plain JSON-ready data (for `maysend parse --json` and the API)."""

from __future__ import annotations

from typing import Any

from maysend.message.model import Address, Message


def _address(address: Address | None) -> dict[str, str] | None:
    if address is None:
        return None
    return {
        "address": address.address,
        "display_name": address.display_name,
        "domain": address.domain,
    }


def message_to_dict(message: Message) -> dict[str, Any]:
    """Every field of `message` as JSON types; the date in ISO 8601."""
    headers = message.headers
    return {
        "source": message.source.value,
        "size": message.size,
        "has_html": message.has_html,
        "headers": {
            "from": _address(headers.from_),
            "reply_to": [_address(a) for a in headers.reply_to],
            "to": [_address(a) for a in headers.to],
            "subject": headers.subject,
            "date": headers.date.isoformat() if headers.date else None,
            "message_id": headers.message_id,
            "list_unsubscribe": headers.list_unsubscribe,
            "list_unsubscribe_post": headers.list_unsubscribe_post,
            "list_id": headers.list_id,
            "precedence": headers.precedence,
            "auto_submitted": headers.auto_submitted,
            "feedback_id": headers.feedback_id,
        },
        "preheader": message.preheader,
        "blocks": [
            {"index": b.index, "kind": b.kind.value, "region": b.region.value, "text": b.text}
            for b in message.blocks
        ],
        "links": [
            {"href": link.href, "text": link.text, "domain": link.domain, "kind": link.kind.value}
            for link in message.links
        ],
        "images": [{"src": image.src, "alt": image.alt} for image in message.images],
        "attachments": [
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "is_message": a.is_message,
            }
            for a in message.attachments
        ],
        "merge_tags": list(message.merge_tags),
        "defects": list(message.defects),
    }


__all__ = ["message_to_dict"]
