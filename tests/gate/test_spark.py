"""The Spark engine against the DuckDB engine: same inputs, identical outputs and counts."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pytest

from maysend.gate.addresses import common_form_sql, hmac_sql, normalized_common_sql
from maysend.gate.dialect import BLANK, DUCKDB, SPARK
from maysend.ledger import Ledger

from .factory import (
    BARE,
    CAMPAIGN,
    MARKETING,
    SERVICE,
    Campaign,
    build_ledger,
    csv_bytes,
    gate,
    random_campaign,
    read_outputs,
    write_parquet_audience,
)

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

pytestmark = pytest.mark.spark

ODDITIES = [
    b"",
    b"too,many,fields",
    b'"unclosed@example.com,GB',
    b'"quoted, name"@example.com,GB',
    b'"ann@example.com","DE"',
    b"caf\xe9@example.com,FR",
    b"\xff\xfe,GB",
]


def tricky_csv(campaign: Campaign, rnd: random.Random) -> bytes:
    """The campaign's CSV with CRLF line ends, blank, broken, quoted and Latin-1 lines mixed in."""
    lines = csv_bytes(campaign).split(b"\n")[:-1]
    for oddity in ODDITIES:
        lines.insert(rnd.randint(1, len(lines)), oddity)
    return b"\r\n".join(lines) + b"\r\n"


def both_engines(campaign: Campaign, audience: Path, tmp_path: Path, **kw: Any) -> None:
    reports = {}
    for engine in ("duckdb", "spark"):
        reports[engine] = gate(campaign, audience, tmp_path / engine, engine=engine, **kw)
    assert reports["spark"].counts == reports["duckdb"].counts
    assert read_outputs(tmp_path / "spark") == read_outputs(tmp_path / "duckdb")
    assert reports["duckdb"].counts.recipients > 0


@contextmanager
def split_small(spark: SparkSession) -> Iterator[None]:
    spark.conf.set("spark.sql.files.maxPartitionBytes", "256")
    try:
        yield
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")


def test_csv_from_the_live_ledger(spark: SparkSession, tmp_path: Path) -> None:
    rnd = random.Random(1)
    campaign = random_campaign(rnd, events=60, rows=60)
    campaign.topic = "newsletter"  # the topic's rows, and the purpose's where a subject has none
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    build_ledger(campaign, url)
    audience = tmp_path / "audience.csv"
    audience.write_bytes(tricky_csv(campaign, rnd))
    both_engines(campaign, audience, tmp_path, verdict=MARKETING, db_url=url, message=CAMPAIGN)


def test_parquet_and_a_hash_only_snapshot(spark: SparkSession, tmp_path: Path) -> None:
    campaign = random_campaign(random.Random(2), events=60, rows=60)
    campaign.hash_only, campaign.default = True, "strictest"
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    settings = build_ledger(campaign, url)
    snapshot = tmp_path / "snapshot.parquet"
    with Ledger.open(url, settings=settings) as ledger:
        ledger.export(snapshot)
    audience = tmp_path / "audience.parquet"
    write_parquet_audience(campaign, audience)
    both_engines(campaign, audience, tmp_path, verdict=SERVICE, snapshot=snapshot)


def test_csv_split_across_many_partitions(spark: SparkSession, tmp_path: Path) -> None:
    rnd = random.Random(3)
    campaign = random_campaign(rnd, events=40, rows=60)
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    build_ledger(campaign, url)
    audience = tmp_path / "audience.csv"
    audience.write_bytes(tricky_csv(campaign, rnd))
    with split_small(spark):
        assert spark.read.text(str(audience)).rdd.getNumPartitions() > 2
        both_engines(campaign, audience, tmp_path, verdict=MARKETING, db_url=url, message=BARE)


VALUES = [
    "ann@example.com",
    "  Bob.Smith@Example.ORG\t",
    "o'neil@example.co.uk",
    "back\\slash@example.com",
    "a@b.com\n",
    "a@-b.com",
    "x@" + "b" * 64 + ".com",
    "zoë@example.com",
    "\u00a0",
    "\t",
    "",
]


def test_the_shared_sql_means_the_same_in_spark(spark: SparkSession) -> None:
    rnd = random.Random(4)
    alphabet = "ab.@-'\\ \t\"é"
    values = VALUES + [
        "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 12))) for _ in range(300)
    ]
    secret = "s3cr'et\\"

    def select(dialect: Any) -> str:
        return (
            f"SELECT v, coalesce({common_form_sql('v', dialect)}, false), "
            f"{normalized_common_sql('v', dialect)}, {dialect.full_match('v', BLANK)}, "
            f"{hmac_sql('v', secret, dialect)}"
        )

    frame = spark.createDataFrame([(v,) for v in values], "v STRING")
    frame.createOrReplaceTempView("t")
    in_spark = sorted(tuple(r) for r in spark.sql(select(SPARK) + " FROM t").collect())
    with duckdb.connect() as con:
        con.execute("CREATE TABLE t (v VARCHAR)")
        con.executemany("INSERT INTO t VALUES (?)", [(v,) for v in values])
        in_duckdb = sorted(con.execute(select(DUCKDB) + " FROM t").fetchall())
    assert in_spark == in_duckdb
