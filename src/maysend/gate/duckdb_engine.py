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

from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from maysend.errors import InputError
from maysend.gate.addresses import (
    common_form_sql,
    hmac_pads,
    hmac_sql,
    normalize_or_reason,
    normalized_common_sql,
)
from maysend.gate.audience import AudienceColumns, audience_format, open_csv_audience
from maysend.gate.outcomes import OUTCOME_COLUMNS, FactModel, decide_combinations, window_column
from maysend.gate.plan import GatePlan
from maysend.gate.summary import Counts, read_counts

Step = Callable[[str], None]
SLOW_BATCH = 50_000


def connect(plan: GatePlan) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={"memory_limit": plan.memory_limit, "threads": plan.threads})
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET temp_directory = '{_q(str(plan.work_dir / 'spill'))}'")
    return con


def run(plan: GatePlan, staging: Path, step: Step) -> Counts:
    """Run the gate, writing the three output files into `staging`."""
    con = connect(plan)
    try:
        step("reading the audience")
        broken = load_audience(con, plan.audience, plan.columns)
        step("normalising addresses")
        normalise(con)
        step("joining the consent ledger")
        load_state(con, plan)
        facts(con, plan)
        step("deciding per combination of facts")
        outcomes(con, plan)
        step("writing the send and suppression lists")
        write_outputs(con, staging, broken)
        return read_counts(con, broken_rows=len(broken))
    finally:
        con.close()


# -- audience ---------------------------------------------------------------------------------


def load_audience(
    con: duckdb.DuckDBPyConnection, path: Path, columns: AudienceColumns
) -> list[Any]:
    """Table `audience(row, address, country)`; returns the CSV rows that would not split."""
    if not path.is_file():
        raise InputError("the audience file does not exist", file=str(path))
    if audience_format(path) == "parquet":
        load_parquet_audience(con, path, columns)
        return []
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
    """Tables `slow(row, addr, reason)` for values off the common form, and view `valid`."""
    con.execute("CREATE TABLE slow (row BIGINT, addr VARCHAR, reason VARCHAR)")
    reader = con.cursor().sql(
        "SELECT row, address FROM audience "
        f"WHERE address IS NULL OR NOT {common_form_sql('address')}"
    )
    for batch in reader.to_arrow_reader(SLOW_BATCH):
        rows = batch.column(0).to_pylist()
        done = [normalize_or_reason(v) for v in batch.column(1).to_pylist()]
        table = pa.table(
            {
                "row": pa.array(rows, pa.int64()),
                "addr": pa.array([a for a, _ in done], pa.string()),
                "reason": pa.array([r for _, r in done], pa.string()),
            }
        )
        con.register("slow_batch", table)
        con.execute("INSERT INTO slow SELECT * FROM slow_batch")
        con.unregister("slow_batch")
    con.execute(
        f"""CREATE VIEW valid AS
            SELECT row, {normalized_common_sql("address")} AS addr, country FROM audience
            WHERE address IS NOT NULL AND {common_form_sql("address")}
            UNION ALL
            SELECT s.row, s.addr, a.country FROM slow s JOIN audience a USING (row)
            WHERE s.addr IS NOT NULL"""
    )


# -- ledger -----------------------------------------------------------------------------------


def load_state(con: duckdb.DuckDBPyConnection, plan: GatePlan) -> None:
    """View `state`: one row per subject for the campaign's channel and purpose."""
    con.execute(
        f"""CREATE VIEW state AS SELECT * FROM read_parquet('{_q(str(plan.snapshot))}')
            WHERE channel = '{_q(plan.channel)}' AND purpose = '{_q(plan.purpose)}'
              AND topic IS NULL"""
    )
    keyed = con.execute("SELECT count(*) FROM state WHERE subject = subject_key").fetchone()
    plan.keyed_subjects = int(keyed[0]) if keyed else 0
    if plan.keyed_subjects and not plan.hash_secret:
        raise InputError(
            "the ledger holds subjects only as keyed hashes (erased or hash-only): "
            "the gate needs the ledger's hash secret to honour them",
            keyed_subjects=plan.keyed_subjects,
        )


