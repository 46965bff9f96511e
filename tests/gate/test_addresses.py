"""The SQL fast path for addresses is the ledger's normalisation, for every value it accepts."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maysend.gate.addresses import common_form_sql, hmac_sql
from maysend.gate.addresses import normalized_common_sql as normalized_sql
from maysend.gate.dialect import BLANK, DUCKDB
from maysend.ledger import check_address
from maysend.ledger.address import keyed

ATEXT = "abcXYZ019!#$%&'*+/=?^_`{|}~-"
ODD = ' \t."@\\,;:()<>[]é\x00\n\r\x0bß'
labels = st.text(alphabet="abcXYZ09-", min_size=0, max_size=70)
locals_ = st.text(alphabet=ATEXT + ".", min_size=0, max_size=70)
structured = st.builds(
    lambda pad1, local, domain, tld, pad2: f"{pad1}{local}@{'.'.join(domain)}.{tld}{pad2}",
    st.sampled_from(["", " ", "\t", " \t", "\n"]),
    locals_,
    st.lists(labels, min_size=0, max_size=3),
    st.one_of(labels, st.sampled_from(["com", "123", "c0m", "x-", "-x", "example"])),
    st.sampled_from(["", " ", "\t", "\r"]),
)
free = st.text(alphabet=ATEXT + ODD + ".@abc", max_size=40)
ORDINARY = [
    "ann@example.com",
    "  Bob.Smith@Example.ORG\t",
    "o'neil+tag@mail.example.co.uk",
    "x@a-b.example",
    "{weird}|~@example.net",
]


@pytest.fixture(scope="module")
def db() -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect() as con:
        yield con


def fast_path(db: duckdb.DuckDBPyConnection, value: str) -> tuple[bool, str | None]:
    row = db.execute(
        f"""WITH t AS (SELECT ?::VARCHAR AS v)
            SELECT coalesce({common_form_sql("v")}, false), {normalized_sql("v")} FROM t""",
        [value],
    ).fetchone()
    assert row is not None
    return bool(row[0]), row[1]


@settings(max_examples=400, deadline=None)
@given(st.one_of(structured, free))
def test_fast_path_accepts_only_what_the_ledger_normalises_the_same(
    db: duckdb.DuckDBPyConnection, value: str
) -> None:
    common, normalized = fast_path(db, value)
    if common:
        assert check_address(value) == (normalized, None)


@pytest.mark.parametrize("value", ORDINARY)
def test_ordinary_addresses_take_the_fast_path(db: duckdb.DuckDBPyConnection, value: str) -> None:
    common, normalized = fast_path(db, value)
    assert common
    assert (normalized, None) == check_address(value)


@pytest.mark.parametrize(
    "value",
    [
        "a@" + "b" * 64 + ".com",  # a label longer than 63
        "a@-b.com",
        "a@b-.com",
        "a@b.c-",
        "a@b.123",
        "a..b@c.com",
        "a@b..com",
        "x" * 65 + "@b.com",
        "zoë@example.com",
        "a@b.com\n",
        '"a b"@example.com',
    ],
)
def test_unusual_values_take_the_slow_path(db: duckdb.DuckDBPyConnection, value: str) -> None:
    assert fast_path(db, value)[0] is False


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=" \t\n\r\x0b\x0c\x1c\x85\xa0\u2003\u3000\u200bab", max_size=6))
def test_blank_is_what_strip_empties(db: duckdb.DuckDBPyConnection, value: str) -> None:
    row = db.execute(f"SELECT {DUCKDB.full_match('?::VARCHAR', BLANK)}", [value]).fetchone()
    assert row is not None
    assert row[0] is (not value.strip())


@settings(max_examples=50, deadline=None)
@given(st.sampled_from([*ORDINARY, "zoë@example.com"]), st.text(min_size=1, max_size=100))
def test_keyed_subject_in_sql_is_the_ledger_key(
    db: duckdb.DuckDBPyConnection, address: str, secret: str
) -> None:
    normalized, _ = check_address(address)
    assert normalized is not None
    row = db.execute(f"SELECT {hmac_sql('?::VARCHAR', secret)}", [normalized]).fetchone()
    assert row is not None
    assert row[0] == keyed(normalized, secret)
