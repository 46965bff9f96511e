"""Parsers for the events ESPs push: SES, SendGrid, Mailgun, Postmark.

Domain functions with no HTTP: each takes the request body (bytes, text or
parsed JSON) and returns validated ledger events that keep the raw payload as
evidence. Payloads that are not consent events (deliveries, opens, bounces)
yield no events; malformed ones raise InvalidEvent naming the field; a Mailgun
payload whose signature does not verify raises SignatureError.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from maysend.errors import InvalidEvent, SignatureError
from maysend.ledger.events import NewEvent, new_event, parse_timestamp
from maysend.ledger.webhooks.common import as_object, load_json, mapping, require, topic_name

Payload = bytes | str | Mapping[str, Any] | list[Any]


def _event(address: Any, kind: str, at: Any, source: str, raw: Any, **extra: Any) -> NewEvent:
    if not isinstance(address, str):
        raise InvalidEvent("address is not text", field="address")
    return new_event(
        address, kind, at=at, source=source, evidence={"webhook": source, "payload": raw}, **extra
    )


def parse_ses(payload: Payload) -> list[NewEvent]:
    """SES notifications (SNS-wrapped or raw): Complaint and Subscription."""
    data = as_object(load_json(payload), "payload")
    if data.get("Type") in ("SubscriptionConfirmation", "UnsubscribeConfirmation"):
        return []
    message = data
    if data.get("Type") == "Notification":
        message = as_object(load_json(require(data, "Message"), field="Message"), "Message")
    kind = message.get("notificationType") or message.get("eventType")
    if not kind:
        raise InvalidEvent("missing or empty", field="notificationType")
    if kind == "Complaint":
        return _ses_complaint(message, data)
    if kind == "Subscription":
        return _ses_subscription(message, data)
    return []


def _ses_complaint(message: Mapping[str, Any], raw: Any) -> list[NewEvent]:
    complaint = as_object(require(message, "complaint"), "complaint")
    if complaint.get("complaintFeedbackType") in mapping()["ses"]["complaint_ignored"]:
        return []
    at = require(message, "complaint.timestamp")
    recipients = require(message, "complaint.complainedRecipients")
    if not isinstance(recipients, list):
        raise InvalidEvent("expected a list", field="complaint.complainedRecipients")
    return [
        _event(require(r, "emailAddress"), "complaint", at, "ses", raw)
        for r in recipients
        if isinstance(r, Mapping)
    ]


def _ses_subscription(message: Mapping[str, Any], raw: Any) -> list[NewEvent]:
    at = require(message, "subscription.timestamp")
    recipients = require(message, "mail.destination")
    new = as_object(require(message, "subscription.newTopicPreferences"), "newTopicPreferences")
    old = message["subscription"].get("oldTopicPreferences") or {}
    was_out = {
        t.get("topicName")
        for t in old.get("topicSubscriptionStatus", [])
        if t.get("subscriptionStatus") == "OptOut"
    }
    changes: list[tuple[str, str | None]] = []
    if new.get("unsubscribeAll"):
        changes.append(("withdraw", None))
    for topic in new.get("topicSubscriptionStatus", []):
        name, status = topic.get("topicName"), topic.get("subscriptionStatus")
        if status == "OptOut":
            changes.append(("withdraw", topic_name(name)))
        elif status == "OptIn" and name in was_out:  # only a change the person made
            changes.append(("consent", topic_name(name)))
    return [
        _event(address, kind, at, "ses", raw, topic=topic)
        for address in recipients
        for kind, topic in changes
    ]


def parse_sendgrid(payload: Payload) -> list[NewEvent]:
    """SendGrid event webhook: unsubscribe, group_unsubscribe/resubscribe, spamreport."""
    data = load_json(payload)
    items = data if isinstance(data, list) else [data]
    rules = mapping()["sendgrid"]
    events: list[NewEvent] = []
    for index, item in enumerate(items):
        item = as_object(item, f"[{index}]")
        rule = rules.get(item.get("event"))
        if rule is None:
            continue
        topic = None
        if rule.get("topic_from"):
            topic = topic_name(require(item, rule["topic_from"]))
        address = _field(item, "email", index)
        at = _field(item, "timestamp", index)
        events.append(_event(address, rule["event"], at, "sendgrid", item, topic=topic))
    return events


def _field(item: Mapping[str, Any], name: str, index: int) -> Any:
    if item.get(name) in (None, ""):
        raise InvalidEvent("missing or empty", field=f"[{index}].{name}")
    return item[name]


def parse_mailgun(
    payload: Payload,
    *,
    signing_key: str,
    max_age: timedelta | None = None,
    now: datetime | None = None,
) -> list[NewEvent]:
    """Mailgun webhooks (unsubscribed, complained), after checking the HMAC signature."""
    data = as_object(load_json(payload), "payload")
    verify_mailgun(data, signing_key, max_age=max_age, now=now)
    event_data = as_object(require(data, "event-data"), "event-data")
    rule = mapping()["mailgun"].get(event_data.get("event"))
    if rule is None:
        return []
    address = require(event_data, "recipient")
    at = require(event_data, "timestamp")
    return [_event(address, rule["event"], at, "mailgun", data)]


def verify_mailgun(
    data: Mapping[str, Any],
    signing_key: str,
    *,
    max_age: timedelta | None = None,
    now: datetime | None = None,
) -> None:
    """HMAC-SHA256(signing key, timestamp + token) must equal the signature."""
    timestamp = str(require(data, "signature.timestamp"))
    token = str(require(data, "signature.token"))
    given = str(require(data, "signature.signature"))
    expected = hmac.new(
        signing_key.encode("utf-8"), (timestamp + token).encode("utf-8"), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected, given.lower()):
        raise SignatureError("Mailgun signature does not verify", field="signature")
    if max_age is not None:
        signed = parse_timestamp(timestamp, field="signature.timestamp")
        if (now or datetime.now(UTC)) - signed > max_age:
            raise SignatureError("Mailgun signature is too old (replayed?)", field="signature")


def parse_postmark(payload: Payload) -> list[NewEvent]:
    """Postmark webhooks: SubscriptionChange and SpamComplaint."""
    data = as_object(load_json(payload), "payload")
    record_type = require(data, "RecordType")
    rules = mapping()["postmark"]
    if record_type == "SpamComplaint":
        return [
            _event(
                require(data, "Email"), "complaint", require(data, "BouncedAt"), "postmark", data
            )
        ]
    if record_type != "SubscriptionChange":
        return []
    address, at = require(data, "Recipient"), require(data, "ChangedAt")
    if data.get("SuppressSending") is True:
        kind = rules["suppression"].get(data.get("SuppressionReason"))
        return [_event(address, kind, at, "postmark", data)] if kind else []
    if data.get("Origin") in rules["reactivation_origins"]:
        return [_event(address, "consent", at, "postmark", data)]
    return []


__all__ = ["parse_mailgun", "parse_postmark", "parse_sendgrid", "parse_ses", "verify_mailgun"]