def facts(con: duckdb.DuckDBPyConnection, plan: GatePlan) -> None:
    """Table `recipients`: one row per distinct address with the policy's fact columns."""
    at = f"TIMESTAMPTZ '{plan.at.astimezone(UTC).isoformat()}'"
    windows = ",\n".join(
        f"""coalesce({w.event.value if w.event.value != "purchase" else "last_purchase"}_at
                BETWEEN {at} - INTERVAL {w.days} DAY AND {at}, false) AS {window_column(n)}"""
        for n, w in sorted(plan.fact_model.windows.items())
    )
    windows = windows.replace("inquiry_at", "last_inquiry_at")
    similar = ", ".join(f"'{_q(p)}'" for p in sorted(plan.similar_products)) or "NULL"
    on = "s.subject = d.addr"
    if plan.keyed_subjects:
        inner, outer = hmac_pads(plan.hash_secret or "")
        key = hmac_sql("d.addr", f"from_hex('{inner.hex()}')", f"from_hex('{outer.hex()}')")
        on = f"s.subject_key = {key}"
    con.execute(
        f"""CREATE TABLE recipients AS
        WITH d AS (
            SELECT addr, min(row) AS row, count(*) AS copies, arg_min(country, row) AS country
            FROM valid GROUP BY addr
        ), j AS (
            SELECT d.*, s.* EXCLUDE (country), s.country AS ledger_country
            FROM d LEFT JOIN state s ON {on}
        )
        SELECT row, addr, copies,
            nullif(upper(trim(coalesce(nullif(trim(country), ''), ledger_country))), '') AS country,
            true AS answered,
            CASE WHEN status IS NULL THEN 'none'
                 WHEN status IN ('consented', 'pending')
                      AND (consent_at IS NULL OR consent_at > {at}) THEN 'none'
                 ELSE status END AS status,
            coalesce(confirmed_at <= {at}, false) AS confirmed,
            coalesce(last_purchase_at <= {at}, false) AS purchase,
            coalesce(last_purchase_at <= {at}
                     AND lower(trim(last_purchase_product)) IN ({similar}), false)
                AS product_similar,
            coalesce(last_purchase_at <= {at} AND last_purchase_refusal_offered, false)
                AS refusal_offered,
            coalesce(last_inquiry_at <= {at}, false) AS inquiry
            {"," if windows else ""} {windows}
        FROM j"""
    )


# -- outcomes ---------------------------------------------------------------------------------


def outcomes(con: duckdb.DuckDBPyConnection, plan: GatePlan) -> None:
    columns = plan.fact_model.columns
    cols = ", ".join(columns)
    combos = con.sql(f"SELECT DISTINCT {cols} FROM recipients").to_arrow_table()
    rows = decide_combinations(
        combos.to_pylist(),
        model=plan.fact_model,
        checks=plan.checks,
        verdict=plan.verdict,
        config=plan.config,
    )
    table = pa.Table.from_pylist(rows) if rows else _empty_outcomes(plan.fact_model)
    con.register("outcome_rows", table)
    con.execute("CREATE TABLE outcomes AS SELECT * FROM outcome_rows")
    con.unregister("outcome_rows")
    on = " AND ".join(f"r.{c} IS NOT DISTINCT FROM o.{c}" for c in columns)
    con.execute(
        f"""CREATE TABLE decided AS
            SELECT r.row, r.addr AS address, r.copies, r.country, o.jurisdiction, o.action,
                   o.reason_code, o.citation, o.kind
            FROM recipients r JOIN outcomes o ON {on}"""
    )


def _empty_outcomes(model: FactModel) -> pa.Table:
    fields = [pa.field(c, pa.string()) for c in model.columns]
    fields += [pa.field(c, pa.string()) for c in OUTCOME_COLUMNS]
    return pa.schema(fields).empty_table()


# -- outputs ----------------------------------------------------------------------------------


def write_outputs(con: duckdb.DuckDBPyConnection, staging: Path, broken: list[Any]) -> None:
    send = staging / "send.parquet"
    suppressed = staging / "suppressed.parquet"
    con.execute(
        f"""COPY (SELECT address, row, country, jurisdiction, reason_code
                  FROM decided WHERE action = 'send' ORDER BY row)
            TO '{_q(str(send))}' (FORMAT parquet)"""
    )
    con.execute(
        f"""COPY (SELECT address, row, country, jurisdiction, action, reason_code, citation
                  FROM decided WHERE action <> 'send' ORDER BY row)
            TO '{_q(str(suppressed))}' (FORMAT parquet)"""
    )
    con.register("broken_rows", _broken_table(broken))
    con.execute(
        f"""COPY (SELECT row, value, reason FROM (
                SELECT s.row, a.address AS value, s.reason FROM slow s JOIN audience a USING (row)
                WHERE s.addr IS NULL
                UNION ALL SELECT row, value, reason FROM broken_rows) ORDER BY row)
            TO '{_q(str(staging / "rejected.csv"))}' (FORMAT csv, HEADER true)"""
    )
    con.unregister("broken_rows")


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
