"""Imports: native CSV / JSON Lines, column mappings, ESP exports, bad rows, idempotency."""

from __future__ import annotations

import gc
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from maysend.errors import ConfigError, InputError, InvalidEvent, LedgerUnavailable
from maysend.ledger import Ledger, Status
from maysend.ledger.events import NewEvent, StoredEvent, _utc_iso, new_event, parse_timestamp
from maysend.ledger.importers import formats, parse_mapping
from maysend.ledger.importers.formats import Skip, field_values, row_events
from maysend.ledger.schema import events
from maysend.ledger.write import PreparedEvents

from .conftest import settings as ledger_settings

NATIVE_CSV = """\
address,event,at,channel,topic,country,source,notice,product,refusal_offered,evidence
a@example.com,consent,2024-01-01T00:00:00Z,email,,DE,form,v1,,,"{""ip"": ""192.0.2.1""}"
b@example.com,purchase,2024-01-02T00:00:00Z,email,,GB,shop,,books,yes,
not-an-address,consent,2024-01-01T00:00:00Z,,,,,,,,
c@example.com,subscribe,2024-01-01T00:00:00Z,,,,,,,,
a@example.com,withdraw,2024-01-05T00:00:00Z,email,news,,,,,,
d@example.com,consent,2999-01-01T00:00:00Z,,,,,,,,
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


APART = pytest.mark.parametrize("apart", [False, True], ids=["here", "apart"])


@APART
def test_native_csv_reports_bad_rows_and_imports_good_ones(
    ledger: Ledger, tmp_path: Path, apart: bool
) -> None:
    path = _write(tmp_path, "events.csv", NATIVE_CSV)
    report = ledger.import_file(path, batch_size=2, apart=apart)
    assert (report.rows, report.events, report.batches) == (6, 3, 2)
    assert report.imported == 3
    assert [line for line, _ in report.failed] == [4, 5, 7]
    reasons = dict(report.failed)
    assert reasons[4].startswith("address:")
    assert reasons[5].startswith("event:")
    assert reasons[7].startswith("at:")
    assert ledger.state("a@example.com").status is Status.CONSENTED
    assert ledger.state("a@example.com", topic="news").status is Status.WITHDRAWN
    purchase = ledger.state("b@example.com").last_purchase
    assert purchase is not None
    assert (purchase.product, purchase.refusal_offered) == ("books", True)
    assert ledger.history("a@example.com")[0].evidence == {"ip": "192.0.2.1"}


@APART
def test_reimporting_the_same_file_adds_nothing(
    ledger: Ledger, tmp_path: Path, apart: bool
) -> None:
    path = _write(tmp_path, "events.csv", NATIVE_CSV)
    ledger.import_file(path, apart=not apart)
    head = ledger.head()
    again = ledger.import_file(path, apart=apart)
    assert again.imported == 0
    assert again.duplicates == 3
    assert ledger.head() == head


@APART
def test_json_lines_with_a_column_mapping(ledger: Ledger, tmp_path: Path, apart: bool) -> None:
    lines = [
        {"mail": "x@example.org", "what": "consent", "when": 1704067200, "ev": {"ua": "Test/1"}},
        "not json at all",
        {"mail": "y@example.org", "what": "object", "when": "2024-01-03T00:00:00+01:00"},
    ]
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    path = _write(tmp_path, "events.jsonl", text + "\n")
    mapping = parse_mapping(["mail=address", "what=event", "when=at", "ev=evidence"])
    report = ledger.import_file(path, mapping=mapping, apart=apart)
    assert report.imported == 2
    assert report.failed[0][0] == 2
    assert ledger.state("y@example.org").status is Status.OBJECTED
    assert ledger.history("x@example.org")[0].evidence == {"ua": "Test/1"}


def test_bad_mapping_is_refused() -> None:
    with pytest.raises(InputError):
        parse_mapping(["address"])


FORMAT_CASES = [
    (
        "ses",
        "suppression.csv",
        "EmailAddress,Reason,LastUpdateTime\n"
        "s1@example.com,COMPLAINT,2024-02-01T10:00:00Z\n"
        "s2@example.com,BOUNCE,2024-02-01T10:00:00Z\n",
        {"s1@example.com": Status.COMPLAINED},
        1,
    ),
    (
        "sendgrid-unsubscribes",
        "unsubscribes.csv",
        "email,created\nu1@example.com,1706781600\n",
        {"u1@example.com": Status.WITHDRAWN},
        0,
    ),
    (
        "sendgrid-spam-reports",
        "spam.csv",
        "email,created,ip\nr1@example.com,1706781600,192.0.2.4\n",
        {"r1@example.com": Status.COMPLAINED},
        0,
    ),
    (
        "mailchimp",
        "members.csv",
        "Email Address,First Name,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,UNSUB_TIME,"
        "CLEAN_TIME,LAST_CHANGED,CC,Marketing Permissions: Email\n"
        "m1@example.com,Ann,2023-01-01 10:00:00,192.0.2.1,2023-01-01 10:05:00,192.0.2.1,,,"
        "2023-01-01 10:05:00,DE,Y\n"
        "m2@example.com,Bo,2023-01-01 10:00:00,,,,2023-06-01 09:00:00,,2023-06-01 09:00:00,,\n"
        "m3@example.com,Cy,2023-01-01 10:00:00,,,,,2023-03-01 00:00:00,2023-03-01 00:00:00,,\n"
        "m4@example.com,Di,2023-01-01 10:00:00,,,,,,2023-01-01 10:00:00,,N\n",
        {
            "m1@example.com": Status.CONSENTED,
            "m2@example.com": Status.WITHDRAWN,
            "m3@example.com": Status.NONE,
            "m4@example.com": Status.NONE,
        },
        2,
    ),
    (
        "mailgun-unsubscribes",
        "unsubscribes.csv",
        'address,tags,created_at\ng1@example.com,*,"Fri, 02 Feb 2024 10:00:00 GMT"\n'
        'g2@example.com,weekly,"Fri, 02 Feb 2024 10:00:00 GMT"\n',
        {"g1@example.com": Status.WITHDRAWN, "g2@example.com": Status.NONE},
        0,
    ),
    (
        "mailgun-complaints",
        "complaints.csv",
        'address,created_at\nc1@example.com,"Fri, 02 Feb 2024 10:00:00 GMT"\n',
        {"c1@example.com": Status.COMPLAINED},
        0,
    ),
]


@pytest.mark.parametrize(
    ("fmt", "name", "text", "expected", "skipped"),
    FORMAT_CASES,
    ids=[c[0] for c in FORMAT_CASES],
)
@APART
def test_esp_export_formats(
    ledger: Ledger,
    tmp_path: Path,
    fmt: str,
    name: str,
    text: str,
    expected: dict[str, Status],
    skipped: int,
    apart: bool,
) -> None:
    report = ledger.import_file(_write(tmp_path, name, text), format=fmt, apart=apart)
    assert report.failed == []
    assert len(report.skipped) == skipped
    for address, status in expected.items():
        assert ledger.state(address).status is status, address
    assert ledger.import_file(_write(tmp_path, name, text), format=fmt).imported == 0


def test_mailchimp_keeps_the_confirmation_and_raw_row(ledger: Ledger, tmp_path: Path) -> None:
    ledger.import_file(_write(tmp_path, "m.csv", FORMAT_CASES[3][2]), format="mailchimp")
    state = ledger.state("m1@example.com")
    assert state.confirmed is not None
    assert state.country == "DE"
    first = ledger.history("m1@example.com")[0]
    assert first.source == "mailchimp"
    assert first.evidence is not None
    assert first.evidence["row"]["First Name"] == "Ann"
    assert first.evidence["ip"] == "192.0.2.1"


def test_mailgun_tag_unsubscribe_is_a_topic_opt_out(ledger: Ledger, tmp_path: Path) -> None:
    ledger.import_file(_write(tmp_path, "u.csv", FORMAT_CASES[4][2]), format="mailgun-unsubscribes")
    assert ledger.state("g2@example.com", topic="weekly").status is Status.WITHDRAWN


def test_every_shipped_format_is_described() -> None:
    for name, spec in formats().items():
        assert spec.description, name
        assert "address" in spec.fields, name


def _first_filled(row: dict[str, str], columns: tuple[str, ...]) -> str:
    """The rule spelled out plainly: names match case-blind, the last of equals counts."""
    by_name = {name.strip().lower(): value for name, value in row.items()}
    for column in columns:
        value = by_name.get(column.lower())
        if value is not None and value.strip():
            return value.strip()
    return ""


HEADER_NAMES = st.sampled_from(
    ["address", " Address", "EMAIL", "event", "Event ", "at", "AT", "topic", "country", "x"]
)


@settings(max_examples=150, deadline=None)
@given(
    fmt=st.sampled_from(sorted(formats())),
    row=st.dictionaries(HEADER_NAMES, st.sampled_from(["", " ", "v", " w "]), max_size=8),
)
def test_field_values_follow_the_format_columns(fmt: str, row: dict[str, str]) -> None:
    spec = formats()[fmt]
    expected = {name: _first_filled(row, columns) for name, columns in spec.fields.items()}
    assert field_values(spec, row) == expected


NATIVE_CELLS = st.sampled_from(
    ["", " ", "a@example.com", " B@Example.COM ", "consent", "Withdraw ", "2024-01-02T03:04:05Z",
     "1700000000", "sms", "news", "de", "form", "yes", "v1", "books", '{"ip": "192.0.2.1"}']
)  # fmt: skip
NATIVE_NAMES = st.sampled_from(
    ["address", "Address ", "event", " EVENT", "at", "channel", "purpose", "topic", "country",
     "source", "notice", "product", "refusal_offered", "evidence", "x"]
)  # fmt: skip


def _native_spelled_out(row: dict[str, str], now: datetime) -> list[NewEvent] | str:
    """The native row rule written plainly: `field_values`, then `new_event` (or the error)."""
    values = field_values(formats()["native"], row)
    if not values["event"]:
        return "event"
    try:
        return [
            new_event(
                values["address"],
                values["event"],
                at=values["at"] or None,
                channel=values["channel"] or "email",
                purpose=values["purpose"] or "marketing",
                topic=values["topic"] or None,
                source=values["source"] or "import",
                country=values["country"] or None,
                notice=values["notice"] or None,
                product=values["product"] or None,
                refusal_offered=values["refusal_offered"] or False,
                evidence=values["evidence"] or None,
                now=now,
            )
        ]
    except InvalidEvent as exc:
        return exc.field


@settings(max_examples=300, deadline=None)
@given(row=st.dictionaries(NATIVE_NAMES, NATIVE_CELLS, max_size=10))
def test_native_rows_become_the_events_of_their_field_values(row: dict[str, str]) -> None:
    """The native format's per-row path (no dict of field values) gives what the field
    values give: the same event, or a refusal naming the same field."""
    now = datetime(2025, 1, 1, tzinfo=UTC)
    try:
        got: list[NewEvent] | str | Skip = row_events(formats()["native"], row, now=now)
    except InvalidEvent as exc:
        got = exc.field
    assert got == _native_spelled_out(row, now)


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    st.sampled_from(["Z", "+00:00", "-00:00", "+02:00", ""]),
    st.sampled_from(["T", " "]),
    st.sampled_from(["seconds", "milliseconds", "microseconds"]),
)
def test_quick_iso_times_are_parse_timestamp(
    moment: datetime, zone: str, sep: str, spec: str
) -> None:
    """ISO text taken on the quick path (UTC as files mostly give it) parses as
    `parse_timestamp` parses it; other text is left to `parse_timestamp`."""
    text = moment.isoformat(sep, spec) + zone
    quick = _utc_iso(text)
    assert quick is None or (quick == parse_timestamp(text) and quick.tzinfo is UTC)
    assert (quick is None) == (zone not in ("Z", "+00:00", "-00:00"))


def test_import_leaves_the_garbage_collector_as_it_found_it(ledger: Ledger, tmp_path: Path) -> None:
    good = _write(tmp_path, "events.csv", NATIVE_CSV)
    not_utf8 = tmp_path / "latin1.csv"
    not_utf8.write_bytes("address,event\nj\xf6rg@example.com,consent\n".encode("latin-1"))
    assert gc.isenabled()
    ledger.import_file(good)
    assert gc.isenabled()
    with pytest.raises(InputError):
        ledger.import_file(not_utf8)
    assert gc.isenabled()
    gc.disable()
    try:
        ledger.import_file(good)
        assert not gc.isenabled()
    finally:
        gc.enable()


def _many(tmp_path: Path, rows: int, tail: bytes = b"") -> Path:
    lines = ["address,event,at"] + [
        f"p{i}@example.com,consent,2024-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}Z"
        for i in range(rows)
    ]
    path = tmp_path / "many.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode() + tail)
    return path


def _ids(ledger: Ledger) -> list[int]:
    with ledger.engine.connect() as connection:
        return list(connection.execute(sa.select(events.c.id).order_by(events.c.id)).scalars())


@APART
def test_a_failing_batch_stops_the_import_after_the_batches_before_it(
    ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apart: bool
) -> None:
    """Batches are written while the next is read: a batch that fails leaves the ones
    before it committed, none after it, and the import can simply be run again."""
    path = _many(tmp_path, 100)
    original = ledger.record_prepared
    calls = 0

    def third_fails(prepared: PreparedEvents) -> list[StoredEvent]:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise LedgerUnavailable("store went away")
        return original(prepared)

    monkeypatch.setattr(ledger, "record_prepared", third_fails)
    with pytest.raises(LedgerUnavailable):
        ledger.import_file(path, batch_size=10, apart=apart)
    assert _ids(ledger) == list(range(1, 21))
    assert calls == 3  # nothing was written after the failure
    monkeypatch.undo()
    report = ledger.import_file(path, batch_size=10, apart=apart)
    assert (report.imported, report.duplicates, report.batches) == (80, 20, 10)
    assert _ids(ledger) == list(range(1, 101))
    assert ledger.verify().intact


@APART
def test_batches_handed_over_before_a_read_error_are_committed(
    ledger: Ledger, tmp_path: Path, apart: bool
) -> None:
    path = _many(tmp_path, 3_000, tail=b"\xff\xfe not UTF-8\n")
    with pytest.raises(InputError, match="not UTF-8"):
        ledger.import_file(path, batch_size=100, apart=apart)
    stored = _ids(ledger)
    assert stored == list(range(1, len(stored) + 1))
    assert len(stored) % 100 == 0
    assert len(stored) >= 2_000
    assert ledger.verify().intact


def test_progress_counts_every_byte_when_prepared_apart(ledger: Ledger, tmp_path: Path) -> None:
    path = _many(tmp_path, 500)
    seen: list[int] = []
    report = ledger.import_file(path, batch_size=100, apart=True, on_read=seen.append)
    assert report.imported == 500
    assert sum(seen) == path.stat().st_size


def test_a_missing_file_is_an_input_error_when_prepared_apart(
    ledger: Ledger, tmp_path: Path
) -> None:
    with pytest.raises(InputError, match="cannot open"):
        ledger.import_file(tmp_path / "absent.csv", apart=True)


def test_a_clock_that_cannot_travel_is_refused_apart_and_kept_here(
    db_url: str, tmp_path: Path
) -> None:
    path = _many(tmp_path, 10)
    fixed = datetime(2025, 1, 1, tzinfo=UTC)
    with Ledger.open(db_url, settings=ledger_settings(db_url), clock=lambda: fixed) as ledger:
        with pytest.raises(ConfigError):
            ledger.import_file(path, apart=True)
        assert ledger.import_file(path).imported == 10  # left to choose: prepared here
