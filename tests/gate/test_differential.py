"""The gate asks the policy once per combination of facts; decide() asks it once per person.

Over random ledgers and audiences, every recipient's action and reason code
from the DuckDB gate must equal decide() for that recipient alone, with the
ledger's own state at the same moment, and every audience row must be either
decided (once per address) or rejected with the ledger's reason.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .factory import (
    BARE,
    CAMPAIGN,
    MARKETING,
    SERVICE,
    build_ledger,
    csv_bytes,
    gate,
    random_campaign,
    rejected_rows,
)
from .oracle import expected_decisions, gate_decisions, ledger_source


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.randoms(use_true_random=False), st.sampled_from([CAMPAIGN, BARE]))
def test_gate_equals_decide_for_every_recipient(rnd: random.Random, message: Path) -> None:
    campaign = random_campaign(rnd)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        url = f"sqlite:///{work / 'ledger.db'}"
        build_ledger(campaign, url)
        audience = work / "audience.csv"
        audience.write_bytes(csv_bytes(campaign))
        source = ledger_source(campaign, url, work)
        for verdict in (MARKETING, SERVICE):
            out = work / verdict.kind.value
            report = gate(campaign, audience, out, verdict, message=message, **source)
            expected, rejected = expected_decisions(campaign, url, verdict, message)
            assert gate_decisions(out) == expected
            got = {int(r["row"]): r["reason"] for r in rejected_rows(out)}
            assert got == rejected
            counts = report.counts
            assert counts.audience_rows == len(campaign.rows)
            assert counts.rejected == len(rejected)
            assert counts.recipients == len(expected)
            assert counts.duplicates == len(campaign.rows) - len(rejected) - len(expected)
