"""The campaign gate on DuckDB: out of core, with a memory limit.

Plan: audience -> normalised addresses (SQL fast path, the ledger's own
function for the rest) -> rejected rows set aside -> duplicates folded into
their first row -> joined to the ledger snapshot -> the policy's fact columns
-> one `decide_facts` call per distinct combination (`gate.outcomes`) ->
joined back -> send.parquet, suppressed.parquet, rejected.csv. The audience
never passes through Python objects, except the few values off the common
address form.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from maysend.errors import InputError
from maysend.gate.audience import AudienceColumns, audience_format, open_csv_audience
from maysend.gate.dialect import DUCKDB
from maysend.gate.outcomes import (
    KEY_COLUMNS,
    OUTCOME_COLUMNS,
    SEND_COLUMNS,
    SUPPRESSED_COLUMNS,
    decide_combinations,
    outcome_schema,
)
from maysend.gate.plan import GatePlan, Step
from maysend.gate.queries import (
    COUNTRY_BITS,
    REJECTED_SQL,
    SLOW_SQL,
    CountryCodes,
    combinations_sql,
    decided_sql,
    keyed_sql,
    list_sql,
    off_form_sql,
    recipients_sql,
    state_sql,
    valid_sql,
)
from maysend.gate.summary import Counts, combination_groups, from_groups
from maysend.ledger import check_addresses

SLOW_BATCH = 50_000


def connect(plan: GatePlan) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={"memory_limit": plan.memory_limit, "threads": plan.threads})
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar = false")
    con.execute("SET TimeZone = 'UTC'")  # INTERVAL n DAY is then n times 24 hours, as in Python
    con.execute(f"SET temp_directory = '{_q(str(plan.work_dir / 'spill'))}'")
    return con


def run(plan: GatePlan, staging: Path, step: Step) -> Counts:
    """Run the gate, writing the three output files into `staging`."""
    con = connect(plan)
    try:
        step("reading the audience")
        broken = load_audience(con, plan.audience, plan.columns)
        step("normalising addresses")
        with ThreadPoolExecutor(max_workers=1) as pool:
            ledger = pool.submit(load_state_apart, con.cursor(), plan)
            normalise(con)
            step("joining the consent ledger")
            ledger.result()
        facts(con, plan)
        step("deciding per combination of facts")
        groups = outcomes(con, plan)
        step("writing the send and suppression lists")
        write_outputs(con, staging)
        return from_groups(groups, rejected_count(con) + len(broken))
    finally:
        con.close()


# -- audience ---------------------------------------------------------------------------------


def load_audience(
    con: duckdb.DuckDBPyConnection, path: Path, columns: AudienceColumns
) -> list[Any]:
    """Tables `audience(row, address, country)` and `broken`; returns the broken rows."""
    if not path.is_file():
        raise InputError("the audience file does not exist", file=str(path))
    broken: list[Any] = []
    if audience_format(path) == "parquet":
        load_parquet_audience(con, path, columns)
    else:
        broken = load_csv_audience(con, path, columns)
    con.register("broken_rows", _broken_table(broken))
    con.execute("CREATE TABLE broken AS SELECT * FROM broken_rows")
    con.unregister("broken_rows")
    return broken


def load_csv_audience(
    con: duckdb.DuckDBPyConnection, path: Path, columns: AudienceColumns
) -> list[Any]:
    csv = open_csv_audience(path, columns)
    reader = pa.RecordBatchReader.from_batches(csv.schema, csv.batches())
    con.register("audience_stream", reader)
    country = "country" if "country" in csv.mapping else "NULL::VARCHAR"
    con.execute(
        f"CREATE TABLE audience AS SELECT row, address, {country} AS country FROM audience_stream"
    )
    con.unregister("audience_stream")
    return list(csv.broken)


def load_parquet_audience(
    con: duckdb.DuckDBPyConnection, path: Path, columns: AudienceColumns
) -> None:
    mapping = columns.resolve(pq.read_schema(path).names)
    country = f'CAST("{mapping["country"]}" AS VARCHAR)' if "country" in mapping else "NULL"
    con.execute(
        f"""CREATE VIEW audience AS SELECT file_row_number + 1 AS row,
                CAST("{mapping["address"]}" AS VARCHAR) AS address, {country} AS country
            FROM read_parquet('{_q(str(path))}', file_row_number = true)"""
    )


# -- addresses --------------------------------------------------------------------------------


def normalise(con: duckdb.DuckDBPyConnection) -> None:
    """View `slow` (values off the common form, decided) and view `valid`."""
    con.execute(f"CREATE TABLE off_form AS {off_form_sql(DUCKDB)}")
    con.execute("CREATE TABLE checked (row BIGINT, addr VARCHAR, reason VARCHAR)")
    reader = con.cursor().sql("SELECT row, address FROM off_form WHERE reason IS NULL")
    for batch in reader.to_arrow_reader(SLOW_BATCH):
        addresses, reasons = check_addresses(batch.column(1).to_pylist())
        table = pa.table(
            {
                "row": batch.column(0),
                "addr": pa.array(addresses, pa.string()),
                "reason": pa.array(reasons, pa.string()),
            }
        )
        con.register("checked_batch", table)
        con.execute("INSERT INTO checked SELECT * FROM checked_batch")
        con.unregister("checked_batch")
    con.execute(f"CREATE VIEW slow AS {SLOW_SQL}")
    con.execute(f"CREATE VIEW valid AS {valid_sql(DUCKDB)}")


def rejected_count(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT count(*) FROM slow WHERE addr IS NULL").fetchone()
    return int(row[0]) if row else 0


# -- ledger -----------------------------------------------------------------------------------


def load_state(con: duckdb.DuckDBPyConnection, plan: GatePlan) -> None:
    """View `state`: one row per subject for the campaign's channel, purpose and topic."""
    con.execute(f"CREATE VIEW snapshot AS SELECT * FROM read_parquet('{_q(str(plan.snapshot))}')")
    con.execute(f"CREATE VIEW state AS {state_sql(plan, DUCKDB)}")
    con.execute(f"CREATE TABLE keyed AS {keyed_sql(plan, DUCKDB)}")
    keyed = con.execute("SELECT count(*) FROM keyed").fetchone()
    plan.count_keyed_subjects(int(keyed[0]) if keyed else 0)


