"""Bad audiences and unreachable ledgers: clear errors, nothing lost, never a send list
built without consent data."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from maysend.errors import InputError, LedgerUnavailable
from maysend.gate import OUTPUTS, GateReport
from maysend.ledger import Ledger

from .factory import MARKETING, Campaign, Event, build_ledger, gate, rejected_rows

AT = datetime(2025, 6, 2, tzinfo=UTC)
EARLIER = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture
def campaign() -> Campaign:
    events = [
        Event("ann@example.com", "consent", EARLIER, country="GB"),
        Event("zoë@example.com", "consent", EARLIER, country="GB"),
        Event("bob@example.com", "withdraw", EARLIER, country="GB"),
    ]
    return Campaign(events, [], AT, None, "UK", double_opt_in=False, hash_only=False)


@pytest.fixture
def ledger_url(campaign: Campaign, tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    build_ledger(campaign, url)
    return url


def run(campaign: Campaign, tmp_path: Path, audience: bytes, url: str) -> GateReport:
    path = tmp_path / "audience.csv"
    path.write_bytes(audience)
    return gate(campaign, path, tmp_path / "out", MARKETING, db_url=url)


def sent(tmp_path: Path) -> list[tuple[int, str]]:
    table = pq.read_table(tmp_path / "out" / "send.parquet")
    return [(r["row"], r["address"]) for r in table.to_pylist()]


def test_header_only_audience_writes_empty_lists(
    campaign: Campaign, tmp_path: Path, ledger_url: str
) -> None:
    report = run(campaign, tmp_path, b"email,country\n", ledger_url)
    assert (report.counts.audience_rows, report.counts.recipients) == (0, 0)
    assert all((tmp_path / "out" / name).is_file() for name in OUTPUTS)
    assert sent(tmp_path) == []
    assert rejected_rows(tmp_path / "out") == []


def test_empty_file_is_an_input_error(campaign: Campaign, tmp_path: Path, ledger_url: str) -> None:
    with pytest.raises(InputError, match="empty"):
        run(campaign, tmp_path, b"", ledger_url)
    assert not (tmp_path / "out" / "send.parquet").exists()


def test_missing_address_column_names_the_columns(
    campaign: Campaign, tmp_path: Path, ledger_url: str
) -> None:
    with pytest.raises(InputError) as error:
        run(campaign, tmp_path, b"name,country\nAnn,GB\n", ledger_url)
    assert error.value.context["columns"] == "name, country"
    assert not (tmp_path / "out" / "send.parquet").exists()


def test_mixed_encodings_are_decoded_not_lost(
    campaign: Campaign, tmp_path: Path, ledger_url: str
) -> None:
    audience = b"email,country\nann@example.com,GB\n" + "zoë@example.com,GB\n".encode("latin-1")
    report = run(campaign, tmp_path, audience, ledger_url)
    assert sent(tmp_path) == [(2, "ann@example.com"), (3, "zoë@example.com")]
    assert report.counts.rejected == 0


def test_invalid_addresses_are_rejected_by_row_and_the_rest_decided(
    campaign: Campaign, tmp_path: Path, ledger_url: str
) -> None:
    lines = [f"user{i}@example.com,GB" for i in range(27)]
    bad = {5: "not an address", 12: "x@localhost", 20: ""}  # index -> value
    for index, value in bad.items():
        lines[index] = f"{value},GB"
    audience = ("email,country\n" + "\n".join(lines) + "\nann@example.com,GB\n").encode()
    report = run(campaign, tmp_path, audience, ledger_url)
    rejected = rejected_rows(tmp_path / "out")
    assert [(int(r["row"]), r["value"]) for r in rejected] == [
        (index + 2, value) for index, value in bad.items()
    ]
    assert [r["reason"] for r in rejected] == [
        "address has no '@'",
        "domain has no dot",
        "address is empty",
    ]
    assert report.counts.by_reason == {"UK_NO_CONSENT": 24, "UK_CONSENT": 1}
    assert sent(tmp_path) == [(29, "ann@example.com")]


def test_broken_rows_are_rejected_with_their_line(
    campaign: Campaign, tmp_path: Path, ledger_url: str
) -> None:
    audience = (
        b"email,country\r\n"
        b"ann@example.com,GB,extra\r\n"
        b'"unclosed@example.com,GB\r\n'
        b"\r\n"
        b"ann@example.com,GB\r\n"
    )
    report = run(campaign, tmp_path, audience, ledger_url)
    assert [(int(r["row"]), r["reason"]) for r in rejected_rows(tmp_path / "out")] == [
        (2, "expected 2 fields, found 3"),
        (3, "malformed quoting: unexpected end of data"),
        (4, "expected 2 fields, found 1"),
    ]
    assert sent(tmp_path) == [(5, "ann@example.com")]
    assert (report.counts.audience_rows, report.counts.rejected) == (4, 3)


def test_duplicates_are_sent_once_and_counted(
    campaign: Campaign, tmp_path: Path, ledger_url: str
) -> None:
    audience = b"email\nann@example.com\n ann@EXAMPLE.com\nbob@example.com\nann@example.com\n"
    report = run(campaign, tmp_path, audience, ledger_url)
    assert sent(tmp_path) == [(2, "ann@example.com")]
    assert (report.counts.recipients, report.counts.duplicates) == (2, 2)
    assert report.counts.by_reason == {"UK_CONSENT": 1, "OPTED_OUT": 1}


def test_parquet_audience_rows_are_positions(
    campaign: Campaign, tmp_path: Path, ledger_url: str
) -> None:
    path = tmp_path / "audience.parquet"
    emails = ["bob@example.com", None, "ann@example.com", "zoë@example.com"]
    pq.write_table(pa.table({"E-Mail": emails, "customer": [1, 0, 1, 1]}), path, row_group_size=2)
    report = gate(campaign, path, tmp_path / "out", MARKETING, db_url=ledger_url)
    assert sent(tmp_path) == [(3, "ann@example.com"), (4, "zoë@example.com")]
    assert [(int(r["row"]), r["reason"]) for r in rejected_rows(tmp_path / "out")] == [
        (2, "address is empty")
    ]
    assert report.counts.audience_rows == 4


def test_parquet_rows_count_from_one(campaign: Campaign, tmp_path: Path, ledger_url: str) -> None:
    path = tmp_path / "audience.parquet"
    pq.write_table(pa.table({"email": ["ann@example.com"]}), path)
    gate(campaign, path, tmp_path / "out", MARKETING, db_url=ledger_url)
    assert sent(tmp_path) == [(1, "ann@example.com")]


def test_unreachable_ledger_stops_without_a_send_list(campaign: Campaign, tmp_path: Path) -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=2"
    with pytest.raises(LedgerUnavailable):
        run(campaign, tmp_path, b"email\nann@example.com\n", url)
    assert not (tmp_path / "out" / "send.parquet").exists()
    assert not any(p.suffix == ".parquet" for p in (tmp_path / "out").rglob("*"))


def test_missing_snapshot_stops_without_a_send_list(campaign: Campaign, tmp_path: Path) -> None:
    audience = tmp_path / "audience.csv"
    audience.write_bytes(b"email\nann@example.com\n")
    with pytest.raises(LedgerUnavailable, match="does not exist"):
        gate(campaign, audience, tmp_path / "out", MARKETING, snapshot=tmp_path / "none.parquet")
    assert not (tmp_path / "out" / "send.parquet").exists()


def test_empty_ledger_is_no_consent_data(campaign: Campaign, tmp_path: Path) -> None:
    with pytest.raises(LedgerUnavailable, match="no events"):
        run(campaign, tmp_path, b"email\nann@example.com\n", f"sqlite:///{tmp_path / 'new.db'}")
    assert not (tmp_path / "out" / "send.parquet").exists()


def test_erased_subjects_are_suppressed_by_keyed_hash(
    campaign: Campaign, tmp_path: Path, ledger_url: str
) -> None:
    erased = Campaign(
        [Event("ann@example.com", "erase", datetime(2025, 2, 1, tzinfo=UTC))],
        [],
        AT,
        None,
        "UK",
        double_opt_in=False,
        hash_only=False,
    )
    build_ledger(erased, ledger_url)
    report = run(campaign, tmp_path, b"email\nann@EXAMPLE.com\n ann@example.com\n", ledger_url)
    assert sent(tmp_path) == []
    assert report.counts.by_reason == {"OPTED_OUT": 1}  # joined under the ledger's own key


def test_snapshot_with_erased_subjects_needs_the_key(
    campaign: Campaign, tmp_path: Path, ledger_url: str
) -> None:
    erased = Campaign(
        [Event("ann@example.com", "erase", datetime(2025, 2, 1, tzinfo=UTC))],
        [],
        AT,
        None,
        "UK",
        double_opt_in=False,
        hash_only=False,
    )
    build_ledger(erased, ledger_url)
    snapshot = tmp_path / "snapshot.parquet"
    with Ledger.open(ledger_url, settings=campaign.ledger_settings) as ledger:
        ledger.export(snapshot, at=AT)
    audience = tmp_path / "audience.csv"
    audience.write_bytes(b"email\nann@example.com\n")
    with pytest.raises(InputError, match="hash secret"):
        gate(campaign, audience, tmp_path / "out", MARKETING, snapshot=snapshot)
    assert not (tmp_path / "out" / "send.parquet").exists()


def test_missing_audience_is_an_input_error(
    campaign: Campaign, tmp_path: Path, ledger_url: str
) -> None:
    with pytest.raises(InputError, match="does not exist"):
        gate(campaign, tmp_path / "nope.csv", tmp_path / "out", MARKETING, db_url=ledger_url)


def test_parquet_null_country_of_the_first_row_defers_to_the_ledger(
    campaign: Campaign, tmp_path: Path, ledger_url: str
) -> None:
    path = tmp_path / "audience.parquet"
    table = pa.table({"email": ["ann@example.com", "ann@example.com"], "country": [None, "DE"]})
    pq.write_table(table, path)
    report = gate(campaign, path, tmp_path / "out", MARKETING, db_url=ledger_url)
    assert sent(tmp_path) == [(1, "ann@example.com")]
    assert report.counts.by_reason == {"UK_CONSENT": 1}
