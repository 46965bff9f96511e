"""The campaign gate as a PySpark job: the DuckDB engine's SQL (`gate.queries`), on Spark.

Same inputs, same rules, same outputs: rows are numbered as DuckDB numbers
them (a CSV row by its line in the file, a Parquet row by its position),
addresses off the common form and CSV lines with quotes or other encodings
go through the same Python functions (as UDFs), the policy is asked once per
distinct combination of facts on the driver and the answers are broadcast
back. Spark writes part files into a scratch folder; the driver then joins
them into the single send.parquet / suppressed.parquet / rejected.csv the
DuckDB engine writes.

Running it
----------
Locally (the default, and in tests): `maysend gate --engine spark ...` starts
Spark in `local[2]` inside the maysend process.

On a cluster, the maysend process is the driver (client mode: the policy
runs there, once per combination of facts) and the executors run the address
and CSV UDFs, which import maysend: ship it with its dependencies as a packed
environment (venv-pack / conda-pack: `--archives env.tar.gz#env --conf
spark.pyspark.python=./env/bin/python`), or, where the workers' Python
already has the dependencies, as `--py-files maysend-<v>-py3-none-any.whl`
(a wheel is a zip: Python imports the pure-Python package from it). Then::

    SPARK_MASTER=spark://head:7077 maysend gate --engine spark ...
    PYSPARK_SUBMIT_ARGS="--master yarn --conf spark.executor.memory=8g \\
        --archives env.tar.gz#env --conf spark.pyspark.python=./env/bin/python \\
        pyspark-shell" maysend gate --engine spark ...

or through spark-submit, with a two-line driver script `gate_job.py`
(`from maysend.cli import main; main()`)::

    spark-submit --master yarn --deploy-mode client --archives env.tar.gz#env \\
        --conf spark.pyspark.python=./env/bin/python gate_job.py gate --engine spark ...

The audience and the ledger snapshot must be at paths every node can read
(a shared mount), and so must the scratch folder: `MAYSEND_SPARK_SCRATCH`
(default: the run's staging folder, which only works in local mode).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from maysend.errors import LedgerUnavailable
from maysend.gate.dialect import SPARK
from maysend.gate.outcomes import (
    KEY_COLUMNS,
    SEND_COLUMNS,
    SUPPRESSED_COLUMNS,
    decide_combinations,
)
from maysend.gate.outcomes import outcome_schema as arrow_outcome_schema
from maysend.gate.plan import GatePlan, Step
from maysend.gate.queries import (
    REJECTED_SQL,
    SLOW_SQL,
    combinations_sql,
    decided_sql,
    keyed_sql,
    list_sql,
    off_form_sql,
    recipients_sql,
    state_sql,
    valid_sql,
)
from maysend.gate.spark_audience import load_audience
from maysend.gate.summary import Counts, combination_groups, from_groups
from maysend.ledger import check_address

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

REJECTED_SCHEMA = pa.schema([("row", pa.int64()), ("value", pa.string()), ("reason", pa.string())])
VIEWS = (
    *("audience", "broken", "off_form", "checked", "slow", "valid"),
    *("snapshot", "state", "keyed", "recipients", "outcomes", "decided"),
)
LOCAL_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.session.timeZone": "UTC",
}
QUIET_LOG4J = """rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
logger.repl.name = org.apache.spark.repl.Main
logger.repl.level = error
logger.gateway.name = org.apache.spark.api.python.PythonGatewayServer
logger.gateway.level = error
"""


def _launched_elsewhere() -> bool:
    """spark-submit (or PYSPARK_SUBMIT_ARGS) already says where Spark runs."""
    submit_args = os.environ.get("PYSPARK_SUBMIT_ARGS", "")
    return "PYSPARK_GATEWAY_PORT" in os.environ or "--master" in submit_args


@cache
def spark_session() -> SparkSession:
    """One session per process: local[2] unless SPARK_MASTER or spark-submit says otherwise."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("maysend-gate")
    master = os.environ.get("SPARK_MASTER") or (None if _launched_elsewhere() else "local[2]")
    if master is not None:
        builder = builder.master(master)
    if master is not None and master.startswith("local"):
        _quiet_local_environment()
        for key, value in LOCAL_CONF.items():
            builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    session.conf.set("spark.sql.session.timeZone", "UTC")
    return session


def _quiet_local_environment() -> None:
    """Workers run this interpreter (they import maysend); Spark logs errors only.

    Both must be in the environment before the JVM starts: PySpark reads the
    worker interpreter from PYSPARK_PYTHON, and log4j its configuration from
    the class path, which SPARK_CONF_DIR joins.
    """
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    if "SPARK_CONF_DIR" not in os.environ:
        conf_dir = Path(tempfile.mkdtemp(prefix="maysend-spark-conf-"))
        (conf_dir / "log4j2.properties").write_text(QUIET_LOG4J)
        os.environ["SPARK_CONF_DIR"] = str(conf_dir)