def load_state_apart(cursor: duckdb.DuckDBPyConnection, plan: GatePlan) -> None:
    """`load_state` on a connection of its own (`cursor`), closed after: the ledger scan that
    finds the keyed subjects needs nothing from the audience, so it runs while the off-form
    addresses are read and checked in Python, on one thread only."""
    try:
        load_state(cursor, plan)
    finally:
        cursor.close()


def facts(con: duckdb.DuckDBPyConnection, plan: GatePlan) -> None:
    """Table `recipients`: one row per distinct address with the policy's fact columns."""
    countries = country_codes(con)
    con.execute(f"CREATE TABLE recipients AS {recipients_sql(plan, DUCKDB, countries)}")


def country_codes(con: duckdb.DuckDBPyConnection) -> CountryCodes | None:
    """ENUM type `countries`: every country the audience gives ('' for none), so that the
    de-duplication packs the first row and its country into one integer; None when there
    are too many to code (the plain `min_by` then)."""
    con.execute(
        "CREATE TYPE countries AS ENUM (SELECT DISTINCT coalesce(country, '') FROM audience)"
    )
    found = con.execute("SELECT len(enum_range(NULL::countries))").fetchone()
    count = int(found[0]) if found else 0
    if not count or count > 1 << COUNTRY_BITS:
        return None
    return CountryCodes("countries", count)


# -- outcomes ---------------------------------------------------------------------------------


def outcomes(con: duckdb.DuckDBPyConnection, plan: GatePlan) -> list[tuple[Any, ...]]:
    """Table `outcomes` and view `decided`; returns the counts per combination."""
    found = con.sql(combinations_sql()).to_arrow_table()
    combos = found.select(list(KEY_COLUMNS))
    counted = found.to_pylist()
    rows = decide_combinations(
        counted,
        model=plan.fact_model,
        checks=plan.checks,
        verdict=plan.verdict,
        config=plan.config,
    )
    table = pa.Table.from_pylist(rows, schema=outcome_schema(combos.schema))
    con.register("outcome_rows", table)
    coded = [*KEY_COLUMNS, *(f"{c}::{code_texts(con, c, table)} AS {c}" for c in OUTCOME_COLUMNS)]
    con.execute(f"CREATE TABLE outcomes AS SELECT {', '.join(coded)} FROM outcome_rows")
    con.unregister("outcome_rows")
    con.execute(f"CREATE VIEW decided AS {decided_sql()}")
    return combination_groups(counted, rows)


def code_texts(con: duckdb.DuckDBPyConnection, column: str, table: pa.Table) -> str:
    """An ENUM type holding the texts of one outcome column; returns its name.

    The send and suppression lists are sorted by row: coded, a citation travels through
    the sort as one small integer instead of its text (`listed` turns it back)."""
    texts = sorted({t for t in table.column(column).to_pylist() if t is not None})
    name = f"outcome_{column}"
    con.execute(f"CREATE TYPE {name} AS ENUM ({', '.join(map(DUCKDB.literal, texts))})")
    return name


# -- outputs ----------------------------------------------------------------------------------


def write_outputs(con: duckdb.DuckDBPyConnection, staging: Path) -> None:
    send = staging / "send.parquet"
    suppressed = staging / "suppressed.parquet"
    con.execute(f"COPY ({listed(SEND_COLUMNS, send=True)}) TO '{_q(str(send))}' (FORMAT parquet)")
    con.execute(
        f"COPY ({listed(SUPPRESSED_COLUMNS, send=False)}) "
        f"TO '{_q(str(suppressed))}' (FORMAT parquet)"
    )
    con.execute(
        f"""COPY (SELECT * FROM ({REJECTED_SQL}) ORDER BY row)
            TO '{_q(str(staging / "rejected.csv"))}' (FORMAT csv, HEADER true)"""
    )


def listed(columns: tuple[str, ...], *, send: bool) -> str:
    """`list_sql` with the coded outcome columns turned back into text once sorted."""
    texts = (c if c == "row" else f"CAST({c} AS VARCHAR) AS {c}" for c in columns)
    return f"SELECT {', '.join(texts)} FROM ({list_sql(columns, send=send)})"


def _broken_table(broken: list[Any]) -> pa.Table:
    return pa.table(
        {
            "row": pa.array([b.row for b in broken], pa.int64()),
            "value": pa.array([b.text for b in broken], pa.string()),
            "reason": pa.array([b.reason for b in broken], pa.string()),
        }
    )


def _q(text: str) -> str:
    return text.replace("'", "''")
