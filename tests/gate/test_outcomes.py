"""The fact key the engines carry: one integer whose bits are the yes/no facts."""

from __future__ import annotations

import pytest

from maysend.errors import PolicyError
from maysend.gate.outcomes import BASE_FLAGS, MAX_FLAGS, FactModel
from maysend.ledger.state import EventType
from maysend.policy.rules import Window

MODEL = FactModel({"casl_purchase": Window(event=EventType.PURCHASE, days=730)})


@pytest.mark.parametrize("bit", range(len(MODEL.flags)), ids=MODEL.flags)
def test_each_bit_unpacks_to_its_own_fact(bit: int) -> None:
    key = {"country": "GB", "ledger_country": None, "status": "consented", "flags": 1 << bit}
    row = MODEL.unpack(key)
    assert [name for name in MODEL.flags if row[name]] == [MODEL.flags[bit]]
    assert row["answered"] is True
    assert (row["country"], row["ledger_country"], row["status"]) == ("GB", None, "consented")


def test_no_bits_is_every_fact_false() -> None:
    row = MODEL.unpack({"country": "", "ledger_country": "DE", "status": "none", "flags": 0})
    assert not any(row[name] for name in MODEL.flags)


def test_more_facts_than_bits_is_refused() -> None:
    windows = {
        f"w{i}": Window(event=EventType.INQUIRY, days=i + 1)
        for i in range(MAX_FLAGS - len(BASE_FLAGS) + 1)
    }
    with pytest.raises(PolicyError):
        _ = FactModel(windows).flags
