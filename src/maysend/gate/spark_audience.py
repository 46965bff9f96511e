"""The Spark engine's audience: the same rows, numbers and rejections as `gate.audience`.

A CSV file is read as text (Spark keeps each line's bytes as they are), each
line numbered by its place in the file whatever the partitioning, split on
commas in Spark when it holds no quote and is valid UTF-8, and otherwise by
`gate.audience.line_fields` in a Python UDF, which also decodes each field as
the DuckDB engine does. A Parquet row's number is its position in the file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow.parquet as pq

from maysend.errors import InputError
from maysend.gate.audience import (
    QUOTE,
    audience_format,
    clip,
    decode_value,
    line_fields,
    read_csv_header,
    wrong_width,
)
from maysend.gate.dialect import SPARK
from maysend.gate.plan import GatePlan

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

View = Callable[["DataFrame", str], "DataFrame"]


def load_audience(spark: SparkSession, plan: GatePlan, view: View) -> list[DataFrame]:
    """Views `audience(row, address, country)` and `broken(row, value, reason)`."""
    path = plan.audience
    if not path.is_file():
        raise InputError("the audience file does not exist", file=str(path))
    if audience_format(path) == "parquet":
        load_parquet_audience(spark, plan, view)
        return []
    return [load_csv_audience(spark, plan, view)]


def load_parquet_audience(spark: SparkSession, plan: GatePlan, view: View) -> None:
    mapping = plan.columns.resolve(pq.read_schema(plan.audience).names)
    country = f"CAST(`{mapping['country']}` AS STRING)" if "country" in mapping else "NULL"
    frame = spark.read.parquet(str(plan.audience)).selectExpr(
        "_metadata.row_index + 1 AS row",
        f"CAST(`{mapping['address']}` AS STRING) AS address",
        f"CAST({country} AS STRING) AS country",
    )
    view(frame, "audience")
    view(spark.createDataFrame([], "row BIGINT, value STRING, reason STRING"), "broken")


def load_csv_audience(spark: SparkSession, plan: GatePlan, view: View) -> DataFrame:
    """Lines numbered as in the file; split on commas in Spark, by `line_fields` otherwise."""
    from pyspark.sql.functions import udf

    header = read_csv_header(plan.audience)
    mapping = plan.columns.resolve(header)
    width = len(header)
    fields_of = udf(_fields, "array<string>", useArrow=False)
    broken_of = udf(
        lambda raw: _broken(raw, width), "struct<value:string, reason:string>", useArrow=False
    )
    spark.udf.register("line_fields", fields_of)
    spark.udf.register("broken_line", broken_of)
    view(numbered_lines(spark, plan.audience), "lines")
    fast = f"NOT contains(value, {SPARK.literal(QUOTE)}) AND is_valid_utf8(value)"
    parsed = spark.sql(
        f"""SELECT row, value, CASE WHEN {fast} THEN split(value, ',', -1)
                ELSE line_fields(CAST(value AS BINARY)) END AS fields
            FROM lines WHERE row > 1"""
    ).persist()
    good = f"fields IS NOT NULL AND size(fields) = {width}"
    country = f"fields[{header.index(mapping['country'])}]" if "country" in mapping else "NULL"
    audience = parsed.where(good).selectExpr(
        "row",
        f"fields[{header.index(mapping['address'])}] AS address",
        f"CAST({country} AS STRING) AS country",
    )
    view(audience, "audience")
    broken = parsed.where(f"NOT ({good})").selectExpr(
        "row", "broken_line(CAST(value AS BINARY)) AS b"
    )
    view(broken.selectExpr("row", "b.value AS value", "b.reason AS reason"), "broken")
    spark.catalog.dropTempView("lines")
    return parsed


def _fields(raw: bytearray | None) -> list[str] | None:
    fields, _ = line_fields(bytes(raw or b""))
    return None if fields is None else [decode_value(f) for f in fields]


def _broken(raw: bytearray | None, width: int) -> tuple[str, str]:
    line = bytes(raw or b"")
    fields, reason = line_fields(line)
    return clip(decode_value(line)), reason or wrong_width(width, len(fields or []))


def numbered_lines(spark: SparkSession, path: Path) -> DataFrame:
    """(row, value): every physical line with its 1-based number, whatever the partitioning.

    Spark's ids grow by one per line within a file split; each split's first
    number comes from the line counts of the splits before it in the file.
    """
    from pyspark.sql import functions as F

    lines = spark.read.text(str(path)).select(
        "value",
        F.input_file_block_start().alias("block"),
        F.monotonically_increasing_id().alias("id"),
    )
    blocks = lines.groupBy("block").agg(F.count("*").alias("n"), F.min("id").alias("first"))
    shifts, line = [], 1
    for block in sorted(blocks.collect(), key=lambda b: b["block"]):
        shifts.append((block["block"], line - block["first"]))
        line += block["n"]
    table = spark.createDataFrame(shifts, "block BIGINT, shift BIGINT")
    joined = lines.join(F.broadcast(table), "block")
    return joined.select((F.col("id") + F.col("shift")).alias("row"), "value")


__all__ = ["load_audience", "numbered_lines"]
