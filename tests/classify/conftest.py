"""Shared fixtures: one classifier per session (the model and lingua load once)."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from maysend.classify import Classifier, Verdict, load_classifier
from maysend.message import Message, parse_bytes, parse_template


@pytest.fixture(scope="session")
def classifier() -> Classifier:
    return load_classifier()


def eml(
    subject: str,
    text: str | None = None,
    html: str | None = None,
    *,
    label: str | None = None,
    sender: str = "news@shop.example",
) -> bytes:
    """A small RFC 5322 message (RFC 2606 domains only)."""
    message = EmailMessage()
    message["From"] = f"Example Shop <{sender}>"
    message["To"] = "reader@example.com"
    message["Subject"] = subject
    if label:
        message["X-Maysend-Label"] = label
        message["X-Maysend-Rationale"] = "written for the test suite"
    if text is not None:
        message.set_content(text)
    if html is not None:
        if text is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    return bytes(message)


def from_text(subject: str, *paragraphs: str) -> Message:
    return parse_template(subject, text="\n\n".join(paragraphs))


def from_html(subject: str, html: str) -> Message:
    return parse_template(subject, html=html)


def fired(verdict: Verdict) -> set[str]:
    return {e.indicator for e in verdict.evidence}


def roundtrip(data: bytes) -> Message:
    return parse_bytes(data)
