"""Mailbox-provider reports as raw MIME: ARF feedback (RFC 5965) and DSNs (RFC 3464).

An ARF report of an abuse or fraud complaint becomes a complaint event for
the original recipient, with the whole report kept as evidence. A DSN says a
delivery failed or was delayed: that is about the mailbox, not about consent,
so `parse_dsn` returns delivery statuses and never ledger events (a bounce
must not be mistaken for a withdrawal, nor ignored as one).
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from email.utils import getaddresses

from maysend.errors import InvalidEvent
from maysend.ledger.events import NewEvent, new_event
from maysend.ledger.webhooks.common import mapping

MAX_EVIDENCE = 256 * 1024  # bytes of the raw report kept as evidence


def _parse(raw: bytes, report_type: str) -> Message:
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    if message.get_content_type() != "multipart/report":
        raise InvalidEvent("not a multipart/report", field="Content-Type")
    param = message.get_param("report-type")
    if not isinstance(param, str) or param.lower() != report_type:
        raise InvalidEvent(f"report-type is not {report_type}", field="report-type")
    return message


def _part(message: Message, content_type: str) -> Message | None:
    return next((p for p in message.walk() if p.get_content_type() == content_type), None)


def _fields(part: Message) -> Message:
    """The header block(s) of a report part, whichever way the parser exposed them."""
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        merged = Message()
        for block in payload:
            if not isinstance(block, Message):
                continue
            for name, value in block.items():
                merged[name] = value
        return merged
    text = payload if isinstance(payload, str) else ""
    return HeaderParser().parsestr(text)


def parse_arf(raw: bytes) -> list[NewEvent]:
    """Complaint events from an ARF feedback report (empty for other feedback types)."""
    message = _parse(raw, "feedback-report")
    report_part = _part(message, "message/feedback-report")
    if report_part is None:
        raise InvalidEvent("no message/feedback-report part", field="message/feedback-report")
    report = _fields(report_part)
    feedback_type = (report.get("Feedback-Type") or "").strip().lower()
    if not feedback_type:
        raise InvalidEvent("missing", field="Feedback-Type")
    if feedback_type not in mapping()["arf"]["complaint_types"]:
        return []
    recipients = _arf_recipients(message, report)
    at = report.get("Arrival-Date") or report.get("Received-Date") or message.get("Date")
    if not at:
        raise InvalidEvent("missing", field="Arrival-Date")
    evidence = {
        "report": "arf",
        "feedback_type": feedback_type,
        "user_agent": report.get("User-Agent"),
        "source_ip": report.get("Source-IP"),
        "reported_domain": report.get("Reported-Domain"),
        "raw": raw[:MAX_EVIDENCE].decode("utf-8", "replace"),
    }
    return [
        new_event(address, "complaint", at=at.strip(), source="arf", evidence=evidence)
        for address in recipients
    ]


def _arf_recipients(message: Message, report: Message) -> list[str]:
    listed = [addr for _, addr in getaddresses(report.get_all("Original-Rcpt-To") or []) if addr]
    if listed:
        return listed
    original = _part(message, "message/rfc822") or _part(message, "text/rfc822-headers")
    if original is not None:
        headers = _fields(original)
        found = [addr for _, addr in getaddresses(headers.get_all("To") or []) if addr]
        if found:
            return found
    raise InvalidEvent(
        "no Original-Rcpt-To, and no To in the original message", field="Original-Rcpt-To"
    )


@dataclass(frozen=True, slots=True)
class DeliveryStatus:
    """One recipient's entry in a DSN."""

    recipient: str
    action: str
    status: str
    diagnostic: str | None

    @property
    def permanent(self) -> bool:
        return self.action == "failed" and self.status.startswith("5")


def parse_dsn(raw: bytes) -> list[DeliveryStatus]:
    """Per-recipient delivery statuses of a DSN (RFC 3464)."""
    message = _parse(raw, "delivery-status")
    part = _part(message, "message/delivery-status")
    if part is None:
        raise InvalidEvent("no message/delivery-status part", field="message/delivery-status")
    blocks = part.get_payload()
    if not isinstance(blocks, list):
        raise InvalidEvent("delivery-status part has no fields", field="message/delivery-status")
    statuses = []
    for block in blocks[1:]:  # the first block is about the message, the rest one per recipient
        if not isinstance(block, Message):
            continue
        recipient = (block.get("Final-Recipient") or block.get("Original-Recipient") or "").strip()
        if not recipient:
            raise InvalidEvent("missing", field="Final-Recipient")
        address = recipient.split(";", 1)[-1].strip()
        statuses.append(
            DeliveryStatus(
                recipient=address,
                action=(block.get("Action") or "").strip().lower(),
                status=(block.get("Status") or "").strip(),
                diagnostic=(block.get("Diagnostic-Code") or None),
            )
        )
    return statuses


__all__ = ["DeliveryStatus", "parse_arf", "parse_dsn"]
