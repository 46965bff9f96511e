"""The oracle: what decide() says for each audience row alone, and what the gate wrote."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from maysend.classify.verdict import Verdict
from maysend.gate.audience import decode_value
from maysend.ledger import Ledger, check_address
from maysend.message import load_message
from maysend.policy import Recipient, decide, load_policy

from .factory import Campaign, csv_bytes

Decisions = dict[str, tuple[int, str, str]]


def audience_as_read(campaign: Campaign) -> list[tuple[int, str, str]]:
    """(line, address, country) as the gate decodes them from the CSV."""
    lines = csv_bytes(campaign).split(b"\n")[1:-1]
    rows = []
    for number, (line, (address, country)) in enumerate(zip(lines, campaign.rows, strict=True)):
        if number in campaign.latin1:
            address = decode_value(address.encode("cp1252"))
            country = decode_value(country.encode("cp1252"))
        assert line  # one line per row: the factory writes no line breaks in values
        rows.append((number + 2, address, country))
    return rows


def gate_decisions(out_dir: Path) -> Decisions:
    """address -> (row, action, reason code) over the send and suppression lists."""
    found: Decisions = {}
    for name in ("send", "suppressed"):
        for row in pq.read_table(out_dir / f"{name}.parquet").to_pylist():
            assert row["address"] not in found, "an address was decided twice"
            action = row.get("action", "send")
            found[row["address"]] = (row["row"], action, row["reason_code"])
    return found


def expected_decisions(
    campaign: Campaign, url: str, verdict: Verdict, message: Path
) -> tuple[Decisions, dict[int, str]]:
    """decide() for each distinct address (its first row's country), and the rejected rows.

    The state is the one the gate's ledger data holds: at `at`, or at the
    moment a later snapshot was taken (decide() then fails closed as the gate must).
    """
    config = load_policy(campaign.policy, product=campaign.product)
    parsed = load_message(message)
    decided: Decisions = {}
    rejected: dict[int, str] = {}
    with Ledger.open(url, settings=campaign.ledger_settings) as ledger:
        for line, raw, country in audience_as_read(campaign):
            address, reason = check_address(raw)
            if address is None:
                rejected[line] = reason or ""
                continue
            if address in decided:
                continue
            state = ledger.state(address, at=snapshot_moment(campaign), topic=campaign.topic)
            recipient = Recipient(address, country, state)
            decision = decide(parsed, verdict, recipient, campaign.at, config=config)
            decided[address] = (line, decision.action.value, decision.code)
    return decided, rejected


def snapshot_moment(campaign: Campaign) -> datetime:
    return campaign.at + timedelta(days=campaign.snapshot_days or 0)


def ledger_source(campaign: Campaign, url: str, work: Path) -> dict[str, Any]:
    """The gate's ledger arguments: the live ledger, or a snapshot taken after `at`."""
    if campaign.snapshot_days is None:
        return {"db_url": url}
    path = work / "snapshot.parquet"
    with Ledger.open(url, settings=campaign.ledger_settings) as ledger:
        ledger.export(path, at=snapshot_moment(campaign))
        secret = ledger.keyring.secret  # erased subjects are filed under the ledger's key
    settings = campaign.ledger_settings.model_copy(update={"hash_secret": secret})
    return {"snapshot": path, "ledger": settings}
