"""Parsers for what ESPs and mailbox providers push (domain functions; no HTTP).

    parse_ses(payload) / parse_sendgrid(payload) / parse_postmark(payload) -> list[NewEvent]
    parse_mailgun(payload, *, signing_key, max_age=None) -> list[NewEvent]  (SignatureError)
    parse_arf(raw_mime) -> list[NewEvent]
    parse_dsn(raw_mime) -> list[DeliveryStatus]    (delivery facts, not consent events)

Store the events with `Ledger.record_events`; redelivered payloads are stored once.
"""

from maysend.ledger.webhooks.providers import (
    parse_mailgun,
    parse_postmark,
    parse_sendgrid,
    parse_ses,
    verify_mailgun,
)
from maysend.ledger.webhooks.reports import DeliveryStatus, parse_arf, parse_dsn

__all__ = [
    "DeliveryStatus",
    "parse_arf",
    "parse_dsn",
    "parse_mailgun",
    "parse_postmark",
    "parse_sendgrid",
    "parse_ses",
    "verify_mailgun",
]
