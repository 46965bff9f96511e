"""The de-duplication packs the first row and its country into one integer (DuckDB): it must
keep what `min_by` keeps, for every number of distinct countries."""

from __future__ import annotations

import duckdb
import pytest

from maysend.gate.queries import CountryCodes, first_rows_sql

ROWS = [
    (1, "a@example.com", None),
    (2, "a@example.com", "GB"),
    (3, "b@example.com", "DE"),
    (4, "c@example.com", "FR"),
    (5, "b@example.com", None),
    (6, "c@example.com", "gb"),
    (7, "d@example.com", ""),
]


@pytest.mark.parametrize(("count", "bits"), [(1, 1), (2, 1), (3, 2), (256, 8), (257, 9)])
def test_codes_take_the_bits_their_count_needs(count: int, bits: int) -> None:
    assert CountryCodes("countries", count).bits == bits


def first_rows(con: duckdb.DuckDBPyConnection, countries: CountryCodes | None) -> list[tuple]:
    query, row, country = first_rows_sql(countries)
    sql = f"SELECT addr, {row}, copies, {country} FROM ({query}) ORDER BY addr"
    return con.execute(sql).fetchall()


@pytest.mark.parametrize("extra", [0, 3, 300], ids=["few", "some", "many"])
def test_packed_first_row_equals_min_by(extra: int) -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE valid (row BIGINT, addr VARCHAR, country VARCHAR)")
    con.executemany("INSERT INTO valid VALUES (?, ?, ?)", ROWS)
    filler = [(100 + i, f"x{i}@example.com", f"C{i}") for i in range(extra)]
    if filler:
        con.executemany("INSERT INTO valid VALUES (?, ?, ?)", filler)
    con.execute("CREATE TYPE countries AS ENUM (SELECT DISTINCT coalesce(country, '') FROM valid)")
    count = con.execute("SELECT len(enum_range(NULL::countries))").fetchone()
    assert count is not None
    packed = first_rows(con, CountryCodes("countries", int(count[0])))
    assert packed == first_rows(con, None)
    assert packed[:4] == [
        ("a@example.com", 1, 2, ""),
        ("b@example.com", 3, 2, "DE"),
        ("c@example.com", 4, 2, "FR"),
        ("d@example.com", 7, 1, ""),
    ]
