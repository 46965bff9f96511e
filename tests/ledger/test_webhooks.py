"""Webhook and report parsers: consent events out, raw payload kept, bad input named."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maysend.errors import InvalidEvent, SignatureError
from maysend.ledger import EventType, Ledger, Status
from maysend.ledger.webhooks import (
    parse_arf,
    parse_dsn,
    parse_mailgun,
    parse_postmark,
    parse_sendgrid,
    parse_ses,
)

SES_COMPLAINT = {
    "notificationType": "Complaint",
    "complaint": {
        "complainedRecipients": [{"emailAddress": "ses@example.com"}],
        "timestamp": "2024-03-01T12:00:00.000Z",
        "complaintFeedbackType": "abuse",
    },
    "mail": {"destination": ["ses@example.com"]},
}
SES_SUBSCRIPTION = {
    "eventType": "Subscription",
    "mail": {"destination": ["sub@example.com"]},
    "subscription": {
        "contactList": "Customers",
        "timestamp": "2024-03-01T12:00:00Z",
        "source": "UnsubscribeFromHeader",
        "newTopicPreferences": {
            "unsubscribeAll": False,
            "topicSubscriptionStatus": [
                {"topicName": "Weekly Deals", "subscriptionStatus": "OptOut"},
                {"topicName": "News", "subscriptionStatus": "OptIn"},
                {"topicName": "Tips", "subscriptionStatus": "OptIn"},
            ],
        },
        "oldTopicPreferences": {
            "unsubscribeAll": False,
            "topicSubscriptionStatus": [
                {"topicName": "Weekly Deals", "subscriptionStatus": "OptIn"},
                {"topicName": "News", "subscriptionStatus": "OptOut"},
                {"topicName": "Tips", "subscriptionStatus": "OptIn"},
            ],
        },
    },
}


def test_ses_complaint_through_sns() -> None:
    envelope = {"Type": "Notification", "Message": json.dumps(SES_COMPLAINT)}
    [event] = parse_ses(json.dumps(envelope).encode())
    assert (event.address, event.type, event.source) == (
        "ses@example.com",
        EventType.COMPLAINT,
        "ses",
    )
    assert event.evidence is not None
    assert event.evidence["payload"]["Type"] == "Notification"


def test_ses_subscription_changes_only() -> None:
    events = parse_ses(SES_SUBSCRIPTION)
    assert {(e.type, e.topic) for e in events} == {
        (EventType.WITHDRAW, "weekly-deals"),
        (EventType.CONSENT, "news"),
    }


def test_ses_not_spam_and_deliveries_yield_nothing() -> None:
    not_spam = json.loads(json.dumps(SES_COMPLAINT))
    not_spam["complaint"]["complaintFeedbackType"] = "not-spam"
    assert parse_ses(not_spam) == []
    assert parse_ses({"notificationType": "Delivery", "delivery": {}}) == []


def test_sendgrid_events() -> None:
    body = [
        {"email": "a@example.com", "timestamp": 1709294400, "event": "unsubscribe"},
        {
            "email": "b@example.com",
            "timestamp": 1709294400,
            "event": "group_unsubscribe",
            "asm_group_id": 42,
        },
        {"email": "c@example.com", "timestamp": 1709294400, "event": "spamreport"},
        {"email": "d@example.com", "timestamp": 1709294400, "event": "delivered"},
    ]
    events = parse_sendgrid(json.dumps(body))
    assert [(e.address, e.type, e.topic) for e in events] == [
        ("a@example.com", EventType.WITHDRAW, None),
        ("b@example.com", EventType.WITHDRAW, "42"),
        ("c@example.com", EventType.COMPLAINT, None),
    ]


def _mailgun(
    key: str, event: str = "unsubscribed", timestamp: str = "1709294400"
) -> dict[str, object]:
    token = "a" * 50
    signature = hmac.new(key.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": {"event": event, "recipient": "mg@example.com", "timestamp": 1709294400.5},
    }


def test_mailgun_signed_events() -> None:
    [event] = parse_mailgun(_mailgun("key-1"), signing_key="key-1")
    assert event.type is EventType.WITHDRAW
    [complaint] = parse_mailgun(_mailgun("key-1", "complained"), signing_key="key-1")
    assert complaint.type is EventType.COMPLAINT
    assert parse_mailgun(_mailgun("key-1", "delivered"), signing_key="key-1") == []


def test_mailgun_forged_or_replayed_signature() -> None:
    with pytest.raises(SignatureError):
        parse_mailgun(_mailgun("attacker-key"), signing_key="key-1")
    now = datetime(2024, 3, 2, tzinfo=UTC)
    with pytest.raises(SignatureError, match="too old"):
        parse_mailgun(_mailgun("key-1"), signing_key="key-1", max_age=timedelta(minutes=5), now=now)


def test_postmark() -> None:
    change = {
        "RecordType": "SubscriptionChange",
        "Recipient": "pm@example.com",
        "ChangedAt": "2024-03-01T12:00:00Z",
        "SuppressSending": True,
        "SuppressionReason": "ManualSuppression",
        "Origin": "Recipient",
    }
    assert parse_postmark(change)[0].type is EventType.WITHDRAW
    assert parse_postmark({**change, "SuppressionReason": "HardBounce"}) == []
    assert parse_postmark({**change, "SuppressSending": False})[0].type is EventType.CONSENT
    assert parse_postmark({**change, "SuppressSending": False, "Origin": "Admin"}) == []
    spam = {
        "RecordType": "SpamComplaint",
        "Email": "pm@example.com",
        "BouncedAt": "2024-03-01T12:00:00Z",
    }
    assert parse_postmark(spam)[0].type is EventType.COMPLAINT


@pytest.mark.parametrize(
    ("parser", "payload", "field"),
    [
        (parse_ses, b"{not json", "payload"),
        (parse_ses, {"Type": "Notification", "Message": "{broken"}, "Message"),
        (parse_ses, {"notificationType": "Complaint"}, "complaint"),
        (parse_sendgrid, [{"event": "unsubscribe", "timestamp": 1}], "[0].email"),
        (parse_postmark, {"RecordType": "SpamComplaint", "Email": "x@example.com"}, "BouncedAt"),
        (
            parse_postmark,
            {"RecordType": "SpamComplaint", "Email": "nope", "BouncedAt": "2024-01-01"},
            "address",
        ),
    ],
    ids=[
        "ses-json",
        "sns-message-json",
        "ses-missing",
        "sendgrid-email",
        "postmark-time",
        "postmark-address",
    ],
)
def test_malformed_payloads_name_the_field(parser: object, payload: object, field: str) -> None:
    with pytest.raises(InvalidEvent) as caught:
        parser(payload)  # type: ignore[operator]
    assert caught.value.field == field


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200))
def test_parsers_never_crash_on_junk(junk: bytes) -> None:
    for parser in (parse_ses, parse_sendgrid, parse_postmark):
        with contextlib.suppress(InvalidEvent):
            parser(junk)
    for report_parser in (parse_arf, parse_dsn):
        with contextlib.suppress(InvalidEvent):
            report_parser(junk)


ARF = b"""From: abuse@mailbox.example
To: fbl@sender.example
Subject: FW: offer
Date: Fri, 01 Mar 2024 12:30:00 +0000
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="b1"