def run(plan: GatePlan, staging: Path, step: Step) -> Counts:
    """Run the gate on Spark, writing the three output files into `staging`."""
    spark = spark_session()
    scratch = Path(os.environ.get("MAYSEND_SPARK_SCRATCH") or staging) / f"spark-{os.getpid()}"
    cached: list[DataFrame] = []
    try:
        step("reading the audience")
        cached.extend(load_audience(spark, plan, _view))
        step("normalising addresses")
        cached.extend(normalise(spark))
        step("joining the consent ledger")
        cached.append(load_state(spark, plan))
        cached.append(_view(spark.sql(recipients_sql(plan, SPARK)), "recipients").persist())
        step("deciding per combination of facts")
        decided, groups = outcomes(spark, plan)
        cached.append(decided)
        step("writing the send and suppression lists")
        rejected = write_outputs(spark, staging, scratch)
        return from_groups(groups, rejected)
    finally:
        for frame in cached:
            frame.unpersist()
        for name in VIEWS:
            spark.catalog.dropTempView(name)
        shutil.rmtree(scratch, ignore_errors=True)


def _view(frame: DataFrame, name: str) -> DataFrame:
    frame.createOrReplaceTempView(name)
    return frame


# -- addresses, ledger, outcomes --------------------------------------------------------------


def normalise(spark: SparkSession) -> list[DataFrame]:
    """Views `off_form`, `checked` (the ledger's function, as a UDF), `slow` and `valid`."""
    from pyspark.sql.functions import udf

    spark.udf.register(
        "check_address",
        udf(check_address, "struct<addr:string, reason:string>", useArrow=False),
    )
    off_form = _view(spark.sql(off_form_sql(SPARK)).persist(), "off_form")
    checked = spark.sql(
        """SELECT row, n.addr AS addr, n.reason AS reason FROM (
               SELECT row, check_address(address) AS n FROM off_form WHERE reason IS NULL)"""
    )
    frames = [off_form, _view(checked.persist(), "checked")]
    frames.append(_view(spark.sql(SLOW_SQL).persist(), "slow"))
    _view(spark.sql(valid_sql(SPARK)), "valid")
    return frames


def load_state(spark: SparkSession, plan: GatePlan) -> DataFrame:
    """Views `state` and `keyed` (kept: it is small, and read once per address)."""
    if not plan.snapshot.is_file():
        raise LedgerUnavailable("the ledger snapshot does not exist", file=str(plan.snapshot))
    _view(spark.read.parquet(str(plan.snapshot)), "snapshot")
    _view(spark.sql(state_sql(plan, SPARK)), "state")
    keyed = _view(spark.sql(keyed_sql(plan, SPARK)).persist(), "keyed")
    plan.count_keyed_subjects(keyed.count())
    return keyed


def outcomes(spark: SparkSession, plan: GatePlan) -> tuple[DataFrame, list[tuple[Any, ...]]]:
    """Ask the policy once per distinct combination of facts; view `decided`, and the counts
    per combination."""
    found = spark.sql(combinations_sql())
    counted = [row.asDict() for row in found.collect()]
    rows = decide_combinations(
        counted,
        model=plan.fact_model,
        checks=plan.checks,
        verdict=plan.verdict,
        config=plan.config,
    )
    types = {f.name: f.dataType.simpleString() for f in found.schema}
    keys = pa.schema([(c, _arrow_type(types[c])) for c in KEY_COLUMNS])
    table = pa.Table.from_pylist(rows, schema=arrow_outcome_schema(keys))
    _view(spark.createDataFrame(table), "outcomes")
    decided = _view(spark.sql(decided_sql()), "decided").persist()
    return decided, combination_groups(counted, rows)


def _arrow_type(spark_type: str) -> pa.DataType:
    return {"bigint": pa.int64(), "string": pa.string()}[spark_type]


# -- outputs ----------------------------------------------------------------------------------


def write_outputs(spark: SparkSession, staging: Path, scratch: Path) -> int:
    """Write the three files; return how many rows were rejected."""
    for name, columns, send in (
        ("send", SEND_COLUMNS, True),
        ("suppressed", SUPPRESSED_COLUMNS, False),
    ):
        parts = scratch / name
        spark.sql(list_sql(columns, send=send)).write.mode("overwrite").parquet(str(parts))
        consolidate(parts, staging / f"{name}.parquet", _list_schema(columns))
    spark.sql(REJECTED_SQL).write.mode("overwrite").parquet(str(scratch / "rejected"))
    rejected = scratch / "rejected.parquet"
    consolidate(scratch / "rejected", rejected, REJECTED_SCHEMA)
    with duckdb.connect() as con:  # the CSV writer the DuckDB engine uses, for identical files
        con.execute(
            f"COPY (SELECT * FROM read_parquet({_sql_text(rejected)}) ORDER BY row) "
            f"TO {_sql_text(staging / 'rejected.csv')} (FORMAT csv, HEADER true)"
        )
    return int(pq.read_metadata(rejected).num_rows)


def _sql_text(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _list_schema(columns: tuple[str, ...]) -> pa.Schema:
    return pa.schema([(c, pa.int64() if c == "row" else pa.string()) for c in columns])


def consolidate(parts: Path, target: Path, schema: pa.Schema) -> None:
    """Spark's part files (in part order, which is sort order) into one Parquet file."""
    with pq.ParquetWriter(target, schema) as writer:
        for part in sorted(parts.glob("part-*.parquet")):
            for batch in pq.ParquetFile(part).iter_batches():
                table = pa.Table.from_batches([batch]).select(schema.names)
                writer.write_table(table.cast(schema))


__all__ = ["consolidate", "run", "spark_session"]
