"""A campaign for one marketing topic: the topic's own consent answers, a global opt-out wins.

Rows: (address, events as (type, topic), action for a newsletter campaign, action for a
campaign to marketing as a whole). Events are a day apart, in the order given.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from .factory import EPOCH, MARKETING, Campaign, Event, build_ledger, csv_bytes, gate
from .oracle import gate_decisions

Case = tuple[str, list[tuple[str, str | None]], str, str]
CASES: list[Case] = [
    # topic opt-out: the newsletter stops, marketing as a whole may continue
    ("a@example.com", [("consent", None), ("withdraw", "newsletter")], "suppress", "send"),
    ("b@example.com", [("consent", None)], "send", "send"),
    # consent to the newsletter alone is not consent to marketing as a whole
    ("c@example.com", [("consent", "newsletter")], "send", "suppress"),
    # a global opt-out overrides every topic (domain.md §3; `maysend.ledger.fold`)
    ("d@example.com", [("consent", "newsletter"), ("withdraw", None)], "suppress", "suppress"),
    # another topic's consent says nothing about the newsletter
    ("e@example.com", [("consent", "offers")], "suppress", "suppress"),
    # opting out of one topic after consenting to it, consent to another kept
    (
        "f@example.com",
        [("consent", "offers"), ("consent", "newsletter"), ("withdraw", "offers")],
        "send",
        "suppress",
    ),
]


def campaign(topic: str | None) -> Campaign:
    events = [
        Event(address, kind, EPOCH + timedelta(days=i), country="GB", topic=event_topic)
        for address, history, _, _ in CASES
        for i, (kind, event_topic) in enumerate(history)
    ]
    return Campaign(
        events=events,
        rows=[(address, "GB") for address, *_ in CASES],
        at=EPOCH + timedelta(days=30),
        product=None,
        default="UK",
        double_opt_in=False,
        hash_only=False,
        topic=topic,
    )


@pytest.mark.parametrize("topic", ["newsletter", None])
def test_topic_campaign_reads_the_topics_state(tmp_path: Path, topic: str | None) -> None:
    plan = campaign(topic)
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    build_ledger(plan, url)
    audience = tmp_path / "audience.csv"
    audience.write_bytes(csv_bytes(plan))
    report = gate(plan, audience, tmp_path / "out", MARKETING, db_url=url)
    got = {address: action for address, (_, action, _) in gate_decisions(tmp_path / "out").items()}
    column = 2 if topic else 3
    assert got == {case[0]: case[column] for case in CASES}
    assert report.topic == topic