--b1
Content-Type: text/plain

This is an email abuse report.
--b1
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: ExampleFBL/1.0
Version: 1
Original-Rcpt-To: <victim@example.com>
Arrival-Date: Fri, 01 Mar 2024 12:00:00 +0000
Source-IP: 192.0.2.9
Reported-Domain: sender.example

--b1
Content-Type: message/rfc822

From: news@sender.example
To: victim@example.com
Subject: Big offer

Buy now.
--b1--
"""

DSN = b"""From: MAILER-DAEMON@mx.example
To: bounces@sender.example
Subject: Undelivered Mail
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="d1"

--d1
Content-Type: text/plain

Delivery failed.
--d1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example

Final-Recipient: rfc822; gone@example.com
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 user unknown

--d1--
"""


def test_arf_complaint(ledger: Ledger) -> None:
    [event] = parse_arf(ARF)
    assert (event.address, event.type, event.source) == (
        "victim@example.com",
        EventType.COMPLAINT,
        "arf",
    )
    assert event.evidence is not None
    assert event.evidence["source_ip"] == "192.0.2.9"
    assert "Big offer" in event.evidence["raw"]
    ledger.record_events([event])
    ledger.record_events(parse_arf(ARF))  # the same report delivered twice
    assert ledger.state("victim@example.com").status is Status.COMPLAINED
    assert len(ledger.history("victim@example.com")) == 1


def test_arf_falls_back_to_the_original_to() -> None:
    raw = ARF.replace(b"Original-Rcpt-To: <victim@example.com>\n", b"")
    assert parse_arf(raw)[0].address == "victim@example.com"


def test_arf_not_a_report() -> None:
    with pytest.raises(InvalidEvent) as caught:
        parse_arf(b"Subject: hi\n\nhello")
    assert caught.value.field == "Content-Type"


def test_dsn_statuses_are_not_consent_events() -> None:
    [status] = parse_dsn(DSN)
    assert (status.recipient, status.action, status.status) == (
        "gone@example.com",
        "failed",
        "5.1.1",
    )
    assert status.permanent
