"""The fact columns the gate computes in SQL, case by case, against decide().

The random differential test rarely meets these corners at once (a country
cell holding only a tab, a snapshot taken after the decision time), so each
gets a row here: the gate's answer must be the one stated and decide()'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from .factory import MARKETING, Campaign, Event, build_ledger, csv_bytes, gate
from .oracle import expected_decisions, gate_decisions, ledger_source

AT = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
ANN = "ann@example.com"


def ago(days: float) -> datetime:
    return AT - timedelta(days=days)


@dataclass(frozen=True)
class Case:
    id: str
    events: tuple[Event, ...]
    country: str
    expected: tuple[str, str]
    default: str = "UK"
    snapshot_days: int | None = None
    double_opt_in: bool = False
    product: str | None = "broadband"


def consent(days: float, country: str | None = None) -> Event:
    return Event(ANN, "consent", ago(days), country=country)


CASES = [
    Case("uk-consent: UK PECR reg 22(2)", (consent(30, "GB"),), "GB", ("send", "UK_CONSENT")),
    Case(
        "tab-country-ledger-decides: DE UWG §7(2) Nr. 3 needs double opt-in",
        (consent(30, "DE"),),
        "\t",
        ("suppress", "DE_NO_DOI"),
    ),
    Case(
        "nbsp-country-ledger-decides: CASL s.6(1)",
        (consent(30, "CA"),),
        "\u00a0",
        ("send", "CASL_EXPRESS_CONSENT"),
    ),
    Case("alias-uk-is-gb: ISO 3166 reserved UK", (consent(30),), " uk ", ("send", "UK_CONSENT")),
    Case(
        "invalid-country-held: fail closed",
        (consent(30, "GB"),),
        "ZZ",
        ("hold", "HOLD_INVALID_COUNTRY"),
    ),
    Case(
        "consent-after-at-over-withdrawal: UK GDPR Art 21(3), snapshot newer than at",
        (consent(60), Event(ANN, "withdraw", ago(40)), consent(-5)),
        "GB",
        ("suppress", "OPTED_OUT"),
        snapshot_days=10,
    ),
    Case(
        "confirmation-after-at-is-pending: UK PECR reg 22(2), snapshot newer than at",
        (consent(60, "GB"), Event(ANN, "confirm", ago(-5))),
        "GB",
        ("suppress", "UK_NO_CONSENT"),
        snapshot_days=10,
        double_opt_in=True,
    ),
    Case(
        "casl-purchase-within-two-years: CASL s.10(10)(a)",
        (Event(ANN, "purchase", ago(700), country="CA", product="broadband"),),
        "CA",
        ("send", "CASL_IMPLIED_PURCHASE"),
    ),
    Case(
        "casl-purchase-too-old: CASL s.10(10)(a)",
        (Event(ANN, "purchase", ago(740), country="CA", product="broadband"),),
        "CA",
        ("suppress", "CASL_NO_CONSENT"),
    ),
    Case(
        "uk-soft-opt-in: UK PECR reg 22(3)",
        (Event(ANN, "purchase", ago(90), product="Broadband ", refusal_offered=True),),
        "GB",
        ("send", "UK_SOFT_OPT_IN"),
    ),
    Case(
        "uk-soft-opt-in-other-product: UK PECR reg 22(3)(b)",
        (Event(ANN, "purchase", ago(90), product="insurance", refusal_offered=True),),
        "GB",
        ("suppress", "UK_NO_CONSENT"),
    ),
    Case(
        "erased-subject: UK GDPR Art 17 keyed suppression",
        (consent(60, "GB"), Event(ANN, "erase", ago(10))),
        "GB",
        ("suppress", "OPTED_OUT"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fact_columns_match_decide(case: Case, tmp_path: Path) -> None:
    campaign = Campaign(
        events=list(case.events),
        rows=[(ANN, case.country), ("  ann@EXAMPLE.com", "FR")],  # the first row's country counts
        at=AT,
        product=case.product,
        default=case.default,
        double_opt_in=case.double_opt_in,
        hash_only=False,
        snapshot_days=case.snapshot_days,
    )
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    build_ledger(campaign, url)
    audience = tmp_path / "audience.csv"
    audience.write_bytes(csv_bytes(campaign))
    source = ledger_source(campaign, url, tmp_path)
    report = gate(campaign, audience, tmp_path / "out", MARKETING, **source)
    expected, _ = expected_decisions(campaign, url, MARKETING, Path(report.source))
    assert gate_decisions(tmp_path / "out") == expected
    assert expected[ANN] == (2, *case.expected)
    assert report.counts.duplicates == 1
